"""Create, read, update, delete and list, with the metadata a real server keeps.

Covers: uid / resourceVersion / generation / creationTimestamp on create;
generateName; generation bumped only by non-metadata, non-status changes;
optimistic concurrency (409 Conflict on a stale resourceVersion; CRs need one);
409 AlreadyExists; 404 for a missing object and for a missing namespace; 403 in
a terminating namespace; 422 for bad names and 400 for a body disagreeing with
the URL; Secret stringData and Service clusterIP defaulting; listing in one or
all namespaces with label and field selectors and limit/continue paging;
dryRun=All on every write verb; the speed of a 500-object list; seeding and
reading objects directly.
"""

from __future__ import annotations

import base64
import json
import re
import time

import pytest
from kubernetes import client

from tests.apiserver import ApiServer
from tests.apiserver.testing import (
    KS_GROUP, KS_PLURAL, KS_VERSION, Raw, configmap, deployment, kustomization,
)

CM_PATH = "/api/v1/namespaces/default/configmaps"
KS_PATH = f"/apis/{KS_GROUP}/{KS_VERSION}/namespaces/flux-system/{KS_PLURAL}"


def test_create_sets_uid_resource_version_generation_and_timestamp(raw: Raw) -> None:
    resp = raw.request("POST", CM_PATH, configmap("a"))
    assert resp.status == 201
    meta = resp.json["metadata"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", meta["uid"])
    assert meta["resourceVersion"].isdigit() and meta["generation"] == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", meta["creationTimestamp"])
    assert resp.json["apiVersion"] == "v1" and resp.json["kind"] == "ConfigMap"


def test_resource_versions_increase_globally_across_kinds(raw: Raw) -> None:
    a = int(raw.request("POST", CM_PATH, configmap("a")).json["metadata"]["resourceVersion"])
    b = int(raw.request("POST", KS_PATH, kustomization("b")).json["metadata"]["resourceVersion"])
    c = int(raw.request("POST", CM_PATH, configmap("c")).json["metadata"]["resourceVersion"])
    assert a < b < c


def test_generate_name_appends_five_random_characters(raw: Raw) -> None:
    body = configmap("")
    body["metadata"] = {"generateName": "cfg-"}
    name = raw.request("POST", CM_PATH, body).json["metadata"]["name"]
    assert re.fullmatch(r"cfg-[a-z0-9]{5}", name)


def test_get_returns_what_create_stored(core: client.CoreV1Api) -> None:
    core.create_namespaced_config_map("default", configmap("a", data={"x": "1"}))
    got = core.read_namespaced_config_map("a", "default")
    assert got.data == {"x": "1"}


def test_get_of_a_missing_object_is_404_with_status_details(custom: client.CustomObjectsApi) -> None:
    with pytest.raises(client.ApiException) as exc:
        custom.get_namespaced_custom_object(KS_GROUP, KS_VERSION, "flux-system", KS_PLURAL, "apps")
    assert exc.value.status == 404
    body = json.loads(exc.value.body)
    assert body["message"] == 'kustomizations.kustomize.toolkit.fluxcd.io "apps" not found'
    assert body["reason"] == "NotFound" and body["status"] == "Failure"
    assert body["details"] == {"name": "apps", "group": KS_GROUP, "kind": "kustomizations"}


def test_create_twice_is_409_already_exists(raw: Raw) -> None:
    raw.request("POST", CM_PATH, configmap("a"))
    resp = raw.request("POST", CM_PATH, configmap("a"))
    assert resp.status == 409
    assert resp.json["reason"] == "AlreadyExists"
    assert resp.json["message"] == 'configmaps "a" already exists'


def test_create_in_a_missing_namespace_is_404_namespace_not_found(raw: Raw) -> None:
    resp = raw.request("POST", "/api/v1/namespaces/x/configmaps", configmap("a", "x"))
    assert resp.status == 404
    assert resp.json["message"] == 'namespaces "x" not found'
    assert resp.json["details"] == {"name": "x", "kind": "namespaces"}


def test_create_in_a_terminating_namespace_is_403(apiserver: ApiServer, raw: Raw) -> None:
    apiserver.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "gone"}})
    apiserver.seed(configmap("held", "gone", finalizers=["example.com/hold"]))
    raw.request("DELETE", "/api/v1/namespaces/gone")
    resp = raw.request("POST", "/api/v1/namespaces/gone/configmaps", configmap("a", "gone"))
    assert resp.status == 403
    assert "because it is being terminated" in resp.json["message"]


