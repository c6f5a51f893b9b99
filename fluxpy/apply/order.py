"""Apply order as data: stages, then kind order inside a stage.

Flux's kustomize-controller applies a build in stages (FLUX-COMPAT section 3,
`fluxcd/pkg/ssa/utils/is.go`): (1) cluster definitions — CRDs, Namespaces,
ClusterRoles — then it waits for them; (2) every kind whose name ends in
`Class`; (3) the custom stage kinds the caller names; (4) everything else.
Inside a stage objects are sorted by `KIND_ORDER`: kinds listed before the
`OTHERS` marker come first, kinds after it last (the webhook configurations,
so they never intercept the objects of their own build), all other kinds in
between; ties are broken by group, kind, namespace and name, so the order
does not depend on the order of the build output.

Prune deletes in the reverse of this order (`deletion_order`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any, TypeVar

_O = TypeVar("_O", bound=Mapping[str, Any])

OTHERS = "*"
"""Marks where kinds not named in `KIND_ORDER` go."""

KIND_ORDER: tuple[str, ...] = (
    "CustomResourceDefinition",
    "Namespace",
    "ClusterRole",
    "ClusterClass",
    "RuntimeClass",
    "PriorityClass",
    "StorageClass",
    "VolumeSnapshotClass",
    "IngressClass",
    "GatewayClass",
    "ClusterRoleBinding",
    "ResourceQuota",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ConfigMap",
    "Secret",
    "Service",
    "LimitRange",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
    OTHERS,
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
)
"""The kind order within a stage, as FLUX-COMPAT section 3 lists it."""

_RANK = {kind: i for i, kind in enumerate(KIND_ORDER)}
_OTHERS_RANK = _RANK[OTHERS]

CLUSTER_DEFINITIONS = 1
CLASS_DEFINITIONS = 2
CUSTOM_STAGE = 3
EVERYTHING_ELSE = 4
STAGES: tuple[int, ...] = (CLUSTER_DEFINITIONS, CLASS_DEFINITIONS, CUSTOM_STAGE, EVERYTHING_ELSE)


def _text(obj: Mapping[str, Any], *path: str) -> str:
    cur: Any = obj
    for key in path:
        if not isinstance(cur, Mapping):
            return ""
        cur = cur.get(key)
    return cur if isinstance(cur, str) else ""


def group_kind(obj: Mapping[str, Any]) -> tuple[str, str]:
    """`(group, kind)` of a manifest; the group is "" for the core API."""
    return _text(obj, "apiVersion").rpartition("/")[0], _text(obj, "kind")


def is_cluster_definition(obj: Mapping[str, Any]) -> bool:
    """A CRD, Namespace or ClusterRole: applied in the first stage.

    As `fluxcd/pkg/ssa/utils`: the kind compared case-insensitively and the
    API group checked, so a custom `Namespace` kind in another group is not one.
    """
    kind = _text(obj, "kind").lower()
    api_version = _text(obj, "apiVersion")
    return ((kind == "customresourcedefinition" and api_version.startswith("apiextensions.k8s.io/"))
            or (kind == "namespace" and api_version == "v1")
            or (kind == "clusterrole" and api_version.startswith("rbac.authorization.k8s.io/")))


def stage_of(obj: Mapping[str, Any], *,
             custom_stage: Collection[tuple[str, str]] = ()) -> int:
    """The stage (1-4) an object is applied in.

    Args:
        obj: the manifest.
        custom_stage: `(group, kind)` pairs applied in stage 3.
    """
    if is_cluster_definition(obj):
        return CLUSTER_DEFINITIONS
    if _text(obj, "kind").endswith("Class"):
        return CLASS_DEFINITIONS
    if group_kind(obj) in custom_stage:
        return CUSTOM_STAGE
    return EVERYTHING_ELSE


def kind_rank(kind: str) -> int:
    """The position of a kind in `KIND_ORDER` (unlisted kinds share `OTHERS`'s)."""
    return _RANK.get(kind, _OTHERS_RANK) if kind != OTHERS else _OTHERS_RANK


def sort_key(obj: Mapping[str, Any]) -> tuple[int, str, str, str, str]:
    """The within-stage sort key: kind rank, group, kind, namespace, name."""
    group, kind = group_kind(obj)
    return (kind_rank(kind), group, kind, _text(obj, "metadata", "namespace"),
            _text(obj, "metadata", "name"))


def stages(objs: Iterable[_O], *,
           custom_stage: Collection[tuple[str, str]] = ()) -> list[list[_O]]:
    """Split objects into apply stages, each sorted; empty stages are left out.

    Args:
        objs: the manifests of one build.
        custom_stage: `(group, kind)` pairs applied in a stage of their own
            between the `Class` definitions and everything else.

    Returns:
        The non-empty stages in apply order, each in apply order.
    """
    buckets: dict[int, list[_O]] = {s: [] for s in STAGES}
    for obj in objs:
        buckets[stage_of(obj, custom_stage=custom_stage)].append(obj)
    return [sorted(buckets[s], key=sort_key) for s in STAGES if buckets[s]]


def apply_order(objs: Iterable[_O], *,
                custom_stage: Collection[tuple[str, str]] = ()) -> list[_O]:
    """All objects flattened in apply order (stage by stage)."""
    return [obj for stage in stages(objs, custom_stage=custom_stage) for obj in stage]


def deletion_order(objs: Iterable[_O], *,
                   custom_stage: Collection[tuple[str, str]] = ()) -> list[_O]:
    """All objects in reverse apply order: webhooks and workloads first, CRDs last."""
    return apply_order(objs, custom_stage=custom_stage)[::-1]
