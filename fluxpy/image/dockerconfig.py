"""Registry credentials from docker config JSON: a `spec.secretRef` Secret or `~/.docker/config.json`.

An ImageRepository's `spec.secretRef` names a `kubernetes.io/dockerconfigjson`
Secret (key `.dockerconfigjson`, `{"auths": {...}}`) or the older
`kubernetes.io/dockercfg` (key `.dockercfg`, the `auths` map itself).
image-reflector-controller reads it with go-containerregistry's
`authn/kubernetes.NewFromPullSecrets`; `DockerConfig` resolves credentials
the same way:

- Each `auths` key is read as a URL (`https://` added when missing) and
  becomes `host[:port][/path]`; a `/v1/` or `/v2/` path counts as none, so
  `https://index.docker.io/v1/` is the key `index.docker.io`, Docker Hub.
- A repository (`<registry>/<repository>`, e.g. `index.docker.io/library/nginx`)
  matches a key when the ports are equal, the host has as many dot-separated
  parts and each matches as a glob (`*.example.com`), and the key's path is
  a prefix of the repository's. Longer keys are tried first (reverse sort)
  and the first match wins.
- An entry gives `auth` (base64 `user:password`, which wins over
  `username`/`password`), `username`/`password`, `identitytoken` or
  `registrytoken`.

One addition to Flux: a key whose host is `docker.io` or
`registry-1.docker.io` counts as `index.docker.io`, so configs written by
hand for Docker Hub work too.

For a local docker config file (`$DOCKER_CONFIG/config.json`, else
`~/.docker/config.json`), `credHelpers` (per registry host) and `credsStore`
are honoured as the docker CLI does: `docker-credential-<name> get` with the
registry on stdin; a helper that knows nothing falls back to `auths`.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import json
import os
import subprocess
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fluxpy.image.registry import CredentialsError
from fluxpy.image.registry_auth import Credentials

DOCKER_CONFIG_JSON = "kubernetes.io/dockerconfigjson"
DOCKER_CFG = "kubernetes.io/dockercfg"
DOCKER_HUB = "index.docker.io"
# Docker Hub's key in docker config files, and what helpers are asked for it.
DOCKER_HUB_KEY = "https://index.docker.io/v1/"
_HUB_ALIASES = ("docker.io", "registry-1.docker.io")
HELPER_TIMEOUT = 30.0


class DockerConfig:
    """A keychain over docker config `auths` entries (and, for files, credential helpers).

    Args:
        auths: the `auths` map (key -> entry object).
        source: what the data came from, for messages (`Secret flux-system/regcred`).
        helpers: `credHelpers`, registry host -> helper name.
        store: `credsStore`, the default helper name, or None.

    Raises:
        CredentialsError: an entry is malformed (its key is named, never its secrets).
    """

    def __init__(self, auths: Mapping[str, Any], *, source: str, helpers: Mapping[str, str] | None = None,
                 store: str | None = None) -> None:
        self.source = source
        self.helpers = dict(helpers or {})
        self.store = store
        self._creds: dict[str, list[Credentials]] = {}
        for key, entry in auths.items():
            if not isinstance(entry, Mapping):
                raise CredentialsError(f"{source}: auths entry {key!r} is not an object",
                                       hint="each auths entry needs auth, or username and password")
            normalised = _key(key, source)
            self._creds.setdefault(normalised, []).append(_entry(key, entry, source))
        # More specific (longer) keys first, as go-containerregistry sorts them.
        self._index = sorted(self._creds, reverse=True)

    def __repr__(self) -> str:
        return f"DockerConfig(source={self.source!r}, keys={self._index!r})"

    @classmethod
    def from_json(cls, data: bytes | str, *, source: str, legacy: bool = False) -> DockerConfig:
        """Read docker config JSON (`{"auths": {...}}`, or the bare map when `legacy`).

        Raises:
            CredentialsError: not JSON, or not shaped like a docker config.
        """
        try:
            doc = json.loads(data)
        except json.JSONDecodeError as e:
            raise CredentialsError(f"{source}: not valid JSON ({e.msg} at line {e.lineno})",
                                   hint="it must be docker config JSON: {\"auths\": {\"<registry>\": {...}}}") from e
        except ValueError as e:  # bytes that are not UTF-8
            raise CredentialsError(f"{source}: not valid JSON (not UTF-8)") from e
        if not isinstance(doc, dict):
            raise CredentialsError(f"{source}: docker config must be a JSON object",
                                   hint="it must be docker config JSON: {\"auths\": {\"<registry>\": {...}}}")
        auths = doc if legacy else doc.get("auths") or {}
        if not isinstance(auths, dict):
            raise CredentialsError(f"{source}: auths must be an object")
        helpers = {} if legacy else doc.get("credHelpers") or {}
        store = None if legacy else doc.get("credsStore") or None
        if not isinstance(helpers, dict) or not all(isinstance(v, str) for v in helpers.values()):
            raise CredentialsError(f"{source}: credHelpers must map registries to helper names")
        if store is not None and not isinstance(store, str):
            raise CredentialsError(f"{source}: credsStore must be a helper name")
        return cls(auths, source=source, helpers=helpers, store=store)

    @classmethod
    def from_secret(cls, secret: Mapping[str, Any]) -> DockerConfig:
        """Read a `kubernetes.io/dockerconfigjson` (or `dockercfg`) Secret object.

        Args:
            secret: the Secret as the API returns it (`data` base64) or as
                written in YAML (`stringData` too).

        Raises:
            CredentialsError: wrong type, missing key, bad base64 or JSON.
        """
        meta = secret.get("metadata") or {}
        source = f"Secret {meta.get('namespace') or 'default'}/{meta.get('name') or '?'}"
        kind = secret.get("type") or ""
        if kind == DOCKER_CONFIG_JSON:
            key, legacy = ".dockerconfigjson", False
        elif kind == DOCKER_CFG:
            key, legacy = ".dockercfg", True
        else:
            raise CredentialsError(f"{source} has type {kind or 'Opaque'!r}, not {DOCKER_CONFIG_JSON}",
                                   hint="create it with kubectl create secret docker-registry")
        string_data = secret.get("stringData") or {}
        if key in string_data:
            return cls.from_json(str(string_data[key]), source=source, legacy=legacy)
        encoded = (secret.get("data") or {}).get(key)
        if not encoded:
            raise CredentialsError(f"{source} has no {key} key", hint="create it with kubectl create secret "
                                                                     "docker-registry")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as e:
            raise CredentialsError(f"{source}: data[{key}] is not base64") from e
        return cls.from_json(raw, source=source, legacy=legacy)

    @classmethod
    def from_file(cls, path: Path) -> DockerConfig:
        """Read a docker CLI config file.

        Raises:
            CredentialsError: unreadable or malformed.
        """
        try:
            data = path.read_bytes()
        except OSError as e:
            raise CredentialsError(f"docker config {path}: cannot read it ({e.strerror})") from e
        return cls.from_json(data, source=f"docker config {path}")

    @classmethod
    def default(cls, environ: Mapping[str, str] | None = None) -> DockerConfig | None:
        """The user's docker config (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`), if present.

        Raises:
            CredentialsError: the file exists but is malformed.
        """
        env = os.environ if environ is None else environ
        base = Path(env["DOCKER_CONFIG"]) if env.get("DOCKER_CONFIG") else Path(env.get("HOME") or Path.home()) / ".docker"
        path = base / "config.json"
        return cls.from_file(path) if path.is_file() else None

    def resolve(self, target: str) -> Credentials | None:
        """Credentials for `target` (`<registry>/<repository>`), or None for anonymous access.

        Raises:
            CredentialsError: a credential helper failed.
        """
        registry = target.split("/", 1)[0]
        helper = self.helpers.get(registry) or self.helpers.get(_hub_alias(registry)) or self.store
        if helper:
            creds = _run_helper(helper, DOCKER_HUB_KEY if registry == DOCKER_HUB else registry, self.source)
            if creds is not None:
                return creds
        for key in self._index:
            if _matches(key, target):
                return self._creds[key][0]
        return None


def _hub_alias(registry: str) -> str:
    return "docker.io" if registry == DOCKER_HUB else registry


def _key(key: str, source: str) -> str:
    value = key if key.startswith(("https://", "http://")) else "https://" + key
    parts = urllib.parse.urlsplit(value)
    if not parts.netloc:
        raise CredentialsError(f"{source}: auths key {key!r} names no registry")
    path = parts.path
    if path.startswith(("/v1/", "/v2/")):
        path = path[3:]
    host = parts.netloc.rsplit("@", 1)[-1]
    name, sep, port = host.partition(":")
    if name in _HUB_ALIASES:
        host = DOCKER_HUB + sep + port
    return host + path if path and path != "/" else host


def _entry(key: str, entry: Mapping[str, Any], source: str) -> Credentials:
    def text(field: str) -> str:
        value = entry.get(field) or ""
        if not isinstance(value, str):
            raise CredentialsError(f"{source}: auths entry {key!r}: {field} must be a string")
        return value

    username, password = text("username"), text("password")
    if text("auth"):
        try:
            decoded = base64.b64decode(text("auth"), validate=True).decode()
        except (binascii.Error, ValueError, UnicodeDecodeError) as e:
            raise CredentialsError(f"{source}: auths entry {key!r}: auth is not base64",
                                   hint="auth must be base64 of username:password") from e
        if ":" not in decoded:
            raise CredentialsError(f"{source}: auths entry {key!r}: unable to parse auth field, must be "
                                   f"formatted as base64(username:password)")
        username, password = decoded.split(":", 1)
    return Credentials(username=username, password=password, identity_token=text("identitytoken"),
                       registry_token=text("registrytoken"))


def _split(url: str) -> tuple[list[str], str, str]:
    parts = urllib.parse.urlsplit("https://" + url)
    host = parts.netloc
    name, port = host, ""
    if host.startswith("["):
        name, _, rest = host[1:].partition("]")
        port = rest.lstrip(":")
    elif host.count(":") == 1:
        name, port = host.split(":")
    return name.split("."), port, parts.path


def _matches(key: str, target: str) -> bool:
    """go-containerregistry's `urlsMatch`: same port and part count, glob hosts, path prefix."""
    key_parts, key_port, key_path = _split(key)
    target_parts, target_port, target_path = _split(target)
    if key_port != target_port or len(key_parts) != len(target_parts):
        return False
    if not target_path.startswith(key_path):
        return False
    return all(fnmatch.fnmatchcase(t, k) for k, t in zip(key_parts, target_parts))


