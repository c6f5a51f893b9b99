"""Deletion: finalizers, propagation policies, namespaces and preconditions.

Covers: an object with finalizers getting deletionTimestamp and
deletionGracePeriodSeconds 0 and staying until a later write removes them; no
new finalizers on a deleting object; Background propagation deleting
owner-referenced dependents (and keeping dependents with another live owner);
Foreground keeping the owner with the `foregroundDeletion` finalizer until its
dependents are gone; Orphan stripping owner references; DeleteOptions in the
body vs the query; deleting a Namespace deleting its contents (and waiting for
finalizers); UID / resourceVersion preconditions; dry-run delete.
"""

from __future__ import annotations

from typing import Any

from kubernetes import client

from tests.apiserver import ApiServer
from tests.apiserver.testing import Raw, configmap, deployment

CM = "/api/v1/namespaces/default/configmaps"
DEPLOY = "/apis/apps/v1/namespaces/default/deployments"


def _owned(name: str, owner: dict[str, Any], **extra: Any) -> dict[str, Any]:
    ref = {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": owner["metadata"]["name"],
           "uid": owner["metadata"]["uid"], "blockOwnerDeletion": True, "controller": True}
    return configmap(name, ownerReferences=[ref], **extra)


def test_finalizers_keep_a_deleted_object_until_removed(raw: Raw) -> None:
    raw.request("POST", CM, configmap("a", finalizers=["example.com/cleanup"]))
    resp = raw.request("DELETE", f"{CM}/a")
    assert resp.status == 200
    meta = resp.json["metadata"]
    assert meta["deletionTimestamp"] and meta["deletionGracePeriodSeconds"] == 0
    assert raw.get(f"{CM}/a").json["metadata"]["finalizers"] == ["example.com/cleanup"]
    done = raw.request("PATCH", f"{CM}/a", {"metadata": {"finalizers": None}},
                       content_type="application/merge-patch+json")
    assert done.status == 200
    assert raw.get(f"{CM}/a").status == 404


def test_no_new_finalizers_on_a_deleting_object(raw: Raw) -> None:
    raw.request("POST", CM, configmap("a", finalizers=["x.io/a"]))
    raw.request("DELETE", f"{CM}/a")
    resp = raw.request("PATCH", f"{CM}/a", {"metadata": {"finalizers": ["x.io/a", "x.io/b"]}},
                       content_type="application/merge-patch+json")
    assert resp.status == 422 and "no new finalizers can be added" in resp.json["message"]


def test_background_propagation_deletes_dependents(apiserver: ApiServer, raw: Raw) -> None:
    owner = raw.request("POST", DEPLOY, deployment("web")).json
    apiserver.seed(_owned("child", owner))
    raw.request("DELETE", f"{DEPLOY}/web?propagationPolicy=Background")
    assert raw.get(f"{DEPLOY}/web").status == 404
    assert raw.get(f"{CM}/child").status == 404


def test_dependents_with_another_live_owner_survive(apiserver: ApiServer, raw: Raw) -> None:
    a = raw.request("POST", DEPLOY, deployment("a")).json
    b = raw.request("POST", DEPLOY, deployment("b")).json
    child = _owned("child", a)
    child["metadata"]["ownerReferences"].append({**child["metadata"]["ownerReferences"][0],
                                                 "name": "b", "uid": b["metadata"]["uid"], "controller": False})
    apiserver.seed(child)
    raw.request("DELETE", f"{DEPLOY}/a")
    refs = raw.get(f"{CM}/child").json["metadata"]["ownerReferences"]
    assert [r["name"] for r in refs] == ["b"]


