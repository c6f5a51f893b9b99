"""Server-side hooks and push options on the test Git servers, checked with the plain git CLI.

Covers: a `pre-receive` hook installed with `set_hook()` declines a push over
HTTP and SSH, its stderr reaching the client as `remote:` lines and the
served branch staying where it was; removing the hook lets the push through;
push options (`git push -o`) reach the hook, because served repositories
advertise them; `path_of()` finds the repository behind a published URL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitserver import repos
from tests.gitserver.http import GitHttpServer
from tests.gitserver.ssh import SshServer

DECLINE = "#!/bin/sh\necho 'branch main is protected' >&2\nexit 1\n"
RECORD_OPTIONS = """#!/bin/sh
i=0
: > "$GIT_DIR/push-options"
while [ "$i" -lt "${GIT_PUSH_OPTION_COUNT:-0}" ]; do
  eval "printf '%s\\n' \\"\\$GIT_PUSH_OPTION_$i\\"" >> "$GIT_DIR/push-options"
  i=$((i + 1))
done
"""


def _work_clone(url: str, tmp_path: Path, env: dict[str, str] | None = None) -> repos.Repo:
    work = tmp_path / "work"
    repos.git("clone", "--quiet", url, str(work), env=env)
    clone = repos.Repo(work, "main")
    clone.commit({"image.yaml": "tag: v2\n"}, "update image")
    return clone


def test_path_of_finds_the_served_repository(git_http: GitHttpServer, tmp_path: Path) -> None:
    url = git_http.publish(repos.make_repo(tmp_path / "app", {"a.yaml": "a: 1\n"}))
    assert (git_http.path_of(url) / "HEAD").is_file()
    with pytest.raises(KeyError):
        git_http.path_of(url + "-missing")


def test_pre_receive_hook_declines_a_push_over_http(git_http: GitHttpServer, tmp_path: Path) -> None:
    source = repos.make_repo(tmp_path / "app", {"a.yaml": "a: 1\n"})
    url = git_http.publish(source)
    git_http.set_hook(url, "pre-receive", DECLINE)
    clone = _work_clone(url, tmp_path)
    result = repos.run("push", "origin", "main", cwd=clone.path)
    assert result.returncode != 0
    assert "remote: branch main is protected" in result.stderr
    assert "pre-receive hook declined" in result.stderr
    assert repos.git("rev-parse", "main", cwd=git_http.path_of(url)) == source.head()

    git_http.set_hook(url, "pre-receive", None)
    repos.git("push", "--quiet", "origin", "main", cwd=clone.path)
    assert repos.git("rev-parse", "main", cwd=git_http.path_of(url)) == clone.head()


def test_pre_receive_hook_declines_a_push_over_ssh(git_sshd: SshServer, tmp_path: Path) -> None:
    url = git_sshd.publish(repos.make_repo(tmp_path / "app", {"a.yaml": "a: 1\n"}))
    git_sshd.set_hook(url, "pre-receive", DECLINE)
    env = {"GIT_SSH_COMMAND": git_sshd.ssh_command(git_sshd.ed25519_key)}
    clone = _work_clone(url, tmp_path, env)
    result = repos.run("push", "origin", "main", cwd=clone.path, env=env)
    assert result.returncode != 0
    assert "branch main is protected" in result.stderr


def test_push_options_reach_the_hook(git_http: GitHttpServer, tmp_path: Path) -> None:
    url = git_http.publish(repos.make_repo(tmp_path / "app", {"a.yaml": "a: 1\n"}))
    git_http.set_hook(url, "pre-receive", RECORD_OPTIONS)
    clone = _work_clone(url, tmp_path)
    repos.git("push", "--quiet", "-o", "merge_request.create", "-o", "topic=images", "origin", "main",
              cwd=clone.path)
    recorded = (git_http.path_of(url) / "push-options").read_text().splitlines()
    assert recorded == ["merge_request.create", "topic=images"]
