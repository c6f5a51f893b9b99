"""Sending requests (fluxpy.kube.transport) against a real HTTP(S) stub on 127.0.0.1.

Covers: requests built as values (query encoding, JSON body, idempotency);
the headers every request carries (JSON Accept, User-Agent, bearer token);
retries with back-off on 429 (honouring a capped Retry-After), on 5xx for
idempotent requests only, on dropped connections only when safe, and on
refused connections for every verb; the mapping of 400/401/403/404/409/422/
429/5xx and of connection failures to fluxpy.kube.errors with their hints;
a 401 refreshing credentials once; TLS verified against the kubeconfig CA,
tls-server-name, insecure-skip-tls-verify, client certificates loaded without
leaving key files behind; tokens scrubbed from every message.
"""

from __future__ import annotations

import glob
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from fluxpy.kube import errors
from fluxpy.kube.config import ClusterConfig
from fluxpy.kube.credentials import Credentials, StaticCredentials, TokenFileCredentials
from fluxpy.kube.resource import Resource
from fluxpy.kube.transport import APPLY_PATCH, JSON_PATCH, Backoff, Transport, build
from tests.kube.conftest import Certs
from tests.kube.stub import DROP, Reply, Stub

TOKEN = "tok-3f9a-secret"
FAST = Backoff(attempts=5, base=0.001, cap=0.004, retry_after_cap=0.05)
KS = Resource("kustomize.toolkit.fluxcd.io", "v1", "Kustomization", "kustomizations", True)


def status(code: int, reason: str, message: str, **details: object) -> dict[str, object]:
    return {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": code, "reason": reason,
            "message": message, **({"details": details} if details else {})}


def transport(server: str, *, sleeps: list[float] | None = None, **cfg: object) -> Transport:
    kw: dict[str, object] = {"credentials": StaticCredentials(Credentials(token=TOKEN)), **cfg}
    config = ClusterConfig(server=server, context="kind-test", **kw)  # type: ignore[arg-type]
    return Transport(config, timeout=2.0, backoff=FAST,
                     sleep=(sleeps.append if sleeps is not None else lambda _s: None))


def get_ks(subject: str = "Kustomization/flux-system/apps") -> object:
    return build("GET", KS.path(namespace="flux-system", name="apps"), verb="get", resource=KS,
                 namespace="flux-system", subject=subject)


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return int(port)


# -- building ---------------------------------------------------------------------------


def test_build_encodes_query_and_json_body() -> None:
    req = build("POST", "/api/v1/namespaces/x/configmaps", query={"dryRun": "All", "force": True, "skip": None,
                                                                   "limit": 5}, body={"a": 1})
    assert req.target == "/api/v1/namespaces/x/configmaps?dryRun=All&force=true&limit=5"
    assert (req.body, req.content_type) == (b'{"a":1}', "application/json")


def test_idempotency_follows_method_and_patch_type() -> None:
    assert build("GET", "/x").idempotent
    assert build("PATCH", "/x", body={}, content_type=APPLY_PATCH).idempotent
    assert not build("PATCH", "/x", body=[], content_type=JSON_PATCH).idempotent
    assert not build("POST", "/x", body={}).idempotent
    assert not build("DELETE", "/x").idempotent


# -- headers and success ----------------------------------------------------------------


def test_request_carries_json_accept_user_agent_and_token(stub: Stub) -> None:
    stub.on("GET", "/api", Reply(200, {"versions": ["v1"]}))
    assert transport(stub.url).send(build("GET", "/api")).json() == {"versions": ["v1"]}
    h = stub.seen[0].headers
    assert (h["Accept"], h["User-Agent"], h["Authorization"]) == (
        "application/json", "fluxpy/0.1.0", f"Bearer {TOKEN}")


def test_transport_repr_has_no_token(stub: Stub) -> None:
    t = transport(stub.url)
    assert TOKEN not in repr(t) and TOKEN not in repr(t.config) and TOKEN not in repr(build("GET", "/"))


# -- retries --------------------------------------------------------------------------------


def test_429_is_retried_honouring_capped_retry_after(stub: Stub) -> None:
    stub.on("POST", "/x", Reply(429, status(429, "TooManyRequests", "slow down"), {"Retry-After": "1"}),
            Reply(201, {"ok": True}))
    sleeps: list[float] = []
    assert transport(stub.url, sleeps=sleeps).send(build("POST", "/x", body={})).json() == {"ok": True}
    assert sleeps == [0.05]  # Retry-After 1s, capped by the test's back-off
    assert len(stub.seen) == 2


