"""Step 12, "emit events": the Kubernetes Events kustomize-controller records.

Pure builders; the pipeline sends them with `fluxpy.kube.events.record`
(controller `kustomize-controller`). They follow kustomize-controller's
`event()` helper (FLUX-COMPAT section 7):

- the reason is the Ready condition's reason *at the moment of the event*,
  or the severity (`info`, `error`) when there is none. Events sent while
  the run works (change set, prune, health check) therefore carry
  `Progressing`; the final one `ReconciliationSucceeded`; a failure its own
  reason. Every builder takes the status in effect when the event is sent.
- error severity is a Warning, everything else Normal;
- the revision and origin revision ride in the annotations
  `kustomize.toolkit.fluxcd.io/revision` and `.../originRevision`;
  the final success event adds `kustomize.toolkit.fluxcd.io/commit_status:
  update`, which tells notification-controller to update Git commit statuses.

Durations are Go `Duration.String()` text, unrounded (`time.Since(...)`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Literal

from fluxpy.apply.actions import Action, ChangeSet
from fluxpy.models import conditions as conds
from fluxpy.models import duration as godur
from fluxpy.models.kustomize import KustomizationStatus
from fluxpy.source.events import EventSpec
from fluxpy.sync import status as ks_status

__all__ = [
    "COMMIT_STATUS_KEY", "COMMIT_STATUS_UPDATE", "CONTROLLER", "DEPENDENCY_REQUEUE_INTERVAL",
    "ORIGIN_REVISION_KEY", "REVISION_KEY", "EventSpec", "applied", "change_set_message",
    "dependency_not_ready", "failure", "finished", "health_passed", "pruned", "reason_of",
]

CONTROLLER = "kustomize-controller"
GROUP = "kustomize.toolkit.fluxcd.io"
REVISION_KEY = f"{GROUP}/revision"
ORIGIN_REVISION_KEY = f"{GROUP}/originRevision"
COMMIT_STATUS_KEY = f"{GROUP}/commit_status"
COMMIT_STATUS_UPDATE = "update"
DEPENDENCY_REQUEUE_INTERVAL = timedelta(seconds=30)
"""kustomize-controller's `--requeue-dependency` default."""

Severity = Literal["info", "error"]
# Actions that changed the cluster (kustomize-controller's `HasChanged`).
_UNCHANGED = frozenset({Action.UNCHANGED, Action.SKIPPED})


def reason_of(status: KustomizationStatus, severity: Severity) -> str:
    """The event reason: the Ready reason, else the severity (`info`/`error`)."""
    ready = conds.get(status.conditions, conds.READY)
    return ready.reason if ready is not None and ready.reason else severity


def _event(status: KustomizationStatus, severity: Severity, message: str, *, revision: str | None,
           origin_revision: str | None, extra: Mapping[str, str] | None = None) -> EventSpec:
    annotations = dict(extra or {})
    if revision:
        annotations[REVISION_KEY] = revision
    if origin_revision:
        annotations[ORIGIN_REVISION_KEY] = origin_revision
    kind: Literal["Normal", "Warning"] = "Warning" if severity == "error" else "Normal"
    return EventSpec(kind, reason_of(status, severity), message, annotations)


def change_set_message(change_set: ChangeSet) -> str:
    """The `<Kind>/<ns>/<name> created|configured|deleted` lines, without unchanged or skipped ones."""
    return "\n".join(str(e) for e in change_set.entries if e.action not in _UNCHANGED)


def applied(status: KustomizationStatus, change_set: ChangeSet, *, revision: str,
            origin_revision: str | None = None) -> EventSpec | None:
    """The apply event, or None when apply changed nothing (Flux sends none then).

    Args:
        status: the status while the run works (Ready=Unknown/Progressing).
        change_set: the apply change set.
        revision: the artifact revision.
        origin_revision: its origin revision, if any.
    """
    message = change_set_message(change_set)
    if not message:
        return None
    return _event(status, "info", message, revision=revision, origin_revision=origin_revision)


def pruned(status: KustomizationStatus, change_set: ChangeSet, *, revision: str,
           origin_revision: str | None = None) -> EventSpec | None:
    """The garbage-collection event, or None when prune had no candidates.

    Flux prints the whole delete change set, so objects kept by `prune:
    disabled` or not owned appear as `skipped` lines next to the `deleted`
    ones.
    """
    if not change_set.entries:
        return None
    return _event(status, "info", str(change_set), revision=revision, origin_revision=origin_revision)


def health_passed(status: KustomizationStatus, *, previous: KustomizationStatus, elapsed: timedelta,
                  revision: str, origin_revision: str | None = None,
                  drifted: bool) -> EventSpec | None:
    """`Health check passed in <d>`, when Flux announces it; else None.

    kustomize-controller sends it only when the object was not healthy
    before, or when a new revision changed something in the cluster.

    Args:
        status: the status while the checks ran (Ready=Unknown/Progressing).
        previous: the status at the start of the run.
        elapsed: how long the checks took.
        revision: the artifact revision.
        origin_revision: its origin revision, if any.
        drifted: whether apply changed anything (a non-empty `applied` event).
    """
    was_healthy = conds.is_true(previous.conditions, conds.HEALTHY)
    new_revision = revision != previous.last_applied_revision
    if was_healthy and not (new_revision and drifted):
        return None
    return _event(status, "info", ks_status.health_passed_message(elapsed), revision=revision,
                  origin_revision=origin_revision)


def finished(status: KustomizationStatus, *, elapsed: timedelta, interval: timedelta) -> EventSpec | None:
    """`Reconciliation finished in <d>, next run in <interval>`, sent when the run left Ready=True.

    It carries the last applied revisions and `commit_status: update`.
    (Flux sends none for a suspended Kustomization; that is the caller's check.)

    Args:
        status: the final status.
        elapsed: how long the whole run took.
        interval: `spec.interval`.
    """
    if not conds.is_true(status.conditions, conds.READY):
        return None
    message = f"Reconciliation finished in {godur.format(elapsed)}, next run in {godur.format(interval)}"
    return _event(status, "info", message, revision=status.last_applied_revision,
                  origin_revision=status.last_applied_origin_revision,
                  extra={COMMIT_STATUS_KEY: COMMIT_STATUS_UPDATE})


def dependency_not_ready(status: KustomizationStatus, *, revision: str, origin_revision: str | None = None,
                         retry_in: timedelta = DEPENDENCY_REQUEUE_INTERVAL) -> EventSpec:
    """`Dependencies do not meet ready condition, retrying in 30s` (Normal, `DependencyNotReady`).

    Args:
        status: the status after `status.failed(reason=DependencyNotReady)`.
        revision: the artifact revision.
        origin_revision: its origin revision, if any.
        retry_in: the dependency requeue interval.
    """
    message = f"Dependencies do not meet ready condition, retrying in {godur.format(retry_in)}"
    return _event(status, "info", message, revision=revision, origin_revision=origin_revision)


def failure(status: KustomizationStatus, message: str, *, revision: str | None = None,
            origin_revision: str | None = None) -> EventSpec:
    """A failed run: a Warning with the failure's Ready reason.

    Args:
        status: the status after `status.failed`.
        message: the error text; kustomize-controller sends the error it
            also wrote as the Ready message (for a failed health check,
            `health check failed after <d>: timeout waiting for: [...]`).
        revision: the artifact revision, if known.
        origin_revision: its origin revision, if any.
    """
    return _event(status, "error", message, revision=revision, origin_revision=origin_revision)
