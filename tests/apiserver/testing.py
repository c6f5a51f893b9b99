"""Helpers for the emulator's conformance tests: raw HTTP access and manifest factories.

`Raw` talks HTTP(S) to an `ApiServer` with urllib3, exposing exact status
codes, headers and bodies (and watch streams event by event); the factories
build the few manifests the tests keep creating.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import urllib3

from tests.apiserver import ApiServer, certs
@dataclass
class Response:
    """A raw HTTP answer: status, headers and the body (JSON-decoded when possible)."""

    status: int
    headers: Any
    text: str

    @property
    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.text)


class Raw:
    """Raw HTTP(S) requests to the emulator with the bearer token (or another one)."""

    def __init__(self, srv: ApiServer) -> None:
        self.srv = srv
        ca = str(certs.session_certs().ca_cert) if srv.tls else None
        self.pool = urllib3.PoolManager(ca_certs=ca, cert_reqs="CERT_REQUIRED" if ca else "CERT_NONE",
                                        retries=False)

    def request(self, method: str, path: str, body: Any = None, *,
                content_type: str = "application/json", token: str | None = None,
                headers: dict[str, str] | None = None, timeout: float = 5.0) -> Response:
        """Send one request; `body` is JSON-encoded unless it is str/bytes."""
        hdrs = {"Authorization": f"Bearer {token if token is not None else self.srv.token}"}
        if token == "":
            hdrs = {}
        data: bytes | None = None
        if body is not None:
            data = body.encode() if isinstance(body, str) else body if isinstance(body, bytes) \
                else json.dumps(body).encode()
            hdrs["Content-Type"] = content_type
        hdrs.update(headers or {})
        resp = self.pool.request(method, self.srv.url + path, body=data, headers=hdrs,
                                 timeout=timeout, retries=False)
        return Response(resp.status, resp.headers, resp.data.decode())

    def events(self, path: str, count: int, *, timeout: float = 3.0) -> list[dict[str, Any]]:
        """Open a watch at `path` and return its first `count` events (then hang up)."""
        resp = self.pool.request("GET", self.srv.url + path, preload_content=False, timeout=timeout,
                                 headers={"Authorization": f"Bearer {self.srv.token}"}, retries=False)
        events: list[dict[str, Any]] = []
        buffer = b""
        try:
            for chunk in resp.stream(1024):
                buffer += chunk
                while b"\n" in buffer and len(events) < count:
                    line, buffer = buffer.split(b"\n", 1)
                    events.append(json.loads(line))
                if len(events) >= count:
                    break
        finally:
            resp.drain_conn() if len(events) < count else resp.release_conn()
            resp.close()
        return events

    def get(self, path: str, **kw: Any) -> Response:
        """GET `path`."""
        return self.request("GET", path, **kw)


KS_GROUP, KS_VERSION, KS_PLURAL = "kustomize.toolkit.fluxcd.io", "v1", "kustomizations"


def kustomization(name: str, namespace: str = "flux-system", **spec: Any) -> dict[str, Any]:
    """A Kustomization manifest."""
    return {
        "apiVersion": f"{KS_GROUP}/{KS_VERSION}",
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"interval": "10m", "path": "./", "prune": True,
                 "sourceRef": {"kind": "GitRepository", "name": "flux-system"}, **spec},
    }


def deployment(name: str, namespace: str = "default", *, replicas: int = 1,
               image: str = "nginx:1.27", app: str | None = None) -> dict[str, Any]:
    """A Deployment manifest."""
    labels = {"app": app or name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels},
                         "spec": {"containers": [{"name": "main", "image": image}]}},
        },
    }


def configmap(name: str, namespace: str = "default", data: dict[str, str] | None = None,
              **meta: Any) -> dict[str, Any]:
    """A ConfigMap manifest."""
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": namespace, **meta}, "data": data or {"k": "v"}}
