"""Running git as a child process: the one way fluxpy starts git, for the source and image stages.

The source stage (`fetch.py`: a bare mirror and a tree written into the work
dir) and image automation (`fluxpy.image.checkout`: a working clone that
commits and pushes) drive git differently, but start it, bound it and read
its failures the same way, so that is done once, here:

- **Bounded.** Each command runs in its own process group with a timeout;
  when it runs over, the whole group is killed (git leaves ssh or a remote
  helper holding the pipes open) and the failure is a `GitError`.
- **Masked.** stderr is always masked with the command's secrets before
  anyone sees it; stdout too unless the caller parses it as data.
- **Classified as Flux does.** `error` turns git's stderr into one-line
  `GitError`s with source-controller's reasons: an unknown or changed host
  key and refused credentials are `AuthenticationFailed`, anything else
  `GitOperationFailed`, quoting the one line of stderr worth reading.

The callers keep what differs: which git dir and work tree, which
environment, and the hints that name their own settings.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from git.cmd import Git as GitCommand

from fluxpy.source import auth as gitauth
from fluxpy.source.errors import AUTHENTICATION_FAILED, GIT_OPERATION_FAILED, GitError
from fluxpy.source.types import GitAuth

__all__ = ["SCHEMES", "GitOutput", "error", "last_error_line", "prepare", "run"]

SCHEMES = ("http", "https", "ssh", "git", "file")

_AUTH_PATTERNS = (
    "authentication failed", "could not read username", "could not read password",
    "terminal prompts disabled", "http 401", "http 403", "error: 401", "error: 403",
    "permission denied", "invalid credentials", "incorrect passphrase", "load key",
)
# "No <type> host key is known for <host>" is OpenSSH's line for an unknown host
# under StrictHostKeyChecking=yes, always followed by "Host key verification failed.".
_HOST_KEY_PATTERNS = ("host key verification failed", "remote host identification has changed",
                      "host key is known", "no matching host key")


@dataclass(frozen=True, slots=True)
class GitOutput:
    """A finished git command; `stderr` is masked (no credentials), `stdout` too unless `run` was told not to."""

    returncode: int
    stdout: str
    stderr: str


def run(args: Sequence[str], *, env: Mapping[str, str], timeout: float, shown_url: str, action: str,
        secrets: tuple[str, ...], timeout_hint: str, git_dir: Path | None = None,
        work_tree: Path | None = None, cwd: Path | None = None, mask_stdout: bool = True) -> GitOutput:
    """Run `git <args>` in its own process group and wait for it at most `timeout` seconds.

    Args:
        args: the git arguments.
        env: the environment git runs with (GitPython adds it to this process's).
        timeout: seconds to wait before the whole process group is killed.
        shown_url: the repository URL without credentials, for messages.
        action: what is being done, for messages ("fetching", "pushing to").
        secrets: strings to mask in the output.
        timeout_hint: the hint of the timeout error (it names the caller's setting).
        git_dir: passed as `--git-dir`, or None.
        work_tree: passed as `--work-tree`, or None.
        cwd: the directory git starts in, or None for this process's.
        mask_stdout: mask stdout too; off when stdout is data to parse, not text to show.

    Returns:
        The exit code and the output; a non-zero exit is the caller's to judge.

    Raises:
        GitError: the command timed out.
    """
    argv = [GitCommand.GIT_PYTHON_GIT_EXECUTABLE or "git"]
    if git_dir is not None:
        argv.append(f"--git-dir={git_dir}")
    if work_tree is not None:
        argv.append(f"--work-tree={work_tree}")
    argv.extend(args)
    handle = GitCommand(str(cwd) if cwd is not None else None).execute(
        argv, as_process=True, env=dict(env), start_new_session=True)
    proc = handle.proc
    assert proc is not None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        raise GitError(f"timed out after {timeout:g}s {action} {shown_url}", url=shown_url,
                       hint=timeout_hint) from None
    stdout = out.decode(errors="replace")
    return GitOutput(proc.returncode, gitauth.mask(stdout, secrets) if mask_stdout else stdout,
                     gitauth.mask(err.decode(errors="replace"), secrets))


def error(stderr: str, *, action: str, shown_url: str, auth_hint: str) -> GitError:
    """A one-line `GitError` for git's (masked) stderr, with Flux's reason.

    Args:
        stderr: what git wrote, already masked.
        action: what was being done, for the message.
        shown_url: the repository URL without credentials.
        auth_hint: the hint when the credentials were refused (it names where they come from).
    """
    low = stderr.lower()
    detail = last_error_line(stderr)
    if any(p in low for p in _HOST_KEY_PATTERNS):
        return GitError(f"host key verification failed for {shown_url}: the server's key is not in "
                        f"known_hosts or has changed ({detail})", reason=AUTHENTICATION_FAILED, url=shown_url,
                        hint="check the host, then update known_hosts in the Secret (ssh-keyscan)")
    if any(p in low for p in _AUTH_PATTERNS):
        return GitError(f"authentication failed {action} {shown_url}: {detail}", reason=AUTHENTICATION_FAILED,
                        url=shown_url, hint=auth_hint)
    return GitError(f"git failed {action} {shown_url}: {detail}", reason=GIT_OPERATION_FAILED, url=shown_url,
                    hint="check the URL and that the server is reachable")


def last_error_line(stderr: str) -> str:
    """The line of git's stderr worth quoting: the last `fatal:`/`error:` line, else the last line.

    Hints, warnings and ssh's `@@@` banners are never quoted.
    """
    lines = [ln.strip() for ln in stderr.replace("\r", "\n").splitlines() if ln.strip()]
    useful = [ln for ln in lines
              if not ln.startswith("@") and not ln.lower().startswith("hint:") and "warning:" not in ln.lower()[:9]]
    fatal = [ln for ln in useful if ln.lower().startswith(("fatal:", "error:"))]
    picked = fatal[-1] if fatal else (useful[-1] if useful else "no output")
    picked = re.sub(r"^(fatal|error):\s*", "", picked, flags=re.IGNORECASE)
    return picked[:300]


def prepare(url: str, auth: GitAuth | None) -> tuple[str, GitAuth | None, str]:
    """The URL to run git with, the credentials, and the URL to show.

    A password in the URL is moved into the credentials (used when `auth`
    has none), so it never reaches git's argv; an SSH URL gets Flux's
    default user.

    Raises:
        GitError: the URL's scheme is not one of `SCHEMES`.
    """
    shown = gitauth.redact_url(url)
    if urlsplit(url).scheme not in SCHEMES:
        raise GitError(f"unsupported URL {shown}: the scheme must be one of {', '.join(SCHEMES)}",
                       url=shown, hint="use an https:// or ssh:// URL")
    fetch_url, user, password = gitauth.split_credentials(url)
    if password is not None and (auth is None or not (auth.username or auth.password or auth.bearer_token)):
        auth = replace(auth or GitAuth(), username=user, password=password)
    return gitauth.ssh_url(fetch_url), auth, shown


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    # git runs ssh or a remote helper as children holding the pipes open;
    # only killing the whole group lets communicate() return.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
