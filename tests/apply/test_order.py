"""Apply stages and kind order (FLUX-COMPAT section 3; fluxcd/pkg ssa/utils/is.go).

Covers: stage 1 holds only CRDs, v1 Namespaces and rbac ClusterRoles (group
checked); stage 2 every kind ending in `Class`; stage 3 the caller's custom
stage kinds by (group, kind); stage 4 everything else; empty stages omitted;
the kind order inside a stage with unknown kinds between PodDisruptionBudget
and the webhook configurations; ties broken by group, kind, namespace, name
independent of input order; deletion order is the exact reverse.
"""

from __future__ import annotations

from typing import Any

import pytest

from fluxpy.apply import order


def m(api_version: str, kind: str, name: str = "x", namespace: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": api_version, "kind": kind, "metadata": meta}


def names(objs: list[dict[str, Any]]) -> list[str]:
    return [f"{o['kind']}/{o['metadata'].get('namespace', '')}/{o['metadata']['name']}" for o in objs]


STAGE_CASES = [
    ("crd is a cluster definition", m("apiextensions.k8s.io/v1", "CustomResourceDefinition"), 1),
    ("namespace is a cluster definition", m("v1", "Namespace"), 1),
    ("clusterrole is a cluster definition", m("rbac.authorization.k8s.io/v1", "ClusterRole"), 1),
    ("namespace kind of another group is not", m("example.com/v1", "Namespace"), 4),
    ("clusterrolebinding is applied with everything else",
     m("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"), 4),
    ("storageclass is a class definition", m("storage.k8s.io/v1", "StorageClass"), 2),
    ("any kind ending in Class is a class definition", m("gateway.networking.k8s.io/v1", "GatewayClass"), 2),
    ("custom stage kind is stage three", m("cert-manager.io/v1", "ClusterIssuer"), 3),
    ("same kind in another group is not custom stage", m("example.com/v1", "ClusterIssuer"), 4),
    ("deployment is applied last", m("apps/v1", "Deployment"), 4),
]


@pytest.mark.parametrize(("case", "obj", "stage"), STAGE_CASES, ids=[c[0] for c in STAGE_CASES])
def test_stage_of(case: str, obj: dict[str, Any], stage: int) -> None:
    assert order.stage_of(obj, custom_stage={("cert-manager.io", "ClusterIssuer")}) == stage


BUILD = [
    m("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "v"),
    m("apps/v1", "Deployment", "web", "apps"),
    m("example.com/v1", "Widget", "w", "apps"),
    m("v1", "Service", "web", "apps"),
    m("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "m"),
    m("policy/v1", "PodDisruptionBudget", "web", "apps"),
    m("v1", "ConfigMap", "b", "apps"),
    m("v1", "ConfigMap", "a", "apps"),
    m("v1", "ConfigMap", "a", "aaa"),
    m("v1", "Secret", "s", "apps"),
    m("rbac.authorization.k8s.io/v1", "RoleBinding", "rb", "apps"),
    m("rbac.authorization.k8s.io/v1", "Role", "r", "apps"),
    m("v1", "ServiceAccount", "sa", "apps"),
    m("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "crb"),
    m("v1", "ResourceQuota", "q", "apps"),
    m("v1", "LimitRange", "l", "apps"),
    m("apps/v1", "StatefulSet", "db", "apps"),
    m("batch/v1", "CronJob", "c", "apps"),
    m("cert-manager.io/v1", "ClusterIssuer", "ca"),
    m("storage.k8s.io/v1", "StorageClass", "fast"),
    m("scheduling.k8s.io/v1", "PriorityClass", "high"),
    m("networking.k8s.io/v1", "IngressClass", "nginx"),
    m("rbac.authorization.k8s.io/v1", "ClusterRole", "view"),
    m("v1", "Namespace", "apps"),
    m("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com"),
    m("apps.example.com/v1", "Widget", "w", "apps"),
]

EXPECTED = [
    ["CustomResourceDefinition//widgets.example.com", "Namespace//apps", "ClusterRole//view"],
    ["PriorityClass//high", "StorageClass//fast", "IngressClass//nginx"],
    ["ClusterIssuer//ca"],
    ["ClusterRoleBinding//crb", "ResourceQuota/apps/q", "ServiceAccount/apps/sa", "Role/apps/r",
     "RoleBinding/apps/rb", "ConfigMap/aaa/a", "ConfigMap/apps/a", "ConfigMap/apps/b", "Secret/apps/s",
     "Service/apps/web", "LimitRange/apps/l", "Deployment/apps/web", "StatefulSet/apps/db", "CronJob/apps/c",
     "PodDisruptionBudget/apps/web", "Widget/apps/w", "Widget/apps/w",
     "MutatingWebhookConfiguration//m", "ValidatingWebhookConfiguration//v"],
]


def test_stages_follow_flux_stage_and_kind_order() -> None:
    got = order.stages(BUILD, custom_stage={("cert-manager.io", "ClusterIssuer")})
    assert [names(s) for s in got] == EXPECTED


def test_unknown_kinds_tie_break_by_group() -> None:
    got = order.apply_order(BUILD)
    widgets = [o["apiVersion"] for o in got if o["kind"] == "Widget"]
    assert widgets == ["apps.example.com/v1", "example.com/v1"]


def test_order_does_not_depend_on_input_order() -> None:
    assert order.apply_order(BUILD) == order.apply_order(list(reversed(BUILD)))


def test_empty_stages_are_omitted() -> None:
    assert order.stages([m("apps/v1", "Deployment", "web", "apps")]) == [[m("apps/v1", "Deployment", "web", "apps")]]
    assert order.stages([]) == []


def test_without_custom_stage_kinds_they_are_ordered_with_everything_else() -> None:
    got = order.stages(BUILD)
    assert len(got) == 3
    assert "ClusterIssuer//ca" in names(got[2])


def test_deletion_order_is_reverse_apply_order() -> None:
    assert order.deletion_order(BUILD) == order.apply_order(BUILD)[::-1]
    assert names(order.deletion_order(BUILD))[-1] == "CustomResourceDefinition//widgets.example.com"


def test_kind_order_tuple_matches_flux_compat() -> None:
    assert order.KIND_ORDER[:3] == ("CustomResourceDefinition", "Namespace", "ClusterRole")
    assert order.KIND_ORDER[-3:] == (order.OTHERS, "MutatingWebhookConfiguration",
                                     "ValidatingWebhookConfiguration")
    assert order.kind_rank("Widget") == order.kind_rank(order.OTHERS)
