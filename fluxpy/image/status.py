"""Step "update the image objects' status": ImageRepository, ImagePolicy, ImageUpdateAutomation.

Pure: the object as last written, the outcome and the time in; the new
status out, exactly as image-reflector-controller and
image-automation-controller would leave it in the cluster (FLUX-COMPAT
sections 1 and 5). The three reconcilers share one shape, from fluxcd/pkg's
`runtime/reconcile` (`ProgressiveStatus`, `ResultFinalizer.Finalize`,
`AddPatchOptions`) and `runtime/conditions`:

- working (`progressing`): `Reconciling=True`/`Progressing` with the stage
  message (`reconciliation in progress`, `processing object: new generation
  <observed> -> <generation>`, `scanning: <why>`); `Stalled` is removed;
  `Ready` becomes `Unknown` with the same text *only* when it is missing or
  already Unknown (or, for a scan of an ImageRepository whose tags were lost,
  always). Unlike kustomize-controller, a ready object stays `Ready=True`
  while it works, so a routine success moves no `lastTransitionTime`.
- success: `Reconciling` and `Stalled` removed, `Ready=True`/`Succeeded`
  with the kind's message (`successful scan: found <n> tags with checksum
  <rev>`, `Latest image tag for <name> resolved to <tag>[ with digest
  <d>][ (previously <name>:<tag>[@<d>])]`, `repository up-to-date`);
  `observedGeneration` = generation.
- failure (`failed`): `Ready=False` with the failure's reason and message,
  `Stalled` removed, `Reconciling` kept with reason `ProgressingWithRetry`;
  `observedGeneration` and every observation (last scan, latest ref, last
  push) are kept.
- a returned error that marked nothing (`errored`): like `failed` with
  reason `Failed`, except that an existing `Ready=False` keeps its reason
  and message (the finalizer only overwrites Ready when it is Unknown/True).
- terminal (`stalled`): `Stalled=True` with the reason, `Reconciling`
  removed, `Ready=False` with the same reason and message unless Ready was
  already False (same finalizer rule); `observedGeneration` = generation.

Every final status also takes the `reconcile.fluxcd.io/requestedAt` token
as `lastHandledReconcileAt`.

Conditions are compared with what was last written, as Flux's patch helper
does: a condition whose status, reason and message did not change keeps its
`lastTransitionTime`, even though the controller deletes and re-creates
`Ready` in memory on every run. Pass each function the object carrying the
status last written (the cluster's, or what `progressing` returned if the
pipeline wrote that). `persists_progress` says when Flux writes the working
status before finishing; writing it at other times makes `Reconciling` move
its `lastTransitionTime` where Flux's would not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from fluxpy.models import conditions as conds
from fluxpy.models.common import FluxObject
from fluxpy.models.conditions import Condition, ConditionStatus
from fluxpy.models.gitref import hash_revision
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
from fluxpy.models.meta import truncate_time

__all__ = [
    "ACCESS_DENIED", "AUTHENTICATION_FAILED", "DEPENDENCY_NOT_READY", "FAILED", "FAILURE",
    "FEATURE_GATE_DISABLED", "GIT_OPERATION_FAILED", "IMAGE_URL_INVALID", "INTERVAL_NOT_CONFIGURED",
    "INVALID_POLICY", "INVALID_POLICY_SELECTOR", "INVALID_SOURCE_CONFIG", "INVALID_UPDATE_STRATEGY",
    "IN_PROGRESS_MESSAGE", "NO_TAGS_MESSAGE", "READ_OPERATION_FAILED", "REMOVED_TEMPLATE_FIELD",
    "SCAN_EMPTY_DATABASE", "SCAN_FIRST", "SCAN_INTERVAL", "SCAN_NEW_IMAGE_NAME", "SCAN_RECONCILE_REQUESTED",
    "SCAN_UPDATED_EXCLUSION_LIST", "SOURCE_MANAGER_FAILED", "SUCCEEDED", "UPDATE_FAILED", "UP_TO_DATE_MESSAGE",
    "Push", "PushLike", "ScanLike", "automation_done", "errored", "failed", "missing_repository_message",
    "needs_digest", "new_generation_message", "persists_progress", "policy_resolved", "policy_waiting",
    "progressing", "push_revision", "repository_scanned", "resolved_message", "scan_message", "scan_reason",
    "scanning_message", "stalled",
]

StatusT = TypeVar("StatusT", ImageRepositoryStatus, ImagePolicyStatus, ImageUpdateAutomationStatus)
AnyStatus = ImageRepositoryStatus | ImagePolicyStatus | ImageUpdateAutomationStatus

# --- reasons ------------------------------------------------------------------------------
# fluxcd/pkg apis/meta and metav1.
SUCCEEDED = conds.SUCCEEDED
PROGRESSING = conds.PROGRESSING
FAILED = conds.FAILED
"""`meta.FailedReason`: the finalizer's reason for an error that marked nothing."""
FAILURE = "Failure"
"""`metav1.StatusFailure`: generic ImagePolicy failures (no tag matches, unreadable tags)."""
FEATURE_GATE_DISABLED = "FeatureGateDisabled"
ACCESS_DENIED = "AccessDenied"
# image-reflector-controller api/v1.
IMAGE_URL_INVALID = "ImageURLInvalid"
DEPENDENCY_NOT_READY = conds.DEPENDENCY_NOT_READY
AUTHENTICATION_FAILED = "AuthenticationFailed"
READ_OPERATION_FAILED = "ReadOperationFailed"
INTERVAL_NOT_CONFIGURED = "IntervalNotConfigured"
INVALID_POLICY = "InvalidPolicy"
# image-automation-controller api/v1.
INVALID_UPDATE_STRATEGY = "InvalidUpdateStrategy"
INVALID_SOURCE_CONFIG = "InvalidSourceConfiguration"
SOURCE_MANAGER_FAILED = "SourceManagerFailed"
GIT_OPERATION_FAILED = "GitOperationFailed"
UPDATE_FAILED = "UpdateFailed"
INVALID_POLICY_SELECTOR = "InvalidPolicySelector"
REMOVED_TEMPLATE_FIELD = "RemovedTemplateField"

