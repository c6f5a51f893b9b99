"""Step 11, "update the Kustomization's status": conditions, revisions, inventory, history.

Pure: the object, the outcome and the time in; a new `KustomizationStatus`
out. The pipeline writes each result with a status merge patch, so `flux get
kustomizations`, `flux reconcile` and kstatus see what kustomize-controller
would have written (FLUX-COMPAT sections 1 and 3). The rules come from
kustomize-controller's `reconcile()`, `checkHealth()` and `finalizeStatus()`
and fluxcd/pkg's `meta.History.Upsert`:

- working (`progressing`): `Ready=Unknown`, reason `Progressing`, message
  `Reconciliation in progress`, set on every run, also when the object was
  ready (kustomize-controller calls `MarkUnknown` unconditionally; unlike
  source-controller it has no "keep Ready=True" rule, so a Kustomization's
  Ready `lastTransitionTime` moves on every run); `Reconciling=True`
  (`Progressing`) with the stage message; `Stalled` removed. During health
  checks (`checking_health`) `Healthy=Unknown` carries the same message.
- success (`succeeded`): `Ready=True`/`ReconciliationSucceeded`,
  `Applied revision: <rev>`; `Healthy=True`/`Succeeded`, `Health check passed
  in <d>`, or no `Healthy` when nothing was checked; `Reconciling` and
  `Stalled` removed; `observedGeneration` = generation; revisions, inventory
  and history recorded.
- failure (`failed`): `Ready=False` with the stage's reason; an existing
  `Reconciling` is kept with reason `ProgressingWithRetry`;
  `Healthy=False`/`HealthCheckFailed` for a failed health check (Healthy
  carries the wait error, Ready the same text prefixed `health check failed
  after <d>: `);
  `observedGeneration`, `lastAppliedRevision` and (unless one is given) the
  inventory are kept; history is recorded only once apply was attempted.

The object passed in must carry the status last written for this run (what
`progressing` returned), as Flux's in-memory object does: `failed` keeps the
`Reconciling` message of the stage that failed. `lastHandledReconcileAt`
takes the `reconcile.fluxcd.io/requestedAt` token when the run ends (success
or failure), as `finalizeStatus` does, not while it is still working, so
`flux reconcile` does not stop waiting half-way.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Literal

from fluxpy.models import conditions as conds
from fluxpy.models import duration as godur
from fluxpy.models.conditions import ConditionStatus
from fluxpy.models.inventory import Inventory
from fluxpy.models.kustomize import (
    MAX_HISTORY,
    HistoryEntry,
    Kustomization,
    KustomizationStatus,
)
from fluxpy.models.meta import truncate_time
from fluxpy.source.status import merge_patch

__all__ = [
    "ARTIFACT_FAILED", "BUILD_FAILED", "DEPENDENCY_NOT_READY", "HEALTH_CHECK_FAILED", "PRUNE_FAILED",
    "RECONCILIATION_FAILED", "RECONCILIATION_IN_PROGRESS", "RECONCILIATION_SUCCEEDED",
    "applied_message", "building_message", "checking_health", "detecting_drift_message", "digest",
    "failed", "fetching_message", "health_checks_message", "health_passed_message", "merge_patch",
    "progressing", "succeeded", "upsert_history",
]

# Ready reasons (fluxcd/pkg apis/meta).
RECONCILIATION_SUCCEEDED = conds.RECONCILIATION_SUCCEEDED
RECONCILIATION_FAILED = conds.RECONCILIATION_FAILED
ARTIFACT_FAILED = conds.ARTIFACT_FAILED
DEPENDENCY_NOT_READY = conds.DEPENDENCY_NOT_READY
BUILD_FAILED = "BuildFailed"
PRUNE_FAILED = "PruneFailed"
HEALTH_CHECK_FAILED = "HealthCheckFailed"

RECONCILIATION_IN_PROGRESS = "Reconciliation in progress"
"""The Ready=Unknown message while a run is working."""

# Failures after which kustomize-controller has already recorded the artifact
# revision as attempted (it does so once the artifact is fetched).
_AFTER_FETCH = frozenset({BUILD_FAILED, RECONCILIATION_FAILED, PRUNE_FAILED, HEALTH_CHECK_FAILED})
# Failures kustomize-controller records in the history: apply was attempted.
_IN_HISTORY = frozenset({RECONCILIATION_FAILED, PRUNE_FAILED, HEALTH_CHECK_FAILED})
# How reconcile() wraps checkHealth's error for Ready (Go durations hold no ':').
_HEALTH_PREFIX = re.compile(r"^health check failed after [^:\s]+: ")


# --- messages -----------------------------------------------------------------------------

def _stage(verb: str, revision: str, timeout: timedelta) -> str:
    return f"{verb} for revision {revision} with a timeout of {godur.format(timeout)}"


def fetching_message(revision: str, *, timeout: timedelta) -> str:
    """`Fetching manifests for revision <rev> with a timeout of <t>` (before the download)."""
    return _stage("Fetching manifests", revision, timeout)


def building_message(revision: str, *, timeout: timedelta) -> str:
    """`Building manifests for revision <rev> with a timeout of <t>` (kustomize build)."""
    return _stage("Building manifests", revision, timeout)


def detecting_drift_message(revision: str, *, timeout: timedelta) -> str:
    """`Detecting drift for revision <rev> with a timeout of <t>` (dry-run and apply)."""
    return _stage("Detecting drift", revision, timeout)


def health_checks_message(revision: str, *, timeout: timedelta) -> str:
    """`Running health checks for revision <rev> with a timeout of <t>`."""
    return _stage("Running health checks", revision, timeout)


def applied_message(revision: str) -> str:
    """The Ready message of a successful run: `Applied revision: <rev>`."""
    return f"Applied revision: {revision}"


def health_passed_message(elapsed: timedelta) -> str:
    """`Health check passed in <d>`, `<d>` in Go's `Duration.String()` form, unrounded."""
    return f"Health check passed in {godur.format(elapsed)}"


