"""Server-side apply, managedFields and fieldsV1 against the Kubernetes docs.

Sources: the Kubernetes docs "Server-Side Apply" (field management, conflicts,
merge strategy, removal, transferring ownership) and structured-merge-diff's
fieldsV1 format. Patches other than apply are in test_merge.py.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.apiserver import schema
from tests.apiserver.merge import (
    ApplyConflict, PatchError, apply, field_paths, fields_set, update_managed_fields,
)

T0, T1, T2 = "2024-01-01T00:00:00Z", "2024-01-01T00:01:00Z", "2024-01-01T00:02:00Z"
CM = schema.for_kind("", "ConfigMap")
DEPLOY = schema.for_kind("apps", "Deployment")


def _cm(data: dict[str, Any] | None = None, **meta: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap",
                           "metadata": {"name": "test-cm", "namespace": "default", **meta}}
    if data is not None:
        obj["data"] = data
    return obj


def _deploy(replicas: int | None = None, containers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if replicas is not None:
        spec["replicas"] = replicas
    if containers is not None:
        spec["template"] = {"spec": {"containers": containers}}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "nginx", "namespace": "default"},
            "spec": spec}


def _entries(obj: dict[str, Any]) -> dict[tuple[str, str], list[str]]:
    return {(e["manager"], e["operation"]): field_paths(e["fieldsV1"]) for e in obj["metadata"]["managedFields"]}


def _create(obj: dict[str, Any], manager: str, sch: schema.Schema, api_version: str = "v1") -> dict[str, Any]:
    out = copy.deepcopy(obj)
    out["metadata"]["managedFields"] = update_managed_fields(None, obj, manager=manager, operation="Update",
                                                             schema=sch, now=T0, api_version=api_version)
    return out


def test_apply_records_the_docs_configmap_example_fields() -> None:
    out = apply(None, _cm({"key": "some value"}, labels={"test-label": "test"}),
                manager="kubectl", force=False, schema=CM, now=T0)
    assert out["metadata"]["managedFields"] == [{
        "manager": "kubectl", "operation": "Apply", "apiVersion": "v1", "time": T0, "fieldsType": "FieldsV1",
        "fieldsV1": {"f:data": {"f:key": {}}, "f:metadata": {"f:labels": {"f:test-label": {}}}},
    }]
    assert out["data"] == {"key": "some value"} and out["metadata"]["name"] == "test-cm"


@pytest.mark.parametrize(("obj", "sch", "expected"), [
    (_cm(), CM, {}),
    (_deploy(containers=[{"name": "c", "ports": [{"containerPort": 80}], "args": ["-v"]}]), DEPLOY,
     {"f:spec": {"f:template": {"f:spec": {"f:containers": {'k:{"name":"c"}': {
         ".": {}, "f:args": {}, "f:name": {},
         "f:ports": {'k:{"containerPort":80,"protocol":"TCP"}': {".": {}, "f:containerPort": {}}}}}}}}}),
    ({"metadata": {"name": "x", "finalizers": ["a"], "ownerReferences": [{"uid": "u1", "kind": "K"}]}}, CM,
     {"f:metadata": {"f:finalizers": {'v:"a"': {}}, "f:ownerReferences": {'k:{"uid":"u1"}': {}}}}),
    ({"spec": {"selector": {"matchLabels": {"app": "x"}}}}, DEPLOY, {"f:spec": {"f:selector": {}}}),
    ({"metadata": {"uid": "1", "resourceVersion": "2", "generation": 3, "creationTimestamp": T0}}, CM, {}),
])
def test_fields_set_follows_the_fieldsv1_format(obj: dict[str, Any], sch: schema.Schema,
                                                expected: dict[str, Any]) -> None:
    assert fields_set(obj, sch) == expected


def test_field_paths_print_keys_like_structured_merge_diff() -> None:
    fields = fields_set(_deploy(containers=[{"name": "c", "ports": [{"containerPort": 80}]}]), DEPLOY)
    assert field_paths(fields) == [
        '.spec.template.spec.containers[name="c"]',
        '.spec.template.spec.containers[name="c"].name',
        '.spec.template.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"]',
        '.spec.template.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"].containerPort',
    ]


def test_field_paths_print_set_values_and_accept_any_key_formatting() -> None:
    fields = {"f:metadata": {"f:finalizers": {'v:"a"': {}}}, "f:spec": {"f:ports": {
        'k:{"protocol": "TCP", "port": 80}': {".": {}, "f:port": {}}}}}
    assert field_paths(fields) == ['.metadata.finalizers[="a"]', '.spec.ports[port=80,protocol="TCP"]',
                                   '.spec.ports[port=80,protocol="TCP"].port']


def test_status_is_neither_applied_nor_owned_when_the_kind_has_a_status_subresource() -> None:
    live = _create(_deploy(1) | {"status": {"replicas": 1}}, "kube-controller-manager", DEPLOY, "apps/v1")
    out = apply(live, _deploy(1) | {"status": {"replicas": 9}}, manager="flux", force=False, schema=DEPLOY,
                now=T1, ignore_status=True)
    assert out["status"] == {"replicas": 1}
    assert _entries(out)[("flux", "Apply")] == [".spec.replicas"]


def test_conflict_with_an_update_manager_reads_like_the_docs() -> None:
    live = _create(_deploy(3), "kubectl-client-side-apply", DEPLOY, "apps/v1")
    with pytest.raises(ApplyConflict) as err:
        apply(live, _deploy(2), manager="kubectl", force=False, schema=DEPLOY, now=T1)
    assert err.value.conflicts == [("kubectl-client-side-apply", ".spec.replicas")]
    assert err.value.message() == ('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" '
                                   "using apps/v1: .spec.replicas")
    assert err.value.causes() == [{"reason": "FieldManagerConflict", "field": ".spec.replicas",
                                   "message": 'conflict with "kubectl-client-side-apply" using apps/v1'}]


def test_conflicts_with_several_fields_are_grouped_by_manager() -> None:
    live = apply(None, _cm({"a": "1", "b": "1"}), manager="alice", force=False, schema=CM, now=T0)
    with pytest.raises(ApplyConflict) as err:
        apply(live, _cm({"a": "2", "b": "2"}), manager="bob", force=False, schema=CM, now=T1)
    assert err.value.message("configmaps") == 'Apply failed with 2 conflicts: conflicts with "alice":\n- .data.a\n- .data.b'


def test_applying_the_same_value_shares_ownership_without_conflict() -> None:
    live = apply(None, _cm({"a": "1"}), manager="alice", force=False, schema=CM, now=T0)
    out = apply(live, _cm({"a": "1"}), manager="bob", force=False, schema=CM, now=T1)
    assert _entries(out) == {("alice", "Apply"): [".data.a"], ("bob", "Apply"): [".data.a"]}


def test_force_moves_ownership_and_drops_the_emptied_entry() -> None:
    live = _create(_deploy(3), "kubectl-client-side-apply", DEPLOY, "apps/v1")
    out = apply(live, _deploy(2), manager="kubectl", force=True, schema=DEPLOY, now=T1)
    assert out["spec"]["replicas"] == 2
    assert _entries(out) == {("kubectl", "Apply"): [".spec.replicas"]}


def test_force_keeps_the_other_managers_remaining_fields() -> None:
    live = apply(None, _cm({"a": "1", "b": "1"}), manager="alice", force=False, schema=CM, now=T0)
    out = apply(live, _cm({"a": "2"}), manager="bob", force=True, schema=CM, now=T1)
    assert out["data"] == {"a": "2", "b": "1"}
    assert _entries(out) == {("alice", "Apply"): [".data.b"], ("bob", "Apply"): [".data.a"]}
    assert [e["time"] for e in out["metadata"]["managedFields"]] == [T0, T1]


def test_fields_left_out_of_the_next_apply_are_removed() -> None:
    live = apply(None, _cm({"a": "1", "b": "2"}, labels={"x": "1"}), manager="flux", force=False, schema=CM, now=T0)
    out = apply(live, _cm({"a": "1"}), manager="flux", force=False, schema=CM, now=T1)
    assert out["data"] == {"a": "1"}
    assert "labels" not in out["metadata"]
    assert _entries(out) == {("flux", "Apply"): [".data.a"]}


def test_fields_left_out_stay_when_another_manager_owns_them() -> None:
    live = apply(None, _cm({"a": "1", "b": "2"}), manager="flux", force=False, schema=CM, now=T0)
    live = apply(live, _cm({"b": "2"}), manager="helm", force=False, schema=CM, now=T1)
    out = apply(live, _cm({"a": "1"}), manager="flux", force=False, schema=CM, now=T2)
    assert out["data"] == {"a": "1", "b": "2"}
    assert _entries(out) == {("flux", "Apply"): [".data.a"], ("helm", "Apply"): [".data.b"]}


def test_list_items_left_out_of_the_next_apply_are_removed() -> None:
    live = apply(None, _deploy(containers=[{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]),
                 manager="flux", force=False, schema=DEPLOY, now=T0)
    out = apply(live, _deploy(containers=[{"name": "a", "image": "x"}]), manager="flux", force=False,
                schema=DEPLOY, now=T1)
    assert out["spec"]["template"]["spec"]["containers"] == [{"name": "a", "image": "x"}]


def test_map_lists_merge_by_key_and_keep_other_managers_items_in_place() -> None:
    live = _create(_deploy(containers=[{"name": "sidecar", "image": "s"}, {"name": "app", "image": "v1"}]),
                   "injector", DEPLOY, "apps/v1")
    out = apply(live, _deploy(containers=[{"name": "app", "image": "v1", "args": ["-x"]}]),
                manager="flux", force=False, schema=DEPLOY, now=T1)
    assert out["spec"]["template"]["spec"]["containers"] == [
        {"name": "sidecar", "image": "s"}, {"name": "app", "image": "v1", "args": ["-x"]}]


def test_set_lists_union_and_atomic_lists_are_replaced() -> None:
    live = _create(_cm(finalizers=["keep"]) | {"spec": {"args": ["a", "b"]}}, "other", CM)
    out = apply(live, _cm(finalizers=["mine"]) | {"spec": {"args": ["c"]}}, manager="flux", force=True,
                schema=CM, now=T1)
    assert out["metadata"]["finalizers"] == ["keep", "mine"]
    assert out["spec"]["args"] == ["c"]


def test_apply_order_follows_the_configuration_for_its_items() -> None:
    live = apply(None, _deploy(containers=[{"name": "a"}, {"name": "b"}]), manager="flux", force=False,
                 schema=DEPLOY, now=T0)
    out = apply(live, _deploy(containers=[{"name": "b"}, {"name": "a"}]), manager="flux", force=False,
                schema=DEPLOY, now=T1)
    assert [c["name"] for c in out["spec"]["template"]["spec"]["containers"]] == ["b", "a"]


def test_a_live_object_without_managed_fields_is_owned_by_before_first_apply() -> None:
    live = _cm({"key": "old"})
    with pytest.raises(ApplyConflict) as err:
        apply(live, _cm({"key": "new"}), manager="flux", force=False, schema=CM, now=T1)
    assert err.value.message() == 'Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .data.key'


def test_reapplying_the_same_configuration_changes_nothing_but_the_time() -> None:
    first = apply(None, _deploy(2, [{"name": "a", "image": "x"}]), manager="flux", force=False, schema=DEPLOY, now=T0)
    second = apply(first, _deploy(2, [{"name": "a", "image": "x"}]), manager="flux", force=False, schema=DEPLOY,
                   now=T1)
    assert {k: v for k, v in second.items() if k != "metadata"} == {k: v for k, v in first.items() if k != "metadata"}
    assert second["metadata"]["managedFields"][0]["fieldsV1"] == first["metadata"]["managedFields"][0]["fieldsV1"]


def test_apply_does_not_modify_its_arguments() -> None:
    live = apply(None, _cm({"a": "1"}), manager="flux", force=False, schema=CM, now=T0)
    config = _cm({"b": None, "c": "3"})
    before_live, before_config = copy.deepcopy(live), copy.deepcopy(config)
    apply(live, config, manager="flux", force=False, schema=CM, now=T1)
    assert (live, config) == (before_live, before_config)


@pytest.mark.parametrize(("containers", "message"), [
    ([{"image": "x"}], '.spec.template.spec.containers: element 0: associative list with keys has an element '
                       'that omits key field "name" (and doesn\'t have default value)'),
    ([{"name": "a"}, {"name": "a"}], '.spec.template.spec.containers: duplicate entries for key [name="a"]'),
])
def test_apply_rejects_list_items_without_a_unique_key(containers: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(PatchError) as err:
        apply(None, _deploy(containers=containers), manager="flux", force=False, schema=DEPLOY, now=T0)
    assert err.value.message == message


def test_create_gives_the_creator_every_field() -> None:
    created = _create(_cm({"a": "1"}, labels={"l": "v"}), "kubectl-create", CM)
    assert _entries(created) == {("kubectl-create", "Update"): [".data.a", ".metadata.labels.l"]}
    assert created["metadata"]["managedFields"][0]["apiVersion"] == "v1"


def test_an_update_takes_changed_fields_from_the_applier() -> None:
    live = apply(None, _deploy(2, [{"name": "a", "image": "x"}]), manager="flux", force=False, schema=DEPLOY, now=T0)
    new = copy.deepcopy(live)
    new["spec"]["replicas"] = 5
    managed = update_managed_fields(live, new, manager="hpa", operation="Update", schema=DEPLOY, now=T1)
    new["metadata"]["managedFields"] = managed
    assert _entries(new)[("hpa", "Update")] == [".spec.replicas"]
    assert ".spec.replicas" not in _entries(new)[("flux", "Apply")]
    with pytest.raises(ApplyConflict) as err:
        apply(new, _deploy(2, [{"name": "a", "image": "x"}]), manager="flux", force=False, schema=DEPLOY, now=T2)
    assert err.value.conflicts == [("hpa", ".spec.replicas")]


def test_an_update_that_changes_nothing_records_nothing() -> None:
    live = apply(None, _cm({"a": "1"}), manager="flux", force=False, schema=CM, now=T0)
    assert update_managed_fields(live, copy.deepcopy(live), manager="x", operation="Update", schema=CM,
                                 now=T1) == live["metadata"]["managedFields"]


def test_removed_fields_leave_every_managers_set() -> None:
    live = apply(None, _cm({"a": "1", "b": "2"}), manager="flux", force=False, schema=CM, now=T0)
    new = copy.deepcopy(live)
    del new["data"]["b"]
    managed = update_managed_fields(live, new, manager="editor", operation="Update", schema=CM, now=T1)
    assert [(e["manager"], field_paths(e["fieldsV1"])) for e in managed] == [("flux", [".data.a"])]


def test_sending_an_empty_managed_fields_list_resets_them() -> None:
    live = apply(None, _cm({"a": "1"}), manager="flux", force=False, schema=CM, now=T0)
    new = copy.deepcopy(live)
    new["metadata"]["managedFields"] = []
    assert update_managed_fields(live, new, manager="x", operation="Update", schema=CM, now=T1) == []


def test_update_entries_merge_per_manager_api_version_and_subresource() -> None:
    live = _create(_deploy(1), "ctl", DEPLOY, "apps/v1")
    new = copy.deepcopy(live) | {"status": {"replicas": 1}}
    managed = update_managed_fields(live, new, manager="ctl", operation="Update", schema=DEPLOY, now=T1,
                                    subresource="status")
    assert [(e["manager"], e.get("subresource", ""), field_paths(e["fieldsV1"])) for e in managed] == [
        ("ctl", "", [".spec.replicas"]), ("ctl", "status", [".status.replicas"])]


def test_apply_to_the_status_subresource_changes_only_status() -> None:
    live = apply(None, _deploy(1), manager="flux", force=False, schema=DEPLOY, now=T0, ignore_status=True)
    out = apply(live, _deploy(7) | {"status": {"replicas": 1}}, manager="ctl", force=False, schema=DEPLOY,
                now=T1, subresource="status")
    assert out["spec"] == {"replicas": 1} and out["status"] == {"replicas": 1}
    assert [(e["manager"], e.get("subresource", ""), field_paths(e["fieldsV1"]))
            for e in out["metadata"]["managedFields"]] == [
        ("flux", "", [".spec.replicas"]), ("ctl", "status", [".status.replicas"])]
