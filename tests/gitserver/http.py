"""Git's smart HTTP protocol: `git http-backend` behind a small Python HTTP(S) server.

Fluxpy fetches `https://` GitRepositories with basic auth, bearer tokens and
custom CAs, so the tests need a server that checks exactly those. The server
here does authentication, TLS and fault injection itself, and runs
`git http-backend` as a CGI program for each request, as Apache or nginx
would. That keeps Git's side real (the same code GitHub-style servers run)
while giving tests control over what happens on the wire:

- `auth`: `AuthMode.NONE`, `BASIC` (username/password) or `BEARER`
  (`Authorization: Bearer <token>`); a request without valid credentials gets
  401 with `WWW-Authenticate`, as real servers answer.
- `tls`: serve HTTPS with a certificate from `certs.py`.
- `faults.drop_after_bytes`: send the full `Content-Length` but only the first
  N bytes of any longer response body, then close the connection (a server
  dropping mid-fetch). `faults.delay`: sleep before each response.
- `requests`: every request as `Request(method, path, service, command,
  status)`, so tests can count round trips. With protocol v2 (git's default)
  an up-to-date fetch is `GET info/refs` plus `POST git-upload-pack` with
  `command="ls-refs"`; downloading objects adds a `command="fetch"` POST.

Request bodies are un-chunked and un-gzipped here (git gzips large
upload-pack requests and chunks bodies over `http.postBuffer`), so the CGI
always gets a plain body with a `CONTENT_LENGTH`.
"""

from __future__ import annotations

import base64
import gzip
import hmac
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from tests import servers
from tests.gitserver import repos
from tests.gitserver.base import RepoRoot
from tests.gitserver.certs import Certs


class AuthMode(StrEnum):
    """How the server authenticates requests."""

    NONE = "none"
    BASIC = "basic"
    BEARER = "bearer"


@dataclass(frozen=True, slots=True)
class Request:
    """One request the server answered.

    Attributes:
        method: `GET` or `POST`.
        path: the URL path (e.g. `/app.git/info/refs`).
        service: `git-upload-pack` or `git-receive-pack` (from `?service=` or
            the path), or None for other paths.
        command: the protocol v2 command of a POST (`ls-refs`, `fetch`), or
            None (GET, or protocol v0).
        status: the HTTP status sent.
        chunked: the request body came with `Transfer-Encoding: chunked`.
        gzipped: the request body came with `Content-Encoding: gzip`.
    """

    method: str
    path: str
    service: str | None
    command: str | None
    status: int
    chunked: bool = False
    gzipped: bool = False


@dataclass(slots=True)
class Faults:
    """Faults to inject; change them during a test, `reset()` clears them.

    Attributes:
        drop_after_bytes: cut every response body longer than this many bytes
            after this many bytes (headers announce the full length).
        delay: seconds to wait before answering each request.
    """

    drop_after_bytes: int | None = None
    delay: float = 0.0


class GitHttpServer(RepoRoot):
    """A smart-HTTP Git server on 127.0.0.1, optionally with TLS and authentication.

    Attributes:
        root: the directory of served bare repositories (`GIT_PROJECT_ROOT`).
        auth: the authentication mode.
        username: the accepted user (basic auth; also the CGI's `REMOTE_USER`).
        password: the accepted password (basic auth).
        token: the accepted bearer token.
        tls: the certificates when serving HTTPS, else None.
        faults: the faults to inject (mutable).
        requests: the requests answered so far (appended by the server threads).
        port: the TCP port (set by `start()`).
    """

    def __init__(self, root: Path, *, auth: AuthMode = AuthMode.NONE,
                 username: str = "fluxpy", password: str = "s3cret-pass",
                 token: str = "s3cret-token", tls: Certs | None = None) -> None:
        super().__init__(root)
        self.auth = auth
        self.username = username
        self.password = password
        self.token = token
        self.tls = tls
        self.faults = Faults()
        self.requests: list[Request] = []
        self.port = 0
        self._lock = threading.Lock()
        self._serving: servers.Serving | None = None

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>` or `https://...`."""
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def url_for(self, name: str) -> str:
        """`<base_url>/<name>.git`."""
        return f"{self.base_url}/{name.removesuffix('.git')}.git"

    def url_with_credentials(self, url: str, *, username: str | None = None,
                             password: str | None = None) -> str:
        """`url` with `user:password@` in it (for the plain git CLI; basic auth)."""
        user = quote(username if username is not None else self.username, safe="")
        secret = quote(password if password is not None else self.password, safe="")
        scheme, rest = url.split("://", 1)
        return f"{scheme}://{user}:{secret}@{rest}"

    def bearer_header(self, token: str | None = None) -> str:
        """The `Authorization` header value for `token` (default: the accepted one)."""
        return f"Bearer {token if token is not None else self.token}"

    def start(self) -> None:
        """Listen on a free port and serve in a background thread."""
        context = None
        if self.tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.tls.server_cert, self.tls.server_key)
        self._serving = servers.serve(_Handler, self, name="git-http", context=context)
        self.port = self._serving.port

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        if self._serving is not None:
            self._serving.stop()
            self._serving = None

    def reset(self) -> None:
        """Clear the request log and the faults (each test starts clean)."""
        with self._lock:
            self.requests.clear()
            self.faults = Faults()

    def record(self, request: Request) -> None:
        """Append `request` to the log (called by the handler threads)."""
        with self._lock:
            self.requests.append(request)

    def authorize(self, header: str | None) -> str | None:
        """Check an `Authorization` header.

        Returns:
            The user to pass as `REMOTE_USER` ("" with no auth), or None when
            the request must be refused.
        """
        if self.auth is AuthMode.NONE:
            return ""
        scheme, _, value = (header or "").partition(" ")
        if self.auth is AuthMode.BASIC and scheme.lower() == "basic":
            try:
                user, _, secret = base64.b64decode(value.strip()).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return None
            ok = _same(user, self.username) & _same(secret, self.password)
            return user if ok else None
        if self.auth is AuthMode.BEARER and scheme.lower() == "bearer":
            return self.username if _same(value.strip(), self.token) else None
        return None

    def challenge(self) -> str:
        """The `WWW-Authenticate` value sent with 401."""
        return f'{"Basic" if self.auth is AuthMode.BASIC else "Bearer"} realm="fluxpy-git"'


