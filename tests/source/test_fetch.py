"""Pulling a Git source (`fluxpy.source.fetch.pull`) from real repositories.

Covers, over `file://` and then the real servers on 127.0.0.1 (git daemon,
smart HTTP without auth, with basic and bearer auth, HTTPS with a private
CA, sshd):
- each ref kind checks out the right tree with Flux's revision string;
  annotated tags give the commit; no `.git` in the work dir;
- a new commit gives a new revision; an unchanged remote gives
  `unchanged=True` after exactly one git process (`ls-remote`) and one
  request, with no mirror created and nothing checked out;
- submodules at their pinned commits (child served by another server);
- wrong password/token, wrong SSH key, unknown and changed host keys, a CA
  that did not sign the server: `AuthenticationFailed` (host key, auth) and
  one-line messages; missing branch/tag/commit, no matching tag, invalid
  range: clear `GitOperationFailed` errors;
- an unresponsive host bounded by the timeout; a server dropping the
  connection mid-fetch; a corrupt mirror is rebuilt once; two pulls sharing
  a mirror at once; a protocol v0 server that refuses unadvertised commits;
- credentials absent from every error message and from disk afterwards.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from fluxpy.source import auth as gitauth
from fluxpy.source import fetch
from fluxpy.source.errors import GitError
from fluxpy.source.types import GitAuth, GitFetchSpec, GitRef
from tests.gitserver import repos
from tests.gitserver.daemon import GitDaemon
from tests.gitserver.http import GitHttpServer
from tests.gitserver.ssh import SshServer

REAL_GIT = shutil.which("git") or "git"


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's git and ssh configuration must not change what the tests see."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    for name in ("GIT_SSL_NO_VERIFY", "GIT_SSH_COMMAND", "GIT_DIR", "GIT_WORK_TREE"):
        monkeypatch.delenv(name, raising=False)
    # Some machines (CI's among them) export a system CA bundle for git; the
    # Secret's ca.crt must still win over it.
    monkeypatch.setenv("GIT_SSL_CAINFO", "/etc/ssl/certs/ca-certificates.crt")


@pytest.fixture
def git_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `git` wrapper first on PATH that logs each invocation; returns the log file."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "git-calls.log"
    log.touch()
    wrapper = bindir / "git"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {REAL_GIT} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    return log


class Env:
    """Paths for one test: cache, work dirs and the private temp root."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache = root / "cache"
        self.secrets = root / "secrets"
        self.secrets.mkdir(parents=True)
        self._n = 0

    def pull(self, url: str, ref: GitRef | None = None, creds: GitAuth | None = None, *,
             timeout: float = 30.0, submodules: bool = False, last: fetch.PullResult | None = None,
             ) -> fetch.PullResult:
        self._n += 1
        spec = GitFetchSpec(url=url, ref=ref or GitRef(branch="main"), recurse_submodules=submodules,
                            timeout=timeout)
        return fetch.pull(spec, creds, cache_dir=self.cache, workdir=self.root / f"work{self._n}",
                          last_commit=last.commit if last else None, tmp_root=self.secrets)

    def assert_no_secret_on_disk(self, *secrets: str) -> None:
        assert list(self.secrets.iterdir()) == []
        for path in self.root.rglob("*"):
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                for value in secrets:
                    assert value.encode() not in data, f"{value!r} found in {path}"


@pytest.fixture
def env(tmp_path: Path) -> Env:
    return Env(tmp_path / "fluxpy")


@pytest.fixture
def repo(tmp_path: Path) -> repos.Repo:
    r = repos.make_repo(tmp_path / "app", {"deploy/app.yaml": "replicas: 1\n", "run.sh": "#!/bin/sh\n"})
    (r.path / "run.sh").chmod(0o755)
    r.git("update-index", "--chmod=+x", "run.sh")
    r.commit(message="make run.sh executable")
    r.tag("v1.0.0", message="release 1.0.0")
    r.commit({"deploy/app.yaml": "replicas: 2\n"}, "scale to 2")
    r.tag("v1.1.0")
    r.create_branch("dev")
    r.commit({"deploy/app.yaml": "replicas: 3\n"}, "scale to 3")
    return r


def file_url(r: repos.Repo) -> str:
    return f"file://{r.path}"


# --- ref kinds over file:// ---------------------------------------------------------------------

