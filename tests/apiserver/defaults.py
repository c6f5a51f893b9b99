"""Server-side defaulting and allocation done on every write.

A real API server fills in defaults (Service type, ports' protocol, Secret
type, Deployment replicas, ...) and allocates a Service's clusterIP. fluxpy's
drift detection compares dry-run results with live objects, so the emulator
defaults the same way on dry-run and real writes; only the fields fluxpy can
trip over are covered.
"""

from __future__ import annotations

import base64
import itertools
import threading
from typing import Any


class IpAllocator:
    """Hands out Service cluster IPs from 10.96.0.0/12, sequentially."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next = itertools.count(10)

    def allocate(self) -> str:
        """Return the next unused address."""
        with self._lock:
            n = next(self._next)
        return f"10.96.{n // 250}.{n % 250 + 1}"


def apply_defaults(
    group: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None, ips: IpAllocator
) -> None:
    """Default `obj` (in place) the way the apiserver would for a create (`old` None) or update."""
    if group == "":
        if kind == "Secret":
            _secret(obj)
        elif kind == "Service":
            _service(obj, old, ips)
        elif kind == "Namespace":
            _namespace(obj)
    elif group == "apps" and kind in ("Deployment", "StatefulSet", "ReplicaSet"):
        obj.setdefault("spec", {}).setdefault("replicas", 1)


def _secret(obj: dict[str, Any]) -> None:
    obj.setdefault("type", "Opaque")
    string_data = obj.pop("stringData", None)
    if string_data:
        data = dict(obj.get("data") or {})
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode()).decode()
        obj["data"] = data


def _namespace(obj: dict[str, Any]) -> None:
    meta = obj.setdefault("metadata", {})
    labels = dict(meta.get("labels") or {})
    labels["kubernetes.io/metadata.name"] = meta.get("name", "")
    meta["labels"] = labels
    obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
    if not meta.get("deletionTimestamp"):
        obj["status"] = {"phase": "Active"}


def _service(obj: dict[str, Any], old: dict[str, Any] | None, ips: IpAllocator) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("type", "ClusterIP")
    old_spec = (old or {}).get("spec") or {}
    if spec["type"] != "ExternalName":
        # Like the apiserver's patchAllocatedValues: an update that leaves the IP
        # out keeps the allocated one instead of failing.
        if not spec.get("clusterIP") and old_spec.get("clusterIP"):
            spec["clusterIP"] = old_spec["clusterIP"]
            spec.setdefault("clusterIPs", old_spec.get("clusterIPs", [old_spec["clusterIP"]]))
        if not spec.get("clusterIP"):
            spec["clusterIP"] = ips.allocate()
        spec.setdefault("clusterIPs", [spec["clusterIP"]])
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("internalTrafficPolicy", "Cluster")
    spec.setdefault("sessionAffinity", "None")
    ports = []
    for port in spec.get("ports") or []:
        port = dict(port)
        port.setdefault("protocol", "TCP")
        if "port" in port:
            port.setdefault("targetPort", port["port"])
        ports.append(port)
    if ports:
        spec["ports"] = ports
    obj.setdefault("status", {"loadBalancer": {}})