def test_429_after_all_attempts_is_too_many_requests(stub: Stub) -> None:
    stub.on("GET", "/.*", Reply(429, status(429, "TooManyRequests", "slow down"), {"Retry-After": "0"}))
    with pytest.raises(errors.TooManyRequestsError) as e:
        transport(stub.url).send(get_ks())
    assert str(e.value) == ("Kustomization/flux-system/apps: the API server is throttling requests "
                            "(429 Too Many Requests, 5 attempts)")
    assert len(stub.seen) == 5


def test_500_on_get_is_retried_until_success(stub: Stub) -> None:
    stub.on("GET", "/.*", Reply(500, status(500, "InternalError", "etcd hiccup")),
            Reply(503, "unavailable"), Reply(200, {"kind": "Kustomization"}))
    sleeps: list[float] = []
    assert transport(stub.url, sleeps=sleeps).send(get_ks()).json() == {"kind": "Kustomization"}
    assert len(sleeps) == 2 and all(0 < s <= FAST.cap for s in sleeps)


def test_500_after_all_attempts_is_a_server_error(stub: Stub) -> None:
    stub.on("GET", "/.*", Reply(500, status(500, "InternalError", "etcd is down")))
    with pytest.raises(errors.ServerError) as e:
        transport(stub.url).send(get_ks())
    assert str(e.value) == ("Kustomization/flux-system/apps: the API server failed with HTTP 500 after "
                            "5 attempts: etcd is down")
    assert e.value.status == 500 and len(stub.seen) == 5


def test_500_on_post_is_not_retried(stub: Stub) -> None:
    stub.on("POST", "/.*", Reply(500, status(500, "InternalError", "boom")))
    with pytest.raises(errors.ServerError, match="after 1 attempt: boom"):
        transport(stub.url).send(build("POST", "/api/v1/namespaces/a/configmaps", body={}))
    assert len(stub.seen) == 1


def test_dropped_connection_on_get_is_retried(stub: Stub) -> None:
    stub.on("GET", "/.*", DROP, Reply(200, {"ok": 1}))
    assert transport(stub.url).send(get_ks()).json() == {"ok": 1}
    assert len(stub.seen) == 2


def test_dropped_connection_on_apply_is_retried(stub: Stub) -> None:
    stub.on("PATCH", "/.*", DROP, Reply(200, {"ok": 1}))
    req = build("PATCH", "/x", body={"a": 1}, content_type=APPLY_PATCH)
    assert transport(stub.url).send(req).json() == {"ok": 1}


def test_dropped_connection_on_post_is_not_retried_and_says_so(stub: Stub) -> None:
    stub.on("POST", "/.*", DROP, Reply(201, {}))
    req = build("POST", "/api/v1/namespaces/a/configmaps", body={}, subject="ConfigMap/a/b")
    with pytest.raises(errors.UnreachableError) as e:
        transport(stub.url).send(req)
    assert str(e.value) == (f"ConfigMap/a/b: connection to the API server at {stub.url} was lost after sending "
                            "POST: connection closed by the server; the change may have been applied")
    assert len(stub.seen) == 1


def test_refused_connection_is_retried_then_unreachable() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    sleeps: list[float] = []
    with pytest.raises(errors.UnreachableError) as e:
        transport(url, sleeps=sleeps).send(build("POST", "/x", body={}))
    assert str(e.value) == f"cannot reach the API server at {url}: connection refused"
    assert e.value.hint == "check the cluster is running and the kubeconfig context (--context)"
    assert len(sleeps) == FAST.attempts - 1


def test_read_timeout_on_get_is_retried(stub: Stub) -> None:
    stub.on("GET", "/.*", Reply(200, {}, delay=0.5), Reply(200, {"fast": True}))
    t = transport(stub.url)
    assert t.send(build("GET", "/x", timeout=0.2)).json() == {"fast": True}


def test_read_timeout_after_retries_names_the_timeout(stub: Stub) -> None:
    stub.on("GET", "/.*", Reply(200, {}, delay=0.3))
    with pytest.raises(errors.UnreachableError, match=r"no answer within 0.1s") as e:
        Transport(ClusterConfig(server=stub.url, context="c"), backoff=Backoff(attempts=2, base=0.001)).send(
            build("GET", "/x", timeout=0.1))
    assert e.value.hint and "--timeout" in e.value.hint


# -- error mapping --------------------------------------------------------------------------


def test_401_refreshes_credentials_once_then_succeeds(stub: Stub, tmp_path: Path) -> None:
    tok = tmp_path / "token"
    tok.write_text("old-token")
    stub.on("GET", "/.*", Reply(401, status(401, "Unauthorized", "Unauthorized")), Reply(200, {"ok": 1}))
    source = TokenFileCredentials(str(tok))
    source.get()  # read once, as a long-running client would have
    t = transport(stub.url, credentials=source)
    tok.write_text("new-token")
    assert t.send(get_ks()).json() == {"ok": 1}
    assert [s.headers["Authorization"] for s in stub.seen] == ["Bearer old-token", "Bearer new-token"]


