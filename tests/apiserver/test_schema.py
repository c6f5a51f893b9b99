"""Conformance of the list-merge table with the upstream Go type markers.

Expected values come from k8s.io/api struct tags (patchStrategy/patchMergeKey)
and markers (+listType, +listMapKey, +structType/+mapType=atomic), and from
the CRD structural-schema extensions x-kubernetes-list-type/-list-map-keys.
"""

from __future__ import annotations

import pytest

from tests.apiserver import schema

POD_SPECS = {
    ("", "Pod"): ("spec",),
    ("apps", "Deployment"): ("spec", "template", "spec"),
    ("apps", "StatefulSet"): ("spec", "template", "spec"),
    ("apps", "DaemonSet"): ("spec", "template", "spec"),
    ("apps", "ReplicaSet"): ("spec", "template", "spec"),
    ("batch", "Job"): ("spec", "template", "spec"),
    ("batch", "CronJob"): ("spec", "jobTemplate", "spec", "template", "spec"),
}

# (path under the pod spec, SSA list type, SSA keys, SMP merge key)
POD_SPEC_LISTS = [
    (("containers",), "map", ("name",), "name"),
    (("initContainers",), "map", ("name",), "name"),
    (("ephemeralContainers",), "map", ("name",), "name"),
    (("volumes",), "map", ("name",), "name"),
    (("imagePullSecrets",), "map", ("name",), "name"),
    (("hostAliases",), "map", ("ip",), "ip"),
    (("topologySpreadConstraints",), "map", ("topologyKey", "whenUnsatisfiable"), "topologyKey"),
    (("containers", "ports"), "map", ("containerPort", "protocol"), "containerPort"),
    (("containers", "env"), "map", ("name",), "name"),
    (("containers", "volumeMounts"), "map", ("mountPath",), "mountPath"),
    (("containers", "volumeDevices"), "map", ("devicePath",), "devicePath"),
    (("initContainers", "env"), "map", ("name",), "name"),
    (("tolerations",), "atomic", (), None),
    (("containers", "args"), "atomic", (), None),
    (("containers", "command"), "atomic", (), None),
    (("containers", "envFrom"), "atomic", (), None),
]


@pytest.mark.parametrize("kind", sorted(POD_SPECS), ids=lambda k: k[1])
@pytest.mark.parametrize(("rel", "list_type", "keys", "smp_key"), POD_SPEC_LISTS,
                         ids=lambda v: ".".join(v) if isinstance(v, tuple) else None)
def test_pod_spec_lists_merge_the_same_wherever_the_pod_spec_appears(
        kind: tuple[str, str], rel: tuple[str, ...], list_type: str, keys: tuple[str, ...],
        smp_key: str | None) -> None:
    s = schema.for_kind(*kind)
    path = POD_SPECS[kind] + rel
    assert s.list_type(path) == list_type
    assert s.list_keys(path) == keys
    assert s.patch_merge_key(path) == smp_key
    assert s.merges_list(path) is (smp_key is not None)


@pytest.mark.parametrize(("group", "kind", "path", "list_type", "keys", "smp_key"), [
    ("", "Service", ("spec", "ports"), "map", ("port", "protocol"), "port"),
    ("", "ConfigMap", ("metadata", "ownerReferences"), "map", ("uid",), "uid"),
    ("apps", "Deployment", ("status", "conditions"), "map", ("type",), "type"),
    ("", "Pod", ("status", "conditions"), "map", ("type",), "type"),
    ("rbac.authorization.k8s.io", "RoleBinding", ("subjects",), "atomic", (), None),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding", ("subjects",), "atomic", (), None),
    ("rbac.authorization.k8s.io", "Role", ("rules",), "atomic", (), None),
    ("rbac.authorization.k8s.io", "ClusterRole", ("rules",), "atomic", (), None),
    ("apiextensions.k8s.io", "CustomResourceDefinition", ("spec", "versions"), "atomic", (), None),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", ("webhooks",), "map", ("name",), "name"),
    ("", "ServiceAccount", ("secrets",), "map", ("name",), "name"),
])
def test_builtin_list_rules_follow_the_go_type_markers(group: str, kind: str, path: tuple[str, ...],
                                                     list_type: str, keys: tuple[str, ...],
                                                     smp_key: str | None) -> None:
    s = schema.for_kind(group, kind)
    assert (s.list_type(path), s.list_keys(path), s.patch_merge_key(path)) == (list_type, keys, smp_key)


