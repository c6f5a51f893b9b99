"""`python -m tests.apiserver.serve`: the emulator for a command, as examples/demo.sh uses it.

Covers: `--git NAMESPACE/NAME=DIR` commits a plain directory (fixed author and
date, so the same files give the same commit), serves it over HTTP and creates
the GitRepository pointing at it (branch main, interval 1m0s), with the URL in
`FLUXPY_DEMO_GIT_URL`; a seeded GitRepository keeps its spec and only gets the
URL; a directory that is a repository already is served as it is, on its own
branch; the Git server is gone once the commands are done; a malformed `--git`
is a usage error; the exit code is the first non-zero one. `--registry
REPO=TAG,...` serves a registry with those tags, its host in
`FLUXPY_DEMO_REGISTRY`, and `${FLUXPY_DEMO_REGISTRY}` replaced by it in seeded
objects and in the `--git` DIR's committed files (the DIR itself untouched);
the registry is gone once the commands are done; without `--registry` nothing
is replaced; a malformed `--registry` is a usage error.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.apiserver import serve
from tests.gitserver import repos

# Run as a command under the emulator: record the GitRepository (read with the
# official client through KUBECONFIG) and the URL variable, then clone the URL
# while it is served, and record what the clone holds.
INSPECT = """\
import json, os, subprocess, sys
from kubernetes import client, config
namespace, name, out, clone = sys.argv[1:]
api = client.CustomObjectsApi(config.new_client_from_config())
obj = api.get_namespaced_custom_object("source.toolkit.fluxcd.io", "v1", namespace, "gitrepositories", name)
url = os.environ["FLUXPY_DEMO_GIT_URL"]
subprocess.run(["git", "clone", "--quiet", url, clone], check=True)
log = subprocess.run(["git", "-C", clone, "log", "--format=%H %an <%ae> %at %s"], check=True,
                     capture_output=True, text=True).stdout.splitlines()
with open(out, "w") as f:
    json.dump({"spec": obj["spec"], "url": url, "log": log}, f)
"""

# Run under `--registry`: record the registry host and the tags it lists.
LIST_TAGS = """\
import json, os, sys, urllib.request
repo, out = sys.argv[1:]
host = os.environ["FLUXPY_DEMO_REGISTRY"]
with urllib.request.urlopen(f"http://{host}/v2/{repo}/tags/list", timeout=10) as answer:
    listed = json.load(answer)
with open(out, "w") as f:
    json.dump({"host": host, "listed": listed}, f)
"""

# Record the ImageRepository's spec, FLUXPY_DEMO_REGISTRY (or None) and the
# served Git repository's apps/deploy.yaml.
INSPECT_IMAGES = """\
import json, os, subprocess, sys
from kubernetes import client, config
out, clone = sys.argv[1:]
api = client.CustomObjectsApi(config.new_client_from_config())
obj = api.get_namespaced_custom_object("image.toolkit.fluxcd.io", "v1", "flux-system", "imagerepositories", "app")
subprocess.run(["git", "clone", "--quiet", os.environ["FLUXPY_DEMO_GIT_URL"], clone], check=True)
with open(os.path.join(clone, "apps", "deploy.yaml")) as f:
    deploy = f.read()
with open(out, "w") as f:
    json.dump({"spec": obj["spec"], "registry": os.environ.get("FLUXPY_DEMO_REGISTRY"), "deploy": deploy}, f)
"""

IMAGE_REPOSITORY = """\
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: app
  namespace: flux-system
spec:
  image: ${FLUXPY_DEMO_REGISTRY}/team/app
  interval: 5m0s
  insecure: true
  exclusionList: ["^${FLUXPY_DEMO_REGISTRY}$", "^sha-"]