def test_foreground_keeps_the_owner_until_dependents_are_gone(apiserver: ApiServer, raw: Raw) -> None:
    owner = raw.request("POST", DEPLOY, deployment("web")).json
    apiserver.seed(_owned("child", owner, finalizers=["example.com/hold"]))
    resp = raw.request("DELETE", f"{DEPLOY}/web", {"propagationPolicy": "Foreground"})
    assert resp.status == 200 and "foregroundDeletion" in resp.json["metadata"]["finalizers"]
    assert raw.get(f"{DEPLOY}/web").json["metadata"]["deletionTimestamp"]
    assert raw.get(f"{CM}/child").json["metadata"]["deletionTimestamp"]
    raw.request("PATCH", f"{CM}/child", {"metadata": {"finalizers": []}},
                content_type="application/merge-patch+json")
    assert raw.get(f"{CM}/child").status == 404
    assert raw.get(f"{DEPLOY}/web").status == 404


def test_orphan_strips_owner_references(apiserver: ApiServer, core: client.CoreV1Api,
                                        apps: client.AppsV1Api) -> None:
    owner = apps.create_namespaced_deployment("default", deployment("web"))
    apiserver.seed(_owned("child", {"apiVersion": "apps/v1", "kind": "Deployment",
                                    "metadata": {"name": "web", "uid": owner.metadata.uid}}))
    apps.delete_namespaced_deployment("web", "default", propagation_policy="Orphan")
    child = core.read_namespaced_config_map("child", "default")
    assert child.metadata.owner_references is None


def test_deleting_a_namespace_deletes_its_contents(apiserver: ApiServer, raw: Raw) -> None:
    apiserver.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    apiserver.seed(configmap("a", "team"))
    apiserver.seed({**deployment("web", "team")})
    resp = raw.request("DELETE", "/api/v1/namespaces/team")
    assert resp.status == 200 and resp.json["status"]["phase"] == "Terminating"
    assert raw.get("/api/v1/namespaces/team").status == 404
    assert raw.get("/api/v1/configmaps").json["items"] == []
    assert raw.get("/apis/apps/v1/deployments").json["items"] == []


def test_namespace_waits_for_finalized_contents(apiserver: ApiServer, raw: Raw) -> None:
    apiserver.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    apiserver.seed(configmap("held", "team", finalizers=["example.com/hold"]))
    raw.request("DELETE", "/api/v1/namespaces/team")
    assert raw.get("/api/v1/namespaces/team").json["status"]["phase"] == "Terminating"
    raw.request("PATCH", "/api/v1/namespaces/team/configmaps/held", {"metadata": {"finalizers": None}},
                content_type="application/merge-patch+json")
    assert raw.get("/api/v1/namespaces/team").status == 404


def test_delete_preconditions_are_checked(raw: Raw) -> None:
    created = raw.request("POST", CM, configmap("a")).json
    wrong_uid = raw.request("DELETE", f"{CM}/a", {"preconditions": {"uid": "nope"}})
    assert wrong_uid.status == 409 and "Precondition failed: UID in precondition: nope" in wrong_uid.json["message"]
    stale = raw.request("DELETE", f"{CM}/a", {"preconditions": {"resourceVersion": "1"}})
    assert stale.status == 409
    ok = raw.request("DELETE", f"{CM}/a", {"preconditions": {"uid": created["metadata"]["uid"]}})
    assert ok.status == 200


def test_dry_run_delete_keeps_the_object(raw: Raw) -> None:
    raw.request("POST", CM, configmap("a"))
    assert raw.request("DELETE", f"{CM}/a", {"dryRun": ["All"]}).status == 200
    assert raw.get(f"{CM}/a").status == 200


def test_deletion_is_a_deleted_watch_event_with_a_new_resource_version(apiserver: ApiServer, raw: Raw) -> None:
    obj = raw.request("POST", CM, configmap("a")).json
    rv = obj["metadata"]["resourceVersion"]
    raw.request("DELETE", f"{CM}/a")
    events = raw.events(f"{CM}?watch=1&resourceVersion={rv}", 1)
    assert events[0]["type"] == "DELETED"
    assert int(events[0]["object"]["metadata"]["resourceVersion"]) > int(rv)
