"""Credential sources (fluxpy.kube.credentials): exec plugins and auth-provider.

Covers: exec plugins of both API versions returning a token or a client
certificate; args, env and KUBERNETES_EXEC_INFO (with cluster info) passed to
the plugin; a relative command resolved against the kubeconfig's directory;
caching until expirationTimestamp and re-running on refresh or expiry;
failures (missing command with installHint, non-zero exit, bad output,
wrong apiVersion) as one-line errors; the auth-provider fallback importing
`kubernetes` only when used; `fluxpy.kube` importing nothing heavy.
"""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from fluxpy.kube import config
from fluxpy.kube.credentials import ExecCredentials
from fluxpy.kube.errors import ConfigError
from tests.kube.conftest import write_kubeconfig

V1 = "client.authentication.k8s.io/v1"
V1BETA1 = "client.authentication.k8s.io/v1beta1"


def plugin(tmp_path: Path, status: dict[str, object] | str, *, api_version: str = V1, exit_code: int = 0,
           name: str = "plugin.py") -> Path:
    """A plugin script that logs each call (argv, env, exec info) and prints an ExecCredential."""
    out = status if isinstance(status, str) else json.dumps(
        {"apiVersion": api_version, "kind": "ExecCredential", "status": status})
    script = tmp_path / name
    script.write_text(textwrap.dedent(f"""\
        #!{sys.executable}
        import json, os, sys
        with open({str(tmp_path / 'calls.jsonl')!r}, "a") as f:
            f.write(json.dumps({{"argv": sys.argv[1:], "color": os.environ.get("COLOR"),
                                 "info": json.loads(os.environ["KUBERNETES_EXEC_INFO"])}}) + "\\n")
        sys.stderr.write("plugin says no\\n")
        sys.stdout.write({out!r})
        sys.exit({exit_code})
        """))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def calls(tmp_path: Path) -> list[dict[str, object]]:
    p = tmp_path / "calls.jsonl"
    return [json.loads(line) for line in p.read_text().splitlines()] if p.exists() else []


def exec_config(tmp_path: Path, **spec: object) -> config.ClusterConfig:
    path = write_kubeconfig(tmp_path / "config", server="https://10.1.2.3:6443", user={"exec": {
        "apiVersion": V1, "command": "./plugin.py", "interactiveMode": "Never", **spec}})
    return config.load(kubeconfig=str(path))


def test_exec_plugin_token_with_args_env_and_cluster_info(tmp_path: Path) -> None:
    plugin(tmp_path, {"token": "exec-token"})
    cfg = exec_config(tmp_path, args=["get-token", "--x"], env=[{"name": "COLOR", "value": "blue"}],
                      provideClusterInfo=True)
    assert cfg.credentials is not None
    assert cfg.credentials.get().authorization() == "Bearer exec-token"
    [call] = calls(tmp_path)
    assert call["argv"] == ["get-token", "--x"] and call["color"] == "blue"
    assert call["info"] == {"apiVersion": V1, "kind": "ExecCredential", "spec": {
        "interactive": False, "cluster": {"server": "https://10.1.2.3:6443", "insecure-skip-tls-verify": False}}}


def test_exec_plugin_v1beta1_is_supported(tmp_path: Path) -> None:
    plugin(tmp_path, {"token": "beta"}, api_version=V1BETA1)
    cfg = exec_config(tmp_path, apiVersion=V1BETA1)
    assert cfg.credentials is not None and cfg.credentials.get().token == "beta"


def test_exec_plugin_result_is_cached_until_refresh(tmp_path: Path) -> None:
    plugin(tmp_path, {"token": "t"})
    creds = exec_config(tmp_path).credentials
    assert creds is not None
    creds.get()
    creds.get()
    assert len(calls(tmp_path)) == 1
    creds.get(refresh=True)
    assert len(calls(tmp_path)) == 2


