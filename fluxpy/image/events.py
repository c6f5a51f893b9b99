"""Step "emit events": the Kubernetes Events the image controllers record.

Pure; the pipeline sends `notice.event` with `fluxpy.kube.events.record`
(controller `notice.controller`). Each run ends with exactly one event,
chosen by comparing the status before the run with the status after it,
as the controllers' `notify` functions do (FLUX-COMPAT section 7):

image-reflector-controller (ImageRepository, ImagePolicy):

- ready before and after, Ready message changed: Normal, the Ready reason
  (`Succeeded`) and the new Ready message. For an ImageRepository that is a
  scan with a new checksum; for an ImagePolicy a new latest ref (`Latest
  image tag for <name> resolved to <tag> (previously <name>:<old>)`), so a
  policy announces a new tag exactly once;
- not ready before, ready after: Normal, the Ready reason and message;
- not ready after: Warning, the Ready reason and message (every failed run);
- otherwise a trace event (recorded as Normal, never forwarded to
  notification-controller) with reason `Succeeded`: for an ImageRepository
  the next-scan note (`tags did not change, next scan in 4m59s`), for an
  ImagePolicy its Ready message.

image-automation-controller (ImageUpdateAutomation):

- ready after a run that pushed: Normal `Succeeded`, the push summary
  `pushed commit '<7hex>' to branch '<b>'[ and refspecs '<r>']`, a newline
  and the commit message;
- not ready before, ready after, no push: Normal `Succeeded`, `repository
  up-to-date`;
- not ready after: Warning, the Ready reason and message;
- otherwise trace `Succeeded`: `repository up-to-date`, or `no change since
  last reconciliation` when the run was skipped (neither the policies nor
  the remote changed).

"Ready" means what fluxcd/pkg's `conditions.IsReady` means: Ready=True with
neither Reconciling nor Stalled True. The image controllers send no event
metadata (`Eventf`, not `AnnotatedEventf`), so no annotations are set here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from fluxpy.image import status as image_status
from fluxpy.image.status import PushLike, ScanLike
from fluxpy.models import conditions as conds
from fluxpy.models import duration as godur
from fluxpy.models.image import (
    ImagePolicyStatus,
    ImageRepositoryStatus,
    ImageUpdateAutomationStatus,
)
from fluxpy.source.events import EventSpec

__all__ = [
    "AUTOMATION_CONTROLLER", "NO_CHANGE_MESSAGE", "REFLECTOR_CONTROLLER", "EventSpec", "Notice", "Severity",
    "automation_notice", "is_ready", "next_scan_message", "policy_notice", "push_summary",
    "repository_notice",
]

REFLECTOR_CONTROLLER = "image-reflector-controller"
"""Records the events of ImageRepository and ImagePolicy objects."""
AUTOMATION_CONTROLLER = "image-automation-controller"
"""Records the events of ImageUpdateAutomation objects."""
NO_CHANGE_MESSAGE = "no change since last reconciliation"

Severity = Literal["trace", "info", "error"]
AnyStatus = ImageRepositoryStatus | ImagePolicyStatus | ImageUpdateAutomationStatus


@dataclass(frozen=True, slots=True)
class Notice:
    """The event a run ends with.

    Args:
        event: what to record (a trace event is recorded as Normal).
        severity: `trace` (Kubernetes only, never forwarded to
            notification-controller), `info` or `error`.
        controller: the reporting controller.
    """

    event: EventSpec
    severity: Severity
    controller: str

    @property
    def trace(self) -> bool:
        """Whether this is a trace event."""
        return self.severity == "trace"


def is_ready(status: AnyStatus) -> bool:
    """`conditions.IsReady`: Ready=True, and neither Reconciling nor Stalled True."""
    c = status.conditions
    return (conds.is_true(c, conds.READY) and not conds.is_true(c, conds.RECONCILING)
            and not conds.is_true(c, conds.STALLED))


def _ready(status: AnyStatus) -> tuple[str, str]:
    cond = conds.get(status.conditions, conds.READY)
    return (cond.reason, cond.message) if cond is not None else ("", "")


def _notice(severity: Severity, reason: str, message: str, controller: str) -> Notice:
    kind: Literal["Normal", "Warning"] = "Warning" if severity == "error" else "Normal"
    return Notice(EventSpec(kind, reason, message), severity, controller)


def _reflector(old: AnyStatus, new: AnyStatus, trace_message: str) -> Notice:
    """image-reflector-controller's `notify`, shared by ImageRepository and ImagePolicy."""
    reason, message = _ready(new)
    if is_ready(old) and is_ready(new) and _ready(old)[1] != message:
        return _notice("info", reason, message, REFLECTOR_CONTROLLER)
    if not is_ready(old) and is_ready(new):
        return _notice("info", reason, message, REFLECTOR_CONTROLLER)
    if not is_ready(new):
        return _notice("error", reason, message, REFLECTOR_CONTROLLER)
    return _notice("trace", image_status.SUCCEEDED, trace_message, REFLECTOR_CONTROLLER)


