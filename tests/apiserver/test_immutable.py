"""Immutable fields: the 422 Invalid answers fluxpy's `--force` recreation relies on.

Covers: Deployment (and ReplicaSet/DaemonSet) spec.selector, StatefulSet spec
outside the updatable fields, Service spec.clusterIP, Job spec.template and
spec.selector, RoleBinding roleRef, ConfigMap/Secret data once `immutable: true`
and the flag itself; the message and `details.causes[]` wording; the same
checks through PATCH and dry-run; allowed changes still passing.
"""

from __future__ import annotations

from tests.apiserver.testing import Raw, configmap, deployment

DEPLOY = "/apis/apps/v1/namespaces/default/deployments"


def test_deployment_selector_is_immutable(raw: Raw) -> None:
    obj = raw.request("POST", DEPLOY, deployment("web")).json
    obj["spec"]["selector"] = {"matchLabels": {"app": "web2"}}
    obj["spec"]["template"]["metadata"]["labels"] = {"app": "web2"}
    resp = raw.request("PUT", f"{DEPLOY}/web", obj)
    assert resp.status == 422
    body = resp.json
    assert body["reason"] == "Invalid"
    assert body["message"] == ('Deployment.apps "web" is invalid: spec.selector: Invalid value: '
                               '{"matchLabels":{"app":"web2"}}: field is immutable')
    assert body["details"]["name"] == "web" and body["details"]["group"] == "apps"
    assert body["details"]["kind"] == "Deployment"
    assert body["details"]["causes"] == [{
        "reason": "FieldValueInvalid", "field": "spec.selector",
        "message": 'Invalid value: {"matchLabels":{"app":"web2"}}: field is immutable'}]


def test_deployment_selector_change_through_merge_patch_and_dry_run_is_422(raw: Raw) -> None:
    raw.request("POST", DEPLOY, deployment("web"))
    patch = {"spec": {"selector": {"matchLabels": {"app": "x"}}}}
    resp = raw.request("PATCH", f"{DEPLOY}/web?dryRun=All", patch, content_type="application/merge-patch+json")
    assert resp.status == 422


def test_deployment_template_and_replicas_remain_mutable(raw: Raw) -> None:
    obj = raw.request("POST", DEPLOY, deployment("web")).json
    obj["spec"]["replicas"] = 4
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28"
    assert raw.request("PUT", f"{DEPLOY}/web", obj).status == 200


def test_statefulset_spec_outside_updatable_fields_is_forbidden(raw: Raw) -> None:
    path = "/apis/apps/v1/namespaces/default/statefulsets"
    sts = deployment("db")
    sts["kind"] = "StatefulSet"
    sts["spec"]["serviceName"] = "db"
    obj = raw.request("POST", path, sts).json
    obj["spec"]["serviceName"] = "other"
    resp = raw.request("PUT", f"{path}/db", obj)
    assert resp.status == 422
    assert resp.json["message"].startswith(
        'StatefulSet.apps "db" is invalid: spec: Forbidden: updates to statefulset spec for fields other than')
    assert resp.json["details"]["causes"][0]["reason"] == "FieldValueForbidden"


def test_service_cluster_ip_cannot_change_once_set(raw: Raw) -> None:
    path = "/api/v1/namespaces/default/services"
    obj = raw.request("POST", path, {"metadata": {"name": "web"}, "spec": {"ports": [{"port": 80}]}}).json
    obj["spec"]["clusterIP"] = "10.96.200.200"
    obj["spec"]["clusterIPs"] = ["10.96.200.200"]
    resp = raw.request("PUT", f"{path}/web", obj)
    assert resp.status == 422
    assert resp.json["message"] == ('Service "web" is invalid: spec.clusterIP: Invalid value: '
                                    '"10.96.200.200": field is immutable')


def test_job_template_is_immutable(raw: Raw) -> None:
    path = "/apis/batch/v1/namespaces/default/jobs"
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate"},
           "spec": {"template": {"spec": {"restartPolicy": "Never",
                                          "containers": [{"name": "m", "image": "migrate:1"}]}}}}
    obj = raw.request("POST", path, job).json
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = "migrate:2"
    resp = raw.request("PUT", f"{path}/migrate", obj)
    assert resp.status == 422
    assert resp.json["message"].startswith('Job.batch "migrate" is invalid: spec.template: Invalid value: ')
    assert resp.json["message"].endswith(": field is immutable")


def test_rolebinding_role_ref_is_immutable(raw: Raw) -> None:
    path = "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings"
    rb = {"metadata": {"name": "rb"}, "subjects": [],
          "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "a"}}
    obj = raw.request("POST", path, rb).json
    obj["roleRef"]["name"] = "b"
    assert raw.request("PUT", f"{path}/rb", obj).status == 422


def test_immutable_configmap_data_cannot_change(raw: Raw) -> None:
    path = "/api/v1/namespaces/default/configmaps"
    obj = raw.request("POST", path, {**configmap("a"), "immutable": True}).json
    resp = raw.request("PUT", f"{path}/a", {**obj, "data": {"k": "other"}})
    assert resp.status == 422
    assert resp.json["message"] == ('ConfigMap "a" is invalid: data: Forbidden: '
                                    "field is immutable when `immutable` is set")
    assert resp.json["details"]["causes"][0]["reason"] == "FieldValueForbidden"


def test_immutable_flag_cannot_be_unset(raw: Raw) -> None:
    path = "/api/v1/namespaces/default/secrets"
    obj = raw.request("POST", path, {"metadata": {"name": "s"}, "data": {}, "immutable": True}).json
    resp = raw.request("PUT", f"{path}/s", {**obj, "immutable": False})
    assert resp.status == 422
    assert resp.json["details"]["causes"][0]["field"] == "immutable"


def test_mutable_configmap_data_can_change(raw: Raw) -> None:
    path = "/api/v1/namespaces/default/configmaps"
    obj = raw.request("POST", path, configmap("a")).json
    assert raw.request("PUT", f"{path}/a", {**obj, "data": {"k": "other"}}).status == 200