def test_branch_checks_out_the_tip_with_flux_revision(env: Env, repo: repos.Repo) -> None:
    res = env.pull(file_url(repo))
    assert res.revision == f"main@sha1:{repo.head()}"
    assert res.checkout is not None
    work = res.checkout.workdir
    assert (work / "deploy" / "app.yaml").read_text() == "replicas: 3\n"
    assert os.access(work / "run.sh", os.X_OK)
    assert not (work / ".git").exists()
    assert res.checkout.subject == "scale to 3"
    assert not res.unchanged


@pytest.mark.parametrize(("ref", "rev", "replicas"), [
    (GitRef(tag="v1.0.0"), "v1.0.0@sha1:{HEAD~2}", "1"),
    (GitRef(tag="v1.1.0"), "v1.1.0@sha1:{HEAD~1}", "2"),
    (GitRef(semver="~1.0"), "v1.0.0@sha1:{HEAD~2}", "1"),
    (GitRef(semver=">=1.0.0"), "v1.1.0@sha1:{HEAD~1}", "2"),
    (GitRef(branch="dev"), "dev@sha1:{HEAD~1}", "2"),
    (GitRef(name="refs/heads/dev"), "refs/heads/dev@sha1:{HEAD~1}", "2"),
    (GitRef(name="refs/tags/v1.0.0"), "refs/tags/v1.0.0@sha1:{HEAD~2}", "1"),
    (GitRef(commit="{HEAD~2}"), "sha1:{HEAD~2}", "1"),
    (GitRef(commit="{HEAD~2}", branch="main"), "main@sha1:{HEAD~2}", "1"),
])
def test_each_ref_kind_checks_out_its_commit(env: Env, repo: repos.Repo, ref: GitRef, rev: str,
                                            replicas: str) -> None:
    def fill(text: str | None) -> str | None:
        if text is None:
            return None
        for name in ("HEAD~2", "HEAD~1"):
            text = text.replace("{" + name + "}", repo.rev(name))
        return text

    ref = GitRef(branch=ref.branch, tag=ref.tag, semver=ref.semver, name=ref.name, commit=fill(ref.commit))
    res = env.pull(file_url(repo), ref)
    assert res.revision == fill(rev)
    assert res.checkout is not None
    assert (res.checkout.workdir / "deploy" / "app.yaml").read_text() == f"replicas: {replicas}\n"


def test_commit_not_on_the_branch_fails(env: Env, repo: repos.Repo) -> None:
    repo.checkout("dev")
    off = repo.commit({"x": "y"}, "only on dev")
    with pytest.raises(GitError, match=f"commit '{off}' is not on branch 'main'"):
        env.pull(file_url(repo), GitRef(commit=off, branch="main"))


def test_new_commit_gives_new_revision_and_same_commit_is_unchanged(env: Env, repo: repos.Repo) -> None:
    first = env.pull(file_url(repo))
    assert env.pull(file_url(repo), last=first).unchanged
    new = repo.commit({"deploy/app.yaml": "replicas: 4\n"})
    second = env.pull(file_url(repo), last=first)
    assert not second.unchanged
    assert second.revision == f"main@sha1:{new}"


def test_unchanged_remote_runs_only_ls_remote(env: Env, repo: repos.Repo, git_calls: Path) -> None:
    first = env.pull(file_url(repo))
    shutil.rmtree(env.cache)
    git_calls.write_text("")
    res = env.pull(file_url(repo), last=first)
    assert res.unchanged and res.checkout is None and res.commit == first.commit
    assert git_calls.read_text().split("\n")[:-1] == [f"ls-remote --heads {file_url(repo)} refs/heads/main"]
    assert not env.cache.exists()


def test_first_pull_runs_six_git_processes(env: Env, repo: repos.Repo, git_calls: Path) -> None:
    env.pull(file_url(repo))
    known = {"ls-remote", "init", "cat-file", "fetch", "read-tree", "merge-base", "ls-tree", "config"}
    verbs = [next(w for w in line.split() if w in known) for line in git_calls.read_text().splitlines()]
    assert verbs == ["ls-remote", "init", "cat-file", "fetch", "cat-file", "read-tree"]


@pytest.mark.parametrize(("ref", "message"), [
    (GitRef(branch="nope"), "branch 'nope' not found in file://"),
    (GitRef(tag="v9"), "tag 'v9' not found in file://"),
    (GitRef(commit="f" * 40), f"commit '{'f' * 40}' not found in file://"),
    (GitRef(semver=">=5.0.0"), "no tag of file://"),
    (GitRef(semver="=>>1"), "invalid semver range '=>>1'"),
])
def test_missing_refs_fail_clearly(env: Env, repo: repos.Repo, ref: GitRef, message: str) -> None:
    with pytest.raises(GitError) as info:
        env.pull(file_url(repo), ref)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert info.value.reason == "GitOperationFailed"


