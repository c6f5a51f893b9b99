"""Where the credentials for a request come from, and when to fetch them again.

`fluxpy.kube.config` decides *which* credential source a kubeconfig user (or
the in-cluster service account) needs; `fluxpy.kube.transport` asks that
source for `Credentials` before every request, and again with
``refresh=True`` after a 401. Sources:

- `StaticCredentials`: a token or username/password written in the kubeconfig.
- `TokenFileCredentials`: `tokenFile` and the in-cluster service-account token,
  which the kubelet rotates, so the file is read again every minute.
- `ExecCredentials`: client-go's exec credential plugins
  (`client.authentication.k8s.io/v1` and `v1beta1`), cached in memory until
  the plugin's `expirationTimestamp`.
- `AuthProviderCredentials`: the legacy `auth-provider` stanza, delegated to
  the official `kubernetes` package, imported only here and only then.

Secrets never reach a `repr`, a log line or an error message: the fields that
hold them are excluded from the generated reprs, and errors quote only the
kubeconfig path and the plugin command.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from fluxpy.kube.errors import ConfigError, trim

log = logging.getLogger("fluxpy.kube")

EXEC_API_VERSIONS = ("client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1")
# Refresh a little before the plugin says the token expires, so a request
# started just before the deadline does not arrive with a dead token.
EXPIRY_SKEW = 10.0
TOKEN_FILE_REREAD = 60.0


@dataclass(frozen=True, slots=True)
class Credentials:
    """What to authenticate one request with.

    Args:
        token: a bearer token.
        basic: username and password for HTTP basic auth.
        client_cert: PEM client certificate supplied by an exec plugin.
        client_key: PEM private key for `client_cert`.
        expires: Unix time after which the credentials must be fetched again.
    """

    token: str | None = field(default=None, repr=False)
    basic: tuple[str, str] | None = field(default=None, repr=False)
    client_cert: bytes | None = field(default=None, repr=False)
    client_key: bytes | None = field(default=None, repr=False)
    expires: float | None = None

    def authorization(self) -> str | None:
        """The `Authorization` header value, or None."""
        if self.token:
            return f"Bearer {self.token}"
        if self.basic:
            raw = f"{self.basic[0]}:{self.basic[1]}".encode()
            return "Basic " + base64.b64encode(raw).decode("ascii")
        return None

    def secrets(self) -> tuple[str, ...]:
        """Every secret string, so error text can be scrubbed of them."""
        out: list[str] = []
        if self.token:
            out.append(self.token)
        if self.basic and self.basic[1]:
            out.append(self.basic[1])
        return tuple(out)


class CredentialSource(Protocol):
    """Anything that can hand out `Credentials`."""

    def get(self, *, refresh: bool = False) -> Credentials:
        """Current credentials; `refresh` forces fetching new ones (after a 401)."""
        ...


@dataclass(frozen=True, slots=True)
class StaticCredentials:
    """Credentials written in the kubeconfig; refreshing cannot change them."""

    credentials: Credentials = field(repr=False)

    def get(self, *, refresh: bool = False) -> Credentials:
        """The credentials, always the same."""
        return self.credentials


class TokenFileCredentials:
    """A bearer token read from a file, re-read every minute and after a 401.

    Like client-go, the last successfully read token wins over `fallback`
    (the kubeconfig's inline `token`), which is used only while the file
    cannot be read.

    Args:
        path: the token file.
        fallback: token to use if the file cannot be read.
        what: names the configuration in errors, e.g. "kubeconfig /x/config".
    """

    def __init__(self, path: str, *, fallback: str | None = None, what: str = "") -> None:
        self.path = path
        self._fallback = fallback
        self._what = what
        self._token: str | None = None
        self._read_at = 0.0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TokenFileCredentials(path={self.path!r})"

    def get(self, *, refresh: bool = False) -> Credentials:
        """The token, from the file if it was read less than a minute ago."""
        with self._lock:
            now = time.monotonic()
            if refresh or self._token is None or now - self._read_at > TOKEN_FILE_REREAD:
                try:
                    with open(self.path, encoding="utf-8") as f:
                        token = f.read().strip()
                except OSError as e:
                    if self._token is None and self._fallback is None:
                        raise ConfigError(
                            f"{self._what}: cannot read token file {self.path}: {e.strerror}",
                            hint="check the tokenFile path and its permissions") from e
                    token = self._token or self._fallback or ""
                self._token, self._read_at = token, now
            return Credentials(token=self._token or None)


class ExecCredentials:
    """Runs a client-go exec credential plugin and caches what it returns.

    The plugin gets `KUBERNETES_EXEC_INFO` (an `ExecCredential` with
    `spec.interactive` and, if asked for, `spec.cluster`) and prints an
    `ExecCredential` whose `status` holds a token or a client certificate and
    key. The result is reused until `expirationTimestamp` (minus a few
    seconds), or for the life of the process when there is none; a 401 makes
    the transport ask for new credentials with ``refresh=True``.

    Args:
        spec: the kubeconfig `user.exec` mapping.
        base_dir: directory relative command paths resolve against.
        what: names the configuration in errors, e.g. `kubeconfig /x/config: user "u"`.
        cluster_info: `spec.cluster` for plugins with `provideClusterInfo: true`.
    """

    def __init__(self, spec: Mapping[str, Any], *, base_dir: str, what: str,
                 cluster_info: Mapping[str, Any] | None = None) -> None:
        api_version = str(spec.get("apiVersion", ""))
        if api_version not in EXEC_API_VERSIONS:
            raise ConfigError(
                f"{what}: exec plugin apiVersion {api_version!r} is not supported",
                hint="use " + " or ".join(EXEC_API_VERSIONS))
        command = str(spec.get("command") or "")
        if not command:
            raise ConfigError(f"{what}: exec plugin has no command")
        # client-go resolves a command with a path separator against the
        # kubeconfig's directory; a bare name is looked up on PATH.
        if os.sep in command and not os.path.isabs(command):
            command = os.path.normpath(os.path.join(base_dir, command))
        self.api_version = api_version
        self.command = command
        self.args = [str(a) for a in spec.get("args") or []]
        self.env = {str(e["name"]): str(e.get("value", "")) for e in spec.get("env") or []
                    if isinstance(e, Mapping) and "name" in e}
        self.install_hint = str(spec.get("installHint") or "") or None
        self.interactive_mode = str(spec.get("interactiveMode") or "IfAvailable")
        self.cluster_info = dict(cluster_info) if spec.get("provideClusterInfo") and cluster_info else None
        self._what = what
        self._cached: Credentials | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ExecCredentials(command={self.command!r}, api_version={self.api_version!r})"

    def get(self, *, refresh: bool = False) -> Credentials:
        """Cached credentials, or fresh ones from the plugin."""
        with self._lock:
            c = self._cached
            if not refresh and c is not None and (c.expires is None or time.time() < c.expires - EXPIRY_SKEW):
                return c
            self._cached = self._run()
            return self._cached

    def _interactive(self) -> bool:
        if self.interactive_mode == "Never":
            return False
        return sys.stdin is not None and sys.stdin.isatty()

    def _run(self) -> Credentials:
        interactive = self._interactive()
        info: dict[str, Any] = {"apiVersion": self.api_version, "kind": "ExecCredential",
                                "spec": {"interactive": interactive}}
        if self.cluster_info is not None:
            info["spec"]["cluster"] = self.cluster_info
        env = {**os.environ, **self.env, "KUBERNETES_EXEC_INFO": json.dumps(info)}
        label = f"{self._what}: exec plugin {self.command}"
        log.debug("running exec credential plugin %s", self.command)
        try:
            # An interactive plugin may prompt on stderr, so it keeps the
            # terminal; otherwise stderr is captured for the error message.
            proc = subprocess.run(
                [self.command, *self.args], env=env, stdout=subprocess.PIPE,
                stderr=None if interactive else subprocess.PIPE,
                stdin=None if interactive else subprocess.DEVNULL, check=False)
        except FileNotFoundError as e:
            raise ConfigError(f"{label}: command not found",
                              hint=self.install_hint or "install the plugin or fix user.exec.command") from e
        except OSError as e:
            raise ConfigError(f"{label}: cannot run: {e.strerror}") from e
        if proc.returncode != 0:
            err = trim(proc.stderr.decode("utf-8", "replace")) if proc.stderr else ""
            raise ConfigError(f"{label}: exited with status {proc.returncode}" + (f": {err}" if err else ""),
                              hint="run the command yourself to see why it fails; you may need to log in")
        return self._parse(proc.stdout, label)

    def _parse(self, out: bytes, label: str) -> Credentials:
        try:
            doc = json.loads(out)
        except ValueError as e:
            raise ConfigError(f"{label}: output is not an ExecCredential JSON document") from e
        if not isinstance(doc, dict) or doc.get("kind") != "ExecCredential":
            raise ConfigError(f"{label}: output is not an ExecCredential")
        if doc.get("apiVersion") != self.api_version:
            raise ConfigError(f"{label}: returned apiVersion {doc.get('apiVersion')!r}, "
                              f"expected {self.api_version!r}")
        status = doc.get("status")
        if not isinstance(status, dict):
            raise ConfigError(f"{label}: ExecCredential has no status")
        token = status.get("token") or None
        cert = status.get("clientCertificateData") or None
        key = status.get("clientKeyData") or None
        if bool(cert) != bool(key):
            raise ConfigError(f"{label}: ExecCredential must set both clientCertificateData and clientKeyData")
        if not token and not cert:
            raise ConfigError(f"{label}: ExecCredential has neither a token nor a client certificate")
        expires = None
        stamp = status.get("expirationTimestamp")
        if stamp:
            try:
                expires = datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).timestamp()
            except ValueError as e:
                raise ConfigError(f"{label}: expirationTimestamp {stamp!r} is not RFC 3339") from e
        return Credentials(token=str(token) if token else None,
                           client_cert=str(cert).encode() if cert else None,
                           client_key=str(key).encode() if key else None, expires=expires)


class AuthProviderCredentials:
    """The legacy `auth-provider` (gcp, azure, oidc), handled by the `kubernetes` package.

    This is the one place fluxpy imports `kubernetes`, and only when a
    kubeconfig actually uses an auth provider.

    Args:
        kubeconfig: a minimal kubeconfig mapping with one context, cluster and user.
        context: the context name inside it.
        what: names the configuration in errors.
    """

    def __init__(self, kubeconfig: Mapping[str, Any], *, context: str, what: str) -> None:
        self._kubeconfig = kubeconfig
        self._context = context
        self._what = what
        self._cached: Credentials | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"AuthProviderCredentials(context={self._context!r})"

    def get(self, *, refresh: bool = False) -> Credentials:
        """A token from the provider; the `kubernetes` package refreshes it."""
        with self._lock:
            if self._cached is None or refresh:
                self._cached = self._load()
            return self._cached

    def _load(self) -> Credentials:
        try:
            from kubernetes import client as kclient  # noqa: PLC0415
            from kubernetes import config as kconfig  # noqa: PLC0415
        except ImportError as e:  # pragma: no cover - it is a dependency
            raise ConfigError(f"{self._what}: auth-provider needs the kubernetes package",
                              hint="pip install kubernetes") from e
        conf = kclient.Configuration()
        try:
            kconfig.load_kube_config_from_dict(  # type: ignore[no-untyped-call]
                config_dict=dict(self._kubeconfig), context=self._context,
                client_configuration=conf, persist_config=False)
        except Exception as e:  # the package raises many types; keep only the class name
            raise ConfigError(f"{self._what}: auth-provider failed ({type(e).__name__})",
                              hint="log in again with your cloud CLI, or switch the user to an exec plugin") from e
        # Older releases of the package use "authorization", newer ones "BearerToken".
        header = str(conf.api_key.get("BearerToken") or conf.api_key.get("authorization") or "")
        token = header.split(" ", 1)[1] if header.lower().startswith("bearer ") else header
        if not token:
            raise ConfigError(f"{self._what}: auth-provider returned no token")
        return Credentials(token=token)
