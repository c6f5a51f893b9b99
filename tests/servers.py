"""What the loopback test servers share: session fixtures, threaded HTTP serving, and certificates.

The Git servers (`tests/gitserver/`) and the OCI registries with their proxy
and token realm (`tests/registry/`) are started once per test session and
handed to each test freshly reset, serve HTTP(S) on 127.0.0.1 from a
background thread, and use throwaway certificates made once per process.
The plumbing for that lives here, once:

- **Fixtures.** `running(server)` is the body of a session fixture (start,
  yield, stop even when the session fails); `fresh(server)` the body of the
  function-scoped one (`reset()` first, so tests do not see each other's
  requests or faults).
- **HTTP.** `serve(handler, owner, name=...)` listens on a free port and
  answers from a daemon thread until `Serving.stop()`. Handlers subclass
  `Handler[Owner]` and reach their server object as `self.server.owner`.
  With an SSL context the TLS handshake happens in the connection's thread,
  and dropped connections are never logged: the fault tests drop them on
  purpose.
- **Certificates.** `made_once(prefix, make)` makes key material the first
  time it is asked for, in a temporary directory removed at exit;
  `TLSCerts` is what an HTTPS test server and its clients need.
"""

from __future__ import annotations

import atexit
import shutil
import socket
import ssl
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")


# --- session fixtures ---------------------------------------------------------------------------

class Server(Protocol):
    """A test server that lives for the session and is reset for each test."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def reset(self) -> None: ...


S = TypeVar("S", bound=Server)


def running(server: S) -> Iterator[S]:
    """Start `server`, yield it, and stop it afterwards (`yield from` it in a session fixture)."""
    server.start()
    try:
        yield server
    finally:
        server.stop()


def fresh(server: S) -> S:
    """`server` with its logs and faults cleared (return it from a function-scoped fixture)."""
    server.reset()
    return server


# --- threaded HTTP on 127.0.0.1 -----------------------------------------------------------------

class LoopbackHTTPServer(ThreadingHTTPServer, Generic[T]):
    """A threading HTTP(S) server for one test server object (`owner`).

    With a `context`, the TLS handshake is done in the connection's thread:
    wrapping the listening socket would do handshakes in the accept loop,
    where one client that refuses the certificate would hold up (and log
    errors for) everyone else.
    """

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], owner: T,
                 context: ssl.SSLContext | None = None) -> None:
        super().__init__(address, handler)
        self.owner = owner
        self.context = context

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.context is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(30)  # a client that connects and says nothing must not pin a thread
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # the client refused our certificate, or went away
        try:
            super().finish_request(tls, client_address)
        finally:
            tls.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet: clients dropping connections is what the fault tests do."""


class Handler(BaseHTTPRequestHandler, Generic[T]):
    """Base of the test servers' request handlers: HTTP/1.1, nothing printed."""

    protocol_version = "HTTP/1.1"
    server: LoopbackHTTPServer[T]

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are recorded by the server object (its `requests`), not printed."""

    def start_response(self, status: int, headers: list[tuple[str, str]], *, length: int | str) -> None:
        """Send the status line, `headers` and `Content-Length: length`; the body is the caller's."""
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def drop_connection(self) -> None:
        """Close the connection now, whatever was (or was not) sent."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class Serving:
    """A `LoopbackHTTPServer` answering from a daemon thread (what `serve` returns)."""

    def __init__(self, httpd: ThreadingHTTPServer, thread: threading.Thread) -> None:
        self.httpd = httpd
        self.thread = thread

    @property
    def port(self) -> int:
        """The TCP port it listens on."""
        return int(self.httpd.server_address[1])

    def stop(self) -> None:
        """Stop serving, close the listening socket and wait for the thread."""
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def serve(handler: type[Handler[T]], owner: T, *, name: str, context: ssl.SSLContext | None = None) -> Serving:
    """Listen on a free port of 127.0.0.1 and serve in a daemon thread named `<name>-<port>`.

    Args:
        handler: the request handler class; it reaches `owner` as `self.server.owner`.
        owner: the test server object the handler works for.
        name: the thread name's prefix.
        context: serve HTTPS with this server context, or plain HTTP when None.
    """
    httpd = LoopbackHTTPServer(("127.0.0.1", 0), handler, owner, context)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              name=f"{name}-{int(httpd.server_address[1])}", daemon=True)
    thread.start()
    return Serving(httpd, thread)


# --- certificates -------------------------------------------------------------------------------

def made_once(prefix: str, make: Callable[[Path], T]) -> Callable[[], T]:
    """A function returning `make(directory)`, run on first use only, for the whole process.

    Making keys takes a moment, so test sessions make them once. The
    directory is a new temporary one (named `<prefix>...`), removed at exit.
    """
    lock = threading.Lock()
    made: list[T] = []

    def get() -> T:
        with lock:
            if not made:
                directory = Path(tempfile.mkdtemp(prefix=prefix))
                atexit.register(shutil.rmtree, directory, True)
                made.append(make(directory))
            return made[0]

    return get


@dataclass(frozen=True, slots=True)
class TLSCerts:
    """Paths of the PEM files of an HTTPS test server.

    Attributes:
        ca_cert: the CA that signed the server certificate (give it to clients).
        server_cert: the server certificate (SAN IP:127.0.0.1, DNS:localhost).
        server_key: its private key.
        other_ca_cert: a CA that signed nothing the server uses (an "unknown CA"),
            to check that a certificate from a CA the client was not given is refused.
    """

    ca_cert: Path
    server_cert: Path
    server_key: Path
    other_ca_cert: Path

    @property
    def ca_pem(self) -> bytes:
        """The CA certificate (PEM), as a Secret's `ca.crt` holds it."""
        return self.ca_cert.read_bytes()

    @property
    def other_ca_pem(self) -> bytes:
        """The unrelated CA certificate (PEM)."""
        return self.other_ca_cert.read_bytes()