def test_missing_repository_is_a_git_operation_failure(env: Env, tmp_path: Path) -> None:
    with pytest.raises(GitError) as info:
        env.pull(f"file://{tmp_path}/absent.git")
    assert str(info.value).startswith(f"git failed fetching file://{tmp_path}/absent.git")


def test_mirror_is_keyed_by_url_without_credentials(tmp_path: Path) -> None:
    assert (fetch.mirror_path(tmp_path, "https://u:p@h/r.git")
            == fetch.mirror_path(tmp_path, "https://h/r.git"))
    assert fetch.mirror_path(tmp_path, "https://h/r.git").parent == tmp_path / "git"


def test_corrupt_mirror_is_rebuilt_once(env: Env, repo: repos.Repo) -> None:
    env.pull(file_url(repo))
    mirror = fetch.mirror_path(env.cache, file_url(repo))
    for path in (mirror / "objects").rglob("*"):
        if path.is_file():
            path.chmod(stat.S_IWUSR | stat.S_IRUSR)
            path.write_bytes(b"garbage")
    res = env.pull(file_url(repo))
    assert res.checkout is not None
    assert (res.checkout.workdir / "deploy" / "app.yaml").read_text() == "replicas: 3\n"


def test_half_created_mirror_is_replaced(env: Env, repo: repos.Repo) -> None:
    mirror = fetch.mirror_path(env.cache, file_url(repo))
    mirror.mkdir(parents=True)
    (mirror / "config").write_text("[core]\n")
    assert env.pull(file_url(repo)).checkout is not None


def test_two_pulls_share_a_mirror_safely(env: Env, repo: repos.Repo) -> None:
    results: list[fetch.PullResult] = []
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            spec = GitFetchSpec(url=file_url(repo), ref=GitRef(branch="main"))
            results.append(fetch.pull(spec, None, cache_dir=env.cache, workdir=env.root / f"t{n}",
                                      tmp_root=env.secrets))
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert {r.commit for r in results} == {repo.head()}