def test_finalizers_are_a_set_that_strategic_merge_unions() -> None:
    s = schema.for_kind("", "ConfigMap")
    assert s.list_type(("metadata", "finalizers")) == "set"
    assert s.merges_list(("metadata", "finalizers"))
    assert s.patch_merge_key(("metadata", "finalizers")) is None


def test_lists_not_in_the_table_are_atomic_and_replaced_by_strategic_merge() -> None:
    s = schema.for_kind("", "ConfigMap")
    assert s.list_type(("spec", "whatever")) == "atomic"
    assert not s.merges_list(("spec", "whatever"))
    assert schema.for_kind("example.com", "Unknown").list_type(("spec", "items")) == "atomic"


def test_protocol_key_defaults_to_tcp_for_ports() -> None:
    assert schema.for_kind("", "Service").key_defaults(("spec", "ports")) == {"protocol": "TCP"}
    assert schema.for_kind("", "Pod").key_defaults(("spec", "containers", "ports")) == {"protocol": "TCP"}


@pytest.mark.parametrize(("group", "kind", "path"), [
    ("apps", "Deployment", ("spec", "selector")),
    ("batch", "Job", ("spec", "selector")),
    ("", "Service", ("spec", "selector")),
    ("", "Pod", ("spec", "nodeSelector")),
    ("", "Pod", ("spec", "containers", "env", "valueFrom", "secretKeyRef")),
])
def test_selectors_and_key_refs_are_atomic_maps(group: str, kind: str, path: tuple[str, ...]) -> None:
    assert schema.for_kind(group, kind).map_atomic(path)


def test_owner_references_and_pull_secrets_have_atomic_items() -> None:
    assert schema.for_kind("", "Secret").item_atomic(("metadata", "ownerReferences"))
    assert schema.for_kind("", "Pod").item_atomic(("spec", "imagePullSecrets"))
    assert not schema.for_kind("", "Pod").item_atomic(("spec", "containers"))


def test_deployment_strategy_uses_retain_keys() -> None:
    assert schema.for_kind("apps", "Deployment").patch_strategy(("spec", "strategy")) == "retainKeys"
    assert schema.for_kind("", "Pod").patch_strategy(("spec", "volumes")) == "merge,retainKeys"


CRD_SCHEMA = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "properties": {
                "plain": {"type": "array", "items": {"type": "string"}},
                "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
                "targets": {
                    "type": "array",
                    "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["name", "port"],
                    "items": {"type": "object", "properties": {
                        "name": {"type": "string"},
                        "port": {"type": "integer", "default": 80},
                        "aliases": {"type": "array", "x-kubernetes-list-type": "set",
                                    "items": {"type": "string"}},
                    }},
                },
                "ref": {"type": "object", "x-kubernetes-map-type": "atomic"},
                "byName": {"type": "object", "additionalProperties": {
                    "type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}}},
            },
        },
    },
}


@pytest.mark.parametrize(("path", "list_type", "keys"), [
    (("spec", "plain"), "atomic", ()),
    (("spec", "tags"), "set", ()),
    (("spec", "targets"), "map", ("name", "port")),
    (("spec", "targets", "aliases"), "set", ()),
    (("spec", "byName", "anything"), "set", ()),
    (("spec", "missing"), "atomic", ()),
])
def test_crd_lists_follow_x_kubernetes_list_type(path: tuple[str, ...], list_type: str,
                                                 keys: tuple[str, ...]) -> None:
    s = schema.for_kind("example.com", "Widget", CRD_SCHEMA)
    assert (s.list_type(path), s.list_keys(path)) == (list_type, keys)


def test_crd_schema_gives_key_defaults_atomic_maps_and_object_meta_rules() -> None:
    s = schema.for_kind("example.com", "Widget", CRD_SCHEMA)
    assert s.custom
    assert s.key_defaults(("spec", "targets")) == {"port": 80}
    assert s.map_atomic(("spec", "ref"))
    assert s.list_type(("metadata", "finalizers")) == "set"
    assert s.list_keys(("metadata", "ownerReferences")) == ("uid",)
    assert s.patch_merge_key(("spec", "targets")) is None
