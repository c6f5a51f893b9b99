"""Step "pull the Git source": the commit a GitRepository names, checked out into a work dir.

First step of the cluster-sync pipeline (pull -> artifact -> status ->
events), and the clone step of image automation. `pull` asks the remote
for its refs with one `git ls-remote`, resolves `spec.ref` (`refs.py`), and
stops there when the commit is the one already recorded (`unchanged`).
Otherwise it fetches just that commit into a bare mirror kept per URL in
the cache dir and writes the commit's tree into the work dir. Git runs as a
child process through GitPython (`gitrun.py`), with the environment
`auth.py` prepares.

Why it works this way:

- **A bare mirror per URL** (`<cache>/git/<sha256(url)[:16]>.git`, the URL
  without credentials) keeps objects across runs; a commit already there is
  not fetched again. A lock file beside it (`.lock`, `flock`) serialises
  fluxpy processes that share the cache. The mirror has no remote and no
  credentials in its config; the URL is passed on each command line.
- **Shallow by commit.** Protocol v2 servers (git >= 2.18 defaults) let a
  client fetch any reachable commit by hash, so every ref kind fetches
  `--depth 1 <commit>`: the exact commit `ls-remote` resolved, no race with
  a moving branch. Protocol v0 servers refuse unadvertised hashes unless
  `uploadpack.allowReachableSHA1InWant` is set; then the ref itself is
  fetched (`--depth 1`, then in full), and for a bare commit all branches
  and tags.
- **Checkout without a repository in the work dir.** `git read-tree --reset
  -u <commit>` with a throw-away index writes the tree into the work dir
  (symlinks and executable bits kept); the mirror's own index and HEAD are
  never touched, so a shared mirror stays consistent.
- **Submodules** need the gitlink commits of a real repository, but not a
  `.git` in the work dir: for each `.gitmodules` entry the gitlink's commit
  is read from the superproject's tree, fetched into that submodule URL's own
  mirror (relative URLs resolved against the superproject URL) with the same
  credentials, and its tree written to the submodule path; nested submodules
  recurse up to 10 levels, as go-git does.
- **Faults are bounded.** Each git process gets `spec.timeout` and is killed
  with its whole process group (ssh, remote helpers) when it runs over. A
  mirror that git reports corrupt, or a half-created one, is deleted and
  fetched again once. Every failure is a `GitError` with Flux's reason and
  the URL without credentials; git's output is masked before it is quoted.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fluxpy.source import auth as gitauth
from fluxpy.source import gitrun, refs
from fluxpy.source.errors import GitError
from fluxpy.source.types import Checkout, GitAuth, GitFetchSpec

SCHEMES = gitrun.SCHEMES
SUBMODULE_DEPTH = 10
_STALE_LOCKS = ("shallow.lock", "index.lock", "HEAD.lock", "config.lock", "packed-refs.lock")

_UNADVERTISED_PATTERNS = ("unadvertised object", "not our ref", "couldn't find remote ref",
                          "no such remote ref", "want ", "upload-pack: not our")
_CORRUPT_PATTERNS = ("not a git repository", "corrupt", "bad object", "bad config", "unable to read",
                     "invalid sha1 pointer", "missing blob", "missing tree", "loose object",
                     "did not send all necessary objects", "is empty", "inflate")


@dataclass(frozen=True, slots=True)
class PullResult:
    """What the pull step found.

    Args:
        commit: the full commit hash the ref names on the remote.
        revision: Flux's revision string for it.
        unchanged: the remote still names the last fetched commit; nothing
            was fetched or checked out.
        checkout: the checked-out tree, or None when unchanged.
    """

    commit: str
    revision: str
    unchanged: bool
    checkout: Checkout | None


def mirror_path(cache_dir: Path, url: str) -> Path:
    """The bare mirror for `url` in `cache_dir` (credentials never part of the key)."""
    key = hashlib.sha256(gitauth.redact_url(url).encode()).hexdigest()[:16]
    return cache_dir / "git" / f"{key}.git"


def pull(spec: GitFetchSpec, auth: GitAuth | None, *, cache_dir: Path, workdir: Path,
         last_commit: str | None = None, last_revision: str | None = None,
         tmp_root: Path | None = None) -> PullResult:
    """Fetch the commit `spec.ref` names and check it out into `workdir`.

    Args:
        spec: what to fetch (URL, ref, submodules, timeout per git operation).
        auth: credentials, or None for anonymous access. A password in the
            URL is moved out of it (into a header) and used when `auth` has none.
        cache_dir: fluxpy's cache dir; mirrors live in `<cache_dir>/git/`.
        workdir: where to write the tree (created if missing; files there are
            overwritten). The caller removes it.
        last_commit: the commit fetched last time; when the remote still names
            it, nothing is fetched (`unchanged=True`).
        last_revision: the revision recorded last time; when given, it must
            match too (a new tag on the same commit is a new revision).
        tmp_root: where the private directory for credential files is made
            (default `/dev/shm`, else the system temp dir).

    Returns:
        The commit, its revision, and the checkout unless unchanged.

    Raises:
        GitError: the ref does not resolve, the remote refuses the
            credentials or host key, git fails, or an operation times out.
    """
    fetch_url, creds, shown = gitrun.prepare(spec.url, auth)
    won = refs.winning_ref(spec.ref)
    if won.kind == "semver":
        refs.check_range(won.value, url=shown)
    with gitauth.git_environment(creds, url=fetch_url, tmp_root=tmp_root) as env:
        runner = _Runner(env, spec.timeout, shown, gitauth.secrets_of(creds))
        remote = refs.parse_ls_remote(runner.run(
            ["ls-remote", *refs.ls_remote_args(won, fetch_url)], action="fetching"))
        mirror = _Mirror(mirror_path(cache_dir, spec.url), runner, fetch_url)
        try:
            res = refs.resolve(spec.ref, remote, url=shown, commit_time=mirror.commit_time)
            if last_commit == res.commit and (last_revision is None or last_revision == res.revision):
                return PullResult(res.commit, res.revision, True, None)
            workdir.mkdir(parents=True, exist_ok=True)
            subject = mirror.checkout(res, remote, workdir)
            if spec.recurse_submodules:
                _submodules(mirror, res.commit, workdir, creds, spec, cache_dir, tmp_root,
                            SUBMODULE_DEPTH)
        finally:
            mirror.release()
    return PullResult(res.commit, res.revision, False, Checkout(workdir, res.commit, res.revision, subject))


# --- running git --------------------------------------------------------------------------------

class _CommandFailed(Exception):
    """A git command exited non-zero (internal; becomes a `GitError`)."""

    def __init__(self, stderr: str) -> None:
        super().__init__(stderr)
        self.stderr = stderr


_TIMEOUT_HINT = "check that the host is reachable, or raise spec.timeout (--timeout)"
_AUTH_HINT = "check the credentials in spec.secretRef and their access to the repository"


@dataclass
class _Runner:
    """Runs git for one repository URL with one environment and timeout."""

    env: dict[str, str]
    timeout: float
    shown_url: str
    secrets: tuple[str, ...]
    extra_env: dict[str, str] = field(default_factory=dict)

    def run(self, args: Sequence[str], *, action: str, git_dir: Path | None = None,
            work_tree: Path | None = None, index: Path | None = None, raw: bool = False) -> str:
        """Run `git <args>`; return stdout.

        Raises:
            GitError: timed out, or failed (unless `raw`).
            _CommandFailed: failed and `raw` is set (the caller decides).
        """
        env = dict(self.env)
        if index is not None:
            env["GIT_INDEX_FILE"] = str(index)
        # stdout is data (refs, .gitmodules entries with their URLs), so it is not masked.
        done = gitrun.run(args, env=env, timeout=self.timeout, shown_url=self.shown_url, action=action,
                          secrets=self.secrets, timeout_hint=_TIMEOUT_HINT, git_dir=git_dir,
                          work_tree=work_tree, mask_stdout=False)
        if done.returncode != 0:
            if raw:
                raise _CommandFailed(done.stderr)
            raise self.error(done.stderr, action=action)
        return done.stdout

    def error(self, stderr: str, *, action: str) -> GitError:
        """A one-line `GitError` for git's (masked) stderr."""
        return gitrun.error(stderr, action=action, shown_url=self.shown_url, auth_hint=_AUTH_HINT)


