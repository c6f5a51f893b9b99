"""Discovery: what the emulator says it serves.

Covers: /version, /api, /apis, group and group-version documents (resources,
short names, categories, `<plural>/status` entries), the Flux CRDs as served
groups, a CRD appearing in discovery once Established (immediately or after a
delay), deleting a CRD removing its resources and objects, the DynamicClient
finding kinds, and `404 page not found` for unserved paths.
"""

from __future__ import annotations

import time

from kubernetes import client
from kubernetes.dynamic import DynamicClient

from tests.apiserver import ApiServer
from tests.apiserver.testing import Raw
from tests.apiserver.crds import make_crd


def _resources(raw: Raw, path: str) -> dict[str, dict]:
    return {r["name"]: r for r in raw.get(path).json["resources"]}


def test_version_reports_a_kubernetes_version(raw: Raw) -> None:
    body = raw.get("/version").json
    assert body["major"] == "1" and body["gitVersion"].startswith("v1.")


def test_core_api_lists_v1_and_its_resources(raw: Raw) -> None:
    assert raw.get("/api").json["versions"] == ["v1"]
    res = _resources(raw, "/api/v1")
    assert res["configmaps"]["kind"] == "ConfigMap" and res["configmaps"]["namespaced"] is True
    assert res["namespaces"]["namespaced"] is False
    assert res["services"]["shortNames"] == ["svc"]
    assert "pods/status" in res and "configmaps/status" not in res
    assert set(res["secrets"]["verbs"]) >= {"create", "delete", "get", "list", "patch", "update", "watch"}


def test_apis_lists_builtin_and_flux_groups_with_preferred_versions(raw: Raw) -> None:
    groups = {g["name"]: g for g in raw.get("/apis").json["groups"]}
    for name in ("apps", "batch", "rbac.authorization.k8s.io", "apiextensions.k8s.io",
                 "networking.k8s.io", "policy", "autoscaling", "coordination.k8s.io"):
        assert name in groups
    assert groups["helm.toolkit.fluxcd.io"]["preferredVersion"]["version"] == "v2"
    assert groups["notification.toolkit.fluxcd.io"]["preferredVersion"]["version"] == "v1"
    assert {v["version"] for v in groups["notification.toolkit.fluxcd.io"]["versions"]} == {"v1", "v1beta3"}


def test_group_version_lists_status_subresources_and_categories(raw: Raw) -> None:
    res = _resources(raw, "/apis/apps/v1")
    assert res["deployments"]["shortNames"] == ["deploy"]
    assert res["deployments"]["categories"] == ["all"]
    assert res["deployments/status"]["verbs"] == ["get", "patch", "update"]
    assert raw.get("/apis/apps").json["preferredVersion"]["groupVersion"] == "apps/v1"


def test_flux_crds_are_served_with_real_short_names_and_status_subresources(raw: Raw) -> None:
    ks = _resources(raw, "/apis/kustomize.toolkit.fluxcd.io/v1")
    assert ks["kustomizations"]["shortNames"] == ["ks"]
    assert "kustomizations/status" in ks
    src = _resources(raw, "/apis/source.toolkit.fluxcd.io/v1")
    assert src["gitrepositories"]["shortNames"] == ["gitrepo"]
    assert src["helmcharts"]["shortNames"] == ["hc"]
    notif = _resources(raw, "/apis/notification.toolkit.fluxcd.io/v1beta3")
    assert "alerts" in notif and "alerts/status" not in notif and "providers/status" not in notif
    assert "receivers/status" in _resources(raw, "/apis/notification.toolkit.fluxcd.io/v1")


def test_flux_crds_carry_the_substitute_disabled_annotation(apiserver: ApiServer) -> None:
    crd = apiserver.object("apiextensions.k8s.io/v1", "CustomResourceDefinition", None,
                           "helmreleases.helm.toolkit.fluxcd.io")
    assert crd is not None
    assert crd["metadata"]["annotations"]["kustomize.toolkit.fluxcd.io/substitute"] == "disabled"
    conds = {c["type"]: c["status"] for c in crd["status"]["conditions"]}
    assert conds == {"NamesAccepted": "True", "Established": "True"}


