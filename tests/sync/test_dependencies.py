"""dependsOn ordering and readiness (`fluxpy.sync.dependencies`), pure.

Covers `order`: chains, diamonds, independent objects in namespace/name
order whatever the input order, cross-namespace references and the namespace
defaulting to the dependent's, dependencies outside the set ignored, cycles
(named `ns/a -> ns/b -> ns/a`, without the objects merely leading into one),
self-dependency, the same object given twice.

Covers `not_ready`, each rule of kustomize-controller's `checkDependencies`
with its message: missing; no conditions; observedGeneration behind
generation; Ready False or Unknown; ready; the revision rule only for the
same sourceRef (kind, name, namespace defaulting on both sides) and only when
the revision is known; readyExpr reported as unsupported, for its own entry
only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from fluxpy.errors import FluxpyError
from fluxpy.models.kustomize import Kustomization
from fluxpy.sync.dependencies import DependencyCycleError, not_ready, order


def ks(name: str, *deps: str | dict[str, str], namespace: str = "flux-system",
       source: str = "flux-system", source_namespace: str | None = None) -> Kustomization:
    depends_on = [{"name": d} if isinstance(d, str) and "/" not in d
                  else {"namespace": d.split("/")[0], "name": d.split("/")[1]} if isinstance(d, str)
                  else d for d in deps]
    source_ref: dict[str, str] = {"kind": "GitRepository", "name": source}
    if source_namespace:
        source_ref["namespace"] = source_namespace
    spec: dict[str, Any] = {"interval": "10m", "prune": True, "sourceRef": source_ref}
    if depends_on:
        spec["dependsOn"] = depends_on
    return Kustomization.from_dict({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": name, "namespace": namespace, "generation": 1}, "spec": spec})


def names(items: Sequence[Kustomization]) -> list[str]:
    return [f"{k.namespace}/{k.name}" for k in items]


# --- order ---------------------------------------------------------------------------------

def test_chain_is_ordered_dependencies_first() -> None:
    a, b, c = ks("a"), ks("b", "a"), ks("c", "b")
    assert names(order([c, b, a])) == ["flux-system/a", "flux-system/b", "flux-system/c"]


def test_independent_objects_come_in_namespace_then_name_order() -> None:
    items = [ks("z"), ks("b", namespace="apps"), ks("a"), ks("m", namespace="apps")]
    assert names(order(items)) == ["apps/b", "apps/m", "flux-system/a", "flux-system/z"]
    assert names(order(list(reversed(items)))) == names(order(items))


def test_ties_are_broken_by_name_as_soon_as_an_object_is_free() -> None:
    # b waits for a, then goes before z, which never waited.
    assert names(order([ks("z"), ks("b", "a"), ks("a")])) == ["flux-system/a", "flux-system/b", "flux-system/z"]


def test_diamond() -> None:
    items = [ks("d", "b", "c"), ks("c", "a"), ks("b", "a"), ks("a")]
    assert names(order(items)) == ["flux-system/a", "flux-system/b", "flux-system/c", "flux-system/d"]


def test_cross_namespace_dependency_and_namespace_default() -> None:
    items = [
        ks("web", "infra/db", namespace="apps"),  # explicit namespace
        ks("app", "db", namespace="infra"),        # infra/db; flux-system/db would be a cycle
        ks("db", namespace="infra"),
        ks("db", "infra/app"),                     # flux-system/db, a different object
    ]
    assert names(order(items)) == ["infra/db", "apps/web", "infra/app", "flux-system/db"]


def test_dependencies_outside_the_set_are_ignored() -> None:
    assert names(order([ks("b", "ghost", "other/a"), ks("a")])) == ["flux-system/a", "flux-system/b"]


def test_cycle_is_named() -> None:
    with pytest.raises(DependencyCycleError) as info:
        order([ks("a", "b"), ks("b", "a"), ks("c")])
    err = info.value
    assert str(err) == "Kustomization dependency cycle: flux-system/a -> flux-system/b -> flux-system/a"
    assert err.cycle == ("flux-system/a", "flux-system/b", "flux-system/a")
    assert isinstance(err, FluxpyError)
    assert err.reason == "DependencyNotReady"
    assert err.hint is not None


def test_cycle_message_leaves_out_objects_leading_into_it() -> None:
    items = [ks("a", "b"), ks("b", "c"), ks("c", "d"), ks("d", "b"), ks("e")]
    with pytest.raises(DependencyCycleError) as info:
        order(items)
    assert info.value.cycle == ("flux-system/b", "flux-system/c", "flux-system/d", "flux-system/b")


def test_cross_namespace_cycle() -> None:
    with pytest.raises(DependencyCycleError, match="apps/web -> infra/db -> apps/web"):
        order([ks("web", "infra/db", namespace="apps"), ks("db", "apps/web", namespace="infra")])


def test_self_dependency_is_a_cycle() -> None:
    with pytest.raises(DependencyCycleError) as info:
        order([ks("a", "a")])
    assert str(info.value) == "Kustomization dependency cycle: flux-system/a -> flux-system/a"


def test_same_object_twice_is_rejected() -> None:
    with pytest.raises(ValueError, match="flux-system/a given twice"):
        order([ks("a"), ks("a")])


def test_empty_set() -> None:
    assert order([]) == []


# --- not_ready -------------------------------------------------------------------------------

REV = "main@sha1:2f3e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e"
OLD = "main@sha1:0000000000000000000000000000000000000000"


def dep(name: str = "infra", *, namespace: str = "flux-system", generation: int = 2,
        observed: int | None = 2, ready: str | None = "True", applied: str | None = REV,
        source: str = "flux-system", source_namespace: str | None = None,
        source_kind: str = "GitRepository") -> dict[str, Any]:
    source_ref: dict[str, str] = {"kind": source_kind, "name": source}
    if source_namespace:
        source_ref["namespace"] = source_namespace
    status: dict[str, Any] = {}
    if observed is not None:
        status["observedGeneration"] = observed
    if ready is not None:
        status["conditions"] = [{"type": "Ready", "status": ready, "reason": "ReconciliationSucceeded",
                                 "message": "", "lastTransitionTime": "2024-05-01T12:00:00Z"}]
    if applied is not None:
        status["lastAppliedRevision"] = applied
    return {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": name, "namespace": namespace, "generation": generation},
            "spec": {"interval": "10m", "prune": True, "sourceRef": source_ref}, "status": status}


APPS = ks("apps", "infra")


def test_missing_dependency() -> None:
    assert not_ready(None, dependent=APPS, dep_ref="flux-system/infra", source_revision=REV) == (
        "dependency 'flux-system/infra' not found: "
        'kustomizations.kustomize.toolkit.fluxcd.io "infra" not found')


def test_ready_dependency() -> None:
    assert not_ready(dep(), dependent=APPS, dep_ref="flux-system/infra", source_revision=REV) is None


@pytest.mark.parametrize("live", [
    dep(ready=None),                       # no conditions: never reconciled
    dep(observed=1),                       # generation 2 not observed yet
    dep(observed=None),                    # no observedGeneration at all
    dep(ready="False"),
    dep(ready="Unknown"),
], ids=["no-conditions", "old-generation", "no-observed-generation", "ready-false", "ready-unknown"])
def test_dependency_not_ready(live: dict[str, Any]) -> None:
    assert not_ready(live, dependent=APPS, dep_ref="flux-system/infra", source_revision=REV) == (
        "dependency 'flux-system/infra' is not ready")


def test_same_source_needs_the_same_revision() -> None:
    assert not_ready(dep(applied=OLD), dependent=APPS, dep_ref="flux-system/infra", source_revision=REV) == (
        "dependency 'flux-system/infra' revision is not up to date")
    assert not_ready(dep(applied=None), dependent=APPS, dep_ref="flux-system/infra", source_revision=REV) == (
        "dependency 'flux-system/infra' revision is not up to date")


def test_same_source_with_explicit_and_defaulted_namespaces() -> None:
    # The dependency names its source's namespace, the dependent leaves it to default: same source.
    live = dep(applied=OLD, source_namespace="flux-system")
    assert not_ready(live, dependent=APPS, dep_ref="flux-system/infra", source_revision=REV) is not None


@pytest.mark.parametrize("live", [
    dep(applied=OLD, source="infra-repo"),
    dep(applied=OLD, source_kind="OCIRepository"),
    dep(applied=OLD, source_namespace="other"),
    dep(applied=OLD, namespace="infra"),   # sourceRef namespace defaults to infra
], ids=["other-name", "other-kind", "other-namespace", "defaulted-elsewhere"])
def test_other_source_skips_the_revision_check(live: dict[str, Any]) -> None:
    ref = f"{live['metadata']['namespace']}/infra"
    dependent = ks("apps", ref)
    assert not_ready(live, dependent=dependent, dep_ref=ref, source_revision=REV) is None


def test_unknown_source_revision_skips_the_revision_check() -> None:
    assert not_ready(dep(applied=OLD), dependent=APPS, dep_ref="flux-system/infra") is None


def test_ready_expr_is_reported_as_unsupported() -> None:
    dependent = ks("apps", {"name": "infra", "readyExpr": "dep.status.lastAppliedRevision != ''"}, "other/db")
    message = not_ready(dep(), dependent=dependent, dep_ref="flux-system/infra", source_revision=REV)
    assert message is not None
    assert message.startswith("dependency 'flux-system/infra' sets readyExpr")
    assert "fluxpy cannot evaluate" in message
    # The other entry has no readyExpr and is judged normally.
    other = dep("db", namespace="other", source_namespace="flux-system")
    assert not_ready(other, dependent=dependent, dep_ref="other/db", source_revision=REV) is None


def test_missing_dependency_is_reported_before_ready_expr() -> None:
    dependent = ks("apps", {"name": "infra", "readyExpr": "true"})
    message = not_ready(None, dependent=dependent, dep_ref="flux-system/infra")
    assert message is not None and message.startswith("dependency 'flux-system/infra' not found")
