"""Step "update the source's status": the GitRepository status after a pull.

Pure: the object, the outcome and the time in; the new status out. It
follows source-controller's rules (FLUX-COMPAT sections 1 and 2):

- success: `Ready=True` and `ArtifactInStorage=True`, reason `Succeeded`,
  message `stored artifact for revision '<rev>'`; `FetchFailed` and
  `Reconciling` are removed; `observedGeneration` is the generation; the
  `observed*` fields mirror the spec that produced the artifact.
- an unchanged remote is a success that keeps the artifact it already has.
- failure: `FetchFailed=True` and `Ready=False` with the failure's reason
  (`GitOperationFailed`, `AuthenticationFailed`, `StorageOperationFailed`,
  ...); `Reconciling` stays with reason `ProgressingWithRetry`; the previous
  artifact and `observedGeneration` are kept, so consumers keep using the
  last good revision.

While working, as Flux's runtime does: `Reconciling=True` (reason
`NewGeneration`) only for a generation not yet observed, and `Ready=Unknown`
(`Progressing`) only when the object was not already ready; so a routine
reconcile of a ready object moves no `lastTransitionTime`.

Every attempt copies the `reconcile.fluxcd.io/requestedAt` token to
`lastHandledReconcileAt`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from fluxpy.models import conditions as conds
from fluxpy.models.common import Artifact
from fluxpy.models.source import GitRepository, GitRepositoryStatus

ARTIFACT_IN_STORAGE = "ArtifactInStorage"
FETCH_FAILED = "FetchFailed"
ARTIFACT_OUTDATED = "ArtifactOutdated"
SUCCEEDED = "Succeeded"


def stored_message(revision: str) -> str:
    """The Ready message of a source with an artifact."""
    return f"stored artifact for revision '{revision}'"


def _in_progress(repo: GitRepository, *, now: datetime) -> tuple[conds.Condition, ...]:
    """The conditions while a reconcile runs (Flux's ProgressiveStatus)."""
    gen = repo.generation
    out = repo.status.conditions
    if gen != repo.status.observed_generation:
        out = conds.mark(out, conds.RECONCILING, conds.ConditionStatus.TRUE, "NewGeneration",
                         f"reconciling new object generation ({gen})", generation=gen, now=now)
    if not conds.is_true(out, conds.READY):
        out = conds.mark(out, conds.READY, conds.ConditionStatus.UNKNOWN, conds.PROGRESSING,
                         "reconciliation in progress", generation=gen, now=now)
    return out


def succeeded(repo: GitRepository, artifact: Artifact, *, now: datetime) -> GitRepositoryStatus:
    """The status once `artifact` is in storage (new or unchanged)."""
    gen = repo.generation
    message = stored_message(artifact.revision)
    out = _in_progress(repo, now=now)
    out = conds.remove(conds.remove(out, FETCH_FAILED), ARTIFACT_OUTDATED)
    out = conds.mark(out, ARTIFACT_IN_STORAGE, conds.ConditionStatus.TRUE, SUCCEEDED, message,
                     generation=gen, now=now)
    out = conds.mark_ready(out, SUCCEEDED, message, generation=gen, now=now)
    spec = repo.spec
    return replace(repo.status, conditions=out, observed_generation=gen, artifact=artifact,
                   last_handled_reconcile_at=repo.reconcile_requested_at or repo.status.last_handled_reconcile_at,
                   observed_ignore=spec.ignore, observed_recurse_submodules=spec.recurse_submodules,
                   observed_include=spec.include, observed_sparse_checkout=spec.sparse_checkout)


def failed(repo: GitRepository, *, reason: str, message: str, now: datetime) -> GitRepositoryStatus:
    """The status after a failed attempt: the last good artifact is kept."""
    gen = repo.generation
    out = _in_progress(repo, now=now)
    out = conds.mark(out, FETCH_FAILED, conds.ConditionStatus.TRUE, reason, message, generation=gen, now=now)
    out = conds.mark_failed(out, reason, message, generation=gen, now=now)
    return replace(repo.status, conditions=out,
                   last_handled_reconcile_at=repo.reconcile_requested_at or repo.status.last_handled_reconcile_at)


def merge_patch(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON merge patch for the status subresource that turns `old` into `new`.

    Top-level status fields that disappeared become null (removed); present
    ones are replaced whole (lists such as `conditions` replace the old list).
    """
    body: dict[str, Any] = {key: None for key in old if key not in new}
    body.update({key: value for key, value in new.items() if old.get(key) != value})
    return {"status": body}
