"""Step "pull the Git source", credentials: from a Secret (or local files) to what git needs.

`from_secret` reads a GitRepository's `spec.secretRef` Secret with Flux's
keys; `from_local` builds the same `GitAuth` for cluster-free use.
`git_environment` turns a `GitAuth` into the environment of the git child
processes for one operation (`fetch.py` runs them), and `mask` /
`redact_url` keep secrets out of every message.

Design rules, because credentials are involved:

- Never in argv (visible in `ps`) and never in a repository's config on
  disk. HTTP credentials travel as `http.<origin>.extraHeader` through
  `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n`, scoped to the
  repository's origin so a redirect to another host does not get them.
- Files that must exist (SSH identity, known_hosts, CA bundle, client
  certificate and key) go into a private directory (0700, files 0600) made
  for the operation and removed afterwards, also on error. `/dev/shm` is
  used when available, so they never reach a disk.
- TLS is always verified (`http.sslVerify=true` is forced, and a
  `GIT_SSL_NO_VERIFY` in the environment is refused). SSH always checks the
  host key against the given known_hosts only (`StrictHostKeyChecking=yes`,
  no global file, `~/.ssh/config` ignored): an unknown or changed key fails.
- git never prompts: `GIT_TERMINAL_PROMPT=0`, `GIT_ASKPASS` empty, ssh in
  batch mode; credential helpers from the user's config are reset. An SSH
  key passphrase reaches ssh through a tiny askpass script that prints an
  environment variable of the child; the passphrase never touches disk.

Flux facts (fluxcd/pkg `git/options.go`, `git/gogit/transport.go`):
username/password wins over `bearerToken`; a password needs a username;
SSH needs `identity` and `known_hosts`; with `identity`, `password` is its
passphrase; an SSH URL without a user logs in as `git`; `ca.crt` wins over
the legacy `caFile`.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import shlex
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from fluxpy.source.errors import AUTHENTICATION_FAILED, GitError
from fluxpy.source.types import GitAuth

PASSPHRASE_ENV = "FLUXPY_SSH_PASSPHRASE"
DEFAULT_SSH_USER = "git"
MASK = "***"

_URL_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")
_ASKPASS_SCRIPT = f'#!/bin/sh\nprintf \'%s\\n\' "${PASSPHRASE_ENV}"\n'


# --- reading credentials ------------------------------------------------------------------------

def from_secret(secret: Mapping[str, Any], *, ref: str) -> GitAuth:
    """Read a Kubernetes Secret with Flux's Git keys.

    Keys: `username` + `password` or `bearerToken` (HTTP); `ca.crt` (or the
    legacy `caFile`); `tls.crt` + `tls.key` (mTLS); `identity` + `known_hosts`
    (SSH) with `password` as the key's passphrase. Values come from `data`
    (base64) and, for Secrets read from a file, `stringData`.

    Args:
        secret: the Secret object (a mapping with `data` and/or `stringData`).
        ref: `namespace/name` of the Secret, for error messages.

    Returns:
        The credentials.

    Raises:
        GitError: (reason `AuthenticationFailed`) a value is not base64, or keys
            are missing or inconsistent.
    """
    values = _secret_values(secret, ref=ref)

    def text(key: str) -> str | None:
        raw = values.get(key)
        if raw is None or raw == b"":
            return None
        try:
            return raw.decode()
        except UnicodeDecodeError as err:
            raise _secret_error(ref, f"key {key} is not UTF-8 text") from err

    def blob(key: str) -> bytes | None:
        raw = values.get(key)
        return raw if raw else None

    identity = blob("identity")
    known_hosts = blob("known_hosts")
    username, password = text("username"), text("password")
    if identity is not None:
        if known_hosts is None:
            raise _secret_error(ref, "missing key known_hosts",
                                hint="add the server's host keys (ssh-keyscan -p PORT HOST) as known_hosts")
        return GitAuth(ssh_identity=identity, known_hosts=known_hosts, ssh_passphrase=password,
                       username=username)
    if known_hosts is not None:
        raise _secret_error(ref, "missing key identity", hint="add the SSH private key as identity")
    if password is not None and username is None:
        raise _secret_error(ref, "missing key username (password requires username)")
    cert, key = blob("tls.crt"), blob("tls.key")
    if (cert is None) != (key is None):
        raise _secret_error(ref, f"missing key {'tls.key' if key is None else 'tls.crt'} "
                                 "(tls.crt and tls.key go together)")
    return GitAuth(username=username, password=password, bearer_token=text("bearerToken"),
                   ca_pem=blob("ca.crt") or blob("caFile"), client_cert_pem=cert, client_key_pem=key)


def from_local(*, username: str | None = None, password_env: str | None = None,
               token_env: str | None = None, ca_file: Path | None = None,
               client_cert: Path | None = None, client_key: Path | None = None,
               ssh_key: Path | None = None, known_hosts: Path | None = None,
               passphrase_env: str | None = None) -> GitAuth | None:
    """Credentials for cluster-free use, from files and environment variables.

    Secrets are read from environment variables (never from flags, which
    `ps` shows). With `ssh_key` and no `known_hosts`, `~/.ssh/known_hosts`
    is used if it exists.

    Args:
        username: HTTP username.
        password_env: name of the environment variable holding the HTTP password.
        token_env: name of the environment variable holding a bearer token.
        ca_file: PEM CA bundle for HTTPS.
        client_cert: PEM client certificate (mTLS); needs `client_key`.
        client_key: PEM client key (mTLS).
        ssh_key: SSH private key file.
        known_hosts: known_hosts file for SSH.
        passphrase_env: name of the environment variable holding the SSH key's passphrase.

    Returns:
        The credentials, or None when nothing was given.

    Raises:
        GitError: a named environment variable is unset, or a file cannot be read.
    """
    if ssh_key is not None and known_hosts is None:
        default = Path.home() / ".ssh" / "known_hosts"
        if not default.is_file():
            raise GitError(f"an SSH key needs a known_hosts file and {default} does not exist",
                           reason=AUTHENTICATION_FAILED, hint="pass --known-hosts FILE")
        known_hosts = default
    if (client_cert is None) != (client_key is None):
        raise GitError("a client certificate and its key go together", reason=AUTHENTICATION_FAILED,
                       hint="pass both the certificate and the key")
    if password_env is not None and username is None:
        raise GitError("a password needs a username", reason=AUTHENTICATION_FAILED, hint="pass --username")
    auth = GitAuth(username=username, password=_env(password_env), bearer_token=_env(token_env),
                   ca_pem=_read(ca_file), client_cert_pem=_read(client_cert),
                   client_key_pem=_read(client_key), ssh_identity=_read(ssh_key),
                   known_hosts=_read(known_hosts), ssh_passphrase=_env(passphrase_env))
    if all(getattr(auth, name) is None for name in GitAuth.__slots__):
        return None
    return auth


# --- URLs and masking ---------------------------------------------------------------------------

def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """Split `user:password@` out of an http(s) URL.

    Returns:
        The URL without password (an SSH user, which is not a secret, is kept),
        the username and the password. URLs without a password come back unchanged.
    """
    parts = urlsplit(url)
    if parts.password is None or parts.scheme not in ("http", "https"):
        return url, parts.username, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    user = unquote(parts.username) if parts.username is not None else None
    return urlunsplit(parts._replace(netloc=netloc)), user, unquote(parts.password)


def redact_url(url: str) -> str:
    """The URL without any `user[:password]@` part, for messages and cache keys."""
    return _URL_USERINFO.sub(lambda m: m.group("scheme"), url)


def mask(text: str, secrets: Iterable[str]) -> str:
    """Remove secrets and URL userinfo from text that came back from git.

    Each secret, and the base64 forms an HTTP header would carry, becomes
    `***`; `scheme://user:pass@` becomes `scheme://`.
    """
    out = text
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        out = out.replace(secret, MASK)
    return redact_url(out)


def secrets_of(auth: GitAuth | None) -> tuple[str, ...]:
    """Every string that must not appear in output, including encoded header values."""
    if auth is None:
        return ()
    values = list(auth.secrets())
    if auth.username and auth.password:
        values.append(base64.b64encode(f"{auth.username}:{auth.password}".encode()).decode())
    if auth.ssh_identity:
        values.extend(line for line in auth.ssh_identity.decode(errors="replace").splitlines()
                      if len(line) >= 16 and "PRIVATE KEY" not in line)
    if auth.client_key_pem:
        values.extend(line for line in auth.client_key_pem.decode(errors="replace").splitlines()
                      if len(line) >= 16 and "PRIVATE KEY" not in line)
    return tuple(values)


# --- the environment for one git operation ------------------------------------------------------

def ssh_url(url: str) -> str:
    """An `ssh://` URL with a user: Flux logs in as `git` when the URL names none."""
    parts = urlsplit(url)
    if parts.scheme != "ssh" or parts.username:
        return url
    return urlunsplit(parts._replace(netloc=f"{DEFAULT_SSH_USER}@{parts.netloc}"))


@contextmanager
def git_environment(auth: GitAuth | None, *, url: str,
                    tmp_root: Path | None = None) -> Iterator[dict[str, str]]:
    """The environment git child processes need to reach `url` with `auth`.

    Files git must read (SSH identity, known_hosts, CA bundle, client
    certificate and key, the askpass script) are written to a private
    directory that exists only inside the `with` block.

    Args:
        auth: the credentials, or None for anonymous access.
        url: the repository URL, without a password in it (see `split_credentials`).
        tmp_root: where to create the private directory (default `/dev/shm`
            when writable, else the system temp dir).

    Yields:
        Environment variables to add to the git processes' environment.

    Raises:
        GitError: (reason `AuthenticationFailed`) an `ssh://` URL without an
            identity or known_hosts, or TLS verification disabled in the environment.
    """
    scheme = urlsplit(url).scheme
    if scheme == "https" and "GIT_SSL_NO_VERIFY" in os.environ:
        raise GitError(f"GIT_SSL_NO_VERIFY is set; fluxpy always verifies TLS for {redact_url(url)}",
                       reason=AUTHENTICATION_FAILED, hint="unset GIT_SSL_NO_VERIFY or provide ca.crt")
    env: dict[str, str] = {
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "",
        "SSH_ASKPASS_REQUIRE": "never",
        "GIT_TRACE_REDACT": "1",
    }
    # An empty credential.helper resets helpers from the user's config, so a
    # stored password for the same host is never used instead of the Secret.
    config: list[tuple[str, str]] = [("credential.helper", ""), ("http.sslVerify", "true")]
    tmp = Path(tempfile.mkdtemp(prefix="fluxpy-git-", dir=_tmp_root(tmp_root)))
    try:
        os.chmod(tmp, 0o700)
        if scheme == "ssh":
            env.update(_ssh_env(auth, tmp, url))
        elif auth is not None:
            http = _http_config(auth, tmp, url)
            config.extend(http)
            # git's GIT_SSL_* variables beat its config, so a CA or client
            # certificate from the Secret must be set through them too, or a
            # user's GIT_SSL_CAINFO would silently replace the Secret's ca.crt.
            overrides = {"http.sslCAInfo": "GIT_SSL_CAINFO", "http.sslCert": "GIT_SSL_CERT",
                         "http.sslKey": "GIT_SSL_KEY"}
            env.update({overrides[key]: value for key, value in http if key in overrides})
        env["GIT_CONFIG_COUNT"] = str(len(config))
        for i, (key, value) in enumerate(config):
            env[f"GIT_CONFIG_KEY_{i}"] = key
            env[f"GIT_CONFIG_VALUE_{i}"] = value
        yield env
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _http_config(auth: GitAuth, tmp: Path, url: str) -> list[tuple[str, str]]:
    config: list[tuple[str, str]] = []
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/"
    header = None
    if auth.username or auth.password:
        pair = f"{auth.username or ''}:{auth.password or ''}".encode()
        header = f"Basic {base64.b64encode(pair).decode()}"
    elif auth.bearer_token:
        header = f"Bearer {auth.bearer_token}"
    if header is not None:
        config.append((f"http.{origin}.extraHeader", f"Authorization: {header}"))
    if auth.ca_pem:
        config.append(("http.sslCAInfo", str(_write(tmp / "ca.crt", auth.ca_pem))))
    if auth.client_cert_pem and auth.client_key_pem:
        config.append(("http.sslCert", str(_write(tmp / "tls.crt", auth.client_cert_pem))))
        config.append(("http.sslKey", str(_write(tmp / "tls.key", auth.client_key_pem))))
    return config


def _ssh_env(auth: GitAuth | None, tmp: Path, url: str) -> dict[str, str]:
    shown = redact_url(url)
    if auth is None or auth.ssh_identity is None:
        raise GitError(f"{shown} needs an SSH private key and known_hosts (Secret keys identity, known_hosts)",
                       reason=AUTHENTICATION_FAILED, url=shown, hint="set spec.secretRef to an SSH Secret")
    if auth.known_hosts is None:
        raise GitError(f"{shown} needs known_hosts (Secret key known_hosts) to verify the server",
                       reason=AUTHENTICATION_FAILED, url=shown,
                       hint="add the server's host keys (ssh-keyscan -p PORT HOST) as known_hosts")
    identity = auth.ssh_identity if auth.ssh_identity.endswith(b"\n") else auth.ssh_identity + b"\n"
    key = _write(tmp / "identity", identity)
    known = _write(tmp / "known_hosts", auth.known_hosts)
    options = {
        "IdentitiesOnly": "yes",
        "IdentityAgent": "none",
        "UserKnownHostsFile": str(known),
        "GlobalKnownHostsFile": "/dev/null",
        "StrictHostKeyChecking": "yes",
        "UpdateHostKeys": "no",
        "CheckHostIP": "no",
        "PreferredAuthentications": "publickey",
        "PasswordAuthentication": "no",
        "KbdInteractiveAuthentication": "no",
        "ControlMaster": "no",
        "ControlPath": "none",
        "BatchMode": "no" if auth.ssh_passphrase else "yes",
    }
    argv = ["ssh", "-F", "/dev/null", "-i", str(key)]
    for name, value in options.items():
        argv += ["-o", f"{name}={value}"]
    env = {"GIT_SSH_COMMAND": shlex.join(argv), "GIT_SSH_VARIANT": "ssh"}
    if auth.ssh_passphrase:
        askpass = tmp / "askpass.sh"
        askpass.write_text(_ASKPASS_SCRIPT)
        askpass.chmod(0o700)
        env.update({"SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force",
                    PASSPHRASE_ENV: auth.ssh_passphrase})
    return env


# --- helpers ------------------------------------------------------------------------------------

def _tmp_root(tmp_root: Path | None) -> str | None:
    if tmp_root is not None:
        return str(tmp_root)
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK):
        return str(shm)
    return None


def _write(path: Path, data: bytes) -> Path:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return path


def _secret_values(secret: Mapping[str, Any], *, ref: str) -> dict[str, bytes]:
    values: dict[str, bytes] = {}
    for key, value in (secret.get("data") or {}).items():
        try:
            values[str(key)] = base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError) as err:
            raise _secret_error(ref, f"key {key} is not valid base64") from err
    for key, value in (secret.get("stringData") or {}).items():
        values[str(key)] = str(value).encode()
    return values


def _secret_error(ref: str, what: str, *, hint: str | None = None) -> GitError:
    return GitError(f"Secret {ref}: {what}", reason=AUTHENTICATION_FAILED, hint=hint)


def _env(name: str | None) -> str | None:
    if name is None:
        return None
    value = os.environ.get(name)
    if not value:
        raise GitError(f"environment variable {name} is not set", reason=AUTHENTICATION_FAILED,
                       hint=f"export {name}=... before running fluxpy")
    return value


def _read(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        return path.expanduser().read_bytes()
    except OSError as err:
        raise GitError(f"cannot read {path}: {err.strerror}", reason=AUTHENTICATION_FAILED) from err
