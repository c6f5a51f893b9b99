"""A real OpenSSH server (Debian `openssh-server`) serving test repositories.

Flux's SSH auth is a private key (optionally passphrase-protected) plus a
`known_hosts` that must match the server, and an unknown or changed host key
must be refused. Only a real `sshd` proves all of that, so `SshServer` starts
one as a non-daemon child (`sshd -D -e -f <config>`) on a free port of
127.0.0.1, with everything it needs made in a temporary directory:

- its own ed25519 host key, and `known_hosts` (the right line,
  `[127.0.0.1]:<port> ssh-ed25519 AAAA...`) and `wrong_known_hosts` (the same
  host with another key: a "changed host key");
- client key pairs: `ed25519_key` (no passphrase) and `rsa_key` (passphrase
  `RSA_PASSPHRASE`), both authorized, and `stranger_key`, not authorized;
- a config: public keys only, no PAM, `StrictModes no` (tmp dirs are not the
  user's home), `AuthorizedKeysFile` in the tmp dir, `AllowUsers` the current
  user, `PermitRootLogin prohibit-password` (CI runs the tests as root), and a
  `SetEnv PATH` with git on it so `git-upload-pack '/abs/repo.git'` runs.

URLs are `ssh://<user>@127.0.0.1:<port>/<absolute path>/<name>.git`, the form
Flux uses. Starting sshd and making keys takes a few hundred milliseconds, so
the fixtures start one server per session.
"""

from __future__ import annotations

import getpass
import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.gitserver.base import RepoRoot, ServerStartError, free_port, wait_for

SSHD = "/usr/sbin/sshd"  # sshd must be run by absolute path (it re-executes itself)
RSA_PASSPHRASE = "rsa-key-passphrase"


@dataclass(frozen=True, slots=True)
class KeyPair:
    """An SSH key pair on disk (the private file is mode 0600, as ssh requires).

    Attributes:
        private: the private key file (OpenSSH format).
        public: the `.pub` file.
        passphrase: the passphrase protecting `private`, or None.
    """

    private: Path
    public: Path
    passphrase: str | None = None

    @property
    def private_pem(self) -> bytes:
        """The private key's bytes, as a Secret's `identity` holds them."""
        return self.private.read_bytes()

    @property
    def public_line(self) -> str:
        """`<type> <base64>` without the comment."""
        return " ".join(self.public.read_text().split()[:2])


def make_key(path: Path, *, kind: str = "ed25519", passphrase: str | None = None) -> KeyPair:
    """Generate a key pair with `ssh-keygen` at `path` (and `path.pub`).

    Args:
        path: the private key file to create.
        kind: `ed25519` or `rsa` (2048 bits).
        passphrase: encrypt the private key with it.
    """
    bits = ["-b", "2048"] if kind == "rsa" else []
    subprocess.run(["ssh-keygen", "-q", "-t", kind, *bits, "-N", passphrase or "",
                    "-C", f"fluxpy-test-{path.name}", "-f", str(path)],
                   check=True, capture_output=True)
    return KeyPair(path, path.with_name(path.name + ".pub"), passphrase)