# --- messages -----------------------------------------------------------------------------
IN_PROGRESS_MESSAGE = "reconciliation in progress"
UP_TO_DATE_MESSAGE = "repository up-to-date"
"""The ImageUpdateAutomation Ready message, with or without a push."""
NO_TAGS_MESSAGE = "no tags in database"
"""The ImagePolicy DependencyNotReady message when its ImageRepository holds no tags."""

# Why an ImageRepository is scanned now (`scanning: <why>`), in shouldScan's order.
SCAN_FIRST = "first scan"
SCAN_RECONCILE_REQUESTED = "reconcile requested"
SCAN_NEW_IMAGE_NAME = "new image name"
SCAN_UPDATED_EXCLUSION_LIST = "updated exclusion list"
SCAN_EMPTY_DATABASE = "no tags in database"
SCAN_INTERVAL = "triggered by interval"


def new_generation_message(observed: int, generation: int) -> str:
    """`processing object: new generation <observed> -> <generation>` (observed is -1 before the first run)."""
    return f"processing object: new generation {observed} -> {generation}"


def scanning_message(why: str) -> str:
    """`scanning: <why>`, the Reconciling message while an ImageRepository is scanned."""
    return f"scanning: {why}"


def scan_message(tag_count: int, revision: str | None) -> str:
    """The ImageRepository Ready message: `successful scan: found <n> tags with checksum <rev>`."""
    return f"successful scan: found {tag_count} tags with checksum {revision or ''}"


def resolved_message(latest: ImageRef, previous: ImageRef | None = None) -> str:
    """The ImagePolicy Ready message (`composeImagePolicyReadyMessage`).

    `Latest image tag for <name> resolved to <tag>`, then ` with digest <d>`
    when the latest ref has one, then ` (previously <name>:<tag>[@<d>])`
    when a previous ref is recorded and differs from the latest.
    """
    message = f"Latest image tag for {latest.name} resolved to {latest.tag}"
    if latest.digest:
        message += f" with digest {latest.digest}"
    if previous is not None and _norm(previous) != _norm(latest):
        message += f" (previously {previous.name}:{previous.tag}"
        if previous.digest:
            message += f"@{previous.digest}"
        message += ")"
    return message


