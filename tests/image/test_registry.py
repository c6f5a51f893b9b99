"""The registry client (`fluxpy.image.registry`) against real registries on 127.0.0.1.

Covers:
- image names: canonical names as `status.canonicalImageName` shows them
  (Docker Hub defaults, `library/`, registry detection by `.`/`:`), and
  Flux's errors for a scheme, a tag, a digest or bad characters;
- listing: anonymous, every tag; Link pagination (250 tags, pages of 100 ->
  3 requests; a registry that caps pages); plain HTTP refused unless
  `insecure`, and `insecure` still preferring HTTPS;
- auth: basic (right, wrong, missing password), bearer tokens from a token
  realm (right, wrong, anonymous on public and private repositories, an
  identity token, a registry token, one token reused across pages), and
  credentials from a dockerconfigjson Secret, a docker config file and a
  credential helper;
- TLS: a custom CA works, none or an unrelated one fails with a hint;
- failures: 401/404/429/500, unreachable, dropped connections, timeouts:
  each one line naming the image, never containing credentials; 429 and
  5xx retried (Retry-After honoured and capped) and then successful;
- digests: OCI, Docker and index manifests, missing tags, through token auth;
- exclusion lists and `lastScanResult` (revision checked with an
  independent Adler-32), Go's JSON encoding, `WWW-Authenticate` and `Link`
  parsing, docker config key matching.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import time
from collections.abc import Callable
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

from fluxpy.image import registry
from fluxpy.image.dockerconfig import DockerConfig
from fluxpy.image.registry import (
    ExclusionListError,
    ImageReferenceError,
    RegistryAuthError,
    RegistryClient,
    RegistryError,
    RegistryNotFoundError,
    RegistryUnavailableError,
    RetryPolicy,
)
from fluxpy.image.registry_auth import Credentials, parse_challenges
from tests.registry import client
from tests.registry.certs import Certs
from tests.registry.proxy import Fault, RegistryProxy
from tests.registry.server import RegistryServer

FAST = RetryPolicy(attempts=3, base=0.01, cap=0.05)
ProxyFor = Callable[[RegistryServer], RegistryProxy]


def _creds(server: RegistryServer, password: str | None = None) -> Credentials:
    return Credentials(server.username, server.password if password is None else password)


def _assert_clean(err: RegistryError, *secrets: str) -> None:
    """One line (message and hint), naming the image, without any secret."""
    text = f"{err.message}; {err.hint or ''}"
    assert "\n" not in text
    assert err.image is None or err.image in err.message
    for secret in secrets:
        assert secret not in text


class _Sleeps:
    """A fake `sleep` that records the waits."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


# --- image names ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("image", "canonical"), [
    ("nginx", "index.docker.io/library/nginx"),
    ("docker.io/nginx", "index.docker.io/library/nginx"),
    ("docker.io/library/nginx", "index.docker.io/library/nginx"),
    ("index.docker.io/library/nginx", "index.docker.io/library/nginx"),
    ("fluxcd/flux-cli", "index.docker.io/fluxcd/flux-cli"),
    ("ghcr.io/stefanprodan/podinfo", "ghcr.io/stefanprodan/podinfo"),
    ("localhost:5000/app", "localhost:5000/app"),
    ("127.0.0.1:5000/team/sub/app", "127.0.0.1:5000/team/sub/app"),
    # go-containerregistry: a first part without "." or ":" is a Docker Hub namespace, even "localhost".
    ("localhost/app", "index.docker.io/localhost/app"),
])
def test_canonical_names_follow_go_containerregistry(image: str, canonical: str) -> None:
    assert registry.canonical_name(image) == canonical


@pytest.mark.parametrize(("image", "message"), [
    ("https://ghcr.io/org/app", "image 'https://ghcr.io/org/app' should not include URL scheme; remove 'https://'"),
    ("nginx:1.25", "image 'nginx:1.25' should not include a tag; remove ':1.25'"),
    ("127.0.0.1:5000/app:v1", "image '127.0.0.1:5000/app:v1' should not include a tag; remove ':v1'"),
    ("ghcr.io/org/App", "image 'ghcr.io/org/App': repository can only contain the characters "
                        "`abcdefghijklmnopqrstuvwxyz0123456789_-./`: org/App"),
    ("a", "image 'a': repository must be between 2 and 255 characters in length: a"),
])
def test_invalid_image_names_are_refused_as_flux_words_it(image: str, message: str) -> None:
    with pytest.raises(ImageReferenceError) as info:
        registry.parse_image(image)
    assert info.value.message == message
    assert info.value.reason == "ImageURLInvalid"