# --- history and digest -------------------------------------------------------------------

def digest(objs_yaml: str) -> str:
    """The history digest of a build: `sha256:<hex>` of the multi-document YAML.

    Flux hashes the bytes of kustomize's `ResMap.AsYaml()` (documents joined
    by `---` lines), taken after SOPS decryption and variable substitution and
    before the ownership labels and `commonMetadata` are added, i.e. what
    `fluxpy.kustomize.yaml_emit.dump_resources` prints for the built objects.

    Args:
        objs_yaml: the built YAML stream.
    """
    return "sha256:" + hashlib.sha256(objs_yaml.encode("utf-8")).hexdigest()


def _history_metadata(revision: str | None, origin_revision: str | None) -> dict[str, str]:
    # Keys in Go's JSON map order (sorted), so a round trip compares equal.
    out: dict[str, str] = {}
    if origin_revision:
        out["originRevision"] = origin_revision
    if revision:
        out["revision"] = revision
    return out


def upsert_history(history: Sequence[HistoryEntry], *, digest: str, status: str, now: datetime,
                   duration: timedelta, metadata: Mapping[str, str]) -> tuple[HistoryEntry, ...]:
    """Record one run in `status.history`, as fluxcd/pkg `meta.History.Upsert` does.

    An entry with the same digest *and* status gets `lastReconciled`, its
    duration and metadata replaced and `totalReconciliations` incremented,
    keeps `firstReconciled`, and moves to the front. Otherwise a new entry
    (count 1) goes in front: the same build with a different outcome is a
    separate entry. The list is cut to the newest 5.

    Args:
        history: the current entries, newest first.
        digest: the build digest (`digest()`).
        status: `ReconciliationSucceeded`, `ReconciliationFailed`,
            `PruneFailed` or `HealthCheckFailed`.
        now: when the run ended.
        duration: how long the run took.
        metadata: `{revision, originRevision?}`.

    Returns:
        The new entries, newest first.
    """
    when = truncate_time(now)
    for i, entry in enumerate(history):
        if entry.digest == digest and entry.last_reconciled_status == status:
            updated = replace(entry, last_reconciled=when, last_reconciled_duration=duration,
                              total_reconciliations=entry.total_reconciliations + 1,
                              metadata=dict(metadata))
            return (updated, *history[:i], *history[i + 1:])[:MAX_HISTORY]
    new = HistoryEntry(digest, when, when, duration, status, 1, dict(metadata))
    return (new, *history)[:MAX_HISTORY]


