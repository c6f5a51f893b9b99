"""Field specs: where kustomize's builtin transformers look inside an object.

A field spec is (group, version, kind, path, create): "in objects of this
group/version/kind (empty = any), visit the field at this slash-separated
path, creating it when missing if `create`". The tables below are kustomize
v5's defaults (`api/konfig/builtinpluginconsts/*.go`), kept as data so that a
transformer is just "visit these fields, set this value". `visit` walks a
path the way kustomize's `fieldspec.Filter` does: a sequence met on the way
is entered element by element with the rest of the path, `name[]` names a
sequence, `\\/` escapes a slash inside one key, and a field is created only
when the spec says so (never through a `[]` segment).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fluxpy.kustomize.errors import BuildError


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of one kind of object (empty group/version/kind match any)."""

    path: str
    kind: str = ""
    group: str = ""
    version: str = ""
    create: bool = False

    def selects(self, group: str, version: str, kind: str) -> bool:
        """kustomize's `Gvk.IsSelected`: every non-empty part must be equal."""
        return ((not self.group or self.group == group) and (not self.version or self.version == version)
                and (not self.kind or self.kind == kind))

    def segments(self) -> list[str]:
        return list(_split_cached(self.path))


@functools.lru_cache(maxsize=1024)
def _split_cached(path: str) -> tuple[str, ...]:
    return tuple(split_path(path))


def split_path(path: str) -> list[str]:
    """Split on '/' but not on an escaped '\\/'."""
    out: list[str] = []
    cur = ""
    i = 0
    while i < len(path):
        if path[i] == "\\" and i + 1 < len(path) and path[i + 1] == "/":
            cur += "/"
            i += 2
            continue
        if path[i] == "/":
            out.append(cur)
            cur = ""
        else:
            cur += path[i]
        i += 1
    out.append(cur)
    return out


def gvk_of(obj: dict[str, Any]) -> tuple[str, str, str]:
    """(group, version, kind) of an object."""
    group, _, version = str(obj.get("apiVersion", "") or "").rpartition("/")
    return group, version, str(obj.get("kind", "") or "")


# Setter: called with (parent container, key or index); it reads/writes parent[key].
Setter = Callable[[Any, Any], None]


def visit(obj: Any, spec: FieldSpec, setter: Setter, *, create_kind: str | None = "map") -> None:
    """Call `setter(parent, key)` for every field `spec.path` reaches in `obj`.

    Args:
        obj: the object (or sub-tree) to walk.
        spec: the field spec; its create flag decides whether missing fields are made.
        setter: receives the container and key of each reached field.
        create_kind: what to create for a missing last segment: "map" or "scalar"
            (a scalar is created as "" for the setter to overwrite); None never
            creates anything (kustomize's filters without a CreateKind).

    Raises:
        BuildError: the path crosses a scalar (kustomize: expected sequence or mapping node).
    """
    _walk(obj, _split_cached(spec.path), spec.create and create_kind is not None, setter, create_kind or "map")


def _walk(node: Any, path: tuple[str, ...], create: bool, setter: Setter, create_kind: str) -> None:
    if node is None:
        return
    if isinstance(node, list):
        for item in node:
            _walk(item, path, create, setter, create_kind)
        return
    if not isinstance(node, dict):
        raise BuildError(f"expected sequence or mapping node, found a scalar at '{'/'.join(path)}'")
    head = path[0]
    is_seq = head.endswith("[]")
    key = head[:-2] if is_seq else head
    last = len(path) == 1
    if key not in node:
        if not create or is_seq:
            return
        node[key] = ("" if create_kind == "scalar" else {}) if last else {}
    elif node[key] is None and create and not is_seq:
        node[key] = ("" if create_kind == "scalar" else {}) if last else {}
    if last:
        setter(node, key)
        return
    _walk(node[key], path[1:], create, setter, create_kind)


def _specs(rows: list[tuple[str, str, str, str, bool]]) -> tuple[FieldSpec, ...]:
    return tuple(FieldSpec(path=p, kind=k, group=g, version=v, create=c) for p, k, g, v, c in rows)


_AFFINITY = (
    "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
)