def test_protocol_v0_server_falls_back_to_fetching_the_ref(env: Env, repo: repos.Repo,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path) -> None:
    gitconfig = tmp_path / "gitconfig-v0"
    gitconfig.write_text("[protocol]\n\tversion = 0\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    assert env.pull(file_url(repo), GitRef(commit=repo.rev("HEAD~1"))).revision == f"sha1:{repo.rev('HEAD~1')}"
    assert env.pull(file_url(repo), GitRef(tag="v1.0.0")).commit == repo.rev("HEAD~2")


def test_unsupported_scheme_is_refused(env: Env) -> None:
    with pytest.raises(GitError, match="unsupported URL"):
        env.pull("ext::sh -c touch% /tmp/pwned")


@pytest.mark.parametrize(("parent", "url", "expected"), [
    ("https://h/org/app.git", "../lib.git", "https://h/org/lib.git"),
    ("https://h/org/app.git/", "./lib", "https://h/org/app.git/lib"),
    ("ssh://git@h/org/app.git", "../../x/lib.git", "ssh://git@h/x/lib.git"),
    ("https://h/org/app.git", "git://other/lib.git", "git://other/lib.git"),
])
def test_relative_submodule_urls(parent: str, url: str, expected: str) -> None:
    assert fetch.submodule_url(parent, url) == expected


# --- a host that never answers ------------------------------------------------------------------

@pytest.fixture
def silent_host() -> Iterator[str]:
    """A TCP port that accepts connections (kernel backlog) and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        yield f"127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


@pytest.mark.parametrize("scheme", ["http", "git"])
def test_unresponsive_host_is_bounded_by_the_timeout(env: Env, silent_host: str, scheme: str) -> None:
    url = f"{scheme}://{silent_host}/app.git"
    with pytest.raises(GitError) as info:
        env.pull(url, timeout=1)
    assert str(info.value) == f"timed out after 1s fetching {url}"


# --- real servers -------------------------------------------------------------------------------

def test_git_daemon_every_ref_kind(env: Env, repo: repos.Repo, git_daemon: GitDaemon) -> None:
    url = git_daemon.publish(repo)
    assert env.pull(url).revision == f"main@sha1:{repo.head()}"
    assert env.pull(url, GitRef(tag="v1.0.0")).commit == repo.rev("HEAD~2")
    assert env.pull(url, GitRef(semver="1.x")).revision == f"v1.1.0@sha1:{repo.rev('HEAD~1')}"
    assert env.pull(url, GitRef(name="refs/heads/dev")).revision == f"refs/heads/dev@sha1:{repo.rev('HEAD~1')}"
    assert env.pull(url, GitRef(commit=repo.rev("HEAD~2"))).revision == f"sha1:{repo.rev('HEAD~2')}"


def test_git_daemon_unchanged_is_one_request(env: Env, repo: repos.Repo, git_daemon: GitDaemon) -> None:
    url = git_daemon.publish(repo)
    first = env.pull(url)
    git_daemon.reset()
    assert env.pull(url, last=first).unchanged
    assert git_daemon.requests() == [("upload-pack", url.split(str(git_daemon.port), 1)[1])]


def test_http_new_commit_then_unchanged(env: Env, repo: repos.Repo, git_http: GitHttpServer) -> None:
    url = git_http.publish(repo)
    first = env.pull(url)
    new = repo.commit({"deploy/app.yaml": "replicas: 5\n"})
    git_http.publish(repo)
    second = env.pull(url, last=first)
    assert second.revision == f"main@sha1:{new}"
    git_http.reset()
    third = env.pull(url, last=second)
    assert third.unchanged and third.checkout is None
    commands = [(r.method, r.command) for r in git_http.requests]
    assert ("POST", "fetch") not in commands
    assert len([c for c in commands if c[1] == "ls-refs"]) == 1


def test_http_server_dropping_the_connection_mid_fetch(env: Env, tmp_path: Path,
                                                       git_http: GitHttpServer) -> None:
    big = repos.make_repo(tmp_path / "big", {f"f{i}.txt": os.urandom(2048).hex() for i in range(50)})
    url = git_http.publish(big)
    git_http.faults.drop_after_bytes = 4096
    with pytest.raises(GitError) as info:
        env.pull(url)
    assert str(info.value).startswith(f"git failed fetching {url}")
    git_http.faults.drop_after_bytes = None
    assert env.pull(url).commit == big.head()


def test_http_basic_auth(env: Env, repo: repos.Repo, git_http_basic: GitHttpServer) -> None:
    url = git_http_basic.publish(repo)
    creds = GitAuth(username=git_http_basic.username, password=git_http_basic.password)
    assert env.pull(url, creds=creds).commit == repo.head()
    env.assert_no_secret_on_disk(git_http_basic.password)


def test_http_password_in_url_is_used_but_never_shown(env: Env, repo: repos.Repo,
                                                      git_http_basic: GitHttpServer,
                                                      git_calls: Path) -> None:
    url = git_http_basic.publish(repo)
    res = env.pull(git_http_basic.url_with_credentials(url))
    assert res.commit == repo.head()
    assert git_http_basic.password not in git_calls.read_text()


def test_http_wrong_password(env: Env, repo: repos.Repo, git_http_basic: GitHttpServer) -> None:
    url = git_http_basic.publish(repo)
    with pytest.raises(GitError) as info:
        env.pull(url, creds=GitAuth(username=git_http_basic.username, password="wrong-pass-123"))
    assert info.value.reason == "AuthenticationFailed"
    assert str(info.value).startswith(f"authentication failed fetching {url}")
    assert "wrong-pass-123" not in str(info.value) + (info.value.hint or "")
    env.assert_no_secret_on_disk("wrong-pass-123")


def test_http_missing_credentials(env: Env, repo: repos.Repo, git_http_basic: GitHttpServer) -> None:
    url = git_http_basic.publish(repo)
    with pytest.raises(GitError) as info:
        env.pull(url)
    assert info.value.reason == "AuthenticationFailed"


def test_http_bearer_token(env: Env, repo: repos.Repo, git_http_bearer: GitHttpServer) -> None:
    url = git_http_bearer.publish(repo)
    assert env.pull(url, creds=GitAuth(bearer_token=git_http_bearer.token)).commit == repo.head()
    with pytest.raises(GitError) as info:
        env.pull(url, creds=GitAuth(bearer_token="wrong-token-456"))
    assert info.value.reason == "AuthenticationFailed"
    assert "wrong-token-456" not in str(info.value)
    env.assert_no_secret_on_disk(git_http_bearer.token, "wrong-token-456")


def test_https_with_the_secret_ca(env: Env, repo: repos.Repo, git_https: GitHttpServer) -> None:
    assert git_https.tls is not None
    url = git_https.publish(repo)
    creds = GitAuth(username=git_https.username, password=git_https.password, ca_pem=git_https.tls.ca_pem)
    assert env.pull(url, creds=creds).commit == repo.head()
    env.assert_no_secret_on_disk(git_https.password)


def test_https_with_an_unrelated_ca_fails(env: Env, repo: repos.Repo, git_https: GitHttpServer) -> None:
    assert git_https.tls is not None
    url = git_https.publish(repo)
    creds = GitAuth(username=git_https.username, password=git_https.password,
                    ca_pem=git_https.tls.other_ca_pem)
    with pytest.raises(GitError) as info:
        env.pull(url, creds=creds)
    assert "certificate" in str(info.value).lower()
    assert git_https.password not in str(info.value)


def _ssh_auth(server: SshServer, *, key: str = "ed25519_key", known_hosts: Path | None = None) -> GitAuth:
    pair = getattr(server, key)
    return GitAuth(ssh_identity=pair.private_pem, ssh_passphrase=pair.passphrase,
                   known_hosts=(known_hosts or server.known_hosts).read_bytes())


def test_ssh_key_and_unchanged(env: Env, repo: repos.Repo, git_sshd: SshServer) -> None:
    url = git_sshd.publish(repo)
    creds = _ssh_auth(git_sshd)
    first = env.pull(url, creds=creds)
    assert first.revision == f"main@sha1:{repo.head()}"
    assert env.pull(url, GitRef(tag="v1.0.0"), creds).commit == repo.rev("HEAD~2")
    assert env.pull(url, creds=creds, last=first).unchanged
    env.assert_no_secret_on_disk(git_sshd.ed25519_key.public_line.split()[1])


def test_ssh_key_with_passphrase(env: Env, repo: repos.Repo, git_sshd: SshServer) -> None:
    url = git_sshd.publish(repo)
    creds = _ssh_auth(git_sshd, key="rsa_key")
    assert creds.ssh_passphrase
    assert env.pull(url, creds=creds).commit == repo.head()
    env.assert_no_secret_on_disk(creds.ssh_passphrase)


def test_ssh_wrong_key(env: Env, repo: repos.Repo, git_sshd: SshServer) -> None:
    url = git_sshd.publish(repo)
    with pytest.raises(GitError) as info:
        env.pull(url, creds=_ssh_auth(git_sshd, key="stranger_key"))
    assert info.value.reason == "AuthenticationFailed"
    assert str(info.value).startswith(f"authentication failed fetching {gitauth.redact_url(url)}")


def test_ssh_changed_host_key_is_refused(env: Env, repo: repos.Repo, git_sshd: SshServer) -> None:
    url = git_sshd.publish(repo)
    with pytest.raises(GitError) as info:
        env.pull(url, creds=_ssh_auth(git_sshd, known_hosts=git_sshd.wrong_known_hosts))
    assert info.value.reason == "AuthenticationFailed"
    assert str(info.value).startswith("host key verification failed for ")


def test_ssh_unknown_host_is_refused(env: Env, repo: repos.Repo, git_sshd: SshServer,
                                     tmp_path: Path) -> None:
    url = git_sshd.publish(repo)
    other = tmp_path / "kh"
    other.write_text(f"[example.invalid]:22 {git_sshd.host_key.public_line}\n")
    with pytest.raises(GitError) as info:
        env.pull(url, creds=_ssh_auth(git_sshd, known_hosts=other))
    assert str(info.value).startswith("host key verification failed for ")


def test_submodules_are_checked_out_at_their_pinned_commit(env: Env, tmp_path: Path, git_daemon: GitDaemon,
                                                          git_http: GitHttpServer) -> None:
    child = repos.make_repo(tmp_path / "child", {"base/kustomization.yaml": "resources: []\n"})
    child_url = git_daemon.publish(child)
    pinned = child.head()
    child.commit({"base/later.yaml": "not: pinned\n"})
    git_daemon.publish(child)
    parent = repos.make_repo(tmp_path / "parent", {"app.yaml": "a: 1\n"})
    parent.add_submodule("vendor/child", child_url, pinned)
    url = git_http.publish(parent)
    res = env.pull(url, submodules=True)
    assert res.checkout is not None
    sub = res.checkout.workdir / "vendor" / "child"
    assert (sub / "base" / "kustomization.yaml").read_text() == "resources: []\n"
    assert not (sub / "base" / "later.yaml").exists()
    plain = env.pull(url)
    assert plain.checkout is not None
    assert list((plain.checkout.workdir / "vendor" / "child").iterdir()) == []