def _run_helper(name: str, server: str, source: str) -> Credentials | None:
    """Ask `docker-credential-<name>` for `server`'s credentials (None when it has none)."""
    program = f"docker-credential-{name}"
    try:
        proc = subprocess.run([program, "get"], input=server.encode(), capture_output=True,
                              timeout=HELPER_TIMEOUT, check=False)
    except FileNotFoundError as e:
        raise CredentialsError(f"{source}: credential helper {program} is not installed",
                               hint="install it, or remove credsStore/credHelpers from the docker config") from e
    except subprocess.TimeoutExpired as e:
        raise CredentialsError(f"{source}: credential helper {program} did not answer within "
                               f"{HELPER_TIMEOUT:g}s") from e
    out = proc.stdout.decode("utf-8", "replace")
    if proc.returncode != 0:
        if "credentials not found" in (out + proc.stderr.decode("utf-8", "replace")).lower():
            return None
        raise CredentialsError(f"{source}: credential helper {program} failed for {server} "
                               f"(exit {proc.returncode})")
    try:
        doc = json.loads(out)
        username, secret = doc.get("Username") or "", doc.get("Secret") or ""
    except (ValueError, AttributeError) as e:
        raise CredentialsError(f"{source}: credential helper {program} answered something that is not "
                               f"credentials JSON") from e
    if not isinstance(username, str) or not isinstance(secret, str) or not secret:
        return None
    if username == "<token>":  # the docker convention for an identity token
        return Credentials(identity_token=secret)
    return Credentials(username=username, password=secret)