def missing_repository_message(name: str) -> str:
    """The ImagePolicy DependencyNotReady message for an ImageRepository that does not exist."""
    return ("failed to get the referred ImageRepository: referenced ImageRepository does not exist: "
            f'imagerepositories.image.toolkit.fluxcd.io "{name}" not found')


# --- conditions, as Flux persists them ------------------------------------------------------

def _same_state(a: Condition, b: Condition) -> bool:
    return a.status == b.status and a.reason == b.reason and a.message == b.message


def _persist(before: Sequence[Condition], after: Sequence[Condition]) -> tuple[Condition, ...]:
    """The conditions as the patch helper leaves them: unchanged ones keep their transition time.

    `conditions.Patch.Apply` calls `conditions.Set` on the object read from
    the cluster, which keeps `lastTransitionTime` when status, reason and
    message are the same, whatever happened to the condition in memory.
    """
    out = []
    for cond in after:
        old = conds.get(before, cond.type)
        if old is not None and old.last_transition_time is not None and _same_state(old, cond):
            cond = replace(cond, last_transition_time=old.last_transition_time)
        out.append(cond)
    return conds.sort_conditions(out)


def _handled(obj: FluxObject[Any, StatusT]) -> str | None:
    return obj.reconcile_requested_at or obj.status.last_handled_reconcile_at


def _stage_message(obj: FluxObject[Any, StatusT]) -> str:
    st = obj.status
    if obj.generation != st.observed_generation:
        return new_generation_message(st.observed_generation, obj.generation)
    return IN_PROGRESS_MESSAGE


def _mark_progress(obj: FluxObject[Any, StatusT], status: StatusT, message: str, *, drift: bool,
                   now: datetime, started: datetime | None) -> StatusT:
    """`reconcile.ProgressiveStatus` (and, for an automation, `lastAutomationRunTime`)."""
    gen = obj.generation
    out = conds.remove(status.conditions, conds.STALLED)
    out = conds.mark(out, conds.RECONCILING, ConditionStatus.TRUE, PROGRESSING, message, generation=gen, now=now)
    ready = conds.get(out, conds.READY)
    if drift or ready is None or ready.status is ConditionStatus.UNKNOWN:
        out = conds.mark(out, conds.READY, ConditionStatus.UNKNOWN, PROGRESSING, message, generation=gen, now=now)
    new = replace(status, conditions=out)
    if isinstance(new, ImageUpdateAutomationStatus):
        new = replace(new, last_automation_run_time=truncate_time(started or now))
    return new


def _in_run(status: AnyStatus) -> bool:
    """Whether `progressing` already ran for this reconcile (Reconciling=True/Progressing)."""
    rec = conds.get(status.conditions, conds.RECONCILING)
    return rec is not None and rec.status is ConditionStatus.TRUE and rec.reason == PROGRESSING


def _start(obj: FluxObject[Any, StatusT], *, now: datetime, started: datetime | None = None) -> StatusT:
    """The in-memory status once the run has begun, whether or not `progressing` was written."""
    if _in_run(obj.status):
        return obj.status
    return _mark_progress(obj, obj.status, _stage_message(obj), drift=False, now=now, started=started)


def _finish(obj: FluxObject[Any, StatusT], status: StatusT, out: Sequence[Condition], *,
            observed: bool) -> StatusT:
    return replace(status, conditions=_persist(obj.status.conditions, out),
                   observed_generation=obj.generation if observed else obj.status.observed_generation,
                   last_handled_reconcile_at=_handled(obj))