class SshServer(RepoRoot):
    """An `sshd` child process serving the bare repositories under `<workdir>/repos`.

    Attributes:
        workdir: holds the config, keys, known_hosts files, log and repos.
        user: the login user (the current user).
        port: the TCP port (set by `start()`).
        host_key: the server's ed25519 host key.
        ed25519_key: an authorized client key without passphrase.
        rsa_key: an authorized RSA client key with passphrase `RSA_PASSPHRASE`.
        stranger_key: a client key that is not authorized.
        known_hosts: a known_hosts file with the server's real key.
        wrong_known_hosts: a known_hosts file with another key for the same host.
        log_path: sshd's log (`-e`: everything it logs goes to stderr).
    """

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir / "repos")
        self.workdir = workdir
        self.user = getpass.getuser()
        self.port = 0
        keys = workdir / "keys"
        keys.mkdir(parents=True, exist_ok=True)
        self.host_key = make_key(keys / "ssh_host_ed25519_key")
        self.other_host_key = make_key(keys / "other_host_ed25519_key")
        self.ed25519_key = make_key(keys / "id_ed25519")
        self.rsa_key = make_key(keys / "id_rsa", kind="rsa", passphrase=RSA_PASSPHRASE)
        self.stranger_key = make_key(keys / "id_stranger")
        self.authorized_keys = workdir / "authorized_keys"
        self.authorized_keys.write_text(
            f"{self.ed25519_key.public_line}\n{self.rsa_key.public_line}\n")
        self.known_hosts = workdir / "known_hosts"
        self.wrong_known_hosts = workdir / "wrong_known_hosts"
        self.config_path = workdir / "sshd_config"
        self.log_path = workdir / "sshd.log"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """`ssh://<user>@127.0.0.1:<port>`."""
        return f"ssh://{self.user}@127.0.0.1:{self.port}"

    def url_for(self, name: str) -> str:
        """`ssh://<user>@127.0.0.1:<port>/<root>/<name>.git` (an absolute path)."""
        return f"{self.base_url}{self.repo_path(name)}"

    @property
    def known_hosts_line(self) -> str:
        """`[127.0.0.1]:<port> ssh-ed25519 AAAA...` for the server's key."""
        return f"[127.0.0.1]:{self.port} {self.host_key.public_line}"

    def ssh_command(self, key: KeyPair, *, known_hosts: Path | None = None,
                    batch: bool = True) -> str:
        """A `GIT_SSH_COMMAND` that logs in with `key` and checks the host key strictly.

        Args:
            key: the client key.
            known_hosts: the known_hosts file (default: the right one).
            batch: `BatchMode=yes` (never prompt); turn it off for a
                passphrase-protected key read through `SSH_ASKPASS`.
        """
        options = {
            "IdentitiesOnly": "yes", "IdentityAgent": "none", "PasswordAuthentication": "no",
            "UserKnownHostsFile": str(known_hosts or self.known_hosts),
            "GlobalKnownHostsFile": os.devnull, "StrictHostKeyChecking": "yes",
            "BatchMode": "yes" if batch else "no", "ConnectTimeout": "10",
        }
        args = ["ssh", "-F", os.devnull, "-i", str(key.private)]
        for name, value in options.items():
            args += ["-o", f"{name}={value}"]
        return shlex.join(args)

    def start(self, *, timeout: float = 10.0) -> None:
        """Start sshd and wait until it listens.

        Raises:
            ServerStartError: sshd exited or did not listen in time (its log
                is in the message).
        """
        if os.geteuid() == 0:
            # The privilege-separation directory; systemd makes it for the
            # packaged service, and a container or CI runner may lack it.
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        for _ in range(5):
            self.port = free_port()
            self._write_config()
            self.log_path.write_bytes(b"")
            with self.log_path.open("ab") as log:
                self._proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(self.config_path)],
                                              stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            proc = self._proc
            ready = f"Server listening on 127.0.0.1 port {self.port}"
            wait_for(lambda: ready in self.log_text() or proc.poll() is not None, timeout=timeout)
            if proc.poll() is None and ready in self.log_text():
                return
            text = self.log_text()
            self.stop()
            if "Address already in use" not in text:
                break
        raise ServerStartError(f"sshd did not start on port {self.port}:\n{self.log_text()}")

    def stop(self) -> None:
        """Stop sshd (connection children exit with their connections)."""
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None

    def log_text(self) -> str:
        """sshd's log so far (authentication results at LogLevel VERBOSE)."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def reset(self) -> None:
        """Clear the log (each test reads only its own connections)."""
        self.log_path.write_bytes(b"")

    def _write_config(self) -> None:
        git_dir = Path(shutil.which("git") or "/usr/bin/git").parent
        path = os.pathsep.join(dict.fromkeys([str(git_dir), "/usr/local/bin", "/usr/bin", "/bin"]))
        self.known_hosts.write_text(self.known_hosts_line + "\n")
        self.wrong_known_hosts.write_text(
            f"[127.0.0.1]:{self.port} {self.other_host_key.public_line}\n")
        self.config_path.write_text("\n".join([
            f"Port {self.port}",
            "ListenAddress 127.0.0.1",
            f"HostKey {self.host_key.private}",
            "PidFile none",
            f"AuthorizedKeysFile {self.authorized_keys}",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "PermitRootLogin prohibit-password",
            f"AllowUsers {self.user}",
            "PrintMotd no",
            "PrintLastLog no",
            "X11Forwarding no",
            "AllowTcpForwarding no",
            "LogLevel VERBOSE",
            f"SetEnv PATH={path} GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL={os.devnull}",
            "",
        ]))


def askpass_env(directory: Path, passphrase: str) -> dict[str, str]:
    """Environment that makes `ssh` read a key passphrase from a script (no terminal).

    Args:
        directory: where to write the script.
        passphrase: what the script prints.

    Returns:
        `SSH_ASKPASS` and `SSH_ASKPASS_REQUIRE=force` (OpenSSH >= 8.4).
    """
    script = directory / "askpass.sh"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' {shlex.quote(passphrase)}\n")
    script.chmod(0o700)
    return {"SSH_ASKPASS": str(script), "SSH_ASKPASS_REQUIRE": "force"}
