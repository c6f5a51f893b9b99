"""`fluxpy reconcile source git NAME`: the Git source pipeline against the
API emulator and a real git http-backend.

Covers: a first run stores an artifact and writes Flux's status (artifact,
Ready/ArtifactInStorage, observedGeneration) through the status subresource
and a NewArtifact event with revision and digest annotations; `get sources
git` then shows the revision; an unchanged remote makes no status write and
records ArtifactUpToDate; a new commit gives a new revision; wrong
credentials fail with one line, Ready=False/AuthenticationFailed, a Warning
event, and the previous artifact kept; a missing Secret; a suspended object;
and that no credential appears in any output.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.apiserver import ApiServer
from tests.cli.helpers import Result
from tests.gitserver.http import GitHttpServer
from tests.gitserver.repos import Repo, make_repo

GIT = "source.toolkit.fluxcd.io/v1"
Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return make_repo(tmp_path / "fleet", {"apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\n", "README.md": "x\n"})


def git_repository(url: str, *, secret: str | None = None, suspend: bool = False) -> dict[str, Any]:
    spec: dict[str, Any] = {"interval": "1m0s", "url": url, "ref": {"branch": "main"}, "timeout": "20s"}
    if secret:
        spec["secretRef"] = {"name": secret}
    if suspend:
        spec["suspend"] = True
    return {"apiVersion": GIT, "kind": "GitRepository", "metadata": {"name": "fleet", "namespace": "flux-system"},
            "spec": spec}


def basic_secret(username: str, password: str) -> dict[str, Any]:
    enc = {k: base64.b64encode(v.encode()).decode() for k, v in {"username": username, "password": password}.items()}
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "git-creds", "namespace": "flux-system"},
            "data": enc}


def stored(apiserver: ApiServer) -> dict[str, Any]:
    obj = apiserver.object(GIT, "GitRepository", "flux-system", "fleet")
    assert obj is not None
    return obj


def test_first_run_stores_artifact_status_and_event(apiserver: ApiServer, git_http: GitHttpServer, repo: Repo,
                                                    fluxpy: Run) -> None:
    url = git_http.publish(repo)
    apiserver.seed(git_repository(url))
    result = fluxpy("reconcile", "source", "git", "fleet")
    assert result.code == 0, result.err
    head = repo.head()
    revision = f"main@sha1:{head}"
    lines = result.err.splitlines()
    assert lines[0] == "► reconciling GitRepository fleet in flux-system namespace"
    assert [line.split(":")[0] for line in lines[1:5]] == ["✔ pull", "✔ artifact", "✔ status", "✔ events"]
    assert lines[-1] == f"✔ fetched revision {revision}"

    status = stored(apiserver)["status"]
    artifact = status["artifact"]
    assert artifact["revision"] == revision
    assert artifact["path"] == f"gitrepository/flux-system/fleet/{head}.tar.gz"
    assert artifact["url"] == f"http://source-controller.flux-system.svc.cluster.local./{artifact['path']}"
    assert artifact["digest"].startswith("sha256:") and artifact["size"] > 0
    assert status["observedGeneration"] == 1
    ready = {c["type"]: c for c in status["conditions"]}
    assert ready["Ready"]["status"] == "True" and ready["Ready"]["reason"] == "Succeeded"
    assert ready["Ready"]["message"] == f"stored artifact for revision '{revision}'"
    assert ready["ArtifactInStorage"]["status"] == "True"
    assert apiserver.count(verb="patch", path="/status$") == 1

    listed = fluxpy("get", "sources", "git", "--no-header")
    assert listed.out.split("\t")[1].strip() == f"main@sha1:{head[:8]}"


def test_event_names_the_new_artifact(apiserver: ApiServer, git_http: GitHttpServer, repo: Repo,
                                      fluxpy: Run, kubeconfig: Path) -> None:
    apiserver.seed(git_repository(git_http.publish(repo)))
    assert fluxpy("reconcile", "source", "git", "fleet").code == 0
    evs = _events(kubeconfig)
    assert [(e["type"], e["reason"]) for e in evs] == [("Normal", "NewArtifact")]
    assert evs[0]["message"] == "stored artifact for commit 'initial commit'"
    annotations = evs[0]["metadata"]["annotations"]
    assert annotations["source.toolkit.fluxcd.io/revision"] == f"main@sha1:{repo.head()}"
    assert annotations["source.toolkit.fluxcd.io/digest"].startswith("sha256:")
    assert evs[0]["involvedObject"]["kind"] == "GitRepository"


def _events(kubeconfig: Path) -> list[dict[str, Any]]:
    from fluxpy.kube.client import Kube
    from fluxpy.kube.resource import Resource

    kube = Kube.connect(kubeconfig=str(kubeconfig))
    items = kube.list(Resource("", "v1", "Event", "events", namespaced=True), namespace="flux-system")
    return sorted(items, key=lambda e: e["metadata"]["creationTimestamp"] + e["metadata"]["name"])


def test_unchanged_remote_writes_no_status_and_reports_up_to_date(
        apiserver: ApiServer, git_http: GitHttpServer, repo: Repo, fluxpy: Run, kubeconfig: Path) -> None:
    apiserver.seed(git_repository(git_http.publish(repo)))
    assert fluxpy("reconcile", "source", "git", "fleet").code == 0
    before = stored(apiserver)["status"]
    writes = apiserver.count(verb="patch", path="/status$")
    result = fluxpy("reconcile", "source", "git", "fleet", "-o", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["unchanged"] is True
    assert "(unchanged)" in result.err and "artifact:" not in result.err
    assert apiserver.count(verb="patch", path="/status$") == writes
    assert stored(apiserver)["status"] == before
    assert [e["reason"] for e in _events(kubeconfig)][-1] == "ArtifactUpToDate"


def test_new_commit_gives_new_revision(apiserver: ApiServer, git_http: GitHttpServer, repo: Repo,
                                       fluxpy: Run) -> None:
    url = git_http.publish(repo)
    apiserver.seed(git_repository(url))
    assert fluxpy("reconcile", "source", "git", "fleet").code == 0
    first = stored(apiserver)["status"]["artifact"]
    new = repo.commit({"apps/new.yaml": "x: 1\n"}, "add new app")
    git_http.publish(repo)
    assert fluxpy("reconcile", "source", "git", "fleet").code == 0
    second = stored(apiserver)["status"]["artifact"]
    assert second["revision"] == f"main@sha1:{new}" != first["revision"]
    assert second["digest"] != first["digest"]


def test_wrong_password_fails_and_keeps_last_artifact(apiserver: ApiServer, git_http_basic: GitHttpServer,
                                                      repo: Repo, fluxpy: Run, kubeconfig: Path) -> None:
    url = git_http_basic.publish(repo)
    apiserver.seed(basic_secret(git_http_basic.username, git_http_basic.password))
    apiserver.seed(git_repository(url, secret="git-creds"))
    assert fluxpy("reconcile", "source", "git", "fleet").code == 0
    good = stored(apiserver)["status"]["artifact"]

    apiserver.seed(basic_secret(git_http_basic.username, "wrong-password-123"))
    result = fluxpy("reconcile", "source", "git", "fleet")
    assert result.code == 1
    assert result.err.splitlines()[-1].startswith("✗ ")
    assert sum(line.startswith("✗") for line in result.err.splitlines()) == 1
    for secret in ("wrong-password-123", git_http_basic.password):
        assert secret not in result.err and secret not in result.out
    status = stored(apiserver)["status"]
    conds = {c["type"]: c for c in status["conditions"]}
    assert (conds["Ready"]["status"], conds["Ready"]["reason"]) == ("False", "AuthenticationFailed")
    assert conds["FetchFailed"]["reason"] == "AuthenticationFailed"
    assert status["artifact"] == good
    warning = _events(kubeconfig)[-1]
    assert (warning["type"], warning["reason"]) == ("Warning", "AuthenticationFailed")


def test_missing_secret_is_an_authentication_failure(apiserver: ApiServer, git_http_basic: GitHttpServer,
                                                      repo: Repo, fluxpy: Run) -> None:
    apiserver.seed(git_repository(git_http_basic.publish(repo), secret="absent"))
    result = fluxpy("reconcile", "source", "git", "fleet")
    assert result.code == 1
    assert "failed to get secret 'flux-system/absent': not found" in result.err
    conds = {c["type"]: c for c in stored(apiserver)["status"]["conditions"]}
    assert conds["Ready"]["reason"] == "AuthenticationFailed"


def test_suspended_object_is_left_alone(apiserver: ApiServer, git_http: GitHttpServer, repo: Repo,
                                        fluxpy: Run) -> None:
    apiserver.seed(git_repository(git_http.publish(repo), suspend=True))
    result = fluxpy("reconcile", "source", "git", "fleet")
    assert result.code == 1
    assert "GitRepository/flux-system/fleet: resource is suspended" in result.err
    assert "status" not in stored(apiserver) or not stored(apiserver)["status"].get("artifact")


def ssh_secret(identity: bytes, known_hosts: bytes) -> dict[str, Any]:
    data = {"identity": identity, "known_hosts": known_hosts}
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "ssh-creds", "namespace": "flux-system"},
            "data": {k: base64.b64encode(v).decode() for k, v in data.items()}}


def test_ssh_with_known_host_succeeds_and_changed_host_key_fails(
        apiserver: ApiServer, git_sshd: Any, repo: Repo, fluxpy: Run) -> None:
    url = git_sshd.publish(repo)
    key = git_sshd.ed25519_key.private_pem
    apiserver.seed(ssh_secret(key, git_sshd.known_hosts.read_bytes()))
    apiserver.seed(git_repository(url, secret="ssh-creds"))
    ok = fluxpy("reconcile", "source", "git", "fleet")
    assert ok.code == 0, ok.err
    good = stored(apiserver)["status"]["artifact"]

    apiserver.seed(ssh_secret(key, git_sshd.wrong_known_hosts.read_bytes()))
    result = fluxpy("reconcile", "source", "git", "fleet")
    assert result.code == 1
    assert "host key verification failed" in result.err
    assert "PRIVATE KEY" not in result.err
    conds = {c["type"]: c for c in stored(apiserver)["status"]["conditions"]}
    assert (conds["Ready"]["status"], conds["Ready"]["reason"]) == ("False", "AuthenticationFailed")
    assert stored(apiserver)["status"]["artifact"] == good
