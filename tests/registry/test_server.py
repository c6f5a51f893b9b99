"""The test registries themselves, checked with plain HTTP requests.

Covers: each instance answers `/v2/` (anonymously, or 401 with the
challenge its auth mode sends: `Basic realm=...` for htpasswd, `Bearer
realm,service` pointing at the token server for token auth); the HTTPS
instance is trusted with the test CA and refused without it; `push` creates
the tags (one digest for all of them, or one per tag with `distinct`),
Docker v2 manifests too, and a thousand tags in a few seconds; pushes
need credentials on the protected instances; the token server grants what
valid credentials ask for, pull on public repositories to anonymous
clients, nothing else, and refuses wrong passwords; `push_index` tags an
OCI index; distribution 2.8 itself ignores `n` on tag lists (why the proxy
paginates).
"""

from __future__ import annotations

import base64
import json
import ssl

import pytest
import urllib3

from tests.registry import client
from tests.registry.certs import Certs
from tests.registry.server import RegistryServer


def _tags(server: RegistryServer, repo: str, query: str = "") -> list[str]:
    r = server.http().request("GET", f"{server.base_url}/v2/{repo}/tags/list{query}",
                              headers=server.admin_headers(repo, "pull"))
    assert r.status == 200, r.data
    return sorted(json.loads(r.data)["tags"])


def test_plain_registry_answers_anonymously(oci_registry: RegistryServer) -> None:
    r = oci_registry.http().request("GET", f"{oci_registry.base_url}/v2/")
    assert r.status == 200
    assert r.headers["Docker-Distribution-Api-Version"] == "registry/2.0"


def test_basic_registry_challenges_with_basic(oci_registry_basic: RegistryServer) -> None:
    r = oci_registry_basic.http().request("GET", f"{oci_registry_basic.base_url}/v2/")
    assert r.status == 401
    assert r.headers["WWW-Authenticate"] == 'Basic realm="fluxpy-test-registry"'


def test_token_registry_challenges_with_the_token_realm(oci_registry_token: RegistryServer) -> None:
    assert oci_registry_token.tokens is not None
    repo = client.unique_repo()
    r = oci_registry_token.http().request("GET", f"{oci_registry_token.base_url}/v2/{repo}/tags/list")
    assert r.status == 401
    assert r.headers["WWW-Authenticate"] == (
        f'Bearer realm="{oci_registry_token.tokens.realm}",service="fluxpy-test-registry",'
        f'scope="repository:{repo}:pull"')


def test_https_registry_is_trusted_with_its_ca(oci_registry_tls: RegistryServer, oci_registry_certs: Certs) -> None:
    pool = urllib3.PoolManager(ssl_context=ssl.create_default_context(cadata=oci_registry_certs.ca_pem.decode()))
    assert pool.request("GET", f"{oci_registry_tls.base_url}/v2/").status == 200


def test_https_registry_is_refused_without_its_ca(oci_registry_tls: RegistryServer) -> None:
    with pytest.raises(urllib3.exceptions.SSLError):
        urllib3.PoolManager().request("GET", f"{oci_registry_tls.base_url}/v2/", retries=False)


@pytest.mark.parametrize("name", ["oci_registry", "oci_registry_tls", "oci_registry_basic", "oci_registry_token"])
def test_push_creates_the_tags_on_every_instance(name: str, request: pytest.FixtureRequest) -> None:
    server: RegistryServer = request.getfixturevalue(name)
    repo = client.unique_repo()
    digests = client.push(server, repo, ["v1.0.0", "v1.1.0", "latest"])
    assert _tags(server, repo) == ["latest", "v1.0.0", "v1.1.0"]
    assert len(set(digests.values())) == 1


def test_push_distinct_gives_each_tag_its_own_digest(oci_registry: RegistryServer) -> None:
    repo = client.unique_repo()
    digests = client.push(oci_registry, repo, ["a", "b", "c"], distinct=True)
    assert len(set(digests.values())) == 3
    for tag, digest in digests.items():
        r = oci_registry.http().request("HEAD", f"{oci_registry.base_url}/v2/{repo}/manifests/{tag}",
                                        headers={"Accept": client.OCI_MANIFEST})
        assert r.headers["Docker-Content-Digest"] == digest


def test_push_docker_manifests(oci_registry: RegistryServer) -> None:
    repo = client.unique_repo()
    digest = client.push(oci_registry, repo, ["v1"], docker=True)["v1"]
    r = oci_registry.http().request("GET", f"{oci_registry.base_url}/v2/{repo}/manifests/v1",
                                    headers={"Accept": client.DOCKER_MANIFEST})
    assert r.headers["Content-Type"] == client.DOCKER_MANIFEST
    assert client.digest_of(r.data) == digest


