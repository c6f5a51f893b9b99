"""Step "emit events": the Kubernetes Events source-controller records.

Pure builders; the pipeline sends them with `fluxpy.kube.events.record`.
Reasons and messages are Flux's (FLUX-COMPAT section 7): `NewArtifact`
(`stored artifact for commit '<subject>'`), `ArtifactUpToDate` (a trace
event, recorded as Normal: `artifact up-to-date with remote revision:
'<rev>'`), `Succeeded` after a failure, and the failure's own reason as a
Warning. The revision and digest ride in the annotations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

CONTROLLER = "source-controller"
REVISION_KEY = "source.toolkit.fluxcd.io/revision"
DIGEST_KEY = "source.toolkit.fluxcd.io/digest"


@dataclass(frozen=True, slots=True)
class EventSpec:
    """One Event to record on the GitRepository."""

    type: Literal["Normal", "Warning"]
    reason: str
    message: str
    annotations: dict[str, str] = field(default_factory=dict)


def _meta(revision: str | None, digest: str | None) -> dict[str, str]:
    out = {}
    if revision:
        out[REVISION_KEY] = revision
    if digest:
        out[DIGEST_KEY] = digest
    return out


def new_artifact(subject: str, *, revision: str, digest: str) -> EventSpec:
    """A new artifact was stored."""
    return EventSpec("Normal", "NewArtifact", f"stored artifact for commit '{subject}'", _meta(revision, digest))


def up_to_date(*, revision: str, digest: str | None) -> EventSpec:
    """The remote has not moved; the stored artifact stands."""
    return EventSpec("Normal", "ArtifactUpToDate", f"artifact up-to-date with remote revision: '{revision}'",
                     _meta(revision, digest))


def recovered(message: str, *, revision: str, digest: str | None) -> EventSpec:
    """Success after a failed attempt."""
    return EventSpec("Normal", "Succeeded", message, _meta(revision, digest))


def failure(reason: str, message: str, *, revision: str | None = None) -> EventSpec:
    """A failed attempt."""
    return EventSpec("Warning", reason, message, _meta(revision, None))
