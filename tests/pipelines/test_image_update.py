"""`fluxpy image update`: image update to Git end to end, with a real OCI
registry (docker-registry), a real git http-backend and the API emulator, and
cluster-free against a local checkout.

Covers: a run lists tags, picks the policy's tag, patches only the marked
scalar, commits and pushes, and records the three objects' statuses and
events; a rerun finds nothing to change and makes no commit; `--dry-run`
prints the chosen tags and the diff and pushes nothing; `-o json` reports
policies, files and the commit; the cluster-free mode reads the objects from
the checkout, commits there with `--no-push`, and pushes otherwise; bad input
(invalid range, no tag matching, unknown registry repository, unknown policy
marker, malformed YAML) is one clear line, exit 1, and no commit is made when
a policy failed; `reconcile image repository|policy|update`.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.apiserver import ApiServer
from tests.cli.helpers import Result
from tests.gitserver.http import GitHttpServer
from tests.gitserver.repos import Repo, make_repo
from tests.registry import client as registry_client
from tests.registry.server import RegistryServer

IMG = "image.toolkit.fluxcd.io/v1"
GIT = "source.toolkit.fluxcd.io/v1"
Run = Callable[..., Result]

DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
spec:
  template:
    spec:
      containers:
      - name: web
        # the image below is kept up to date by fluxpy
        image: {image}:1.0.0 # {{"$imagepolicy": "flux-system:web"}}
      - name: sidecar
        image: 'busybox:1.36'   # not marked: never touched
"""


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker"))


def image_objects(image: str, *, semver: str = ">=1.0.0", url: str | None = None) -> list[dict[str, Any]]:
    objs: list[dict[str, Any]] = [
        {"apiVersion": IMG, "kind": "ImageRepository", "metadata": {"name": "web", "namespace": "flux-system"},
         "spec": {"image": image, "interval": "5m", "insecure": True}},
        {"apiVersion": IMG, "kind": "ImagePolicy", "metadata": {"name": "web", "namespace": "flux-system"},
         "spec": {"imageRepositoryRef": {"name": "web"}, "policy": {"semver": {"range": semver}}}},
        {"apiVersion": IMG, "kind": "ImageUpdateAutomation", "metadata": {"name": "apps", "namespace": "flux-system"},
         "spec": {"interval": "10m", "sourceRef": {"kind": "GitRepository", "name": "fleet"},
                  "git": {"checkout": {"ref": {"branch": "main"}},
                          "commit": {"author": {"name": "fluxpy", "email": "fluxpy@example.com"},
                                     "messageTemplate": "Update images\n\n{{ range .Changed.Changes }}"
                                                        "- {{ .OldValue }} -> {{ .NewValue }}\n{{ end }}"},
                          "push": {"branch": "main"}},
                  "update": {"path": "./apps", "strategy": "Setters"}}},
    ]
    if url is not None:
        objs.append({"apiVersion": GIT, "kind": "GitRepository", "metadata": {"name": "fleet", "namespace": "flux-system"},
                     "spec": {"interval": "1m", "url": url, "ref": {"branch": "main"}}})
    return objs


class Setup:
    def __init__(self, registry: RegistryServer, git: GitHttpServer, repo: Repo, image: str) -> None:
        self.registry, self.git, self.repo, self.image = registry, git, repo, image
        self.url = git.publish(repo)

    def remote_file(self, path: str = "apps/deploy.yaml") -> str:
        bare = self.git.repo_path(self.url.rsplit("/", 1)[1].removesuffix(".git"))
        return subprocess.run(["git", "-C", str(bare), "show", f"main:{path}"], capture_output=True, text=True,
                              check=True).stdout

    def remote_log(self) -> list[str]:
        bare = self.git.repo_path(self.url.rsplit("/", 1)[1].removesuffix(".git"))
        return subprocess.run(["git", "-C", str(bare), "log", "--format=%s", "main"], capture_output=True, text=True,
                              check=True).stdout.splitlines()