# --- transitions --------------------------------------------------------------------------

def _handled(ks: Kustomization) -> str | None:
    return ks.reconcile_requested_at or ks.status.last_handled_reconcile_at


def _working(conditions: Sequence[conds.Condition], message: str, *, generation: int,
             now: datetime) -> tuple[conds.Condition, ...]:
    """Ready=Unknown (`Reconciliation in progress`) and Reconciling=True with `message`.

    kustomize-controller marks Ready Unknown once, when `reconcile()` starts,
    and then calls `conditions.MarkReconciling` per stage, which deletes
    `Stalled` and sets only `Reconciling`. Marking Ready again at each stage
    changes nothing: its status, reason and message are the same.
    """
    out = conds.mark(conditions, conds.READY, ConditionStatus.UNKNOWN, conds.PROGRESSING,
                     RECONCILIATION_IN_PROGRESS, generation=generation, now=now)
    out = conds.remove(out, conds.STALLED)
    return conds.mark(out, conds.RECONCILING, ConditionStatus.TRUE, conds.PROGRESSING, message,
                      generation=generation, now=now)


def progressing(ks: Kustomization, *, message: str, revision: str | None,
                now: datetime) -> KustomizationStatus:
    """The status while a run works on one stage.

    Args:
        ks: the Kustomization, with the status last written.
        message: the stage, e.g. `building_message(rev, timeout=...)`.
        revision: recorded as `lastAttemptedRevision`. kustomize-controller
            records it once the artifact is fetched, so pass None with
            `fetching_message` and the revision from `building_message` on.
        now: the current time.

    Returns:
        The new status; everything but the conditions and
        `lastAttemptedRevision` is unchanged.
    """
    out = _working(ks.status.conditions, message, generation=ks.generation, now=now)
    return replace(ks.status, conditions=out,
                   last_attempted_revision=revision or ks.status.last_attempted_revision)


def checking_health(ks: Kustomization, *, revision: str, timeout: timedelta,
                    now: datetime) -> KustomizationStatus:
    """The status while health checks run: `progressing` plus `Healthy=Unknown`.

    Both `Reconciling` and `Healthy` (reason `Progressing`) carry `Running
    health checks for revision <rev> with a timeout of <t>`.

    Args:
        ks: the Kustomization, with the status last written.
        revision: the artifact revision being checked.
        timeout: the effective timeout (`ks.spec.effective_timeout`).
        now: the current time.
    """
    message = health_checks_message(revision, timeout=timeout)
    st = progressing(ks, message=message, revision=revision, now=now)
    out = conds.mark(st.conditions, conds.HEALTHY, ConditionStatus.UNKNOWN, conds.PROGRESSING, message,
                     generation=ks.generation, now=now)
    return replace(st, conditions=out)