@pytest.mark.parametrize("name", ["Upper", "under_score", "-dash", "a" * 254])
def test_invalid_names_are_422_with_a_field_cause(raw: Raw, name: str) -> None:
    resp = raw.request("POST", CM_PATH, configmap(name))
    assert resp.status == 422
    assert resp.json["reason"] == "Invalid"
    assert resp.json["message"].startswith(f'ConfigMap "{name}" is invalid: metadata.name: Invalid value: "{name}"')
    cause = resp.json["details"]["causes"][0]
    assert cause["field"] == "metadata.name" and cause["reason"] == "FieldValueInvalid"


def test_missing_name_is_422_required(raw: Raw) -> None:
    body = configmap("x")
    del body["metadata"]["name"]
    resp = raw.request("POST", CM_PATH, body)
    assert resp.status == 422
    assert resp.json["message"] == ('ConfigMap "" is invalid: metadata.name: Required value: '
                                    "name or generateName is required")


def test_namespace_names_must_be_dns_labels(raw: Raw) -> None:
    resp = raw.request("POST", "/api/v1/namespaces", {"metadata": {"name": "a.b"}})
    assert resp.status == 422 and "RFC 1123 label" in resp.json["message"]


def test_rbac_names_may_contain_colons(raw: Raw) -> None:
    resp = raw.request("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles",
                       {"metadata": {"name": "system:flux:view"}, "rules": []})
    assert resp.status == 201


def test_body_disagreeing_with_the_url_is_400(raw: Raw) -> None:
    wrong_ns = raw.request("POST", CM_PATH, configmap("a", "kube-system"))
    assert wrong_ns.status == 400
    assert wrong_ns.json["message"] == ("the namespace of the provided object does not match "
                                        "the namespace sent on the request")
    wrong_kind = raw.request("POST", CM_PATH, {**configmap("a"), "kind": "Secret"})
    assert wrong_kind.status == 400
    wrong_version = raw.request("POST", KS_PATH, {**kustomization("a"), "apiVersion": f"{KS_GROUP}/v1beta2"})
    assert wrong_version.status == 400 and "does not match the expected API version" in wrong_version.json["message"]


def test_update_replaces_the_object_and_bumps_resource_version(core: client.CoreV1Api) -> None:
    cm = core.create_namespaced_config_map("default", configmap("a"))
    cm.data = {"k": "changed"}
    updated = core.replace_namespaced_config_map("a", "default", cm)
    assert updated.data == {"k": "changed"}
    assert int(updated.metadata.resource_version) > int(cm.metadata.resource_version)


def test_update_with_a_stale_resource_version_is_409_conflict(raw: Raw) -> None:
    first = raw.request("POST", CM_PATH, configmap("a")).json
    raw.request("PUT", f"{CM_PATH}/a", {**first, "data": {"k": "2"}})
    resp = raw.request("PUT", f"{CM_PATH}/a", {**first, "data": {"k": "3"}})
    assert resp.status == 409 and resp.json["reason"] == "Conflict"
    assert resp.json["message"] == (
        'Operation cannot be fulfilled on configmaps "a": the object has been modified; '
        "please apply your changes to the latest version and try again")


def test_custom_resource_update_requires_a_resource_version(raw: Raw) -> None:
    raw.request("POST", KS_PATH, kustomization("a"))
    resp = raw.request("PUT", f"{KS_PATH}/a", kustomization("a", path="./x"))
    assert resp.status == 422
    assert "metadata.resourceVersion" in resp.json["message"]


def test_update_of_a_missing_object_is_404(raw: Raw) -> None:
    assert raw.request("PUT", f"{CM_PATH}/a", configmap("a")).status == 404


def test_generation_changes_only_with_spec(raw: Raw) -> None:
    obj = raw.request("POST", KS_PATH, kustomization("a")).json
    obj["metadata"]["labels"] = {"team": "a"}
    obj = raw.request("PUT", f"{KS_PATH}/a", obj).json
    assert obj["metadata"]["generation"] == 1
    obj["spec"]["path"] = "./apps"
    obj = raw.request("PUT", f"{KS_PATH}/a", obj).json
    assert obj["metadata"]["generation"] == 2
    obj["status"] = {"observedGeneration": 2}
    obj = raw.request("PUT", f"{KS_PATH}/a/status", obj).json
    assert obj["metadata"]["generation"] == 2


def test_noop_update_keeps_the_resource_version(raw: Raw) -> None:
    obj = raw.request("POST", CM_PATH, configmap("a")).json
    again = raw.request("PUT", f"{CM_PATH}/a", obj).json
    assert again["metadata"]["resourceVersion"] == obj["metadata"]["resourceVersion"]


