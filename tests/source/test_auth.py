"""Credentials for git (`fluxpy.source.auth`): Secrets, local flags, the child environment.

Covers: reading Flux's Secret keys (basic, bearer, `ca.crt` over `caFile`,
mTLS pair, SSH identity + known_hosts + passphrase) and the errors for
missing or inconsistent keys, naming the Secret; `from_local` from files and
environment variables; the environment for one operation: HTTP credentials
only in a `GIT_CONFIG_*` header scoped to the origin, TLS verification
forced, SSH with strict host-key checking against the given known_hosts
only, askpass for a passphrase that never touches disk, no prompts; the
private directory (0700, files 0600) removed afterwards, also on error;
masking of secrets and URL userinfo.
"""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from fluxpy.source import auth
from fluxpy.source.errors import GitError
from fluxpy.source.types import GitAuth

REF = "flux-system/git-creds"


def secret(**values: str | bytes) -> dict[str, object]:
    data = {k.replace("_", ".") if k in ("ca_crt", "tls_crt", "tls_key") else k:
            base64.b64encode(v.encode() if isinstance(v, str) else v).decode()
            for k, v in values.items()}
    return {"apiVersion": "v1", "kind": "Secret", "data": data}


def config(env: dict[str, str]) -> dict[str, str]:
    count = int(env["GIT_CONFIG_COUNT"])
    return {env[f"GIT_CONFIG_KEY_{i}"]: env[f"GIT_CONFIG_VALUE_{i}"] for i in range(count)}


# --- from_secret ---------------------------------------------------------------------------------

def test_basic_auth_secret() -> None:
    got = auth.from_secret(secret(username="u", password="p"), ref=REF)
    assert (got.username, got.password, got.bearer_token) == ("u", "p", None)


def test_bearer_secret() -> None:
    assert auth.from_secret(secret(bearerToken="tok"), ref=REF).bearer_token == "tok"


def test_ca_crt_wins_over_legacy_ca_file() -> None:
    got = auth.from_secret(secret(ca_crt="NEW", caFile="OLD"), ref=REF)
    assert got.ca_pem == b"NEW"
    assert auth.from_secret(secret(caFile="OLD"), ref=REF).ca_pem == b"OLD"


def test_mtls_pair_is_read() -> None:
    got = auth.from_secret(secret(tls_crt="CERT", tls_key="KEY"), ref=REF)
    assert (got.client_cert_pem, got.client_key_pem) == (b"CERT", b"KEY")


def test_ssh_secret_uses_password_as_passphrase() -> None:
    got = auth.from_secret(secret(identity="KEY", known_hosts="KH", password="pp"), ref=REF)
    assert (got.ssh_identity, got.known_hosts, got.ssh_passphrase, got.password) == (b"KEY", b"KH", "pp", None)


def test_string_data_is_read_too() -> None:
    got = auth.from_secret({"stringData": {"bearerToken": "tok"}}, ref=REF)
    assert got.bearer_token == "tok"


@pytest.mark.parametrize(("values", "message"), [
    ({"identity": "KEY"}, f"Secret {REF}: missing key known_hosts"),
    ({"known_hosts": "KH"}, f"Secret {REF}: missing key identity"),
    ({"password": "p"}, f"Secret {REF}: missing key username (password requires username)"),
    ({"tls_crt": "C"}, f"Secret {REF}: missing key tls.key (tls.crt and tls.key go together)"),
    ({"tls_key": "K"}, f"Secret {REF}: missing key tls.crt (tls.crt and tls.key go together)"),
])
def test_missing_or_inconsistent_keys_name_the_secret(values: dict[str, str], message: str) -> None:
    with pytest.raises(GitError) as info:
        auth.from_secret(secret(**values), ref=REF)
    assert str(info.value) == message
    assert info.value.reason == "AuthenticationFailed"


