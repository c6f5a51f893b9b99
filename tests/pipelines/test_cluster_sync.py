"""`fluxpy reconcile kustomization`: cluster sync end to end, against the API
emulator and a real git http-backend.

Covers: create (objects, status, inventory in Flux's id format, events);
update (configured vs unchanged); a no-op rerun makes zero writes to the
applied objects; prune, prune disabled by annotation and by spec; an
immutable field with and without force; a CRD and its custom resource in one
build; validation failure applies nothing and names every rejected object;
a 5xx mid-apply, then a rerun converges and the inventory lists exactly what
exists; dependsOn order with `--all`, a not-ready dependency, a suspended
Kustomization; health-check timeout naming the object; `--dry-run` writes
nothing; `-o json` reports; Secret values never in the output.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.apiserver import ApiServer
from tests.cli.helpers import Result
from tests.gitserver.http import GitHttpServer
from tests.gitserver.repos import Repo, make_repo

KS = "kustomize.toolkit.fluxcd.io/v1"
GIT = "source.toolkit.fluxcd.io/v1"
Run = Callable[..., Result]

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: apps
data:
  color: blue
"""
NAMESPACE = """\
apiVersion: v1
kind: Namespace
metadata:
  name: apps
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: apps
spec:
  ports:
  - port: 80
"""


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("SOPS_AGE_KEY", raising=False)
    monkeypatch.delenv("SOPS_AGE_KEY_FILE", raising=False)


def git_repository(url: str, name: str = "fleet") -> dict[str, Any]:
    return {"apiVersion": GIT, "kind": "GitRepository", "metadata": {"name": name, "namespace": "flux-system"},
            "spec": {"interval": "1m0s", "url": url, "ref": {"branch": "main"}, "timeout": "20s"}}


def kustomization(name: str = "apps", *, path: str = "./apps", source: str = "fleet", **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"interval": "10m0s", "path": path, "prune": True, "timeout": "30s",
                            "sourceRef": {"kind": "GitRepository", "name": source}}
    body.update(spec)
    return {"apiVersion": KS, "kind": "Kustomization", "metadata": {"name": name, "namespace": "flux-system"},
            "spec": body}


class Fleet:
    """A Git repository served by git daemon, its GitRepository, and helpers to change it."""

    def __init__(self, repo: Repo, daemon: GitHttpServer, apiserver: ApiServer) -> None:
        self.repo, self.daemon, self.apiserver = repo, daemon, apiserver
        self.url = daemon.publish(repo)
        apiserver.seed(git_repository(self.url))

    def commit(self, files: dict[str, str | bytes] | None = None, *, delete: tuple[str, ...] = ()) -> str:
        self.repo.commit(files or {}, "change", delete=delete)
        self.daemon.publish(self.repo)
        return f"main@sha1:{self.repo.head()}"

    @property
    def revision(self) -> str:
        return f"main@sha1:{self.repo.head()}"


@pytest.fixture
def fleet(tmp_path: Path, git_http: GitHttpServer, apiserver: ApiServer) -> Fleet:
    repo = make_repo(tmp_path / "fleet", {"apps/namespace.yaml": NAMESPACE, "apps/configmap.yaml": CONFIGMAP,
                                          "apps/service.yaml": SERVICE})
    return Fleet(repo, git_http, apiserver)


def ks_status(apiserver: ApiServer, name: str = "apps") -> dict[str, Any]:
    obj = apiserver.object(KS, "Kustomization", "flux-system", name)
    assert obj is not None
    return obj.get("status") or {}


def ready(status: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in status["conditions"] if c["type"] == "Ready")


def object_writes(apiserver: ApiServer) -> list[Any]:
    """Requests that changed (or would have changed) applied objects: not dry-runs, not Flux objects, not Events."""
    return [r for r in apiserver.requests
            if r.verb in ("create", "update", "patch", "delete") and r.query.get("dryRun") != "All"
            and "toolkit.fluxcd.io" not in r.path and "/events" not in r.path]


