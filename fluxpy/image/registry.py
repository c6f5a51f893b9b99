"""The registry client: the scan step of image automation (ImageRepository -> tags).

`list_tags()` is what image-reflector-controller does on each scan: list
every tag of `spec.image` over the OCI distribution API, following
`Link: <...>; rel="next"` pages (one request per page, `n=1000` as
go-containerregistry asks). `digest()` resolves a tag to the digest the
registry serves (`HEAD` on the manifest), for digest reflection and the
`:digest` markers. `exclude()` and `scan_result()` turn the tags into
`status.lastScanResult`. All HTTP goes through `RegistryClient._send`, which
owns the connection pool, TLS, the auth dance (registry_auth.py), timeouts,
retries and back-off, and turns failures into the `RegistryError`s below.

Flux behaviour matched (sources: fluxcd/image-reflector-controller
`internal/registry/helper.go`, `internal/controller/imagerepository_controller.go`,
`internal/database/badger.go`; google/go-containerregistry `pkg/name`,
`pkg/v1/remote`, `pkg/authn/kubernetes`):

- Image names parse as go-containerregistry's `name.ParseReference`: the
  first path part is a registry host only if it contains `.` or `:`;
  otherwise the image is on Docker Hub (`index.docker.io`, and `docker.io`
  is rewritten to it) and a one-part name gets `library/`. So
  `canonical_name("nginx") == "index.docker.io/library/nginx"`, as
  `status.canonicalImageName` shows it. A scheme (`https://`) or a tag in
  `spec.image` is an error, worded as Flux words it.
- `exclusionList` patterns drop every tag any of them matches (unanchored
  search); unset means `["^.*\\.sig$"]`, an empty list excludes nothing.
- `lastScanResult`: kept tags sorted in descending byte order; `tagCount`
  is their number, `latestTags` the first 10, `revision` the decimal
  Adler-32 of their JSON array as Go's `json.Marshal` writes it (compact,
  `<>&` escaped).

Deliberate differences: plain HTTP is used only with `insecure=True`
(`spec.insecure`, `--insecure`); go-containerregistry also falls back to it
for localhost and private addresses. With `insecure=True`, HTTPS is tried
first and HTTP used when the TLS handshake fails, as go-containerregistry
does. A custom CA (`certSecretRef` `ca.crt`) is added to the system trust
store, as Flux does (`WithSystemCertPool`); certificates are always verified.

Retry policy (at most `RetryPolicy.attempts` sends per request, exponential
back-off with jitter as `fluxpy.retry` computes it, never past the
operation's `timeout`): 429 (honouring `Retry-After`, capped), 5xx,
connections refused or dropped; all requests here are idempotent reads.
Certificate failures and 4xx other than 429 are not retried.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import re
import ssl
import threading
import time
import urllib.parse
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import urllib3
import urllib3.exceptions as u3

from fluxpy import __version__
from fluxpy.errors import FluxpyError
from fluxpy.image import registry_auth
from fluxpy.image.registry_auth import Challenge, Credentials, Keychain, Token
from fluxpy.retry import Backoff

log = logging.getLogger("fluxpy.image.registry")

USER_AGENT = f"fluxpy/{__version__}"
DEFAULT_REGISTRY = "index.docker.io"
DEFAULT_EXCLUSION_LIST: tuple[str, ...] = ("^.*\\.sig$",)
MAX_EXCLUSION_LIST = 25
LATEST_TAGS_COUNT = 10
DEFAULT_PAGE_SIZE = 1000
# What go-containerregistry's remote.Head accepts: Docker schema 1/2, OCI manifests and indexes.
MANIFEST_ACCEPT = ", ".join((
    "application/vnd.docker.distribution.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
))

# Reasons as image-reflector-controller records them on the Ready condition.
IMAGE_URL_INVALID = "ImageURLInvalid"
READ_OPERATION_FAILED = "ReadOperationFailed"
AUTHENTICATION_FAILED = "AuthenticationFailed"

_REPO_CHARS = re.compile(r"[a-z0-9_./-]+")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_REGISTRY = re.compile(r"(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:[0-9]+)?")
_MAX_SERVER_MESSAGE = 200


# --- errors -----------------------------------------------------------------------------------------

class RegistryError(FluxpyError):
    """Anything that went wrong scanning a registry; the message names the image.

    Args:
        message: one line naming the image and what failed.
        reason: the Ready condition reason Flux would record.
        image: the image involved, or None.
        status: the HTTP status that caused it, or None.
        hint: what to do about it.
    """

    def __init__(self, message: str, *, reason: str = READ_OPERATION_FAILED, image: str | None = None,
                 status: int | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.reason = reason
        self.image = image
        self.status = status


class ImageReferenceError(RegistryError):
    """`spec.image` is not a valid repository reference (scheme, tag, bad characters)."""


class ExclusionListError(RegistryError):
    """An `exclusionList` pattern does not compile, or the list is too long."""


class CredentialsError(RegistryError):
    """Credentials could not be read (bad docker config, Secret of the wrong type, failed helper)."""


class RegistryAuthError(RegistryError):
    """The registry or its token server refused access (401/403)."""


class RegistryNotFoundError(RegistryError):
    """The repository or tag does not exist (404)."""


class RegistryUnavailableError(RegistryError):
    """No usable answer: unreachable, TLS failure, timeout, or 429/5xx after every retry."""


# --- image references -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ImageRef:
    """A repository on a registry, parsed as go-containerregistry parses it.

    Attributes:
        registry: the registry host[:port], `index.docker.io` for Docker Hub.
        repository: the repository path, with `library/` added for one-part Hub names.
        original: the string it was parsed from.
    """

    registry: str
    repository: str
    original: str

    @property
    def canonical(self) -> str:
        """`<registry>/<repository>`, as `status.canonicalImageName` shows it."""
        return f"{self.registry}/{self.repository}"

    def __str__(self) -> str:
        return self.original


def parse_image(image: str) -> ImageRef:
    """Parse an ImageRepository `spec.image` (a repository, without tag or digest).

    Args:
        image: e.g. `nginx`, `ghcr.io/org/app`, `127.0.0.1:5000/team/app`.

    Returns:
        The parsed reference.

    Raises:
        ImageReferenceError: a scheme, a tag or digest, or characters a
            repository cannot have; worded as Flux words it.
    """
    if "://" in image:
        scheme = image.split("://", 1)[0]
        raise ImageReferenceError(f"image '{image}' should not include URL scheme; remove '{scheme}://'",
                                  reason=IMAGE_URL_INVALID, image=image, hint="fix spec.image")
    registry, repository = _split_registry(image)
    after_registry = image.removeprefix(registry)
    if ":" in after_registry:
        raise ImageReferenceError(f"image '{image}' should not include a tag; remove ':{after_registry.split(':')[1]}'",
                                  reason=IMAGE_URL_INVALID, image=image, hint="fix spec.image")
    if "@" in after_registry:
        raise ImageReferenceError(f"image '{image}' should not include a digest; remove '@{after_registry.split('@')[1]}'",
                                  reason=IMAGE_URL_INVALID, image=image, hint="fix spec.image")
    _check_repository(image, repository)
    if registry == DEFAULT_REGISTRY and "/" not in repository:
        repository = f"library/{repository}"
    return ImageRef(registry, repository, image)


def canonical_name(image: str) -> str:
    """The ImageRepository `status.canonicalImageName` for `image` (e.g. `index.docker.io/library/nginx`).

    Raises:
        ImageReferenceError: `image` does not parse.
    """
    return parse_image(image).canonical


def _split_registry(image: str) -> tuple[str, str]:
    first, sep, rest = image.partition("/")
    if sep and ("." in first or ":" in first):
        if not _REGISTRY.fullmatch(first):
            raise ImageReferenceError(f"image '{image}': registries must be valid RFC 3986 URI authorities: "
                                      f"{first}", reason=IMAGE_URL_INVALID, image=image, hint="fix spec.image")
        return (DEFAULT_REGISTRY if first == "docker.io" else first), rest
    return DEFAULT_REGISTRY, image


def _check_repository(image: str, repository: str) -> None:
    if not 2 <= len(repository) <= 255:
        raise ImageReferenceError(f"image '{image}': repository must be between 2 and 255 characters in length: "
                                  f"{repository}", reason=IMAGE_URL_INVALID, image=image, hint="fix spec.image")
    if not _REPO_CHARS.fullmatch(repository):
        raise ImageReferenceError(f"image '{image}': repository can only contain the characters "
                                  f"`abcdefghijklmnopqrstuvwxyz0123456789_-./`: {repository}",
                                  reason=IMAGE_URL_INVALID, image=image, hint="fix spec.image")


# --- exclusion list and scan result -------------------------------------------------------------------

def exclusion_list(patterns: Sequence[str] | None) -> list[str]:
    """The effective `exclusionList` (`status.observedExclusionList`): the default when unset."""
    return list(DEFAULT_EXCLUSION_LIST if patterns is None else patterns)


def _regexp_compiler() -> Callable[[str], re.Pattern[str]]:
    # Go regexp semantics come from fluxpy.image.goregexp (written alongside this module, imported
    # lazily); without it Python's re, which agrees with RE2 on the common patterns.
    try:
        module = importlib.import_module("fluxpy.image.goregexp")
    except ModuleNotFoundError:
        return re.compile
    compile_: Callable[[str], re.Pattern[str]] = module.compile
    return compile_


def exclude(tags: Iterable[str], patterns: Sequence[str] | None = None) -> list[str]:
    """Drop the tags any `exclusionList` pattern matches (unanchored), keeping order.

    Args:
        tags: the tags as listed.
        patterns: `spec.exclusionList`; None means Flux's default `["^.*\\\\.sig$"]`.

    Returns:
        The tags no pattern matches.

    Raises:
        ExclusionListError: a pattern does not compile, or there are more than 25.
    """
    effective = exclusion_list(patterns)
    if len(effective) > MAX_EXCLUSION_LIST:
        raise ExclusionListError(f"exclusionList has {len(effective)} items, must have at most "
                                 f"{MAX_EXCLUSION_LIST}", hint="shorten spec.exclusionList")
    compile_ = _regexp_compiler()
    compiled = []
    for pattern in effective:
        try:
            compiled.append(compile_(pattern))
        except (re.error, ValueError, FluxpyError) as e:
            reason = getattr(e, "go_error", None) or str(e)  # goregexp.PatternError carries Go's own text
            raise ExclusionListError(f"exclusionList: failed to compile regex {pattern}: {_one_line(reason)}",
                                     hint="fix spec.exclusionList (Go RE2 syntax)") from e
    return [t for t in tags if not any(rx.search(t) for rx in compiled)]


@dataclass(frozen=True, slots=True)
class ScanResult:
    """ImageRepository `status.lastScanResult`, plus the kept tags themselves.

    Attributes:
        tags: the tags kept after exclusion, in descending byte order.
        revision: decimal Adler-32 of their JSON array.
        tag_count: how many were kept.
        latest_tags: the first 10 of `tags` (empty when there are none).
        scan_time: when the scan finished (UTC).
    """

    tags: tuple[str, ...] = field(repr=False)
    revision: str
    tag_count: int
    latest_tags: tuple[str, ...]
    scan_time: datetime

    @property
    def ready_message(self) -> str:
        """The Ready condition message Flux writes after this scan."""
        return f"successful scan: found {self.tag_count} tags with checksum {self.revision}"

    def status(self) -> dict[str, Any]:
        """`lastScanResult` as the API serves it (`latestTags` omitted when empty)."""
        out: dict[str, Any] = {
            "revision": self.revision,
            "tagCount": self.tag_count,
            "scanTime": self.scan_time.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if self.latest_tags:
            out["latestTags"] = list(self.latest_tags)
        return out


def scan_result(tags: Iterable[str], *, exclusion: Sequence[str] | None = None,
                scan_time: datetime | None = None) -> ScanResult:
    """Compute `lastScanResult` from listed tags, as image-reflector-controller does.

    Args:
        tags: the tags as listed (exclusion is applied here; applying it
            twice changes nothing).
        exclusion: `spec.exclusionList`; None means the default.
        scan_time: when the scan happened; now by default.

    Raises:
        ExclusionListError: a pattern does not compile.
    """
    kept = sorted(exclude(tags, exclusion), reverse=True)
    return ScanResult(tags=tuple(kept), revision=tags_checksum(kept), tag_count=len(kept),
                      latest_tags=tuple(kept[:LATEST_TAGS_COUNT]),
                      scan_time=scan_time or datetime.now(timezone.utc).replace(microsecond=0))


def tags_checksum(tags: Sequence[str]) -> str:
    """Decimal Adler-32 of `tags` encoded as Go's `json.Marshal` encodes a `[]string`."""
    return str(zlib.adler32(go_json_strings(tags).encode("utf-8")))


