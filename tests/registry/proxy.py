"""A paginating, fault-injecting HTTP proxy in front of a `RegistryServer`.

Two things the real registry 2.8 cannot be made to do on demand:

- **Paginate tag lists.** Distribution 2.8 ignores `n`/`last` on
  `GET /v2/<name>/tags/list`. The proxy takes the registry's full answer and
  pages it as distribution 3 and the OCI distribution spec do: tags in
  lexical order, at most `n` per page (further capped by `page_cap`, as
  registries that limit page sizes do), the ones after `last`, and
  `Link: </v2/<name>/tags/list?n=N&last=T>; rel="next"` while more remain.
- **Fail.** `faults` is a list of `Fault`s; each request takes the first one
  whose `path` fragment matches and that has uses left, and gets its status
  (with a registry-style JSON error body and `Retry-After` when given), or
  has its connection dropped without an answer, or is delayed.

Everything else (auth challenges, tokens, manifests, HEAD answers) passes
through unchanged, so authentication stays the real registry's. Every
request is logged in `requests` for counting round trips.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

from tests import servers
from tests.registry.server import RegistryServer

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
               "proxy-authenticate", "proxy-authorization", "content-length", "host"}
_STATUS_CODES = {401: "UNAUTHORIZED", 403: "DENIED", 404: "NAME_UNKNOWN", 429: "TOOMANYREQUESTS"}


@dataclass(slots=True)
class Fault:
    """What to do to matching requests instead of forwarding them.

    Attributes:
        status: answer this HTTP status (with a registry-style error body).
        retry_after: the `Retry-After` header to send with it.
        drop: close the connection without answering.
        delay: seconds to wait first (then forward, unless status/drop is set).
        times: how many requests it applies to.
        path: only requests whose path contains this (None: any).
        method: only requests with this method (None: any).
    """

    status: int | None = None
    retry_after: str | None = None
    drop: bool = False
    delay: float = 0.0
    times: int = 1
    path: str | None = None
    method: str | None = None


@dataclass(frozen=True, slots=True)
class ProxyRequest:
    """One request the proxy saw.

    Attributes:
        method: the HTTP method.
        path: the URL path.
        query: the query parameters (first value of each).
        status: the status sent (0 when the connection was dropped).
        auth_scheme: the scheme of the `Authorization` header (`Basic`, `Bearer`) or None.
        fault: what fault was injected (`status`, `drop`, `delay`) or None.
    """

    method: str
    path: str
    query: dict[str, str]
    status: int
    auth_scheme: str | None
    fault: str | None = None


@dataclass(slots=True)
class RegistryProxy:
    """The proxy, served on 127.0.0.1 (plain HTTP) from a background thread.

    Attributes:
        upstream: the registry behind it.
        page_cap: the largest page the proxy answers, whatever `n` asks for (None: no cap).
        faults: faults to inject (mutable; `reset()` clears them).
        requests: requests seen so far.
        port: the TCP port (set by `start()`).
    """

    upstream: RegistryServer
    page_cap: int | None = None
    faults: list[Fault] = field(default_factory=list)
    requests: list[ProxyRequest] = field(default_factory=list)
    port: int = 0
    _serving: servers.Serving | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def host(self) -> str:
        """`127.0.0.1:<port>`, the registry part of image names through the proxy."""
        return f"127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        return f"http://{self.host}"

    def image(self, repo: str) -> str:
        """The image name of `repo` through the proxy."""
        return f"{self.host}/{repo}"

    def start(self) -> None:
        """Serve on a free port."""
        self._serving = servers.serve(_Handler, self, name="registry-proxy")
        self.port = self._serving.port

    def stop(self) -> None:
        """Stop serving."""
        if self._serving is not None:
            self._serving.stop()
            self._serving = None

    def reset(self) -> None:
        """Clear faults, the page cap and the request log."""
        with self._lock:
            self.faults.clear()
            self.requests.clear()
            self.page_cap = None

    def fail(self, *faults: Fault) -> None:
        """Add faults to apply, in order."""
        with self._lock:
            self.faults.extend(faults)

    def tag_list_requests(self) -> list[ProxyRequest]:
        """The `GET .../tags/list` requests seen so far."""
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/tags/list")]

    def take_fault(self, method: str, path: str) -> Fault | None:
        """The fault for this request, with one use taken (handler threads call this)."""
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and (fault.path is None or fault.path in path) \
                        and (fault.method is None or fault.method == method):
                    fault.times -= 1
                    return fault
        return None

    def record(self, request: ProxyRequest) -> None:
        """Append to the log."""
        with self._lock:
            self.requests.append(request)


class _Handler(servers.Handler[RegistryProxy]):
    timeout = 30

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        proxy = self.server.owner
        split = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(split.query).items()}
        auth = self.headers.get("Authorization")
        scheme = auth.split(" ", 1)[0] if auth else None
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def record(status: int, fault: str | None = None) -> None:
            proxy.record(ProxyRequest(self.command, split.path, query, status, scheme, fault))

        fault = proxy.take_fault(self.command, split.path)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.drop:
            record(0, "drop")
            self.drop_connection()
            return
        if fault is not None and fault.status is not None:
            record(fault.status, "status")
            code = _STATUS_CODES.get(fault.status, "UNKNOWN")
            data = json.dumps({"errors": [{"code": code, "message": f"injected {fault.status}",
                                           "detail": None}]}).encode()
            headers = [("Content-Type", "application/json")]
            if fault.retry_after is not None:
                headers.append(("Retry-After", fault.retry_after))
            self._respond(fault.status, headers, data)
            return

        upstream = proxy.upstream
        forward = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        is_tag_list = self.command == "GET" and split.path.endswith("/tags/list")
        # The registry would ignore n/last anyway; ask for everything and page it here.
        target = split.path if is_tag_list else self.path
        r = upstream.http().request(self.command, upstream.base_url + target, body=body or None,
                                    headers=forward, retries=False, redirect=False,
                                    preload_content=True, decode_content=False)
        headers = [(k, v) for k, v in r.headers.items() if k.lower() not in _HOP_BY_HOP]
        data = r.data
        if is_tag_list and r.status == 200:
            data, link = self._page(data, split.path, query, proxy.page_cap)
            if link:
                headers.append(("Link", link))
        record(r.status, "delay" if fault is not None else None)
        if self.command == "HEAD":
            self._respond(r.status, headers, b"", length=r.headers.get("Content-Length", "0"))
        else:
            self._respond(r.status, headers, data)

    @staticmethod
    def _page(data: bytes, path: str, query: dict[str, str], cap: int | None) -> tuple[bytes, str | None]:
        listing = json.loads(data)
        tags = sorted(listing.get("tags") or [])
        last = query.get("last")
        if last is not None:
            tags = [t for t in tags if t > last]
        n: int | None = int(query["n"]) if "n" in query else None
        if cap is not None:
            n = cap if n is None else min(n, cap)
        link = None
        if n is not None and len(tags) > n:
            tags = tags[:n]
            link = f'<{path}?{urlencode({"last": tags[-1], "n": n})}>; rel="next"'
        return json.dumps({"name": listing.get("name"), "tags": tags}).encode(), link

    def _respond(self, status: int, headers: list[tuple[str, str]], body: bytes,
                 *, length: str | None = None) -> None:
        self.start_response(status, headers, length=length if length is not None else len(body))
        if body and self.command != "HEAD":
            self.wfile.write(body)
