"""Registry authentication as data: credentials, `WWW-Authenticate` challenges, token requests.

The registry client (`fluxpy.image.registry`) sends every request
anonymously first, as go-containerregistry's transport does after its ping.
A `401` carries a challenge: `Basic realm="..."` (htpasswd registries) means
"send the username and password"; `Bearer realm="...",service="...",
scope="..."` (Docker Hub, GHCR, Harbor, registry `auth.token`) means "get a
token from the realm, then send that". This module holds the pure steps of
that dance so they can be tested without a network, and the client does
the sending:

- `parse_challenges` reads `WWW-Authenticate` (RFC 7235 quoting, several
  challenges in one header) and `pick` keeps the first Basic or Bearer one,
  as go-containerregistry's `pickFromMultipleChallenges` does.
- `token_request` builds the realm request: `GET realm?service=&scope=`
  with basic credentials when there are any (anonymously otherwise, which is
  how public Docker Hub images are read), or an OAuth2 `POST` with
  `grant_type=refresh_token` for a docker config `identitytoken`.
  A docker config `registrytoken` is sent as the bearer token directly.
- `parse_token` reads `token` or `access_token` and `expires_in` (60 s
  when absent, per the Docker token spec).

Credentials are kept out of `repr()` and every error message; `Credentials.
secrets()` lists the values the client scrubs from text it did not write.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

# The OAuth2 client id sent with refresh-token grants (go-containerregistry sends its own name too).
CLIENT_ID = "fluxpy"
DEFAULT_TOKEN_LIFETIME = 60.0


@dataclass(frozen=True, slots=True)
class Credentials:
    """What to log in to one registry with (a docker config `auths` entry, decoded).

    Attributes:
        username: the user, or "".
        password: the password or access token used as a password, or "".
        identity_token: an OAuth2 refresh token (`identitytoken`), or "".
        registry_token: a bearer token to send as is (`registrytoken`), or "".
    """

    username: str = ""
    password: str = field(default="", repr=False)
    identity_token: str = field(default="", repr=False)
    registry_token: str = field(default="", repr=False)

    @property
    def anonymous(self) -> bool:
        """Whether there is nothing to log in with."""
        return not (self.username or self.password or self.identity_token or self.registry_token)

    @property
    def has_basic(self) -> bool:
        """Whether a username and password are set (usable for Basic auth)."""
        return bool(self.username or self.password)

    def secrets(self) -> tuple[str, ...]:
        """The secret values, longest first, for scrubbing text (never empty strings)."""
        values = {self.password, self.identity_token, self.registry_token, self.basic_value()}
        return tuple(sorted((v for v in values if len(v) >= 4), key=len, reverse=True))

    def basic_value(self) -> str:
        """base64(username:password), the value after `Basic ` (empty without credentials)."""
        if not self.has_basic:
            return ""
        return base64.b64encode(f"{self.username}:{self.password}".encode()).decode()


class Keychain(Protocol):
    """Finds the credentials for a repository, as go-containerregistry's `authn.Keychain` does."""

    def resolve(self, target: str) -> Credentials | None:
        """Credentials for `target` (`<registry>/<repository>`), or None for anonymous access."""
        ...


@dataclass(frozen=True, slots=True)
class Challenge:
    """One `WWW-Authenticate` challenge.

    Attributes:
        scheme: lower-cased auth scheme (`basic`, `bearer`, ...).
        params: the auth parameters, keys lower-cased.
    """

    scheme: str
    params: Mapping[str, str]

    @property
    def realm(self) -> str:
        """The `realm` parameter ("" when absent)."""
        return self.params.get("realm", "")

    @property
    def service(self) -> str:
        """The `service` parameter ("" when absent)."""
        return self.params.get("service", "")

    @property
    def scopes(self) -> tuple[str, ...]:
        """The space-separated `scope` parameter, split."""
        return tuple(self.params.get("scope", "").split())

    @property
    def error(self) -> str:
        """The `error` parameter (`insufficient_scope`, `invalid_token`), or ""."""
        return self.params.get("error", "")


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """A request to a token realm, built before it is sent.

    Attributes:
        method: `GET` or `POST`.
        url: the realm URL with its query.
        headers: headers to send (maybe `Authorization: Basic`).
        body: the form body of a POST, else None.
    """

    method: str
    url: str
    headers: Mapping[str, str] = field(repr=False)
    body: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Token:
    """A bearer token and when to stop using it.

    Attributes:
        value: the token.
        expires_at: `time.monotonic()` after which a new one is needed.
    """

    value: str = field(repr=False)
    expires_at: float

    def fresh(self, *, now: float | None = None, margin: float = 10.0) -> bool:
        """Whether the token is still good for `margin` seconds."""
        return (time.monotonic() if now is None else now) + margin < self.expires_at


