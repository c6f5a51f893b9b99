"""A tiny Docker token server: the `realm` of a registry with `auth.token` configured.

Registries like Docker Hub, GHCR and Harbor answer an unauthenticated request
with `401` and `WWW-Authenticate: Bearer realm=...,service=...,scope=...`;
the client then asks the realm for a token (with basic credentials, or
anonymously) and retries with `Authorization: Bearer <token>`. This server
plays the realm for a real `docker-registry` started with `auth.token`, so
the whole exchange is real on both sides:

- `GET /token?service=S&scope=repository:NAME:pull,push` with basic
  credentials from `users` grants every action asked for; without
  credentials it grants `pull` on the repositories in `public` and nothing
  else (the registry then refuses the token, as Docker Hub does for private
  images); wrong credentials get `401`, as Docker Hub answers.
- `POST /token` (OAuth2, form-encoded) accepts `grant_type=refresh_token`
  with one of `refresh_tokens` (a docker config `identitytoken`) and
  `grant_type=password`; it answers `access_token`, not `token`.
- Tokens are RS256 JWTs signed with `certs.token_key`, carrying the signer's
  certificate in the `x5c` header, with `iss`/`aud` as the registry expects
  (registry 2.8 checks issuer, audience = service, exp/nbf with 60 s leeway,
  and the `x5c` chain against `rootcertbundle`).

Every request is logged in `requests`, so tests can count token round trips.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests import servers
from tests.registry.certs import Certs

ISSUER = "fluxpy-test-token-issuer"


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """One request the token server answered.

    Attributes:
        method: `GET` or `POST`.
        service: the `service` parameter.
        scopes: the `scope` parameters.
        user: the authenticated user, or None (anonymous or refused).
        status: the HTTP status sent.
        grant_type: the OAuth2 grant type of a POST, else None.
    """

    method: str
    service: str | None
    scopes: tuple[str, ...]
    user: str | None
    status: int
    grant_type: str | None = None


@dataclass(slots=True)
class TokenServer:
    """The token realm, served on 127.0.0.1 from a background thread.

    Attributes:
        certs: the signing key and certificate (`token_key`, `token_cert`).
        service: the service name the registry is configured with (`aud`).
        users: accepted basic credentials, username -> password.
        refresh_tokens: accepted OAuth2 refresh tokens, token -> username.
        public: repositories anonymous clients may pull.
        lifetime: seconds a token is valid (`expires_in`).
        requests: the requests answered so far.
        port: the TCP port (set by `start()`).
    """

    certs: Certs
    service: str = "fluxpy-test-registry"
    users: dict[str, str] = field(default_factory=lambda: {"fluxpy": "s3cret-pass"})
    refresh_tokens: dict[str, str] = field(default_factory=lambda: {"s3cret-identity-token": "fluxpy"})
    public: set[str] = field(default_factory=set)
    lifetime: int = 300
    requests: list[TokenRequest] = field(default_factory=list)
    port: int = 0
    _key: rsa.RSAPrivateKey | None = None
    _x5c: str = ""
    _serving: servers.Serving | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def realm(self) -> str:
        """The realm URL to configure the registry with."""
        return f"http://127.0.0.1:{self.port}/token"

    def start(self) -> None:
        """Load the signing key and serve on a free port."""
        key = serialization.load_pem_private_key(self.certs.token_key.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        self._key = key
        cert = x509.load_pem_x509_certificate(self.certs.token_cert.read_bytes())
        self._x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
        self._serving = servers.serve(_Handler, self, name="token-server")
        self.port = self._serving.port

    def stop(self) -> None:
        """Stop serving."""
        if self._serving is not None:
            self._serving.stop()
            self._serving = None

    def reset(self) -> None:
        """Clear the request log and public repositories."""
        with self._lock:
            self.requests.clear()
            self.public.clear()

    def record(self, request: TokenRequest) -> None:
        """Append to the log (called by handler threads)."""
        with self._lock:
            self.requests.append(request)

    def mint(self, subject: str, scopes: list[str], *, anonymous: bool = False) -> str:
        """A signed token granting `scopes` (all actions, or pull on public repos when anonymous)."""
        assert self._key is not None, "token server not started"
        now = int(time.time())
        access = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            wanted = [a for a in actions.split(",") if a]
            if anonymous:
                wanted = [a for a in wanted if a == "pull"] if name in self.public else []
            if wanted:
                access.append({"type": kind, "name": name, "actions": wanted})
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self._x5c]}
        claims = {"iss": ISSUER, "sub": subject, "aud": self.service, "exp": now + self.lifetime,
                  "nbf": now - 10, "iat": now, "jti": secrets.token_hex(8), "access": access}
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        signature = self._key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64(signature)}"

    def check_basic(self, header: str | None) -> str | None | bool:
        """The user for a basic `Authorization` header; None without one; False when refused."""
        scheme, _, value = (header or "").partition(" ")
        if not header:
            return None
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(value.strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        expected = self.users.get(user)
        if expected is None or not hmac.compare_digest(password.encode(), expected.encode()):
            return False
        return user


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class _Handler(servers.Handler[TokenServer]):
    def do_GET(self) -> None:
        tokens = self.server.owner
        query = parse_qs(urlsplit(self.path).query)
        service = query.get("service", [None])[0]
        scopes = [s for value in query.get("scope", []) for s in value.split(" ") if s]
        user = tokens.check_basic(self.headers.get("Authorization"))
        if user is False:
            tokens.record(TokenRequest("GET", service, tuple(scopes), None, 401))
            self._json(401, {"details": "incorrect username or password"})
            return
        assert user is None or isinstance(user, str)
        token = tokens.mint(user or "", scopes, anonymous=user is None)
        tokens.record(TokenRequest("GET", service, tuple(scopes), user, 200))
        self._json(200, {"token": token, "expires_in": tokens.lifetime,
                         "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})

    def do_POST(self) -> None:
        tokens = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode())
        grant = form.get("grant_type", [None])[0]
        service = form.get("service", [None])[0]
        scopes = [s for value in form.get("scope", []) for s in value.split(" ") if s]
        user: str | None = None
        if grant == "refresh_token":
            user = tokens.refresh_tokens.get(form.get("refresh_token", [""])[0])
        elif grant == "password":
            name = form.get("username", [""])[0]
            expected = tokens.users.get(name)
            given = form.get("password", [""])[0]
            if expected is not None and hmac.compare_digest(given.encode(), expected.encode()):
                user = name
        if user is None:
            tokens.record(TokenRequest("POST", service, tuple(scopes), None, 401, grant))
            self._json(401, {"error": "invalid_grant"})
            return
        token = tokens.mint(user, scopes)
        tokens.record(TokenRequest("POST", service, tuple(scopes), user, 200, grant))
        self._json(200, {"access_token": token, "expires_in": tokens.lifetime, "scope": " ".join(scopes)})

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.start_response(status, [("Content-Type", "application/json")], length=len(data))
        self.wfile.write(data)
