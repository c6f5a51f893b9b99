"""The Events image-reflector-controller and image-automation-controller record at the end of a run.

Covers: the controller names and the shared EventSpec; no event metadata;
ImageRepository: Normal `Succeeded` with the Ready message on becoming
ready and on new tags, a trace `Succeeded` with the next-scan note
otherwise (its three forms), a Warning with the failure's reason on every
failed run; ImagePolicy: Normal only on becoming ready or a new latest ref
(with `(previously ...)`), trace with the Ready message for the same tag,
Warning on failure and while waiting for tags, recovery to the same tag is
announced; ImageUpdateAutomation: Normal with the push summary (short hash,
branch, refspecs, commit message) whenever a push made it ready, Normal
`repository up-to-date` on recovery without a push, trace `repository
up-to-date` or `no change since last reconciliation`, Warning with the
Ready message on failure; trace events are recorded as Normal.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fluxpy.image import events, status
from fluxpy.image.status import Push
from fluxpy.models.image import (
    ImagePolicy,
    ImagePolicyStatus,
    ImageRef,
    ImageRepository,
    ImageRepositoryStatus,
    ImageUpdateAutomation,
    ImageUpdateAutomationStatus,
    ScanResult,
)
from fluxpy.source import events as source_events

T0 = datetime(2026, 11, 20, 9, 0, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 20, 9, 5, 0, tzinfo=UTC)
T2 = datetime(2026, 11, 20, 9, 10, 0, tzinfo=UTC)
IMAGE = "ghcr.io/acme/app"
HASH = "a47b32f4814810acac804df5054ec37cbfdbfb53"


def _meta() -> dict[str, Any]:
    return {"name": "app", "namespace": "flux-system", "generation": 1}


def repo(st: ImageRepositoryStatus | None = None) -> ImageRepository:
    return ImageRepository.from_dict({"kind": "ImageRepository", "metadata": _meta(),
                                      "spec": {"image": IMAGE, "interval": "5m"},
                                      "status": st.to_dict() if st else {}})


def policy(st: ImagePolicyStatus | None = None) -> ImagePolicy:
    return ImagePolicy.from_dict({"kind": "ImagePolicy", "metadata": _meta(),
                                  "spec": {"imageRepositoryRef": {"name": "app"},
                                           "policy": {"alphabetical": {}}},
                                  "status": st.to_dict() if st else {}})


def automation(st: ImageUpdateAutomationStatus | None = None) -> ImageUpdateAutomation:
    return ImageUpdateAutomation.from_dict({"kind": "ImageUpdateAutomation", "metadata": _meta(),
                                            "spec": {"sourceRef": {"name": "fleet"}, "interval": "10m"},
                                            "status": st.to_dict() if st else {}})


def scanned(prev: ImageRepositoryStatus | None, count: int, rev: str, now: datetime) -> ImageRepositoryStatus:
    return status.repository_scanned(repo(prev), scan=ScanResult(count, rev, now), canonical_name=IMAGE, now=now)


def resolved(prev: ImagePolicyStatus | None, tag: str, now: datetime) -> ImagePolicyStatus:
    return status.policy_resolved(policy(prev), name=IMAGE, tag=tag, now=now)


def done(prev: ImageUpdateAutomationStatus | None, now: datetime, push: Push | None = None
         ) -> ImageUpdateAutomationStatus:
    return status.automation_done(automation(prev), push=push, observed_policies={"app": ImageRef(IMAGE, "1.0.0")},
                                  source_revision="main@sha1:" + "f" * 40, now=now)


def shape(notice: events.Notice) -> tuple[str, str, str, str]:
    return notice.severity, notice.event.type, notice.event.reason, notice.event.message


FRESH_REPO = ImageRepositoryStatus()
FRESH_POLICY = ImagePolicyStatus()
FRESH_AUTO = ImageUpdateAutomationStatus()


def test_controllers_and_event_spec() -> None:
    assert events.REFLECTOR_CONTROLLER == "image-reflector-controller"
    assert events.AUTOMATION_CONTROLLER == "image-automation-controller"
    assert events.EventSpec is source_events.EventSpec


# --- ImageRepository ----------------------------------------------------------------------------

def test_a_first_scan_is_announced_with_the_ready_message() -> None:
    new = scanned(None, 3, "123", T0)
    n = events.repository_notice(FRESH_REPO, new, next_scan="successful scan, next scan in 5m0s")
    assert shape(n) == ("info", "Normal", "Succeeded", "successful scan: found 3 tags with checksum 123")
    assert n.controller == "image-reflector-controller"
    assert n.event.annotations == {}
    assert not n.trace


def test_a_scan_without_new_tags_is_a_trace_event_with_the_next_scan() -> None:
    first = scanned(None, 3, "123", T0)
    again = scanned(first, 3, "123", T1)
    msg = events.next_scan_message(previous=first.last_scan_result, current=again.last_scan_result, scanned=True,
                                   next_scan=timedelta(minutes=5))
    n = events.repository_notice(first, again, next_scan=msg)
    assert shape(n) == ("trace", "Normal", "Succeeded", "tags did not change, next scan in 5m0s")
    assert n.trace


def test_new_tags_on_a_ready_repository_are_announced() -> None:
    first = scanned(None, 3, "123", T0)
    n = events.repository_notice(first, scanned(first, 4, "456", T1), next_scan="unused")
    assert shape(n) == ("info", "Normal", "Succeeded", "successful scan: found 4 tags with checksum 456")


def test_next_scan_messages() -> None:
    a, b = ScanResult(3, "123", T0), ScanResult(4, "456", T1)
    assert events.next_scan_message(previous=None, current=a, scanned=True, next_scan=timedelta(minutes=5)) == (
        "successful scan, next scan in 5m0s")
    assert events.next_scan_message(previous=a, current=b, scanned=True, next_scan=timedelta(minutes=1)) == (
        "successful scan, next scan in 1m0s")
    assert events.next_scan_message(previous=a, current=a, scanned=False,
                                    next_scan=timedelta(minutes=4, seconds=59, milliseconds=500)) == (
        "no change in repository configuration since last scan, next scan in 4m59.5s")


def test_every_failed_scan_is_a_warning_with_its_reason() -> None:
    first = scanned(None, 3, "123", T0)
    broken = status.failed(repo(first), reason=status.READ_OPERATION_FAILED, message="scan failed: 500", now=T1)
    assert shape(events.repository_notice(first, broken, next_scan="x")) == (
        "error", "Warning", "ReadOperationFailed", "scan failed: 500")
    again = status.failed(repo(broken), reason=status.READ_OPERATION_FAILED, message="scan failed: 500", now=T2)
    assert shape(events.repository_notice(broken, again, next_scan="x"))[:3] == ("error", "Warning",
                                                                                 "ReadOperationFailed")


def test_recovery_is_announced_even_with_the_same_tags() -> None:
    first = scanned(None, 3, "123", T0)
    broken = status.failed(repo(first), reason=status.READ_OPERATION_FAILED, message="scan failed: 500", now=T1)
    n = events.repository_notice(broken, scanned(broken, 3, "123", T2), next_scan="x")
    assert shape(n) == ("info", "Normal", "Succeeded", "successful scan: found 3 tags with checksum 123")


def test_a_stall_is_a_warning_with_the_stall_reason() -> None:
    st = status.stalled(repo(), reason=status.IMAGE_URL_INVALID, message="bad image", now=T0)
    assert shape(events.repository_notice(FRESH_REPO, st, next_scan="x")) == (
        "error", "Warning", "ImageURLInvalid", "bad image")


# --- ImagePolicy --------------------------------------------------------------------------------

def test_a_policy_announces_its_first_tag() -> None:
    n = events.policy_notice(FRESH_POLICY, resolved(None, "1.0.0", T0))
    assert shape(n) == ("info", "Normal", "Succeeded", f"Latest image tag for {IMAGE} resolved to 1.0.0")
    assert n.controller == "image-reflector-controller"


def test_the_same_tag_again_is_only_a_trace_event() -> None:
    first = resolved(None, "1.0.0", T0)
    n = events.policy_notice(first, resolved(first, "1.0.0", T1))
    assert shape(n) == ("trace", "Normal", "Succeeded", f"Latest image tag for {IMAGE} resolved to 1.0.0")


def test_a_new_tag_is_announced_once_with_the_previous_one() -> None:
    first = resolved(None, "1.0.0", T0)
    second = resolved(first, "1.1.0", T1)
    assert shape(events.policy_notice(first, second)) == (
        "info", "Normal", "Succeeded", f"Latest image tag for {IMAGE} resolved to 1.1.0 (previously {IMAGE}:1.0.0)")
    assert events.policy_notice(second, resolved(second, "1.1.0", T2)).trace


def test_a_failed_policy_is_a_warning_and_recovery_is_announced() -> None:
    first = resolved(None, "1.0.0", T0)
    broken = status.failed(policy(first), reason=status.DEPENDENCY_NOT_READY,
                           message=status.missing_repository_message("app"), now=T1)
    assert shape(events.policy_notice(first, broken))[:3] == ("error", "Warning", "DependencyNotReady")
    n = events.policy_notice(broken, resolved(broken, "1.0.0", T2))
    assert shape(n) == ("info", "Normal", "Succeeded", f"Latest image tag for {IMAGE} resolved to 1.0.0")


def test_a_policy_waiting_for_tags_warns() -> None:
    st = status.policy_waiting(policy(), now=T0)
    assert shape(events.policy_notice(FRESH_POLICY, st)) == (
        "error", "Warning", "DependencyNotReady", "no tags in database")


# --- ImageUpdateAutomation ----------------------------------------------------------------------

def test_push_summary_formats() -> None:
    msg = "Update from image update automation"
    assert events.push_summary(Push(HASH, "test-branch", T0, msg)) == (
        "pushed commit 'a47b32f' to branch 'test-branch'\nUpdate from image update automation")
    assert events.push_summary(Push(HASH, "test-branch", T0)) == "pushed commit 'a47b32f' to branch 'test-branch'"
    refspecs = ("refs/heads/auto:refs/heads/smth/else", "refs/heads/auto:refs/heads/foo")
    assert events.push_summary(Push(HASH, "test-branch", T0, msg, refspecs)) == (
        "pushed commit 'a47b32f' to branch 'test-branch' and refspecs 'refs/heads/auto:refs/heads/smth/else', "
        "'refs/heads/auto:refs/heads/foo'\nUpdate from image update automation")
    assert events.push_summary(Push("foo", "test-branch", T0, msg)) == (
        "pushed commit 'foo' to branch 'test-branch'\nUpdate from image update automation")


def test_a_push_is_announced_with_its_summary() -> None:
    first = done(None, T0)
    push = Push(HASH, "main", T1, "chore: update app to 1.1.0")
    n = events.automation_notice(first, done(first, T1, push), push=push)
    summary = "pushed commit 'a47b32f' to branch 'main'\nchore: update app to 1.1.0"
    assert shape(n) == ("info", "Normal", "Succeeded", summary)
    assert n.controller == "image-automation-controller"
    assert n.event.annotations == {}


def test_a_first_push_is_announced_with_its_summary() -> None:
    push = Push(HASH, "main", T0, "msg")
    n = events.automation_notice(FRESH_AUTO, done(None, T0, push), push=push)
    assert shape(n) == ("info", "Normal", "Succeeded", "pushed commit 'a47b32f' to branch 'main'\nmsg")


def test_becoming_ready_without_a_push_is_announced_as_up_to_date() -> None:
    assert shape(events.automation_notice(FRESH_AUTO, done(None, T0), push=None)) == (
        "info", "Normal", "Succeeded", "repository up-to-date")


def test_a_run_without_changes_is_a_trace_event() -> None:
    first = done(None, T0)
    assert shape(events.automation_notice(first, done(first, T1), push=None)) == (
        "trace", "Normal", "Succeeded", "repository up-to-date")
    assert shape(events.automation_notice(first, done(first, T1), push=None, sync_needed=False)) == (
        "trace", "Normal", "Succeeded", "no change since last reconciliation")


def test_a_failed_run_warns_with_the_ready_message() -> None:
    first = done(None, T0)
    msg = "failed to update source: failed to push to remote: non-fast-forward update"
    broken = status.failed(automation(first), reason=status.GIT_OPERATION_FAILED, message=msg, now=T1)
    assert shape(events.automation_notice(first, broken, push=None)) == (
        "error", "Warning", "GitOperationFailed", msg)


def test_recovery_is_announced() -> None:
    broken = status.failed(automation(), reason=status.GIT_OPERATION_FAILED, message="x", now=T0)
    assert shape(events.automation_notice(broken, done(broken, T1), push=None)) == (
        "info", "Normal", "Succeeded", "repository up-to-date")
    push = Push(HASH, "main", T1, "msg")
    assert shape(events.automation_notice(broken, done(broken, T1, push), push=push))[3].startswith(
        "pushed commit 'a47b32f' to branch 'main'")


def test_ready_means_no_reconciling_or_stalled() -> None:
    first = done(None, T0)
    working = status.progressing(automation(first), now=T1)
    assert events.is_ready(first)
    assert not events.is_ready(working)