def parse_challenges(values: Sequence[str]) -> list[Challenge]:
    """Parse `WWW-Authenticate` header values into challenges.

    Handles quoted strings with commas and backslash escapes, unquoted
    values, and several challenges in one header value.

    Args:
        values: the header values (a response may carry several headers).

    Returns:
        The challenges in order; unparseable text is skipped.
    """
    out: list[Challenge] = []
    for value in values:
        out.extend(_parse_one_header(value))
    return out


def _parse_one_header(text: str) -> list[Challenge]:
    challenges: list[Challenge] = []
    i, n = 0, len(text)
    scheme: str | None = None
    params: dict[str, str] = {}
    while i < n:
        while i < n and text[i] in " \t,":
            i += 1
        start = i
        while i < n and text[i] not in " \t,=":
            i += 1
        token = text[start:i]
        if not token:
            break
        j = i
        while j < n and text[j] in " \t":
            j += 1
        if j < n and text[j] == "=" and scheme is not None:
            # auth-param: name=value (value quoted or token)
            j += 1
            while j < n and text[j] in " \t":
                j += 1
            if j < n and text[j] == '"':
                j += 1
                chars: list[str] = []
                while j < n and text[j] != '"':
                    if text[j] == "\\" and j + 1 < n:
                        j += 1
                    chars.append(text[j])
                    j += 1
                value = "".join(chars)
                j += 1  # closing quote
            else:
                vstart = j
                while j < n and text[j] not in " \t,":
                    j += 1
                value = text[vstart:j]
            params[token.lower()] = value
            i = j
            continue
        # a new scheme (token68 values after a scheme are ignored)
        if scheme is not None:
            challenges.append(Challenge(scheme, params))
        scheme, params = token.lower(), {}
    if scheme is not None:
        challenges.append(Challenge(scheme, params))
    return challenges


def pick(challenges: Sequence[Challenge]) -> Challenge | None:
    """The first Basic or Bearer challenge (others, e.g. Negotiate, cannot be answered)."""
    for challenge in challenges:
        if challenge.scheme in ("basic", "bearer"):
            return challenge
    return None


def basic_header(credentials: Credentials) -> str:
    """The `Authorization` value for Basic auth with `credentials`."""
    return f"Basic {credentials.basic_value()}"


def token_request(challenge: Challenge, *, scopes: Sequence[str],
                  credentials: Credentials | None) -> TokenRequest:
    """Build the request that fetches a bearer token for `scopes` from the challenge's realm.

    Args:
        challenge: the Bearer challenge (its realm and service are used).
        scopes: the scopes to ask for, e.g. `repository:library/nginx:pull`.
        credentials: the credentials, or None for an anonymous token.

    Returns:
        A POST (OAuth2 refresh-token grant) with an identity token, else a
        GET with basic credentials when there are any, else an anonymous GET.
    """
    creds = credentials or Credentials()
    if creds.identity_token:
        form: list[tuple[str, str]] = [("grant_type", "refresh_token"), ("refresh_token", creds.identity_token),
                                       ("client_id", CLIENT_ID)]
        if challenge.service:
            form.append(("service", challenge.service))
        if scopes:
            form.append(("scope", " ".join(scopes)))
        return TokenRequest("POST", challenge.realm,
                            {"Content-Type": "application/x-www-form-urlencoded"},
                            urllib.parse.urlencode(form).encode())
    query: list[tuple[str, str]] = []
    if challenge.service:
        query.append(("service", challenge.service))
    query.extend(("scope", s) for s in scopes)
    url = challenge.realm
    if query:
        url += ("&" if urllib.parse.urlsplit(url).query else "?") + urllib.parse.urlencode(query)
    headers = {"Authorization": basic_header(creds)} if creds.has_basic else {}
    return TokenRequest("GET", url, headers)


def parse_token(data: bytes, *, now: float | None = None) -> Token | None:
    """Read a token response (`token` or `access_token`, `expires_in`).

    Returns:
        The token, or None when the body holds none.
    """
    try:
        body = json.loads(data)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    value = body.get("token") or body.get("access_token")
    if not isinstance(value, str) or not value:
        return None
    lifetime = body.get("expires_in")
    seconds = float(lifetime) if isinstance(lifetime, (int, float)) and lifetime > 0 else DEFAULT_TOKEN_LIFETIME
    return Token(value, (time.monotonic() if now is None else now) + seconds)


def realm_display(realm: str) -> str:
    """The realm URL without its query or userinfo, for messages."""
    parts = urllib.parse.urlsplit(realm)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}" if parts.scheme else realm.split("?", 1)[0]