def test_unserved_paths_answer_404_page_not_found(raw: Raw) -> None:
    for path in ("/apis/example.com/v1/widgets", "/apis/nope", "/apis/apps/v9",
                 "/api/v1/namespaces/default/widgets", "/api/v1/namespaces/default/configmaps/x/status"):
        resp = raw.get(path)
        assert (resp.status, resp.text) == (404, "404 page not found\n"), path
        assert resp.headers["Content-Type"].startswith("text/plain")


def test_created_crd_is_established_and_appears_in_discovery(raw: Raw) -> None:
    assert raw.get("/apis/example.com/v1").status == 404
    crd = make_crd("example.com", "v1", "Widget", "widgets", short_names=("wd",), categories=("all",))
    resp = raw.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
    assert resp.status == 201
    conds = {c["type"]: c["status"] for c in resp.json["status"]["conditions"]}
    assert conds["Established"] == "True"
    res = _resources(raw, "/apis/example.com/v1")
    assert res["widgets"]["shortNames"] == ["wd"] and res["widgets"]["categories"] == ["all"]
    created = raw.request("POST", "/apis/example.com/v1/namespaces/default/widgets",
                          {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}})
    assert created.status == 201


def test_crd_establishment_can_be_delayed(apiserver: ApiServer, raw: Raw) -> None:
    apiserver.establish_crds_after(0.3)
    crd = make_crd("example.com", "v1", "Gadget", "gadgets", namespaced=False)
    resp = raw.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
    conds = {c["type"]: c["status"] for c in resp.json["status"]["conditions"]}
    assert conds == {"NamesAccepted": "True", "Established": "False"}
    assert raw.get("/apis/example.com/v1/gadgets").status == 404
    time.sleep(0.35)
    assert raw.get("/apis/example.com/v1/gadgets").status == 200
    assert _resources(raw, "/apis/example.com/v1")["gadgets"]["namespaced"] is False


def test_deleting_a_crd_stops_serving_it_and_removes_its_objects(apiserver: ApiServer, raw: Raw) -> None:
    crd = make_crd("example.com", "v1", "Widget", "widgets")
    apiserver.seed(crd)
    apiserver.seed({"apiVersion": "example.com/v1", "kind": "Widget",
                    "metadata": {"name": "w", "namespace": "default", "finalizers": ["x/y"]}})
    resp = raw.request("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")
    assert resp.status == 200
    assert raw.get("/apis/example.com/v1").status == 404
    apiserver.seed(crd)
    assert raw.get("/apis/example.com/v1/namespaces/default/widgets").json["items"] == []


def test_crd_name_must_be_plural_dot_group(raw: Raw) -> None:
    crd = make_crd("example.com", "v1", "Widget", "widgets")
    crd["metadata"]["name"] = "widget.example.com"
    resp = raw.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
    assert resp.status == 422
    assert resp.json["details"]["causes"][0]["field"] == "metadata.name"


def test_dynamic_client_discovers_builtin_and_flux_kinds(api_client: client.ApiClient) -> None:
    dyn = DynamicClient(api_client)
    hr = dyn.resources.get(api_version="helm.toolkit.fluxcd.io/v2", kind="HelmRelease")
    assert (hr.name, hr.namespaced, hr.short_names) == ("helmreleases", True, ["hr"])
    deploy = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    assert deploy.subresources["status"] is not None
    cm = dyn.resources.get(api_version="v1", kind="ConfigMap")
    cm.create(body={"metadata": {"name": "x"}, "data": {"a": "b"}}, namespace="default")
    assert cm.get(name="x", namespace="default").data.a == "b"