def test_exec_plugin_reruns_after_expiration(tmp_path: Path) -> None:
    soon = (datetime.now(timezone.utc) + timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    plugin(tmp_path, {"token": "t", "expirationTimestamp": soon})
    creds = exec_config(tmp_path).credentials
    assert creds is not None
    first = creds.get()
    assert first.expires is not None
    creds.get()  # within the 10 s skew: already considered expired
    assert len(calls(tmp_path)) == 2


def test_exec_plugin_with_future_expiration_is_reused(tmp_path: Path) -> None:
    later = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    plugin(tmp_path, {"token": "t", "expirationTimestamp": later})
    creds = exec_config(tmp_path).credentials
    assert creds is not None
    creds.get()
    creds.get()
    assert len(calls(tmp_path)) == 1


def test_exec_plugin_client_certificate(tmp_path: Path) -> None:
    plugin(tmp_path, {"clientCertificateData": "CERT", "clientKeyData": "KEY"})
    creds = exec_config(tmp_path).credentials
    assert creds is not None
    got = creds.get()
    assert (got.client_cert, got.client_key, got.token) == (b"CERT", b"KEY", None)


def test_exec_plugin_command_not_found_shows_install_hint(tmp_path: Path) -> None:
    creds = exec_config(tmp_path, command="no-such-plugin-xyz", installHint="brew install thing").credentials
    assert creds is not None
    with pytest.raises(ConfigError, match="exec plugin no-such-plugin-xyz: command not found") as e:
        creds.get()
    assert e.value.hint == "brew install thing"


def test_exec_plugin_failure_quotes_stderr(tmp_path: Path) -> None:
    plugin(tmp_path, {"token": "t"}, exit_code=3)
    creds = exec_config(tmp_path).credentials
    assert creds is not None
    with pytest.raises(ConfigError) as e:
        creds.get()
    assert str(e.value) == (f'kubeconfig {tmp_path}/config: user "main-user": exec plugin '
                            f"{tmp_path}/plugin.py: exited with status 3: plugin says no")


@pytest.mark.parametrize(("output", "error"), [
    ("not json", "output is not an ExecCredential JSON document"),
    (json.dumps({"apiVersion": V1BETA1, "kind": "ExecCredential", "status": {"token": "t"}}),
     "returned apiVersion 'client.authentication.k8s.io/v1beta1', expected"),
    (json.dumps({"apiVersion": V1, "kind": "ExecCredential", "status": {}}), "neither a token nor"),
])
def test_exec_plugin_bad_output_is_rejected(tmp_path: Path, output: str, error: str) -> None:
    plugin(tmp_path, output)
    creds = exec_config(tmp_path).credentials
    assert creds is not None
    with pytest.raises(ConfigError, match=error):
        creds.get()


def test_exec_plugin_unsupported_api_version_fails_at_load(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="exec plugin apiVersion 'client.authentication.k8s.io/v1alpha1'"):
        exec_config(tmp_path, apiVersion="client.authentication.k8s.io/v1alpha1")


def test_exec_repr_shows_command_not_token(tmp_path: Path) -> None:
    plugin(tmp_path, {"token": "sekrit"})
    creds = exec_config(tmp_path).credentials
    assert isinstance(creds, ExecCredentials)
    got = creds.get()
    assert "sekrit" not in repr(creds) and "sekrit" not in repr(got)


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.strip()


def test_auth_provider_uses_kubernetes_package_only_when_asked(tmp_path: Path) -> None:
    import base64
    payload = base64.urlsafe_b64encode(json.dumps({"exp": 4102444800}).encode()).decode().rstrip("=")
    jwt = f"eyJhbGciOiJub25lIn0.{payload}.sig"
    path = write_kubeconfig(tmp_path / "config", user={"auth-provider": {
        "name": "oidc", "config": {"id-token": jwt, "idp-issuer-url": "https://issuer.invalid"}}})
    out = _run(textwrap.dedent(f"""
        import sys
        from fluxpy.kube import client, config
        cfg = config.load(kubeconfig={str(path)!r})
        before = "kubernetes" in sys.modules
        token = cfg.credentials.get().token
        print(before, "kubernetes" in sys.modules, token == {jwt!r})
        """))
    assert out == "False True True"


def test_importing_fluxpy_kube_package_imports_no_http_stack() -> None:
    out = _run("import sys, fluxpy.kube; print(sorted(m for m in ('urllib3', 'yaml', 'ssl', 'kubernetes') "
               "if m in sys.modules))")
    assert out == "[]"


def test_client_module_does_not_import_kubernetes() -> None:
    assert _run("import sys, fluxpy.kube.client, fluxpy.kube.events; print('kubernetes' in sys.modules)") == "False"
