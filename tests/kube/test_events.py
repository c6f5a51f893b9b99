"""Recording Kubernetes Events the way Flux controllers do (fluxpy.kube.events).

Covers: the Event's name (`<object>.<UnixNano hex>`), namespace and
involvedObject (apiVersion, kind, name, namespace, uid, resourceVersion);
source.component and reporting controller/instance; first/last timestamps,
eventTime and count; annotations in metadata; messages cut at 39000
characters; cluster-scoped objects' events going to "default"; the event
stored by the API emulator.
"""

from __future__ import annotations

from datetime import datetime, timezone

from fluxpy.kube import events
from fluxpy.kube.client import Kube
from tests.apiserver import ApiServer

NOW = datetime(2026, 11, 23, 3, 4, 5, 123456, tzinfo=timezone.utc)
KS = {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
      "metadata": {"name": "apps", "namespace": "flux-system", "uid": "u-1", "resourceVersion": "42"}}


def test_event_shape_matches_client_go_recorder() -> None:
    ev = events.build(KS, type="Normal", reason="ReconciliationSucceeded", message="Applied revision: main@sha1:ab",
                      controller="kustomize-controller",
                      annotations={"kustomize.toolkit.fluxcd.io/revision": "main@sha1:ab"}, now=NOW, host="box")
    nanos = int(NOW.timestamp()) * 10**9 + 123456000
    assert ev == {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": f"apps.{nanos:x}", "namespace": "flux-system",
                     "annotations": {"kustomize.toolkit.fluxcd.io/revision": "main@sha1:ab"}},
        "involvedObject": {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "name": "apps",
                           "namespace": "flux-system", "uid": "u-1", "resourceVersion": "42"},
        "reason": "ReconciliationSucceeded", "message": "Applied revision: main@sha1:ab", "type": "Normal",
        "source": {"component": "kustomize-controller", "host": "box"},
        "reportingComponent": "kustomize-controller", "reportingController": "kustomize-controller",
        "reportingInstance": "box",
        "firstTimestamp": "2026-11-23T03:04:05Z", "lastTimestamp": "2026-11-23T03:04:05Z",
        "eventTime": "2026-11-23T03:04:05.123456Z", "count": 1}
    assert len(f"{nanos:x}") == 16  # like client-go's %x of UnixNano


def test_long_message_is_cut_at_39000_characters() -> None:
    ev = events.build(KS, type="Warning", reason="BuildFailed", message="x" * 50000, controller="c", now=NOW)
    assert len(ev["message"]) == 39000


def test_cluster_scoped_object_events_go_to_default_namespace() -> None:
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}}
    ev = events.build(ns, type="Normal", reason="R", message="m", controller="c", now=NOW)
    assert ev["metadata"]["namespace"] == "default" and "namespace" not in ev["involvedObject"]


def test_record_stores_event_in_cluster(kube: Kube, apiserver: ApiServer) -> None:
    obj = kube.apply({**KS, "metadata": {"name": "apps", "namespace": "flux-system"},
                      "spec": {"interval": "10m", "path": "./", "prune": True,
                               "sourceRef": {"kind": "GitRepository", "name": "flux-system"}}},
                     field_manager="fluxpy")
    out = events.record(kube, obj, type="Warning", reason="HealthCheckFailed", message="timeout",
                        controller="kustomize-controller", annotations={"kustomize.toolkit.fluxcd.io/revision": "r"})
    stored = apiserver.object("v1", "Event", "flux-system", out["metadata"]["name"])
    assert stored is not None
    assert stored["involvedObject"]["uid"] == obj["metadata"]["uid"]
    assert (stored["type"], stored["reason"], stored["source"]["component"]) == (
        "Warning", "HealthCheckFailed", "kustomize-controller")
    assert stored["metadata"]["annotations"] == {"kustomize.toolkit.fluxcd.io/revision": "r"}
