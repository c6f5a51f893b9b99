"""`git daemon` serves published repositories over git:// and accepts pushes.

Covers: a clone gets the published branch; re-publishing makes new commits
fetchable at the same URL; a push updates the served repository; the request
log names each service call; an unknown repository is refused with an error.
"""

from __future__ import annotations

from pathlib import Path

from tests.gitserver import repos
from tests.gitserver.daemon import GitDaemon


def test_clone_over_git_protocol_gets_the_published_branch(git_daemon: GitDaemon,
                                                           tmp_path: Path) -> None:
    repo = repos.make_repo(tmp_path / "app", {"deploy.yaml": "kind: Deployment\n"})
    url = git_daemon.publish(repo)
    assert url == f"git://127.0.0.1:{git_daemon.port}/{url.rsplit('/', 1)[1]}"
    repos.git("clone", "--quiet", url, str(tmp_path / "clone"))
    assert (tmp_path / "clone" / "deploy.yaml").read_text() == "kind: Deployment\n"
    assert repos.git("rev-parse", "HEAD", cwd=tmp_path / "clone") == repo.head()


def test_republishing_serves_new_commits_at_the_same_url(git_daemon: GitDaemon,
                                                         tmp_path: Path) -> None:
    repo = repos.make_repo(tmp_path / "app", {"a": "1"})
    url = git_daemon.publish(repo)
    new = repo.commit({"a": "2"})
    assert git_daemon.publish(repo) == url
    assert repos.git("ls-remote", url, "refs/heads/main").split()[0] == new


def test_push_over_git_protocol_updates_the_served_repository(git_daemon: GitDaemon,
                                                              tmp_path: Path) -> None:
    url = git_daemon.publish(repos.make_repo(tmp_path / "app", {"a": "1"}))
    work = tmp_path / "work"
    repos.git("clone", "--quiet", url, str(work))
    pushed = repos.Repo(work, "main")
    new = pushed.commit({"image.yaml": "tag: v2\n"}, "update image")
    pushed.git("push", "--quiet", "origin", "main")
    name = url.rsplit("/", 1)[1]
    assert repos.git("rev-parse", "main", cwd=git_daemon.repo_path(name)) == new


def test_request_log_lists_each_service_call(git_daemon: GitDaemon, tmp_path: Path) -> None:
    url = git_daemon.publish(repos.make_repo(tmp_path / "app", {"a": "1"}))
    repos.git("ls-remote", url)
    name = "/" + url.rsplit("/", 1)[1]
    assert git_daemon.requests() == [("upload-pack", name)]


def test_unknown_repository_is_refused(git_daemon: GitDaemon, tmp_path: Path) -> None:
    result = repos.run("clone", f"{git_daemon.base_url}/missing.git", str(tmp_path / "c"))
    assert result.returncode != 0
    assert "missing.git" in result.stderr
