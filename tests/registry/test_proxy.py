"""The paginating, fault-injecting proxy in front of the plain registry.

Covers: tag lists come back in lexical order; `n` limits a page and adds
`Link: </v2/<name>/tags/list?last=..&n=..>; rel="next"` while tags remain;
`last` continues after a tag; the last page has no Link; `page_cap` caps
pages even when `n` asks for more (or nothing); other requests (manifests,
HEAD) pass through untouched; faults answer a status with a registry error
body and `Retry-After`, drop the connection, apply `times` times and only
to requests matching `path`/`method`; `reset()` clears them; every request
is logged.
"""

from __future__ import annotations

import json

import pytest
import urllib3

from tests.registry import client
from tests.registry.proxy import Fault, RegistryProxy


def _get(proxy: RegistryProxy, path: str, method: str = "GET") -> urllib3.BaseHTTPResponse:
    return proxy.upstream.http().request(method, f"{proxy.base_url}{path}", retries=False,
                                         headers={"Accept": f"application/json, {client.OCI_MANIFEST}"})


@pytest.fixture
def repo(oci_registry_proxy: RegistryProxy) -> str:
    name = client.unique_repo()
    client.push(oci_registry_proxy.upstream, name, ["b", "a", "d", "c", "e"])
    return name


def test_tags_come_back_sorted_in_one_page_without_n(oci_registry_proxy: RegistryProxy, repo: str) -> None:
    r = _get(oci_registry_proxy, f"/v2/{repo}/tags/list")
    assert json.loads(r.data) == {"name": repo, "tags": ["a", "b", "c", "d", "e"]}
    assert "Link" not in r.headers


def test_n_pages_with_a_next_link(oci_registry_proxy: RegistryProxy, repo: str) -> None:
    r = _get(oci_registry_proxy, f"/v2/{repo}/tags/list?n=2")
    assert json.loads(r.data)["tags"] == ["a", "b"]
    assert r.headers["Link"] == f'</v2/{repo}/tags/list?last=b&n=2>; rel="next"'
    r = _get(oci_registry_proxy, f"/v2/{repo}/tags/list?last=b&n=2")
    assert json.loads(r.data)["tags"] == ["c", "d"]
    r = _get(oci_registry_proxy, f"/v2/{repo}/tags/list?last=d&n=2")
    assert json.loads(r.data)["tags"] == ["e"]
    assert "Link" not in r.headers


def test_page_cap_limits_pages(oci_registry_proxy: RegistryProxy, repo: str) -> None:
    oci_registry_proxy.page_cap = 3
    r = _get(oci_registry_proxy, f"/v2/{repo}/tags/list?n=100")
    assert json.loads(r.data)["tags"] == ["a", "b", "c"]
    assert r.headers["Link"] == f'</v2/{repo}/tags/list?last=c&n=3>; rel="next"'
    r = _get(oci_registry_proxy, f"/v2/{repo}/tags/list")
    assert json.loads(r.data)["tags"] == ["a", "b", "c"]


def test_manifests_pass_through(oci_registry_proxy: RegistryProxy) -> None:
    name = client.unique_repo()
    digest = client.push(oci_registry_proxy.upstream, name, ["v1"])["v1"]
    r = oci_registry_proxy.upstream.http().request("HEAD", f"{oci_registry_proxy.base_url}/v2/{name}/manifests/v1",
                                                   headers={"Accept": client.OCI_MANIFEST})
    assert r.status == 200
    assert r.headers["Docker-Content-Digest"] == digest
    assert int(r.headers["Content-Length"]) > 0


def test_unknown_repositories_pass_the_registry_404_through(oci_registry_proxy: RegistryProxy) -> None:
    r = _get(oci_registry_proxy, "/v2/fluxpy/nothing-here/tags/list")
    assert r.status == 404
    assert json.loads(r.data)["errors"][0]["code"] == "NAME_UNKNOWN"


def test_a_status_fault_answers_once_with_retry_after(oci_registry_proxy: RegistryProxy, repo: str) -> None:
    oci_registry_proxy.fail(Fault(status=429, retry_after="7"))
    first = _get(oci_registry_proxy, f"/v2/{repo}/tags/list")
    second = _get(oci_registry_proxy, f"/v2/{repo}/tags/list")
    assert (first.status, first.headers["Retry-After"]) == (429, "7")
    assert json.loads(first.data)["errors"][0]["code"] == "TOOMANYREQUESTS"
    assert second.status == 200
    assert [(r.status, r.fault) for r in oci_registry_proxy.requests] == [(429, "status"), (200, None)]


def test_a_drop_fault_closes_the_connection_without_answering(oci_registry_proxy: RegistryProxy,
                                                              repo: str) -> None:
    oci_registry_proxy.fail(Fault(drop=True))
    with pytest.raises(urllib3.exceptions.ProtocolError):
        _get(oci_registry_proxy, f"/v2/{repo}/tags/list")
    assert oci_registry_proxy.requests[-1].status == 0


def test_faults_apply_times_times_to_matching_requests_only(oci_registry_proxy: RegistryProxy, repo: str) -> None:
    oci_registry_proxy.fail(Fault(status=500, times=2, path="/manifests/"))
    assert _get(oci_registry_proxy, f"/v2/{repo}/tags/list").status == 200
    statuses = [_get(oci_registry_proxy, f"/v2/{repo}/manifests/a", "HEAD").status for _ in range(3)]
    assert statuses == [500, 500, 200]


def test_reset_clears_faults_and_the_log(oci_registry_proxy: RegistryProxy, repo: str) -> None:
    oci_registry_proxy.fail(Fault(status=500, times=5))
    _get(oci_registry_proxy, f"/v2/{repo}/tags/list")
    oci_registry_proxy.reset()
    assert oci_registry_proxy.requests == []
    assert _get(oci_registry_proxy, f"/v2/{repo}/tags/list").status == 200
    assert len(oci_registry_proxy.tag_list_requests()) == 1
