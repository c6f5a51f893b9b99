"""PATCH in all its forms, and server-side apply with managedFields.

Covers: JSON merge patch (null deletes); JSON patch (ops, failing `test` = 422);
strategic merge patch merging containers by name, refused (415) for custom
resources; unknown patch types (415); resourceVersion in a patch as a
precondition; PATCH of a missing object (404). Server-side apply: create (201)
with an Apply managedFields entry; update by the same manager; an identical
re-apply being a no-op (same resourceVersion); fields dropped from the applied
configuration being removed; conflicts with another applier or an Update
manager worded like the real server, and `force=true` taking ownership;
`fieldManager` required; dry-run apply; apply to the status subresource;
`fieldManager` honoured for create/update; DynamicClient.server_side_apply.
"""

from __future__ import annotations

from typing import Any

import yaml
from kubernetes import client
from kubernetes.dynamic import DynamicClient

from tests.apiserver import ApiServer
from tests.apiserver.testing import KS_GROUP, KS_PLURAL, KS_VERSION, Raw, configmap, deployment, kustomization

CM = "/api/v1/namespaces/default/configmaps"
DEPLOY = "/apis/apps/v1/namespaces/default/deployments"
KS = f"/apis/{KS_GROUP}/{KS_VERSION}/namespaces/flux-system/{KS_PLURAL}"
MERGE = "application/merge-patch+json"
JSON = "application/json-patch+json"
SMP = "application/strategic-merge-patch+json"
APPLY = "application/apply-patch+yaml"


def _apply(raw: Raw, path: str, obj: dict[str, Any], manager: str, *, force: bool = False,
           extra: str = "") -> Any:
    query = f"?fieldManager={manager}" + ("&force=true" if force else "") + extra
    return raw.request("PATCH", path + query, yaml.safe_dump(obj), content_type=APPLY)


def _managers(obj: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e["manager"], e["operation"]) for e in obj["metadata"].get("managedFields", [])}


def test_merge_patch_sets_and_deletes_keys(raw: Raw) -> None:
    raw.request("POST", CM, configmap("a", data={"x": "1", "y": "2"}))
    resp = raw.request("PATCH", f"{CM}/a", {"data": {"x": None, "z": "3"}}, content_type=MERGE)
    assert resp.status == 200 and resp.json["data"] == {"y": "2", "z": "3"}


def test_json_patch_applies_operations_and_failed_test_is_422(raw: Raw) -> None:
    raw.request("POST", CM, configmap("a", data={"x": "1"}))
    ops = [{"op": "add", "path": "/data/y", "value": "2"}, {"op": "replace", "path": "/data/x", "value": "9"}]
    assert raw.request("PATCH", f"{CM}/a", ops, content_type=JSON).json["data"] == {"x": "9", "y": "2"}
    failed = raw.request("PATCH", f"{CM}/a", [{"op": "test", "path": "/data/x", "value": "1"}], content_type=JSON)
    assert failed.status == 422 and failed.json["reason"] == "Invalid"


def test_strategic_merge_patch_merges_containers_by_name(raw: Raw) -> None:
    body = deployment("web")
    body["spec"]["template"]["spec"]["containers"].append({"name": "sidecar", "image": "envoy:1"})
    raw.request("POST", DEPLOY, body)
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "main", "image": "nginx:2"}]}}}}
    resp = raw.request("PATCH", f"{DEPLOY}/web", patch, content_type=SMP).json
    images = {c["name"]: c["image"] for c in resp["spec"]["template"]["spec"]["containers"]}
    assert images == {"main": "nginx:2", "sidecar": "envoy:1"}
    assert resp["metadata"]["generation"] == 2


def test_strategic_merge_patch_is_unsupported_for_custom_resources(raw: Raw) -> None:
    raw.request("POST", KS, kustomization("a"))
    resp = raw.request("PATCH", f"{KS}/a", {"spec": {"path": "x"}}, content_type=SMP)
    assert resp.status == 415 and resp.json["reason"] == "UnsupportedMediaType"
    assert "application/merge-patch+json" in resp.json["message"]


def test_unknown_patch_type_is_415(raw: Raw) -> None:
    raw.request("POST", CM, configmap("a"))
    assert raw.request("PATCH", f"{CM}/a", {"data": {}}, content_type="application/json").status == 415


def test_patch_with_a_stale_resource_version_is_409(raw: Raw) -> None:
    raw.request("POST", CM, configmap("a"))
    resp = raw.request("PATCH", f"{CM}/a", {"metadata": {"resourceVersion": "1"}, "data": {"k": "x"}},
                       content_type=MERGE)
    assert resp.status == 409 and resp.json["reason"] == "Conflict"


def test_patch_of_a_missing_object_is_404(raw: Raw) -> None:
    assert raw.request("PATCH", f"{CM}/nope", {"data": {}}, content_type=MERGE).status == 404


