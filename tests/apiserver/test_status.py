"""The status subresource and the simulated controllers' readiness.

Covers: main-resource writes ignoring `.status` for kinds with a status
subresource (built-in workloads, Flux CRDs) and keeping it for kinds without
(Alert, Provider); `/status` writes changing only `.status` and not bumping
generation; workloads becoming ready at once by default with kstatus-shaped
status (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, Pod, PVC); delayed
readiness computed on read; `seconds=None` never ready; `fail=True` giving
ProgressDeadlineExceeded / Job Failed; readiness reset by a spec change.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.apiserver import ApiServer
from tests.apiserver.testing import KS_GROUP, KS_PLURAL, KS_VERSION, Raw, deployment, kustomization

KS_PATH = f"/apis/{KS_GROUP}/{KS_VERSION}/namespaces/flux-system/{KS_PLURAL}"
DEPLOY = "/apis/apps/v1/namespaces/default/deployments"
ALERTS = "/apis/notification.toolkit.fluxcd.io/v1beta3/namespaces/flux-system/alerts"


def _conditions(obj: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {c["type"]: (c["status"], c.get("reason", "")) for c in obj["status"].get("conditions", [])}


def test_main_resource_writes_ignore_status(raw: Raw) -> None:
    created = raw.request("POST", KS_PATH, {**kustomization("a"), "status": {"x": 1}}).json
    assert "status" not in created
    resp = raw.request("PUT", f"{KS_PATH}/a", {**created, "status": {"x": 2}})
    assert resp.status == 200 and "status" not in resp.json


def test_status_writes_change_only_status_and_keep_generation(raw: Raw) -> None:
    created = raw.request("POST", KS_PATH, kustomization("a")).json
    body = {**created, "spec": {**created["spec"], "path": "./changed"},
            "status": {"observedGeneration": 1, "conditions": [{"type": "Ready", "status": "True"}]}}
    resp = raw.request("PUT", f"{KS_PATH}/a/status", body).json
    assert resp["status"]["observedGeneration"] == 1
    assert resp["spec"]["path"] == "./" and resp["metadata"]["generation"] == 1
    main = raw.request("PUT", f"{KS_PATH}/a", {**resp, "status": {}}).json
    assert main["status"]["observedGeneration"] == 1


def test_status_merge_patch_touches_only_status(raw: Raw) -> None:
    raw.request("POST", KS_PATH, kustomization("a"))
    resp = raw.request("PATCH", f"{KS_PATH}/a/status",
                       {"spec": {"path": "x"}, "status": {"lastAppliedRevision": "main@sha1:abc"}},
                       content_type="application/merge-patch+json").json
    assert resp["status"] == {"lastAppliedRevision": "main@sha1:abc"} and resp["spec"]["path"] == "./"


def test_kinds_without_status_subresource_store_status_on_main_writes(raw: Raw) -> None:
    alert = {"apiVersion": "notification.toolkit.fluxcd.io/v1beta3", "kind": "Alert",
             "metadata": {"name": "a"}, "spec": {"providerRef": {"name": "slack"}},
             "status": {"note": "kept"}}
    created = raw.request("POST", ALERTS, alert).json
    assert created["status"] == {"note": "kept"}
    assert raw.get(f"{ALERTS}/a/status").status == 404


def test_deployment_is_ready_at_once_by_default(raw: Raw) -> None:
    obj = raw.request("POST", DEPLOY, deployment("web", replicas=2)).json
    status = obj["status"]
    assert status["observedGeneration"] == 1
    assert status["replicas"] == status["readyReplicas"] == status["availableReplicas"] == 2
    assert status["updatedReplicas"] == 2
    assert _conditions(obj)["Available"] == ("True", "MinimumReplicasAvailable")
    assert _conditions(obj)["Progressing"] == ("True", "NewReplicaSetAvailable")


def test_deployment_becomes_ready_after_the_configured_delay(apiserver: ApiServer, raw: Raw) -> None:
    apiserver.ready_after("Deployment", 0.2)
    raw.request("POST", DEPLOY, deployment("web"))
    early = raw.get(f"{DEPLOY}/web").json
    assert "readyReplicas" not in early["status"]
    assert _conditions(early)["Progressing"] == ("True", "ReplicaSetUpdated")
    time.sleep(0.25)
    late = raw.get(f"{DEPLOY}/web").json
    assert late["status"]["readyReplicas"] == 1
    assert int(late["metadata"]["resourceVersion"]) > int(early["metadata"]["resourceVersion"])


def test_spec_change_resets_readiness(apiserver: ApiServer, raw: Raw) -> None:
    obj = raw.request("POST", DEPLOY, deployment("web")).json
    apiserver.ready_after("Deployment", None)
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    changed = raw.request("PUT", f"{DEPLOY}/web", obj).json
    assert changed["metadata"]["generation"] == 2
    assert changed["status"]["observedGeneration"] == 2
    assert "readyReplicas" not in changed["status"]


def test_never_ready_stays_in_progress(apiserver: ApiServer, raw: Raw) -> None:
    apiserver.ready_after("StatefulSet", None)
    sts = {**deployment("db"), "kind": "StatefulSet"}
    raw.request("POST", "/apis/apps/v1/namespaces/default/statefulsets", sts)
    time.sleep(0.05)
    status = raw.get("/apis/apps/v1/namespaces/default/statefulsets/db").json["status"]
    assert status["readyReplicas"] == 0 and status["currentRevision"] != status["updateRevision"]


def test_failing_deployment_reports_progress_deadline_exceeded(apiserver: ApiServer, raw: Raw) -> None:
    apiserver.ready_after("Deployment", 0, fail=True)
    obj = raw.request("POST", DEPLOY, deployment("web")).json
    assert _conditions(obj)["Progressing"] == ("False", "ProgressDeadlineExceeded")


def test_job_completes_or_fails(apiserver: ApiServer, raw: Raw) -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "ok"},
           "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}
    path = "/apis/batch/v1/namespaces/default/jobs"
    ok = raw.request("POST", path, job).json
    assert _conditions(ok)["Complete"][0] == "True" and ok["status"]["succeeded"] == 1
    apiserver.ready_after("Job", 0, fail=True)
    bad = raw.request("POST", path, {**job, "metadata": {"name": "bad"}}).json
    assert _conditions(bad)["Failed"] == ("True", "BackoffLimitExceeded")


@pytest.mark.parametrize(("kind", "path", "check"), [
    ("Pod", "/api/v1/namespaces/default/pods",
     lambda s: s["phase"] == "Running" and {"type": "Ready", "status": "True"}.items()
     <= next(c for c in s["conditions"] if c["type"] == "Ready").items()),
    ("PersistentVolumeClaim", "/api/v1/namespaces/default/persistentvolumeclaims",
     lambda s: s["phase"] == "Bound"),
    ("DaemonSet", "/apis/apps/v1/namespaces/default/daemonsets",
     lambda s: s["numberReady"] == s["desiredNumberScheduled"] == 1),
    ("ReplicaSet", "/apis/apps/v1/namespaces/default/replicasets",
     lambda s: s["readyReplicas"] == s["replicas"] == 1),
])
def test_other_workloads_report_ready_status(raw: Raw, kind: str, path: str, check: Any) -> None:
    api_version = "v1" if path.startswith("/api/") else "apps/v1"
    body: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"},
                            "spec": {"containers": [{"name": "c", "image": "i"}]}}
    if api_version == "apps/v1":
        body["spec"] = deployment("x")["spec"]
    obj = raw.request("POST", path, body).json
    assert check(obj["status"]), obj["status"]


def test_controller_status_is_recorded_in_managed_fields(raw: Raw) -> None:
    obj = raw.request("POST", DEPLOY, deployment("web")).json
    managers = {(e["manager"], e.get("subresource", "")) for e in obj["metadata"].get("managedFields", [])}
    assert ("kube-controller-manager", "status") in managers