def test_a_digest_in_the_image_is_refused_as_a_tag_as_flux_does() -> None:
    with pytest.raises(ImageReferenceError) as info:
        registry.parse_image("ghcr.io/org/app@sha256:" + "0" * 64)
    assert info.value.message.endswith("should not include a tag; remove ':" + "0" * 64 + "'")


# --- listing -------------------------------------------------------------------------------------

def test_lists_every_tag_anonymously(oci_registry: RegistryServer) -> None:
    repo = client.unique_repo()
    client.push(oci_registry, repo, ["1.0.0", "1.1.0", "latest", "sha256-abc.sig"])
    tags = registry.list_tags(oci_registry.image(repo), insecure=True)
    assert sorted(tags) == ["1.0.0", "1.1.0", "latest", "sha256-abc.sig"]


def test_pagination_takes_one_request_per_page(oci_registry_proxy: RegistryProxy) -> None:
    repo = client.unique_repo("paged")
    pushed = [f"1.0.{i}" for i in range(250)]
    client.push(oci_registry_proxy.upstream, repo, pushed)
    tags = registry.list_tags(oci_registry_proxy.image(repo), insecure=True, page_size=100)
    assert tags == sorted(pushed)
    pages = oci_registry_proxy.tag_list_requests()
    assert [r.query.get("n") for r in pages] == ["100", "100", "100"]
    assert [r.query.get("last") for r in pages] == [None, sorted(pushed)[99], sorted(pushed)[199]]


def test_pagination_follows_a_registry_that_caps_pages(oci_registry_proxy: RegistryProxy) -> None:
    repo = client.unique_repo("capped")
    client.push(oci_registry_proxy.upstream, repo, [f"t{i:03d}" for i in range(45)])
    oci_registry_proxy.page_cap = 20
    tags = registry.list_tags(oci_registry_proxy.image(repo), insecure=True)
    assert len(tags) == 45
    assert len(oci_registry_proxy.tag_list_requests()) == 3


def test_plain_http_is_refused_unless_insecure(oci_registry: RegistryServer) -> None:
    repo = client.unique_repo()
    client.push(oci_registry, repo, ["v1"])
    with pytest.raises(RegistryUnavailableError) as info:
        registry.list_tags(oci_registry.image(repo))
    assert "does not speak TLS" in info.value.message
    assert "spec.insecure" in (info.value.hint or "")
    _assert_clean(info.value)


def test_insecure_still_prefers_https(oci_registry_tls: RegistryServer, oci_registry_certs: Certs) -> None:
    repo = client.unique_repo()
    client.push(oci_registry_tls, repo, ["v1"])
    assert registry.list_tags(oci_registry_tls.image(repo), insecure=True, ca_data=oci_registry_certs.ca_pem) == ["v1"]


# --- basic auth ----------------------------------------------------------------------------------

def test_basic_auth_with_the_right_password(oci_registry_basic: RegistryServer, oci_proxy_for: ProxyFor) -> None:
    repo = client.unique_repo()
    client.push(oci_registry_basic, repo, [f"v{i}" for i in range(30)])
    proxy = oci_proxy_for(oci_registry_basic)
    proxy.page_cap = 10
    tags = registry.list_tags(proxy.image(repo), insecure=True, auth=_creds(oci_registry_basic))
    assert len(tags) == 30
    # Anonymous first, then basic; later pages send the credentials up front.
    assert [(r.status, r.auth_scheme) for r in proxy.tag_list_requests()] == [
        (401, None), (200, "Basic"), (200, "Basic"), (200, "Basic")]


def test_basic_auth_with_a_wrong_password(oci_registry_basic: RegistryServer) -> None:
    repo = client.unique_repo()
    client.push(oci_registry_basic, repo, ["v1"])
    with pytest.raises(RegistryAuthError) as info:
        registry.list_tags(oci_registry_basic.image(repo), insecure=True,
                           auth=_creds(oci_registry_basic, "wrong-pass-123"))
    assert info.value.message == (f"{oci_registry_basic.image(repo)}: registry {oci_registry_basic.host} refused "
                                  f"the credentials (401 UNAUTHORIZED: authentication required)")
    assert info.value.status == 401
    _assert_clean(info.value, "wrong-pass-123", base64.b64encode(b"fluxpy:wrong-pass-123").decode())


