"""Machine-readable run reports for `-o json|yaml`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fluxpy.source.types import StoredArtifact

if TYPE_CHECKING:
    from fluxpy.pipelines.cluster_sync import Report


def source(*, revision: str, artifact: StoredArtifact, unchanged: bool) -> dict[str, Any]:
    """The report of a Git source run: the revision and the artifact on disk."""
    return {"revision": revision, "unchanged": unchanged,
            "artifact": {"path": str(artifact.path), "storagePath": artifact.rel_path,
                         "digest": artifact.digest, "size": artifact.size}}


def kustomization(report: Report) -> dict[str, Any]:
    """The report of a cluster sync run: revision, every object's action, what prune kept, errors."""
    return {"kustomization": f"{report.namespace}/{report.name}", "revision": report.revision,
            "dryRun": report.dry_run, "counts": report.counts(),
            "objects": [{"object": str(e.subject), "action": e.action.value} for e in report.changes],
            "pruneKept": [{"object": o, "reason": why} for o, why in report.kept],
            "health": report.health, "seconds": round(report.seconds, 3),
            "steps": [{"step": s.step, "detail": s.detail, "seconds": round(s.seconds, 3), "ok": s.ok}
                      for s in report.steps],
            "error": report.error, "reason": report.reason}
