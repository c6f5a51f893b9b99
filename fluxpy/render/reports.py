"""Machine-readable run reports for `-o json|yaml`."""

from __future__ import annotations

from typing import Any

from fluxpy.source.types import StoredArtifact


def source(*, revision: str, artifact: StoredArtifact, unchanged: bool) -> dict[str, Any]:
    """The report of a Git source run: the revision and the artifact on disk."""
    return {"revision": revision, "unchanged": unchanged,
            "artifact": {"path": str(artifact.path), "storagePath": artifact.rel_path,
                         "digest": artifact.digest, "size": artifact.size}}