# --- the mirror ---------------------------------------------------------------------------------

class _Mirror:
    """A bare repository caching one URL's objects, locked while in use."""

    def __init__(self, path: Path, runner: _Runner, fetch_url: str) -> None:
        self.path = path
        self.runner = runner
        self.fetch_url = fetch_url
        self._lock_fd: int | None = None
        self._ready = False

    # locking --------------------------------------------------------------------------------

    def acquire(self) -> None:
        """Take the mirror's lock (waits up to the timeout for another fluxpy)."""
        if self._lock_fd is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self.runner.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise GitError(f"timed out after {self.runner.timeout:g}s waiting for the cache lock "
                                   f"of {self.runner.shown_url}", url=self.runner.shown_url,
                                   hint=f"another fluxpy is fetching it; retry, or remove {self.path}") from None
                time.sleep(0.05)
        self._lock_fd = fd

    def release(self) -> None:
        """Release the lock, if held."""
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    # the repository -------------------------------------------------------------------------

    def ensure(self) -> None:
        """Create the bare repository (atomically) or drop one that is half-made."""
        self.acquire()
        if self._ready:
            return
        if self.path.exists() and not ((self.path / "HEAD").is_file() and (self.path / "objects").is_dir()):
            shutil.rmtree(self.path, ignore_errors=True)
        if not self.path.exists():
            tmp = Path(tempfile.mkdtemp(prefix=self.path.name + ".", dir=self.path.parent))
            try:
                self.runner.run(["init", "--quiet", "--bare", str(tmp)], action="creating the cache for")
                tmp.rename(self.path)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        for name in _STALE_LOCKS:  # left by a killed git; we hold the lock, so nobody else is writing
            (self.path / name).unlink(missing_ok=True)
        self._ready = True

    def reset(self) -> None:
        """Delete the mirror (it was corrupt); the next `ensure` makes a new one."""
        shutil.rmtree(self.path, ignore_errors=True)
        self._ready = False

    def git(self, args: Sequence[str], *, action: str, raw: bool = False) -> str:
        """Run git on the mirror."""
        return self.runner.run(["-c", "gc.auto=0", "-c", "maintenance.auto=false", *args], action=action,
                               git_dir=self.path, raw=raw)

    def read_commit(self, commit: str) -> str | None:
        """The raw commit object, or None when the mirror does not have it."""
        try:
            return self.git(["cat-file", "commit", commit], action="reading", raw=True)
        except _CommandFailed:
            return None

    def commit_time(self, commit: str) -> int:
        """Committer time of `commit` (fetched if needed), for semver ties."""
        self.ensure()
        body = self.read_commit(commit)
        if body is None:
            self._fetch_commit(commit, ref_name=None, remote=None)
            body = self.read_commit(commit) or ""
        match = re.search(r"^committer .* (\d+) [+-]\d{4}$", body, re.MULTILINE)
        return int(match.group(1)) if match else 0

    def checkout(self, res: refs.Resolution, remote: refs.RemoteRefs, workdir: Path) -> str:
        """Make sure the commit is in the mirror and write its tree to `workdir`.

        Returns:
            The commit's subject line.
        """
        for attempt in (1, 2):
            self.ensure()
            try:
                body = self.read_commit(res.commit)
                if body is None:
                    self._fetch_commit(res.commit, ref_name=res.ref_name, remote=remote)
                    body = self.read_commit(res.commit)
                    if body is None:
                        raise GitError(f"commit '{res.commit}' not found in {self.runner.shown_url}",
                                       url=self.runner.shown_url, hint="check spec.ref.commit")
                if res.branch and remote.commit(refs.HEADS_PREFIX + res.branch) != res.commit:
                    self._check_on_branch(res)
                self.write_tree(res.commit, workdir)
                return _subject(body)
            except _CommandFailed as failed:
                if attempt == 1 and _corrupt(failed.stderr):
                    self.reset()
                    continue
                raise self.runner.error(failed.stderr, action="checking out") from None
            except GitError as err:
                cause = err.__cause__
                if attempt == 1 and isinstance(cause, _CommandFailed) and _corrupt(cause.stderr):
                    self.reset()
                    continue
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def write_tree(self, commit: str, workdir: Path) -> None:
        """Write the commit's tree into `workdir` with a throw-away index."""
        with tempfile.TemporaryDirectory(prefix="index.", dir=self.path.parent) as tmp:
            self.runner.run(["read-tree", "--reset", "-u", commit], action="checking out",
                            git_dir=self.path, work_tree=workdir, index=Path(tmp) / "index", raw=True)

    # fetching -------------------------------------------------------------------------------

    def _fetch_commit(self, commit: str, *, ref_name: str | None, remote: refs.RemoteRefs | None) -> None:
        try:
            self._fetch_refspecs("--depth=1", commit)
            return
        except _CommandFailed as failed:
            if not any(p in failed.stderr.lower() for p in _UNADVERTISED_PATTERNS):
                raise self._network_error(failed) from failed
        # A protocol v0 server that refuses unadvertised hashes: fetch by ref.
        if ref_name is not None:
            self._fetch_refspecs("--depth=1", ref_name)
            if self.read_commit(commit) is None:
                self._fetch_refspecs(*self._unshallow(), ref_name)
            return
        self._fetch_refspecs(*self._unshallow(), "+refs/heads/*:refs/fluxpy/heads/*",
                             "+refs/tags/*:refs/fluxpy/tags/*")

    def _fetch_refspecs(self, *args: str) -> None:
        options = [a for a in args if a.startswith("-")]
        refspecs = [a for a in args if not a.startswith("-")]
        self.git(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--no-recurse-submodules",
                  *options, self.fetch_url, *refspecs], action="fetching", raw=True)

    def _unshallow(self) -> list[str]:
        return ["--unshallow"] if (self.path / "shallow").is_file() else []

    def _check_on_branch(self, res: refs.Resolution) -> None:
        # Flux clones the branch and looks the commit up in it: a commit that
        # is not on the branch is an error.
        assert res.branch is not None and res.ref_name is not None
        tip_ref = "refs/fluxpy/branch"
        self._fetch_refspecs(*self._unshallow(), f"+{res.ref_name}:{tip_ref}")
        try:
            self.git(["merge-base", "--is-ancestor", res.commit, tip_ref], action="checking out", raw=True)
        except _CommandFailed:
            raise GitError(f"commit '{res.commit}' is not on branch '{res.branch}' of {self.runner.shown_url}",
                           url=self.runner.shown_url, hint="check spec.ref.commit and spec.ref.branch") from None

    def _network_error(self, failed: _CommandFailed) -> GitError:
        err = self.runner.error(failed.stderr, action="fetching")
        err.__cause__ = failed
        return err


