"""Watching (Kube.watch) against the API emulator.

Covers: a watch without a resourceVersion starting with ADDED for existing
objects; a watch from a list's resourceVersion seeing only later changes
(ADDED, MODIFIED, DELETED); bookmarks consumed, not yielded; a 410 for a
too-old resourceVersion restarting from the current state; a dropped
connection at the start retried; the watch ending after timeout_seconds.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from fluxpy.kube import config
from fluxpy.kube.client import Kube
from fluxpy.kube.resource import Resource
from fluxpy.kube.transport import Backoff
from tests.apiserver import ApiServer
from tests.kube.conftest import FAST_BACKOFF_KW

CM = Resource("", "v1", "ConfigMap", "configmaps", True)


def cm(name: str, **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"},
            "data": dict(data)}


def names(events: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, str]]:
    return [(t, o["metadata"]["name"]) for t, o in events]


def later(seconds: float, fn: Any) -> threading.Thread:
    t = threading.Thread(target=lambda: (time.sleep(seconds), fn()), daemon=True)
    t.start()
    return t


def test_watch_without_version_starts_with_existing_objects(kube: Kube) -> None:
    kube.create(cm("old"))
    events = list(kube.watch(CM, namespace="default", timeout_seconds=1))
    assert names(events) == [("ADDED", "old")]
    assert events[0][1]["kind"] == "ConfigMap"


def test_watch_from_list_version_sees_later_changes(kube: Kube, apiserver: ApiServer) -> None:
    kube.create(cm("old"))
    rv = kube.get(CM, "old")["metadata"]["resourceVersion"]

    def change() -> None:
        kube.create(cm("new"))
        kube.patch(CM, "new", {"data": {"x": "1"}})
        kube.delete(CM, "new")

    later(0.2, change)
    events = list(kube.watch(CM, namespace="default", resource_version=rv, timeout_seconds=1))
    assert names(events) == [("ADDED", "new"), ("MODIFIED", "new"), ("DELETED", "new")]


def test_bookmarks_are_not_yielded(kube: Kube, apiserver: ApiServer) -> None:
    apiserver.bookmark_interval = 0.1
    events = list(kube.watch(CM, namespace="default", resource_version="1", timeout_seconds=1))
    assert all(t != "BOOKMARK" for t, _ in events)
    assert any(r.query.get("allowWatchBookmarks") == "true" for r in apiserver.requests)


def test_expired_version_restarts_from_current_state(tmp_path: Path) -> None:
    srv = ApiServer(tmp_path / "small", history=2).start()
    try:
        srv.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
        k = Kube(config.load(kubeconfig=str(srv.kubeconfig)), backoff=Backoff(**FAST_BACKOFF_KW))
        first = k.create(cm("a"))
        for i in range(5):
            k.patch(CM, "a", {"data": {"i": str(i)}})
        events = list(k.watch(CM, namespace="default", resource_version=first["metadata"]["resourceVersion"],
                              timeout_seconds=1))
        assert names(events) == [("ADDED", "a")]
        assert events[0][1]["data"] == {"i": "4"}
        assert srv.count(verb="watch") == 2
    finally:
        srv.stop()


def test_dropped_connection_at_watch_start_is_retried(kube: Kube, apiserver: ApiServer) -> None:
    kube.create(cm("a"))
    apiserver.faults.add(status=None, method="GET", path="/configmaps$", drop=True, times=1)
    assert names(list(kube.watch(CM, namespace="default", timeout_seconds=1))) == [("ADDED", "a")]


def test_watch_stops_after_timeout_seconds(kube: Kube) -> None:
    start = time.monotonic()
    assert list(kube.watch(CM, namespace="default", timeout_seconds=1)) == []
    assert 0.9 <= time.monotonic() - start < 3