def test_first_run_creates_objects_and_records_flux_status(apiserver: ApiServer, fleet: Fleet, fluxpy: Run) -> None:
    apiserver.seed(kustomization())
    result = fluxpy("reconcile", "kustomization", "apps", "--with-source")
    assert result.code == 0, result.err
    lines = result.err.splitlines()
    assert lines[0] == "► reconciling Kustomization apps in flux-system namespace"
    steps = [line.split(":")[0] for line in lines[1:-1]]
    assert steps == ["✔ pull", "✔ artifact", "✔ status", "✔ events", "✔ build", "✔ decrypt", "✔ substitute", "✔ validate",
                     "✔ apply", "✔ prune", "✔ status", "✔ events"]
    assert "3 created" in result.err
    assert lines[-1] == f"✔ applied revision {fleet.revision}"

    cm = apiserver.object("v1", "ConfigMap", "apps", "settings")
    assert cm is not None and cm["data"] == {"color": "blue"}
    assert cm["metadata"]["labels"] == {"kustomize.toolkit.fluxcd.io/name": "apps",
                                        "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}
    assert [m["manager"] for m in cm["metadata"]["managedFields"]] == ["kustomize-controller"]
    status = ks_status(apiserver)
    assert ready(status)["status"] == "True" and ready(status)["reason"] == "ReconciliationSucceeded"
    assert ready(status)["message"] == f"Applied revision: {fleet.revision}"
    assert status["lastAppliedRevision"] == status["lastAttemptedRevision"] == fleet.revision
    assert status["observedGeneration"] == 1
    assert status["inventory"]["entries"] == [{"id": "_apps__Namespace", "v": "v1"},
                                              {"id": "apps_settings__ConfigMap", "v": "v1"},
                                              {"id": "apps_web__Service", "v": "v1"}]
    assert status["history"][0]["lastReconciledStatus"] == "ReconciliationSucceeded"
    events = [e for e in apiserver_list(apiserver, "v1", "Event", "flux-system")
              if e["involvedObject"]["kind"] == "Kustomization"]
    messages = [e["message"] for e in events]
    assert any("ConfigMap/apps/settings created" in m for m in messages)
    assert any(m.startswith("Reconciliation finished in") for m in messages)
    assert all(e["metadata"]["annotations"]["kustomize.toolkit.fluxcd.io/revision"] == fleet.revision
               for e in events)


def apiserver_list(apiserver: ApiServer, api_version: str, kind: str, namespace: str) -> list[dict[str, Any]]:
    from fluxpy.kube.client import Kube

    with Kube.connect(kubeconfig=str(apiserver.kubeconfig)) as kube:
        return kube.list(kube.resource_for(api_version, kind), namespace=namespace)


def test_update_configures_only_what_changed_and_noop_rerun_writes_nothing(apiserver: ApiServer, fleet: Fleet,
                                                                          fluxpy: Run) -> None:
    apiserver.seed(kustomization())
    assert fluxpy("reconcile", "ks", "apps", "--with-source").code == 0
    fleet.commit({"apps/configmap.yaml": CONFIGMAP.replace("blue", "green")})
    result = fluxpy("reconcile", "ks", "apps", "--with-source", "-o", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    actions = {o["object"]: o["action"] for o in report["objects"]}
    assert actions == {"Namespace/apps": "unchanged", "ConfigMap/apps/settings": "configured",
                       "Service/apps/web": "unchanged"}
    assert report["revision"] == fleet.revision and report["error"] is None
    cm = apiserver.object("v1", "ConfigMap", "apps", "settings")
    assert cm is not None and cm["data"] == {"color": "green"}

    apiserver.clear_requests()
    result = fluxpy("reconcile", "ks", "apps", "--with-source", "-o", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["counts"]["unchanged"] == 3
    assert object_writes(apiserver) == []


def test_prune_deletes_what_left_and_keeps_prune_disabled(apiserver: ApiServer, fleet: Fleet, fluxpy: Run) -> None:
    protected = SERVICE.replace("  namespace: apps\n", "  namespace: apps\n  annotations:\n"
                                "    kustomize.toolkit.fluxcd.io/prune: disabled\n").replace("name: web", "name: keep")
    fleet.commit({"apps/keep.yaml": protected})
    apiserver.seed(kustomization())
    assert fluxpy("reconcile", "ks", "apps", "--with-source").code == 0
    assert apiserver.object("v1", "Service", "apps", "keep") is not None
    fleet.commit(delete=("apps/service.yaml", "apps/keep.yaml"))
    result = fluxpy("reconcile", "ks", "apps", "--with-source")
    assert result.code == 0, result.err
    assert "prune: 1 deleted" in result.err
    assert apiserver.object("v1", "Service", "apps", "web") is None
    assert apiserver.object("v1", "Service", "apps", "keep") is not None
    ids = [e["id"] for e in ks_status(apiserver)["inventory"]["entries"]]
    assert ids == ["_apps__Namespace", "apps_settings__ConfigMap"]


def test_prune_false_keeps_objects(apiserver: ApiServer, fleet: Fleet, fluxpy: Run) -> None:
    apiserver.seed(kustomization(prune=False))
    assert fluxpy("reconcile", "ks", "apps", "--with-source").code == 0
    fleet.commit(delete=("apps/service.yaml",))
    result = fluxpy("reconcile", "ks", "apps", "--with-source")
    assert result.code == 0, result.err
    assert apiserver.object("v1", "Service", "apps", "web") is not None


IMMUTABLE_CM = CONFIGMAP.replace("\ndata:", "\nimmutable: true\ndata:")


def test_immutable_field_fails_without_force_and_is_recreated_with_force(apiserver: ApiServer, fleet: Fleet,
                                                                         fluxpy: Run) -> None:
    fleet.commit({"apps/configmap.yaml": IMMUTABLE_CM})
    apiserver.seed(kustomization())
    assert fluxpy("reconcile", "ks", "apps", "--with-source").code == 0
    uid = apiserver.object("v1", "ConfigMap", "apps", "settings")["metadata"]["uid"]  # type: ignore[index]
    fleet.commit({"apps/configmap.yaml": IMMUTABLE_CM.replace("blue", "red")})
    result = fluxpy("reconcile", "ks", "apps", "--with-source")
    assert result.code == 1
    assert result.err.count("✗") == 1 and "ConfigMap/apps/settings" in result.err
    assert "immutable" in result.err and "Traceback" not in result.err
    assert ready(ks_status(apiserver))["reason"] == "ReconciliationFailed"

    obj = apiserver.object(KS, "Kustomization", "flux-system", "apps")
    assert obj is not None
    obj["spec"]["force"] = True
    apiserver.seed(obj)
    result = fluxpy("reconcile", "ks", "apps")
    assert result.code == 0, result.err
    cm = apiserver.object("v1", "ConfigMap", "apps", "settings")
    assert cm is not None and cm["data"] == {"color": "red"} and cm["metadata"]["uid"] != uid


CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
"""
WIDGET = """\
apiVersion: example.com/v1
kind: Widget
metadata:
  name: gear
  namespace: apps
spec:
  teeth: 12
"""


def test_crd_and_custom_resource_in_one_build(apiserver: ApiServer, fleet: Fleet, fluxpy: Run) -> None:
    fleet.commit({"apps/crd.yaml": CRD, "apps/widget.yaml": WIDGET})
    apiserver.seed(kustomization())
    result = fluxpy("reconcile", "ks", "apps", "--with-source")
    assert result.code == 0, result.err
    assert apiserver.object("example.com/v1", "Widget", "apps", "gear") is not None
    ids = [e["id"] for e in ks_status(apiserver)["inventory"]["entries"]]
    assert ids[0] == "_widgets.example.com_apiextensions.k8s.io_CustomResourceDefinition"
    assert "apps_gear_example.com_Widget" in ids


def test_validation_failure_applies_nothing_and_names_every_object(apiserver: ApiServer, fleet: Fleet,
                                                                   fluxpy: Run) -> None:
    bad_a = CONFIGMAP.replace("name: settings", "name: Bad_Name")
    bad_b = SERVICE.replace("name: web", "name: web2").replace("port: 80", "port: 99999")
    fleet.commit({"apps/bad-a.yaml": bad_a, "apps/bad-b.yaml": bad_b})
    apiserver.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}})
    apiserver.seed(kustomization())
    result = fluxpy("reconcile", "ks", "apps", "--with-source")
    assert result.code == 1
    assert result.err.count("✗") == 1, result.err
    assert "ConfigMap/apps/Bad_Name" in result.err
    assert "nothing applied" in result.err
    assert apiserver.object("v1", "ConfigMap", "apps", "settings") is None
    assert object_writes(apiserver) == []
    status = ks_status(apiserver)
    assert ready(status)["status"] == "False" and ready(status)["reason"] == "ReconciliationFailed"
    assert "lastAppliedRevision" not in status


def test_server_error_mid_apply_then_rerun_converges(apiserver: ApiServer, fleet: Fleet, fluxpy: Run) -> None:
    apiserver.seed(kustomization())
    apiserver.faults.add(status=500, method="PATCH", path=r"/services/web$", times=None)
    result = fluxpy("reconcile", "ks", "apps", "--with-source")
    assert result.code == 1 and "Traceback" not in result.err
    assert apiserver.object("v1", "ConfigMap", "apps", "settings") is not None
    ids = {e["id"] for e in ks_status(apiserver)["inventory"]["entries"]}
    assert ids == {"_apps__Namespace", "apps_settings__ConfigMap"}
    apiserver.faults.clear()
    fleet.commit(delete=("apps/configmap.yaml",))
    result = fluxpy("reconcile", "ks", "apps", "--with-source")
    assert result.code == 0, result.err
    assert apiserver.object("v1", "ConfigMap", "apps", "settings") is None
    ids = {e["id"] for e in ks_status(apiserver)["inventory"]["entries"]}
    assert ids == {"_apps__Namespace", "apps_web__Service"}


def test_health_check_timeout_names_the_object(apiserver: ApiServer, fleet: Fleet, fluxpy: Run) -> None:
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "apps"},
                  "spec": {"selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}},
                                        "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}
    fleet.commit({"apps/deploy.yaml": yaml.safe_dump(deployment)})
    apiserver.ready_after(kind="Deployment", seconds=None)
    apiserver.seed(kustomization(wait=True))
    result = fluxpy("reconcile", "ks", "apps", "--with-source", "--timeout", "3s")
    assert result.code == 1
    assert "Deployment/apps/web" in result.err
    status = ks_status(apiserver)
    assert ready(status)["reason"] == "HealthCheckFailed"
    assert "apps_web_apps_Deployment" in {e["id"] for e in status["inventory"]["entries"]}


def test_health_check_passes_when_ready(apiserver: ApiServer, fleet: Fleet, fluxpy: Run) -> None:
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "apps"},
                  "spec": {"selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}},
                                        "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}
    fleet.commit({"apps/deploy.yaml": yaml.safe_dump(deployment)})
    apiserver.ready_after(kind="Deployment", seconds=0.2)
    apiserver.seed(kustomization(wait=True))
    result = fluxpy("reconcile", "ks", "apps", "--with-source")
    assert result.code == 0, result.err
    assert "✔ wait:" in result.err
    healthy = next(c for c in ks_status(apiserver)["conditions"] if c["type"] == "Healthy")
    assert healthy["status"] == "True"


def test_dry_run_writes_nothing_and_reports_what_would_change(apiserver: ApiServer, fleet: Fleet,
                                                             fluxpy: Run) -> None:
    apiserver.seed(kustomization())
    assert fluxpy("reconcile", "source", "git", "fleet").code == 0
    apiserver.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}})
    apiserver.clear_requests()
    result = fluxpy("reconcile", "ks", "apps", "--dry-run", "-o", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["dryRun"] is True
    assert report["counts"]["created"] == 2
    assert object_writes(apiserver) == []
    assert "inventory" not in ks_status(apiserver)


def test_all_runs_in_dependency_order_and_skips_suspended(apiserver: ApiServer, fleet: Fleet, fluxpy: Run) -> None:
    fleet.commit({"infra/ns.yaml": NAMESPACE})
    apiserver.seed(kustomization("apps", dependsOn=[{"name": "infra"}]))
    apiserver.seed(kustomization("infra", path="./infra", prune=False))
    apiserver.seed(kustomization("paused", suspend=True))
    assert fluxpy("reconcile", "source", "git", "fleet").code == 0
    result = fluxpy("reconcile", "ks", "--all")
    assert result.code == 0, result.err
    order = [line for line in result.err.splitlines() if line.startswith("► reconciling")]
    assert order == ["► reconciling Kustomization infra in flux-system namespace",
                     "► reconciling Kustomization apps in flux-system namespace",
                     "► reconciling Kustomization paused in flux-system namespace"]
    assert "skipping Kustomization flux-system/paused" in result.err


def test_not_ready_dependency_is_a_clear_error(apiserver: ApiServer, fleet: Fleet, fluxpy: Run) -> None:
    apiserver.seed(kustomization("apps", dependsOn=[{"name": "infra"}]))
    assert fluxpy("reconcile", "source", "git", "fleet").code == 0
    result = fluxpy("reconcile", "ks", "apps")
    assert result.code == 1
    assert result.err.count("✗") == 1 and "infra" in result.err
    assert ready(ks_status(apiserver))["reason"] == "DependencyNotReady"


def test_dependency_cycle_is_a_clear_error(apiserver: ApiServer, fleet: Fleet, fluxpy: Run) -> None:
    apiserver.seed(kustomization("a", dependsOn=[{"name": "b"}]))
    apiserver.seed(kustomization("b", dependsOn=[{"name": "a"}]))
    result = fluxpy("reconcile", "ks", "--all")
    assert result.code == 1
    assert "cycle" in result.err and "Traceback" not in result.err


def test_suspended_kustomization_is_refused(apiserver: ApiServer, fleet: Fleet, fluxpy: Run) -> None:
    apiserver.seed(kustomization(suspend=True))
    result = fluxpy("reconcile", "ks", "apps")
    assert result.code == 1 and "suspended" in result.err


def test_resume_reconciles(apiserver: ApiServer, fleet: Fleet, fluxpy: Run) -> None:
    apiserver.seed(kustomization(suspend=True))
    assert fluxpy("reconcile", "source", "git", "fleet").code == 0
    result = fluxpy("resume", "ks", "apps")
    assert result.code == 0, result.err
    assert f"✔ applied revision {fleet.revision}" in result.err
    assert apiserver.object("v1", "ConfigMap", "apps", "settings") is not None


def test_missing_source_artifact_is_a_clear_error(apiserver: ApiServer, fleet: Fleet, fluxpy: Run) -> None:
    apiserver.seed(kustomization())
    result = fluxpy("reconcile", "ks", "apps")
    assert result.code == 1 and result.err.count("✗") == 1
    assert "--with-source" in result.err
    assert ready(ks_status(apiserver))["reason"] == "ArtifactFailed"


def test_artifact_missing_from_cache_is_pulled_at_the_recorded_revision(apiserver: ApiServer, fleet: Fleet,
                                                                       fluxpy: Run, tmp_path: Path) -> None:
    apiserver.seed(kustomization())
    assert fluxpy("reconcile", "source", "git", "fleet").code == 0
    recorded = fleet.revision
    fleet.commit({"apps/configmap.yaml": CONFIGMAP.replace("blue", "green")})
    result = fluxpy("reconcile", "ks", "apps", "--artifacts-dir", str(tmp_path / "elsewhere"))
    assert result.code == 0, result.err
    assert f"✔ applied revision {recorded}" in result.err
    cm = apiserver.object("v1", "ConfigMap", "apps", "settings")
    assert cm is not None and cm["data"] == {"color": "blue"}


def test_bad_path_is_a_build_failure(apiserver: ApiServer, fleet: Fleet, fluxpy: Run) -> None:
    apiserver.seed(kustomization(path="./nowhere"))
    result = fluxpy("reconcile", "ks", "apps", "--with-source")
    assert result.code == 1 and "nowhere" in result.err
    assert ready(ks_status(apiserver))["reason"] == "BuildFailed"


def test_secret_values_never_appear_in_output(apiserver: ApiServer, fleet: Fleet, fluxpy: Run) -> None:
    secret = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: apps\n"
              "stringData:\n  password: hunter2-very-secret\n")
    bad = secret.replace("name: creds", "name: Bad_Creds")
    fleet.commit({"apps/secret.yaml": secret})
    apiserver.seed(kustomization())
    for args in (("reconcile", "ks", "apps", "--with-source"), ("reconcile", "ks", "apps", "-o", "json"),
                 ("reconcile", "ks", "apps", "--dry-run", "-o", "yaml")):
        result = fluxpy(*args)
        assert result.code == 0, result.err
        assert "hunter2" not in result.out + result.err
    fleet.commit({"apps/secret.yaml": bad})
    result = fluxpy("reconcile", "ks", "apps", "--with-source", "-o", "json")
    assert result.code == 1
    assert "hunter2" not in result.out + result.err


def test_dropped_connections_mid_apply_then_rerun_converges(apiserver: ApiServer, fleet: Fleet,
                                                            fluxpy: Run) -> None:
    apiserver.seed(kustomization())
    apiserver.faults.add(status=None, drop=True, method="PATCH", path=r"/services/web$", times=None)
    result = fluxpy("reconcile", "ks", "apps", "--with-source")
    assert result.code == 1 and result.err.count("✗") == 1 and "Traceback" not in result.err
    apiserver.faults.clear()
    result = fluxpy("reconcile", "ks", "apps")
    assert result.code == 0, result.err
    ids = {e["id"] for e in ks_status(apiserver)["inventory"]["entries"]}
    assert ids == {"_apps__Namespace", "apps_settings__ConfigMap", "apps_web__Service"}
    assert apiserver.object("v1", "Service", "apps", "web") is not None


def test_sigint_mid_apply_loses_nothing_and_prunes_nothing(apiserver: ApiServer, fleet: Fleet, fluxpy: Run,
                                                           tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    many = {f"apps/cm-{i:02d}.yaml": CONFIGMAP.replace("name: settings", f"name: cm-{i:02d}") for i in range(30)}
    fleet.commit(many)
    apiserver.seed(kustomization())
    assert fluxpy("reconcile", "source", "git", "fleet").code == 0
    # Real applies of the ConfigMaps are slow, so the interrupt lands in the middle of them.
    apiserver.faults.add(status=None, delay=0.3, method="PATCH", path=r"/configmaps/cm-", times=None)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    proc = subprocess.Popen([sys.executable, "-m", "fluxpy", "reconcile", "ks", "apps",
                             "--kubeconfig", str(apiserver.kubeconfig)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and apiserver.object("v1", "ConfigMap", "apps", "cm-00") is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    existing = {f"apps_cm-{i:02d}__ConfigMap" for i in range(30)
                if apiserver.object("v1", "ConfigMap", "apps", f"cm-{i:02d}") is not None}
    assert existing and len(existing) < 30
    ids = {e["id"] for e in ks_status(apiserver)["inventory"]["entries"]}
    assert existing <= ids
    assert ready(ks_status(apiserver))["status"] == "False"
    apiserver.faults.clear()
    # The rerun, with cm-00 gone from Git: everything else applied, cm-00 pruned, nothing else.
    fleet.commit(delete=("apps/cm-00.yaml",))
    result = fluxpy("reconcile", "ks", "apps", "--with-source")
    assert result.code == 0, result.err
    ids = {e["id"] for e in ks_status(apiserver)["inventory"]["entries"]}
    assert ids == {"_apps__Namespace", "apps_settings__ConfigMap", "apps_web__Service",
                   *(f"apps_cm-{i:02d}__ConfigMap" for i in range(1, 30))}
    assert apiserver.object("v1", "ConfigMap", "apps", "cm-00") is None


def test_dry_run_with_source_shows_the_remote_changes_without_recording_them(apiserver: ApiServer, fleet: Fleet,
                                                                              fluxpy: Run) -> None:
    apiserver.seed(kustomization())
    assert fluxpy("reconcile", "ks", "apps", "--with-source").code == 0
    source_before = apiserver.object(GIT, "GitRepository", "flux-system", "fleet")
    fleet.commit({"apps/configmap.yaml": CONFIGMAP.replace("blue", "green")})
    result = fluxpy("reconcile", "ks", "apps", "--with-source", "--dry-run", "-o", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["revision"] == fleet.revision
    assert {o["object"]: o["action"] for o in report["objects"]}["ConfigMap/apps/settings"] == "configured"
    assert apiserver.object(GIT, "GitRepository", "flux-system", "fleet") == source_before
    cm = apiserver.object("v1", "ConfigMap", "apps", "settings")
    assert cm is not None and cm["data"] == {"color": "blue"}


def sops_encrypt(text: str, recipient: str, tmp_path: Path) -> str:
    """Encrypt a YAML manifest with the real sops binary for one age recipient."""
    import os
    import subprocess

    from tests.sops.conftest import _sops_binary

    src = tmp_path / "plain.yaml"
    src.write_text(text)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOPS_")}
    done = subprocess.run([_sops_binary(), "--encrypt", "--age", recipient, "--encrypted-regex", "^(data|stringData)$",
                           str(src)], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    src.unlink()
    return done.stdout


SOPS_SECRET = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: apps\n"
               "stringData:\n  password: sops-hunter2-plaintext\n")


def test_sops_secret_is_decrypted_in_memory_and_never_shown(apiserver: ApiServer, fleet: Fleet, fluxpy: Run,
                                                            tmp_path: Path) -> None:
    import base64

    from fluxpy.sops import AgeIdentity

    key = AgeIdentity.generate()
    fleet.commit({"apps/secret.yaml": sops_encrypt(SOPS_SECRET, key.recipient, tmp_path)})
    apiserver.seed({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sops-age", "namespace": "flux-system"},
                    "data": {"age.agekey": base64.b64encode(key.encode().encode()).decode()}})
    apiserver.seed(kustomization(decryption={"provider": "sops", "secretRef": {"name": "sops-age"}},
                                 targetNamespace="apps"))
    result = fluxpy("reconcile", "ks", "apps", "--with-source", "-o", "json")
    assert result.code == 0, result.err
    assert "decrypt: 1 decrypted" in result.err
    assert "sops-hunter2" not in result.out + result.err
    secret = apiserver.object("v1", "Secret", "apps", "db")
    assert secret is not None and "sops" not in secret
    assert base64.b64decode(secret["data"]["password"]) == b"sops-hunter2-plaintext"
    assert not list(tmp_path.rglob("*")) or not any(
        b"sops-hunter2-plaintext" in p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())


def test_sops_secret_without_decryption_or_with_a_wrong_key_fails_clearly(apiserver: ApiServer, fleet: Fleet,
                                                                          fluxpy: Run, tmp_path: Path) -> None:
    import base64

    from fluxpy.sops import AgeIdentity

    key, other = AgeIdentity.generate(), AgeIdentity.generate()
    fleet.commit({"apps/secret.yaml": sops_encrypt(SOPS_SECRET, key.recipient, tmp_path)})
    apiserver.seed(kustomization())
    result = fluxpy("reconcile", "ks", "apps", "--with-source")
    assert result.code == 1 and result.err.count("✗") == 1
    assert "Secret/apps/db" in result.err and "decryption" in result.err
    assert ready(ks_status(apiserver))["reason"] == "BuildFailed"
    assert apiserver.object("v1", "ConfigMap", "apps", "settings") is None

    apiserver.seed({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sops-age", "namespace": "flux-system"},
                    "data": {"age.agekey": base64.b64encode(other.encode().encode()).decode()}})
    apiserver.seed(kustomization(decryption={"provider": "sops", "secretRef": {"name": "sops-age"}}))
    result = fluxpy("reconcile", "ks", "apps")
    assert result.code == 1 and result.err.count("✗") == 1
    assert "Secret/apps/db" in result.err and "sops-hunter2" not in result.err
    key_file = tmp_path / "key.txt"
    key_file.write_text(key.encode() + "\n")
    result = fluxpy("reconcile", "ks", "apps", "--decryption-key-file", str(key_file))
    assert result.code == 0, result.err


def test_dependencies_are_checked_before_the_artifact_is_downloaded(apiserver: ApiServer, fleet: Fleet,
                                                                    fluxpy: Run, tmp_path: Path) -> None:
    apiserver.seed(kustomization("apps", dependsOn=[{"name": "infra"}]))
    assert fluxpy("reconcile", "source", "git", "fleet").code == 0
    apiserver.clear_requests()
    result = fluxpy("reconcile", "ks", "apps", "--artifacts-dir", str(tmp_path / "empty-cache"))
    assert result.code == 1
    assert "dependency 'flux-system/infra'" in result.err
    assert "fetch" not in result.err
    assert ready(ks_status(apiserver))["reason"] == "DependencyNotReady"


def test_object_marked_ssa_ignore_in_git_is_neither_applied_nor_pruned(apiserver: ApiServer, fleet: Fleet,
                                                                       fluxpy: Run) -> None:
    apiserver.seed(kustomization())
    assert fluxpy("reconcile", "ks", "apps", "--with-source").code == 0
    ignored = SERVICE.replace("  namespace: apps\n", "  namespace: apps\n  annotations:\n"
                              "    kustomize.toolkit.fluxcd.io/ssa: Ignore\n").replace("port: 80", "port: 8080")
    fleet.commit({"apps/service.yaml": ignored})
    result = fluxpy("reconcile", "ks", "apps", "--with-source", "-o", "json")
    assert result.code == 0, result.err
    actions = {o["object"]: o["action"] for o in json.loads(result.out)["objects"]}
    assert actions["Service/apps/web"] == "skipped"
    svc = apiserver.object("v1", "Service", "apps", "web")
    assert svc is not None and svc["spec"]["ports"][0]["port"] == 80
    assert "apps_web__Service" in {e["id"] for e in ks_status(apiserver)["inventory"]["entries"]}


def test_history_digest_is_the_build_before_ownership_labels(apiserver: ApiServer, fleet: Fleet, fluxpy: Run) -> None:
    import hashlib

    from fluxpy.kustomize import yamlio
    from fluxpy.models.kustomize import Kustomization
    from fluxpy.pipelines import build

    apiserver.seed(kustomization())
    assert fluxpy("reconcile", "ks", "apps", "--with-source").code == 0
    ks = Kustomization.from_dict(kustomization())
    objs = build.build_manifests(ks, root=fleet.repo.path, path=fleet.repo.path / "apps")
    expected = "sha256:" + hashlib.sha256(yamlio.dump_resources(objs).encode()).hexdigest()
    assert ks_status(apiserver)["history"][0]["digest"] == expected
