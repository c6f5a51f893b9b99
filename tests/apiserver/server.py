"""`ApiServer`: the emulator's HTTP(S) front end and the test-facing API.

A `ThreadingHTTPServer` speaking HTTP/1.1 with keep-alive serves on
127.0.0.1 (an ephemeral port) from a background thread; TLS handshakes happen
in the per-connection threads so a stalled client cannot block the others.
Every request is logged, checked against the injected faults, authenticated
(bearer token), resolved to a discovery document or a resource, checked against
the `deny` rules, and handed to `handlers` (or streamed, for watches).

Request log: `srv.requests` holds `Request(method, path, query, verb, ...)`
where `verb` is the Kubernetes verb (get, list, watch, create, update, patch,
delete; discovery and other non-resource requests count as "get").
`srv.count(verb, path)` counts them; `path` is a regular expression searched
(`re.search`) in the URL path, so a plain path prefix works too.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from queue import Empty
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

from tests.apiserver import certs, crds, defaults, errors, handlers, registry
from tests.apiserver.builtin import ResourceType
from tests.apiserver.faults import Faults, Readiness
from tests.apiserver.registry import Registry
from tests.apiserver.store import Store, deep_copy

DEFAULT_TOKEN = "emulator-token"
USER = "emulator"


@dataclass(frozen=True, slots=True)
class Request:
    """One served request, as recorded in `ApiServer.requests`."""

    method: str
    path: str
    query: dict[str, str]
    verb: str
    resource: str = ""
    namespace: str | None = None
    name: str | None = None
    subresource: str = ""


@dataclass(frozen=True, slots=True)
class _Route:
    rt: ResourceType
    namespace: str | None
    name: str | None
    subresource: str


@dataclass(slots=True)
class _Deny:
    verb: str
    resource: str
    namespace: str | None

    def matches(self, verb: str, resource: str, namespace: str | None) -> bool:
        return (self.verb in ("*", verb) and self.resource in ("*", resource)
                and (self.namespace is None or self.namespace == namespace))


@dataclass
class _Answer:
    code: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def _encode(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def _error_answer(err: errors.ApiError) -> _Answer:
    return _Answer(err.code, _encode(err.status()), headers=err.headers)


NOT_FOUND_PAGE = _Answer(404, b"404 page not found\n", "text/plain; charset=utf-8")


class ApiServer:
    """A stateful Kubernetes API emulator; see tests/apiserver/README.md.

    Args:
        tmp_dir: where the kubeconfig is written (a new temporary dir when None).
        tls: serve HTTPS (True) or plain HTTP.
        token: the bearer token clients must send.
        history: number of change events kept for resuming watches.
    """

    def __init__(self, tmp_dir: str | Path | None = None, *, tls: bool = True,
                 token: str = DEFAULT_TOKEN, history: int = 1000) -> None:
        self.dir = Path(tmp_dir) if tmp_dir is not None else Path(tempfile.mkdtemp(prefix="apiserver-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.tls = tls
        self.token = token
        self.registry = Registry()
        self.readiness = Readiness()
        self.store = Store(self.registry, self.readiness, history=history)
        self.faults = Faults()
        self.ips = defaults.IpAllocator()
        self.bookmark_interval = 1.0
        self._denies: list[_Deny] = []
        self._requests: list[Request] = []
        self._log_lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.kubeconfig = self.dir / "kubeconfig"

    # ---- lifecycle ---------------------------------------------------------

    def start(self) -> ApiServer:
        """Start serving in a background thread and write `self.kubeconfig`."""
        ctx: ssl.SSLContext | None = None
        if self.tls:
            bundle = certs.session_certs()
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(bundle.server_cert, bundle.server_key)
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler, api=self, ssl_context=ctx)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"apiserver-{self.port}", daemon=True)
        self._thread.start()
        self.write_kubeconfig(self.kubeconfig)
        return self

    def stop(self) -> None:
        """Stop serving; open watches end."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The TCP port served on."""
        assert self._httpd is not None, "start() the server first"
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The base URL, e.g. `https://127.0.0.1:41234`."""
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def write_kubeconfig(self, path: str | Path, *, context: str = "emulator",
                         token: str | None = None) -> Path:
        """Write a kubeconfig for this server.

        Args:
            path: the file to write.
            context: the context name (also the current context).
            token: the bearer token to put in it (default: the server's token).

        Returns:
            The path written.
        """
        cluster: dict[str, Any] = {"server": self.url}
        if self.tls:
            cluster["certificate-authority-data"] = base64.b64encode(certs.session_certs().ca_pem).decode()
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "emulator", "cluster": cluster}],
            "users": [{"name": "emulator", "user": {"token": token if token is not None else self.token}}],
            "contexts": [{"name": context, "context": {"cluster": "emulator", "user": "emulator"}}],
            "current-context": context,
            "preferences": {},
        }
        path = Path(path)
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        return path

    # ---- test hooks --------------------------------------------------------

    def _type_of(self, api_version: str, kind: str) -> ResourceType:
        rt = self.registry.by_kind(api_version, kind)
        if rt is None:
            raise ValueError(f"{kind} in {api_version!r} is not served (install its CRD first)")
        return rt

    def seed(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Store `obj` directly (no HTTP, no admission); its `status` is kept.

        Server-owned metadata (uid, resourceVersion, generation,
        creationTimestamp) is filled in; an existing object is replaced.

        Returns:
            A copy of the stored object.
        """
        rt = self._type_of(obj.get("apiVersion", ""), obj.get("kind", ""))
        new = copy.deepcopy(obj)
        handlers.prepare_new(rt, new, keep_status=True)
        if rt.namespaced:
            new["metadata"].setdefault("namespace", "default")
        else:
            new["metadata"].pop("namespace", None)
        defaults.apply_defaults(rt.group, rt.kind, new, None, self.ips)
        meta = new["metadata"]
        explicit_status = "status" in obj
        with self.store.lock:
            old = self.store.get(rt, meta.get("namespace", ""), meta["name"])
            if old is not None:
                old_meta = old["metadata"]
                meta["uid"], meta["creationTimestamp"] = old_meta["uid"], old_meta["creationTimestamp"]
                meta["generation"] = old_meta.get("generation", 1) + (
                    1 if handlers.spec_of(rt, old) != handlers.spec_of(rt, new) else 0)
                stored = self.store.replace(rt, old, new, simulate=not explicit_status)
            else:
                stored = self.store.insert(rt, new)
            return deep_copy(stored) or {}

    def object(self, api_version: str, kind: str, namespace: str | None, name: str) -> dict[str, Any] | None:
        """A deep copy of the stored object, or None."""
        self.store.tick()
        rt = self._type_of(api_version, kind)
        return deep_copy(self.store.get(rt, namespace or "", name))

    def install_flux_crds(self) -> None:
        """Install the Flux CRDs, Established at once (whatever `establish_crds_after` says)."""
        delay = self.store.crd_delay
        self.store.crd_delay = 0.0
        try:
            for crd in crds.flux_crds():
                self.seed(crd)
        finally:
            self.store.crd_delay = delay

    def establish_crds_after(self, seconds: float | None) -> None:
        """Delay the Established condition of CRDs created from now on (None: never)."""
        self.store.crd_delay = seconds

    def ready_after(self, kind: str, seconds: float | None, fail: bool = False) -> None:
        """Make workloads of `kind` ready (or failed, when `fail`) `seconds` after each spec change.

        `seconds=None` means never: they stay in progress.
        """
        self.readiness.set(kind, seconds, fail)

    def deny(self, verb: str, resource: str, namespace: str | None = None) -> None:
        """Answer 403 Forbidden to `verb` on `resource` (plural; "*" for any) in `namespace` (None: all)."""
        self._denies.append(_Deny(verb, resource, namespace))

    def allow_all(self) -> None:
        """Remove every `deny` rule."""
        self._denies.clear()

    @property
    def requests(self) -> list[Request]:
        """The requests served so far (a snapshot)."""
        with self._log_lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget the request log."""
        with self._log_lock:
            self._requests.clear()

    def count(self, verb: str | None = None, path: str | None = None) -> int:
        """How many logged requests have `verb` and a path matching the regex `path` (re.search)."""
        pattern = re.compile(path) if path is not None else None
        return sum(1 for r in self.requests
                   if (verb is None or r.verb == verb) and (pattern is None or pattern.search(r.path)))

    # ---- request plumbing (called from handler threads) -------------------

    def _log(self, request: Request) -> None:
        with self._log_lock:
            self._requests.append(request)

    def _denied(self, verb: str, route: _Route) -> bool:
        return any(d.matches(verb, route.rt.plural, route.namespace) for d in self._denies)

    def resolve(self, path: str) -> _Route | Callable[[], _Answer] | None:
        """Resolve a URL path to a resource route, a non-resource answer, or None (404 page)."""
        parts = [unquote(p) for p in path.strip("/").split("/")] if path.strip("/") else []
        fixed: dict[tuple[str, ...], Callable[[], Any]] = {
            ("version",): registry.version_info,
            ("api",): lambda: registry.api_versions(f"127.0.0.1:{self.port}"),
            ("apis",): lambda: registry.api_group_list(self.registry),
        }
        if tuple(parts) in fixed:
            doc = fixed[tuple(parts)]()
            return lambda: _Answer(200, _encode(doc))
        if parts[:2] == ["openapi", "v3"]:
            return self._openapi(parts[2:])
        if tuple(parts) in (("healthz",), ("livez",), ("readyz",)):
            return lambda: _Answer(200, b"ok", "text/plain; charset=utf-8")
        if len(parts) >= 2 and parts[0] == "api":
            group, version, rest = "", parts[1], parts[2:]
        elif len(parts) >= 2 and parts[0] == "apis":
            if len(parts) == 2:
                doc = registry.api_group(self.registry, parts[1])
                return (lambda: _Answer(200, _encode(doc))) if doc else None
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            return None
        if not rest:
            doc = registry.resource_list(self.registry, group, version)
            return (lambda: _Answer(200, _encode(doc))) if doc else None
        return self._resource_route(group, version, rest)

    def _openapi(self, rest: list[str]) -> Callable[[], _Answer] | None:
        if not rest:
            root = registry.openapi_v3_root(self.registry)
            return lambda: _Answer(200, _encode(root))
        if rest[0] == "api" and len(rest) == 2:
            doc = registry.openapi_v3_group_version(self.registry, "", rest[1])
        elif rest[0] == "apis" and len(rest) == 3:
            doc = registry.openapi_v3_group_version(self.registry, rest[1], rest[2])
        else:
            doc = None
        return (lambda: _Answer(200, _encode(doc))) if doc else None

    def _resource_route(self, group: str, version: str, rest: list[str]) -> _Route | None:
        if rest[0] == "namespaces" and len(rest) >= 3:
            rt = self.registry.lookup(group, version, rest[2])
            if rt is not None and rt.namespaced and len(rest) <= 5:
                name = rest[3] if len(rest) > 3 else None
                sub = rest[4] if len(rest) > 4 else ""
                return _Route(rt, rest[1], name, sub) if self._sub_ok(rt, sub) else None
        rt = self.registry.lookup(group, version, rest[0])
        if rt is None or len(rest) > 3:
            return None
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else ""
        if rt.namespaced and name is not None:
            return None
        return _Route(rt, None, name, sub) if self._sub_ok(rt, sub) else None

    @staticmethod
    def _sub_ok(rt: ResourceType, sub: str) -> bool:
        return sub == "" or (sub == "status" and rt.status)


def _verb(method: str, route: _Route | None, query: dict[str, str]) -> str:
    if route is None:
        return "get"
    if method == "GET":
        if route.name is not None:
            return "get"
        return "watch" if query.get("watch") in ("true", "1") else "list"
    return {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}.get(method, method.lower())


_VERB_HANDLERS: dict[str, Callable[[handlers.Call], handlers.Reply]] = {
    "get": handlers.get,
    "list": handlers.list_,
    "create": handlers.create,
    "update": handlers.update,
    "patch": handlers.patch,
    "delete": handlers.delete,
}


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], *,
                 api: ApiServer, ssl_context: ssl.SSLContext | None) -> None:
        super().__init__(address, handler)
        self.api = api
        self.ssl_context = ssl_context

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            if self.ssl_context is not None:
                request = self.ssl_context.wrap_socket(request, server_side=True)
            self.finish_request(request, client_address)
        except (OSError, ssl.SSLError):
            pass
        finally:
            self.shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up mid-request are normal in tests


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid 40 ms delayed-ACK stalls
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, answer: _Answer) -> None:
        self.send_response(answer.code)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Cache-Control", "no-cache, private")
        for key, value in answer.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _serve(self) -> None:
        api = self.server.api
        split = urlsplit(self.path)
        path = split.path
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        body = self._read_body()
        api.store.tick()  # simulated controllers catch up before the request is resolved
        target = api.resolve(path)
        route = target if isinstance(target, _Route) else None
        verb = _verb(self.command, route, query)
        api._log(Request(self.command, path, query, verb,
                         route.rt.plural if route else "", route.namespace if route else None,
                         route.name if route else None, route.subresource if route else ""))
        fault = api.faults.take(self.command, path)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.drop:
                self._drop()
                return
            if fault.status is not None:
                self._send(_error_answer(errors.injected(fault.status, fault.retry_after)))
                return
        if self.headers.get("Authorization", "") != f"Bearer {api.token}":
            self._send(_error_answer(errors.unauthorized()))
            return
        if target is None:
            self._send(NOT_FOUND_PAGE)
        elif route is None:
            self._send(target())  # type: ignore[operator]
        else:
            self._serve_resource(api, route, verb, query, body)

    def _serve_resource(self, api: ApiServer, route: _Route, verb: str, query: dict[str, str],
                        body: bytes) -> None:
        try:
            if api._denied(verb, route):
                raise errors.forbidden(route.rt, verb, route.namespace, route.name or "", user=USER)
            if route.rt.namespaced and route.namespace is None and verb not in ("list", "watch"):
                self._send(NOT_FOUND_PAGE)
                return
            call = handlers.Call(
                store=api.store, ips=api.ips, rt=route.rt, namespace=route.namespace,
                name=route.name, subresource=route.subresource, query=query, body=body,
                content_type=self.headers.get("Content-Type", ""),
                user_agent=self.headers.get("User-Agent", ""),
            )
            if verb == "watch":
                self._watch(api, call)
                return
            handler = _VERB_HANDLERS.get(verb)
            if handler is None or (route.subresource and verb not in ("get", "update", "patch")):
                raise errors.method_not_allowed()
            reply = handler(call)
            self._send(_Answer(reply.code, _encode(reply.body), headers=reply.headers))
        except errors.ApiError as err:
            self._send(_error_answer(err))

    # ---- watch -------------------------------------------------------------

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _event(self, rt: ResourceType, etype: str, obj: dict[str, Any]) -> None:
        self._chunk(_encode({"type": etype, "object": handlers.output(rt, obj)}) + b"\n")

    def _start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()

    def _watch(self, api: ApiServer, call: handlers.Call) -> None:
        rt, store = call.rt, call.store
        labels, fields_ = handlers.matchers(call)
        timeout = float(call.query.get("timeoutSeconds") or 0)
        deadline = time.monotonic() + timeout if timeout > 0 else None
        bookmarks = call.query.get("allowWatchBookmarks") in ("true", "1")
        try:
            watcher = store.watch(rt, call.namespace, labels, fields_, call.query.get("resourceVersion"))
        except errors.ApiError as err:
            if err.code != 410:
                raise
            # Like a real server: 200, then one ERROR event carrying the 410 Status.
            self._start_stream()
            self._chunk(_encode({"type": "ERROR", "object": err.status()}) + b"\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        self._start_stream()
        last = time.monotonic()
        try:
            while not api._stopping.is_set():
                if deadline is not None and time.monotonic() >= deadline:
                    break
                try:
                    etype, obj = watcher.queue.get(timeout=0.05)
                except Empty:
                    store.tick()
                    if bookmarks and time.monotonic() - last >= api.bookmark_interval:
                        mark = {"kind": rt.kind, "apiVersion": rt.api_version,
                                "metadata": {"resourceVersion": str(store.resource_version)}}
                        self._event(rt, "BOOKMARK", mark)
                        last = time.monotonic()
                    continue
                self._event(rt, etype, obj)
                last = time.monotonic()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            self.close_connection = True
        finally:
            store.unwatch(watcher)