def succeeded(ks: Kustomization, *, revision: str, origin_revision: str | None, inventory: Inventory,
              digest: str, duration: timedelta, health: Literal["passed", "none"],
              health_duration: timedelta | None = None, now: datetime) -> KustomizationStatus:
    """The status after a successful run.

    Ready passes through Unknown on every run (see the module docstring), so
    its `lastTransitionTime` is `now` even when it was already True with the
    same message.

    Args:
        ks: the Kustomization, with the status last written.
        revision: the artifact revision applied.
        origin_revision: the artifact's origin revision, if any (None clears
            `lastAppliedOriginRevision`, as Flux writes "" then).
        inventory: the applied objects, in apply order.
        digest: the build digest, for the history.
        duration: how long the run took, for the history.
        health: "passed" when health checks ran and passed; "none" when
            there was nothing to check (neither `wait` nor `healthChecks`, or
            no objects): `Healthy` is removed.
        health_duration: how long the checks took; required with "passed".
        now: the current time.

    Raises:
        ValueError: `health` is "passed" without `health_duration`, or is
            not one of "passed", "none".
    """
    gen = ks.generation
    # Every successful run went through `reconcile()`'s Ready=Unknown; a no-op
    # when `ks` carries the status `progressing` returned.
    out = conds.mark(ks.status.conditions, conds.READY, ConditionStatus.UNKNOWN, conds.PROGRESSING,
                     RECONCILIATION_IN_PROGRESS, generation=gen, now=now)
    if health == "passed":
        if health_duration is None:
            raise ValueError('health "passed" needs health_duration (how long the checks took)')
        out = conds.mark(out, conds.HEALTHY, ConditionStatus.TRUE, conds.SUCCEEDED,
                         health_passed_message(health_duration), generation=gen, now=now)
    elif health == "none":
        out = conds.remove(out, conds.HEALTHY)
    else:
        raise ValueError(f'unsupported health "{health}" (use "passed" or "none")')
    out = conds.mark_ready(out, RECONCILIATION_SUCCEEDED, applied_message(revision), generation=gen, now=now)
    history = upsert_history(ks.status.history, digest=digest, status=RECONCILIATION_SUCCEEDED, now=now,
                             duration=duration, metadata=_history_metadata(revision, origin_revision))
    return replace(ks.status, conditions=out, observed_generation=gen, last_applied_revision=revision,
                   last_applied_origin_revision=origin_revision or None, last_attempted_revision=revision,
                   inventory=inventory, history=history, last_handled_reconcile_at=_handled(ks))


def failed(ks: Kustomization, *, reason: str, message: str, revision: str | None,
           inventory: Inventory | None, digest: str | None, duration: timedelta, now: datetime,
           origin_revision: str | None = None, health_message: str | None = None) -> KustomizationStatus:
    """The status after a failed run; the last good state is kept.

    Args:
        ks: the Kustomization, with the status last written.
        reason: the Ready reason: `ArtifactFailed`, `BuildFailed`,
            `ReconciliationFailed` (apply), `PruneFailed`,
            `HealthCheckFailed`, `DependencyNotReady`, ...
        message: the Ready message, i.e. the error. For a failed health
            check Flux writes `health check failed after <d>: <wait error>`
            (`fluxpy.sync.wait`'s `ready_message`).
        revision: the artifact revision attempted. It becomes
            `lastAttemptedRevision` for failures after the download
            (`BuildFailed` and later) and goes in the history metadata.
        inventory: the new inventory, or None to keep the current one. The
            pipeline passes old ∪ applied after a partial apply, and the
            applied inventory when prune or health checks failed.
        digest: the build digest, or None when the build did not finish.
            The history is updated only for `ReconciliationFailed`,
            `PruneFailed` and `HealthCheckFailed`, as Flux does.
        duration: how long the run took, for the history.
        now: the current time.
        origin_revision: the artifact's origin revision, for the history.
        health_message: with `HealthCheckFailed`, the `Healthy` message: the
            wait error alone, as `checkHealth` marks it before wrapping the
            error. Default: `message` without its `health check failed after
            <d>: ` prefix.
    """
    gen = ks.generation
    out = conds.mark_failed(ks.status.conditions, reason, message, generation=gen, now=now)
    if reason == HEALTH_CHECK_FAILED:
        if health_message is None:
            health_message = _HEALTH_PREFIX.sub("", message, count=1)
        out = conds.mark(out, conds.HEALTHY, ConditionStatus.FALSE, HEALTH_CHECK_FAILED, health_message,
                         generation=gen, now=now)
    history = ks.status.history
    if digest is not None and reason in _IN_HISTORY:
        history = upsert_history(history, digest=digest, status=reason, now=now, duration=duration,
                                 metadata=_history_metadata(revision, origin_revision))
    attempted = ks.status.last_attempted_revision
    if revision and reason in _AFTER_FETCH:
        attempted = revision
    return replace(ks.status, conditions=out, last_attempted_revision=attempted,
                   inventory=inventory if inventory is not None else ks.status.inventory,
                   history=history, last_handled_reconcile_at=_handled(ks))