def go_json_strings(values: Sequence[str]) -> str:
    """A JSON array of strings byte-for-byte as Go's `encoding/json` writes it.

    Compact, non-ASCII kept as UTF-8, and `<`, `>`, `&`, U+2028, U+2029
    escaped as `\\u003c` etc. (Go's HTML-safe default); control characters
    are escaped as Python escapes them, which matches Go 1.22+.
    """
    text = json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


# --- the client ----------------------------------------------------------------------------------------

RetryPolicy = Backoff
"""How often and how patiently to retry one request (the back-off the API server's transport uses too)."""


@dataclass(slots=True)
class _Answer:
    status: int
    headers: Mapping[str, str]
    data: bytes
    challenges: list[Challenge]
    url: str


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()


class RegistryClient:
    """Talks to registries for one scan: one connection pool, cached tokens, one retry policy.

    Thread-safe; reuse one client for a repository's tag list and its
    digests so tokens and connections are reused.

    Args:
        auth: credentials for every registry, a keychain (e.g.
            `fluxpy.image.dockerconfig.DockerConfig`) resolving them per
            repository, or None for anonymous access.
        ca_data: extra CA certificates (PEM or DER), trusted together with
            the system store (`certSecretRef`'s `ca.crt`).
        insecure: allow plain HTTP (`spec.insecure`, `--insecure`).
        timeout: seconds one operation (a whole tag listing, one digest)
            may take, retries included (`spec.timeout`).
        page_size: the `n` asked for per tag-list page.
        retry: the retry policy.
        sleep: how to wait between retries (tests pass a fake).
    """

    def __init__(self, *, auth: Credentials | Keychain | None = None, ca_data: bytes | None = None,
                 insecure: bool = False, timeout: float = 60.0, page_size: int = DEFAULT_PAGE_SIZE,
                 retry: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self.auth = auth
        self.insecure = insecure
        self.timeout = timeout
        self.page_size = page_size
        self.retry = retry or RetryPolicy()
        self.requests_sent = 0
        self._sleep = sleep
        self._lock = threading.Lock()
        self._pool = urllib3.PoolManager(maxsize=8, ssl_context=_ssl_context(ca_data), retries=False)
        self._schemes: dict[str, str] = {}
        self._challenges: dict[str, Challenge] = {}
        self._tokens: dict[tuple[str, str], Token] = {}
        self._resolved: dict[str, Credentials | None] = {}
        self._secrets: tuple[str, ...] = ()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close pooled connections."""
        self._pool.clear()

    def list_tags(self, image: str) -> list[str]:
        """Every tag of `image`, following `Link` pagination (one request per page).

        Args:
            image: the repository, e.g. `ghcr.io/org/app` (`spec.image`).

        Returns:
            The tags in the order the registry listed them.

        Raises:
            ImageReferenceError: `image` does not parse.
            RegistryAuthError: access refused (401/403).
            RegistryNotFoundError: no such repository (404).
            RegistryUnavailableError: unreachable, TLS failure, timeout, or
                429/5xx after every retry.
            RegistryError: an answer that is not a tag list.
        """
        ref = parse_image(image)
        deadline = _Deadline(self.timeout)
        url: str | None = f"/v2/{ref.repository}/tags/list?n={self.page_size}"
        tags: list[str] = []
        seen: set[str] = set()
        while url is not None:
            answer = self._get(ref, "GET", url, deadline=deadline, accept="application/json", what=ref.original)
            try:
                body = json.loads(answer.data)
                page = body.get("tags") or []
                if not isinstance(page, list) or not all(isinstance(t, str) for t in page):
                    raise ValueError("tags is not a list of strings")
            except (ValueError, AttributeError) as e:
                raise RegistryError(f"{image}: registry {ref.registry} answered an invalid tag list "
                                    f"({_one_line(str(e))})", image=image,
                                    hint="check that spec.image names a container registry") from e
            tags.extend(page)
            seen.add(answer.url)
            url = _next_link(answer.headers.get("Link"), answer.url)
            if url is not None and url in seen:
                raise RegistryError(f"{image}: registry {ref.registry} sent a tag-list page link that loops "
                                    f"back to a page already read", image=image)
        return tags

    def digest(self, image: str, tag: str) -> str:
        """The digest the registry serves for `image:tag` (`HEAD` on the manifest).

        Args:
            image: the repository (`spec.image`).
            tag: the tag.

        Returns:
            `sha256:<hex>` from `Docker-Content-Digest`, or computed from the
            manifest when the registry does not send that header.

        Raises:
            ImageReferenceError: `image` or `tag` does not parse.
            RegistryNotFoundError: no such tag or repository (404).
            RegistryAuthError, RegistryUnavailableError: as for `list_tags`.
        """
        ref = parse_image(image)
        if not _TAG.fullmatch(tag):
            raise ImageReferenceError(f"image '{image}': invalid tag {tag!r}", reason=IMAGE_URL_INVALID,
                                      image=image, hint="tags are 1-128 of [A-Za-z0-9_.-], not starting with . or -")
        deadline = _Deadline(self.timeout)
        path = f"/v2/{ref.repository}/manifests/{tag}"
        what = f"{image}:{tag}"
        answer = self._get(ref, "HEAD", path, deadline=deadline, accept=MANIFEST_ACCEPT, what=what)
        header = answer.headers.get("Docker-Content-Digest", "")
        if re.fullmatch(r"sha256:[0-9a-f]{64}", header):
            return header
        answer = self._get(ref, "GET", path, deadline=deadline, accept=MANIFEST_ACCEPT, what=what)
        return "sha256:" + hashlib.sha256(answer.data).hexdigest()

    # --- sending ---------------------------------------------------------------------------------

    def _get(self, ref: ImageRef, method: str, target: str, *, deadline: _Deadline, accept: str,
             what: str) -> _Answer:
        """Send a read to `ref`'s registry, doing the auth dance once; a 2xx answer or an error."""
        url = target if "://" in target else self._base(ref, deadline, what) + target
        auth = self._authorization(ref, url)
        answer = self._send(method, url, accept=accept, authorization=auth, deadline=deadline, ref=ref, what=what)
        if answer.status == 401:
            challenge = registry_auth.pick(answer.challenges)
            creds = self._credentials(ref)
            if challenge is not None and self._answer_challenge(ref, challenge, creds, auth, deadline, what):
                auth = self._authorization(ref, url)
                answer = self._send(method, url, accept=accept, authorization=auth, deadline=deadline,
                                    ref=ref, what=what)
        if answer.status >= 400:
            raise self._status_error(answer, ref=ref, what=what, method=method)
        return answer

    def _base(self, ref: ImageRef, deadline: _Deadline, what: str) -> str:
        host = ref.registry
        with self._lock:
            scheme = self._schemes.get(host)
        if scheme is None:
            scheme = "https"
            if self.insecure and not self._speaks_tls(host, deadline):
                scheme = "http"
            with self._lock:
                self._schemes[host] = scheme
        return f"{scheme}://{host}"

    def _speaks_tls(self, host: str, deadline: _Deadline) -> bool:
        """With `insecure`, whether `host` answers HTTPS (else HTTP is used), as go-containerregistry pings."""
        with self._lock:
            self.requests_sent += 1
        try:
            self._pool.urlopen("GET", f"https://{host}/v2/", headers={"User-Agent": USER_AGENT},
                               timeout=urllib3.Timeout(connect=min(max(deadline.left(), 0.1), 10.0),
                                                       read=max(deadline.left(), 0.1)),
                               retries=False, redirect=False, preload_content=True)
        except u3.SSLError:
            return False
        except (u3.HTTPError, OSError):
            return True  # unreachable either way: let the real request report it
        return True

    def _credentials(self, ref: ImageRef) -> Credentials | None:
        """The credentials for `ref`, resolved once per repository (a keychain may run a helper)."""
        with self._lock:
            if ref.canonical in self._resolved:
                return self._resolved[ref.canonical]
        auth = self.auth
        creds = auth if isinstance(auth, Credentials) or auth is None else auth.resolve(ref.canonical)
        if creds is not None and creds.anonymous:
            creds = None
        with self._lock:
            self._resolved[ref.canonical] = creds
            if creds is not None:
                self._secrets = tuple(sorted(set(self._secrets) | set(creds.secrets()), key=len, reverse=True))
        return creds

    def _authorization(self, ref: ImageRef, url: str) -> str | None:
        """The `Authorization` to send up front, from what earlier answers taught us."""
        if urllib.parse.urlsplit(url).netloc != ref.registry:
            return None  # never send credentials to another host (e.g. a Link to a CDN)
        with self._lock:
            challenge = self._challenges.get(ref.registry)
            token = self._tokens.get((ref.registry, ref.repository))
        if challenge is None:
            return None
        if challenge.scheme == "basic":
            creds = self._credentials(ref)
            return registry_auth.basic_header(creds) if creds is not None and creds.has_basic else None
        if token is not None and token.fresh():
            return f"Bearer {token.value}"
        return None

    def _answer_challenge(self, ref: ImageRef, challenge: Challenge, creds: Credentials | None,
                          sent: str | None, deadline: _Deadline, what: str) -> bool:
        """Learn how to authenticate from a 401; whether a retry with new credentials makes sense."""
        with self._lock:
            self._challenges[ref.registry] = challenge
        if challenge.scheme == "basic":
            return creds is not None and creds.has_basic and not (sent or "").startswith("Basic ")
        if sent is not None and sent.startswith("Bearer ") and challenge.error != "invalid_token":
            return False  # a token we just got is not enough (insufficient_scope): asking again won't help
        token = self._fetch_token(ref, challenge, creds, deadline, what)
        with self._lock:
            self._tokens[(ref.registry, ref.repository)] = token
        return True

    def _fetch_token(self, ref: ImageRef, challenge: Challenge, creds: Credentials | None,
                     deadline: _Deadline, what: str) -> Token:
        if creds is not None and creds.registry_token:
            return Token(creds.registry_token, time.monotonic() + 3600.0)
        if not challenge.realm:
            raise RegistryAuthError(f"{what}: registry {ref.registry} asked for a bearer token without a realm",
                                    image=ref.original, status=401, reason=READ_OPERATION_FAILED)
        scopes = challenge.scopes or (f"repository:{ref.repository}:pull",)
        request = registry_auth.token_request(challenge, scopes=scopes, credentials=creds)
        realm = registry_auth.realm_display(challenge.realm)
        answer = self._send(request.method, request.url, accept="application/json", authorization=None,
                            extra_headers=request.headers, body=request.body, deadline=deadline, ref=ref,
                            what=what, target=f"token server {realm}")
        if answer.status in (401, 403):
            hint = (f"check the credentials for {ref.registry} in spec.secretRef or the docker config"
                    if creds is not None else
                    f"the registry needs credentials: set spec.secretRef to a kubernetes.io/dockerconfigjson "
                    f"Secret for {ref.registry}, or log in with docker login")
            raise RegistryAuthError(f"{what}: token server {realm} refused the "
                                    f"{'credentials' if creds is not None else 'anonymous request'} "
                                    f"({answer.status}{self._server_message(answer)})", image=ref.original,
                                    status=answer.status, hint=hint)
        if answer.status >= 400:
            raise self._status_error(answer, ref=ref, what=what, method=request.method,
                                     target=f"token server {realm}")
        token = registry_auth.parse_token(answer.data)
        if token is None:
            raise RegistryAuthError(f"{what}: token server {realm} answered without a token", image=ref.original,
                                    status=answer.status, hint="check the registry's token service")
        return token

    def _send(self, method: str, url: str, *, accept: str, authorization: str | None, deadline: _Deadline,
              ref: ImageRef, what: str, extra_headers: Mapping[str, str] | None = None,
              body: bytes | None = None, target: str | None = None) -> _Answer:
        """Send one request with retries; any answer that is not 429/5xx (or the last one) comes back."""
        headers = {"User-Agent": USER_AGENT, "Accept": accept, **(extra_headers or {})}
        if authorization:
            headers["Authorization"] = authorization
        where = target or f"registry {_origin(url)}"
        attempt = 0
        while True:
            attempt += 1
            left = deadline.left()
            if left <= 0:
                raise self._timeout_error(ref, what, where)
            try:
                with self._lock:
                    self.requests_sent += 1
                raw = self._pool.urlopen(method, url, body=body, headers=headers, retries=False, redirect=False,
                                         timeout=urllib3.Timeout(connect=min(left, 10.0), read=left),
                                         preload_content=True)
            except (u3.HTTPError, OSError) as e:
                reason = _describe(e)
                log.debug("%s %s: attempt %d failed: %s", method, url, attempt, reason)
                if isinstance(e, (u3.SSLError, ssl.SSLError)) or _is_ssl(e):
                    raise self._tls_error(ref, what, url, reason) from e
                if _is_timeout(e) and deadline.left() <= 0:
                    raise self._timeout_error(ref, what, where) from e
                if attempt < self.retry.attempts and self._wait(self.retry.delay(attempt), deadline):
                    continue
                tries = f" ({attempt} attempts)" if attempt > 1 else ""
                if isinstance(e, u3.NewConnectionError):
                    raise RegistryUnavailableError(
                        f"{what}: cannot reach {where}: {reason}{tries}", image=ref.original,
                        hint=f"check the registry host and port in the image name and that {_origin(url)} "
                             f"is up") from e
                raise RegistryUnavailableError(f"{what}: {where} broke off the connection: {reason}{tries}",
                                               image=ref.original, hint="try again later") from e
            data = raw.data or b""
            answer = _Answer(raw.status, raw.headers, data,
                             registry_auth.parse_challenges(raw.headers.getlist("WWW-Authenticate")), url)
            log.debug("%s %s -> %d (attempt %d)", method, url, raw.status, attempt)
            if raw.status == 429 or raw.status >= 500:
                if attempt < self.retry.attempts:
                    wait = (self.retry.retry_after(raw.headers.get("Retry-After"), attempt)
                            if raw.status == 429 else self.retry.delay(attempt))
                    if self._wait(wait, deadline):
                        continue
                answer.status = raw.status
                raise self._status_error(answer, ref=ref, what=what, method=method, target=target,
                                         attempts=attempt)
            return answer

    def _wait(self, seconds: float, deadline: _Deadline) -> bool:
        """Sleep before a retry; False when that would pass the deadline."""
        if seconds >= deadline.left():
            return False
        self._sleep(seconds)
        return True

    # --- errors ------------------------------------------------------------------------------------

    def _scrub(self, text: str) -> str:
        with self._lock:
            secrets = self._secrets
        for secret in secrets:
            text = text.replace(secret, "***")
        return text

    def _server_message(self, answer: _Answer) -> str:
        """`: CODE: message` from a registry error body, trimmed; "" when there is none."""
        text = ""
        try:
            body = json.loads(answer.data) if answer.data else None
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"]:
            first = body["errors"][0]
            if isinstance(first, dict):
                text = ": ".join(str(first[k]) for k in ("code", "message") if first.get(k))
        elif isinstance(body, dict) and isinstance(body.get("details"), str):
            text = body["details"]
        elif answer.data and not answer.data.lstrip().startswith((b"<", b"{")):
            text = answer.data[:_MAX_SERVER_MESSAGE].decode("utf-8", "replace")
        text = _one_line(self._scrub(text))
        return f" {text}" if text else ""

    def _status_error(self, answer: _Answer, *, ref: ImageRef, what: str, method: str,
                      target: str | None = None, attempts: int = 1) -> RegistryError:
        status = answer.status
        detail = f"{status}{self._server_message(answer)}"
        where = target or f"registry {ref.registry}"
        creds = self._credentials(ref)
        if status in (401, 403):
            if creds is None:
                return RegistryAuthError(
                    f"{what}: {where} requires authentication ({detail})", image=ref.original, status=status,
                    hint=f"set spec.secretRef to a kubernetes.io/dockerconfigjson Secret with credentials for "
                         f"{ref.registry} (or log in with docker login)")
            return RegistryAuthError(
                f"{what}: {where} refused the credentials ({detail})", image=ref.original, status=status,
                hint=f"check the credentials for {ref.registry} in spec.secretRef or the docker config")
        if status == 404:
            thing = "tag" if "/manifests/" in answer.url else "repository"
            return RegistryNotFoundError(f"{what}: {thing} not found on {where} ({detail})", image=ref.original,
                                         status=status, hint="check spec.image" if thing == "repository"
                                         else "check the tag exists in the repository")
        after = f" after {attempts} attempts" if attempts > 1 else ""
        if status == 429:
            return RegistryUnavailableError(
                f"{what}: {where} kept rate-limiting requests ({detail}){after}", image=ref.original,
                status=status, hint="try again later; anonymous pulls are rate-limited harder, so log in")
        if status >= 500:
            return RegistryUnavailableError(f"{what}: {where} failed ({detail}){after}", image=ref.original,
                                            status=status, hint="the registry is failing; try again later")
        return RegistryError(f"{what}: {where} answered {method} with {detail}", image=ref.original, status=status)

    def _tls_error(self, ref: ImageRef, what: str, url: str, reason: str) -> RegistryUnavailableError:
        if "WRONG_VERSION_NUMBER" in reason.upper() or "wrong version number" in reason:
            return RegistryUnavailableError(
                f"{what}: {_origin(url)} does not speak TLS ({reason})", image=ref.original,
                hint="if the registry serves plain HTTP, set spec.insecure: true (--insecure)")
        return RegistryUnavailableError(
            f"{what}: TLS connection to {_origin(url)} failed: {reason}", image=ref.original,
            hint=f"if {ref.registry} uses a private CA, give it in spec.certSecretRef (key ca.crt)")

    def _timeout_error(self, ref: ImageRef, what: str, where: str) -> RegistryUnavailableError:
        return RegistryUnavailableError(f"{what}: no answer from {where} within {self.timeout:g}s",
                                        image=ref.original, hint="raise spec.timeout (--timeout) or check the registry")


def _ssl_context(ca_data: bytes | None) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if ca_data:
        try:
            if b"-----BEGIN" in ca_data:
                ctx.load_verify_locations(cadata=ca_data.decode("ascii", "replace"))
            else:
                ctx.load_verify_locations(cadata=ca_data)
        except (ssl.SSLError, ValueError) as e:
            raise CredentialsError("ca.crt is not a valid certificate bundle",
                                   hint="check the ca.crt key of spec.certSecretRef (PEM)") from e
    return ctx


def _next_link(header: str | None, current: str) -> str | None:
    """The absolute URL of the `rel="next"` link in a `Link` header, or None."""
    if not header:
        return None
    for link in re.finditer(r'<([^>]*)>\s*((?:;\s*[^;,]*)*)', header):
        target: str = link.group(1)
        params: str = link.group(2)
        rel = re.search(r'rel\s*=\s*"?([^";,]*)"?', params)
        # go-containerregistry follows a Link without rel too; registries always say rel="next".
        if rel is None or "next" in rel.group(1).split():
            return urllib.parse.urljoin(current, target)
    return None


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _one_line(text: str, limit: int = _MAX_SERVER_MESSAGE) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _is_ssl(e: BaseException) -> bool:
    seen: set[int] = set()
    cur: BaseException | None = e
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, (ssl.SSLError, u3.SSLError)):
            return True
        reason = getattr(cur, "reason", None)
        cur = reason if isinstance(reason, BaseException) else cur.__cause__ or cur.__context__
    return False


