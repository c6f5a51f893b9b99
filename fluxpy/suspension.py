"""Suspend and resume Flux objects: set or clear `spec.suspend`, nothing else.

Each change is one JSON merge patch on the object (`{"spec": {"suspend":
true}}`, and `null` to clear it, as flux's own omitempty patch does), so no
other field, label or annotation is touched and no read-modify-write race can
lose a concurrent change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fluxpy.kube.client import Kube
    from fluxpy.models.kinds import FluxKind


@dataclass(frozen=True, slots=True)
class Target:
    """One object to suspend or resume."""

    namespace: str
    name: str


def patch_body(*, suspend: bool) -> dict[str, object]:
    """The merge patch that suspends (True) or resumes (False) an object."""
    return {"spec": {"suspend": True if suspend else None}}


def targets(kube: Kube, kind: FluxKind, names: Sequence[str], *, namespace: str | None,
            every: bool) -> list[Target]:
    """The objects named, or with `every` all objects of the kind in the namespace (None: all)."""
    if not every:
        assert namespace is not None
        return [Target(namespace, n) for n in names]
    from fluxpy import listing

    (found,) = listing.fetch(kube, [kind], namespace=namespace)
    return [Target(o["metadata"].get("namespace", ""), o["metadata"]["name"]) for o in found.objects]


def set_suspended(kube: Kube, kind: FluxKind, target: Target, *, suspend: bool) -> None:
    """Patch one object's `spec.suspend`.

    Raises:
        fluxpy.kube.errors.KubeError: the patch failed (e.g. the object is missing).
    """
    kube.patch(kind.resource(), target.name, patch_body(suspend=suspend), namespace=target.namespace,
               patch_type="merge")
