"""A repository with a submodule that points at another served repository.

Covers: `git clone --recurse-submodules` of a parent served over HTTP checks
out the submodule from git daemon at the recorded commit, and a clone without
the flag leaves the submodule directory empty.
"""

from __future__ import annotations

from pathlib import Path

from tests.gitserver import repos
from tests.gitserver.daemon import GitDaemon
from tests.gitserver.http import GitHttpServer


def _parent(tmp_path: Path, git_daemon: GitDaemon) -> tuple[repos.Repo, repos.Repo]:
    child = repos.make_repo(tmp_path / "child", {"base/kustomization.yaml": "resources: []\n"})
    child_url = git_daemon.publish(child)
    child.commit({"base/later.yaml": "not: pinned\n"})
    git_daemon.publish(child)  # the submodule pins the first commit, not the tip
    parent = repos.make_repo(tmp_path / "parent", {"app.yaml": "a: 1\n"})
    parent.add_submodule("vendor/child", child_url, child.rev("HEAD~1"))
    return parent, child


def test_recursive_clone_checks_out_the_submodule_at_its_pinned_commit(
        git_daemon: GitDaemon, git_http: GitHttpServer, tmp_path: Path) -> None:
    parent, child = _parent(tmp_path, git_daemon)
    clone = tmp_path / "clone"
    repos.git("clone", "--quiet", "--recurse-submodules", git_http.publish(parent), str(clone))
    sub = clone / "vendor" / "child"
    assert (sub / "base" / "kustomization.yaml").read_text() == "resources: []\n"
    assert not (sub / "base" / "later.yaml").exists()
    assert repos.git("rev-parse", "HEAD", cwd=sub) == child.rev("HEAD~1")


def test_plain_clone_leaves_the_submodule_empty(git_daemon: GitDaemon, git_http: GitHttpServer,
                                                tmp_path: Path) -> None:
    parent, _ = _parent(tmp_path, git_daemon)
    clone = tmp_path / "clone"
    repos.git("clone", "--quiet", git_http.publish(parent), str(clone))
    assert list((clone / "vendor" / "child").iterdir()) == []
