"""The one door to the API server: build a request, then send it through `Transport.send`.

Every byte fluxpy exchanges with the cluster goes through `Transport.send`,
which owns the connection pool, TLS, authentication, timeouts, retries and
back-off, and turns failures into `fluxpy.kube.errors` (through
`fluxpy.kube.failures`). Callers (`fluxpy.kube.client`, `discovery`) first
build a plain `Request` value, as lightkube does, so requests can be
inspected and tested without a network.

Retry policy (at most `Backoff.attempts` sends in all, exponential back-off
with jitter between them, as `fluxpy.retry` computes it):

- 429 Too Many Requests: always retried, any verb; the server rejected the
  request before doing anything. `Retry-After` is honoured, capped.
- 5xx: retried only for idempotent requests (GET, i.e. get/list/watch, plus
  server-side apply and JSON merge patches, which give the same result when
  repeated).
- No connection (refused, DNS, connect timeout, TLS handshake not caused by
  a bad certificate): retried for every verb, since nothing was sent.
- Connection lost or read timeout *after* sending: retried only for
  idempotent requests. A POST, PUT, DELETE or JSON patch may already have
  been applied; repeating it could create twice, fail with a misleading
  AlreadyExists/Conflict/NotFound, or apply a JSON patch twice. So those fail
  with an error saying the change may have been applied, and the pipeline
  above, which re-reads state on every run, decides.
- A failed certificate verification is never retried: it will fail again.
- 401 once triggers a credential refresh (exec plugin, token file) and an
  immediate resend.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import urllib3
import urllib3.exceptions as u3

from fluxpy import __version__, retry
from fluxpy.kube import failures, tls
from fluxpy.kube.config import ClusterConfig
from fluxpy.kube.credentials import Credentials, CredentialSource, StaticCredentials
from fluxpy.kube.errors import ConfigError
from fluxpy.kube.resource import Resource

log = logging.getLogger("fluxpy.kube")

USER_AGENT = f"fluxpy/{__version__}"
APPLY_PATCH = "application/apply-patch+yaml"
MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
_IDEMPOTENT_TYPES = (APPLY_PATCH, MERGE_PATCH)
# Connection failures where the request cannot have reached the server.
_BEFORE_SEND = (u3.NewConnectionError, u3.ConnectTimeoutError, u3.NameResolutionError)


Backoff = retry.Backoff
"""How often and how patiently to retry (shared with the image registry client)."""


@dataclass(frozen=True, slots=True)
class Request:
    """One API request, built before anything is sent.

    Args:
        method: HTTP method.
        path: URL path, e.g. "/api/v1/namespaces/default/pods".
        query: query parameters in order.
        body: the encoded body.
        content_type: the body's media type.
        subject: what the request is about, for error messages
            ("Kustomization/flux-system/apps").
        verb: the Kubernetes verb (get, list, watch, create, update, patch, delete).
        resource: the resource addressed, if known.
        namespace: the namespace addressed, if any.
        stream: keep the response open and read it line by line (watch).
        timeout: read timeout for this request; None means the transport's.
    """

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    body: bytes | None = field(default=None, repr=False)
    content_type: str | None = None
    subject: str = ""
    verb: str = ""
    resource: Resource | None = None
    namespace: str | None = None
    stream: bool = False
    timeout: float | None = None

    @property
    def idempotent(self) -> bool:
        """Whether sending it twice has the same effect as once."""
        return self.method in ("GET", "HEAD") or (self.method == "PATCH" and self.content_type in _IDEMPOTENT_TYPES)

    @property
    def target(self) -> str:
        """Path plus query string."""
        if not self.query:
            return self.path
        return f"{self.path}?{urllib.parse.urlencode(self.query)}"


def build(method: str, path: str, *, query: Mapping[str, str | int | bool | None] | None = None,
          body: object = None, content_type: str = "application/json", subject: str = "",
          verb: str = "", resource: Resource | None = None, namespace: str | None = None,
          stream: bool = False, timeout: float | None = None) -> Request:
    """Build a `Request`, encoding the body as JSON and dropping None parameters.

    Args:
        method: HTTP method.
        path: URL path.
        query: parameters; None values are left out, booleans become "true"/"false".
        body: a JSON-serialisable body, or None.
        content_type: the body's media type (JSON is valid YAML, so it also
            serves `application/apply-patch+yaml`).
        subject: what the request is about, for error messages.
        verb: the Kubernetes verb.
        resource: the resource addressed.
        namespace: the namespace addressed.
        stream: read the response as a line stream.
        timeout: read timeout override.
    """
    q: list[tuple[str, str]] = []
    for k, v in (query or {}).items():
        if v is None:
            continue
        q.append((k, ("true" if v else "false") if isinstance(v, bool) else str(v)))
    data = None if body is None else json.dumps(body, separators=(",", ":")).encode()
    return Request(method=method, path=path, query=tuple(q), body=data,
                   content_type=content_type if data is not None else None, subject=subject, verb=verb,
                   resource=resource, namespace=namespace, stream=stream, timeout=timeout)


class Response:
    """An answer with a 2xx/3xx status; streamed answers stay open until closed.

    Args:
        status: the HTTP status.
        headers: response headers.
        data: the body (empty for a stream).
        raw: the open urllib3 response of a stream.
    """

    def __init__(self, status: int, headers: Mapping[str, str], data: bytes,
                 raw: urllib3.BaseHTTPResponse | None = None) -> None:
        self.status = status
        self.headers = headers
        self.data = data
        self._raw = raw

    def json(self) -> Any:
        """The body decoded as JSON (None when empty)."""
        return json.loads(self.data) if self.data else None

    def lines(self) -> Iterator[bytes]:
        """The non-empty lines of a streamed body, as they arrive."""
        if self._raw is None:
            yield from (ln for ln in self.data.splitlines() if ln.strip())
            return
        buf = b""
        for chunk in self._raw.stream(8192, decode_content=True):
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if line.strip():
                    yield line
        if buf.strip():
            yield buf

    def close(self) -> None:
        """Release the connection of a stream."""
        if self._raw is not None:
            self._raw.close()
            self._raw.release_conn()
            self._raw = None


class Transport:
    """Sends `Request`s to one API server.

    Thread-safe: the pool is shared, credentials are fetched under a lock.

    Args:
        config: the cluster to talk to.
        timeout: default per-request read timeout in seconds.
        backoff: the retry policy.
        maxsize: connections kept per host (bounded concurrency).
        sleep: how to wait between retries (tests pass a fake).
    """

    def __init__(self, config: ClusterConfig, *, timeout: float = 30.0, backoff: Backoff | None = None,
                 maxsize: int = 10, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.timeout = timeout
        self.backoff = backoff or Backoff()
        self._maxsize = maxsize
        self._sleep = sleep
        self._lock = threading.Lock()
        self._pool: urllib3.PoolManager | None = None
        self._identity: tuple[bytes | None, bytes | None] | None = None
        if not config.verify:
            urllib3.disable_warnings(u3.InsecureRequestWarning)

    def __repr__(self) -> str:
        return f"Transport(server={self.config.server!r}, context={self.config.context!r})"

    def close(self) -> None:
        """Close pooled connections."""
        with self._lock:
            if self._pool is not None:
                self._pool.clear()

    def send(self, req: Request) -> Response:
        """Send a request, retrying per the module's policy, and return a 2xx/3xx answer.

        Args:
            req: the request.

        Returns:
            The response; for `req.stream` it is open and must be closed.

        Raises:
            ApiError: (a subclass for) the server's error status, after retries.
            UnreachableError: no answer after retries.
            ConfigError: the credentials could not be obtained.
        """
        attempt, refreshed = 0, False
        read_timeout = req.timeout if req.timeout is not None else self.timeout
        creds = self._credentials(refresh=False)
        while True:
            attempt += 1
            pool = self._pool_for(creds)
            headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
            if req.content_type:
                headers["Content-Type"] = req.content_type
            auth = creds.authorization()
            if auth:
                headers["Authorization"] = auth
            try:
                raw = pool.urlopen(req.method, self.config.server + req.target, body=req.body,
                                   headers=headers, retries=False, redirect=False,
                                   timeout=urllib3.Timeout(connect=min(read_timeout, 10.0), read=read_timeout),
                                   preload_content=not req.stream)
            except (u3.HTTPError, OSError) as e:
                # Other TLS errors may happen mid-response, so they count as sent.
                sent = not isinstance(e, _BEFORE_SEND) and not _cert_failure(e)
                retriable = not _cert_failure(e) and (not sent or req.idempotent)
                log.debug("%s %s: attempt %d failed: %s", req.method, req.path, attempt,
                          failures.describe(e, timeout=read_timeout))
                if retriable and attempt < self.backoff.attempts:
                    self._sleep(self.backoff.delay(attempt))
                    continue
                raise failures.unreachable(req, e, server=self.config.server, timeout=read_timeout,
                                           sent=sent) from e
            status = raw.status
            log.debug("%s %s -> %d (attempt %d)", req.method, req.target, status, attempt)
            if status < 400:
                if req.stream:
                    return Response(status, dict(raw.headers), b"", raw)
                return Response(status, dict(raw.headers), raw.data)
            data = _drain(raw)
            if status == 401 and not refreshed and _refreshable(self.config.credentials):
                refreshed = True
                creds = self._credentials(refresh=True)
                continue
            if attempt < self.backoff.attempts and (status == 429 or (status >= 500 and req.idempotent)):
                self._sleep(self.backoff.retry_after(raw.headers.get("Retry-After"), attempt))
                continue
            raise failures.from_response(req, status, data, context=self.config.context,
                                         server=self.config.server, attempts=attempt,
                                         secrets=creds.secrets())

    def _credentials(self, *, refresh: bool) -> Credentials:
        source = self.config.credentials
        return source.get(refresh=refresh) if source is not None else Credentials()

    def _pool_for(self, creds: Credentials) -> urllib3.PoolManager:
        cert = creds.client_cert or self.config.client_cert
        key = creds.client_key or self.config.client_key
        with self._lock:
            if self._pool is None or self._identity != (cert, key):
                if self._pool is not None:
                    self._pool.clear()
                self._pool = self._new_pool(cert, key)
                self._identity = (cert, key)
            return self._pool

    def _new_pool(self, cert: bytes | None, key: bytes | None) -> urllib3.PoolManager:
        c = self.config
        kw: dict[str, Any] = {"num_pools": 4, "maxsize": self._maxsize, "block": False}
        if c.server.startswith("https://"):
            kw["ssl_context"] = tls.context(ca=c.ca_data, cert=cert, key=key, verify=c.verify,
                                            what=f"kubeconfig {c.source}")
            if not c.verify:
                kw["cert_reqs"] = "CERT_NONE"
                kw["assert_hostname"] = False
            elif c.tls_server_name:
                kw["server_hostname"] = c.tls_server_name
        if not c.proxy_url:
            return urllib3.PoolManager(**kw)
        if c.proxy_url.startswith(("socks5://", "socks5h://", "socks4://", "socks4a://")):
            try:
                from urllib3.contrib.socks import SOCKSProxyManager  # noqa: PLC0415 - optional
            except ImportError as e:
                raise ConfigError(f'kubeconfig {c.source}: cluster "{c.cluster}" uses a SOCKS proxy-url',
                                  hint="pip install 'urllib3[socks]'") from e
            return SOCKSProxyManager(c.proxy_url, **kw)
        parsed = urllib.parse.urlsplit(c.proxy_url)
        if parsed.username:
            kw["proxy_headers"] = urllib3.make_headers(
                proxy_basic_auth=f"{urllib.parse.unquote(parsed.username)}:"
                                 f"{urllib.parse.unquote(parsed.password or '')}")
            netloc = parsed.hostname or ""
            if parsed.port:
                netloc += f":{parsed.port}"
            proxy = urllib.parse.urlunsplit((parsed.scheme, netloc, parsed.path, "", ""))
        else:
            proxy = c.proxy_url
        return urllib3.ProxyManager(proxy, **kw)


def _refreshable(source: CredentialSource | None) -> bool:
    # Inline kubeconfig tokens cannot change; re-sending them is pointless.
    return source is not None and not isinstance(source, StaticCredentials)


def _drain(raw: urllib3.BaseHTTPResponse) -> bytes:
    try:
        return raw.data or b""
    except (u3.HTTPError, OSError):
        return b""
    finally:
        raw.release_conn()


def _cert_failure(e: BaseException) -> bool:
    # A certificate the client rejects, or one the server demands and rejects:
    # deterministic, so never retried, and nothing was sent.
    return isinstance(e, u3.SSLError) and "certificate" in str(e).lower()