def next_scan_message(*, previous: ScanLike | None, current: ScanLike | None, scanned: bool,
                      next_scan: timedelta) -> str:
    """The ImageRepository trace message about the next scan.

    Args:
        previous: the `lastScanResult` before the run.
        current: the `lastScanResult` after the run.
        scanned: whether this run scanned.
        next_scan: the time to the next scan (`status.scan_reason`), in Go's
            `Duration.String()` form in the message.

    Returns:
        `successful scan, next scan in <d>` (new tags), `tags did not change,
        next scan in <d>` (same checksum), or `no change in repository
        configuration since last scan, next scan in <d>` (no scan was due).
    """
    when = godur.format(next_scan)
    if not scanned:
        return f"no change in repository configuration since last scan, next scan in {when}"
    if previous is not None and current is not None and previous.revision == current.revision:
        return f"tags did not change, next scan in {when}"
    return f"successful scan, next scan in {when}"


def repository_notice(old: ImageRepositoryStatus, new: ImageRepositoryStatus, *, next_scan: str) -> Notice:
    """The event an ImageRepository run ends with.

    Args:
        old: the status before the run.
        new: the final status.
        next_scan: the trace message, `next_scan_message(...)`.
    """
    return _reflector(old, new, next_scan)


def policy_notice(old: ImagePolicyStatus, new: ImagePolicyStatus) -> Notice:
    """The event an ImagePolicy run ends with.

    A Normal event only when the policy becomes ready or its Ready message
    changes (a new latest ref or digest); a routine run that elects the same
    tag is a trace event carrying the Ready message.

    Args:
        old: the status before the run.
        new: the final status.
    """
    return _reflector(old, new, _ready(new)[1])


def push_summary(push: PushLike, *, verb: str = "pushed commit") -> str:
    """`PushResult.Summary()`: `pushed commit '<7hex>' to branch '<b>'`, refspecs, then the commit message.

    The refspecs follow as ` and refspecs '<r1>', '<r2>'`; a non-empty commit
    message follows after a newline.

    Args:
        push: the commit pushed.
        verb: the opening words; `fluxpy.image.push` says "committed (not
            pushed)" for a commit it made but was told not to push (`no_push`).
    """
    summary = f"{verb} '{push.commit[:7]}' to branch '{push.branch}'"
    if push.refspecs:
        summary += " and refspecs '" + "', '".join(push.refspecs) + "'"
    if push.message:
        summary += "\n" + push.message
    return summary


def automation_notice(old: ImageUpdateAutomationStatus, new: ImageUpdateAutomationStatus, *,
                      push: PushLike | None, sync_needed: bool = True) -> Notice:
    """The event an ImageUpdateAutomation run ends with.

    Args:
        old: the status before the run.
        new: the final status.
        push: the commit pushed in this run, if any.
        sync_needed: False when the run was skipped because neither the
            observed policies nor the remote revision changed (the trace
            message is then `no change since last reconciliation`).
    """
    reason, message = _ready(new)
    if push is not None:
        message = push_summary(push)
    if is_ready(new) and (push is not None or not is_ready(old)):
        return _notice("info", reason, message, AUTOMATION_CONTROLLER)
    if not is_ready(new):
        return _notice("error", reason, _ready(new)[1], AUTOMATION_CONTROLLER)
    return _notice("trace", image_status.SUCCEEDED, message if sync_needed else NO_CHANGE_MESSAGE,
                   AUTOMATION_CONTROLLER)