# metadataLabelsFieldSpecs: labels on the object and on the templates it stamps out.
METADATA_LABELS = _specs([
    ("metadata/labels", "", "", "", True),
    ("spec/template/metadata/labels", "ReplicationController", "", "v1", True),
    ("spec/template/metadata/labels", "Deployment", "", "", True),
    ("spec/template/metadata/labels", "ReplicaSet", "", "", True),
    ("spec/template/metadata/labels", "DaemonSet", "", "", True),
    ("spec/template/metadata/labels", "StatefulSet", "apps", "", True),
    ("spec/volumeClaimTemplates[]/metadata/labels", "StatefulSet", "apps", "", True),
    ("spec/template/metadata/labels", "Job", "batch", "", True),
    ("spec/jobTemplate/metadata/labels", "CronJob", "batch", "", True),
    ("spec/jobTemplate/spec/template/metadata/labels", "CronJob", "batch", "", True),
])

# commonLabelFieldSpecs: selectors first, then metadataLabelsFieldSpecs.
COMMON_LABELS = _specs([
    ("spec/selector", "Service", "", "v1", True),
    ("spec/selector", "ReplicationController", "", "v1", True),
    ("spec/selector/matchLabels", "Deployment", "", "", True),
    *((p, "Deployment", "apps", "", False) for p in _AFFINITY),
    ("spec/selector/matchLabels", "ReplicaSet", "", "", True),
    ("spec/selector/matchLabels", "DaemonSet", "", "", True),
    ("spec/selector/matchLabels", "StatefulSet", "apps", "", True),
    *((p, "StatefulSet", "apps", "", False) for p in _AFFINITY),
    ("spec/selector/matchLabels", "Job", "batch", "", False),
    ("spec/jobTemplate/spec/selector/matchLabels", "CronJob", "batch", "", False),
    ("spec/selector/matchLabels", "PodDisruptionBudget", "policy", "", False),
    ("spec/podSelector/matchLabels", "NetworkPolicy", "networking.k8s.io", "", False),
    ("spec/ingress/from/podSelector/matchLabels", "NetworkPolicy", "networking.k8s.io", "", False),
    ("spec/egress/to/podSelector/matchLabels", "NetworkPolicy", "networking.k8s.io", "", False),
]) + METADATA_LABELS

# `labels: includeTemplates` adds the template labels (metadataLabelsFieldSpecs minus metadata/labels).
TEMPLATE_LABELS = METADATA_LABELS[1:]

COMMON_ANNOTATIONS = _specs([
    ("metadata/annotations", "", "", "", True),
    ("spec/template/metadata/annotations", "ReplicationController", "", "v1", True),
    ("spec/template/metadata/annotations", "Deployment", "", "", True),
    ("spec/template/metadata/annotations", "ReplicaSet", "", "", True),
    ("spec/template/metadata/annotations", "DaemonSet", "", "", True),
    ("spec/template/metadata/annotations", "StatefulSet", "", "", True),
    ("spec/template/metadata/annotations", "Job", "batch", "", True),
    ("spec/jobTemplate/metadata/annotations", "CronJob", "batch", "", True),
    ("spec/jobTemplate/spec/template/metadata/annotations", "CronJob", "batch", "", True),
])

NAMESPACE = _specs([
    ("metadata/namespace", "", "", "", True),
    ("metadata/name", "Namespace", "", "", True),
    ("subjects[]/namespace", "RoleBinding", "", "", False),
    ("subjects[]/namespace", "ClusterRoleBinding", "", "", False),
    ("spec/service/namespace", "APIService", "apiregistration.k8s.io", "", True),
    ("spec/conversion/webhook/clientConfig/service/namespace", "CustomResourceDefinition", "apiextensions.k8s.io",
     "", False),
])

IMAGES = _specs([
    ("spec/containers[]/image", "", "", "", True),
    ("spec/initContainers[]/image", "", "", "", True),
    ("spec/volumes[]/image/reference", "", "", "", True),
    ("spec/template/spec/containers[]/image", "", "", "", True),
    ("spec/template/spec/initContainers[]/image", "", "", "", True),
    ("spec/template/spec/volumes[]/image/reference", "", "", "", True),
])

# In kustomize's sorted order (config field specs are sorted by the legacy kind rank, then text).
REPLICAS = _specs([
    ("spec/replicas", "Deployment", "", "", True),
    ("spec/replicas", "StatefulSet", "", "", True),
    ("spec/replicas", "ReplicaSet", "", "", True),
    ("spec/replicas", "ReplicationController", "", "", True),
])