def test_basic_auth_without_credentials_says_to_set_secret_ref(oci_registry_basic: RegistryServer) -> None:
    repo = client.unique_repo()
    with pytest.raises(RegistryAuthError) as info:
        registry.list_tags(oci_registry_basic.image(repo), insecure=True)
    assert "requires authentication" in info.value.message
    assert "spec.secretRef" in (info.value.hint or "")
    _assert_clean(info.value)


# --- bearer tokens -------------------------------------------------------------------------------

def test_bearer_token_with_the_right_password(oci_registry_token: RegistryServer, oci_proxy_for: ProxyFor) -> None:
    tokens = oci_registry_token.tokens
    assert tokens is not None
    repo = client.unique_repo()
    client.push(oci_registry_token, repo, [f"v{i}" for i in range(25)])
    proxy = oci_proxy_for(oci_registry_token)
    proxy.page_cap = 10
    tags = registry.list_tags(proxy.image(repo), insecure=True, auth=_creds(oci_registry_token))
    assert len(tags) == 25
    assert [(r.status, r.auth_scheme) for r in proxy.tag_list_requests()] == [
        (401, None), (200, "Bearer"), (200, "Bearer"), (200, "Bearer")]
    # One token, for the scope the challenge named, with basic credentials, reused for every page.
    assert [(r.method, r.service, r.scopes, r.user) for r in tokens.requests] == [
        ("GET", "fluxpy-test-registry", (f"repository:{repo}:pull",), oci_registry_token.username)]


def test_bearer_token_with_a_wrong_password(oci_registry_token: RegistryServer) -> None:
    tokens = oci_registry_token.tokens
    assert tokens is not None
    repo = client.unique_repo()
    with pytest.raises(RegistryAuthError) as info:
        registry.list_tags(oci_registry_token.image(repo), insecure=True,
                           auth=_creds(oci_registry_token, "wrong-pass-456"))
    assert info.value.message == (f"{oci_registry_token.image(repo)}: token server {tokens.realm} refused the "
                                  f"credentials (401 incorrect username or password)")
    _assert_clean(info.value, "wrong-pass-456")


def test_bearer_token_anonymously_for_a_public_repository(oci_registry_token: RegistryServer) -> None:
    tokens = oci_registry_token.tokens
    assert tokens is not None
    repo = client.unique_repo("public")
    client.push(oci_registry_token, repo, ["v1", "v2"])
    tokens.public.add(repo)
    assert sorted(registry.list_tags(oci_registry_token.image(repo), insecure=True)) == ["v1", "v2"]
    assert [r.user for r in tokens.requests] == [None]


def test_bearer_token_anonymously_for_a_private_repository(oci_registry_token: RegistryServer) -> None:
    repo = client.unique_repo("private")
    client.push(oci_registry_token, repo, ["v1"])
    with pytest.raises(RegistryAuthError) as info:
        registry.list_tags(oci_registry_token.image(repo), insecure=True)
    assert info.value.message.endswith("requires authentication (401 UNAUTHORIZED: authentication required)")
    assert "spec.secretRef" in (info.value.hint or "")


def test_bearer_token_from_an_identity_token(oci_registry_token: RegistryServer) -> None:
    tokens = oci_registry_token.tokens
    assert tokens is not None
    repo = client.unique_repo()
    client.push(oci_registry_token, repo, ["v1"])
    auth = Credentials(identity_token="s3cret-identity-token")
    assert registry.list_tags(oci_registry_token.image(repo), insecure=True, auth=auth) == ["v1"]
    assert [(r.method, r.grant_type, r.status) for r in tokens.requests] == [("POST", "refresh_token", 200)]


def test_a_registry_token_is_sent_as_is(oci_registry_token: RegistryServer) -> None:
    tokens = oci_registry_token.tokens
    assert tokens is not None
    repo = client.unique_repo()
    client.push(oci_registry_token, repo, ["v1"])
    auth = Credentials(registry_token=tokens.mint("fluxpy", [f"repository:{repo}:pull"]))
    assert registry.list_tags(oci_registry_token.image(repo), insecure=True, auth=auth) == ["v1"]
    assert tokens.requests == []


