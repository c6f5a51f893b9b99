"""Clone, commit and push for image automation, against the real Git servers on 127.0.0.1.

Covers:
- checkout: a shallow working clone (with `.git`, no remote, no hooks) on the
  push branch; Flux's revision; a ref without a branch needs a push branch;
  an unknown SSH host key is refused;
- commit and push over HTTP with basic auth, HTTPS with a custom CA, a bearer
  token, and SSH with a passphrase-protected key: author = committer, the
  message byte for byte, the parent, `lastPushCommit`, the event summary;
- a push branch that does not exist is created from the checkout; one that
  exists is continued from its head (force-pushed as Flux does), or, with
  `start_from_push_branch=False`, overwritten from the checkout;
- `push.refspec` (also Gerrit's `HEAD:refs/for/main`) is pushed after the
  branch; forced, deleting and malformed refspecs are refused before any commit;
- push options reach the server sorted as `key=value`, and are dropped when
  the server does not advertise them;
- nothing to change: no commit, no push;
- a push race (another commit lands after the clone): fetch, redo, retry; the
  result is linear history holding both commits; a race on every attempt
  fails after the limit with one line; a declined push (pre-receive hook)
  fails at once with the server's words, without retrying; a push that
  times out is killed; in every failure the clone is left as the caller had it;
- GPG signing (passphrase-protected key) and SSH signing pass `git
  verify-commit`; unusable keys fail before anything is committed;
- credentials never appear in git's argv, `.git`, results or error messages;
- `signing_key_from_secret` reads Flux's keys; `PushResult.summary` is Flux's text.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from git.cmd import Git as GitCommand

from fluxpy.image import checkout as gitcheckout
from fluxpy.image import push
from fluxpy.source.errors import AUTHENTICATION_FAILED, GitError
from fluxpy.source.types import GitAuth, GitRef
from tests.gitserver import repos
from tests.gitserver.base import RepoRoot
from tests.gitserver.http import GitHttpServer
from tests.gitserver.ssh import RSA_PASSPHRASE, SshServer, make_key

AUTHOR = ("Flux Bot", "fluxbot@example.com")
MESSAGE = "Update from image update automation"
MAIN = GitRef(branch="main")
GPG_PASSPHRASE = "gpg-key-passphrase"


# --- helpers ------------------------------------------------------------------------------------

def _source(tmp_path: Path) -> repos.Repo:
    return repos.make_repo(tmp_path / "app", {"apps/app.yaml": "image: app:v1 # {\"$imagepolicy\": \"ns:app\"}\n",
                                              "README.md": "fleet\n"})


def _bump(tag: str = "v2", calls: list[Path] | None = None) -> Callable[[Path], bool]:
    """A stand-in for the setters update: set the app image tag; report whether the file changed."""
    def redo(workdir: Path) -> bool:
        if calls is not None:
            calls.append(workdir)
        path = workdir / "apps" / "app.yaml"
        old = path.read_text()
        new = re.sub(r"app:v\d+", f"app:{tag}", old)
        if new == old:
            return False
        path.write_text(new)
        return True
    return redo


def _commit_and_push(co: gitcheckout.Checkout, **kwargs: Any) -> push.PushResult | None:
    kwargs.setdefault("redo", _bump())
    kwargs.setdefault("message", MESSAGE)
    return push.commit_and_push(co, author_name=AUTHOR[0], author_email=AUTHOR[1], **kwargs)


def _served(server: RepoRoot, url: str, ref: str) -> str:
    return repos.git("rev-parse", "--verify", "--quiet", ref, cwd=server.path_of(url))


def _first_parents(server: RepoRoot, url: str, ref: str) -> list[str]:
    return repos.git("rev-list", "--first-parent", ref, cwd=server.path_of(url)).split()


def _land(server: RepoRoot, url: str, tmp_path: Path, files: dict[str, str], *, branch: str = "main") -> str:
    """Another writer: commit `files` on `branch` of the served repository, directly on disk."""
    work = Path(tempfile.mkdtemp(prefix="racer-", dir=tmp_path))
    repos.git("clone", "--quiet", "--branch", branch, str(server.path_of(url)), str(work / "c"))
    racer = repos.Repo(work / "c", branch)
    head = racer.commit(files, f"racer {sorted(files)}")
    racer.git("push", "--quiet", "origin", branch)
    return head


def _receive_packs(server: GitHttpServer) -> int:
    """Pushes the server saw (each starts with a receive-pack ref advertisement)."""
    return sum(1 for r in server.requests if r.method == "GET" and r.service == "git-receive-pack")


def _clone_state(co: gitcheckout.Checkout) -> tuple[str, str]:
    head = repos.git("rev-parse", "HEAD", cwd=co.workdir)
    status = repos.git("status", "--porcelain", cwd=co.workdir)
    return head, status


def _commit_object(server: RepoRoot, url: str, commit: str) -> str:
    return repos.git("cat-file", "commit", commit, cwd=server.path_of(url))


# --- fixtures -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class GpgKeys:
    """Test OpenPGP keys: `secret` is protected by `GPG_PASSPHRASE`, `other` has no passphrase."""

    secret: bytes
    public: bytes
    other: bytes
    fingerprint: str


def _gpg(home: Path, *args: str, stdin: bytes | None = None) -> bytes:
    env = {"PATH": os.environ["PATH"], "GNUPGHOME": str(home), "LC_ALL": "C"}
    done = subprocess.run(["gpg", "--homedir", str(home), "--batch", "--no-tty", *args], input=stdin,
                          capture_output=True, env=env, timeout=120, check=True)
    return done.stdout


@pytest.fixture(scope="session")
def gpg_keys() -> Iterator[GpgKeys]:
    if shutil.which("gpg") is None:
        pytest.fail("gpg is required for the signing tests (apt-get install gnupg)")
    home = Path(tempfile.mkdtemp(prefix="fxgpg-"))  # short: gpg-agent's socket lives here
    try:
        _gpg(home, "--pinentry-mode", "loopback", "--passphrase", GPG_PASSPHRASE, "--quick-gen-key",
             f"{AUTHOR[0]} <{AUTHOR[1]}>", "ed25519", "sign", "never")
        _gpg(home, "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key",
             "Other <other@example.com>", "ed25519", "sign", "never")
        listing = _gpg(home, "--with-colons", "--list-secret-keys", AUTHOR[1]).decode()
        fingerprint = next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))
        secret = _gpg(home, "--pinentry-mode", "loopback", "--passphrase", GPG_PASSPHRASE, "--armor",
                      "--export-secret-keys", fingerprint)
        other = _gpg(home, "--pinentry-mode", "loopback", "--passphrase", "", "--armor",
                     "--export-secret-keys", "other@example.com")
        public = _gpg(home, "--armor", "--export", fingerprint)
        yield GpgKeys(secret, public, other, fingerprint)
    finally:
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], capture_output=True, check=False,
                       env={"PATH": os.environ["PATH"], "GNUPGHOME": str(home)})
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def verify_home(gpg_keys: GpgKeys) -> Iterator[Path]:
    """A GnuPG home that knows only the public key, for `git verify-commit`."""
    home = Path(tempfile.mkdtemp(prefix="fxver-"))
    try:
        _gpg(home, "--import", stdin=gpg_keys.public)
        yield home
    finally:
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], capture_output=True, check=False,
                       env={"PATH": os.environ["PATH"], "GNUPGHOME": str(home)})
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def http_repo(git_http: GitHttpServer, tmp_path: Path) -> tuple[repos.Repo, str]:
    source = _source(tmp_path)
    return source, git_http.publish(source)


# --- checkout -----------------------------------------------------------------------------------

def test_checkout_is_a_shallow_working_clone_on_the_push_branch(http_repo: tuple[repos.Repo, str],
                                                                tmp_path: Path) -> None:
    source, url = http_repo
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work", timeout=30)
    assert (co.workdir / ".git").is_dir()
    assert (co.workdir / ".git" / "shallow").read_text().split() == [source.head()]
    assert co.commit == co.head == source.head()
    assert co.revision == f"main@sha1:{source.head()}"
    assert (co.branch, co.checkout_branch, co.switched, co.shallow) == ("main", "main", False, True)
    assert repos.git("symbolic-ref", "HEAD", cwd=co.workdir) == "refs/heads/main"
    assert (co.workdir / "apps" / "app.yaml").read_text().startswith("image: app:v1")
    assert repos.git("remote", cwd=co.workdir) == ""
    assert not (co.workdir / ".git" / "hooks").exists()
    assert repos.git("config", "core.hooksPath", cwd=co.workdir) == os.devnull
    assert repos.git("config", "core.autocrlf", cwd=co.workdir) == "false"
    assert repos.git("status", "--porcelain", cwd=co.workdir) == ""


def test_checkout_refuses_a_non_empty_work_dir(http_repo: tuple[repos.Repo, str], tmp_path: Path) -> None:
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "x").write_text("x")
    with pytest.raises(GitError, match="not empty"):
        gitcheckout.checkout(http_repo[1], MAIN, None, tmp_path / "work")


@pytest.mark.parametrize("ref", [GitRef(tag="v1"), GitRef(), None], ids=["tag", "empty-ref", "no-ref"])
def test_a_ref_without_a_branch_needs_a_push_branch(ref: GitRef | None, git_http: GitHttpServer,
                                                    tmp_path: Path) -> None:
    source = _source(tmp_path)
    source.tag("v1")
    url = git_http.publish(source)
    with pytest.raises(GitError) as info:
        gitcheckout.checkout(url, ref, None, tmp_path / "work")
    assert str(info.value) == (f"cannot push to {url}: push spec not provided, and cannot be inferred from "
                               ".spec.git.checkout.ref or GitRepository .spec.ref")
    assert info.value.reason == "SourceManagerFailed"
    assert git_http.requests == []  # refused before any network traffic


def test_a_tag_checkout_pushes_to_a_new_push_branch(git_http: GitHttpServer, tmp_path: Path) -> None:
    source = _source(tmp_path)
    tagged = source.tag("v1")
    source.commit({"later.txt": "x\n"})
    url = git_http.publish(source)
    co = gitcheckout.checkout(url, GitRef(tag="v1"), None, tmp_path / "work", push_branch="release")
    assert (co.commit, co.revision, co.branch, co.switched) == (tagged, f"v1@sha1:{tagged}", "release", True)
    _bump()(co.workdir)
    result = _commit_and_push(co, push_branch="release")
    assert result is not None
    assert _first_parents(git_http, url, "refs/heads/release")[:2] == [result.commit, tagged]
    assert _served(git_http, url, "refs/heads/main") == source.head()


def test_checkout_refuses_an_unknown_ssh_host_key(git_sshd: SshServer, tmp_path: Path) -> None:
    url = git_sshd.publish(_source(tmp_path))
    auth = GitAuth(ssh_identity=git_sshd.ed25519_key.private_pem,
                   known_hosts=git_sshd.wrong_known_hosts.read_bytes())
    with pytest.raises(GitError) as info:
        gitcheckout.checkout(url, MAIN, auth, tmp_path / "work", timeout=30)
    assert info.value.reason == AUTHENTICATION_FAILED
    assert "host key verification failed" in str(info.value)


# --- commit and push over each transport ----------------------------------------------------------

def _http_auth(server: GitHttpServer) -> GitAuth:
    if server.auth.value == "bearer":
        return GitAuth(bearer_token=server.token, ca_pem=server.tls.ca_pem if server.tls else None)
    return GitAuth(username=server.username, password=server.password,
                   ca_pem=server.tls.ca_pem if server.tls else None)


@pytest.mark.parametrize("fixture", ["git_http_basic", "git_https", "git_http_bearer"])
def test_commit_and_push_over_http(fixture: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    server: GitHttpServer = request.getfixturevalue(fixture)
    source = _source(tmp_path)
    url = server.publish(source)
    co = gitcheckout.checkout(url, MAIN, _http_auth(server), tmp_path / "work", timeout=30)
    assert _bump()(co.workdir)
    before = datetime.now(UTC).replace(microsecond=0)
    result = _commit_and_push(co)
    assert result is not None
    assert _served(server, url, "refs/heads/main") == result.commit
    assert _first_parents(server, url, "refs/heads/main") == [result.commit, source.head()]
    body = _commit_object(server, url, result.commit)
    author = re.search(r"^author (.*) (\d+) \+0000$", body, re.MULTILINE)
    committer = re.search(r"^committer (.*) (\d+) \+0000$", body, re.MULTILINE)
    assert author is not None and committer is not None
    assert author.group(1) == committer.group(1) == f"{AUTHOR[0]} <{AUTHOR[1]}>"
    assert author.group(2) == committer.group(2)
    assert datetime.fromtimestamp(int(author.group(2)), UTC) >= before
    assert body.endswith("\n\n" + MESSAGE)  # stored byte for byte, no newline added
    assert (result.branch, result.message, result.attempts, result.pushed, result.switched) == (
        "main", MESSAGE, 1, True, False)
    assert result.time - datetime.now(UTC) < timedelta(seconds=5)
    assert result.revision == f"main@sha1:{result.commit}"
    assert result.summary() == f"pushed commit '{result.commit[:7]}' to branch 'main'\n{MESSAGE}"
    assert repos.git("show", f"{result.commit}:apps/app.yaml", cwd=server.path_of(url)).startswith(
        "image: app:v2")


def test_commit_and_push_over_ssh_with_a_passphrase_protected_key(git_sshd: SshServer, tmp_path: Path) -> None:
    source = _source(tmp_path)
    url = git_sshd.publish(source)
    auth = GitAuth(ssh_identity=git_sshd.rsa_key.private_pem, ssh_passphrase=RSA_PASSPHRASE,
                   known_hosts=git_sshd.known_hosts.read_bytes())
    co = gitcheckout.checkout(url, MAIN, auth, tmp_path / "work", timeout=30)
    _bump()(co.workdir)
    result = _commit_and_push(co)
    assert result is not None
    assert _first_parents(git_sshd, url, "refs/heads/main") == [result.commit, source.head()]


# --- branches and refspecs ------------------------------------------------------------------------

def test_a_missing_push_branch_is_created_from_the_checkout(http_repo: tuple[repos.Repo, str],
                                                            git_http: GitHttpServer, tmp_path: Path) -> None:
    source, url = http_repo
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work", push_branch="auto")
    assert (co.branch, co.head, co.switched) == ("auto", source.head(), True)
    _bump()(co.workdir)
    result = _commit_and_push(co, push_branch="auto")
    assert result is not None and result.switched
    assert _first_parents(git_http, url, "refs/heads/auto") == [result.commit, source.head()]
    assert _served(git_http, url, "refs/heads/main") == source.head()
    assert result.summary().startswith(f"pushed commit '{result.commit[:7]}' to branch 'auto'\n")


def test_an_existing_push_branch_is_continued_from_its_head(http_repo: tuple[repos.Repo, str],
                                                            git_http: GitHttpServer, tmp_path: Path) -> None:
    source, url = http_repo
    source.create_branch("auto")
    git_http.publish(source)
    earlier = _land(git_http, url, tmp_path, {"earlier.txt": "from an earlier run\n"}, branch="auto")
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work", push_branch="auto")
    assert (co.commit, co.head) == (source.head(), earlier)
    assert (co.workdir / "earlier.txt").is_file()
    _bump()(co.workdir)
    result = _commit_and_push(co, push_branch="auto")
    assert result is not None
    assert _first_parents(git_http, url, "refs/heads/auto")[:2] == [result.commit, earlier]


def test_without_start_from_push_branch_the_push_branch_is_overwritten(
        http_repo: tuple[repos.Repo, str], git_http: GitHttpServer, tmp_path: Path) -> None:
    source, url = http_repo
    source.create_branch("auto")
    git_http.publish(source)
    earlier = _land(git_http, url, tmp_path, {"earlier.txt": "stale\n"}, branch="auto")
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work", push_branch="auto",
                              start_from_push_branch=False)
    assert co.head == source.head()
    _bump()(co.workdir)
    result = _commit_and_push(co, push_branch="auto")  # forced, as Flux's GitForcePushBranch
    assert result is not None
    history = _first_parents(git_http, url, "refs/heads/auto")
    assert history == [result.commit, source.head()] and earlier not in history


def test_a_refspec_is_pushed_after_the_branch(http_repo: tuple[repos.Repo, str], git_http: GitHttpServer,
                                              tmp_path: Path) -> None:
    _, url = http_repo
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work")
    _bump()(co.workdir)
    refspec = "refs/heads/main:refs/heads/auto"
    result = _commit_and_push(co, refspec=refspec)
    assert result is not None and result.refspecs == (refspec,)
    assert _served(git_http, url, "refs/heads/main") == _served(git_http, url, "refs/heads/auto") == result.commit
    assert result.summary() == (f"pushed commit '{result.commit[:7]}' to branch 'main' and refspecs "
                                f"'{refspec}'\n{MESSAGE}")
    assert _receive_packs(git_http) == 2  # two pushes, as Flux makes them


def test_a_gerrit_refspec_pushes_head_to_a_magic_ref(http_repo: tuple[repos.Repo, str], git_http: GitHttpServer,
                                                     tmp_path: Path) -> None:
    _, url = http_repo
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work")
    _bump()(co.workdir)
    result = _commit_and_push(co, refspec="HEAD:refs/for/main")
    assert result is not None
    assert _served(git_http, url, "refs/for/main") == result.commit


@pytest.mark.parametrize(("refspec", "problem"), [
    ("+refs/heads/main:refs/heads/x", "forced refspecs (+src:dst) are not supported"),
    (":refs/heads/x", "deleting refspecs (:dst) are not supported"),
    ("refs/heads/main", "it needs a source and a destination (src:dst)"),
    ("refs/heads/*:refs/heads/x/*", "it must name one source and one destination"),
])
def test_unsupported_refspecs_are_refused_before_committing(refspec: str, problem: str,
                                                            http_repo: tuple[repos.Repo, str],
                                                            git_http: GitHttpServer, tmp_path: Path) -> None:
    _, url = http_repo
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work")
    _bump()(co.workdir)
    before = _clone_state(co)
    with pytest.raises(push.PushError) as info:
        _commit_and_push(co, refspec=refspec)
    assert str(info.value) == f"invalid push refspec '{refspec}' for {url}: {problem}"
    assert _clone_state(co) == before
    assert _receive_packs(git_http) == 0


# --- push options -------------------------------------------------------------------------------

RECORD_OPTIONS = """#!/bin/sh
i=0
: > "$GIT_DIR/push-options"
while [ "$i" -lt "${GIT_PUSH_OPTION_COUNT:-0}" ]; do
  eval "printf '%s\\n' \\"\\$GIT_PUSH_OPTION_$i\\"" >> "$GIT_DIR/push-options"
  i=$((i + 1))