def test_401_names_context_and_hints_refresh_without_token(stub: Stub) -> None:
    stub.on("GET", "/.*", Reply(401, status(401, "Unauthorized", f"Unauthorized token {TOKEN}")))
    with pytest.raises(errors.UnauthorizedError) as e:
        transport(stub.url).send(get_ks())
    assert str(e.value) == (f'Kustomization/flux-system/apps: the API server at {stub.url} refused the '
                            'credentials of context "kind-test" (401 Unauthorized)')
    assert e.value.hint == ('credentials for context "kind-test" were refused; refresh them '
                            "(log in again or update the kubeconfig)")
    assert len(stub.seen) == 1  # an inline token cannot be refreshed, so no resend


def test_403_keeps_server_message_and_hints_rbac(stub: Stub) -> None:
    msg = ('kustomizations.kustomize.toolkit.fluxcd.io "apps" is forbidden: User "dev" cannot get resource '
           '"kustomizations" in API group "kustomize.toolkit.fluxcd.io" in the namespace "flux-system"')
    stub.on("GET", "/.*", Reply(403, status(403, "Forbidden", msg)))
    with pytest.raises(errors.ForbiddenError) as e:
        transport(stub.url).send(get_ks())
    assert str(e.value) == f"Kustomization/flux-system/apps: {msg}"
    assert e.value.hint == ("RBAC does not allow this; ask a cluster admin for permission to get "
                            "kustomizations.kustomize.toolkit.fluxcd.io (check with: kubectl auth can-i get "
                            "kustomizations.kustomize.toolkit.fluxcd.io -n flux-system)")


def test_404_with_status_is_object_not_found(stub: Stub) -> None:
    stub.on("GET", "/.*", Reply(404, status(404, "NotFound",
                                           'kustomizations.kustomize.toolkit.fluxcd.io "apps" not found')))
    with pytest.raises(errors.NotFoundError) as e:
        transport(stub.url).send(get_ks())
    assert not isinstance(e.value, errors.ResourceNotServedError)
    assert str(e.value) == ('Kustomization/flux-system/apps: kustomizations.kustomize.toolkit.fluxcd.io '
                            '"apps" not found')


def test_404_page_not_found_means_resource_not_served(stub: Stub) -> None:
    with pytest.raises(errors.ResourceNotServedError) as e:
        transport(stub.url).send(get_ks())
    assert isinstance(e.value, errors.UnknownKindError) and isinstance(e.value, errors.NotFoundError)
    assert e.value.reason == ""  # no Status body, so no server reason (callers tell it from a missing object)
    assert str(e.value) == ("the server does not serve kustomizations.kustomize.toolkit.fluxcd.io; "
                            "is the CRD installed?")


@pytest.mark.parametrize(("reason", "cls"), [("AlreadyExists", errors.AlreadyExistsError),
                                             ("Conflict", errors.ConflictError)])
def test_409_splits_already_exists_from_conflict(stub: Stub, reason: str, cls: type[errors.ApiError]) -> None:
    stub.on("POST", "/.*", Reply(409, status(409, reason, "nope")))
    with pytest.raises(cls, match="^ConfigMap/a/b: nope$"):
        transport(stub.url).send(build("POST", "/x", body={}, subject="ConfigMap/a/b"))


def test_apply_conflict_hints_force(stub: Stub) -> None:
    stub.on("PATCH", "/.*", Reply(409, status(409, "Conflict", 'Apply failed with 1 conflict: conflict with '
                                                               '"kubectl": .spec.replicas')))
    with pytest.raises(errors.ConflictError) as e:
        transport(stub.url).send(build("PATCH", "/x", body={}, content_type=APPLY_PATCH))
    assert e.value.hint == "re-run with --force to take over the conflicting fields"


def test_422_lists_field_causes(stub: Stub) -> None:
    stub.on("POST", "/.*", Reply(422, status(422, "Invalid", "long server text", causes=[
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.interval"},
        {"reason": "FieldValueInvalid", "message": "Invalid value: \"x\"", "field": "spec.path"}])))
    with pytest.raises(errors.InvalidError) as e:
        transport(stub.url).send(build("POST", "/x", body={}, subject="Kustomization/flux-system/apps"))
    assert str(e.value) == ('Kustomization/flux-system/apps is invalid: spec.interval: Required value; '
                            'spec.path: Invalid value: "x"')