def test_apply_creates_with_an_apply_managed_fields_entry(raw: Raw) -> None:
    resp = _apply(raw, f"{CM}/a", configmap("a"), "fluxpy")
    assert resp.status == 201
    assert _managers(resp.json) == {("fluxpy", "Apply")}
    entry = resp.json["metadata"]["managedFields"][0]
    assert entry["fieldsType"] == "FieldsV1" and "f:data" in entry["fieldsV1"]


def test_identical_reapply_is_a_noop(raw: Raw) -> None:
    first = _apply(raw, f"{KS}/a", kustomization("a"), "fluxpy").json
    again = _apply(raw, f"{KS}/a", kustomization("a"), "fluxpy").json
    assert again["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]


def test_apply_updates_and_removes_fields_no_longer_applied(raw: Raw) -> None:
    _apply(raw, f"{CM}/a", configmap("a", data={"x": "1", "y": "2"}), "fluxpy")
    resp = _apply(raw, f"{CM}/a", configmap("a", data={"x": "3"}), "fluxpy")
    assert resp.status == 200 and resp.json["data"] == {"x": "3"}


def test_apply_conflict_with_another_applier_and_force(raw: Raw) -> None:
    _apply(raw, f"{DEPLOY}/web", deployment("web", replicas=2), "kubectl")
    resp = _apply(raw, f"{DEPLOY}/web", deployment("web", replicas=3), "fluxpy")
    assert resp.status == 409 and resp.json["reason"] == "Conflict"
    assert resp.json["message"] == 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas'
    assert resp.json["details"]["causes"] == [{"reason": "FieldManagerConflict",
                                               "message": 'conflict with "kubectl"', "field": ".spec.replicas"}]
    forced = _apply(raw, f"{DEPLOY}/web", deployment("web", replicas=3), "fluxpy", force=True)
    assert forced.status == 200 and forced.json["spec"]["replicas"] == 3


def test_apply_conflict_with_an_update_manager_names_its_api_version(raw: Raw) -> None:
    raw.request("POST", f"{CM}?fieldManager=kubectl-edit", configmap("a", data={"k": "edited"}))
    resp = _apply(raw, f"{CM}/a", configmap("a", data={"k": "applied"}), "fluxpy")
    assert resp.status == 409
    assert resp.json["message"] == 'Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.k'


def test_apply_requires_a_field_manager(raw: Raw) -> None:
    resp = raw.request("PATCH", f"{CM}/a", yaml.safe_dump(configmap("a")), content_type=APPLY)
    assert resp.status == 400


def test_dry_run_apply_stores_nothing(raw: Raw) -> None:
    resp = _apply(raw, f"{CM}/a", configmap("a"), "fluxpy", extra="&dryRun=All")
    assert resp.status == 201 and resp.json["metadata"]["name"] == "a"
    assert raw.get(f"{CM}/a").status == 404


def test_apply_to_status_subresource_sets_only_status(raw: Raw) -> None:
    _apply(raw, f"{KS}/a", kustomization("a"), "fluxpy")
    status = {"apiVersion": f"{KS_GROUP}/{KS_VERSION}", "kind": "Kustomization",
              "metadata": {"name": "a", "namespace": "flux-system"},
              "status": {"observedGeneration": 1, "conditions": [{"type": "Ready", "status": "True",
                                                                  "reason": "Succeeded", "message": "ok",
                                                                  "lastTransitionTime": "2025-01-01T00:00:00Z"}]}}
    resp = _apply(raw, f"{KS}/a/status", status, "fluxpy-status")
    assert resp.status == 200 and resp.json["status"]["observedGeneration"] == 1
    assert resp.json["metadata"]["generation"] == 1 and resp.json["spec"]["path"] == "./"


def test_field_manager_query_is_recorded_for_updates(raw: Raw) -> None:
    obj = raw.request("POST", f"{CM}?fieldManager=first", configmap("a")).json
    obj["data"] = {"k": "changed"}
    updated = raw.request("PUT", f"{CM}/a?fieldManager=second", obj).json
    assert ("second", "Update") in _managers(updated)


def test_dynamic_client_server_side_apply(apiserver: ApiServer, api_client: client.ApiClient) -> None:
    dyn = DynamicClient(api_client)
    ks = dyn.resources.get(api_version=f"{KS_GROUP}/{KS_VERSION}", kind="Kustomization")
    created = dyn.server_side_apply(ks, body=kustomization("apps"), name="apps", namespace="flux-system",
                                    field_manager="fluxpy", force_conflicts=True)
    assert created.metadata.generation == 1
    stored = apiserver.object(f"{KS_GROUP}/{KS_VERSION}", "Kustomization", "flux-system", "apps")
    assert stored is not None and _managers(stored) == {("fluxpy", "Apply")}