def test_invalid_base64_names_the_key() -> None:
    with pytest.raises(GitError, match=f"Secret {REF}: key password is not valid base64"):
        auth.from_secret({"data": {"username": "dQ==", "password": "!!!"}}, ref=REF)


def test_repr_never_shows_values() -> None:
    got = auth.from_secret(secret(username="u", password="hunter2"), ref=REF)
    assert "hunter2" not in repr(got)


# --- from_local ----------------------------------------------------------------------------------

def test_from_local_reads_token_from_the_named_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_GIT_TOKEN", "tok")
    got = auth.from_local(token_env="MY_GIT_TOKEN")
    assert got is not None and got.bearer_token == "tok"


def test_from_local_fails_on_unset_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MY_GIT_TOKEN", raising=False)
    with pytest.raises(GitError, match="environment variable MY_GIT_TOKEN is not set"):
        auth.from_local(token_env="MY_GIT_TOKEN")


def test_from_local_reads_key_files(tmp_path: Path) -> None:
    (tmp_path / "id").write_bytes(b"KEY")
    (tmp_path / "kh").write_bytes(b"KH")
    got = auth.from_local(ssh_key=tmp_path / "id", known_hosts=tmp_path / "kh")
    assert got is not None and (got.ssh_identity, got.known_hosts) == (b"KEY", b"KH")


def test_from_local_with_nothing_is_none() -> None:
    assert auth.from_local() is None


# --- git_environment -----------------------------------------------------------------------------

def test_environment_never_prompts(tmp_path: Path) -> None:
    with auth.git_environment(None, url="https://h/r.git", tmp_root=tmp_path) as env:
        assert env["GIT_TERMINAL_PROMPT"] == "0"
        assert env["GIT_ASKPASS"] == ""
        assert config(env) == {"credential.helper": "", "http.sslVerify": "true"}


def test_basic_auth_is_a_header_scoped_to_the_origin(tmp_path: Path) -> None:
    creds = GitAuth(username="u", password="p@ss")
    with auth.git_environment(creds, url="https://h:8443/org/r.git", tmp_root=tmp_path) as env:
        header = base64.b64encode(b"u:p@ss").decode()
        assert config(env)["http.https://h:8443/.extraHeader"] == f"Authorization: Basic {header}"
        others = {k: v for k, v in env.items() if not k.startswith("GIT_CONFIG_VALUE_")}
        assert "p@ss" not in repr(others) and header not in repr(others)


def test_basic_auth_wins_over_bearer(tmp_path: Path) -> None:
    creds = GitAuth(username="u", password="p", bearer_token="tok")
    with auth.git_environment(creds, url="http://h/r.git", tmp_root=tmp_path) as env:
        assert config(env)["http.http://h/.extraHeader"].startswith("Authorization: Basic ")


def test_bearer_token_header(tmp_path: Path) -> None:
    with auth.git_environment(GitAuth(bearer_token="tok"), url="http://h/r.git", tmp_root=tmp_path) as env:
        assert config(env)["http.http://h/.extraHeader"] == "Authorization: Bearer tok"


def test_tls_files_are_private_and_removed_afterwards(tmp_path: Path) -> None:
    creds = GitAuth(ca_pem=b"CA", client_cert_pem=b"CERT", client_key_pem=b"KEY")
    with auth.git_environment(creds, url="https://h/r.git", tmp_root=tmp_path) as env:
        cfg = config(env)
        key = Path(cfg["http.sslKey"])
        assert Path(cfg["http.sslCAInfo"]).read_bytes() == b"CA"
        assert Path(cfg["http.sslCert"]).read_bytes() == b"CERT"
        assert key.read_bytes() == b"KEY"
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
        assert cfg["http.sslVerify"] == "true"
    assert list(tmp_path.iterdir()) == []