def test_delete_removes_the_object_and_answers_status_success(raw: Raw) -> None:
    raw.request("POST", CM_PATH, configmap("a"))
    resp = raw.request("DELETE", f"{CM_PATH}/a")
    assert resp.status == 200
    assert resp.json["status"] == "Success" and resp.json["details"]["name"] == "a"
    assert raw.get(f"{CM_PATH}/a").status == 404
    assert raw.request("DELETE", f"{CM_PATH}/a").status == 404


def test_secret_string_data_is_merged_into_base64_data(core: client.CoreV1Api) -> None:
    body = {"metadata": {"name": "s"}, "data": {"a": base64.b64encode(b"1").decode()},
            "stringData": {"b": "two"}}
    secret = core.create_namespaced_secret("default", body)
    assert secret.string_data is None and secret.type == "Opaque"
    assert {k: base64.b64decode(v).decode() for k, v in secret.data.items()} == {"a": "1", "b": "two"}


def test_service_gets_a_cluster_ip_that_survives_updates(raw: Raw) -> None:
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
           "spec": {"ports": [{"port": 80}], "selector": {"app": "web"}}}
    created = raw.request("POST", "/api/v1/namespaces/default/services", svc).json
    ip = created["spec"]["clusterIP"]
    assert ip.startswith("10.96.") and created["spec"]["clusterIPs"] == [ip]
    assert created["spec"]["ports"][0] == {"port": 80, "protocol": "TCP", "targetPort": 80}
    updated = raw.request("PUT", "/api/v1/namespaces/default/services/web", svc).json
    assert updated["spec"]["clusterIP"] == ip


def test_list_in_one_namespace_and_across_all(apiserver: ApiServer, raw: Raw) -> None:
    apiserver.seed(configmap("a", "default"))
    apiserver.seed(configmap("b", "kube-system"))
    one = raw.get(CM_PATH).json
    assert one["kind"] == "ConfigMapList" and [i["metadata"]["name"] for i in one["items"]] == ["a"]
    assert int(one["metadata"]["resourceVersion"]) >= int(one["items"][0]["metadata"]["resourceVersion"])
    everywhere = raw.get("/api/v1/configmaps").json
    assert [i["metadata"]["name"] for i in everywhere["items"]] == ["a", "b"]


@pytest.mark.parametrize(("selector", "expected"), [
    ("app=web", ["web"]),
    ("app==web", ["web"]),
    ("app!=web", ["db", "plain"]),
    ("app in (web,db)", ["db", "web"]),
    ("app notin (web)", ["db", "plain"]),
    ("app", ["db", "web"]),
    ("!app", ["plain"]),
    ("app=web,tier=front", ["web"]),
    ("app=web,tier=back", []),
])
def test_label_selectors(apiserver: ApiServer, core: client.CoreV1Api, selector: str, expected: list[str]) -> None:
    apiserver.seed(configmap("web", labels={"app": "web", "tier": "front"}))
    apiserver.seed(configmap("db", labels={"app": "db"}))
    apiserver.seed(configmap("plain"))
    items = core.list_namespaced_config_map("default", label_selector=selector).items
    assert [i.metadata.name for i in items] == expected


def test_malformed_label_selector_is_400(raw: Raw) -> None:
    assert raw.get(f"{CM_PATH}?labelSelector=a%20in%20b").status == 400


def test_field_selectors_on_name_and_namespace(apiserver: ApiServer, core: client.CoreV1Api) -> None:
    apiserver.seed(configmap("a"))
    apiserver.seed(configmap("b"))
    apiserver.seed(configmap("a", "kube-system"))
    assert [i.metadata.name for i in core.list_namespaced_config_map(
        "default", field_selector="metadata.name=a").items] == ["a"]
    assert [i.metadata.namespace for i in core.list_config_map_for_all_namespaces(
        field_selector="metadata.namespace!=default").items] == ["kube-system"]
    with pytest.raises(client.ApiException) as exc:
        core.list_namespaced_config_map("default", field_selector="data.k=v")
    assert exc.value.status == 400


def test_list_paging_with_limit_and_continue(apiserver: ApiServer, raw: Raw) -> None:
    for i in range(5):
        apiserver.seed(configmap(f"cm-{i}"))
    page = raw.get(f"{CM_PATH}?limit=2").json
    names = [i["metadata"]["name"] for i in page["items"]]
    assert page["metadata"]["remainingItemCount"] == 3
    while page["metadata"].get("continue"):
        page = raw.get(f"{CM_PATH}?limit=2&continue={page['metadata']['continue']}").json
        names += [i["metadata"]["name"] for i in page["items"]]
    assert names == [f"cm-{i}" for i in range(5)]