# --- docker config -------------------------------------------------------------------------------

def _dockerconfig(server: RegistryServer, *, key: str | None = None) -> dict[str, object]:
    auth = base64.b64encode(f"{server.username}:{server.password}".encode()).decode()
    return {"auths": {key or server.host: {"auth": auth}}}


def test_credentials_from_a_dockerconfigjson_secret(oci_registry_basic: RegistryServer) -> None:
    repo = client.unique_repo()
    client.push(oci_registry_basic, repo, ["v1"])
    secret = {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
              "metadata": {"name": "regcred", "namespace": "flux-system"},
              "data": {".dockerconfigjson": base64.b64encode(
                  json.dumps(_dockerconfig(oci_registry_basic)).encode()).decode()}}
    keychain = DockerConfig.from_secret(secret)
    assert registry.list_tags(oci_registry_basic.image(repo), insecure=True, auth=keychain) == ["v1"]


def test_credentials_from_a_docker_config_file(oci_registry_basic: RegistryServer, tmp_path: Path) -> None:
    repo = client.unique_repo()
    client.push(oci_registry_basic, repo, ["v1"])
    (tmp_path / "config.json").write_text(json.dumps(_dockerconfig(oci_registry_basic, key=f"https://"
                                                                    f"{oci_registry_basic.host}/v2/")))
    keychain = DockerConfig.default({"DOCKER_CONFIG": str(tmp_path)})
    assert keychain is not None
    assert registry.list_tags(oci_registry_basic.image(repo), insecure=True, auth=keychain) == ["v1"]


