"""What users see when the cluster cannot be used: the error table, end to end.

Against the API emulator (or a closed port), through `Kube`: unreachable
server; bad kubeconfig; unknown context; unknown kind; missing object; 401
with a wrong token; 403 from RBAC (srv.deny); 500 after the retries
(srv.faults); 429 with Retry-After then success; a dropped connection then
success; and no token in any error message or hint.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from fluxpy.errors import FluxpyError
from fluxpy.kube import config, errors
from fluxpy.kube.client import Kube
from fluxpy.kube.resource import Resource
from fluxpy.kube.transport import Backoff
from tests.apiserver import ApiServer
from tests.kube.conftest import FAST_BACKOFF_KW, write_kubeconfig

KS = Resource("kustomize.toolkit.fluxcd.io", "v1", "Kustomization", "kustomizations", True)
WRONG_TOKEN = "wrong-token-7c1e"


def fast(path: Path, **kw: str) -> Kube:
    return Kube(config.load(kubeconfig=str(path), **kw), timeout=2.0, backoff=Backoff(**FAST_BACKOFF_KW))


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


def test_unreachable_server(tmp_path: Path) -> None:
    url = f"https://127.0.0.1:{closed_port()}"
    k = fast(write_kubeconfig(tmp_path / "config", server=url))
    with pytest.raises(errors.UnreachableError) as e:
        k.get(KS, "apps", namespace="flux-system")
    assert str(e.value) == f"cannot reach the API server at {url}: connection refused"
    assert e.value.hint == "check the cluster is running and the kubeconfig context (--context)"


def test_bad_kubeconfig(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text("clusters: [\n")
    with pytest.raises(errors.ConfigError, match=rf"^kubeconfig {path}: not valid YAML: line 2, column 1"):
        Kube.connect(kubeconfig=str(path))


def test_unknown_context(kubeconfig: Path) -> None:
    with pytest.raises(errors.ConfigError) as e:
        Kube.connect(kubeconfig=str(kubeconfig), context="prod")
    assert str(e.value) == f'kubeconfig {kubeconfig}: context "prod" not found (contexts: emulator)'
    assert e.value.hint == "pass --context with one of them"


def test_unknown_kind(kube: Kube) -> None:
    with pytest.raises(errors.UnknownKindError, match='^unknown kind "foo": the server does not serve it$'):
        kube.resource("foo")


def test_missing_object(kube: Kube) -> None:
    with pytest.raises(errors.NotFoundError) as e:
        kube.get(KS, "apps", namespace="flux-system")
    assert str(e.value) == 'Kustomization/flux-system/apps: kustomizations.kustomize.toolkit.fluxcd.io "apps" not found'


def test_resource_not_served(kube: Kube) -> None:
    hr = Resource("helm.toolkit.fluxcd.io", "v9", "HelmRelease", "helmreleases", True)
    with pytest.raises(errors.ResourceNotServedError) as e:
        kube.list(hr, namespace="flux-system")
    assert str(e.value) == "the server does not serve helmreleases.helm.toolkit.fluxcd.io; is the CRD installed?"


def test_wrong_token_is_unauthorized(apiserver: ApiServer, tmp_path: Path) -> None:
    k = fast(apiserver.write_kubeconfig(tmp_path / "bad", token=WRONG_TOKEN))
    with pytest.raises(errors.UnauthorizedError) as e:
        k.list(KS, namespace="flux-system")
    assert 'refused the credentials of context "emulator"' in str(e.value)
    assert e.value.hint and e.value.hint.startswith('credentials for context "emulator" were refused; refresh them')


def test_rbac_denial_is_forbidden(kube: Kube, apiserver: ApiServer) -> None:
    apiserver.deny(verb="list", resource="kustomizations")
    with pytest.raises(errors.ForbiddenError) as e:
        kube.list(KS, namespace="flux-system")
    assert str(e.value).startswith("kustomizations.kustomize.toolkit.fluxcd.io in namespace flux-system: ")
    assert "forbidden" in str(e.value)
    assert e.value.hint and "kubectl auth can-i list kustomizations.kustomize.toolkit.fluxcd.io -n flux-system" \
        in e.value.hint


def test_500_after_retries(kube: Kube, apiserver: ApiServer) -> None:
    apiserver.faults.add(status=500, method="GET", path="/kustomizations", times=None)
    with pytest.raises(errors.ServerError, match=r"^Kustomization/flux-system/apps: the API server failed with "
                                                r"HTTP 500 after 5 attempts"):
        kube.get(KS, "apps", namespace="flux-system")
    assert apiserver.count(path="/kustomizations") == 5


def test_429_with_retry_after_then_success(kube: Kube, apiserver: ApiServer) -> None:
    apiserver.faults.add(status=429, method="GET", path="/kustomizations", times=2, retry_after=1)
    start = time.monotonic()
    assert kube.list(KS, namespace="flux-system") == []
    assert time.monotonic() - start < 1  # Retry-After capped by the test's back-off
    assert apiserver.count(path="/kustomizations") == 3


def test_dropped_connection_then_success(kube: Kube, apiserver: ApiServer) -> None:
    apiserver.faults.add(status=None, method="GET", path="/kustomizations", times=1, drop=True)
    assert kube.list(KS, namespace="flux-system") == []
    assert apiserver.count(path="/kustomizations") == 2


def test_no_token_in_any_error_text(apiserver: ApiServer, tmp_path: Path) -> None:
    good = fast(apiserver.kubeconfig)
    bad = fast(apiserver.write_kubeconfig(tmp_path / "bad", token=WRONG_TOKEN))
    apiserver.deny(verb="get", resource="configmaps")
    apiserver.faults.add(status=500, method="GET", path="/secrets", times=None)
    cm = Resource("", "v1", "ConfigMap", "configmaps", True)
    secret = Resource("", "v1", "Secret", "secrets", True)
    texts: list[str] = []
    for call in (lambda: bad.get(KS, "x"), lambda: good.get(cm, "x"), lambda: good.get(secret, "x"),
                 lambda: good.get(KS, "missing"), lambda: good.resource("nope"),
                 lambda: good.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "bad name"}})):
        with pytest.raises(FluxpyError) as e:
            call()
        texts += [str(e.value), e.value.hint or "", repr(e.value)]
    texts += [repr(good), repr(good.config), repr(good.transport), repr(bad.config)]
    for token in (apiserver.token, WRONG_TOKEN):
        assert not any(token in t for t in texts), token