def _retry(conditions: Sequence[Condition], *, now: datetime) -> tuple[Condition, ...]:
    """A Reconciling condition left by an unsuccessful run takes reason `ProgressingWithRetry`."""
    rec = conds.get(conditions, conds.RECONCILING)
    if rec is None or rec.reason == conds.PROGRESSING_WITH_RETRY:
        return tuple(conditions)
    return conds.set_condition(conditions, replace(rec, reason=conds.PROGRESSING_WITH_RETRY), now=now)


def _succeed(obj: FluxObject[Any, StatusT], status: StatusT, message: str, *, now: datetime) -> StatusT:
    out = conds.mark_ready(status.conditions, SUCCEEDED, message, generation=obj.generation, now=now)
    return _finish(obj, status, out, observed=True)


# --- shared transitions ---------------------------------------------------------------------

def persists_progress(obj: ImageRepository | ImagePolicy | ImageUpdateAutomation) -> bool:
    """Whether Flux writes the working status before the run ends (apart from a scan).

    All three write it for a generation not yet observed; ImageRepository and
    ImageUpdateAutomation also for a new `reconcile.fluxcd.io/requestedAt`
    token. An ImageRepository writes it again before every scan
    (`scanning: <why>`).
    """
    if obj.generation != obj.status.observed_generation:
        return True
    if isinstance(obj, ImagePolicy):
        return False
    return (obj.reconcile_requested_at or "") != (obj.status.last_handled_reconcile_at or "")


def progressing(obj: FluxObject[Any, StatusT], *, message: str | None = None, drift: bool = False,
                now: datetime, started: datetime | None = None) -> StatusT:
    """The status while a run works (what Flux's intermediate patches write).

    Args:
        obj: the ImageRepository, ImagePolicy or ImageUpdateAutomation, with
            the status last written.
        message: the Reconciling message; default `processing object: new
            generation <o> -> <g>` for a new generation, else `reconciliation
            in progress`. An ImageRepository about to scan passes
            `scanning_message(why)`.
        drift: force `Ready=Unknown` even when Ready is True or False. The
            ImageRepository does so for a scan whose reason is
            `SCAN_EMPTY_DATABASE`, to unblock its ImagePolicies.
        now: the current time.
        started: for an ImageUpdateAutomation, when the run started
            (`lastAutomationRunTime`); default `now`. Kept on later calls
            in the same run.

    Returns:
        The new status; only the conditions (and an automation's run time)
        change.
    """
    status = obj.status
    if isinstance(status, ImageUpdateAutomationStatus) and _in_run(status):
        started = status.last_automation_run_time
    return _mark_progress(obj, status, message or _stage_message(obj), drift=drift, now=now, started=started)


def failed(obj: FluxObject[Any, StatusT], *, reason: str, message: str, now: datetime,
           started: datetime | None = None) -> StatusT:
    """The status after a failed attempt that will be retried; the last good observations stay.

    Args:
        obj: the object, with the status last written.
        reason: the Ready reason, e.g. `ReadOperationFailed` (`scan failed:
            <err>`), `AuthenticationFailed` (`failed to configure
            authentication options: <err>`), `DependencyNotReady`,
            `AccessDenied`, `Failure`, `GitOperationFailed` (`failed to
            checkout source: <err>`, `failed to update source: <err>`),
            `UpdateFailed`, `SourceManagerFailed`.
        message: the Ready message, i.e. the error text.
        now: the current time.
        started: for an ImageUpdateAutomation, when the run started.
    """
    status = _start(obj, now=now, started=started)
    out = conds.mark(status.conditions, conds.READY, ConditionStatus.FALSE, reason, message,
                     generation=obj.generation, now=now)
    out = _retry(conds.remove(out, conds.STALLED), now=now)
    return _finish(obj, status, out, observed=False)


