"""Loading kubeconfig and in-cluster configuration (fluxpy.kube.config).

Covers: current and explicit contexts and their namespace; KUBECONFIG lists
merged like kubectl (first file wins per name and for current-context,
missing files skipped); --kubeconfig; the ~/.kube/config default; falling
back to in-cluster config; certificate-authority, client certificate and key
as files (relative to the kubeconfig) and as base64 data; insecure,
tls-server-name and proxy-url; token, tokenFile and basic auth; one-line
errors naming the file for unknown contexts, malformed YAML, missing files
and no configuration at all; secrets absent from reprs.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from fluxpy.kube import config
from fluxpy.kube.credentials import StaticCredentials, TokenFileCredentials
from fluxpy.kube.errors import ConfigError
from tests.kube.conftest import Certs, write_kubeconfig


def test_current_context_gives_server_and_default_namespace(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "config", server="https://10.0.0.1:6443/")
    cfg = config.load(kubeconfig=str(path))
    assert (cfg.server, cfg.context, cfg.namespace, cfg.source) == ("https://10.0.0.1:6443", "main", "default",
                                                                    str(path))
    assert cfg.verify and cfg.credentials is None and cfg.ca_data is None


def test_context_namespace_is_used(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "config", namespace="flux-system")
    assert config.load(kubeconfig=str(path)).namespace == "flux-system"


def test_explicit_context_overrides_current_context(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "config", extra_contexts=("other",))
    assert config.load(kubeconfig=str(path), context="other").context == "other"


def test_unknown_context_names_file_and_lists_contexts(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "config", extra_contexts=("b-ctx",))
    with pytest.raises(ConfigError) as e:
        config.load(kubeconfig=str(path), context="foo")
    assert str(e.value) == f'kubeconfig {path}: context "foo" not found (contexts: b-ctx, main)'
    assert e.value.hint == "pass --context with one of them"


def test_missing_current_context_is_an_error_with_hint(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "config", current=None)
    with pytest.raises(ConfigError, match=r"no current-context is set \(contexts: main\)") as e:
        config.load(kubeconfig=str(path))
    assert e.value.hint and "--context" in e.value.hint


def test_malformed_yaml_reports_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text("apiVersion: v1\nclusters:\n  - name: a\n   cluster: {server: x}\n")
    with pytest.raises(ConfigError) as e:
        config.load(kubeconfig=str(path))
    assert str(e.value).startswith(f"kubeconfig {path}: not valid YAML: line 4, column 4")


def test_non_mapping_kubeconfig_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="not a kubeconfig"):
        config.load(kubeconfig=str(path))


def test_explicit_kubeconfig_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"kubeconfig .*/nope: file does not exist"):
        config.load(kubeconfig=str(tmp_path / "nope"))


def test_no_configuration_at_all_explains_and_hints(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        config.load(environ={"HOME": str(tmp_path)})
    assert str(e.value).startswith(f"no kubeconfig found: {tmp_path}/.kube/config does not exist")
    assert e.value.hint and "KUBECONFIG" in e.value.hint and "--kubeconfig" in e.value.hint


def test_default_kubeconfig_is_home_kube_config(tmp_path: Path) -> None:
    write_kubeconfig(tmp_path / ".kube" / "config", server="https://home:6443")
    assert config.load(environ={"HOME": str(tmp_path)}).server == "https://home:6443"


def test_kubeconfig_list_merges_first_file_wins(tmp_path: Path) -> None:
    a = write_kubeconfig(tmp_path / "a", context="main", server="https://first:1", current="main")
    b = write_kubeconfig(tmp_path / "b", context="main", server="https://second:2", current="other",
                         extra_contexts=("other",))
    env = {"KUBECONFIG": f"{tmp_path / 'missing'}:{a}:{b}", "HOME": str(tmp_path)}
    cfg = config.load(environ=env)
    assert (cfg.context, cfg.server) == ("main", "https://first:1")
    assert cfg.source == f"{a}:{b}"
    # A context only the second file defines is still reachable.
    assert config.load(environ=env, context="other").context == "other"


def test_current_context_comes_from_first_file_that_sets_it(tmp_path: Path) -> None:
    a = write_kubeconfig(tmp_path / "a", context="x", current=None)
    b = write_kubeconfig(tmp_path / "b", context="y", current="y")
    assert config.load(environ={"KUBECONFIG": f"{a}:{b}"}).context == "y"


def test_kubeconfig_list_with_no_existing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="none of the files in KUBECONFIG exist"):
        config.load(environ={"KUBECONFIG": str(tmp_path / "nope")})


def test_relative_certificate_paths_resolve_against_the_kubeconfig_dir(tmp_path: Path, certs: Certs) -> None:
    d = tmp_path / "kube"
    d.mkdir()
    for name in ("ca.crt", "client.crt", "client.key"):
        (d / name).write_bytes((certs.dir / name).read_bytes())
    path = write_kubeconfig(d / "config", cluster={"certificate-authority": "ca.crt"},
                            user={"client-certificate": "client.crt", "client-key": "./client.key"})
    cfg = config.load(kubeconfig=str(path))
    assert cfg.ca_data == certs.ca.read_bytes()
    assert cfg.client_cert == certs.client_cert.read_bytes()
    assert cfg.client_key == certs.client_key.read_bytes()


def test_base64_data_wins_over_file_paths(tmp_path: Path, certs: Certs) -> None:
    path = write_kubeconfig(tmp_path / "config", cluster={
        "certificate-authority-data": certs.b64(certs.ca), "certificate-authority": "/does/not/exist"})
    assert config.load(kubeconfig=str(path)).ca_data == certs.ca.read_bytes()


def test_invalid_base64_names_the_cluster(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "config", cluster={"certificate-authority-data": "!!notbase64"})
    with pytest.raises(ConfigError, match=r'cluster "main-cluster": certificate-authority-data is not valid base64'):
        config.load(kubeconfig=str(path))


def test_missing_certificate_file_names_path(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "config", cluster={"certificate-authority": "ca.pem"})
    with pytest.raises(ConfigError) as e:
        config.load(kubeconfig=str(path))
    assert f"cannot read certificate-authority {tmp_path}/ca.pem: No such file or directory" in str(e.value)


def test_certificate_without_key_is_rejected(tmp_path: Path, certs: Certs) -> None:
    path = write_kubeconfig(tmp_path / "config", user={"client-certificate-data": certs.b64(certs.client_cert)})
    with pytest.raises(ConfigError, match="client certificate without a key"):
        config.load(kubeconfig=str(path))


def test_cluster_options_are_carried(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "config", cluster={
        "insecure-skip-tls-verify": True, "tls-server-name": "kubernetes.test",
        "proxy-url": "http://proxy:3128"})
    cfg = config.load(kubeconfig=str(path))
    assert (cfg.verify, cfg.tls_server_name, cfg.proxy_url) == (False, "kubernetes.test", "http://proxy:3128")


def test_cluster_without_server_is_an_error(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "config", server="")
    with pytest.raises(ConfigError, match=r'cluster "main-cluster" has no server'):
        config.load(kubeconfig=str(path))


def test_context_pointing_at_undefined_user_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text("clusters: [{name: c, cluster: {server: 'https://x'}}]\n"
                    "contexts: [{name: k, context: {cluster: c, user: ghost}}]\ncurrent-context: k\n")
    with pytest.raises(ConfigError, match=r'refers to user "ghost", which is not defined'):
        config.load(kubeconfig=str(path))


def test_token_is_static_and_hidden_from_repr(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "config", user={"token": "s3cr3t-token"})
    cfg = config.load(kubeconfig=str(path))
    assert isinstance(cfg.credentials, StaticCredentials)
    assert cfg.credentials.get().authorization() == "Bearer s3cr3t-token"
    assert "s3cr3t" not in repr(cfg) and "s3cr3t" not in repr(cfg.credentials.get())


def test_token_file_is_relative_and_reread_on_refresh(tmp_path: Path) -> None:
    (tmp_path / "tok").write_text("one\n")
    path = write_kubeconfig(tmp_path / "config", user={"tokenFile": "tok", "token": "fallback"})
    cfg = config.load(kubeconfig=str(path))
    assert isinstance(cfg.credentials, TokenFileCredentials)
    assert cfg.credentials.get().token == "one"
    (tmp_path / "tok").write_text("two\n")
    assert cfg.credentials.get().token == "one"  # cached for a minute
    assert cfg.credentials.get(refresh=True).token == "two"


def test_basic_auth_builds_basic_header(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "config", user={"username": "admin", "password": "pw"})
    cfg = config.load(kubeconfig=str(path))
    assert cfg.credentials is not None
    assert cfg.credentials.get().authorization() == "Basic " + base64.b64encode(b"admin:pw").decode()


def test_in_cluster_config_reads_service_account(tmp_path: Path, certs: Certs) -> None:
    sa = tmp_path / "sa"
    sa.mkdir()
    (sa / "token").write_text("pod-token")
    (sa / "ca.crt").write_bytes(certs.ca.read_bytes())
    (sa / "namespace").write_text("flux-system")
    env = {"HOME": str(tmp_path), "KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"}
    cfg = config.load(environ=env, sa_dir=str(sa))
    assert (cfg.server, cfg.context, cfg.namespace, cfg.source) == (
        "https://10.96.0.1:443", "in-cluster", "flux-system", "in-cluster")
    assert cfg.ca_data == certs.ca.read_bytes()
    assert cfg.credentials is not None and cfg.credentials.get().token == "pod-token"


def test_in_cluster_ipv6_host_is_bracketed(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("t")
    cfg = config.load_in_cluster(environ={"KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"},
                                 sa_dir=str(tmp_path))
    assert cfg.server == "https://[fd00::1]:443"


def test_in_cluster_without_token_is_an_error(tmp_path: Path) -> None:
    env = {"KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"}
    with pytest.raises(ConfigError, match="in-cluster config: .*token does not exist"):
        config.load_in_cluster(environ=env, sa_dir=str(tmp_path))


def test_kubeconfig_wins_over_in_cluster(tmp_path: Path) -> None:
    write_kubeconfig(tmp_path / ".kube" / "config", server="https://from-file:1")
    env = {"HOME": str(tmp_path), "KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"}
    assert config.load(environ=env).server == "https://from-file:1"


def test_unreadable_kubeconfig_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.mkdir()  # a directory cannot be read as a file, even by root
    with pytest.raises(ConfigError, match=rf"kubeconfig {path}: cannot read: Is a directory"):
        config.load(kubeconfig=str(path))