def test_private_dir_is_removed_on_error(tmp_path: Path) -> None:
    creds = GitAuth(ssh_identity=b"KEY", known_hosts=b"KH")
    with pytest.raises(RuntimeError):
        with auth.git_environment(creds, url="ssh://h/r.git", tmp_root=tmp_path):
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_ssh_command_checks_host_keys_strictly(tmp_path: Path) -> None:
    creds = GitAuth(ssh_identity=b"KEY", known_hosts=b"KH")
    with auth.git_environment(creds, url="ssh://git@h/r.git", tmp_root=tmp_path) as env:
        cmd = env["GIT_SSH_COMMAND"]
        for option in ("-F /dev/null", "IdentitiesOnly=yes", "StrictHostKeyChecking=yes",
                       "GlobalKnownHostsFile=/dev/null", "BatchMode=yes", "PasswordAuthentication=no"):
            assert option in cmd
        known = next(p for p in cmd.split() if p.startswith("UserKnownHostsFile="))
        assert Path(known.split("=", 1)[1]).read_bytes() == b"KH"
        assert "SSH_ASKPASS" not in env


def test_passphrase_reaches_ssh_through_askpass_not_disk(tmp_path: Path) -> None:
    creds = GitAuth(ssh_identity=b"KEY", known_hosts=b"KH", ssh_passphrase="sekrit-phrase")
    with auth.git_environment(creds, url="ssh://git@h/r.git", tmp_root=tmp_path) as env:
        assert env["SSH_ASKPASS_REQUIRE"] == "force"
        assert "BatchMode=no" in env["GIT_SSH_COMMAND"]
        assert env[auth.PASSPHRASE_ENV] == "sekrit-phrase"
        for path in tmp_path.rglob("*"):
            if path.is_file():
                assert b"sekrit-phrase" not in path.read_bytes()
        import subprocess
        out = subprocess.run([env["SSH_ASKPASS"]], env={**os.environ, **env}, capture_output=True, text=True)
        assert out.stdout == "sekrit-phrase\n"


def test_ssh_url_without_known_hosts_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="known_hosts") as info:
        with auth.git_environment(GitAuth(ssh_identity=b"KEY"), url="ssh://h/r.git", tmp_root=tmp_path):
            pass
    assert info.value.reason == "AuthenticationFailed"
    assert list(tmp_path.iterdir()) == []


def test_ssh_url_without_credentials_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="identity, known_hosts"):
        with auth.git_environment(None, url="ssh://h/r.git", tmp_root=tmp_path):
            pass


def test_ssl_no_verify_in_environment_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GIT_SSL_NO_VERIFY", "1")
    with pytest.raises(GitError, match="always verifies TLS"):
        with auth.git_environment(None, url="https://h/r.git", tmp_root=tmp_path):
            pass


# --- URLs and masking ----------------------------------------------------------------------------

def test_split_credentials_moves_password_out_of_the_url() -> None:
    assert auth.split_credentials("https://u:p%40ss@h:8443/r.git") == ("https://h:8443/r.git", "u", "p@ss")
    assert auth.split_credentials("ssh://git@h/r.git") == ("ssh://git@h/r.git", "git", None)


def test_ssh_url_gets_flux_default_user() -> None:
    assert auth.ssh_url("ssh://h:22/r.git") == "ssh://git@h:22/r.git"
    assert auth.ssh_url("ssh://me@h/r.git") == "ssh://me@h/r.git"


def test_redact_url_and_mask() -> None:
    assert auth.redact_url("https://u:p@h/r.git") == "https://h/r.git"
    text = "fatal: could not read from 'https://u:hunter2@h/r.git': token tok-123 bad"
    masked = auth.mask(text, ["hunter2", "tok-123"])
    assert "hunter2" not in masked and "tok-123" not in masked
    assert "https://h/r.git" in masked


def test_secrets_include_the_encoded_basic_header() -> None:
    values = auth.secrets_of(GitAuth(username="u", password="p"))
    assert base64.b64encode(b"u:p").decode() in values