def test_dry_run_create_update_patch_delete_store_nothing(apiserver: ApiServer, raw: Raw) -> None:
    created = raw.request("POST", f"{CM_PATH}?dryRun=All", configmap("a"))
    assert created.status == 201 and created.json["metadata"]["uid"]
    assert "resourceVersion" not in created.json["metadata"]
    assert raw.get(f"{CM_PATH}/a").status == 404
    stored = raw.request("POST", CM_PATH, configmap("a")).json
    rv = stored["metadata"]["resourceVersion"]
    put = raw.request("PUT", f"{CM_PATH}/a?dryRun=All", {**stored, "data": {"k": "dry"}})
    assert put.status == 200 and put.json["data"] == {"k": "dry"}
    patched = raw.request("PATCH", f"{CM_PATH}/a?dryRun=All", {"data": {"k": "dry"}},
                          content_type="application/merge-patch+json")
    assert patched.status == 200 and patched.json["data"] == {"k": "dry"}
    assert raw.request("DELETE", f"{CM_PATH}/a?dryRun=All").status == 200
    live = raw.get(f"{CM_PATH}/a").json
    assert live["data"] == {"k": "v"} and live["metadata"]["resourceVersion"] == rv
    assert raw.get(CM_PATH).json["metadata"]["resourceVersion"] == rv


def test_dry_run_still_validates(raw: Raw) -> None:
    assert raw.request("POST", f"{CM_PATH}?dryRun=All", configmap("Bad")).status == 422
    assert raw.request("POST", f"{CM_PATH}?dryRun=Maybe", configmap("a")).status == 400


def test_listing_500_kustomizations_is_fast(apiserver: ApiServer, raw: Raw) -> None:
    for i in range(500):
        apiserver.seed(kustomization(f"ks-{i:03}"))
    raw.get(KS_PATH)  # warm the connection
    start = time.perf_counter()
    resp = raw.get(KS_PATH)
    elapsed = time.perf_counter() - start
    assert len(resp.json["items"]) == 500
    assert elapsed < 0.1, elapsed


def test_seed_and_object_bypass_http(apiserver: ApiServer) -> None:
    stored = apiserver.seed({**kustomization("a"), "status": {"observedGeneration": 1}})
    assert stored["metadata"]["uid"] and stored["status"] == {"observedGeneration": 1}
    got = apiserver.object(f"{KS_GROUP}/{KS_VERSION}", "Kustomization", "flux-system", "a")
    assert got == stored
    got["spec"]["path"] = "mutated"
    assert apiserver.object(f"{KS_GROUP}/{KS_VERSION}", "Kustomization", "flux-system", "a")["spec"]["path"] == "./"
    assert apiserver.object("v1", "ConfigMap", "default", "missing") is None


def test_deployment_crud_through_apps_v1(apps: client.AppsV1Api) -> None:
    created = apps.create_namespaced_deployment("default", deployment("web"))
    assert created.metadata.generation == 1
    created.spec.replicas = 3
    updated = apps.replace_namespaced_deployment("web", "default", created)
    assert updated.metadata.generation == 2 and updated.spec.replicas == 3
    assert [d.metadata.name for d in apps.list_deployment_for_all_namespaces().items] == ["web"]


def test_events_of_both_apis_are_stored_and_filterable(raw: Raw) -> None:
    core_event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "apps.1"},
                  "involvedObject": {"kind": "Kustomization", "name": "apps", "namespace": "default"},
                  "reason": "ReconciliationSucceeded", "type": "Normal", "message": "ok",
                  "source": {"component": "kustomize-controller"}}
    raw.request("POST", "/api/v1/namespaces/default/events", core_event)
    raw.request("POST", "/api/v1/namespaces/default/events",
                {**core_event, "metadata": {"name": "other.1"}, "involvedObject": {"kind": "Pod", "name": "x"}})
    found = raw.get("/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dapps,"
                    "involvedObject.kind%3DKustomization").json["items"]
    assert [e["reason"] for e in found] == ["ReconciliationSucceeded"]
    new_event = {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e.1"},
                 "eventTime": "2025-01-01T00:00:00.000000Z", "reason": "Progressing", "type": "Normal",
                 "action": "Reconcile", "reportingController": "fluxpy", "reportingInstance": "fluxpy-1",
                 "regarding": {"kind": "HelmRelease", "name": "podinfo", "namespace": "default"}}
    assert raw.request("POST", "/apis/events.k8s.io/v1/namespaces/default/events", new_event).status == 201
    listed = raw.get("/apis/events.k8s.io/v1/events?fieldSelector=regarding.kind%3DHelmRelease").json
    assert [e["metadata"]["name"] for e in listed["items"]] == ["e.1"]
