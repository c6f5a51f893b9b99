"""Step "clone the Git repo" of image automation: a working clone to update, commit in and push from.

The image pipeline (scan -> policies -> setters update -> commit and push)
needs more than the source stage's tree: it commits, so the work dir must be
a real repository with `.git`. `checkout` resolves `spec.git.checkout.ref`
(a GitRepository ref; `fluxpy.source.refs` applies Flux's precedence),
fetches just that commit (`--depth 1` unless the ref needs history), and
checks out a local branch: the branch the commit will be pushed to.
`push.py` commits and pushes from there.

Which branch, as image-automation-controller decides (`internal/source/git.go`
`configurePush`, `source.go` `CheckoutSource`, fluxcd/pkg `gogit.SwitchBranch`):

- Without `git.push.branch`, the push branch is `checkout.ref.branch`; a ref
  without a branch (tag, semver, commit, name, or no ref) cannot be pushed
  and fails before anything is fetched.
- With a push branch other than the checkout branch ("switch branch"), the
  controller fetches all branch heads (feature gate `GitAllBranchReferences`,
  on by default): when the push branch exists on the remote, the update
  starts from *its* head; when it does not, it is created from the checkout.
  `start_from_push_branch=False` reproduces the gate turned off (always
  start from the checkout; the push then overwrites the branch).
- A local branch for the checkout branch is kept too, so a `push.refspec`
  such as `refs/heads/main:refs/heads/auto` resolves as it does in Flux.

Credentials are handled exactly as the source stage does (`source/auth.py`):
they reach git only through the environment of each network command (HTTP
headers through `GIT_CONFIG_*`, SSH keys and CA files in a private 0700
directory that exists only for that command), never through argv, the
remote URL or `.git/config`; TLS and SSH host keys are always verified.
The clone has no remote configured (the URL, without credentials, is passed
on each command line), no hooks (`--template=` and `core.hooksPath`), and
local settings that keep a user's global git config from changing bytes or
running programs (`core.autocrlf`, signing, gc).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from fluxpy.models.gitref import DEFAULT_BRANCH
from fluxpy.source import auth as gitauth
from fluxpy.source import gitrun, refs
from fluxpy.source.errors import GitError
from fluxpy.source.gitrun import GitOutput, last_error_line
from fluxpy.source.types import GitAuth, GitRef

__all__ = ["Checkout", "GitOutput", "GitRunner", "checkout", "fetch_branch", "last_error_line"]

SCHEMES = gitrun.SCHEMES
SOURCE_MANAGER_FAILED = "SourceManagerFailed"
"""image-automation-controller's reason when the automation's Git settings cannot work."""
TRACKING_PREFIX = "refs/remotes/origin/"

# Settings written to the clone's own config: they beat a user's ~/.gitconfig,
# which must not run hooks, rewrite line endings or sign with the user's key.
_LOCAL_CONFIG = (
    ("core.hooksPath", os.devnull),
    ("core.autocrlf", "false"),
    ("core.fsmonitor", "false"),
    ("commit.gpgSign", "false"),
    ("tag.gpgSign", "false"),
    ("push.gpgSign", "false"),
    ("gc.auto", "0"),
    ("maintenance.auto", "false"),
    ("fetch.recurseSubmodules", "false"),
    ("advice.detachedHead", "false"),
)
_LOCAL_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "SSH_ASKPASS_REQUIRE": "never"}
_TIMEOUT_HINT = "check that the host is reachable, or raise the timeout (--timeout)"
_AUTH_HINT = "check the credentials and their write access to the repository"

_UNADVERTISED_PATTERNS = ("unadvertised object", "not our ref", "couldn't find remote ref",
                          "no such remote ref", "upload-pack: not our")


# --- running git --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class GitRunner:
    """Runs git in one work dir with one environment and a timeout per command.

    Each command runs in its own process group, killed whole (ssh, remote
    helpers) when it runs over `timeout`. Output is masked with `secrets`
    before anyone sees it.

    Args:
        workdir: the working clone (`<workdir>/.git` is the repository).
        timeout: seconds per command.
        shown_url: the repository URL without credentials, for messages.
        env: variables added to the environment (credentials for network commands).
        secrets: strings to mask in output.
    """

    workdir: Path
    timeout: float
    shown_url: str
    env: Mapping[str, str]
    secrets: tuple[str, ...] = ()

    def run(self, args: Sequence[str], *, action: str, check: bool = True,
            extra_env: Mapping[str, str] | None = None, in_repo: bool = True) -> GitOutput:
        """Run `git <args>` in the clone.

        Args:
            args: the git arguments.
            action: what is being done, for messages ("pushing to").
            check: raise on a non-zero exit.
            extra_env: more variables for this command only.
            in_repo: name the clone's git dir and work tree on the command line
                (so a `GIT_DIR` in the user's environment cannot redirect it);
                off for `git init`.

        Returns:
            The exit code and the masked output.

        Raises:
            GitError: the command timed out, or failed and `check` is set.
        """
        git_dir = self.workdir / ".git"
        env = {**_LOCAL_ENV, **self.env, **(extra_env or {})}
        if in_repo:
            env["GIT_INDEX_FILE"] = str(git_dir / "index")
        result = gitrun.run(args, env=env, timeout=self.timeout, shown_url=self.shown_url, action=action,
                            secrets=self.secrets, timeout_hint=_TIMEOUT_HINT,
                            git_dir=git_dir if in_repo else None, work_tree=self.workdir if in_repo else None,
                            cwd=self.workdir if self.workdir.is_dir() else None)
        if check and result.returncode != 0:
            raise self.error(result.stderr, action=action)
        return result

    def error(self, stderr: str, *, action: str) -> GitError:
        """A one-line `GitError` for git's (masked) stderr, with Flux's reason."""
        return gitrun.error(stderr, action=action, shown_url=self.shown_url, auth_hint=_AUTH_HINT)


# --- the checkout -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Checkout:
    """A working clone on the branch updates will be pushed to.

    Args:
        workdir: the clone's work tree (`.git` inside); the caller removes it.
        url: the repository URL git is given: no password in it (an SSH URL
            gets Flux's default user `git`).
        shown_url: the URL for messages (no userinfo at all).
        auth: the credentials for later network commands (a password that was
            in the URL is moved here), or None.
        ref: the checkout ref it was made from.
        commit: the commit the checkout ref resolved to.
        revision: Flux's revision string for it (`main@sha1:<hex>`, ...), the
            automation's `observedSourceRevision` when pushing to another branch.
        branch: the local branch HEAD is on: the push branch.
        head: the commit `branch` started from (`commit`, or the head of an
            existing push branch).
        checkout_branch: `ref.branch` (the branch the checkout ref names), or None.
        switched: the push branch differs from the checkout branch (Flux's
            "switch branch"; pushes there are forced by default).
        shallow: the clone was fetched with `--depth 1`.
        timeout: seconds per git command, for the later steps.
        tmp_root: where private directories for credential files are made.
    """

    workdir: Path
    url: str
    shown_url: str
    auth: GitAuth | None
    ref: GitRef | None
    commit: str
    revision: str
    branch: str
    head: str
    checkout_branch: str | None
    switched: bool
    shallow: bool
    timeout: float
    tmp_root: Path | None = None

    def runner(self, env: Mapping[str, str] | None = None) -> GitRunner:
        """A `GitRunner` for this clone (local commands unless `env` carries credentials)."""
        return GitRunner(self.workdir, self.timeout, self.shown_url, dict(env or {}),
                         gitauth.secrets_of(self.auth))


def checkout(url: str, ref: GitRef | None, auth: GitAuth | None, workdir: Path, *,
             timeout: float = 60.0, push_branch: str | None = None, shallow: bool = True,
             start_from_push_branch: bool = True, tmp_root: Path | None = None) -> Checkout:
    """Clone `url` at `ref` into `workdir`, on the branch the update will be pushed to.

    Args:
        url: the repository URL (`https://`, `http://`, `ssh://`; `git://` and
            `file://` for cluster-free use). A password in it is moved into the
            credentials and never reaches git's argv or config.
        ref: `spec.git.checkout.ref` (or the GitRepository's `spec.ref`); None
            means branch `master`.
        auth: credentials, or None for anonymous access.
        workdir: where to clone (created; must be empty if it exists).
        timeout: seconds per git command.
        push_branch: `spec.git.push.branch`, or None to push to `ref.branch`.
        shallow: fetch only the commit (`--depth 1`), as Flux's default
            `GitShallowClone` gate does; refs that need history (a commit on a
            branch) are fetched in full regardless.
        start_from_push_branch: when pushing to another branch that already
            exists, start from its head (Flux's `GitAllBranchReferences`, on by
            default) rather than from the checkout.
        tmp_root: where to make the private directory for credential files
            (default `/dev/shm` when writable).

    Returns:
        The clone, on the push branch.

    Raises:
        GitError: no push branch can be inferred, a branch name is invalid, the
            ref does not resolve, the credentials or host key are refused, git
            fails, or a command times out.
    """
    fetch_url, creds, shown = gitrun.prepare(url, auth)
    ref_branch = ref.branch if ref is not None and ref.branch else None
    target, switched = _push_target(ref, ref_branch, push_branch, shown)
    won = refs.winning_ref(ref)
    if won.kind == "semver":
        refs.check_range(won.value, url=shown)
    if workdir.exists() and any(workdir.iterdir()):
        raise GitError(f"cannot clone {shown} into {workdir}: the directory is not empty", url=shown,
                       hint="pass an empty or missing work directory")
    local = GitRunner(workdir, timeout, shown, {}, gitauth.secrets_of(creds))
    _check_branch_name(local, target, shown)
    workdir.mkdir(parents=True, exist_ok=True)
    local.run(["init", "--quiet", "--template=", f"--initial-branch={target}", str(workdir)],
              action="creating a clone of", in_repo=False)
    _write_local_config(workdir / ".git" / "config")
    with gitauth.git_environment(creds, url=fetch_url, tmp_root=tmp_root) as env:
        net = replace(local, env=env)
        remote = refs.parse_ls_remote(net.run(["ls-remote", *refs.ls_remote_args(won, fetch_url)],
                                              action="listing the refs of").stdout)
        res = refs.resolve(ref, remote, url=shown, commit_time=lambda c: _commit_time(net, fetch_url, c))
        deep = _fetch_checkout(net, fetch_url, res, shallow=shallow)
        head = res.commit
        if switched and start_from_push_branch:
            listed = refs.parse_ls_remote(net.run(
                ["ls-remote", "--heads", fetch_url, refs.HEADS_PREFIX + target],
                action="listing the refs of").stdout)
            existing = listed.commit(refs.HEADS_PREFIX + target)
            if existing is not None:
                fetch_branch(net, fetch_url, target, shallow=shallow and not deep)
                head = local.run(["rev-parse", "--verify", f"{TRACKING_PREFIX}{target}^{{commit}}"],
                                 action="checking out").stdout.strip()
    local.run(["checkout", "--quiet", "-B", target, head], action="checking out")
    if ref_branch is not None and ref_branch != target:
        local.run(["branch", "--quiet", "--force", ref_branch, res.commit], action="checking out")
    return Checkout(workdir=workdir, url=fetch_url, shown_url=shown, auth=creds, ref=ref, commit=res.commit,
                    revision=res.revision, branch=target, head=head, checkout_branch=ref_branch,
                    switched=switched, shallow=shallow and not deep, timeout=timeout, tmp_root=tmp_root)


def fetch_branch(runner: GitRunner, url: str, branch: str, *, shallow: bool) -> None:
    """Fetch `branch` from `url` into `refs/remotes/origin/<branch>` (its head only when `shallow`).

    Raises:
        GitError: the fetch failed (the branch is gone, credentials refused, ...).
    """
    depth = ["--depth=1"] if shallow else []
    runner.run(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--no-recurse-submodules", *depth,
                url, f"+{refs.HEADS_PREFIX}{branch}:{TRACKING_PREFIX}{branch}"], action="fetching")


# --- helpers ------------------------------------------------------------------------------------

def _push_target(ref: GitRef | None, ref_branch: str | None, push_branch: str | None,
                 shown: str) -> tuple[str, bool]:
    """The push branch and whether it differs from the checkout branch (Flux's `configurePush`)."""
    if push_branch:
        # Flux compares with the ref's branch field, or with the default branch when there is no ref.
        compare = DEFAULT_BRANCH if ref is None else (ref.branch or "")
        return push_branch, push_branch != compare
    if ref_branch is None:
        raise GitError(f"cannot push to {shown}: push spec not provided, and cannot be inferred from "
                       ".spec.git.checkout.ref or GitRepository .spec.ref", reason=SOURCE_MANAGER_FAILED,
                       url=shown, hint="set spec.git.push.branch (--push-branch), or check out a branch")
    return ref_branch, False


def _write_local_config(path: Path) -> None:
    # Appended as text: one write instead of a `git config` process per setting.
    sections: dict[str, list[str]] = {}
    for key, value in _LOCAL_CONFIG:
        section, _, name = key.partition(".")
        sections.setdefault(section, []).append(f"\t{name} = {value}\n")
    with path.open("a", encoding="utf-8") as fh:
        for section, lines in sections.items():
            fh.write(f"[{section}]\n" + "".join(lines))


def _check_branch_name(runner: GitRunner, branch: str, shown: str) -> None:
    done = runner.run(["check-ref-format", "--branch", branch], action="checking the branch for", check=False,
                      in_repo=False)
    if done.returncode != 0 or branch.startswith("-"):
        raise GitError(f"cannot push to {shown}: '{branch}' is not a valid branch name",
                       reason=SOURCE_MANAGER_FAILED, url=shown, hint="fix the push or checkout branch")


def _fetch_checkout(runner: GitRunner, url: str, res: refs.Resolution, *, shallow: bool) -> bool:
    """Fetch the resolved commit (and track its branch); return whether full history was fetched."""
    if res.kind == "commit" and res.branch is not None:
        # The commit must be on the branch (Flux looks it up in the branch's history).
        fetch_branch(runner, url, res.branch, shallow=False)
        if not _has_commit(runner, res.commit) or runner.run(
                ["merge-base", "--is-ancestor", res.commit, TRACKING_PREFIX + res.branch],
                action="checking out", check=False).returncode != 0:
            raise GitError(f"commit '{res.commit}' is not on branch '{res.branch}' of {runner.shown_url}",
                           url=runner.shown_url, hint="check the checkout ref's commit and branch")
        return True
    depth = ["--depth=1"] if shallow else []
    base = ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--no-recurse-submodules"]
    done = runner.run([*base, *depth, url, res.commit], action="fetching", check=False)
    if done.returncode != 0:
        low = done.stderr.lower()
        if not any(p in low for p in _UNADVERTISED_PATTERNS):
            raise runner.error(done.stderr, action="fetching")
        # A protocol v0 server that refuses unadvertised hashes: fetch by ref, or everything.
        wanted = [res.ref_name] if res.ref_name else [f"+{refs.HEADS_PREFIX}*:{TRACKING_PREFIX}*"]
        runner.run([*base, *depth, url, *wanted], action="fetching")
        if not _has_commit(runner, res.commit):
            runner.run([*base, *(["--unshallow"] if shallow else []), url, *wanted], action="fetching")
            shallow = False
        if not _has_commit(runner, res.commit):
            raise GitError(f"commit '{res.commit}' not found in {runner.shown_url}", url=runner.shown_url,
                           hint="check the checkout ref")
    if res.ref_name is not None and res.ref_name.startswith(refs.HEADS_PREFIX):
        branch = res.ref_name[len(refs.HEADS_PREFIX):]
        runner.run(["update-ref", TRACKING_PREFIX + branch, res.commit], action="checking out")
    return not shallow


def _has_commit(runner: GitRunner, commit: str) -> bool:
    return runner.run(["cat-file", "-e", f"{commit}^{{commit}}"], action="reading", check=False).returncode == 0


def _commit_time(runner: GitRunner, url: str, commit: str) -> int:
    """Committer time of `commit` (fetched if needed), for semver ties between tags."""
    if not _has_commit(runner, commit):
        runner.run(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--depth=1", url, commit],
                   action="fetching")
    out = runner.run(["show", "-s", "--format=%ct", commit], action="reading").stdout.strip()
    return int(out) if out.isdigit() else 0
