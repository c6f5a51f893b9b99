"""JSON merge patch, JSON patch and strategic merge patch against documented examples.

Sources: RFC 7386 appendix A, RFC 6902 appendix A, the Kubernetes task "Update
API Objects in Place Using kubectl patch" and the SIG API Machinery design note
on strategic merge patch. Server-side apply is in test_merge_ssa.py.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.apiserver import schema
from tests.apiserver.merge import PatchError, json_patch, merge_patch, strategic_merge_patch

# RFC 7386, Appendix A: (original, patch, result)
RFC7386 = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("original", "patch", "result"), RFC7386)
def test_merge_patch_matches_rfc7386_appendix_a(original: Any, patch: Any, result: Any) -> None:
    before = copy.deepcopy(original)
    assert merge_patch(original, patch) == result
    assert original == before


def test_merge_patch_replaces_lists_such_as_containers_whole() -> None:
    live = {"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}
    assert merge_patch(live, {"spec": {"containers": [{"name": "c"}]}}) == {"spec": {"containers": [{"name": "c"}]}}


# RFC 6902, Appendix A: (document, patch, result)
RFC6902 = [
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}], {"baz": "qux", "foo": "bar"}),
    ({"foo": ["bar", "baz"]}, [{"op": "add", "path": "/foo/1", "value": "qux"}], {"foo": ["bar", "qux", "baz"]}),
    ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
    ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),
    ({"baz": "qux", "foo": "bar"}, [{"op": "replace", "path": "/baz", "value": "boo"}],
     {"baz": "boo", "foo": "bar"}),
    ({"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
     [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
     {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}}),
    ({"foo": ["all", "grass", "cows", "eat"]}, [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
     {"foo": ["all", "cows", "eat", "grass"]}),
    ({"baz": "qux", "foo": ["a", 2, "c"]},
     [{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}],
     {"baz": "qux", "foo": ["a", 2, "c"]}),
    ({"foo": "bar"}, [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
     {"foo": "bar", "child": {"grandchild": {}}}),
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}], {"foo": "bar", "baz": "qux"}),
    ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": 10}], {"/": 9, "~1": 10}),
    ({"foo": ["bar"]}, [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}], {"foo": ["bar", ["abc", "def"]]}),
    ({"a/b": {"m~n": 1}}, [{"op": "copy", "from": "/a~1b/m~0n", "path": "/c"}], {"a/b": {"m~n": 1}, "c": 1}),
    ({"a": 1}, [{"op": "replace", "path": "", "value": {"b": 2}}], {"b": 2}),
]


@pytest.mark.parametrize(("doc", "ops", "result"), RFC6902)
def test_json_patch_matches_rfc6902_appendix_a(doc: Any, ops: list[dict[str, Any]], result: Any) -> None:
    before = copy.deepcopy(doc)
    assert json_patch(doc, ops) == result
    assert doc == before


@pytest.mark.parametrize(("doc", "ops", "message"), [
    ({"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "bar"}], "testing value /baz failed: test failed"),
    ({"foo": "bar"}, [{"op": "add", "path": "/baz/bat", "value": "qux"}],
     'add operation does not apply: doc is missing path: "/baz/bat": missing value'),
    ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": "10"}], "testing value /~01 failed: test failed"),
    ({"a": 1}, [{"op": "replace", "path": "/b", "value": 2}],
     "replace operation does not apply: doc is missing key: /b: missing value"),
    ({"a": 1}, [{"op": "remove", "path": "/b"}],
     "error in remove for path: '/b': unable to remove nonexistent key: b: missing value"),
    ({"a": [1]}, [{"op": "add", "path": "/a/5", "value": 2}],
     "Unable to access invalid index: 5: invalid index referenced"),
    ({"a": 1}, [{"op": "move", "from": "/x", "path": "/y"}],
     "move operation does not apply: doc is missing from path: /x: missing value"),
    ({"a": 1}, [{"op": "frobnicate", "path": "/a"}], "Unexpected kind: frobnicate"),
    ({"a": True}, [{"op": "test", "path": "/a", "value": 1}], "testing value /a failed: test failed"),
])
def test_json_patch_failures_read_like_the_api_server(doc: Any, ops: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(PatchError) as err:
        json_patch(doc, ops)
    assert err.value.message == message


def test_json_patch_is_all_or_nothing() -> None:
    doc = {"a": 1}
    with pytest.raises(PatchError):
        json_patch(doc, [{"op": "add", "path": "/b", "value": 2}, {"op": "test", "path": "/a", "value": 9}])
    assert doc == {"a": 1}


DEPLOY = schema.for_kind("apps", "Deployment")
POD = schema.for_kind("", "Pod")
CM = schema.for_kind("", "ConfigMap")


def _deployment(containers: list[dict[str, Any]], **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "patch-demo"},
            "spec": {"replicas": 2, "template": {"spec": {"containers": containers, **spec}}}}


def test_smp_adds_a_container_by_merge_key_as_in_the_kubectl_patch_docs() -> None:
    live = _deployment([{"name": "patch-demo-ctr", "image": "nginx"}])
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "patch-demo-ctr-2", "image": "redis"}]}}}}
    out = strategic_merge_patch(live, patch, DEPLOY)
    # The docs' output lists the new container first: patch items not in the live list
    # sort ahead of live-only items (apimachinery mergeSortedSlice).
    assert out["spec"]["template"]["spec"]["containers"] == [
        {"name": "patch-demo-ctr-2", "image": "redis"}, {"name": "patch-demo-ctr", "image": "nginx"}]
    assert out["spec"]["replicas"] == 2


def test_smp_replaces_tolerations_which_have_no_patch_strategy() -> None:
    live = _deployment([{"name": "c"}], tolerations=[{"key": "dedicated", "value": "test-team"}])
    patch = {"spec": {"template": {"spec": {"tolerations": [{"effect": "NoSchedule", "key": "disktype",
                                                              "value": "ssd"}]}}}}
    out = strategic_merge_patch(live, patch, DEPLOY)
    assert out["spec"]["template"]["spec"]["tolerations"] == [{"effect": "NoSchedule", "key": "disktype",
                                                               "value": "ssd"}]


def test_smp_updates_the_container_with_the_same_name_in_place() -> None:
    live = _deployment([{"name": "a", "image": "nginx:1", "ports": [{"containerPort": 80}]}, {"name": "b"}])
    patch = {"spec": {"template": {"spec": {"containers": [
        {"name": "a", "image": "nginx:2", "ports": [{"containerPort": 443}]}]}}}}
    containers = strategic_merge_patch(live, patch, DEPLOY)["spec"]["template"]["spec"]["containers"]
    assert containers == [{"name": "a", "image": "nginx:2", "ports": [{"containerPort": 443}, {"containerPort": 80}]},
                          {"name": "b"}]


def test_smp_retain_keys_drops_unlisted_keys_as_in_the_kubectl_patch_docs() -> None:
    live = {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "30%"}}}}
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    assert strategic_merge_patch(live, patch, DEPLOY) == {"spec": {"strategy": {"type": "Recreate"}}}


def test_smp_null_deletes_a_map_key() -> None:
    live = {"metadata": {"labels": {"a": "1", "b": "2"}}}
    assert strategic_merge_patch(live, {"metadata": {"labels": {"a": None}}}, CM) == {"metadata": {"labels": {"b": "2"}}}


def test_smp_patch_delete_in_a_list_item_removes_the_item_with_that_key() -> None:
    live = {"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}
    patch = {"spec": {"containers": [{"name": "a", "$patch": "delete"}]}}
    assert strategic_merge_patch(live, patch, POD) == {"spec": {"containers": [{"name": "b"}]}}


def test_smp_patch_replace_in_a_list_replaces_the_whole_list() -> None:
    live = {"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}
    patch = {"spec": {"containers": [{"name": "c", "image": "x"}, {"$patch": "replace"}]}}
    assert strategic_merge_patch(live, patch, POD) == {"spec": {"containers": [{"name": "c", "image": "x"}]}}


def test_smp_patch_replace_in_a_map_replaces_the_map() -> None:
    live = {"metadata": {"labels": {"a": "1", "b": "2"}}}
    patch = {"metadata": {"labels": {"$patch": "replace", "c": "3"}}}
    assert strategic_merge_patch(live, patch, CM) == {"metadata": {"labels": {"c": "3"}}}


def test_smp_patch_delete_in_a_map_removes_the_map() -> None:
    live = {"metadata": {"name": "x", "labels": {"a": "1"}}}
    assert strategic_merge_patch(live, {"metadata": {"labels": {"$patch": "delete"}}}, CM) == {"metadata": {"name": "x"}}


def test_smp_patch_merge_in_a_map_merges() -> None:
    live = {"metadata": {"labels": {"a": "1"}}}
    patch = {"metadata": {"labels": {"$patch": "merge", "b": "2"}}}
    assert strategic_merge_patch(live, patch, CM) == {"metadata": {"labels": {"a": "1", "b": "2"}}}


def test_smp_finalizers_union_without_duplicates() -> None:
    live = {"metadata": {"finalizers": ["a", "b"]}}
    out = strategic_merge_patch(live, {"metadata": {"finalizers": ["b", "c"]}}, CM)
    assert out == {"metadata": {"finalizers": ["a", "b", "c"]}}


def test_smp_delete_from_primitive_list_removes_values() -> None:
    live = {"metadata": {"finalizers": ["a", "b", "c"]}}
    out = strategic_merge_patch(live, {"metadata": {"$deleteFromPrimitiveList/finalizers": ["b"]}}, CM)
    assert out == {"metadata": {"finalizers": ["a", "c"]}}


def test_smp_set_element_order_fixes_the_order_of_the_merged_list() -> None:
    live = {"spec": {"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}}
    patch = {"spec": {"$setElementOrder/containers": [{"name": "c"}, {"name": "a"}, {"name": "b"}],
                      "containers": [{"name": "a", "image": "x"}]}}
    out = strategic_merge_patch(live, patch, POD)
    assert out["spec"]["containers"] == [{"name": "c"}, {"name": "a", "image": "x"}, {"name": "b"}]


def test_smp_set_element_order_interleaves_server_only_items_by_live_order() -> None:
    live = {"metadata": {"finalizers": ["a", "x", "b"]}}
    patch = {"metadata": {"$setElementOrder/finalizers": ["b", "a"]}}
    # x precedes b in the live list, so it stays ahead of the ordered run [b, a].
    assert strategic_merge_patch(live, patch, CM)["metadata"]["finalizers"] == ["x", "b", "a"]


def test_smp_container_ports_merge_on_container_port() -> None:
    live = {"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80, "name": "http"}]}]}}
    patch = {"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80, "name": "web"}]}]}}
    ports = strategic_merge_patch(live, patch, POD)["spec"]["containers"][0]["ports"]
    assert ports == [{"containerPort": 80, "name": "web"}]


def test_smp_added_values_are_cleaned_of_nulls_and_directives() -> None:
    out = strategic_merge_patch({}, {"spec": {"containers": [{"name": "a", "image": None}],
                                              "affinity": {"$patch": "replace", "x": {"y": None}}}}, POD)
    assert out == {"spec": {"containers": [{"name": "a"}], "affinity": {"x": {}}}}


@pytest.mark.parametrize(("patch", "message"), [
    ({"spec": {"containers": [{"image": "x"}]}}, "map: map[image:x] does not contain declared merge key: name"),
    ({"spec": {"containers": [{"name": "a", "$patch": "merge"}]}}, "merging lists cannot yet be specified in the patch"),
    ({"spec": {"containers": [{"name": "a", "$patch": "bogus"}]}}, "unknown patch type: bogus in map: map[$patch:bogus name:a]"),
    ({"metadata": {"labels": {"$patch": "bogus"}}}, "unknown patch type: bogus in map: map[$patch:bogus]"),
])
def test_smp_rejects_malformed_patches_with_apimachinery_messages(patch: dict[str, Any], message: str) -> None:
    with pytest.raises(PatchError) as err:
        strategic_merge_patch({"spec": {"containers": [{"name": "a"}]}}, patch, POD)
    assert err.value.message == message
    assert err.value.code == 400


def test_smp_does_not_modify_its_arguments() -> None:
    live = {"spec": {"containers": [{"name": "a"}]}}
    patch = {"spec": {"containers": [{"name": "b"}], "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]}}
    before_live, before_patch = copy.deepcopy(live), copy.deepcopy(patch)
    assert strategic_merge_patch(live, patch, POD)["spec"]["containers"] == [{"name": "b"}, {"name": "a"}]
    assert (live, patch) == (before_live, before_patch)
