"""List-merge knowledge per kind, for the emulator's patch and apply engine.

The real API server knows, from the Go types of every built-in kind (struct
tags ``patchStrategy``/``patchMergeKey`` and markers ``+listType``,
``+listMapKey``, ``+mapType``, ``+structType``) and from a CRD's
``openAPIV3Schema`` (``x-kubernetes-list-type``, ``x-kubernetes-list-map-keys``,
``x-kubernetes-map-type``), how each list and map is merged. Two mechanisms use
that knowledge and they disagree in small ways:

* strategic merge patch (SMP) uses ``patchStrategy`` and a single
  ``patchMergeKey`` (container ports merge on ``containerPort``);
* server-side apply (SSA, structured-merge-diff) uses the list type
  (``atomic``, ``set``, ``map``) and possibly several list-map keys (container
  ports are keyed by ``containerPort`` *and* ``protocol``).

:func:`for_kind` returns a :class:`Schema` answering both, addressed by a path
of field names from the object root; list items do not add a path segment, so
``("spec", "template", "spec", "containers", "ports")`` addresses the ports list
of every container of a Deployment. The table below is transcribed from the
upstream Go types (k8s.io/api); lists not in it are atomic and are replaced by
SMP, which is also the upstream default. Custom resources take their rules from
the CRD schema (lists default to atomic there too), plus the ObjectMeta rules
every object shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FieldRule", "Schema", "for_kind"]

Path = tuple[str, ...]


@dataclass(frozen=True)
class FieldRule:
    """What is known about one list or map field.

    Attributes:
        list_type: SSA list type, ``"atomic"``, ``"set"`` or ``"map"``; None for
            fields that are not lists.
        keys: SSA list-map keys (``x-kubernetes-list-map-keys``).
        key_defaults: Defaults for key fields an item may omit (``protocol``
            defaults to ``"TCP"`` for ports, as the published schema says).
        item_atomic: The list items are atomic structs (``+structType=atomic``,
            e.g. ownerReferences, imagePullSecrets): an item is owned whole.
        map_atomic: The field is an atomic map or struct (LabelSelector,
            Service ``selector``, pod ``nodeSelector``, ...).
        patch_strategy: SMP strategy, ``"merge"``, ``"retainKeys"``,
            ``"merge,retainKeys"`` or ``"replace"``; None means the default
            (maps merge, lists are replaced).
        patch_merge_key: SMP merge key for lists of maps.
    """

    list_type: str | None = None
    keys: tuple[str, ...] = ()
    key_defaults: Mapping[str, Any] = field(default_factory=dict)
    item_atomic: bool = False
    map_atomic: bool = False
    patch_strategy: str | None = None
    patch_merge_key: str | None = None


def _mlist(*keys: str, smp_key: str | None = None, strategy: str = "merge",
           defaults: Mapping[str, Any] | None = None, item_atomic: bool = False) -> FieldRule:
    """A list-map: SSA keys ``keys``, SMP merge key ``smp_key`` (default: first key)."""
    return FieldRule(list_type="map", keys=keys, key_defaults=dict(defaults or {}),
                     item_atomic=item_atomic, patch_strategy=strategy,
                     patch_merge_key=smp_key or keys[0])


ATOMIC = FieldRule(list_type="atomic")
ATOMIC_MAP = FieldRule(map_atomic=True)
SET_MERGE = FieldRule(list_type="set", patch_strategy="merge")
CONDITIONS = _mlist("type")
_TCP = {"protocol": "TCP"}

#: ObjectMeta (every kind, and embedded object metadata such as pod templates).
OBJECT_META: dict[Path, FieldRule] = {
    ("finalizers",): SET_MERGE,
    ("ownerReferences",): _mlist("uid", item_atomic=True),
    ("managedFields",): ATOMIC,
}

#: core/v1 Container and EphemeralContainer.
CONTAINER: dict[Path, FieldRule] = {
    ("ports",): _mlist("containerPort", "protocol", smp_key="containerPort", defaults=_TCP),
    ("env",): _mlist("name"),
    ("env", "valueFrom", "configMapKeyRef"): ATOMIC_MAP,
    ("env", "valueFrom", "secretKeyRef"): ATOMIC_MAP,
    ("env", "valueFrom", "fieldRef"): ATOMIC_MAP,
    ("env", "valueFrom", "resourceFieldRef"): ATOMIC_MAP,
    ("envFrom",): ATOMIC,
    ("volumeMounts",): _mlist("mountPath"),
    ("volumeDevices",): _mlist("devicePath"),
    ("resizePolicy",): ATOMIC,
    ("resources", "claims"): FieldRule(list_type="map", keys=("name",)),
    ("command",): ATOMIC,
    ("args",): ATOMIC,
}

#: core/v1 PodSpec.
POD_SPEC: dict[Path, FieldRule] = {
    ("volumes",): _mlist("name", strategy="merge,retainKeys"),
    ("initContainers",): _mlist("name"),
    ("containers",): _mlist("name"),
    ("ephemeralContainers",): _mlist("name"),
    ("imagePullSecrets",): _mlist("name", item_atomic=True),
    ("hostAliases",): _mlist("ip"),
    ("tolerations",): ATOMIC,
    ("topologySpreadConstraints",): _mlist("topologyKey", "whenUnsatisfiable", smp_key="topologyKey"),
    ("topologySpreadConstraints", "labelSelector"): ATOMIC_MAP,
    ("schedulingGates",): _mlist("name"),
    ("resourceClaims",): _mlist("name", strategy="merge,retainKeys"),
    ("readinessGates",): ATOMIC,
    ("nodeSelector",): ATOMIC_MAP,
    ("affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"): ATOMIC_MAP,
}
for _name in ("containers", "initContainers", "ephemeralContainers"):
    POD_SPEC.update({(_name, *path): rule for path, rule in CONTAINER.items()})

#: A PodTemplateSpec (metadata + spec), relative to the template.
POD_TEMPLATE: dict[Path, FieldRule] = {
    **{("metadata", *p): r for p, r in OBJECT_META.items()},
    **{("spec", *p): r for p, r in POD_SPEC.items()},
}


def _under(prefix: Path, rules: Mapping[Path, FieldRule]) -> dict[Path, FieldRule]:
    return {(*prefix, *p): r for p, r in rules.items()}


_STATUS_CONDITIONS = {("status", "conditions"): CONDITIONS}
_WORKLOAD = {
    ("spec", "selector"): ATOMIC_MAP,
    **_under(("spec", "template"), POD_TEMPLATE),
    **_STATUS_CONDITIONS,
}
_JOB_SPEC = {("selector",): ATOMIC_MAP, **_under(("template",), POD_TEMPLATE)}

#: (group, kind) -> rules, in addition to OBJECT_META under ``metadata``.
BUILTIN: dict[tuple[str, str], dict[Path, FieldRule]] = {
    ("", "Pod"): {
        **_under(("spec",), POD_SPEC),
        **_STATUS_CONDITIONS,
        ("status", "podIPs"): _mlist("ip"),
        ("status", "hostIPs"): _mlist("ip"),
    },
    ("", "PodTemplate"): _under(("template",), POD_TEMPLATE),
    ("", "ReplicationController"): {
        ("spec", "selector"): ATOMIC_MAP,
        **_under(("spec", "template"), POD_TEMPLATE),
        **_STATUS_CONDITIONS,
    },
    ("", "Service"): {
        ("spec", "ports"): _mlist("port", "protocol", smp_key="port", defaults=_TCP),
        ("spec", "selector"): ATOMIC_MAP,
        **_STATUS_CONDITIONS,
    },
    ("", "ServiceAccount"): {("secrets",): _mlist("name")},
    ("", "Namespace"): {("spec", "finalizers"): ATOMIC, **_STATUS_CONDITIONS},
    ("", "Node"): {
        ("spec", "podCIDRs"): SET_MERGE,
        ("spec", "taints"): ATOMIC,
        **_STATUS_CONDITIONS,
        ("status", "addresses"): _mlist("type"),
    },
    ("", "PersistentVolumeClaim"): {("spec", "selector"): ATOMIC_MAP, **_STATUS_CONDITIONS},
    ("", "PersistentVolume"): {("spec", "claimRef"): ATOMIC_MAP},
    ("apps", "Deployment"): {**_WORKLOAD, ("spec", "strategy"): FieldRule(patch_strategy="retainKeys")},
    ("apps", "ReplicaSet"): dict(_WORKLOAD),
    ("apps", "DaemonSet"): dict(_WORKLOAD),
    ("apps", "StatefulSet"): dict(_WORKLOAD),
    ("batch", "Job"): {
        **_under(("spec",), _JOB_SPEC),
        # JobStatus.Conditions: +patchStrategy=merge +patchMergeKey=type +listType=atomic
        ("status", "conditions"): FieldRule(list_type="atomic", patch_strategy="merge",
                                            patch_merge_key="type"),
    },
    ("batch", "CronJob"): {
        **_under(("spec", "jobTemplate"), {
            **{("metadata", *p): r for p, r in OBJECT_META.items()},
            **_under(("spec",), _JOB_SPEC),
        }),
        ("status", "active"): ATOMIC,
    },
    ("networking.k8s.io", "NetworkPolicy"): {("spec", "podSelector"): ATOMIC_MAP},
    ("policy", "PodDisruptionBudget"): {("spec", "selector"): ATOMIC_MAP, **_STATUS_CONDITIONS},
    ("autoscaling", "HorizontalPodAutoscaler"): dict(_STATUS_CONDITIONS),
    ("apiextensions.k8s.io", "CustomResourceDefinition"): {
        # CustomResourceDefinitionSpec.Versions is +listType=atomic upstream: SSA conflicts
        # are reported on ".spec.versions" as a whole, and SMP replaces the list.
        ("spec", "versions"): ATOMIC,
        **_STATUS_CONDITIONS,
    },
    ("apiregistration.k8s.io", "APIService"): dict(_STATUS_CONDITIONS),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"): {("webhooks",): _mlist("name")},
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"): {("webhooks",): _mlist("name")},
    # RBAC: rules and subjects are +listType=atomic without a patch strategy.
    ("rbac.authorization.k8s.io", "Role"): {("rules",): ATOMIC},
    ("rbac.authorization.k8s.io", "ClusterRole"): {("rules",): ATOMIC},
    ("rbac.authorization.k8s.io", "RoleBinding"): {("subjects",): ATOMIC},
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): {("subjects",): ATOMIC},
}


class Schema:
    """Merge rules of one kind, addressed by field-name paths from the object root.

    Args:
        rules: Path -> rule for the fields that have one.
        crd_schema: A CRD version's ``openAPIV3Schema``; consulted for paths
            without a rule in ``rules``.
        custom: True for custom resources (the real server refuses SMP for them).
    """

    def __init__(self, rules: Mapping[Path, FieldRule], crd_schema: Mapping[str, Any] | None = None,
                 *, custom: bool = False) -> None:
        self._rules = dict(rules)
        self._crd = crd_schema
        self.custom = custom

    def rule(self, path: Path) -> FieldRule | None:
        """The rule for ``path``, from the table or the CRD schema; None if nothing is known."""
        path = tuple(path)
        found = self._rules.get(path)
        if found is not None or self._crd is None:
            return found
        return _crd_rule(self._crd, path)

    def list_type(self, path: Path) -> str:
        """SSA list type of the list at ``path``: ``atomic`` (the default), ``set`` or ``map``."""
        found = self.rule(path)
        return found.list_type if found is not None and found.list_type else "atomic"

    def list_keys(self, path: Path) -> tuple[str, ...]:
        """SSA list-map keys of the list at ``path`` (empty unless it is a map list)."""
        found = self.rule(path)
        return found.keys if found is not None and found.list_type == "map" else ()

    def key_defaults(self, path: Path) -> Mapping[str, Any]:
        """Defaults of list-map key fields that items may omit."""
        found = self.rule(path)
        return found.key_defaults if found is not None else {}

    def item_atomic(self, path: Path) -> bool:
        """Whether items of the list at ``path`` are atomic structs."""
        found = self.rule(path)
        return bool(found and found.item_atomic)

    def map_atomic(self, path: Path) -> bool:
        """Whether the map or struct at ``path`` is atomic (replaced and owned whole)."""
        found = self.rule(path)
        return bool(found and found.map_atomic)

    def patch_strategy(self, path: Path) -> str | None:
        """SMP patch strategy of ``path`` (None: maps merge, lists are replaced)."""
        found = self.rule(path)
        return found.patch_strategy if found is not None else None

    def patch_merge_key(self, path: Path) -> str | None:
        """SMP merge key of the list of maps at ``path``, if it merges by key."""
        found = self.rule(path)
        return found.patch_merge_key if found is not None else None

    def merges_list(self, path: Path) -> bool:
        """Whether SMP merges (rather than replaces) the list at ``path``."""
        strategy = self.patch_strategy(path) or ""
        return "merge" in strategy.split(",")


def _crd_node(root: Mapping[str, Any], path: Path) -> Mapping[str, Any] | None:
    node: Mapping[str, Any] | None = root
    for segment in path:
        if node is None:
            return None
        while node.get("type") == "array" and isinstance(node.get("items"), Mapping):
            node = node["items"]
        props = node.get("properties") or {}
        if segment in props:
            node = props[segment]
        elif isinstance(node.get("additionalProperties"), Mapping):
            node = node["additionalProperties"]
        else:
            return None
    return node


def _crd_rule(root: Mapping[str, Any], path: Path) -> FieldRule | None:
    node = _crd_node(root, path)
    if node is None:
        return None
    if node.get("type") == "array":
        items = node.get("items") if isinstance(node.get("items"), Mapping) else {}
        list_type = node.get("x-kubernetes-list-type", "atomic")
        keys = tuple(node.get("x-kubernetes-list-map-keys") or ()) if list_type == "map" else ()
        props = items.get("properties") or {}
        defaults = {k: props[k]["default"] for k in keys
                    if isinstance(props.get(k), Mapping) and "default" in props[k]}
        return FieldRule(list_type=list_type, keys=keys, key_defaults=defaults,
                         item_atomic=items.get("x-kubernetes-map-type") == "atomic")
    if node.get("x-kubernetes-map-type") == "atomic":
        return ATOMIC_MAP
    return None


def for_kind(group: str, kind: str, crd_schema: Mapping[str, Any] | None = None) -> Schema:
    """The merge rules of ``kind`` in API ``group`` (``""`` for core).

    Args:
        group: API group, ``""`` for the core group.
        kind: Kind name, e.g. ``"Deployment"``.
        crd_schema: For custom resources, the served version's ``openAPIV3Schema``.

    Returns:
        A Schema; unknown kinds get the ObjectMeta rules and atomic lists.
    """
    rules: dict[Path, FieldRule] = _under(("metadata",), OBJECT_META)
    rules.update(BUILTIN.get((group, kind), {}))
    custom = crd_schema is not None and (group, kind) not in BUILTIN
    return Schema(rules, crd_schema, custom=custom)
