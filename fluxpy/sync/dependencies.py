"""dependsOn: in which order to sync Kustomizations, and whether a dependency is ready.

kustomize-controller reconciles every Kustomization on its own and, before
building one, checks its `spec.dependsOn` (`checkDependencies`): a dependency
that is not ready sets `Ready=False/DependencyNotReady` and the reconcile is
retried 30s later (FLUX-COMPAT section 1). A one-shot run has no retries to
wait for, so it syncs dependencies first: `order` sorts a set of
Kustomizations so that each comes after what it depends on, and `not_ready`
makes the same readiness check, with the same messages, before a dependent is
synced. Both are pure: the caller reads the dependency objects.

Messages follow kustomize-controller's `checkDependencies` (v1.7, the version
that added `readyExpr`): `dependency 'ns/name' not found: <API error>`,
`dependency 'ns/name' is not ready`, and
`dependency 'ns/name' revision is not up to date`. Older controllers said
`unable to get 'ns/name' dependency: ...` for a missing one.

`readyExpr` (a CEL expression over `self` and `dep`) is not supported: fluxpy
has no CEL evaluator, and guessing would be worse than saying so. A
dependency with one is reported as not ready with a message that says why.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from typing import Any

from fluxpy.errors import FluxpyError
from fluxpy.models.conditions import DEPENDENCY_NOT_READY, READY
from fluxpy.models.kustomize import Kustomization

Key = tuple[str, str]
"""`(namespace, name)` of a Kustomization."""

KUSTOMIZATIONS_RESOURCE = "kustomizations.kustomize.toolkit.fluxcd.io"
"""How the API server names the resource in a NotFound message."""


class DependencyCycleError(FluxpyError):
    """Kustomizations depend on each other in a circle, so none can go first.

    Flux has no cycle check: every member would wait forever with
    `DependencyNotReady`, which is why that is the `reason`.

    Args:
        cycle: the members, `namespace/name`, starting and ending with the same one.
    """

    reason = DEPENDENCY_NOT_READY

    def __init__(self, cycle: Sequence[str]) -> None:
        super().__init__(f"Kustomization dependency cycle: {' -> '.join(cycle)}",
                         hint="remove one of these dependsOn entries to break the cycle")
        self.cycle = tuple(cycle)


def key_of(kustomization: Kustomization) -> Key:
    """`(namespace, name)` of a Kustomization."""
    return kustomization.namespace or "", kustomization.name


def dependencies_of(kustomization: Kustomization) -> list[Key]:
    """The `dependsOn` entries as keys, a missing namespace defaulting to the dependent's."""
    namespace = kustomization.namespace or ""
    return [(dep.namespace or namespace, dep.name) for dep in kustomization.spec.depends_on]


def _label(key: Key) -> str:
    return f"{key[0]}/{key[1]}"


