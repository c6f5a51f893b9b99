"""Watches: chunked JSON event streams that `kubernetes.watch.Watch` consumes.

Covers: ADDED for existing objects when watching without a resourceVersion;
ADDED/MODIFIED/DELETED as changes happen; resuming from a resourceVersion
replays the history; 410 Expired (as an ERROR event) once the history has moved
on; label selectors turning MODIFIED into ADDED/DELETED as objects enter or leave
the selection; timeoutSeconds ending the stream; bookmarks; delayed readiness
producing MODIFIED events while a watch is open; the raw wire format.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from kubernetes import client, watch

from tests.apiserver import ApiServer
from tests.apiserver.testing import KS_GROUP, KS_PLURAL, KS_VERSION, Raw, configmap, deployment, kustomization


def _later(delay: float, fn: Any) -> None:
    threading.Timer(delay, fn).start()


def test_watch_without_resource_version_starts_with_existing_objects(
        apiserver: ApiServer, core: client.CoreV1Api) -> None:
    apiserver.seed(configmap("a"))
    apiserver.seed(configmap("b"))
    w = watch.Watch()
    events = []
    for event in w.stream(core.list_namespaced_config_map, "default", timeout_seconds=2):
        events.append(event)
        if len(events) == 2:
            w.stop()
    assert [(e["type"], e["object"].metadata.name) for e in events] == [("ADDED", "a"), ("ADDED", "b")]


def test_watch_streams_added_modified_deleted(apiserver: ApiServer, core: client.CoreV1Api) -> None:
    rv = core.list_namespaced_config_map("default").metadata.resource_version

    def changes() -> None:
        core.create_namespaced_config_map("default", configmap("a"))
        core.patch_namespaced_config_map("a", "default", {"data": {"k": "2"}})
        core.delete_namespaced_config_map("a", "default")

    _later(0.05, changes)
    seen = []
    w = watch.Watch()
    for event in w.stream(core.list_namespaced_config_map, "default", resource_version=rv, timeout_seconds=2):
        seen.append((event["type"], event["object"].metadata.name, (event["object"].data or {}).get("k")))
        if event["type"] == "DELETED":
            w.stop()
    assert seen == [("ADDED", "a", "v"), ("MODIFIED", "a", "2"), ("DELETED", "a", "2")]


def test_watch_from_an_old_resource_version_replays_history(apiserver: ApiServer, raw: Raw) -> None:
    rv = raw.get("/api/v1/namespaces/default/configmaps").json["metadata"]["resourceVersion"]
    apiserver.seed(configmap("a"))
    apiserver.seed(configmap("b"))
    lines = raw.events(f"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={rv}", 2)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in lines] == [("ADDED", "a"), ("ADDED", "b")]


def test_watch_from_a_compacted_resource_version_gets_410_expired(tmp_path: Any) -> None:
    srv = ApiServer(tmp_path, history=5).start()
    try:
        srv.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
        for i in range(10):
            srv.seed(configmap(f"cm-{i}"))
        resp = Raw(srv).get("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=1")
        assert resp.status == 200 and resp.headers["Transfer-Encoding"] == "chunked"
        event = json.loads(resp.text.splitlines()[0])
        assert event["type"] == "ERROR"
        assert event["object"]["code"] == 410 and event["object"]["reason"] == "Expired"
        assert event["object"]["message"].startswith("too old resource version: 1 (")
    finally:
        srv.stop()


def test_label_selector_watch_sees_objects_enter_and_leave(apiserver: ApiServer, raw: Raw) -> None:
    base = "/api/v1/namespaces/default/configmaps"
    rv = raw.get(base).json["metadata"]["resourceVersion"]
    apiserver.seed(configmap("a"))
    apiserver.seed(configmap("a", labels={"app": "web"}))
    apiserver.seed(configmap("a", labels={"app": "web"}, annotations={"x": "y"}))
    apiserver.seed(configmap("a"))
    events = raw.events(f"{base}?watch=true&resourceVersion={rv}&labelSelector=app%3Dweb", 3)
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED"]


def test_timeout_seconds_ends_the_stream(raw: Raw) -> None:
    start = time.monotonic()
    resp = raw.get("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=0.3")
    assert resp.status == 200 and resp.text == "" and 0.25 < time.monotonic() - start < 1


def test_bookmarks_carry_the_current_resource_version(apiserver: ApiServer, raw: Raw) -> None:
    apiserver.bookmark_interval = 0.1
    bookmarks = raw.events("/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true", 2)
    assert all(e["type"] == "BOOKMARK" for e in bookmarks)
    assert bookmarks[0]["object"]["metadata"]["resourceVersion"].isdigit()


def test_delayed_readiness_arrives_as_a_modified_event(apiserver: ApiServer, apps: client.AppsV1Api) -> None:
    apiserver.ready_after("Deployment", 0.2)
    apps.create_namespaced_deployment("default", deployment("web"))
    w = watch.Watch()
    ready = None
    for event in w.stream(apps.list_namespaced_deployment, "default", timeout_seconds=2):
        if event["object"].status.ready_replicas == 1:
            ready = event["type"]
            w.stop()
    assert ready == "MODIFIED"


def test_watch_of_custom_objects_with_field_selector(apiserver: ApiServer, custom: client.CustomObjectsApi) -> None:
    apiserver.seed(kustomization("a"))
    apiserver.seed(kustomization("b"))
    w = watch.Watch()
    events = []
    for event in w.stream(custom.list_namespaced_custom_object, KS_GROUP, KS_VERSION, "flux-system",
                          KS_PLURAL, field_selector="metadata.name=b", timeout_seconds=2):
        events.append(event)
        w.stop()  # objects arrive sorted, so a leaked "a" would have come first
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "b")]
