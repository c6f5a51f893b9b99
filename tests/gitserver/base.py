"""What every test Git server shares: a root of bare repositories and `publish()`.

Each server (git daemon, HTTP, sshd) serves the bare repositories under its
own root directory. Servers live for the whole test session, while tests
create repositories in their own `tmp_path`, so `publish()` copies a test's
repository into the root under a name no other test uses, and re-publishing
the same repository (after new commits) updates the same copy, keeping its
URL. Subclasses only say how a repository path becomes a URL.

Pushes are accepted on every server. `set_hook()` installs a server-side hook
in a published repository, so tests can decline pushes (a `pre-receive` that
exits 1, as a protected branch would) or see the push options that arrived.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

from tests.gitserver import repos


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago.

    Another process may take it before the caller binds it; the servers that
    cannot bind port 0 themselves retry on a new port when that happens.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], bool], *, timeout: float, interval: float = 0.01) -> bool:
    """Call `check` until it returns true or `timeout` seconds pass.

    Returns:
        Whether `check` succeeded in time.
    """
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)


class ServerStartError(RuntimeError):
    """A test server did not come up; the message includes its log."""


class RepoRoot:
    """The directory of bare repositories a server serves, and how tests add to it.

    Attributes:
        root: the directory holding `<name>.git` bare repositories.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self._names: dict[Path, str] = {}
        self._lock = threading.Lock()

    def url_for(self, name: str) -> str:
        """The URL of the repository `<name>.git` under the root (subclasses define it)."""
        raise NotImplementedError

    def publish(self, repo: repos.Repo | Path, name: str | None = None) -> str:
        """Serve `repo` (copied as a bare repository) and return its URL.

        Args:
            repo: a `Repo`, or the path of any repository.
            name: the name to serve it under (without `.git`); by default the
                repository directory's name, with `-2`, `-3`, ... appended when
                another repository already uses it.

        Returns:
            The URL to clone from. Publishing the same repository again
            mirrors its current branches and tags to the same URL.
        """
        source = (repo.path if isinstance(repo, repos.Repo) else repo).resolve()
        with self._lock:
            chosen = self._names.get(source) if name is None else name
            if chosen is None:
                base = source.name.removesuffix(".git")
                taken = set(self._names.values())
                chosen, n = base, 1
                while chosen in taken or (self.root / f"{chosen}.git").exists():
                    n += 1
                    chosen = f"{base}-{n}"
            self._names[source] = chosen
            repos.bare_copy(source, self.repo_path(chosen))
        return self.url_for(chosen)

    def repo_path(self, name: str) -> Path:
        """The served bare repository `<name>.git` (e.g. to inspect what was pushed)."""
        return self.root / f"{name.removesuffix('.git')}.git"

    def path_of(self, url: str) -> Path:
        """The served bare repository behind `url` (a URL `publish()` returned).

        Raises:
            KeyError: no published repository has that URL.
        """
        with self._lock:
            names = list(self._names.values())
        for name in names:
            if self.url_for(name) == url:
                return self.repo_path(name)
        raise KeyError(url)

    def set_hook(self, url: str, hook: str, script: str | None) -> Path:
        """Install a server-side hook (e.g. `pre-receive`) in the repository behind `url`.

        The hook runs for pushes over every transport, as on a real server:
        a `pre-receive` that exits non-zero declines the push (what a
        protected branch looks like to the client), and what it prints on
        stderr reaches the client as `remote:` lines. Push options arrive in
        `GIT_PUSH_OPTION_COUNT` / `GIT_PUSH_OPTION_<n>`.

        Args:
            url: the repository's URL.
            hook: the hook's name.
            script: the hook's text (a `#!` script), or None to remove the hook.

        Returns:
            The hook file.
        """
        path = self.path_of(url) / "hooks" / hook
        if script is None:
            path.unlink(missing_ok=True)
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(script)
        path.chmod(0o755)
        return path