def _is_timeout(e: BaseException) -> bool:
    # urllib3 2 makes NewConnectionError (refused, DNS) a ConnectTimeoutError; it is not a timeout.
    for err in (e, getattr(e, "reason", None)):
        if isinstance(err, (u3.TimeoutError, TimeoutError)) and not isinstance(err, u3.NewConnectionError):
            return True
    return False


def _describe(e: BaseException) -> str:
    """A short reason for a connection failure: `connection refused`, `certificate verify failed: ...`."""
    seen: set[int] = set()
    cur: BaseException | None = e
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, ssl.SSLCertVerificationError):
            return f"certificate verify failed: {cur.verify_message}"
        if isinstance(cur, ssl.SSLError):
            return _one_line(cur.reason or str(cur)).lower().replace("_", " ")
        if isinstance(cur, u3.NameResolutionError):
            return "host name does not resolve"
        if isinstance(cur, ConnectionRefusedError) or (
                isinstance(cur, u3.NewConnectionError) and "refused" in str(cur).lower()):
            return "connection refused"
        if isinstance(cur, u3.NewConnectionError):
            return _one_line(str(cur).split(": ", 1)[-1])
        if isinstance(cur, (ConnectionResetError, ConnectionAbortedError)):
            return "connection reset by the server"
        if isinstance(cur, (u3.TimeoutError, TimeoutError)):
            return "timed out"
        if isinstance(cur, u3.ProtocolError) and "Remote end closed" in str(cur):
            return "the server closed the connection without answering"
        reason = getattr(cur, "reason", None)
        nxt = reason if isinstance(reason, BaseException) else (cur.__cause__ or cur.__context__)
        if nxt is None and isinstance(cur, u3.ProtocolError) and cur.args and isinstance(cur.args[-1], BaseException):
            nxt = cur.args[-1]
        cur = nxt
    return _one_line(str(e))


# --- module-level helpers -------------------------------------------------------------------------------

def list_tags(image: str, *, auth: Credentials | Keychain | None = None, ca_data: bytes | None = None,
              insecure: bool = False, timeout: float = 60.0, page_size: int = DEFAULT_PAGE_SIZE,
              retry: RetryPolicy | None = None) -> list[str]:
    """List every tag of `image` with a one-off `RegistryClient` (arguments as its constructor's).

    Raises:
        RegistryError: see `RegistryClient.list_tags`.
    """
    with RegistryClient(auth=auth, ca_data=ca_data, insecure=insecure, timeout=timeout,
                        page_size=page_size, retry=retry) as client:
        return client.list_tags(image)


def digest(image: str, tag: str, *, auth: Credentials | Keychain | None = None, ca_data: bytes | None = None,
           insecure: bool = False, timeout: float = 60.0, retry: RetryPolicy | None = None) -> str:
    """The digest of `image:tag` with a one-off `RegistryClient` (arguments as its constructor's).

    Raises:
        RegistryError: see `RegistryClient.digest`.
    """
    with RegistryClient(auth=auth, ca_data=ca_data, insecure=insecure, timeout=timeout, retry=retry) as client:
        return client.digest(image, tag)