def test_400_is_bad_request_with_trimmed_text(stub: Stub) -> None:
    stub.on("GET", "/.*", Reply(400, "bad\n\n   thing " + "x" * 1000))
    with pytest.raises(errors.BadRequestError) as e:
        transport(stub.url).send(build("GET", "/x"))
    assert str(e.value).startswith("GET /x: bad request: bad thing xxx") and len(str(e.value)) < 330


def test_token_echoed_by_server_is_scrubbed(stub: Stub) -> None:
    stub.on("GET", "/.*", Reply(403, status(403, "Forbidden", f"token {TOKEN} is forbidden")))
    with pytest.raises(errors.ForbiddenError) as e:
        transport(stub.url).send(build("GET", "/x"))
    assert TOKEN not in str(e.value) and "token *** is forbidden" in str(e.value)


# -- TLS ------------------------------------------------------------------------------------


def test_tls_verified_against_kubeconfig_ca(tls_stub: Callable[..., Stub], certs: Certs) -> None:
    s = tls_stub()
    s.on("GET", "/api", Reply(200, {"versions": ["v1"]}))
    t = transport(s.url, ca_data=certs.ca.read_bytes())
    assert t.send(build("GET", "/api")).json() == {"versions": ["v1"]}


def test_tls_with_wrong_ca_fails_once_with_verification_message(tls_stub: Callable[..., Stub],
                                                                 certs: Certs) -> None:
    s = tls_stub()
    sleeps: list[float] = []
    with pytest.raises(errors.UnreachableError) as e:
        transport(s.url, sleeps=sleeps, ca_data=certs.other_ca.read_bytes()).send(build("GET", "/api"))
    assert str(e.value).startswith(f"cannot reach the API server at {s.url}: TLS verification failed: ")
    assert e.value.hint and "certificate-authority" in e.value.hint
    assert sleeps == []  # never retried


def test_tls_server_name_is_used_for_verification(tls_stub: Callable[..., Stub], certs: Certs) -> None:
    s = tls_stub()
    s.on("GET", "/api", Reply(200, {}))
    url = s.url.replace("127.0.0.1", "localhost")
    t = transport(url, ca_data=certs.ca.read_bytes(), tls_server_name="kubernetes.test")
    assert t.send(build("GET", "/api")).status == 200


def test_insecure_skip_tls_verify_accepts_unknown_ca(tls_stub: Callable[..., Stub]) -> None:
    s = tls_stub()
    s.on("GET", "/api", Reply(200, {}))
    assert transport(s.url, verify=False).send(build("GET", "/api")).status == 200


def test_client_certificate_is_presented_and_no_key_file_left(tls_stub: Callable[..., Stub],
                                                              certs: Certs) -> None:
    s = tls_stub(client_auth=True)
    s.on("GET", "/api", Reply(200, {}))
    before = set(glob.glob(f"{tempfile.gettempdir()}/fluxpy-tls-*"))
    t = transport(s.url, ca_data=certs.ca.read_bytes(), client_cert=certs.client_cert.read_bytes(),
                  client_key=certs.client_key.read_bytes())
    assert t.send(build("GET", "/api")).status == 200
    assert set(glob.glob(f"{tempfile.gettempdir()}/fluxpy-tls-*")) == before


def test_client_certificate_from_exec_credentials_is_used(tls_stub: Callable[..., Stub], certs: Certs) -> None:
    s = tls_stub(client_auth=True)
    s.on("GET", "/api", Reply(200, {}))
    creds = StaticCredentials(Credentials(client_cert=certs.client_cert.read_bytes(),
                                          client_key=certs.client_key.read_bytes()))
    t = transport(s.url, ca_data=certs.ca.read_bytes(), credentials=creds)
    assert t.send(build("GET", "/api")).status == 200


def test_mismatched_client_key_is_a_config_error(tls_stub: Callable[..., Stub], certs: Certs) -> None:
    s = tls_stub()
    t = transport(s.url, ca_data=certs.ca.read_bytes(), client_cert=certs.client_cert.read_bytes(),
                  client_key=certs.server_key.read_bytes())
    with pytest.raises(errors.ConfigError, match="client certificate and key cannot be loaded"):
        t.send(build("GET", "/api"))


def test_dns_failure_is_described_by_host() -> None:
    import urllib3.exceptions as u3
    from urllib3.connection import HTTPSConnection

    from fluxpy.kube import failures

    conn = HTTPSConnection("cluster.example.invalid", 6443)
    err = u3.NameResolutionError("cluster.example.invalid", conn, OSError("Name or service not known"))
    req = build("GET", "/api")
    out = failures.unreachable(req, err, server="https://cluster.example.invalid:6443", timeout=30, sent=False)
    assert str(out) == ("cannot reach the API server at https://cluster.example.invalid:6443: "
                        "cannot resolve host 'cluster.example.invalid'")