"""

DEPLOY = "image: ${FLUXPY_DEMO_REGISTRY}/team/app:1.0.0 # {\"$imagepolicy\": \"flux-system:app\"}\n"

CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: blue\n"


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")


def fleet_dir(root: Path) -> Path:
    repos.write_files(root, {"apps/configmap.yaml": CONFIGMAP, "README.md": "# fleet\n"})
    return root


def inspect(tmp_path: Path, git: str, ref: str = "flux-system/fleet", *, seed: Path | None = None,
            name: str = "run") -> dict[str, Any]:
    """Run `serve.main` with `--git git` and INSPECT as the command; what INSPECT recorded."""
    out, clone = tmp_path / f"{name}.json", tmp_path / f"{name}-clone"
    namespace, obj_name = ref.split("/")
    opts = ["--git", git] + (["--seed", str(seed)] if seed else [])
    code = serve.main([*opts, "--", sys.executable, "-c", INSPECT, namespace, obj_name, str(out), str(clone)])
    assert code == 0
    result: dict[str, Any] = json.loads(out.read_text())
    result["clone"] = clone
    return result


def test_directory_is_committed_served_and_set_on_a_new_git_repository(tmp_path: Path) -> None:
    fleet = fleet_dir(tmp_path / "fleet")
    seen = inspect(tmp_path, f"flux-system/fleet={fleet}")
    assert seen["url"].startswith("http://127.0.0.1:") and seen["url"].endswith("/fleet.git")
    assert seen["spec"] == {"interval": "1m0s", "ref": {"branch": "main"}, "url": seen["url"]}
    assert (seen["clone"] / "apps" / "configmap.yaml").read_text() == CONFIGMAP
    [commit] = seen["log"]
    assert commit.split(" ", 1)[1] == f"Fluxpy Test <test@fluxpy.invalid> {repos.BASE_DATE + 60} Add fleet"
    assert not (fleet / ".git").exists()


def test_same_directory_gives_the_same_commit(tmp_path: Path) -> None:
    fleet = fleet_dir(tmp_path / "fleet")
    first = inspect(tmp_path, f"flux-system/fleet={fleet}", name="first")
    again = inspect(tmp_path, f"flux-system/fleet={fleet}", name="again")
    assert first["log"] == again["log"]


def test_seeded_git_repository_keeps_its_spec_and_gets_the_url(tmp_path: Path) -> None:
    seed = tmp_path / "sources.yaml"
    seed.write_text("apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\n"
                    "metadata:\n  name: flux-system\n  namespace: flux-system\n"
                    "spec:\n  interval: 5m0s\n  ref:\n    branch: main\n"
                    "  url: ssh://git@github.com/example/fleet\n  timeout: 20s\n")
    fleet = fleet_dir(tmp_path / "fleet")
    seen = inspect(tmp_path, f"flux-system/flux-system={fleet}", "flux-system/flux-system", seed=seed)
    assert seen["spec"] == {"interval": "5m0s", "ref": {"branch": "main"}, "timeout": "20s", "url": seen["url"]}


def test_existing_repository_is_served_as_it_is_on_its_branch(tmp_path: Path) -> None:
    repo = repos.make_repo(tmp_path / "team-repo", {"apps/configmap.yaml": CONFIGMAP}, branch="trunk")
    seen = inspect(tmp_path, f"apps/team={repo.path}", "apps/team")
    assert seen["spec"]["ref"] == {"branch": "trunk"}
    assert [line.split()[0] for line in seen["log"]] == [repo.head()]


def test_git_server_stops_with_the_commands(tmp_path: Path) -> None:
    seen = inspect(tmp_path, f"flux-system/fleet={fleet_dir(tmp_path / 'fleet')}")
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{seen['url']}/info/refs?service=git-upload-pack", timeout=5)


@pytest.mark.parametrize("value", ["fleet", "flux-system=fleet", "flux-system/=fleet", "a/b/c=fleet",
                                   "flux-system/fleet=", "flux-system/fleet=no-such-dir"])
def test_malformed_git_option_is_a_usage_error(value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fleet").mkdir()
    with pytest.raises(SystemExit) as exit_info:
        serve.main(["--git", value, "--", sys.executable, "-c", "pass"])
    assert exit_info.value.code == 2
    assert "--git" in capsys.readouterr().err


def test_exit_code_is_the_first_non_zero_one() -> None:
    code = serve.main(["--", sys.executable, "-c", "pass", "--", sys.executable, "-c", "raise SystemExit(3)",
                       "--", sys.executable, "-c", "raise SystemExit(4)"])
    assert code == 3


def test_registry_is_served_with_the_tags_and_its_host_exported(tmp_path: Path) -> None:
    out = tmp_path / "tags.json"
    code = serve.main(["--registry", "team/app=1.0.0,1.1.0,2.0.0-rc.1", "--registry", "team/other=latest",
                       "--", sys.executable, "-c", LIST_TAGS, "team/app", str(out)])
    assert code == 0
    seen = json.loads(out.read_text())
    assert seen["host"].startswith("127.0.0.1:")
    assert seen["listed"]["name"] == "team/app"
    assert sorted(seen["listed"]["tags"]) == ["1.0.0", "1.1.0", "2.0.0-rc.1"]
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://{seen['host']}/v2/", timeout=5)


def test_registry_host_replaces_the_placeholder_in_seeds_and_committed_files(tmp_path: Path) -> None:
    seed = tmp_path / "images.yaml"
    seed.write_text(IMAGE_REPOSITORY)
    fleet = tmp_path / "fleet"
    repos.write_files(fleet, {"apps/deploy.yaml": DEPLOY})
    out, clone = tmp_path / "seen.json", tmp_path / "clone"
    code = serve.main(["--seed", str(seed), "--git", f"flux-system/fleet={fleet}", "--registry", "team/app=1.0.0",
                       "--", sys.executable, "-c", INSPECT_IMAGES, str(out), str(clone)])
    assert code == 0
    seen = json.loads(out.read_text())
    host = seen["registry"]
    assert seen["spec"]["image"] == f"{host}/team/app"
    assert seen["spec"]["exclusionList"] == [f"^{host}$", "^sha-"]
    assert seen["deploy"] == DEPLOY.replace("${FLUXPY_DEMO_REGISTRY}", host)
    assert (fleet / "apps" / "deploy.yaml").read_text() == DEPLOY


def test_without_registry_the_placeholder_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLUXPY_DEMO_REGISTRY", raising=False)
    seed = tmp_path / "images.yaml"
    seed.write_text(IMAGE_REPOSITORY)
    fleet = tmp_path / "fleet"
    repos.write_files(fleet, {"apps/deploy.yaml": DEPLOY})
    out, clone = tmp_path / "seen.json", tmp_path / "clone"
    code = serve.main(["--seed", str(seed), "--git", f"flux-system/fleet={fleet}",
                       "--", sys.executable, "-c", INSPECT_IMAGES, str(out), str(clone)])
    assert code == 0
    seen = json.loads(out.read_text())
    assert seen["registry"] is None
    assert seen["spec"]["image"] == "${FLUXPY_DEMO_REGISTRY}/team/app"
    assert seen["deploy"] == DEPLOY


@pytest.mark.parametrize("value", ["team/app", "team/app=", "=1.0.0", "Team/App=1.0.0", "team/app=1.0.0,",
                                   "team/app=1.0.0,-bad", "team//app=1.0.0"])
def test_malformed_registry_option_is_a_usage_error(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        serve.main(["--registry", value, "--", sys.executable, "-c", "pass"])
    assert exit_info.value.code == 2
    assert "--registry" in capsys.readouterr().err
