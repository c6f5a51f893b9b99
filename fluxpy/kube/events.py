"""Kubernetes Events about Flux objects, recorded the way the Flux controllers do.

When a pipeline stage finishes (an artifact is stored, a Kustomization is
applied, a HelmRelease is upgraded) it records a core `v1` Event on the Flux
object, so `kubectl describe` and `flux events` show fluxpy's runs next to
the controllers'. The shape follows client-go's event recorder, which the
controllers use through `fluxcd/pkg/runtime/events`: the name is
`<object name>.<UnixNano in hex>`, `source.component` and
`reportingController` are the controller's name, `reportingInstance` is the
host, `count` is 1, and the event's metadata (revision, digest, ...) goes into
`metadata.annotations`. See FLUX-COMPAT.md section 7.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal

from fluxpy.kube.resource import Resource
from fluxpy.kube.transport import build as build_request

if TYPE_CHECKING:
    from fluxpy.kube.client import Kube

# client-go cuts messages to stay under etcd's and the API's limits.
MAX_MESSAGE = 39000
EVENTS = Resource(group="", version="v1", kind="Event", plural="events", namespaced=True,
                  short_names=("ev",), verbs=("create", "delete", "get", "list", "patch", "update", "watch"))


def build(involved: Mapping[str, Any], *, type: Literal["Normal", "Warning"], reason: str, message: str,
          controller: str, annotations: Mapping[str, str] | None = None, now: datetime | None = None,
          host: str | None = None) -> dict[str, Any]:
    """The Event object, without sending it (pure).

    Args:
        involved: the object the event is about (needs apiVersion, kind, metadata.name).
        type: "Normal" or "Warning".
        reason: a CamelCase reason, e.g. "ReconciliationSucceeded".
        message: the human-readable message; cut at 39000 characters.
        controller: the Flux controller name, e.g. "kustomize-controller".
        annotations: event metadata, e.g. {"kustomize.toolkit.fluxcd.io/revision": "main@sha1:..."}.
        now: the event time; default the current time (UTC).
        host: the reporting instance; default this machine's hostname.
    """
    t = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    meta = involved.get("metadata") or {}
    name = str(meta.get("name") or "")
    namespace = str(meta.get("namespace") or "") or "default"
    host = host or socket.gethostname()
    nanos = int(t.timestamp()) * 1_000_000_000 + t.microsecond * 1000
    ref: dict[str, Any] = {"apiVersion": involved.get("apiVersion"), "kind": involved.get("kind"), "name": name}
    for key in ("namespace", "uid", "resourceVersion"):
        if meta.get(key):
            ref[key] = meta[key]
    seconds = t.strftime("%Y-%m-%dT%H:%M:%SZ")
    event: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{name}.{nanos:x}", "namespace": namespace},
        "involvedObject": ref,
        "reason": reason,
        "message": message[:MAX_MESSAGE],
        "type": type,
        "source": {"component": controller, "host": host},
        "reportingComponent": controller,
        "reportingController": controller,
        "reportingInstance": host,
        "firstTimestamp": seconds,
        "lastTimestamp": seconds,
        "eventTime": t.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "count": 1,
    }
    if annotations:
        event["metadata"]["annotations"] = dict(annotations)
    return event


def record(kube: Kube, involved: Mapping[str, Any], *, type: Literal["Normal", "Warning"], reason: str,
           message: str, controller: str, annotations: Mapping[str, str] | None = None,
           now: datetime | None = None) -> dict[str, Any]:
    """Create an Event about `involved` and return it as stored.

    Args:
        kube: the cluster.
        involved: the object the event is about.
        type: "Normal" or "Warning".
        reason: a CamelCase reason.
        message: the message; cut at 39000 characters.
        controller: the Flux controller name, e.g. "kustomize-controller".
        annotations: event metadata annotations.
        now: the event time; default now.

    Raises:
        KubeError: the server refused the Event.
    """
    event = build(involved, type=type, reason=reason, message=message, controller=controller,
                  annotations=annotations, now=now)
    ns = event["metadata"]["namespace"]
    req = build_request("POST", EVENTS.path(namespace=ns), body=event, verb="create", resource=EVENTS,
                        namespace=ns, subject=f"Event/{ns}/{event['metadata']['name']} about "
                                            f"{involved.get('kind')}/{ns}/{event['involvedObject']['name']}")
    out = kube.transport.send(req).json()
    return out if isinstance(out, dict) else event
