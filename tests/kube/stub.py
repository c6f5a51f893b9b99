"""A scripted HTTP(S) server on 127.0.0.1 for transport and config tests.

Real sockets, real HTTP: each route answers from a queue of scripted
replies (status, JSON or text body, headers) or drops the connection without
answering. Every request is recorded with its headers and body. The API
emulator (tests/apiserver) covers Kubernetes semantics; this stub covers what
the emulator cannot script precisely (exact retry sequences, dropped
connections, TLS client certificates).
"""

from __future__ import annotations

import json
import re
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DROP = "drop"


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list -> JSON, str -> text/plain, None -> {}
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Stub:
    def __init__(self, *, tls: ssl.SSLContext | None = None) -> None:
        self.routes: list[tuple[str, re.Pattern[str], list[Reply | str]]] = []
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                # Headers and body are written separately; without this, Nagle
                # and delayed ACKs add 40 ms to every keep-alive request.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _any(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                with stub.lock:
                    stub.seen.append(Seen(self.command, self.path, dict(self.headers), body))
                    reply = stub._next(self.command, self.path)
                if reply == DROP:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                assert isinstance(reply, Reply)
                if reply.delay:
                    time.sleep(reply.delay)
                if isinstance(reply.body, str):
                    data, ctype = reply.body.encode(), "text/plain; charset=utf-8"
                else:
                    data, ctype = json.dumps({} if reply.body is None else reply.body).encode(), "application/json"
                self.send_response(reply.status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def on(self, method: str, path: str, *replies: Reply | str) -> None:
        """Answer `method` on paths matching the regex `path` with `replies` in turn; the last repeats."""
        self.routes.append((method, re.compile(path), list(replies)))

    def _next(self, method: str, path: str) -> Reply | str:
        for m, rx, replies in self.routes:
            if m == method and rx.fullmatch(path.split("?")[0]):
                return replies.pop(0) if len(replies) > 1 else replies[0]
        return Reply(404, "404 page not found")

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