def test_credentials_from_a_credential_helper(oci_registry_basic: RegistryServer, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    repo = client.unique_repo()
    client.push(oci_registry_basic, repo, ["v1"])
    helper = tmp_path / "bin" / "docker-credential-fluxpytest"
    helper.parent.mkdir()
    helper.write_text("#!/bin/sh\nread server\n"
                      f"[ \"$server\" = \"{oci_registry_basic.host}\" ] || "
                      "{ echo 'credentials not found in native keychain'; exit 1; }\n"
                      f"echo '{{\"ServerURL\":\"'$server'\",\"Username\":\"{oci_registry_basic.username}\","
                      f"\"Secret\":\"{oci_registry_basic.password}\"}}'\n")
    helper.chmod(helper.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{helper.parent}{os.pathsep}{os.environ['PATH']}")
    (tmp_path / "config.json").write_text(json.dumps({"auths": {}, "credsStore": "fluxpytest"}))
    keychain = DockerConfig.from_file(tmp_path / "config.json")
    assert keychain.resolve("ghcr.io/org/app") is None
    assert registry.list_tags(oci_registry_basic.image(repo), insecure=True, auth=keychain) == ["v1"]


@pytest.mark.parametrize(("key", "target", "matches"), [
    ("https://index.docker.io/v1/", "index.docker.io/library/nginx", True),
    ("index.docker.io", "index.docker.io/library/nginx", True),
    ("docker.io", "index.docker.io/library/nginx", True),  # fluxpy's alias
    ("127.0.0.1:5000", "127.0.0.1:5000/team/app", True),
    ("http://127.0.0.1:5000", "127.0.0.1:5000/team/app", True),
    ("127.0.0.1:5000", "127.0.0.1:5001/team/app", False),
    ("127.0.0.1", "127.0.0.1:5000/team/app", False),
    ("ghcr.io/team", "ghcr.io/team/app", True),
    ("ghcr.io/other", "ghcr.io/team/app", False),
    ("*.azurecr.io", "myreg.azurecr.io/app", True),
    ("*.azurecr.io", "a.b.azurecr.io/app", False),
])
def test_docker_config_keys_match_as_go_containerregistry_matches_them(key: str, target: str,
                                                                       matches: bool) -> None:
    config = DockerConfig({key: {"username": "u", "password": "p"}}, source="test")
    assert (config.resolve(target) is not None) is matches


def test_the_longest_matching_docker_config_key_wins() -> None:
    config = DockerConfig({"ghcr.io": {"username": "all", "password": "p"},
                           "ghcr.io/team": {"username": "team", "password": "p"}}, source="test")
    found = config.resolve("ghcr.io/team/app")
    assert found is not None and found.username == "team"


def test_auth_wins_over_username_and_password() -> None:
    auth = base64.b64encode(b"from-auth:pw:with:colons").decode()
    config = DockerConfig({"r.io": {"auth": auth, "username": "x", "password": "y"}}, source="test")
    assert config.resolve("r.io/app") == Credentials("from-auth", "pw:with:colons")


@pytest.mark.parametrize(("secret", "message"), [
    ({"type": "Opaque", "metadata": {"name": "s", "namespace": "ns"}},
     "Secret ns/s has type 'Opaque', not kubernetes.io/dockerconfigjson"),
    ({"type": "kubernetes.io/dockerconfigjson", "metadata": {"name": "s", "namespace": "ns"}, "data": {}},
     "Secret ns/s has no .dockerconfigjson key"),
    ({"type": "kubernetes.io/dockerconfigjson", "metadata": {"name": "s", "namespace": "ns"},
      "stringData": {".dockerconfigjson": '{"auths": {"r.io": {"auth": "bm9jb2xvbg=="}}}'}},
     "Secret ns/s: auths entry 'r.io': unable to parse auth field, must be formatted as base64(username:password)"),
    ({"type": "kubernetes.io/dockerconfigjson", "metadata": {"name": "s", "namespace": "ns"},
      "stringData": {".dockerconfigjson": "{not json"}},
     "Secret ns/s: not valid JSON (Expecting property name enclosed in double quotes at line 1)"),
])
def test_bad_secrets_are_reported_in_one_line(secret: dict[str, object], message: str) -> None:
    with pytest.raises(registry.CredentialsError) as info:
        DockerConfig.from_secret(secret)
    assert info.value.message == message


def test_a_legacy_dockercfg_secret_is_read() -> None:
    secret = {"type": "kubernetes.io/dockercfg", "metadata": {"name": "s"},
              "stringData": {".dockercfg": '{"r.io": {"username": "u", "password": "p"}}'}}
    assert DockerConfig.from_secret(secret).resolve("r.io/app") == Credentials("u", "p")


# --- TLS -----------------------------------------------------------------------------------------

def test_https_with_the_registry_ca(oci_registry_tls: RegistryServer, oci_registry_certs: Certs) -> None:
    repo = client.unique_repo()
    client.push(oci_registry_tls, repo, ["v1", "v2"])
    tags = registry.list_tags(oci_registry_tls.image(repo), ca_data=oci_registry_certs.ca_pem)
    assert sorted(tags) == ["v1", "v2"]


@pytest.mark.parametrize("ca", ["none", "other"])
def test_https_without_the_registry_ca_fails_with_a_hint(oci_registry_tls: RegistryServer,
                                                         oci_registry_certs: Certs, ca: str) -> None:
    repo = client.unique_repo()
    with pytest.raises(RegistryUnavailableError) as info:
        registry.list_tags(oci_registry_tls.image(repo),
                           ca_data=oci_registry_certs.other_ca_pem if ca == "other" else None)
    assert info.value.message == (f"{oci_registry_tls.image(repo)}: TLS connection to {oci_registry_tls.base_url} "
                                  f"failed: certificate verify failed: unable to get local issuer certificate")
    assert "spec.certSecretRef" in (info.value.hint or "")


def test_a_bad_ca_bundle_is_reported() -> None:
    with pytest.raises(registry.CredentialsError, match="ca.crt is not a valid certificate bundle"):
        RegistryClient(ca_data=b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")


# --- failures and retries ------------------------------------------------------------------------

def test_an_unknown_repository_is_a_404(oci_registry: RegistryServer) -> None:
    image = oci_registry.image("fluxpy/does-not-exist")
    with pytest.raises(RegistryNotFoundError) as info:
        registry.list_tags(image, insecure=True)
    assert info.value.message == (f"{image}: repository not found on registry {oci_registry.host} "
                                  f"(404 NAME_UNKNOWN: repository name not known to registry)")
    assert info.value.hint == "check spec.image"


@pytest.mark.parametrize(("status", "words"), [(429, "kept rate-limiting requests (429 TOOMANYREQUESTS"),
                                               (500, "failed (500 UNKNOWN"), (503, "failed (503 UNKNOWN")])
def test_429_and_5xx_are_retried_then_reported(oci_registry_proxy: RegistryProxy, status: int, words: str) -> None:
    repo = client.unique_repo()
    client.push(oci_registry_proxy.upstream, repo, ["v1"])
    oci_registry_proxy.fail(Fault(status=status, times=10, retry_after="0"))
    with pytest.raises(RegistryUnavailableError) as info:
        registry.list_tags(oci_registry_proxy.image(repo), insecure=True, retry=FAST)
    assert words in info.value.message
    assert info.value.message.endswith("after 3 attempts")
    assert info.value.status == status
    assert len(oci_registry_proxy.tag_list_requests()) == 3
    _assert_clean(info.value)


def test_a_429_then_success_honours_retry_after(oci_registry_proxy: RegistryProxy) -> None:
    repo = client.unique_repo()
    client.push(oci_registry_proxy.upstream, repo, ["v1"])
    oci_registry_proxy.fail(Fault(status=429, retry_after="3"),
                            Fault(status=429, retry_after=format_datetime(datetime.now(timezone.utc), usegmt=True)))
    sleeps = _Sleeps()
    with RegistryClient(insecure=True, sleep=sleeps) as c:
        assert c.list_tags(oci_registry_proxy.image(repo)) == ["v1"]
    assert sleeps.waits[0] == 3.0
    assert 0.0 <= sleeps.waits[1] <= 1.0  # an HTTP date a moment ago: retry now


def test_retry_after_is_capped(oci_registry_proxy: RegistryProxy) -> None:
    repo = client.unique_repo()
    client.push(oci_registry_proxy.upstream, repo, ["v1"])
    oci_registry_proxy.fail(Fault(status=429, retry_after="3600"))
    sleeps = _Sleeps()
    with RegistryClient(insecure=True, sleep=sleeps, retry=RetryPolicy(retry_after_cap=2.0)) as c:
        assert c.list_tags(oci_registry_proxy.image(repo)) == ["v1"]
    assert sleeps.waits == [2.0]


def test_a_429_really_waits_for_retry_after(oci_registry_proxy: RegistryProxy) -> None:
    repo = client.unique_repo()
    client.push(oci_registry_proxy.upstream, repo, ["v1"])
    oci_registry_proxy.fail(Fault(status=429, retry_after="1"))
    started = time.monotonic()
    assert registry.list_tags(oci_registry_proxy.image(repo), insecure=True) == ["v1"]
    assert time.monotonic() - started >= 1.0


def test_a_500_then_success_backs_off(oci_registry_proxy: RegistryProxy) -> None:
    repo = client.unique_repo()
    client.push(oci_registry_proxy.upstream, repo, ["v1"])
    oci_registry_proxy.fail(Fault(status=500, times=2))
    sleeps = _Sleeps()
    with RegistryClient(insecure=True, sleep=sleeps, retry=RetryPolicy(base=0.5)) as c:
        assert c.list_tags(oci_registry_proxy.image(repo)) == ["v1"]
    assert len(sleeps.waits) == 2
    assert 0.25 <= sleeps.waits[0] <= 0.5 and 0.5 <= sleeps.waits[1] <= 1.0


def test_a_dropped_connection_is_retried(oci_registry_proxy: RegistryProxy) -> None:
    repo = client.unique_repo()
    client.push(oci_registry_proxy.upstream, repo, ["v1"])
    oci_registry_proxy.fail(Fault(drop=True))
    assert registry.list_tags(oci_registry_proxy.image(repo), insecure=True, retry=FAST) == ["v1"]


def test_connections_dropped_every_time_are_reported(oci_registry_proxy: RegistryProxy) -> None:
    repo = client.unique_repo()
    oci_registry_proxy.fail(Fault(drop=True, times=10))
    with pytest.raises(RegistryUnavailableError) as info:
        registry.list_tags(oci_registry_proxy.image(repo), insecure=True, retry=FAST)
    assert info.value.message == (f"{oci_registry_proxy.image(repo)}: registry {oci_registry_proxy.base_url} broke "
                                  f"off the connection: the server closed the connection without answering "
                                  f"(3 attempts)")


def test_an_unreachable_registry_names_host_and_reason() -> None:
    from tests.gitserver.base import free_port
    image = f"127.0.0.1:{free_port()}/team/app"
    with pytest.raises(RegistryUnavailableError) as info:
        registry.list_tags(image, insecure=True, retry=FAST)
    host = image.split("/")[0]
    assert info.value.message == f"{image}: cannot reach registry https://{host}: connection refused (3 attempts)"
    assert "check the registry host and port" in (info.value.hint or "")


def test_a_slow_registry_times_out(oci_registry_proxy: RegistryProxy) -> None:
    repo = client.unique_repo()
    oci_registry_proxy.fail(Fault(delay=3.0))
    started = time.monotonic()
    with pytest.raises(RegistryUnavailableError) as info:
        registry.list_tags(oci_registry_proxy.image(repo), insecure=True, timeout=0.5)
    assert time.monotonic() - started < 2.5
    assert info.value.message.endswith("within 0.5s")
    assert "spec.timeout" in (info.value.hint or "")


def test_failures_never_show_credentials(oci_registry_proxy: RegistryProxy) -> None:
    repo = client.unique_repo()
    oci_registry_proxy.fail(Fault(status=500, times=10))
    auth = Credentials("someone", "very-secret-password")
    with pytest.raises(RegistryUnavailableError) as info:
        registry.list_tags(oci_registry_proxy.image(repo), insecure=True, retry=FAST, auth=auth)
    _assert_clean(info.value, "very-secret-password", auth.basic_value())
    assert "very-secret-password" not in repr(auth)


# --- digests -------------------------------------------------------------------------------------

def test_digest_of_oci_and_docker_manifests(oci_registry: RegistryServer) -> None:
    repo = client.unique_repo()
    oci = client.push(oci_registry, repo, ["oci"], distinct=True)
    docker = client.push(oci_registry, repo, ["docker"], distinct=True, docker=True)
    with RegistryClient(insecure=True) as c:
        assert c.digest(oci_registry.image(repo), "oci") == oci["oci"]
        assert c.digest(oci_registry.image(repo), "docker") == docker["docker"]


def test_digest_of_an_index(oci_registry: RegistryServer) -> None:
    repo = client.unique_repo()
    children = client.push(oci_registry, repo, ["a", "b"], distinct=True)
    index = client.push_index(oci_registry, repo, "multi", children.values())
    assert registry.digest(oci_registry.image(repo), "multi", insecure=True) == index


def test_digest_of_a_missing_tag(oci_registry: RegistryServer) -> None:
    repo = client.unique_repo()
    client.push(oci_registry, repo, ["v1"])
    with pytest.raises(RegistryNotFoundError) as info:
        registry.digest(oci_registry.image(repo), "v2", insecure=True)
    assert info.value.message == f"{oci_registry.image(repo)}:v2: tag not found on registry {oci_registry.host} (404)"


def test_digests_reuse_the_token_of_the_listing(oci_registry_token: RegistryServer) -> None:
    tokens = oci_registry_token.tokens
    assert tokens is not None
    repo = client.unique_repo()
    pushed = client.push(oci_registry_token, repo, ["v1", "v2"], distinct=True)
    with RegistryClient(insecure=True, auth=_creds(oci_registry_token)) as c:
        tags = c.list_tags(oci_registry_token.image(repo))
        assert {t: c.digest(oci_registry_token.image(repo), t) for t in tags} == pushed
    assert len(tokens.requests) == 1


def test_an_invalid_tag_is_refused_before_asking() -> None:
    with pytest.raises(ImageReferenceError, match="invalid tag"):
        registry.digest("127.0.0.1:1/app", "-bad/tag")


# --- exclusion list and scan result --------------------------------------------------------------

def test_the_default_exclusion_list_drops_signatures() -> None:
    tags = ["v1", "sha256-0123.sig", "v2", "sha256-0123.att", "latest"]
    assert registry.exclude(tags) == ["v1", "v2", "sha256-0123.att", "latest"]
    assert registry.exclusion_list(None) == ["^.*\\.sig$"]


def test_an_empty_exclusion_list_keeps_everything() -> None:
    assert registry.exclude(["a.sig", "b"], []) == ["a.sig", "b"]


def test_exclusion_patterns_are_unanchored() -> None:
    assert registry.exclude(["main-abc", "pr-12-abc", "v1.0.0-rc.1", "v1.0.0"], ["pr-", "-rc"]) == \
        ["main-abc", "v1.0.0"]


def test_a_bad_exclusion_pattern_is_one_line() -> None:
    with pytest.raises(ExclusionListError) as info:
        registry.exclude(["a"], ["^(v1"])
    assert info.value.message.startswith("exclusionList: failed to compile regex ^(v1: ")
    assert "\n" not in info.value.message
    assert "spec.exclusionList" in (info.value.hint or "")


def test_more_than_25_exclusion_patterns_are_refused() -> None:
    with pytest.raises(ExclusionListError, match="has 26 items, must have at most 25"):
        registry.exclude(["a"], [f"x{i}" for i in range(26)])


def _adler32(data: bytes) -> int:
    """Adler-32 written out from RFC 1950, independent of zlib."""
    a, b = 1, 0
    for byte in data:
        a = (a + byte) % 65521
        b = (b + a) % 65521
    return (b << 16) | a


def test_scan_result_as_image_reflector_controller_writes_it() -> None:
    tags = [f"1.0.{i}" for i in range(12)] + ["latest", "sha256-00.sig", "a<b&c>"]
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    result = registry.scan_result(tags, scan_time=when)
    kept = sorted((t for t in tags if not t.endswith(".sig")), reverse=True)
    assert result.tags == tuple(kept)
    encoded = "[" + ",".join(f'"{t}"' for t in kept).replace("<", "\\u003c").replace(">", "\\u003e") \
        .replace("&", "\\u0026") + "]"
    assert result.status() == {
        "revision": str(_adler32(encoded.encode())),
        "tagCount": 14,
        "scanTime": "2026-01-02T03:04:05Z",
        "latestTags": ["latest", "a<b&c>", "1.0.9", "1.0.8", "1.0.7", "1.0.6", "1.0.5", "1.0.4", "1.0.3", "1.0.2"],
    }
    assert result.ready_message == f"successful scan: found 14 tags with checksum {result.revision}"


def test_scan_result_of_no_tags() -> None:
    result = registry.scan_result(["x.sig"])
    assert (result.tag_count, result.revision, result.latest_tags) == (0, str(_adler32(b"[]")), ())
    assert "latestTags" not in result.status()


def test_go_json_escapes_as_go_does() -> None:
    assert registry.go_json_strings(["a<>&", "é", "\u2028", 'q"\\', "\n\t"]) == \
        '["a\\u003c\\u003e\\u0026","é","\\u2028","q\\"\\\\","\\n\\t"]'


def test_scan_of_a_real_repository(oci_registry: RegistryServer) -> None:
    repo = client.unique_repo()
    client.push(oci_registry, repo, ["1.0.0", "1.0.1", "sha256-1.sig"])
    result = registry.scan_result(registry.list_tags(oci_registry.image(repo), insecure=True))
    assert (result.tag_count, result.latest_tags) == (2, ("1.0.1", "1.0.0"))


# --- parsing helpers -----------------------------------------------------------------------------

def test_challenges_are_parsed_with_quotes_and_several_schemes() -> None:
    parsed = parse_challenges(['Negotiate, Bearer realm="https://auth.io/token?a=1,b=2",service="reg",'
                               'scope="repository:a/b:pull repository:c:pull",error="insufficient_scope"',
                               'Basic realm="x \\"y\\""'])
    assert [c.scheme for c in parsed] == ["negotiate", "bearer", "basic"]
    bearer = parsed[1]
    assert (bearer.realm, bearer.service, bearer.scopes, bearer.error) == (
        "https://auth.io/token?a=1,b=2", "reg", ("repository:a/b:pull", "repository:c:pull"), "insufficient_scope")
    assert parsed[2].realm == 'x "y"'


@pytest.mark.parametrize(("header", "expected"), [
    ('</v2/a/tags/list?last=x&n=2>; rel="next"', "https://r.io/v2/a/tags/list?last=x&n=2"),
    ('<https://cdn.io/v2/a/tags/list?p=2>; rel=next', "https://cdn.io/v2/a/tags/list?p=2"),
    ('</prev>; rel="prev", </next>; rel="next"', "https://r.io/next"),
    ('</prev>; rel="prev"', None),
    (None, None),
])
def test_next_links_are_found(header: str | None, expected: str | None) -> None:
    assert registry._next_link(header, "https://r.io/v2/a/tags/list?n=2") == expected