class _Handler(servers.Handler[GitHttpServer]):
    timeout = 30

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        git = self.server.owner
        split = urlsplit(self.path)
        path = unquote(split.path)
        service = parse_qs(split.query).get("service", [None])[0]
        last = path.rsplit("/", 1)[-1]
        if service is None and last.startswith("git-"):
            service = last
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        gzipped = self.headers.get("Content-Encoding", "").lower() in ("gzip", "x-gzip")
        body = self._read_body(chunked=chunked, gzipped=gzipped)
        command = _v2_command(body) if self.command == "POST" else None

        def record(status: int) -> None:
            git.record(Request(self.command, path, service, command, status, chunked, gzipped))

        user = git.authorize(self.headers.get("Authorization"))
        if user is None:
            record(401)
            self._respond(401, [("WWW-Authenticate", git.challenge()),
                                ("Content-Type", "text/plain")], b"authentication required\n")
            return
        if git.faults.delay:
            time.sleep(git.faults.delay)
        status, headers, out = self._run_backend(git, path, split.query, body, user)
        record(status)
        self._respond(status, headers, out, drop_after=git.faults.drop_after_bytes)

    def _read_body(self, *, chunked: bool, gzipped: bool) -> bytes:
        if chunked:
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    break
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            body = b"".join(parts)
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if gzipped:
            body = gzip.decompress(body)
        return body

    def _run_backend(self, git: GitHttpServer, path: str, query: str, body: bytes,
                     user: str) -> tuple[int, list[tuple[str, str]], bytes]:
        env = repos.client_env({
            "GIT_PROJECT_ROOT": str(git.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": self.client_address[0],
            "REMOTE_USER": user,
            "HTTP_GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
        })
        if not user:
            del env["REMOTE_USER"]
        proc = subprocess.run(["git", "http-backend"], input=body, env=env,
                              capture_output=True, timeout=120)
        return _parse_cgi(proc.stdout, proc.stderr)

    def _respond(self, status: int, headers: list[tuple[str, str]], body: bytes,
                 *, drop_after: int | None = None) -> None:
        self.start_response(status, headers, length=len(body))
        if drop_after is not None and len(body) > drop_after:
            self.wfile.write(body[:drop_after])
            self.wfile.flush()
            self.drop_connection()
            return
        self.wfile.write(body)


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison of credentials (any characters)."""
    return hmac.compare_digest(given.encode(), expected.encode())


def _v2_command(body: bytes) -> str | None:
    """The `command=` of a protocol v2 request body (its first pkt-line), if any."""
    if len(body) > 4 and body[4:12] == b"command=":
        try:
            length = int(body[:4], 16)
        except ValueError:
            return None
        return body[12:length].decode(errors="replace").strip()
    return None


def _parse_cgi(out: bytes, err: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """Split CGI output into status, headers and body; a crash becomes a 500."""
    head, sep, body = out.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = out.partition(b"\n\n")
    if not sep:
        return 500, [("Content-Type", "text/plain")], b"http-backend failed: " + err[-500:]
    status = 200
    headers = []
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        if name.lower() == "status":
            status = int(value.split()[0])
        elif name.lower() != "content-length":
            headers.append((name.strip(), value.strip()))
    return status, headers, body