def _corrupt(stderr: str) -> bool:
    low = stderr.lower()
    return any(p in low for p in _CORRUPT_PATTERNS)


def _subject(commit_body: str) -> str:
    _, _, message = commit_body.partition("\n\n")
    return message.strip().splitlines()[0] if message.strip() else ""


# --- URLs ---------------------------------------------------------------------------------------

def submodule_url(parent_url: str, url: str) -> str:
    """Resolve a `.gitmodules` URL: `./x` and `../x` are relative to the superproject's URL."""
    if not url.startswith(("./", "../")):
        return url
    base = parent_url.rstrip("/")
    rest = url
    while rest.startswith(("./", "../")):
        if rest.startswith("./"):
            rest = rest[2:]
        else:
            rest = rest[3:]
            base = base.rpartition("/")[0]
    return f"{base}/{rest}" if rest else base


# --- submodules ---------------------------------------------------------------------------------

def _submodules(mirror: _Mirror, commit: str, workdir: Path, creds: GitAuth | None, spec: GitFetchSpec,
                cache_dir: Path, tmp_root: Path | None, depth: int) -> None:
    gitmodules = workdir / ".gitmodules"
    if not gitmodules.is_file():
        return
    if depth <= 0:
        raise GitError(f"submodules of {mirror.runner.shown_url} nest deeper than {SUBMODULE_DEPTH} levels",
                       url=mirror.runner.shown_url, hint="set spec.recurseSubmodules to false")
    try:
        listing = mirror.runner.run(["config", "--file", str(gitmodules), "--null", "--get-regexp",
                                     r"^submodule\..*\.(path|url)$"], action="reading .gitmodules of", raw=True)
    except _CommandFailed:
        return  # no path/url entries at all
    modules: dict[str, dict[str, str]] = {}
    for entry in listing.split("\0"):
        key, _, value = entry.partition("\n")
        if not key:
            continue
        name, _, attr = key[len("submodule."):].rpartition(".")
        modules.setdefault(name, {})[attr] = value
    paths = {m["path"]: m.get("url", "") for m in modules.values() if "path" in m}
    if not paths:
        return
    tree = mirror.git(["ls-tree", "-z", commit, "--", *paths], action="reading submodules of")
    for entry in tree.split("\0"):
        meta, _, path = entry.partition("\t")
        fields = meta.split()
        if len(fields) != 3 or fields[1] != "commit" or path not in paths:
            continue
        sub_commit = fields[2]
        sub_url = submodule_url(mirror.fetch_url, paths[path])
        _pull_submodule(sub_url, sub_commit, workdir / path, creds, spec, cache_dir, tmp_root, depth - 1)


def _pull_submodule(url: str, commit: str, target: Path, creds: GitAuth | None, spec: GitFetchSpec,
                    cache_dir: Path, tmp_root: Path | None, depth: int) -> None:
    fetch_url, sub_creds, shown = gitrun.prepare(url, creds)
    with gitauth.git_environment(sub_creds, url=fetch_url, tmp_root=tmp_root) as env:
        runner = _Runner(env, spec.timeout, shown, gitauth.secrets_of(sub_creds))
        mirror = _Mirror(mirror_path(cache_dir, url), runner, fetch_url)
        try:
            res = refs.Resolution("commit", None, commit, f"sha1:{commit}")
            target.mkdir(parents=True, exist_ok=True)
            mirror.checkout(res, refs.RemoteRefs({}, {}, {}), target)
            _submodules(mirror, commit, target, sub_creds, spec, cache_dir, tmp_root, depth)
        finally:
            mirror.release()