def errored(obj: FluxObject[Any, StatusT], *, message: str, now: datetime,
            started: datetime | None = None) -> StatusT:
    """The status after a run that returned an error without marking Ready itself.

    The finalizer marks `Ready=False`/`Failed` with the error only when Ready
    is Unknown or True; an existing `Ready=False` (from an earlier failure)
    keeps its reason and message. Flux takes this path for, e.g., an
    ImagePolicy digest that cannot be fetched (`failed fetching digest of
    <name>:<tag>: <err>`) or an automation that cannot list its policies.
    """
    status = _start(obj, now=now, started=started)
    out = status.conditions
    if not conds.is_false(out, conds.READY):
        out = conds.mark(out, conds.READY, ConditionStatus.FALSE, FAILED, message,
                         generation=obj.generation, now=now)
    out = _retry(conds.remove(out, conds.STALLED), now=now)
    return _finish(obj, status, out, observed=False)


def stalled(obj: FluxObject[Any, StatusT], *, reason: str, message: str, now: datetime,
            started: datetime | None = None) -> StatusT:
    """The status after a failure that retrying cannot fix (`conditions.MarkStalled`).

    `Stalled=True` with `reason` and `message`, `Reconciling` removed,
    `Ready=False` with the same reason and message unless Ready was already
    False; `observedGeneration` becomes the generation.

    Args:
        obj: the object, with the status last written.
        reason: `ImageURLInvalid`, `InvalidPolicy` (`invalid policy: <err>`,
            `failed to filter tags: <err>`), `IntervalNotConfigured`,
            `FeatureGateDisabled`, `AccessDenied`, `InvalidSourceConfiguration`,
            `InvalidUpdateStrategy`, `InvalidPolicySelector`, `RemovedTemplateField`.
        message: the error text.
        now: the current time.
        started: for an ImageUpdateAutomation, when the run started.
    """
    gen = obj.generation
    status = _start(obj, now=now, started=started)
    out = conds.remove(status.conditions, conds.RECONCILING)
    out = conds.mark(out, conds.STALLED, ConditionStatus.TRUE, reason, message, generation=gen, now=now)
    if not conds.is_false(out, conds.READY):
        out = conds.mark(out, conds.READY, ConditionStatus.FALSE, reason, message, generation=gen, now=now)
    return _finish(obj, status, out, observed=True)


# --- ImageRepository ------------------------------------------------------------------------

def _same_content(a: Sequence[str], b: Sequence[str]) -> bool:
    """`isEqualSliceContent`: same length and every entry of `a` found in `b`."""
    return len(a) == len(b) and all(x in b for x in a)


def scan_reason(repo: ImageRepository, *, canonical_name: str, now: datetime,
                has_tags: bool = True) -> tuple[str | None, timedelta]:
    """Whether to scan now and when the next scan is due (`shouldScan`).

    Args:
        repo: the ImageRepository, with the status last written.
        canonical_name: the canonical repository name of `spec.image`
            (e.g. `index.docker.io/library/nginx`).
        now: the current time.
        has_tags: whether tags for `canonical_name` are at hand (Flux's tag
            database is not empty).

    Returns:
        `(why, next_scan)`: `why` is one of the `SCAN_*` reasons, or None
        when no scan is due; `next_scan` is the interval after a scan, or
        the time left until the next one.
    """
    interval = repo.spec.interval
    st = repo.status
    last = st.last_scan_result
    if last is None:
        return SCAN_FIRST, interval
    token = repo.reconcile_requested_at
    if token is not None and token != (st.last_handled_reconcile_at or ""):
        return SCAN_RECONCILE_REQUESTED, interval
    if canonical_name != (st.canonical_image_name or ""):
        return SCAN_NEW_IMAGE_NAME, interval
    if not _same_content(repo.spec.exclusion_list, st.observed_exclusion_list):
        return SCAN_UPDATED_EXCLUSION_LIST, interval
    if not has_tags:
        return SCAN_EMPTY_DATABASE, interval
    if last.scan_time is None:
        return SCAN_INTERVAL, interval
    when = interval - (now - last.scan_time)
    if when < timedelta(seconds=1):
        return SCAN_INTERVAL, interval
    return None, when


