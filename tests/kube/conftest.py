"""Fixtures for the cluster-layer tests: throwaway certificates, a scripted
HTTP(S) stub server, kubeconfig files, and a discovery cache kept in tmp."""

from __future__ import annotations

import base64
import os
import ssl
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.kube.stub import Stub


@dataclass(frozen=True)
class Certs:
    dir: Path
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    other_ca: Path

    def b64(self, path: Path) -> str:
        return base64.b64encode(path.read_bytes()).decode()


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    d = tmp_path_factory.mktemp("kube-certs")
    for ca in ("ca", "other-ca"):
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", f"{ca}.key", "-out", f"{ca}.crt",
                 "-days", "2", "-subj", f"/CN={ca}", cwd=d)
    (d / "server.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.test\n")
    for name, cn in (("server", "127.0.0.1"), ("client", "fluxpy-user")):
        _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                 "-subj", f"/CN={cn}", cwd=d)
        ext = ["-extfile", "server.ext"] if name == "server" else []
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                 "-out", f"{name}.crt", "-days", "2", *ext, cwd=d)
    return Certs(d, d / "ca.crt", d / "server.crt", d / "server.key", d / "client.crt", d / "client.key",
                 d / "other-ca.crt")


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep discovery caches and HOME lookups inside the test's tmp dir."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("FLUXPY_NO_DISCOVERY_CACHE", raising=False)


@pytest.fixture
def stub() -> Iterator[Stub]:
    s = Stub()
    yield s
    s.stop()


@pytest.fixture
def tls_stub(certs: Certs) -> Callable[..., Stub]:
    made: list[Stub] = []

    def make(*, client_auth: bool = False) -> Stub:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(certs.server_cert, certs.server_key)
        if client_auth:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(certs.ca)
        s = Stub(tls=ctx)
        made.append(s)
        return s

    yield make  # type: ignore[misc]
    for s in made:
        s.stop()


def write_kubeconfig(path: Path, *, server: str = "https://127.0.0.1:6443", context: str = "main",
                     current: str | None = "main", cluster: dict[str, Any] | None = None,
                     user: dict[str, Any] | None = None, namespace: str | None = None,
                     extra_contexts: tuple[str, ...] = ()) -> Path:
    """A one-context kubeconfig (plus empty-named extra contexts pointing at the same cluster)."""
    ctx: dict[str, Any] = {"cluster": f"{context}-cluster", "user": f"{context}-user"}
    if namespace:
        ctx["namespace"] = namespace
    doc: dict[str, Any] = {
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": f"{context}-cluster", "cluster": {"server": server, **(cluster or {})}}],
        "contexts": [{"name": context, "context": ctx}]
        + [{"name": n, "context": dict(ctx)} for n in extra_contexts],
        "users": [{"name": f"{context}-user", "user": user or {}}],
    }
    if current:
        doc["current-context"] = current
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc))
    os.chmod(path, 0o600)
    return path


FAST_BACKOFF_KW = {"attempts": 5, "base": 0.001, "cap": 0.004, "retry_after_cap": 0.05}


@pytest.fixture
def kube(kubeconfig: Path) -> Iterator[Any]:
    """A `Kube` on the API emulator, with fast retries and discovery cached under tmp."""
    from fluxpy.kube import config
    from fluxpy.kube.client import Kube
    from fluxpy.kube.transport import Backoff

    k = Kube(config.load(kubeconfig=str(kubeconfig)), timeout=5.0, backoff=Backoff(**FAST_BACKOFF_KW))
    yield k
    k.close()