@pytest.fixture
def setup(tmp_path: Path, oci_registry: RegistryServer, git_http: GitHttpServer) -> Setup:
    repo_name = registry_client.unique_repo("web")
    registry_client.push(oci_registry, repo_name, ["1.0.0", "1.1.0", "1.2.0-rc.1", "0.9.0", "latest"])
    image = oci_registry.image(repo_name)
    repo = make_repo(tmp_path / "fleet", {"apps/deploy.yaml": DEPLOY.format(image=image), "README.md": "fleet\n"})
    return Setup(oci_registry, git_http, repo, image)


def seed(apiserver: ApiServer, objs: list[dict[str, Any]]) -> None:
    for obj in objs:
        apiserver.seed(obj)


def status(apiserver: ApiServer, kind: str, name: str, api: str = IMG) -> dict[str, Any]:
    obj = apiserver.object(api, kind, "flux-system", name)
    assert obj is not None
    return obj.get("status") or {}


def test_update_picks_the_tag_patches_the_marker_commits_and_pushes(apiserver: ApiServer, setup: Setup,
                                                                     fluxpy: Run) -> None:
    seed(apiserver, image_objects(setup.image, url=setup.url))
    result = fluxpy("image", "update", "apps")
    assert result.code == 0, result.err
    assert "pushed commit '" in result.err.splitlines()[-1]
    after = setup.remote_file()
    assert after == DEPLOY.format(image=setup.image).replace(":1.0.0 #", ":1.1.0 #")
    assert setup.remote_log()[0] == "Update images"
    policy = status(apiserver, "ImagePolicy", "web")
    assert policy["latestRef"] == {"name": setup.image, "tag": "1.1.0"}
    repo_status = status(apiserver, "ImageRepository", "web")
    assert repo_status["lastScanResult"]["tagCount"] == 5
    auto = status(apiserver, "ImageUpdateAutomation", "apps")
    assert len(auto["lastPushCommit"]) == 40
    assert auto["observedPolicies"] == {"web": {"name": setup.image, "tag": "1.1.0"}}
    ready = {c["type"]: c for c in auto["conditions"]}["Ready"]
    assert ready["status"] == "True" and ready["message"] == "repository up-to-date"

    commits = len(setup.remote_log())
    result = fluxpy("image", "update", "apps", "-o", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["automations"][0]["commit"] is None and report["automations"][0]["files"] == []
    assert report["policies"][0]["tag"] == "1.1.0"
    assert len(setup.remote_log()) == commits


def test_dry_run_prints_tags_and_diff_and_pushes_nothing(apiserver: ApiServer, setup: Setup, fluxpy: Run) -> None:
    seed(apiserver, image_objects(setup.image, url=setup.url))
    before = setup.remote_log()
    result = fluxpy("image", "update", "apps", "--dry-run")
    assert result.code == 0, result.err
    assert f"-        image: {setup.image}:1.0.0" in result.out
    assert f"+        image: {setup.image}:1.1.0" in result.out
    assert "1.1.0" in result.err
    assert setup.remote_log() == before
    assert "latestRef" not in status(apiserver, "ImagePolicy", "web")


def test_invalid_range_is_one_line_and_nothing_is_committed(apiserver: ApiServer, setup: Setup, fluxpy: Run) -> None:
    seed(apiserver, image_objects(setup.image, semver="not a range", url=setup.url))
    before = setup.remote_log()
    result = fluxpy("image", "update", "apps")
    assert result.code == 1
    assert result.err.count("✗") == 1 and "Traceback" not in result.err
    assert "flux-system/web" in result.err
    assert setup.remote_log() == before
    ready = {c["type"]: c for c in status(apiserver, "ImagePolicy", "web")["conditions"]}["Ready"]
    assert ready["status"] == "False"


def test_no_tag_matching_and_missing_registry_repository_fail_clearly(apiserver: ApiServer, setup: Setup,
                                                                      fluxpy: Run) -> None:
    seed(apiserver, image_objects(setup.image, semver=">=5.0.0", url=setup.url))
    result = fluxpy("image", "update", "apps")
    assert result.code == 1 and result.err.count("✗") == 1
    seed(apiserver, image_objects(setup.image + "-missing", url=setup.url))
    result = fluxpy("image", "update", "apps")
    assert result.code == 1 and result.err.count("✗") == 1
    assert "not found" in result.err


def test_local_mode_reads_objects_from_the_checkout_and_commits_there(setup: Setup, tmp_path: Path,
                                                                      fluxpy: Run) -> None:
    import yaml

    work = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", setup.url, str(work)], check=True)
    (work / "clusters").mkdir()
    (work / "clusters" / "images.yaml").write_text(yaml.safe_dump_all(image_objects(setup.image, url=setup.url)))
    subprocess.run(["git", "-C", str(work), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm",
                    "image objects"], check=True)
    result = fluxpy("image", "update", "--all", "--local", "--repo", str(work), "--no-push", "-o", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["automations"][0]["files"] == ["apps/deploy.yaml"]
    assert report["automations"][0]["pushed"] is False
    log = subprocess.run(["git", "-C", str(work), "log", "--format=%s", "-1"], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert log == "Update images"
    assert ":1.1.0 #" in (work / "apps" / "deploy.yaml").read_text()
    assert subprocess.run(["git", "-C", str(work), "status", "--porcelain"], capture_output=True, text=True,
                          check=True).stdout == ""
    assert "1.1.0" not in setup.remote_file()
    # Without --no-push, in a fresh checkout: committed and pushed to its origin.
    fresh = tmp_path / "fresh"
    subprocess.run(["git", "clone", "-q", setup.url, str(fresh)], check=True)
    objs = tmp_path / "objs.yaml"
    objs.write_text(yaml.safe_dump_all(image_objects(setup.image)))
    result = fluxpy("image", "update", "apps", "-f", str(objs), "--repo", str(fresh))
    assert result.code == 0, result.err
    assert ":1.1.0 #" in setup.remote_file()
    assert setup.remote_log()[0] == "Update images"


def test_local_mode_refuses_a_dirty_checkout(setup: Setup, tmp_path: Path, fluxpy: Run) -> None:
    import yaml

    work = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", setup.url, str(work)], check=True)
    objs = tmp_path / "objs.yaml"
    objs.write_text(yaml.safe_dump_all(image_objects(setup.image)))
    (work / "README.md").write_text("local edit\n")
    result = fluxpy("image", "update", "apps", "-f", str(objs), "--repo", str(work))
    assert result.code == 1 and result.err.count("✗") == 1
    assert "uncommitted changes" in result.err
    assert (work / "README.md").read_text() == "local edit\n"


def test_unknown_policy_marker_and_malformed_yaml_are_reported(setup: Setup, tmp_path: Path, fluxpy: Run) -> None:
    import yaml

    setup.repo.commit({"apps/other.yaml": "image: x:1 # {\"$imagepolicy\": \"flux-system:nope\"}\n",
                       "apps/broken.yaml": "a: [unclosed # {\"$imagepolicy\": \"flux-system:web\"}\n"}, "more")
    setup.git.publish(setup.repo)
    objs = tmp_path / "objs.yaml"
    objs.write_text(yaml.safe_dump_all(image_objects(setup.image, url=setup.url)))
    work = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", setup.url, str(work)], check=True)
    result = fluxpy("image", "update", "apps", "-f", str(objs), "--repo", str(work), "--no-push")
    assert result.code == 1
    assert "flux-system:nope" in result.err and "broken.yaml" in result.err
    assert "Traceback" not in result.err
    assert ":1.1.0 #" in (work / "apps" / "deploy.yaml").read_text()
    assert (work / "apps" / "broken.yaml").read_text() == "a: [unclosed # {\"$imagepolicy\": \"flux-system:web\"}\n"


def test_reconcile_image_repository_and_policy(apiserver: ApiServer, setup: Setup, fluxpy: Run) -> None:
    seed(apiserver, image_objects(setup.image, url=setup.url))
    result = fluxpy("reconcile", "image", "repository", "web")
    assert result.code == 0, result.err
    assert result.err.splitlines()[-1] == "✔ scan fetched 5 tags"
    result = fluxpy("reconcile", "image", "policy", "web")
    assert result.code == 0, result.err
    assert result.err.splitlines()[-1] == f"✔ selected ref {setup.image}:1.1.0"


def test_suspended_automation_is_refused_alone_and_skipped_with_all(apiserver: ApiServer, setup: Setup,
                                                                    fluxpy: Run) -> None:
    objs = image_objects(setup.image, url=setup.url)
    objs[2]["spec"]["suspend"] = True
    seed(apiserver, objs)
    result = fluxpy("image", "update", "apps")
    assert result.code == 1 and "suspended" in result.err
    second = {**objs[2], "metadata": {"name": "other", "namespace": "flux-system"},
              "spec": {**objs[2]["spec"], "suspend": False}}
    apiserver.seed(second)
    result = fluxpy("image", "update", "--all")
    assert result.code == 0, result.err
    assert "skipping ImageUpdateAutomation flux-system/apps" in result.err


def test_suspended_policy_keeps_its_recorded_ref(apiserver: ApiServer, setup: Setup, fluxpy: Run) -> None:
    objs = image_objects(setup.image, url=setup.url)
    objs[1]["spec"]["suspend"] = True
    objs[1]["status"] = {"latestRef": {"name": setup.image, "tag": "0.9.0"}}
    seed(apiserver, objs)
    result = fluxpy("image", "update", "apps", "--dry-run", "-o", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["policies"][0]["tag"] == "0.9.0"
    assert ":0.9.0 #" in report["automations"][0]["diff"]
    assert apiserver.count(path=r"/imagerepositories") <= 1


def test_push_rejected_for_good_is_one_line_and_nothing_lands(apiserver: ApiServer, setup: Setup,
                                                              fluxpy: Run) -> None:
    setup.git.set_hook(setup.url, "pre-receive", "#!/bin/sh\necho 'branch main is protected' >&2\nexit 1\n")
    seed(apiserver, image_objects(setup.image, url=setup.url))
    before = setup.remote_log()
    result = fluxpy("image", "update", "apps")
    assert result.code == 1
    assert result.err.count("✗") == 1 and "Traceback" not in result.err
    assert setup.remote_log() == before
    ready = {c["type"]: c for c in status(apiserver, "ImageUpdateAutomation", "apps")["conditions"]}["Ready"]
    assert ready["status"] == "False"


def test_registry_refusing_credentials_is_one_line_without_secrets(apiserver: ApiServer, setup: Setup,
                                                                    oci_registry_basic: RegistryServer,
                                                                    fluxpy: Run, tmp_path: Path) -> None:
    import base64

    repo_name = registry_client.unique_repo("private")
    registry_client.push(oci_registry_basic, repo_name, ["1.0.0", "1.1.0"])
    image = oci_registry_basic.image(repo_name)
    objs = image_objects(image, url=setup.url)
    objs[0]["spec"]["secretRef"] = {"name": "regcred"}
    wrong = base64.b64encode(f"{oci_registry_basic.username}:wrong-password-xyz".encode()).decode()
    dockerconfig = json.dumps({"auths": {image.split("/")[0]: {"auth": wrong}}})
    apiserver.seed({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
                    "metadata": {"name": "regcred", "namespace": "flux-system"},
                    "data": {".dockerconfigjson": base64.b64encode(dockerconfig.encode()).decode()}})
    seed(apiserver, objs)
    result = fluxpy("image", "update", "apps")
    assert result.code == 1 and result.err.count("✗") == 1
    assert "401" in result.err or "credentials" in result.err
    assert "wrong-password-xyz" not in result.err and wrong not in result.err


def test_removed_template_field_stalls_the_automation(apiserver: ApiServer, setup: Setup, fluxpy: Run) -> None:
    objs = image_objects(setup.image, url=setup.url)
    objs[2]["spec"]["git"]["commit"]["messageTemplate"] = "{{ range .Updated.Images }}{{ . }}{{ end }}"
    seed(apiserver, objs)
    before = setup.remote_log()
    result = fluxpy("image", "update", "apps")
    assert result.code == 1 and result.err.count("✗") == 1
    assert ".Updated" in result.err
    assert setup.remote_log() == before
    conditions = {c["type"]: c for c in status(apiserver, "ImageUpdateAutomation", "apps")["conditions"]}
    assert conditions["Stalled"]["reason"] == "RemovedTemplateField"