class ScanLike(Protocol):
    """What `repository_scanned` reads of a scan: `models.image.ScanResult`, `image.registry.ScanResult`."""

    @property
    def tag_count(self) -> int:
        """`tagCount`."""
        ...

    @property
    def revision(self) -> str | None:
        """`revision`, the tags checksum."""
        ...

    @property
    def scan_time(self) -> datetime | None:
        """`scanTime`."""
        ...

    @property
    def latest_tags(self) -> tuple[str, ...]:
        """`latestTags`."""
        ...


def _scan_result(scan: ScanLike) -> ScanResult:
    when = truncate_time(scan.scan_time) if scan.scan_time is not None else None
    return ScanResult(scan.tag_count, scan.revision, when, tuple(scan.latest_tags))


def repository_scanned(repo: ImageRepository, *, scan: ScanLike | None, canonical_name: str,
                       exclusion_list: Sequence[str] | None = None, now: datetime) -> ImageRepositoryStatus:
    """The ImageRepository status after a successful run.

    Args:
        repo: the ImageRepository, with the status last written.
        scan: the new `lastScanResult` (a `ScanResult` of the models or of
            `fluxpy.image.registry`; `scanTime` is kept to the second, as
            `metav1.Time` stores it), or None when no scan was due (the last
            one stands).
        canonical_name: `canonicalImageName`, e.g. `index.docker.io/library/nginx`.
        exclusion_list: `observedExclusionList`; default the spec's (with
            Flux's default `^.*\\.sig$`).
        now: the current time.

    Raises:
        ValueError: `scan` is None and the object has never been scanned.
    """
    last = _scan_result(scan) if scan is not None else repo.status.last_scan_result
    if last is None:
        raise ValueError(f"{repo.ref}: no scan result to record (pass the scan of this run)")
    status = _start(repo, now=now)
    status = replace(status, last_scan_result=last, canonical_image_name=canonical_name,
                     observed_exclusion_list=tuple(exclusion_list if exclusion_list is not None
                                                   else repo.spec.exclusion_list))
    return _succeed(repo, status, scan_message(last.tag_count, last.revision), now=now)


# --- ImagePolicy ----------------------------------------------------------------------------

def _norm(ref: ImageRef) -> ImageRef:
    """Go compares ImageRefs by value, where no digest is the empty string."""
    return ref if ref.digest else replace(ref, digest=None)


def needs_digest(policy: ImagePolicy, *, name: str, tag: str) -> bool:
    """Whether the elected image's digest must be fetched (`digestReflectionPolicy`).

    `Never`: no (no digest is recorded). `Always`: yes. `IfNotPresent`: only
    when the latest ref is new (another name or tag) or has no digest; else
    the recorded `latestRef.digest` is reused.
    """
    mode = policy.spec.digest_reflection_policy
    if mode == "Always":
        return True
    if mode != "IfNotPresent":
        return False
    latest = policy.status.latest_ref
    return latest is None or latest.name != name or latest.tag != tag or not latest.digest


def policy_resolved(policy: ImagePolicy, *, name: str, tag: str, digest: str | None = None,
                    now: datetime) -> ImagePolicyStatus:
    """The ImagePolicy status once a tag is elected.

    `latestRef` becomes `{name, tag, digest}`. When it differs from the
    recorded one (a digest change counts), the recorded one becomes
    `observedPreviousRef`; when it is the same, both stay as they are, so
    `observedPreviousRef` always holds the latest ref from before the last
    change (nothing before the first resolution). Failures keep both.

    Args:
        policy: the ImagePolicy, with the status last written.
        name: the ImageRepository's `spec.image`, verbatim.
        tag: the elected tag (the original tag when `filterTags.extract` is used).
        digest: the tag's digest per `digestReflectionPolicy` (None with `Never`).
        now: the current time.
    """
    latest = ImageRef(name, tag, digest or None)
    status = _start(policy, now=now)
    old = status.latest_ref
    if old is None or _norm(old) != latest:
        status = replace(status, observed_previous_ref=old, latest_ref=latest)
    assert status.latest_ref is not None
    return _succeed(policy, status, resolved_message(status.latest_ref, status.observed_previous_ref), now=now)


