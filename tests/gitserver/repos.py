"""Real Git repositories for the tests, built in `tmp_path` with the git CLI.

The Git-source tests check revisions (`main@sha1:<hex>`) and artifact digests,
so the repositories they fetch must be the same on every run: every commit is
made with a fixed author and committer, and with a date that starts at
`BASE_DATE` and moves one minute forward per commit of that repository. The
same sequence of calls therefore always gives the same commit hashes.

Git's user and system configuration are ignored (`GIT_CONFIG_GLOBAL=/dev/null`,
`GIT_CONFIG_NOSYSTEM=1`), so a developer's `~/.gitconfig` (signing, hooks,
default branch) cannot change what the tests see. `client_env()` gives the same
isolation to tests that run `git` as a client against the servers.

Servers serve bare copies: `bare_copy()` makes one, and each server's
`publish()` calls it (or mirrors new commits into an existing copy).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

AUTHOR_NAME = "Fluxpy Test"
AUTHOR_EMAIL = "test@fluxpy.invalid"
BASE_DATE = 1_704_067_200  # 2024-01-01T00:00:00Z
"""Unix time of a repository's first commit; later commits add 60 s each."""


def client_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for running `git` in tests, isolated from the user's configuration.

    Prompts are disabled (`GIT_TERMINAL_PROMPT=0`), so a refused credential
    fails at once instead of waiting for a terminal.

    Args:
        extra: variables to add or override (e.g. `GIT_SSH_COMMAND`).

    Returns:
        A copy of `os.environ` with the isolation variables set.
    """
    env = dict(os.environ)
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
        GIT_ASKPASS="",
        SSH_ASKPASS="",
        LC_ALL="C",
    )
    # Variables that would override the tests' own settings: git prefers
    # GIT_SSL_CAINFO to `http.sslCAInfo`, GIT_SSH_COMMAND to `core.sshCommand`.
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH",
                 "GIT_SSL_NO_VERIFY", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_PROXY_COMMAND",
                 "GIT_CURL_VERBOSE", "GIT_TRACE"):
        env.pop(name, None)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    if extra:
        env.update(extra)
    return env


def git(*args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None,
        input: bytes | None = None) -> str:
    """Run `git` and return its stdout (stripped).

    Args:
        *args: the git arguments.
        cwd: the working directory.
        env: extra environment on top of `client_env()`.
        input: bytes for stdin.

    Raises:
        GitError: git exited non-zero (its stderr is in the message).
    """
    proc = subprocess.run(["git", *args], cwd=cwd, env=client_env(env), input=input,
                          capture_output=True, timeout=120)
    if proc.returncode != 0:
        raise GitError(args, proc.returncode, proc.stderr.decode(errors="replace"))
    return proc.stdout.decode(errors="replace").strip()


def run(*args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `git` as a client and return the finished process, failed or not.

    For tests that expect git to fail and check its message.

    Args:
        *args: the git arguments.
        cwd: the working directory.
        env: extra environment on top of `client_env()`.
        timeout: seconds before the process is killed.
    """
    return subprocess.run(["git", *args], cwd=cwd, env=client_env(env), capture_output=True,
                          text=True, timeout=timeout)


class GitError(Exception):
    """A git command failed; the message holds the command and git's stderr."""

    def __init__(self, args: tuple[str, ...], returncode: int, stderr: str) -> None:
        super().__init__(f"git {' '.join(args)} exited {returncode}: {stderr.strip()}")
        self.returncode = returncode
        self.stderr = stderr


