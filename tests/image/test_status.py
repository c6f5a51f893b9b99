"""The ImageRepository, ImagePolicy and ImageUpdateAutomation status, as the image controllers write it.

Covers, for each kind: a fresh object's working status (`Reconciling` and
`Ready=Unknown`, `processing object: new generation -1 -> 1`, `scanning:
<why>`); success (`Ready=True`/`Succeeded` with the kind's message,
`Reconciling` removed, `observedGeneration`, `lastHandledReconcileAt`); a
repeated success moves no `lastTransitionTime`; a ready object stays
`Ready=True` while it works; failure (`Ready=False` with the reason,
`Reconciling` kept as `ProgressingWithRetry`, last good observations and
`observedGeneration` kept, nothing moves on a repeated identical failure);
recovery; stalls (and the finalizer keeping an existing `Ready=False`);
errors that mark nothing. Per kind: the scan decision and the scan result
fields; the latest ref, `observedPreviousRef` (the ref before the last
change, also across failures), the Ready message with digest and previous
ref, waiting for tags, digest reflection; the automation's run time, push
commit and time, observed source revision (pushed or checked-out commit)
and observed policies.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fluxpy.image import status
from fluxpy.image.status import Push
from fluxpy.models.conditions import Condition
from fluxpy.models.image import (
    ImagePolicy,
    ImageRef,
    ImageRepository,
    ImageUpdateAutomation,
    ScanResult,
)

T0 = datetime(2026, 11, 20, 9, 0, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 20, 9, 5, 0, tzinfo=UTC)
T2 = datetime(2026, 11, 20, 9, 10, 0, tzinfo=UTC)
T3 = datetime(2026, 11, 20, 9, 15, 0, tzinfo=UTC)
IMAGE = "ghcr.io/acme/app"
CANONICAL = "ghcr.io/acme/app"
TOKEN = "2026-11-20T09:00:00.000000000Z"
DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64
HASH = "0123456789abcdef0123456789abcdef01234567"


def _meta(generation: int, annotations: dict[str, str] | None) -> dict[str, Any]:
    return {"name": "app", "namespace": "flux-system", "generation": generation, "annotations": annotations or {}}


def repo(*, generation: int = 1, status_: dict[str, Any] | None = None,
         annotations: dict[str, str] | None = None, spec: dict[str, Any] | None = None) -> ImageRepository:
    return ImageRepository.from_dict({
        "apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImageRepository",
        "metadata": _meta(generation, annotations),
        "spec": {"image": IMAGE, "interval": "5m0s", **(spec or {})},
        "status": status_ or {},
    })


def policy(*, generation: int = 1, status_: dict[str, Any] | None = None,
           spec: dict[str, Any] | None = None) -> ImagePolicy:
    return ImagePolicy.from_dict({
        "apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImagePolicy",
        "metadata": _meta(generation, None),
        "spec": {"imageRepositoryRef": {"name": "app"}, "policy": {"semver": {"range": ">=1.0.0"}}, **(spec or {})},
        "status": status_ or {},
    })


def automation(*, generation: int = 1, status_: dict[str, Any] | None = None,
               annotations: dict[str, str] | None = None) -> ImageUpdateAutomation:
    return ImageUpdateAutomation.from_dict({
        "apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImageUpdateAutomation",
        "metadata": _meta(generation, annotations),
        "spec": {"sourceRef": {"kind": "GitRepository", "name": "fleet"}, "interval": "10m0s",
                 "git": {"commit": {"author": {"email": "flux@example.com"}}, "push": {"branch": "main"}},
                 "update": {"path": "./apps", "strategy": "Setters"}},
        "status": status_ or {},
    })


def scan(count: int = 3, revision: str = "1234567", when: datetime = T0) -> ScanResult:
    return ScanResult(count, revision, when, ("1.2.0", "1.1.0", "1.0.0")[:count])


def kinds(st: Any) -> dict[str, tuple[str, str, str]]:
    return {c.type: (str(c.status), c.reason, c.message) for c in st.conditions}


def cond(st: Any, type_: str) -> Condition:
    found: list[Condition] = [c for c in st.conditions if c.type == type_]
    assert found, f"no {type_} condition"
    return found[0]


# --- working ------------------------------------------------------------------------------------

def test_a_fresh_object_works_with_reconciling_and_ready_unknown_for_its_first_generation() -> None:
    st = status.progressing(repo(), now=T0)
    msg = "processing object: new generation -1 -> 1"
    assert kinds(st) == {"Reconciling": ("True", "Progressing", msg), "Ready": ("Unknown", "Progressing", msg)}
    assert [c.type for c in st.conditions] == ["Reconciling", "Ready"]
    assert st.observed_generation == -1
    assert all(c.observed_generation == 1 and c.last_transition_time == T0 for c in st.conditions)


def test_a_scan_announces_why_in_the_reconciling_message() -> None:
    st = status.progressing(repo(), message=status.scanning_message(status.SCAN_FIRST), now=T0)
    assert kinds(st)["Reconciling"] == ("True", "Progressing", "scanning: first scan")
    assert kinds(st)["Ready"] == ("Unknown", "Progressing", "scanning: first scan")


def test_a_ready_object_stays_ready_while_it_works() -> None:
    done = repo(status_=status.repository_scanned(repo(), scan=scan(), canonical_name=CANONICAL, now=T0).to_dict())
    st = status.progressing(done, message=status.scanning_message(status.SCAN_INTERVAL), now=T1)
    assert kinds(st)["Ready"][0] == "True"
    assert cond(st, "Ready").last_transition_time == T0
    assert kinds(st)["Reconciling"] == ("True", "Progressing", "scanning: triggered by interval")


def test_a_ready_object_of_the_same_generation_works_with_reconciliation_in_progress() -> None:
    done = repo(status_=status.repository_scanned(repo(), scan=scan(), canonical_name=CANONICAL, now=T0).to_dict())
    assert kinds(status.progressing(done, now=T1))["Reconciling"][2] == "reconciliation in progress"
    newer = repo(generation=2, status_=done.status.to_dict())
    assert kinds(status.progressing(newer, now=T1))["Reconciling"][2] == "processing object: new generation 1 -> 2"


def test_drift_forces_ready_unknown_on_a_ready_object() -> None:
    done = repo(status_=status.repository_scanned(repo(), scan=scan(), canonical_name=CANONICAL, now=T0).to_dict())
    msg = status.scanning_message(status.SCAN_EMPTY_DATABASE)
    st = status.progressing(done, message=msg, drift=True, now=T1)
    assert kinds(st)["Ready"] == ("Unknown", "Progressing", "scanning: no tags in database")


def test_working_removes_stalled() -> None:
    stuck = repo(status_=status.stalled(repo(), reason=status.IMAGE_URL_INVALID, message="bad", now=T0).to_dict())
    assert "Stalled" not in kinds(status.progressing(stuck, now=T1))


def test_flux_writes_the_working_status_for_a_new_generation_or_a_new_token() -> None:
    fresh = repo()
    assert status.persists_progress(fresh)
    done = status.repository_scanned(fresh, scan=scan(), canonical_name=CANONICAL, now=T0).to_dict()
    assert not status.persists_progress(repo(status_=done))
    assert status.persists_progress(repo(status_=done, annotations={"reconcile.fluxcd.io/requestedAt": TOKEN}))
    resolved = status.policy_resolved(policy(), name=IMAGE, tag="1.0.0", now=T0).to_dict()
    assert not status.persists_progress(policy(status_=resolved))
    assert status.persists_progress(policy(generation=2, status_=resolved))


# --- ImageRepository ----------------------------------------------------------------------------

def test_a_scan_makes_the_repository_ready_with_the_tag_count_and_checksum() -> None:
    r = repo(annotations={"reconcile.fluxcd.io/requestedAt": TOKEN})
    st = status.repository_scanned(r, scan=scan(), canonical_name=CANONICAL, now=T0)
    assert kinds(st) == {"Ready": ("True", "Succeeded", "successful scan: found 3 tags with checksum 1234567")}
    assert st.observed_generation == 1
    assert st.last_scan_result == scan()
    assert st.canonical_image_name == CANONICAL
    assert st.observed_exclusion_list == ("^.*\\.sig$",)
    assert st.last_handled_reconcile_at == TOKEN
    assert st.to_dict()["lastScanResult"] == {"revision": "1234567", "tagCount": 3, "scanTime": "2026-11-20T09:00:00Z",
                                              "latestTags": ["1.2.0", "1.1.0", "1.0.0"]}


def test_the_observed_exclusion_list_is_the_spec_one_unless_given() -> None:
    r = repo(spec={"exclusionList": ["^sha-", "-rc$"]})
    assert status.repository_scanned(r, scan=scan(), canonical_name=CANONICAL, now=T0).observed_exclusion_list == (
        "^sha-", "-rc$")
    st = status.repository_scanned(r, scan=scan(), canonical_name=CANONICAL, exclusion_list=["x"], now=T0)
    assert st.observed_exclusion_list == ("x",)


def test_an_unchanged_scan_moves_no_transition_time() -> None:
    first = status.repository_scanned(repo(), scan=scan(), canonical_name=CANONICAL, now=T0)
    working = status.progressing(repo(status_=first.to_dict()), message="scanning: triggered by interval", now=T1)
    again = status.repository_scanned(repo(status_=working.to_dict()), scan=scan(when=T1), canonical_name=CANONICAL,
                                      now=T1)
    assert kinds(again) == kinds(first)
    assert cond(again, "Ready").last_transition_time == T0
    assert again.last_scan_result is not None and again.last_scan_result.scan_time == T1


def test_new_tags_change_the_ready_message_and_its_transition_time() -> None:
    first = status.repository_scanned(repo(), scan=scan(), canonical_name=CANONICAL, now=T0)
    again = status.repository_scanned(repo(status_=first.to_dict()), scan=scan(4, "7654321", T1),
                                      canonical_name=CANONICAL, now=T1)
    assert kinds(again)["Ready"] == ("True", "Succeeded", "successful scan: found 4 tags with checksum 7654321")
    assert cond(again, "Ready").last_transition_time == T1


def test_a_run_without_a_due_scan_keeps_the_last_scan_result() -> None:
    first = status.repository_scanned(repo(), scan=scan(), canonical_name=CANONICAL, now=T0)
    again = status.repository_scanned(repo(status_=first.to_dict()), scan=None, canonical_name=CANONICAL, now=T1)
    assert again.last_scan_result == first.last_scan_result
    assert again == first


def test_recording_no_scan_on_a_never_scanned_repository_is_an_error() -> None:
    with pytest.raises(ValueError, match="ImageRepository/flux-system/app: no scan result"):
        status.repository_scanned(repo(), scan=None, canonical_name=CANONICAL, now=T0)


def test_a_failed_scan_keeps_the_last_scan_and_the_generation() -> None:
    first = status.repository_scanned(repo(), scan=scan(), canonical_name=CANONICAL, now=T0)
    working = status.progressing(repo(generation=2, status_=first.to_dict()),
                                 message=status.scanning_message(status.SCAN_INTERVAL), now=T1)
    st = status.failed(repo(generation=2, status_=working.to_dict()), reason=status.READ_OPERATION_FAILED,
                       message="scan failed: GET https://ghcr.io/v2/: 500", now=T1)
    assert kinds(st) == {
        "Reconciling": ("True", "ProgressingWithRetry", "scanning: triggered by interval"),
        "Ready": ("False", "ReadOperationFailed", "scan failed: GET https://ghcr.io/v2/: 500"),
    }
    assert [c.type for c in st.conditions] == ["Reconciling", "Ready"]
    assert st.observed_generation == 1
    assert st.last_scan_result == first.last_scan_result
    assert st.canonical_image_name == CANONICAL


def test_a_failure_without_a_written_working_status_names_the_generation_in_reconciling() -> None:
    st = status.failed(repo(), reason=status.AUTHENTICATION_FAILED,
                       message="failed to configure authentication options: secret not found", now=T0)
    assert kinds(st)["Reconciling"] == ("True", "ProgressingWithRetry", "processing object: new generation -1 -> 1")
    assert kinds(st)["Ready"][:2] == ("False", "AuthenticationFailed")
    assert st.observed_generation == -1


def test_a_repeated_failure_moves_no_transition_time() -> None:
    first = status.failed(repo(), reason=status.READ_OPERATION_FAILED, message="scan failed: x", now=T0)
    again = status.failed(repo(status_=first.to_dict()), reason=status.READ_OPERATION_FAILED,
                          message="scan failed: x", now=T1)
    assert again.conditions == first.conditions


def test_recovery_removes_reconciling_and_makes_the_repository_ready() -> None:
    broken = status.failed(repo(), reason=status.READ_OPERATION_FAILED, message="scan failed: x", now=T0)
    st = status.repository_scanned(repo(status_=broken.to_dict()), scan=scan(), canonical_name=CANONICAL, now=T1)
    assert set(kinds(st)) == {"Ready"}
    assert cond(st, "Ready").last_transition_time == T1
    assert st.observed_generation == 1


def test_an_invalid_image_stalls_the_repository() -> None:
    msg = ".spec.image value should not start with URL scheme; remove 'https://'"
    st = status.stalled(repo(), reason=status.IMAGE_URL_INVALID, message=msg, now=T0)
    assert kinds(st) == {"Stalled": ("True", "ImageURLInvalid", msg), "Ready": ("False", "ImageURLInvalid", msg)}
    assert [c.type for c in st.conditions] == ["Stalled", "Ready"]
    assert st.observed_generation == 1


def test_a_stall_keeps_an_existing_ready_false() -> None:
    broken = status.failed(repo(), reason=status.READ_OPERATION_FAILED, message="scan failed: x", now=T0)
    st = status.stalled(repo(status_=broken.to_dict()), reason=status.IMAGE_URL_INVALID, message="bad", now=T1)
    assert kinds(st) == {"Stalled": ("True", "ImageURLInvalid", "bad"),
                         "Ready": ("False", "ReadOperationFailed", "scan failed: x")}


def test_a_stall_overrides_ready_true() -> None:
    done = status.repository_scanned(repo(), scan=scan(), canonical_name=CANONICAL, now=T0)
    st = status.stalled(repo(generation=2, status_=done.to_dict()), reason=status.IMAGE_URL_INVALID, message="bad",
                        now=T1)
    assert kinds(st)["Ready"] == ("False", "ImageURLInvalid", "bad")
    assert st.observed_generation == 2
    assert st.last_scan_result == done.last_scan_result


def test_the_first_scan_is_due_at_once() -> None:
    assert status.scan_reason(repo(), canonical_name=CANONICAL, now=T0) == (status.SCAN_FIRST, timedelta(minutes=5))


@pytest.mark.parametrize(("change", "expected"), [
    ({"annotations": {"reconcile.fluxcd.io/requestedAt": "later"}}, status.SCAN_RECONCILE_REQUESTED),
    ({"spec": {"image": "ghcr.io/acme/other"}}, status.SCAN_NEW_IMAGE_NAME),
    ({"spec": {"exclusionList": ["^sha-"]}}, status.SCAN_UPDATED_EXCLUSION_LIST),
])
def test_a_scan_is_due_when_the_configuration_changed(change: dict[str, Any], expected: str) -> None:
    done = status.repository_scanned(repo(), scan=scan(), canonical_name=CANONICAL, now=T0).to_dict()
    r = repo(status_=done, **change)
    canonical = "ghcr.io/acme/other" if "image" in change.get("spec", {}) else CANONICAL
    assert status.scan_reason(r, canonical_name=canonical, now=T0 + timedelta(seconds=1)) == (
        expected, timedelta(minutes=5))


def test_the_exclusion_list_is_compared_by_content() -> None:
    r = repo(spec={"exclusionList": ["a", "b"]})
    done = status.repository_scanned(r, scan=scan(), canonical_name=CANONICAL, exclusion_list=["b", "a"], now=T0)
    assert status.scan_reason(repo(spec={"exclusionList": ["a", "b"]}, status_=done.to_dict()),
                              canonical_name=CANONICAL, now=T0 + timedelta(minutes=1))[0] is None


def test_a_scan_is_due_when_no_tags_are_at_hand_or_the_interval_passed() -> None:
    done = repo(status_=status.repository_scanned(repo(), scan=scan(), canonical_name=CANONICAL, now=T0).to_dict())
    assert status.scan_reason(done, canonical_name=CANONICAL, now=T0, has_tags=False)[0] == status.SCAN_EMPTY_DATABASE
    assert status.scan_reason(done, canonical_name=CANONICAL, now=T0 + timedelta(minutes=4, seconds=59, milliseconds=1)
                              ) == (status.SCAN_INTERVAL, timedelta(minutes=5))
    assert status.scan_reason(done, canonical_name=CANONICAL, now=T0 + timedelta(minutes=2)) == (
        None, timedelta(minutes=3))


# --- ImagePolicy --------------------------------------------------------------------------------

def test_a_first_resolution_records_the_latest_ref_without_a_previous_one() -> None:
    st = status.policy_resolved(policy(), name=IMAGE, tag="1.0.0", now=T0)
    assert kinds(st) == {"Ready": ("True", "Succeeded", f"Latest image tag for {IMAGE} resolved to 1.0.0")}
    assert st.latest_ref == ImageRef(IMAGE, "1.0.0")
    assert st.observed_previous_ref is None
    assert st.observed_generation == 1
    assert st.to_dict()["latestRef"] == {"name": IMAGE, "tag": "1.0.0"}


def test_the_same_tag_again_changes_nothing() -> None:
    first = status.policy_resolved(policy(), name=IMAGE, tag="1.0.0", now=T0)
    again = status.policy_resolved(policy(status_=first.to_dict()), name=IMAGE, tag="1.0.0", now=T1)
    assert again == first


def test_a_new_tag_moves_the_old_latest_ref_to_observed_previous_ref() -> None:
    first = status.policy_resolved(policy(), name=IMAGE, tag="1.0.0", now=T0)
    st = status.policy_resolved(policy(status_=first.to_dict()), name=IMAGE, tag="1.1.0", now=T1)
    assert st.latest_ref == ImageRef(IMAGE, "1.1.0")
    assert st.observed_previous_ref == ImageRef(IMAGE, "1.0.0")
    assert kinds(st)["Ready"][2] == f"Latest image tag for {IMAGE} resolved to 1.1.0 (previously {IMAGE}:1.0.0)"
    assert cond(st, "Ready").last_transition_time == T1


def test_observed_previous_ref_keeps_the_ref_from_before_the_last_change() -> None:
    first = status.policy_resolved(policy(), name=IMAGE, tag="1.0.0", now=T0)
    second = status.policy_resolved(policy(status_=first.to_dict()), name=IMAGE, tag="1.1.0", now=T1)
    third = status.policy_resolved(policy(status_=second.to_dict()), name=IMAGE, tag="1.1.0", now=T2)
    assert third.observed_previous_ref == ImageRef(IMAGE, "1.0.0")
    assert third.conditions == second.conditions
    back = status.policy_resolved(policy(status_=third.to_dict()), name=IMAGE, tag="1.0.0", now=T3)
    assert (back.latest_ref, back.observed_previous_ref) == (ImageRef(IMAGE, "1.0.0"), ImageRef(IMAGE, "1.1.0"))


def test_a_failure_keeps_both_refs_and_recovery_to_the_same_tag_keeps_the_message() -> None:
    first = status.policy_resolved(policy(), name=IMAGE, tag="1.0.0", now=T0)
    second = status.policy_resolved(policy(status_=first.to_dict()), name=IMAGE, tag="1.1.0", now=T1)
    broken = status.failed(policy(status_=second.to_dict()), reason=status.FAILURE,
                           message="unable to determine latest version from provided list", now=T2)
    assert kinds(broken)["Ready"][:2] == ("False", "Failure")
    assert kinds(broken)["Reconciling"] == ("True", "ProgressingWithRetry", "reconciliation in progress")
    assert (broken.latest_ref, broken.observed_previous_ref) == (second.latest_ref, second.observed_previous_ref)
    healed = status.policy_resolved(policy(status_=broken.to_dict()), name=IMAGE, tag="1.1.0", now=T3)
    assert kinds(healed) == kinds(second)
    assert healed.observed_previous_ref == ImageRef(IMAGE, "1.0.0")


def test_digests_appear_in_the_message_and_a_new_digest_is_a_change() -> None:
    first = status.policy_resolved(policy(spec={"digestReflectionPolicy": "IfNotPresent"}), name=IMAGE, tag="1.0.0",
                                   digest=DIGEST_A, now=T0)
    assert kinds(first)["Ready"][2] == f"Latest image tag for {IMAGE} resolved to 1.0.0 with digest {DIGEST_A}"
    st = status.policy_resolved(policy(status_=first.to_dict()), name=IMAGE, tag="1.0.0", digest=DIGEST_B, now=T1)
    assert st.observed_previous_ref == ImageRef(IMAGE, "1.0.0", DIGEST_A)
    assert kinds(st)["Ready"][2] == (f"Latest image tag for {IMAGE} resolved to 1.0.0 with digest {DIGEST_B} "
                                     f"(previously {IMAGE}:1.0.0@{DIGEST_A})")


def test_resolved_message_omits_a_previous_ref_equal_to_the_latest() -> None:
    ref = ImageRef(IMAGE, "1.0.0")
    assert status.resolved_message(ref, ImageRef(IMAGE, "1.0.0", "")) == (
        f"Latest image tag for {IMAGE} resolved to 1.0.0")


def test_a_policy_without_tags_waits_without_retrying() -> None:
    st = status.policy_waiting(policy(), now=T0)
    assert kinds(st) == {"Ready": ("False", "DependencyNotReady", "no tags in database")}
    assert st.observed_generation == -1


def test_a_requeueing_policy_without_tags_keeps_reconciling() -> None:
    p = policy(spec={"digestReflectionPolicy": "Always", "interval": "10m"})
    st = status.policy_waiting(p, now=T0)
    assert kinds(st)["Reconciling"][:2] == ("True", "ProgressingWithRetry")


def test_a_missing_repository_is_a_dependency_failure() -> None:
    st = status.failed(policy(), reason=status.DEPENDENCY_NOT_READY, message=status.missing_repository_message("app"),
                       now=T0)
    message = ("failed to get the referred ImageRepository: referenced ImageRepository does not exist: "
               'imagerepositories.image.toolkit.fluxcd.io "app" not found')
    assert kinds(st)["Ready"] == ("False", "DependencyNotReady", message)


def test_an_invalid_policy_stalls() -> None:
    st = status.stalled(policy(), reason=status.INVALID_POLICY, message="invalid policy: improper constraint: x",
                        now=T0)
    assert kinds(st) == {"Stalled": ("True", "InvalidPolicy", "invalid policy: improper constraint: x"),
                         "Ready": ("False", "InvalidPolicy", "invalid policy: improper constraint: x")}


def test_an_error_that_marked_nothing_fails_with_reason_failed_unless_ready_is_false() -> None:
    msg = f"failed fetching digest of {IMAGE}:1.0.0: 404"
    assert kinds(status.errored(policy(), message=msg, now=T0))["Ready"] == ("False", "Failed", msg)
    done = status.policy_resolved(policy(), name=IMAGE, tag="1.0.0", now=T0)
    assert kinds(status.errored(policy(status_=done.to_dict()), message=msg, now=T1))["Ready"][:2] == (
        "False", "Failed")
    broken = status.failed(policy(), reason=status.FAILURE, message="no match", now=T0)
    st = status.errored(policy(status_=broken.to_dict()), message=msg, now=T1)
    assert kinds(st)["Ready"] == ("False", "Failure", "no match")
    assert kinds(st)["Reconciling"][1] == "ProgressingWithRetry"


def test_digests_are_fetched_per_reflection_policy() -> None:
    assert not status.needs_digest(policy(), name=IMAGE, tag="1.0.0")
    always = policy(spec={"digestReflectionPolicy": "Always", "interval": "10m"})
    assert status.needs_digest(always, name=IMAGE, tag="1.0.0")
    lazy = policy(spec={"digestReflectionPolicy": "IfNotPresent"})
    assert status.needs_digest(lazy, name=IMAGE, tag="1.0.0")
    known = status.policy_resolved(lazy, name=IMAGE, tag="1.0.0", digest=DIGEST_A, now=T0).to_dict()
    lazy_known = policy(spec={"digestReflectionPolicy": "IfNotPresent"}, status_=known)
    assert not status.needs_digest(lazy_known, name=IMAGE, tag="1.0.0")
    assert status.needs_digest(lazy_known, name=IMAGE, tag="1.1.0")


# --- ImageUpdateAutomation ----------------------------------------------------------------------

POLICIES = {"app": ImageRef(IMAGE, "1.1.0")}
CHECKOUT = "main@sha1:" + "f" * 40


def test_an_automation_without_changes_is_up_to_date() -> None:
    a = automation(annotations={"reconcile.fluxcd.io/requestedAt": TOKEN})
    st = status.automation_done(a, push=None, observed_policies=POLICIES, source_revision=CHECKOUT, now=T1,
                                started=T0)
    assert kinds(st) == {"Ready": ("True", "Succeeded", "repository up-to-date")}
    assert st.last_automation_run_time == T0
    assert st.observed_source_revision == CHECKOUT
    assert st.observed_policies == POLICIES
    assert st.last_push_commit is None and st.last_push_time is None
    assert st.observed_generation == 1 and st.last_handled_reconcile_at == TOKEN
    assert st.to_dict()["observedPolicies"] == {"app": {"name": IMAGE, "tag": "1.1.0"}}


def test_a_push_records_the_commit_its_time_and_the_pushed_revision() -> None:
    push = Push(HASH, "main", T1 + timedelta(microseconds=5), "Update from image update automation")
    st = status.automation_done(automation(), push=push, observed_policies=POLICIES, source_revision=CHECKOUT,
                                now=T1, started=T0)
    assert st.last_push_commit == HASH
    assert st.last_push_time == T1
    assert st.observed_source_revision == f"main@sha1:{HASH}"
    assert kinds(st)["Ready"][2] == "repository up-to-date"
    assert st.to_dict()["lastPushTime"] == "2026-11-20T09:05:00Z"


def test_a_push_to_another_branch_records_the_checked_out_revision() -> None:
    push = Push(HASH, "auto", T1, switched=True)
    st = status.automation_done(automation(), push=push, observed_policies=POLICIES, source_revision=CHECKOUT, now=T1)
    assert st.observed_source_revision == CHECKOUT
    assert st.last_push_commit == HASH


def test_a_sha256_push_revision() -> None:
    assert status.push_revision(Push("c" * 64, "main", T0)) == "main@sha256:" + "c" * 64


def test_a_skipped_run_keeps_the_observations_and_moves_only_the_run_time() -> None:
    first = status.automation_done(automation(), push=Push(HASH, "main", T0), observed_policies=POLICIES,
                                   source_revision=CHECKOUT, now=T0, started=T0)
    again = status.automation_done(automation(status_=first.to_dict()), push=None, observed_policies=None,
                                   source_revision=None, now=T2, started=T1)
    assert again.observed_policies == POLICIES
    assert again.observed_source_revision == f"main@sha1:{HASH}"
    assert (again.last_push_commit, again.last_push_time) == (HASH, T0)
    assert again.last_automation_run_time == T1
    assert again.conditions == first.conditions


def test_a_failed_run_keeps_the_last_push_and_records_the_run_time() -> None:
    first = status.automation_done(automation(), push=Push(HASH, "main", T0), observed_policies=POLICIES,
                                   source_revision=CHECKOUT, now=T0, started=T0)
    msg = "failed to checkout source: unable to clone: repository not found"
    st = status.failed(automation(status_=first.to_dict()), reason=status.GIT_OPERATION_FAILED, message=msg, now=T2,
                       started=T1)
    assert kinds(st) == {"Reconciling": ("True", "ProgressingWithRetry", "reconciliation in progress"),
                         "Ready": ("False", "GitOperationFailed", msg)}
    assert st.last_automation_run_time == T1
    assert (st.last_push_commit, st.observed_policies, st.observed_generation) == (HASH, POLICIES, 1)


def test_the_run_time_is_the_start_of_the_run_written_while_working() -> None:
    working = status.progressing(automation(), now=T0)
    assert working.last_automation_run_time == T0
    again = status.progressing(automation(status_=working.to_dict()), message="still working", now=T1)
    assert again.last_automation_run_time == T0
    st = status.failed(automation(status_=again.to_dict()), reason=status.UPDATE_FAILED,
                       message="failed to apply policies: bad yaml", now=T2)
    assert st.last_automation_run_time == T0
    assert kinds(st)["Reconciling"] == ("True", "ProgressingWithRetry", "still working")


def test_recovery_makes_the_automation_ready_again() -> None:
    broken = status.failed(automation(), reason=status.GIT_OPERATION_FAILED, message="x", now=T0)
    st = status.automation_done(automation(status_=broken.to_dict()), push=None, observed_policies=POLICIES,
                                source_revision=CHECKOUT, now=T1)
    assert set(kinds(st)) == {"Ready"}
    assert cond(st, "Ready").last_transition_time == T1


def test_an_invalid_policy_selector_stalls_the_automation() -> None:
    msg = "failed to parse policy selector: key: Invalid value"
    st = status.stalled(automation(), reason=status.INVALID_POLICY_SELECTOR, message=msg, now=T1, started=T0)
    assert kinds(st) == {"Stalled": ("True", "InvalidPolicySelector", msg),
                         "Ready": ("False", "InvalidPolicySelector", msg)}
    assert st.observed_generation == 1
    assert st.last_automation_run_time == T0


def test_a_repeated_success_moves_no_transition_time() -> None:
    first = status.automation_done(automation(), push=None, observed_policies=POLICIES, source_revision=CHECKOUT,
                                   now=T0)
    working = status.progressing(automation(generation=2, status_=first.to_dict()), now=T1)
    assert kinds(working)["Ready"][0] == "True"
    again = status.automation_done(automation(generation=2, status_=working.to_dict()), push=None,
                                   observed_policies=POLICIES, source_revision=CHECKOUT, now=T2)
    assert cond(again, "Ready").last_transition_time == T0
    assert cond(again, "Ready").observed_generation == 2
    assert again.observed_generation == 2


def test_the_scan_and_push_results_of_the_sibling_modules_are_accepted() -> None:
    from fluxpy.image import push as image_push
    from fluxpy.image import registry

    result = registry.scan_result(["1.0.0", "1.1.0", "x.sig"], scan_time=T0 + timedelta(microseconds=7))
    st = status.repository_scanned(repo(), scan=result, canonical_name=CANONICAL, now=T0)
    assert st.last_scan_result == ScanResult(2, result.revision, T0, ("1.1.0", "1.0.0"))
    assert kinds(st)["Ready"][2] == result.ready_message
    pushed = image_push.PushResult(commit=HASH, branch="main", message="m", time=T1)
    done = status.automation_done(automation(), push=pushed, observed_policies={}, source_revision=CHECKOUT, now=T1)
    assert (done.last_push_commit, done.observed_source_revision) == (HASH, pushed.revision)
