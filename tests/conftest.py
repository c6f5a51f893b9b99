"""Shared pytest fixtures: a running Kubernetes API emulator and its kubeconfig.

Every test that talks to a cluster gets its own emulator (starting one takes a
few milliseconds; the TLS certificates are made once per session), with the
Flux CRDs installed and the namespaces `default`, `kube-system` and
`flux-system`, like a cluster that `flux install` has run on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from tests.apiserver import ApiServer
from tests.cli.helpers import Result

# The real Git servers (git daemon, http-backend, sshd) and OCI registries as fixtures for every test folder.
pytest_plugins = ["tests.gitserver.fixtures", "tests.registry.fixtures"]

NAMESPACES = ("default", "kube-system", "flux-system")


@pytest.fixture
def apiserver(tmp_path: Path) -> Iterator[ApiServer]:
    """A started API emulator with the Flux CRDs and the usual namespaces."""
    srv = ApiServer(tmp_path / "apiserver")
    srv.start()
    srv.install_flux_crds()
    for name in NAMESPACES:
        srv.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def kubeconfig(apiserver: ApiServer) -> Path:
    """The path of a kubeconfig for `apiserver` (context "emulator", CA data, bearer token)."""
    return apiserver.kubeconfig


@pytest.fixture
def fluxpy(capsys: pytest.CaptureFixture[str], kubeconfig: Path) -> Callable[..., Result]:
    """Run fluxpy in this process against the test's API emulator; stdout is not a terminal."""
    from fluxpy.main import main

    def invoke(*args: str, kubeconfig_path: Path | None = None) -> Result:
        argv: Sequence[str] = [*args, "--kubeconfig", str(kubeconfig_path or kubeconfig)]
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke
