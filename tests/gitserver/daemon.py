"""`git daemon` serving test repositories over `git://127.0.0.1:<port>/<name>.git`.

The plainest Git transport: no authentication, no TLS. Fluxpy accepts
`git://` URLs for cluster-free use, and image automation pushes, so the daemon
exports every repository (`--export-all`) and accepts pushes
(`--enable=receive-pack`).

`git daemon` cannot report a port it picked itself, so the server picks a free
port and retries on another one if the daemon could not bind it. It is ready
when its log (stderr, `--verbose`) says "Ready to rumble", which avoids probe
connections that would show up as requests. The same log lists each request
(`Request upload-pack for '/name.git'`), which `requests()` returns.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.gitserver import repos
from tests.gitserver.base import RepoRoot, ServerStartError, free_port, wait_for

_REQUEST = re.compile(r"Request (\S+) for '([^']*)'")


class GitDaemon(RepoRoot):
    """A `git daemon` child process serving `root`.

    Attributes:
        root: the base path; `<root>/<name>.git` is `git://127.0.0.1:<port>/<name>.git`.
        port: the TCP port (set by `start()`).
        log_path: the daemon's stderr.
    """

    def __init__(self, root: Path, *, log_path: Path | None = None) -> None:
        super().__init__(root)
        self.port = 0
        self.log_path = log_path or root.parent / "git-daemon.log"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """`git://127.0.0.1:<port>`."""
        return f"git://127.0.0.1:{self.port}"

    def url_for(self, name: str) -> str:
        """`git://127.0.0.1:<port>/<name>.git`."""
        return f"{self.base_url}/{name.removesuffix('.git')}.git"

    def start(self, *, timeout: float = 10.0) -> None:
        """Start the daemon and wait until it listens.

        Raises:
            ServerStartError: it exited or stayed silent (the log is in the message).
        """
        for _ in range(5):
            self.port = free_port()
            self.log_path.write_bytes(b"")
            # Append mode, so that `reset()` truncating the file is safe.
            with self.log_path.open("ab") as log:
                self._proc = subprocess.Popen(
                    ["git", "daemon", "--reuseaddr", "--verbose", "--informative-errors",
                     "--listen=127.0.0.1", f"--port={self.port}", f"--base-path={self.root}",
                     "--export-all", "--enable=receive-pack", "--log-destination=stderr"],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                    env=repos.client_env())
            proc = self._proc
            wait_for(lambda: "Ready to rumble" in self.log_text() or proc.poll() is not None,
                     timeout=timeout)
            if proc.poll() is None and "Ready to rumble" in self.log_text():
                return
            self.stop()
            if "Address already in use" not in self.log_text():
                break
        raise ServerStartError(f"git daemon did not start on port {self.port}:\n{self.log_text()}")

    def stop(self) -> None:
        """Stop the daemon (its per-connection children exit with their connections)."""
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None

    def log_text(self) -> str:
        """The daemon's log so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def requests(self) -> list[tuple[str, str]]:
        """The requests served so far, as `(service, path)`, e.g. `("upload-pack", "/app.git")`."""
        return _REQUEST.findall(self.log_text())

    def reset(self) -> None:
        """Forget the request log (the next test starts counting from zero)."""
        self.log_path.write_bytes(b"")