def policy_waiting(policy: ImagePolicy, *, message: str = NO_TAGS_MESSAGE, now: datetime) -> ImagePolicyStatus:
    """The ImagePolicy status when its ImageRepository holds no tags yet.

    `Ready=False`/`DependencyNotReady` (`no tags in database`) without an
    error: the policy waits for its repository instead of retrying. With the
    default digest policies the run counts as finished, so `Reconciling` is
    removed; with `digestReflectionPolicy: Always` (a requeueing reconciler)
    it stays as `ProgressingWithRetry`. `observedGeneration` is kept.
    """
    status = _start(policy, now=now)
    out = conds.mark(status.conditions, conds.READY, ConditionStatus.FALSE, DEPENDENCY_NOT_READY, message,
                     generation=policy.generation, now=now)
    if policy.spec.digest_reflection_policy == "Always":
        out = _retry(out, now=now)
    else:
        out = conds.remove(out, conds.RECONCILING)
    return _finish(policy, status, out, observed=False)


# --- ImageUpdateAutomation ------------------------------------------------------------------

class PushLike(Protocol):
    """What the automation functions read of a push: `Push`, `fluxpy.image.push.PushResult`."""

    @property
    def commit(self) -> str:
        """The full commit hash."""
        ...

    @property
    def branch(self) -> str:
        """The push branch."""
        ...

    @property
    def time(self) -> datetime:
        """When the push finished."""
        ...

    @property
    def message(self) -> str:
        """The commit message."""
        ...

    @property
    def refspecs(self) -> tuple[str, ...]:
        """The refspecs pushed besides the branch."""
        ...

    @property
    def switched(self) -> bool:
        """Whether the push branch differs from the checkout branch."""
        ...


@dataclass(frozen=True, slots=True)
class Push:
    """A commit the automation pushed (image-automation-controller's `PushResult`).

    Args:
        commit: the full commit hash (`lastPushCommit`).
        branch: the push branch (`git.push.branch`, else the checkout branch).
        time: when the push finished (`lastPushTime`).
        message: the commit message.
        refspecs: `git.push.refspec`, when one was pushed as well.
        switched: the push branch differs from the checkout branch;
            `observedSourceRevision` then records the checkout commit.
    """

    commit: str
    branch: str
    time: datetime
    message: str = ""
    refspecs: tuple[str, ...] = ()
    switched: bool = False


def push_revision(push: PushLike) -> str:
    """`<branch>@sha1:<hash>` (`sha256:` for 64-hex hashes), as `git.Commit.String()` prints the pushed commit."""
    return f"{push.branch}@{hash_revision(push.commit)}"


def automation_done(auto: ImageUpdateAutomation, *, push: PushLike | None,
                    observed_policies: Mapping[str, ImageRef] | None, source_revision: str | None,
                    now: datetime, started: datetime | None = None) -> ImageUpdateAutomationStatus:
    """The ImageUpdateAutomation status after a successful run: `Ready=True`, `repository up-to-date`.

    Args:
        auto: the ImageUpdateAutomation, with the status last written.
        push: the pushed commit, or None when nothing needed a commit.
            Sets `lastPushCommit` and `lastPushTime`.
        observed_policies: the latest ref of every ImagePolicy considered,
            by policy name; None keeps the recorded ones (a run skipped
            because neither the policies nor the remote changed).
        source_revision: the checked-out commit, `<branch>@sha1:<hex>`;
            None keeps the recorded one (skipped run). After a push to the
            checkout branch the pushed commit is recorded instead.
        now: the current time.
        started: when the run started (`lastAutomationRunTime`); default `now`.
    """
    status = _start(auto, now=now, started=started)
    observed = source_revision or status.observed_source_revision
    if push is not None:
        if not push.switched:
            observed = push_revision(push)
        status = replace(status, last_push_commit=push.commit, last_push_time=truncate_time(push.time))
    if observed_policies is not None:
        status = replace(status, observed_policies=dict(observed_policies))
    status = replace(status, observed_source_revision=observed)
    return _succeed(auto, status, UP_TO_DATE_MESSAGE, now=now)