class Repo:
    """A non-bare repository under construction, with deterministic commits.

    Create one with `make_repo()`. Every method that commits moves the clock by
    one minute, so hashes depend only on the sequence of calls.

    Attributes:
        path: the working tree.
        branch: the initial branch (the one `make_repo` committed to).
    """

    __slots__ = ("path", "branch", "_tick")

    def __init__(self, path: Path, branch: str) -> None:
        self.path = path
        self.branch = branch
        self._tick = 0

    def __repr__(self) -> str:
        return f"Repo({str(self.path)!r}, branch={self.branch!r})"

    def git(self, *args: str) -> str:
        """Run `git` in this repository with the fixed identity and the next commit date."""
        stamp = f"@{BASE_DATE + 60 * self._tick} +0000"
        return git(*args, cwd=self.path, env={
            "GIT_AUTHOR_NAME": AUTHOR_NAME, "GIT_AUTHOR_EMAIL": AUTHOR_EMAIL,
            "GIT_COMMITTER_NAME": AUTHOR_NAME, "GIT_COMMITTER_EMAIL": AUTHOR_EMAIL,
            "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp,
        })

    def commit(self, files: Mapping[str, str | bytes] | None = None, message: str | None = None,
               *, delete: tuple[str, ...] = ()) -> str:
        """Write `files`, remove `delete`, and commit everything.

        Args:
            files: path (relative, `/`-separated) to content; parent
                directories are created.
            message: the commit message; by default "commit <n>".
            delete: paths to remove.

        Returns:
            The new commit's full hash.
        """
        write_files(self.path, files or {})
        for rel in delete:
            (self.path / rel).unlink()
        self.git("add", "--all")
        return self._commit_index(message)

    def _commit_index(self, message: str | None) -> str:
        self._tick += 1
        self.git("commit", "--quiet", "--allow-empty", "--no-verify", "-m",
                 message or f"commit {self._tick}")
        return self.head()

    def tag(self, name: str, *, message: str | None = None, ref: str = "HEAD") -> str:
        """Tag `ref`: annotated when `message` is given, lightweight otherwise.

        Returns:
            The hash of the commit the tag points at.
        """
        if message is None:
            self.git("tag", name, ref)
        else:
            self._tick += 1
            self.git("tag", "-a", name, "-m", message, ref)
        return self.rev(f"{name}^{{commit}}")

    def create_branch(self, name: str, *, start: str = "HEAD", checkout: bool = False) -> None:
        """Create branch `name` at `start`, and switch to it when `checkout`."""
        self.git("branch", name, start)
        if checkout:
            self.checkout(name)

    def checkout(self, ref: str) -> None:
        """Switch the working tree to `ref` (a branch, tag or commit)."""
        self.git("checkout", "--quiet", ref)

    def add_submodule(self, path: str, url: str, commit: str, *, message: str | None = None) -> str:
        """Commit a submodule at `path` that points at `url` (at `commit`).

        The gitlink is written directly (`.gitmodules` plus an index entry), so
        `url` is not contacted now; it must be reachable when the parent is
        cloned with `--recurse-submodules`, which is what the tests exercise.

        Returns:
            The new commit's full hash.
        """
        gitmodules = self.path / ".gitmodules"
        text = gitmodules.read_text() if gitmodules.exists() else ""
        text += f'[submodule "{path}"]\n\tpath = {path}\n\turl = {url}\n'
        gitmodules.write_text(text)
        # An empty directory stands for the submodule not checked out (as after
        # a clone without --recurse-submodules); without it, the next
        # `add --all` would stage the gitlink's removal.
        (self.path / path).mkdir(parents=True, exist_ok=True)
        self.git("add", ".gitmodules")
        self.git("update-index", "--add", "--cacheinfo", f"160000,{commit},{path}")
        return self._commit_index(message or f"add submodule {path}")

    def head(self) -> str:
        """The full hash of HEAD."""
        return self.rev("HEAD")

    def rev(self, ref: str) -> str:
        """The full hash `ref` resolves to."""
        return self.git("rev-parse", "--verify", "--quiet", ref)

    def bare_copy(self, dest: Path) -> Path:
        """Make a bare copy of this repository at `dest` (all branches and tags).

        Returns:
            `dest`.
        """
        return bare_copy(self.path, dest)


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Write `files` (relative path to content) under `root`, creating directories."""
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)


def make_repo(path: Path, files: Mapping[str, str | bytes], *, branch: str = "main",
              message: str = "initial commit") -> Repo:
    """Create a repository at `path` with one commit holding `files`.

    Args:
        path: where to create it (made if missing).
        files: the first commit's content (path to text or bytes).
        branch: the initial branch name.
        message: the first commit's message.

    Returns:
        The repository, on `branch`.
    """
    path.mkdir(parents=True, exist_ok=True)
    git("init", "--quiet", "--initial-branch", branch, str(path))
    repo = Repo(path, branch)
    repo.commit(files, message)
    return repo


def make_large_repo(path: Path, *, files: int = 10_000, per_dir: int = 100,
                    line_count: int = 20, branch: str = "main") -> Repo:
    """Create a repository with one commit of `files` small text files (for the benchmark).

    The files are spread over directories of `per_dir` files, like a real
    manifests repository, and their content is deterministic.

    Args:
        path: where to create it.
        files: the number of files.
        per_dir: files per directory.
        line_count: lines per file.
        branch: the branch name.
    """
    content = {
        f"d{i // per_dir:04d}/f{i:05d}.yaml": "".join(
            f"key{j}: value-{i}-{j}\n" for j in range(line_count))
        for i in range(files)
    }
    return make_repo(path, content, branch=branch, message=f"{files} files")


def bare_copy(source: Path, dest: Path) -> Path:
    """Make a bare copy of the repository at `source`, or update an existing one.

    An existing copy is overwritten with `git push --mirror`, so its branches
    and tags match the source exactly (new commits, moved or deleted refs).
    The copy accepts pushes over HTTP too (`http.receivepack`) and advertises
    push options (`receive.advertisePushOptions`), as GitLab and Gerrit do.

    Returns:
        `dest`.
    """
    if dest.exists():
        git("push", "--quiet", "--force", "--mirror", str(dest), cwd=source)
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        git("clone", "--quiet", "--bare", "--no-local", str(source), str(dest))
        git("config", "http.receivepack", "true", cwd=dest)
        git("config", "receive.advertisePushOptions", "true", cwd=dest)
        # A clone of the source makes its branches and tags; drop the source's
        # `origin` so the copy looks like a server repository.
        git("remote", "remove", "origin", cwd=dest)
    return dest
