"""The verbs of `Kube` (fluxpy.kube.client) against the API emulator.

Covers: connect from a kubeconfig (context, server, default namespace);
create, get, replace (with a stale resourceVersion: conflict), merge, JSON and
strategic patches, delete (with and without finalizers); server-side apply
creating then updating, field-manager conflicts and force; dry runs leaving
nothing behind; the status subresource (replace_status, apply to status);
lists across all namespaces or one, by label, with paging followed to the end
and apiVersion/kind set on items; objects without a namespace going to the
context's namespace; a `Resource` built without discovery.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fluxpy.kube import errors
from fluxpy.kube.client import Kube
from fluxpy.kube.resource import Resource
from tests.apiserver import ApiServer

CM = Resource("", "v1", "ConfigMap", "configmaps", True)
KS = Resource("kustomize.toolkit.fluxcd.io", "v1", "Kustomization", "kustomizations", True,
              subresources=("status",))


def cm(name: str, namespace: str | None = "default", **data: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": dict(data)}


def ks(name: str = "apps", **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": name, "namespace": "flux-system"},
            "spec": {"interval": "10m", "path": "./apps", "prune": True,
                     "sourceRef": {"kind": "GitRepository", "name": "flux-system"}, **spec}}


def test_connect_reads_kubeconfig(kubeconfig: Path, apiserver: ApiServer) -> None:
    k = Kube.connect(kubeconfig=str(kubeconfig))
    assert (k.context, k.server, k.namespace) == ("emulator", apiserver.url, "default")


def test_create_then_get_returns_stored_object(kube: Kube) -> None:
    created = kube.create(cm("a", x="1"))
    assert created["metadata"]["uid"]
    got = kube.get(CM, "a")
    assert got["data"] == {"x": "1"} and (got["apiVersion"], got["kind"]) == ("v1", "ConfigMap")


def test_object_without_namespace_goes_to_context_namespace(kube: Kube, apiserver: ApiServer) -> None:
    kube.create(cm("nons", namespace=None))
    assert apiserver.object("v1", "ConfigMap", "default", "nons") is not None


def test_create_existing_is_already_exists(kube: Kube) -> None:
    kube.create(cm("a"))
    with pytest.raises(errors.AlreadyExistsError, match='^ConfigMap/default/a: configmaps "a" already exists'):
        kube.create(cm("a"))


def test_replace_with_stale_resource_version_is_conflict(kube: Kube) -> None:
    first = kube.create(cm("a", x="1"))
    second = dict(first, data={"x": "2"})
    kube.replace(second)
    stale = dict(first, data={"x": "3"})
    with pytest.raises(errors.ConflictError) as e:
        kube.replace(stale)
    assert str(e.value).startswith("ConfigMap/default/a: ")
    assert kube.get(CM, "a")["data"] == {"x": "2"}


@pytest.mark.parametrize(("patch_type", "patch"), [
    ("merge", {"data": {"y": "2"}}),
    ("json", [{"op": "add", "path": "/data/y", "value": "2"}]),
    ("strategic", {"data": {"y": "2"}}),
])
def test_patch_types(kube: Kube, patch_type: Any, patch: Any) -> None:
    kube.create(cm("a", x="1"))
    out = kube.patch(CM, "a", patch, patch_type=patch_type)
    assert out["data"] == {"x": "1", "y": "2"}


def test_patch_rejects_unknown_patch_type(kube: Kube) -> None:
    with pytest.raises(ValueError, match="patch_type must be one of merge, json, strategic, not 'xml'"):
        kube.patch(CM, "a", {}, patch_type="xml")  # type: ignore[arg-type]


def test_apply_creates_then_updates_with_field_manager(kube: Kube) -> None:
    created = kube.apply(ks(), field_manager="fluxpy")
    assert created["metadata"]["managedFields"][0]["manager"] == "fluxpy"
    updated = kube.apply(ks(path="./other"), field_manager="fluxpy")
    assert updated["spec"]["path"] == "./other"
    assert updated["metadata"]["generation"] == 2


def test_apply_conflict_with_other_manager_then_force(kube: Kube) -> None:
    kube.apply(ks(), field_manager="kubectl")
    with pytest.raises(errors.ConflictError) as e:
        kube.apply(ks(path="./mine"), field_manager="fluxpy")
    assert str(e.value).startswith("Kustomization/flux-system/apps: ")
    assert e.value.hint == "re-run with --force to take over the conflicting fields"
    assert kube.apply(ks(path="./mine"), field_manager="fluxpy", force=True)["spec"]["path"] == "./mine"


def test_dry_run_apply_and_create_persist_nothing(kube: Kube, apiserver: ApiServer) -> None:
    out = kube.apply(ks(), field_manager="fluxpy", dry_run=True)
    assert out["spec"]["path"] == "./apps"
    kube.create(cm("dry"), dry_run=True)
    assert apiserver.object("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "flux-system", "apps") is None
    assert apiserver.object("v1", "ConfigMap", "default", "dry") is None


def test_replace_status_changes_only_status(kube: Kube) -> None:
    obj = kube.apply(ks(), field_manager="fluxpy")
    obj["status"] = {"observedGeneration": 1, "conditions": [{"type": "Ready", "status": "True",
                     "reason": "ReconciliationSucceeded", "message": "ok",
                     "lastTransitionTime": "2026-01-01T00:00:00Z"}]}
    obj["spec"]["path"] = "./ignored"
    out = kube.replace_status(obj)
    assert out["status"]["conditions"][0]["reason"] == "ReconciliationSucceeded"
    assert kube.get(KS, "apps", namespace="flux-system")["spec"]["path"] == "./apps"


def test_apply_to_status_subresource(kube: Kube) -> None:
    kube.apply(ks(), field_manager="fluxpy")
    status = {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
              "metadata": {"name": "apps", "namespace": "flux-system"},
              "status": {"lastAppliedRevision": "main@sha1:abc"}}
    out = kube.apply(status, field_manager="fluxpy", subresource="status", force=True)
    assert out["status"]["lastAppliedRevision"] == "main@sha1:abc"


def test_delete_returns_object_and_removes_it(kube: Kube) -> None:
    kube.create(cm("gone"))
    kube.delete(CM, "gone")
    with pytest.raises(errors.NotFoundError):
        kube.get(CM, "gone")


def test_delete_with_finalizer_returns_object_with_deletion_timestamp(kube: Kube) -> None:
    obj = cm("held")
    obj["metadata"]["finalizers"] = ["example.com/hold"]
    kube.create(obj)
    out = kube.delete(CM, "held", propagation="Foreground")
    assert out is not None and out["metadata"].get("deletionTimestamp")


def test_delete_missing_is_not_found(kube: Kube) -> None:
    with pytest.raises(errors.NotFoundError, match="^ConfigMap/default/nope: "):
        kube.delete(CM, "nope")


def test_list_across_namespaces_sets_api_version_and_kind(kube: Kube) -> None:
    kube.create(cm("a", "default"))
    kube.create(cm("b", "flux-system"))
    items = [i for i in kube.list(CM) if i["metadata"]["name"] in ("a", "b")]
    assert sorted((i["metadata"]["namespace"], i["apiVersion"], i["kind"]) for i in items) == [
        ("default", "v1", "ConfigMap"), ("flux-system", "v1", "ConfigMap")]
    assert [i["metadata"]["name"] for i in kube.list(CM, namespace="flux-system")] == ["b"]


def test_list_by_label_selector(kube: Kube) -> None:
    for name, app in (("a", "web"), ("b", "db")):
        obj = cm(name)
        obj["metadata"]["labels"] = {"app": app}
        kube.create(obj)
    assert [i["metadata"]["name"] for i in kube.list(CM, namespace="default", label_selector="app=web")] == ["a"]


def test_list_follows_continue_to_the_end(kube: Kube, apiserver: ApiServer) -> None:
    for i in range(7):
        apiserver.seed(cm(f"page-{i}"))
    apiserver.clear_requests()
    items = kube.list(CM, namespace="default", limit=3)
    assert sorted(i["metadata"]["name"] for i in items) == [f"page-{i}" for i in range(7)]
    assert apiserver.count(verb="list") == 3


def test_resource_built_without_discovery_needs_no_discovery_requests(kube: Kube, apiserver: ApiServer) -> None:
    apiserver.clear_requests()
    kube.list(KS, namespace="flux-system")
    assert apiserver.count(path=r"^/apis?$") == 0


def test_concurrent_writes_share_one_client(kube: Kube) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(lambda i: kube.apply(cm(f"c{i}", i=str(i)), field_manager="fluxpy"), range(30)))
    names = {i["metadata"]["name"] for i in kube.list(CM, namespace="default")}
    assert {f"c{i}" for i in range(30)} <= names