done
"""


def test_push_options_reach_the_server_sorted(http_repo: tuple[repos.Repo, str], git_http: GitHttpServer,
                                              tmp_path: Path) -> None:
    _, url = http_repo
    git_http.set_hook(url, "pre-receive", RECORD_OPTIONS)
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work")
    _bump()(co.workdir)
    result = _commit_and_push(co, push_options={"merge_request.target": "release", "merge_request.create": ""})
    assert result is not None
    assert (git_http.path_of(url) / "push-options").read_text().splitlines() == [
        "merge_request.create=", "merge_request.target=release"]


def test_push_options_are_dropped_when_the_server_does_not_take_them(
        http_repo: tuple[repos.Repo, str], git_http: GitHttpServer, tmp_path: Path) -> None:
    _, url = http_repo
    repos.git("config", "receive.advertisePushOptions", "false", cwd=git_http.path_of(url))
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work")
    _bump()(co.workdir)
    result = _commit_and_push(co, push_options={"topic": "images"})
    assert result is not None
    assert _served(git_http, url, "refs/heads/main") == result.commit


# --- nothing to change, no push -------------------------------------------------------------------

def test_nothing_to_change_makes_no_commit_and_no_push(http_repo: tuple[repos.Repo, str],
                                                       git_http: GitHttpServer, tmp_path: Path) -> None:
    source, url = http_repo
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work")
    calls: list[Path] = []
    assert _commit_and_push(co, redo=_bump("v1", calls)) is None
    assert calls == []
    assert _clone_state(co) == (source.head(), "")
    assert _receive_packs(git_http) == 0
    assert _served(git_http, url, "refs/heads/main") == source.head()


def test_no_push_commits_locally_only(http_repo: tuple[repos.Repo, str], git_http: GitHttpServer,
                                      tmp_path: Path) -> None:
    source, url = http_repo
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work")
    _bump()(co.workdir)
    result = _commit_and_push(co, no_push=True)
    assert result is not None and not result.pushed and result.attempts == 0
    assert _clone_state(co) == (result.commit, "")
    assert repos.git("rev-parse", "HEAD^", cwd=co.workdir) == source.head()
    assert _receive_packs(git_http) == 0
    assert result.summary().startswith(f"committed (not pushed) '{result.commit[:7]}' to branch 'main'")


# --- races and rejections -------------------------------------------------------------------------

def test_a_push_race_is_fetched_redone_and_retried(http_repo: tuple[repos.Repo, str], git_http: GitHttpServer,
                                                   tmp_path: Path) -> None:
    source, url = http_repo
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work")
    _bump()(co.workdir)
    racer = _land(git_http, url, tmp_path, {"racer.txt": "landed first\n"})
    calls: list[Path] = []
    rendered: list[int] = []

    def message() -> str:
        rendered.append(1)
        return f"{MESSAGE} #{len(rendered)}"

    result = _commit_and_push(co, redo=_bump("v2", calls), message=message)
    assert result is not None
    assert result.attempts == 2 and calls == [co.workdir]
    assert result.message == f"{MESSAGE} #2"  # the template is rendered again after the redo
    assert _first_parents(git_http, url, "refs/heads/main") == [result.commit, racer, source.head()]
    tree = repos.git("ls-tree", "-r", "--name-only", result.commit, cwd=git_http.path_of(url)).split()
    assert "racer.txt" in tree
    assert repos.git("show", f"{result.commit}:apps/app.yaml", cwd=git_http.path_of(url)).startswith(
        "image: app:v2")
    assert _receive_packs(git_http) == 2  # the rejected push and the retry
    assert _clone_state(co) == (result.commit, "")


def test_a_race_that_makes_the_update_unneeded_ends_without_a_commit(
        http_repo: tuple[repos.Repo, str], git_http: GitHttpServer, tmp_path: Path) -> None:
    _, url = http_repo
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work")
    _bump()(co.workdir)
    other = _land(git_http, url, tmp_path, {"apps/app.yaml": "image: app:v2 # {\"$imagepolicy\": \"ns:app\"}\n"})
    assert _commit_and_push(co) is None
    assert _served(git_http, url, "refs/heads/main") == other


def test_a_race_on_every_attempt_fails_after_the_limit(http_repo: tuple[repos.Repo, str],
                                                       git_http: GitHttpServer, tmp_path: Path) -> None:
    source, url = http_repo
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work")
    _bump()(co.workdir)
    before = _clone_state(co)
    landed = [_land(git_http, url, tmp_path, {"racer-0.txt": "0\n"})]

    def redo_and_race(workdir: Path) -> bool:
        changed = _bump()(workdir)
        landed.append(_land(git_http, url, tmp_path, {f"racer-{len(landed)}.txt": "n\n"}))
        return changed

    with pytest.raises(push.PushError) as info:
        _commit_and_push(co, redo=redo_and_race, max_attempts=3)
    assert str(info.value) == (f"push to branch 'main' of {url} was rejected 3 times: the branch kept moving "
                               "(fetch first)")
    assert _served(git_http, url, "refs/heads/main") == landed[-1]
    assert len(landed) == 3
    assert _clone_state(co) == before == (source.head(), "M apps/app.yaml")


def test_a_declined_push_is_one_line_and_not_retried(http_repo: tuple[repos.Repo, str], git_http: GitHttpServer,
                                                     tmp_path: Path) -> None:
    source, url = http_repo
    git_http.set_hook(url, "pre-receive", "#!/bin/sh\necho 'GitLab: branch main is protected' >&2\nexit 1\n")
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work")
    _bump()(co.workdir)
    before = _clone_state(co)
    calls: list[Path] = []
    with pytest.raises(push.PushError) as info:
        _commit_and_push(co, redo=_bump("v2", calls))
    assert str(info.value) == (f"push to branch 'main' of {url} was rejected: pre-receive hook declined "
                               "(remote: GitLab: branch main is protected)")
    assert "\n" not in str(info.value) and info.value.hint
    assert calls == [] and _receive_packs(git_http) == 1
    assert _served(git_http, url, "refs/heads/main") == source.head()
    assert _clone_state(co) == before


def test_a_declined_refspec_push_says_the_branch_was_pushed(http_repo: tuple[repos.Repo, str],
                                                            git_http: GitHttpServer, tmp_path: Path) -> None:
    _, url = http_repo
    git_http.set_hook(url, "update", '#!/bin/sh\ncase "$1" in refs/for/*) echo "no reviews" >&2; exit 1;; '
                                     'esac\nexit 0\n')
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work")
    _bump()(co.workdir)
    before = _clone_state(co)
    with pytest.raises(push.PushError) as info:
        _commit_and_push(co, refspec="HEAD:refs/for/main")
    pushed = _served(git_http, url, "refs/heads/main")
    assert str(info.value).startswith(f"pushed commit '{pushed[:7]}' to branch 'main', but push to refspec "
                                      f"'HEAD:refs/for/main' of {url} was rejected: hook declined")
    assert _clone_state(co) == before


def test_a_push_that_times_out_is_killed_and_leaves_the_clone_as_it_was(
        http_repo: tuple[repos.Repo, str], git_http: GitHttpServer, tmp_path: Path) -> None:
    source, url = http_repo
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work")
    _bump()(co.workdir)
    before = _clone_state(co)
    git_http.faults.delay = 3.0
    with pytest.raises(GitError) as info:
        _commit_and_push(replace(co, timeout=0.5))
    assert str(info.value) == f"timed out after 0.5s pushing to {url}"
    assert _clone_state(co) == before
    git_http.faults.delay = 0.0
    assert _served(git_http, url, "refs/heads/main") == source.head()


# --- credentials ----------------------------------------------------------------------------------

def test_credentials_never_reach_argv_git_files_or_results(git_http_basic: GitHttpServer, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "argv.log"
    wrapper = tmp_path / "git-wrapper"
    wrapper.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$*\" >> {log}\nexec {shutil.which('git')} \"$@\"\n")
    wrapper.chmod(0o755)
    monkeypatch.setattr(GitCommand, "GIT_PYTHON_GIT_EXECUTABLE", str(wrapper))
    server = git_http_basic
    url = server.publish(_source(tmp_path))
    # The password comes in the URL, as a user might paste it.
    co = gitcheckout.checkout(server.url_with_credentials(url), MAIN, None, tmp_path / "work")
    _bump()(co.workdir)
    result = _commit_and_push(co)
    assert result is not None and _served(server, url, "refs/heads/main") == result.commit
    secrets = [server.password, base64.b64encode(f"{server.username}:{server.password}".encode()).decode()]
    argv = log.read_text()
    assert "push --porcelain" in argv
    seen = [argv, repr(co), repr(result), co.url, co.shown_url]
    for path in (co.workdir / ".git").rglob("*"):
        if path.is_file():
            seen.append(path.read_bytes().decode(errors="replace"))
    for secret in secrets:
        assert all(secret not in text for text in seen)
    assert "extraheader" not in (co.workdir / ".git" / "config").read_text().lower()


def test_a_refused_push_credential_is_one_line_without_the_secret(git_http_basic: GitHttpServer,
                                                                  tmp_path: Path) -> None:
    server = git_http_basic
    url = server.publish(_source(tmp_path))
    co = gitcheckout.checkout(url, MAIN, _http_auth(server), tmp_path / "work")
    _bump()(co.workdir)
    before = _clone_state(co)
    wrong = replace(co, auth=GitAuth(username=server.username, password="wrong-Pa55word"))
    with pytest.raises(push.PushError) as info:
        _commit_and_push(wrong)
    assert info.value.reason == AUTHENTICATION_FAILED
    assert str(info.value).startswith(f"authentication failed pushing to {url}: ")
    assert "wrong-Pa55word" not in str(info.value) and "\n" not in str(info.value)
    assert _clone_state(co) == before


# --- signing --------------------------------------------------------------------------------------

def test_a_gpg_signed_commit_verifies(gpg_keys: GpgKeys, verify_home: Path, http_repo: tuple[repos.Repo, str],
                                      git_http: GitHttpServer, tmp_path: Path) -> None:
    _, url = http_repo
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work")
    _bump()(co.workdir)
    key = push.SigningKey(gpg_keys.secret, GPG_PASSPHRASE)
    result = _commit_and_push(co, signing=key)
    assert result is not None
    served = git_http.path_of(url)
    assert "\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n" in _commit_object(git_http, url, result.commit)
    verified = repos.run("verify-commit", "--raw", result.commit, cwd=served, env={"GNUPGHOME": str(verify_home)})
    assert verified.returncode == 0, verified.stderr
    assert f"VALIDSIG {gpg_keys.fingerprint}" in verified.stderr


def test_an_unprotected_gpg_key_signs_without_a_passphrase(gpg_keys: GpgKeys, http_repo: tuple[repos.Repo, str],
                                                           tmp_path: Path) -> None:
    _, url = http_repo
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work")
    _bump()(co.workdir)
    result = _commit_and_push(co, signing=push.SigningKey(gpg_keys.other), no_push=True)
    assert result is not None
    assert "gpgsig -----BEGIN PGP SIGNATURE-----" in repos.git("cat-file", "commit", result.commit, cwd=co.workdir)


@pytest.mark.parametrize(("case", "message"), [
    ("wrong passphrase", ("could not decrypt private key of the signing key present in secret 'sign': "
                          "wrong passphrase")),
    ("no passphrase", ("can not use passphrase protected signing key without 'passphrase' field present in "
                       "secret 'sign'")),
    ("two keys", "multiple entities read from secret 'sign', could not determine which signing key to use"),
    ("public key", "could not read signing key from secret 'sign': it is not an armored OpenPGP private key"),
])
def test_an_unusable_gpg_key_fails_before_committing(case: str, message: str, gpg_keys: GpgKeys,
                                                     http_repo: tuple[repos.Repo, str], git_http: GitHttpServer,
                                                     tmp_path: Path) -> None:
    key, passphrase = {
        "wrong passphrase": (gpg_keys.secret, "nope"),
        "no passphrase": (gpg_keys.secret, None),
        "two keys": (gpg_keys.secret + gpg_keys.other, GPG_PASSPHRASE),
        "public key": (gpg_keys.public, None),
    }[case]
    _, url = http_repo
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work")
    _bump()(co.workdir)
    before = _clone_state(co)
    with pytest.raises(push.SigningError) as info:
        _commit_and_push(co, signing=push.SigningKey(key, passphrase, source="secret 'sign'"))
    assert str(info.value) == message and info.value.reason == "SourceManagerFailed"
    assert _clone_state(co) == before and _receive_packs(git_http) == 0


def test_an_ssh_signed_commit_verifies(http_repo: tuple[repos.Repo, str], git_http: GitHttpServer,
                                       tmp_path: Path) -> None:
    _, url = http_repo
    pair = make_key(tmp_path / "signing_key", passphrase="ssh-sign-pass")
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work")
    _bump()(co.workdir)
    key = push.SigningKey(pair.private_pem, "ssh-sign-pass", type="ssh")
    result = _commit_and_push(co, signing=key)
    assert result is not None
    signers = tmp_path / "allowed_signers"
    signers.write_text(f"{AUTHOR[1]} {pair.public_line}\n")
    verified = repos.run("-c", f"gpg.ssh.allowedSignersFile={signers}", "verify-commit", result.commit,
                         cwd=git_http.path_of(url))
    assert verified.returncode == 0, verified.stderr
    assert f'Good "git" signature for {AUTHOR[1]}' in verified.stderr


def test_an_ssh_signing_key_with_a_wrong_password_fails_before_committing(
        http_repo: tuple[repos.Repo, str], tmp_path: Path) -> None:
    _, url = http_repo
    pair = make_key(tmp_path / "signing_key", passphrase="right")
    co = gitcheckout.checkout(url, MAIN, None, tmp_path / "work")
    _bump()(co.workdir)
    before = _clone_state(co)
    with pytest.raises(push.SigningError, match="wrong password"):
        _commit_and_push(co, signing=push.SigningKey(pair.private_pem, "wrong", type="ssh", source="secret 's'"))
    assert _clone_state(co) == before


# --- pure parts ---------------------------------------------------------------------------------

def _b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def test_signing_key_from_secret_reads_flux_keys() -> None:
    gpg = push.signing_key_from_secret({"data": {"git.asc": _b64("ARMORED"), "passphrase": _b64("pw")}}, name="s")
    assert (gpg.key, gpg.passphrase, gpg.type, gpg.source) == (b"ARMORED", "pw", "gpg", "secret 's'")
    ssh = push.signing_key_from_secret({"stringData": {"identity": "KEY", "password": "pw"}}, key_type="ssh",
                                       name="s")
    assert (ssh.key, ssh.passphrase, ssh.type) == (b"KEY", "pw", "ssh")
    assert "KEY" not in repr(ssh) and "pw" not in repr(gpg)


@pytest.mark.parametrize(("secret", "key_type", "message"), [
    ({"data": {}}, "gpg", "signing key secret 's' does not contain a 'git.asc' key"),
    ({"data": {"git.asc": _b64("x")}}, "ssh", "signing key secret 's' does not contain an 'identity' key"),
    ({"data": {"git.asc": _b64("x")}}, "x509", 'unknown signing key type "x509"'),
    ({"data": {"git.asc": "%%%"}}, "gpg", "signing key secret 's': key git.asc is not valid base64"),
])
def test_signing_key_from_secret_errors_are_flux_wording(secret: dict[str, Any], key_type: str,
                                                         message: str) -> None:
    with pytest.raises(push.SigningError) as info:
        push.signing_key_from_secret(secret, key_type=key_type, name="s")
    assert str(info.value) == message


def test_push_result_summary_is_flux_text() -> None:
    when = datetime(2024, 1, 1, tzinfo=UTC)
    commit = "a47b32f4814810acac804df5054ec37cbfdbfb53"
    assert push.PushResult(commit, "test-branch", "", when).summary() == (
        "pushed commit 'a47b32f' to branch 'test-branch'")
    two = push.PushResult(commit, "b", MESSAGE, when,
                          refspecs=("refs/heads/auto:refs/heads/smth/else", "refs/heads/auto:refs/heads/foo"))
    assert two.summary() == ("pushed commit 'a47b32f' to branch 'b' and refspecs "
                             "'refs/heads/auto:refs/heads/smth/else', 'refs/heads/auto:refs/heads/foo'\n"
                             + MESSAGE)
