"""Step "clone the Git repo", cluster-free: the CI checkout itself is the work tree.

In CI the repository being updated is already checked out, and `--no-push`
must leave the commit there. So instead of cloning, `work_tree` describes the
existing checkout as a `checkout.Checkout` (its `origin` remote, current
branch and HEAD), and the same commit-and-push step runs in it. Its work tree
must be clean: on a push race the step resets the branch to the remote's new
head and redoes the update, which must never throw away the user's changes.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from fluxpy.errors import FluxpyError
from fluxpy.image.checkout import Checkout
from fluxpy.source.types import GitRef

if TYPE_CHECKING:
    from fluxpy.source.types import GitAuth


class WorkTreeError(FluxpyError):
    """The directory cannot be updated in place."""

    reason = "GitOperationFailed"


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise WorkTreeError(f"{repo}: git {' '.join(args)} failed: {' '.join(done.stderr.split())}")
    return done.stdout.strip()


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and "@" in parts.netloc:
        return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
    return url


def work_tree(directory: Path, *, auth: GitAuth | None, push_branch: str | None, need_remote: bool,
              timeout: float) -> Checkout:
    """The checkout at `directory`, ready for `push.commit_and_push`.

    Args:
        directory: inside a Git work tree.
        auth: credentials for pushing (flags/environment), or None.
        push_branch: `spec.git.push.branch`; when it differs from the current
            branch, it is checked out (created at HEAD) first.
        need_remote: an `origin` remote is required (to push).
        timeout: seconds per later git command.

    Raises:
        WorkTreeError: not a work tree, uncommitted changes, a detached HEAD
            without a push branch, or no `origin` to push to.
    """
    top = Path(_git(directory, "rev-parse", "--show-toplevel"))
    dirty = _git(top, "status", "--porcelain", "--untracked-files=no")
    if dirty:
        raise WorkTreeError(f"{top}: the work tree has uncommitted changes",
                            hint="commit or stash them first: the update is committed on top of HEAD")
    head = _git(top, "rev-parse", "HEAD")
    try:
        branch: str | None = _git(top, "symbolic-ref", "--quiet", "--short", "HEAD")
    except WorkTreeError:
        branch = None
    if branch is None and push_branch is None:
        raise WorkTreeError(f"{top}: HEAD is detached and the automation names no git.push.branch",
                            hint="check out a branch first")
    url = ""
    try:
        url = _git(top, "remote", "get-url", "origin")
    except WorkTreeError:
        if need_remote:
            raise WorkTreeError(f"{top}: no 'origin' remote to push to",
                                hint="add one, or pass --no-push to commit locally") from None
    target = push_branch or branch
    assert target is not None
    switched = target != branch
    if switched:
        _git(top, "checkout", "--quiet", "-B", target)
    shallow = _git(top, "rev-parse", "--is-shallow-repository") == "true"
    ref = GitRef(branch=branch) if branch else GitRef(commit=head)
    return Checkout(workdir=top, url=_without_userinfo(url), shown_url=_without_userinfo(url), auth=auth, ref=ref,
                    commit=head, revision=f"{branch or target}@sha1:{head}", branch=target, head=head,
                    checkout_branch=branch, switched=switched, shallow=shallow, timeout=timeout)
