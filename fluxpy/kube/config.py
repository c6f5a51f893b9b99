"""Finding out which cluster to talk to and how: kubeconfig and in-cluster config.

This is the first step of every command that touches the cluster.
`load()` follows kubectl's rules: an explicit `--kubeconfig` path, else the
`KUBECONFIG` list (files merged, the first file wins per name and for
`current-context`), else `~/.kube/config`, else the in-cluster service
account. It resolves one context to a frozen `ClusterConfig`, which
`fluxpy.kube.transport` turns into a connection pool. Nothing here talks to
the network; exec plugins run lazily, on the first request.

Certificates are read into memory here (relative paths resolve against the
directory of the kubeconfig file that named them), so the rest of the layer
never touches these files again. Every error is one line naming the file:
`kubeconfig /x/config: context "foo" not found (contexts: a, b)`.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from fluxpy.kube import credentials as sources
from fluxpy.kube.credentials import CredentialSource
from fluxpy.kube.errors import ConfigError

SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
IN_CLUSTER = "in-cluster"
NO_CONFIG_HINT = ("set KUBECONFIG or pass --kubeconfig; `kind create cluster` or your cloud CLI "
                  "writes ~/.kube/config")


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """Everything needed to reach and authenticate to one API server.

    Args:
        server: the API server URL, e.g. "https://127.0.0.1:6443".
        context: the kubeconfig context name ("in-cluster" inside a pod).
        namespace: the context's namespace, "default" if unset.
        source: the kubeconfig path(s) it came from, or "in-cluster".
        cluster: the kubeconfig cluster name, for messages.
        user: the kubeconfig user name, for messages.
        ca_data: PEM (or DER) CA bundle; None means the system trust store.
        client_cert: PEM client certificate.
        client_key: PEM private key for `client_cert`.
        credentials: where bearer tokens or basic auth come from, or None.
        verify: False only with `insecure-skip-tls-verify: true`.
        tls_server_name: name to send as SNI and verify the certificate against.
        proxy_url: HTTP(S) or SOCKS proxy for this cluster.
    """

    server: str
    context: str
    namespace: str = "default"
    source: str = ""
    cluster: str = ""
    user: str = ""
    ca_data: bytes | None = field(default=None, repr=False)
    client_cert: bytes | None = field(default=None, repr=False)
    client_key: bytes | None = field(default=None, repr=False)
    credentials: CredentialSource | None = field(default=None, repr=False)
    verify: bool = True
    tls_server_name: str | None = None
    proxy_url: str | None = field(default=None, repr=False)


def load(*, kubeconfig: str | None = None, context: str | None = None,
         environ: Mapping[str, str] | None = None, sa_dir: str = SA_DIR) -> ClusterConfig:
    """Load the configuration the way kubectl would.

    Args:
        kubeconfig: an explicit kubeconfig path (`--kubeconfig`); it must exist.
        context: a context name (`--context`); default is `current-context`.
        environ: the environment to read `KUBECONFIG`, `HOME` and the
            in-cluster variables from; default `os.environ`.
        sa_dir: the service-account directory for in-cluster config.

    Returns:
        The resolved configuration.

    Raises:
        ConfigError: no usable configuration, or it is malformed.
    """
    env = os.environ if environ is None else environ
    if kubeconfig:
        return load_kubeconfig([kubeconfig], context=context, explicit=True)
    listed = [p for p in env.get("KUBECONFIG", "").split(os.pathsep) if p]
    if listed:
        existing = [p for p in dict.fromkeys(listed) if os.path.exists(p)]
        if existing:
            return load_kubeconfig(existing, context=context)
        raise ConfigError(f"kubeconfig {os.pathsep.join(listed)}: none of the files in KUBECONFIG exist",
                          hint="fix KUBECONFIG or pass --kubeconfig")
    home = env.get("HOME") or os.path.expanduser("~")
    default = os.path.join(home, ".kube", "config")
    if os.path.exists(default):
        return load_kubeconfig([default], context=context)
    if env.get("KUBERNETES_SERVICE_HOST") and env.get("KUBERNETES_SERVICE_PORT"):
        if context:
            raise ConfigError(f"context {context!r} given, but there is no kubeconfig ({default} does not exist)",
                              hint=NO_CONFIG_HINT)
        return load_in_cluster(environ=env, sa_dir=sa_dir)
    raise ConfigError(f"no kubeconfig found: {default} does not exist, KUBECONFIG is not set "
                      "and this is not a pod", hint=NO_CONFIG_HINT)


def load_in_cluster(*, environ: Mapping[str, str] | None = None, sa_dir: str = SA_DIR) -> ClusterConfig:
    """The service account of the pod we run in.

    Args:
        environ: where `KUBERNETES_SERVICE_HOST`/`_PORT` come from.
        sa_dir: the directory with `token`, `ca.crt` and `namespace`.

    Raises:
        ConfigError: the variables or the token are missing.
    """
    env = os.environ if environ is None else environ
    host, port = env.get("KUBERNETES_SERVICE_HOST", ""), env.get("KUBERNETES_SERVICE_PORT", "")
    if not host or not port:
        raise ConfigError("in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set",
                          hint="run inside a pod, or use a kubeconfig")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    token_path = os.path.join(sa_dir, "token")
    if not os.path.exists(token_path):
        raise ConfigError(f"in-cluster config: {token_path} does not exist",
                          hint="mount a service account token (automountServiceAccountToken)")
    source = sources.TokenFileCredentials(token_path, what="in-cluster config")
    source.get()  # fail now, not on the first request, if it is unreadable
    ca_path = os.path.join(sa_dir, "ca.crt")
    ca = _read(ca_path, what="in-cluster config") if os.path.exists(ca_path) else None
    namespace = "default"
    ns_path = os.path.join(sa_dir, "namespace")
    if os.path.exists(ns_path):
        namespace = _read(ns_path, what="in-cluster config").decode().strip() or "default"
    return ClusterConfig(server=f"https://{host}:{port}", context=IN_CLUSTER, namespace=namespace,
                         source=IN_CLUSTER, ca_data=ca, credentials=source)


@dataclass(slots=True)
class _Entry:
    """One named cluster/context/user and the file it came from."""

    body: dict[str, Any]
    path: str


@dataclass(slots=True)
class _Merged:
    clusters: dict[str, _Entry] = field(default_factory=dict)
    contexts: dict[str, _Entry] = field(default_factory=dict)
    users: dict[str, _Entry] = field(default_factory=dict)
    current: str | None = None


def load_kubeconfig(paths: Sequence[str], *, context: str | None = None,
                    explicit: bool = False) -> ClusterConfig:
    """Merge kubeconfig files like kubectl and resolve one context.

    Args:
        paths: files in precedence order; the first one wins per name.
        context: the context to use; default is the first `current-context`.
        explicit: the single path was given on the command line, so a
            missing file is an error rather than an empty config.

    Raises:
        ConfigError: unreadable or malformed files, unknown names, missing fields.
    """
    merged = _Merged()
    for path in paths:
        _merge(merged, path, explicit=explicit)
    where = f"kubeconfig {os.pathsep.join(paths)}"
    names = ", ".join(sorted(merged.contexts)) or "none"
    name = context or merged.current
    if not name:
        raise ConfigError(f"{where}: no current-context is set (contexts: {names})",
                          hint="pass --context with one of them, or run kubectl config use-context")
    if name not in merged.contexts:
        raise ConfigError(f'{where}: context "{name}" not found (contexts: {names})',
                          hint="pass --context with one of them")
    ctx = merged.contexts[name]
    cluster_name = str(ctx.body.get("cluster") or "")
    user_name = str(ctx.body.get("user") or "")
    here = f"kubeconfig {ctx.path}"
    if cluster_name not in merged.clusters:
        raise ConfigError(f'{here}: context "{name}" refers to cluster "{cluster_name}", which is not defined',
                          hint="add the cluster or fix the context")
    if user_name and user_name not in merged.users:
        raise ConfigError(f'{here}: context "{name}" refers to user "{user_name}", which is not defined',
                          hint="add the user or fix the context")
    cluster = merged.clusters[cluster_name]
    user = merged.users.get(user_name, _Entry({}, ctx.path))
    return _resolve(name, ctx, cluster_name, cluster, user_name, user, source=os.pathsep.join(paths))


def _merge(merged: _Merged, path: str, *, explicit: bool) -> None:
    what = f"kubeconfig {path}"
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError as e:
        if explicit:
            raise ConfigError(f"{what}: file does not exist", hint="check the --kubeconfig path") from e
        return
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) else "not UTF-8 text"
        raise ConfigError(f"{what}: cannot read: {reason}") from e
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "unknown position"
        problem = getattr(e, "problem", None) or "syntax error"
        raise ConfigError(f"{what}: not valid YAML: {at}: {problem}") from e
    if doc is None:
        return
    if not isinstance(doc, dict):
        raise ConfigError(f"{what}: not a kubeconfig (expected a mapping, got {type(doc).__name__})")
    for key, inner, target in (("clusters", "cluster", merged.clusters),
                               ("contexts", "context", merged.contexts),
                               ("users", "user", merged.users)):
        items = doc.get(key) or []
        if not isinstance(items, list):
            raise ConfigError(f"{what}: {key} must be a list")
        for item in items:
            if not isinstance(item, dict) or not item.get("name"):
                raise ConfigError(f"{what}: every entry of {key} needs a name")
            body = item.get(inner) or {}
            if not isinstance(body, dict):
                raise ConfigError(f"{what}: {key} entry {item['name']!r} must have a {inner} mapping")
            target.setdefault(str(item["name"]), _Entry(body, os.path.abspath(path)))
    if merged.current is None and doc.get("current-context"):
        merged.current = str(doc["current-context"])


def _resolve(name: str, ctx: _Entry, cluster_name: str, cluster: _Entry, user_name: str,
             user: _Entry, *, source: str) -> ClusterConfig:
    cwhat = f'kubeconfig {cluster.path}: cluster "{cluster_name}"'
    c = cluster.body
    server = str(c.get("server") or "").rstrip("/")
    if not server:
        raise ConfigError(f"{cwhat} has no server", hint="set clusters[].cluster.server")
    if not server.startswith(("https://", "http://")):
        raise ConfigError(f"{cwhat}: server {server!r} is not an http(s) URL")
    ca = _data_or_file(c, "certificate-authority", cluster.path, cwhat)
    uwhat = f'kubeconfig {user.path}: user "{user_name}"'
    u = user.body
    cert = _data_or_file(u, "client-certificate", user.path, uwhat)
    key = _data_or_file(u, "client-key", user.path, uwhat)
    if bool(cert) != bool(key):
        raise ConfigError(f"{uwhat}: has a client certificate without a key, or a key without a certificate")
    insecure = bool(c.get("insecure-skip-tls-verify"))
    source_ = _credential_source(name, ctx, cluster_name, c, user_name, user, ca=ca, what=uwhat)
    return ClusterConfig(
        server=server, context=name, namespace=str(ctx.body.get("namespace") or "default"),
        source=source, cluster=cluster_name, user=user_name, ca_data=ca, client_cert=cert,
        client_key=key, credentials=source_, verify=not insecure,
        tls_server_name=str(c["tls-server-name"]) if c.get("tls-server-name") else None,
        proxy_url=str(c["proxy-url"]) if c.get("proxy-url") else None)


def _credential_source(name: str, ctx: _Entry, cluster_name: str, c: Mapping[str, Any], user_name: str,
                       user: _Entry, *, ca: bytes | None,
                       what: str) -> CredentialSource | None:
    u = user.body
    base = os.path.dirname(user.path)
    if isinstance(u.get("exec"), dict):
        info: dict[str, Any] = {"server": c.get("server"),
                                "insecure-skip-tls-verify": bool(c.get("insecure-skip-tls-verify"))}
        if ca:
            info["certificate-authority-data"] = base64.b64encode(ca).decode("ascii")
        for k in ("tls-server-name", "proxy-url"):
            if c.get(k):
                info[k] = c[k]
        return sources.ExecCredentials(u["exec"], base_dir=base, what=what, cluster_info=info)
    if isinstance(u.get("auth-provider"), dict):
        minimal = {"apiVersion": "v1", "kind": "Config", "current-context": name,
                   "contexts": [{"name": name, "context": ctx.body}],
                   "clusters": [{"name": cluster_name, "cluster": dict(c)}],
                   "users": [{"name": user_name, "user": u}]}
        return sources.AuthProviderCredentials(minimal, context=name, what=what)
    token = str(u["token"]) if u.get("token") else None
    if u.get("tokenFile"):
        path = _abs(str(u["tokenFile"]), base)
        return sources.TokenFileCredentials(path, fallback=token, what=what)
    if token:
        return sources.StaticCredentials(sources.Credentials(token=token))
    if u.get("username") or u.get("password"):
        return sources.StaticCredentials(sources.Credentials(
            basic=(str(u.get("username") or ""), str(u.get("password") or ""))))
    return None


def _data_or_file(body: Mapping[str, Any], key: str, path: str, what: str) -> bytes | None:
    """`<key>-data` (base64) wins over `<key>` (a path relative to the kubeconfig)."""
    data = body.get(f"{key}-data")
    if data:
        try:
            return base64.b64decode(str(data), validate=True)
        except (binascii.Error, ValueError) as e:
            raise ConfigError(f"{what}: {key}-data is not valid base64") from e
    file = body.get(key)
    if file:
        return _read(_abs(str(file), os.path.dirname(path)), what=what, field_name=key)
    return None


def _abs(path: str, base: str) -> str:
    path = os.path.expanduser(path)
    return path if os.path.isabs(path) else os.path.normpath(os.path.join(base, path))


def _read(path: str, *, what: str, field_name: str = "") -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        label = f"{field_name} " if field_name else ""
        raise ConfigError(f"{what}: cannot read {label}{path}: {e.strerror}",
                          hint="fix the path; relative paths resolve against the kubeconfig's directory") from e
