"""Flux objects for CLI tests, shaped as the controllers leave them."""

from __future__ import annotations

from typing import Any

SHA = "8f3c2a1b9d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a"


def kustomization(name: str, namespace: str = "flux-system", *, ready: str | None = "True",
                  message: str = f"Applied revision: main@sha1:{SHA}", suspend: bool | None = None,
                  labels: dict[str, str] | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
        "spec": {"interval": "10m0s", "path": f"./{name}", "prune": True,
                 "sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
        "status": {"observedGeneration": 1, "lastAppliedRevision": f"main@sha1:{SHA}"},
    }
    if suspend is not None:
        obj["spec"]["suspend"] = suspend
    if ready is not None:
        obj["status"]["conditions"] = [{"type": "Ready", "status": ready, "reason": "ReconciliationSucceeded",
                                        "message": message, "observedGeneration": 1,
                                        "lastTransitionTime": "2026-11-20T09:14:09Z"}]
    return obj


def git_repository(name: str, namespace: str = "flux-system") -> dict[str, Any]:
    return {
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"interval": "1m0s", "url": "https://git.example.com/org/repo", "ref": {"branch": "main"}},
        "status": {"observedGeneration": 1, "artifact": {"revision": f"main@sha1:{SHA}", "digest": "sha256:" + "0" * 64,
                                                         "path": "x", "url": "x", "size": 1,
                                                         "lastUpdateTime": "2026-11-20T09:14:02Z"},
                   "conditions": [{"type": "Ready", "status": "True", "reason": "Succeeded",
                                   "message": f"stored artifact for revision 'main@sha1:{SHA}'",
                                   "observedGeneration": 1, "lastTransitionTime": "2026-11-20T09:14:02Z"}]},
    }
