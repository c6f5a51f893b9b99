"""Transport, authentication, authorization, fault injection and the request log.

Covers: HTTPS verified against the kubeconfig's CA with `load_kube_config`;
plain HTTP with `tls=False`; HTTP/1.1 keep-alive; 401 for a missing or wrong
bearer token (also via a second kubeconfig); 403 from `deny` worded like RBAC
(namespaced and cluster scope); injected 500, 429 with Retry-After, delays,
dropped connections, faults limited to N requests or matching a method/path;
the request log with Kubernetes verbs and `count`.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
from pathlib import Path

import pytest
import urllib3
from kubernetes import client, config

from tests.apiserver import ApiServer, certs
from tests.apiserver.testing import KS_GROUP, KS_PLURAL, KS_VERSION, Raw, configmap

KS_LIST = f"/apis/{KS_GROUP}/{KS_VERSION}/namespaces/flux-system/{KS_PLURAL}"


def test_load_kube_config_reaches_the_emulator_over_verified_tls(apiserver: ApiServer) -> None:
    config.load_kube_config(config_file=str(apiserver.kubeconfig))
    with client.ApiClient() as api:
        names = [n.metadata.name for n in client.CoreV1Api(api).list_namespace().items]
    assert names == ["default", "flux-system", "kube-system"]
    contexts, current = config.list_kube_config_contexts(config_file=str(apiserver.kubeconfig))
    assert current["name"] == "emulator" and current["context"] == {"cluster": "emulator", "user": "emulator"}


def test_tls_rejects_clients_without_the_ca(apiserver: ApiServer) -> None:
    pool = urllib3.PoolManager(cert_reqs="CERT_REQUIRED", ca_certs=None, retries=False)
    with pytest.raises(urllib3.exceptions.SSLError):
        pool.request("GET", apiserver.url + "/version")


def test_plain_http_when_tls_is_off(tmp_path: Path) -> None:
    srv = ApiServer(tmp_path, tls=False).start()
    try:
        assert srv.url.startswith("http://")
        assert Raw(srv).get("/version").status == 200
        assert "certificate-authority-data" not in srv.kubeconfig.read_text()
    finally:
        srv.stop()


def test_connections_are_kept_alive(apiserver: ApiServer) -> None:
    ctx = ssl.create_default_context(cafile=str(certs.session_certs().ca_cert))
    conn = http.client.HTTPSConnection("127.0.0.1", apiserver.port, context=ctx)
    headers = {"Authorization": f"Bearer {apiserver.token}"}
    for _ in range(3):
        conn.request("GET", "/api/v1/namespaces", headers=headers)
        resp = conn.getresponse()
        assert resp.status == 200 and json.loads(resp.read())["kind"] == "NamespaceList"
    sock = conn.sock
    conn.request("GET", "/version", headers=headers)
    conn.getresponse().read()
    assert conn.sock is sock
    conn.close()


def test_missing_or_wrong_token_is_401(raw: Raw) -> None:
    for token in ("", "wrong"):
        resp = raw.get("/api/v1/namespaces", token=token)
        assert resp.status == 401
        assert resp.json == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                             "message": "Unauthorized", "reason": "Unauthorized", "code": 401}


def test_kubeconfig_with_a_wrong_token_gets_401(apiserver: ApiServer, tmp_path: Path) -> None:
    path = apiserver.write_kubeconfig(tmp_path / "bad", context="other", token="nope")
    api = config.new_client_from_config(config_file=str(path))
    with pytest.raises(client.ApiException) as exc:
        client.CoreV1Api(api).list_namespace()
    api.close()
    assert exc.value.status == 401


def test_deny_answers_403_like_rbac(apiserver: ApiServer, raw: Raw) -> None:
    apiserver.deny("list", "kustomizations", namespace="flux-system")
    resp = raw.get(KS_LIST)
    assert resp.status == 403 and resp.json["reason"] == "Forbidden"
    assert resp.json["message"] == (
        'kustomizations.kustomize.toolkit.fluxcd.io is forbidden: User "emulator" cannot list resource '
        '"kustomizations" in API group "kustomize.toolkit.fluxcd.io" in the namespace "flux-system"')
    assert raw.get(f"/apis/{KS_GROUP}/{KS_VERSION}/namespaces/default/{KS_PLURAL}").status == 200


def test_deny_of_a_named_cluster_scoped_get(apiserver: ApiServer, raw: Raw) -> None:
    apiserver.deny("get", "namespaces")
    resp = raw.get("/api/v1/namespaces/default")
    assert resp.json["message"] == ('namespaces "default" is forbidden: User "emulator" cannot get resource '
                                    '"namespaces" in API group "" at the cluster scope')
    apiserver.allow_all()
    assert raw.get("/api/v1/namespaces/default").status == 200


def test_injected_500_affects_only_the_given_number_of_requests(apiserver: ApiServer, raw: Raw) -> None:
    apiserver.faults.add(status=500, method="GET", path=r"/configmaps$", times=2)
    assert raw.get("/api/v1/namespaces/default/configmaps").status == 500
    assert raw.get("/api/v1/namespaces").status == 200
    assert raw.request("POST", "/api/v1/namespaces/default/configmaps", configmap("a")).status == 201
    second = raw.get("/api/v1/namespaces/default/configmaps")
    assert second.status == 500 and second.json["reason"] == "InternalError"
    assert raw.get("/api/v1/namespaces/default/configmaps").status == 200


def test_injected_429_carries_retry_after(apiserver: ApiServer, raw: Raw) -> None:
    apiserver.faults.add(status=429, retry_after=2)
    resp = raw.get("/api/v1/namespaces")
    assert resp.status == 429 and resp.headers["Retry-After"] == "2"
    assert resp.json["reason"] == "TooManyRequests" and resp.json["details"]["retryAfterSeconds"] == 2


def test_official_client_sees_injected_errors(apiserver: ApiServer, core: client.CoreV1Api) -> None:
    apiserver.faults.add(status=503, path="/api/v1/namespaces$", times=None)
    with pytest.raises(client.ApiException) as exc:
        core.list_namespace()
    assert exc.value.status == 503
    apiserver.faults.clear()
    assert core.list_namespace().items


def test_injected_delay_slows_the_answer(apiserver: ApiServer, raw: Raw) -> None:
    apiserver.faults.add(status=None, delay=0.2)
    start = time.monotonic()
    assert raw.get("/api/v1/namespaces").status == 200
    assert time.monotonic() - start >= 0.2


def test_dropped_connection_gets_no_response(apiserver: ApiServer) -> None:
    apiserver.faults.add(drop=True)
    ctx = ssl.create_default_context(cafile=str(certs.session_certs().ca_cert))
    conn = http.client.HTTPSConnection("127.0.0.1", apiserver.port, context=ctx, timeout=2)
    conn.request("GET", "/version", headers={"Authorization": f"Bearer {apiserver.token}"})
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError, socket.timeout, ssl.SSLError)):
        conn.getresponse()
    conn.close()


def test_request_log_records_kubernetes_verbs(apiserver: ApiServer, raw: Raw) -> None:
    apiserver.clear_requests()
    raw.request("POST", "/api/v1/namespaces/default/configmaps", configmap("a"))
    raw.get("/api/v1/namespaces/default/configmaps/a")
    raw.get("/api/v1/namespaces/default/configmaps?labelSelector=x")
    raw.request("PATCH", "/api/v1/namespaces/default/configmaps/a", {"data": {}},
                content_type="application/merge-patch+json")
    raw.request("DELETE", "/api/v1/namespaces/default/configmaps/a")
    raw.get("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=0.01")
    raw.get("/apis")
    verbs = [r.verb for r in apiserver.requests]
    assert verbs == ["create", "get", "list", "patch", "delete", "watch", "get"]
    listed = apiserver.requests[2]
    assert listed.method == "GET" and listed.query == {"labelSelector": "x"}
    assert (listed.resource, listed.namespace, listed.name) == ("configmaps", "default", None)
    assert apiserver.count(verb="get") == 2
    assert apiserver.count(path=r"^/api/v1/namespaces/default/configmaps") == 6
    assert apiserver.count(verb="get", path="/configmaps/a$") == 1