def order(kustomizations: Sequence[Kustomization]) -> list[Kustomization]:
    """Sort Kustomizations so that each comes after the ones it depends on.

    Among those free to go next, `namespace/name` order decides, so the result
    does not depend on the input order. Dependencies outside `kustomizations`
    are ignored here (`not_ready` judges them when the dependent is synced).

    Args:
        kustomizations: the set to sort; one object per namespace/name.

    Returns:
        The same objects, dependencies first.

    Raises:
        DependencyCycleError: naming one cycle, e.g. `ns/a -> ns/b -> ns/a`
            (a Kustomization depending on itself is a cycle of one).
        ValueError: two objects have the same namespace/name.
    """
    by_key: dict[Key, Kustomization] = {}
    for k in kustomizations:
        key = key_of(k)
        if key in by_key:
            raise ValueError(f"Kustomization {_label(key)} given twice")
        by_key[key] = k
    deps: dict[Key, set[Key]] = {key: {d for d in dependencies_of(k) if d in by_key}
                                  for key, k in by_key.items()}
    dependents: dict[Key, list[Key]] = {key: [] for key in by_key}
    for key, wanted in deps.items():
        for dep in wanted:
            dependents[dep].append(key)
    waiting = {key: len(wanted) for key, wanted in deps.items()}
    ready = [key for key, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    out: list[Kustomization] = []
    while ready:
        key = heapq.heappop(ready)
        out.append(by_key[key])
        for dependent in dependents[key]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                heapq.heappush(ready, dependent)
    if len(out) < len(by_key):
        raise DependencyCycleError(_find_cycle({key: wanted for key, wanted in deps.items() if waiting[key]}))
    return out


def _find_cycle(deps: Mapping[Key, set[Key]]) -> list[str]:
    # Every key left has a dependency that is also left, so walking the
    # smallest one from the smallest key must come back to a key seen before.
    path: list[Key] = []
    seen: dict[Key, int] = {}
    key = min(deps)
    while key not in seen:
        seen[key] = len(path)
        path.append(key)
        key = min(d for d in deps[key] if d in deps)
    return [_label(k) for k in path[seen[key]:]] + [_label(key)]


def not_ready(dep: Mapping[str, Any] | None, *, dependent: Kustomization, dep_ref: str,
              source_revision: str | None = None) -> str | None:
    """Why a dependency is not ready, in kustomize-controller's words; None when it is.

    Ready means (FLUX-COMPAT section 1): it exists; it has conditions and its
    `status.observedGeneration` equals its `metadata.generation`; `Ready` is
    True; and when it uses the same `sourceRef` as the dependent (kind, name,
    and namespace, each defaulting to its object's), its
    `status.lastAppliedRevision` is the dependent's source artifact revision.

    Args:
        dep: the dependency as read from the API server, None if not found.
        dependent: the Kustomization that depends on it.
        dep_ref: the dependency as `namespace/name`.
        source_revision: the revision of the dependent's source artifact;
            None when unknown, which skips the revision check.

    Returns:
        None when ready, else the message for `Ready=False/DependencyNotReady`.
    """
    if dep is None:
        name = dep_ref.rpartition("/")[2]
        return f"dependency '{dep_ref}' not found: {KUSTOMIZATIONS_RESOURCE} \"{name}\" not found"
    if _ready_expr(dependent, dep_ref):
        return (f"dependency '{dep_ref}' sets readyExpr, a CEL expression fluxpy cannot evaluate; "
                "remove readyExpr to use the built-in readiness check")
    meta, status = _map(dep, "metadata"), _map(dep, "status")
    conditions = status.get("conditions")
    if not isinstance(conditions, list) or not conditions \
            or _int(meta.get("generation")) != _int(status.get("observedGeneration")):
        return f"dependency '{dep_ref}' is not ready"
    if not any(isinstance(c, Mapping) and c.get("type") == READY and c.get("status") == "True"
               for c in conditions):
        return f"dependency '{dep_ref}' is not ready"
    if source_revision is not None and _same_source(dep, dependent) \
            and status.get("lastAppliedRevision") != source_revision:
        return f"dependency '{dep_ref}' revision is not up to date"
    return None


def _ready_expr(dependent: Kustomization, dep_ref: str) -> bool:
    namespace = dependent.namespace or ""
    return any(f"{ref.namespace or namespace}/{ref.name}" == dep_ref and ref.ready_expr
               for ref in dependent.spec.depends_on)


def _same_source(dep: Mapping[str, Any], dependent: Kustomization) -> bool:
    ref = _map(_map(dep, "spec"), "sourceRef")
    dep_ns = str(ref.get("namespace") or _map(dep, "metadata").get("namespace") or "")
    mine = dependent.spec.source_ref
    return (ref.get("kind") == mine.kind and ref.get("name") == mine.name
            and dep_ns == (mine.namespace or dependent.namespace or ""))


def _map(obj: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = obj.get(key)
    return value if isinstance(value, Mapping) else {}


def _int(value: Any) -> int:
    # Go reads a missing or malformed integer as 0.
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