def test_push_index_tags_an_oci_index(oci_registry: RegistryServer) -> None:
    repo = client.unique_repo()
    children = client.push(oci_registry, repo, ["amd64", "arm64"], distinct=True)
    index = client.push_index(oci_registry, repo, "multi", children.values())
    r = oci_registry.http().request("GET", f"{oci_registry.base_url}/v2/{repo}/manifests/multi",
                                    headers={"Accept": client.OCI_INDEX})
    assert r.headers["Docker-Content-Digest"] == index
    assert [m["digest"] for m in json.loads(r.data)["manifests"]] == list(children.values())


def test_push_creates_a_thousand_tags_quickly(oci_registry: RegistryServer) -> None:
    repo = client.unique_repo("many")
    client.push(oci_registry, repo, [f"1.0.{i}" for i in range(1000)])
    assert len(_tags(oci_registry, repo)) == 1000


def test_registry_28_ignores_n_on_tag_lists(oci_registry: RegistryServer) -> None:
    repo = client.unique_repo()
    client.push(oci_registry, repo, [f"t{i}" for i in range(5)])
    r = oci_registry.http().request("GET", f"{oci_registry.base_url}/v2/{repo}/tags/list?n=2")
    assert len(json.loads(r.data)["tags"]) == 5
    assert "Link" not in r.headers


def test_basic_registry_refuses_a_wrong_password(oci_registry_basic: RegistryServer) -> None:
    wrong = base64.b64encode(f"{oci_registry_basic.username}:nope".encode()).decode()
    r = oci_registry_basic.http().request("GET", f"{oci_registry_basic.base_url}/v2/",
                                          headers={"Authorization": f"Basic {wrong}"})
    assert r.status == 401


def test_token_server_grants_what_valid_credentials_ask_for(oci_registry_token: RegistryServer) -> None:
    tokens = oci_registry_token.tokens
    assert tokens is not None
    repo = client.unique_repo()
    client.push(oci_registry_token, repo, ["v1"])
    basic = base64.b64encode(f"{oci_registry_token.username}:{oci_registry_token.password}".encode()).decode()
    r = oci_registry_token.http().request(
        "GET", f"{tokens.realm}?service={tokens.service}&scope=repository:{repo}:pull",
        headers={"Authorization": f"Basic {basic}"})
    token = json.loads(r.data)["token"]
    listed = oci_registry_token.http().request("GET", f"{oci_registry_token.base_url}/v2/{repo}/tags/list",
                                               headers={"Authorization": f"Bearer {token}"})
    assert listed.status == 200
    assert tokens.requests[-1].user == oci_registry_token.username


def test_token_server_gives_anonymous_clients_pull_on_public_repos_only(oci_registry_token: RegistryServer) -> None:
    tokens = oci_registry_token.tokens
    assert tokens is not None
    public, private = client.unique_repo("public"), client.unique_repo("private")
    client.push(oci_registry_token, public, ["v1"])
    client.push(oci_registry_token, private, ["v1"])
    tokens.public.add(public)
    statuses = []
    for repo in (public, private):
        r = oci_registry_token.http().request("GET", f"{tokens.realm}?service={tokens.service}"
                                                     f"&scope=repository:{repo}:pull,push")
        token = json.loads(r.data)["token"]
        statuses.append(oci_registry_token.http().request(
            "GET", f"{oci_registry_token.base_url}/v2/{repo}/tags/list",
            headers={"Authorization": f"Bearer {token}"}).status)
    assert statuses == [200, 401]


def test_token_server_refuses_a_wrong_password(oci_registry_token: RegistryServer) -> None:
    tokens = oci_registry_token.tokens
    assert tokens is not None
    wrong = base64.b64encode(b"fluxpy:nope").decode()
    r = oci_registry_token.http().request("GET", f"{tokens.realm}?service={tokens.service}",
                                          headers={"Authorization": f"Basic {wrong}"})
    assert r.status == 401
    assert tokens.requests[-1].status == 401


def test_token_server_answers_refresh_token_grants(oci_registry_token: RegistryServer) -> None:
    tokens = oci_registry_token.tokens
    assert tokens is not None
    r = oci_registry_token.http().request(
        "POST", tokens.realm, body=f"grant_type=refresh_token&refresh_token=s3cret-identity-token"
                                   f"&service={tokens.service}&scope=repository:x/y:pull&client_id=t",
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200
    assert "access_token" in json.loads(r.data)
