"""A real sshd serving Git over ssh://, checked with the plain git CLI and OpenSSH client.

Covers: the URL and known_hosts line formats; a clone with the ed25519 key
and the right known_hosts; a clone with the passphrase-protected RSA key
(passphrase given through `SSH_ASKPASS`), and that key refused when no
passphrase can be asked; a key that is not authorized is refused; with
`StrictHostKeyChecking=yes` an unknown host (empty known_hosts) and a changed
host key (`wrong_known_hosts`) are refused before authentication; a push
updates the served repository; the log records the accepted key.
"""

from __future__ import annotations

from pathlib import Path

from tests.gitserver import repos
from tests.gitserver.ssh import RSA_PASSPHRASE, SshServer, askpass_env


def _url(server: SshServer, tmp_path: Path) -> str:
    return server.publish(repos.make_repo(tmp_path / "app", {"a.yaml": "a: 1\n"}))


def test_url_and_known_hosts_line_have_flux_formats(git_sshd: SshServer, tmp_path: Path) -> None:
    url = _url(git_sshd, tmp_path)
    assert url.startswith(f"ssh://{git_sshd.user}@127.0.0.1:{git_sshd.port}/")
    assert url.endswith(".git") and Path(url.split(str(git_sshd.port), 1)[1]).is_absolute()
    host, kind, key = git_sshd.known_hosts_line.split()
    assert (host, kind) == (f"[127.0.0.1]:{git_sshd.port}", "ssh-ed25519")
    assert key.startswith("AAAA")
    assert git_sshd.known_hosts.read_text() == git_sshd.known_hosts_line + "\n"


def test_clone_with_ed25519_key_and_known_hosts(git_sshd: SshServer, tmp_path: Path) -> None:
    url = _url(git_sshd, tmp_path)
    env = {"GIT_SSH_COMMAND": git_sshd.ssh_command(git_sshd.ed25519_key)}
    repos.git("clone", "--quiet", url, str(tmp_path / "clone"), env=env)
    assert (tmp_path / "clone" / "a.yaml").read_text() == "a: 1\n"
    assert "Accepted publickey" in git_sshd.log_text()


def test_clone_with_passphrase_protected_rsa_key(git_sshd: SshServer, tmp_path: Path) -> None:
    url = _url(git_sshd, tmp_path)
    assert git_sshd.rsa_key.passphrase == RSA_PASSPHRASE
    assert b"BEGIN OPENSSH PRIVATE KEY" in git_sshd.rsa_key.private_pem
    env = {"GIT_SSH_COMMAND": git_sshd.ssh_command(git_sshd.rsa_key, batch=False),
           **askpass_env(tmp_path, RSA_PASSPHRASE)}
    repos.git("clone", "--quiet", url, str(tmp_path / "clone"), env=env)
    assert (tmp_path / "clone" / "a.yaml").exists()
    assert "Accepted publickey" in git_sshd.log_text() and "RSA" in git_sshd.log_text()


def test_passphrase_protected_key_without_passphrase_is_refused(git_sshd: SshServer,
                                                                tmp_path: Path) -> None:
    env = {"GIT_SSH_COMMAND": git_sshd.ssh_command(git_sshd.rsa_key)}
    result = repos.run("ls-remote", _url(git_sshd, tmp_path), env=env)
    assert result.returncode != 0
    assert "Permission denied (publickey)" in result.stderr


def test_key_that_is_not_authorized_is_refused(git_sshd: SshServer, tmp_path: Path) -> None:
    env = {"GIT_SSH_COMMAND": git_sshd.ssh_command(git_sshd.stranger_key)}
    result = repos.run("ls-remote", _url(git_sshd, tmp_path), env=env)
    assert result.returncode != 0
    assert "Permission denied (publickey)" in result.stderr


def test_unknown_host_is_refused_with_strict_host_key_checking(git_sshd: SshServer,
                                                               tmp_path: Path) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    env = {"GIT_SSH_COMMAND": git_sshd.ssh_command(git_sshd.ed25519_key, known_hosts=empty)}
    result = repos.run("ls-remote", _url(git_sshd, tmp_path), env=env)
    assert result.returncode != 0
    assert "Host key verification failed" in result.stderr
    assert empty.read_text() == ""  # nothing was learned
    assert "Accepted publickey" not in git_sshd.log_text()


def test_changed_host_key_is_refused(git_sshd: SshServer, tmp_path: Path) -> None:
    env = {"GIT_SSH_COMMAND": git_sshd.ssh_command(git_sshd.ed25519_key,
                                                   known_hosts=git_sshd.wrong_known_hosts)}
    result = repos.run("ls-remote", _url(git_sshd, tmp_path), env=env)
    assert result.returncode != 0
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in result.stderr
    assert "Accepted publickey" not in git_sshd.log_text()


def test_push_over_ssh_updates_the_served_repository(git_sshd: SshServer, tmp_path: Path) -> None:
    url = _url(git_sshd, tmp_path)
    env = {"GIT_SSH_COMMAND": git_sshd.ssh_command(git_sshd.ed25519_key)}
    work = tmp_path / "work"
    repos.git("clone", "--quiet", url, str(work), env=env)
    new = repos.Repo(work, "main").commit({"image.yaml": "tag: v2\n"})
    repos.git("push", "--quiet", "origin", "main", cwd=work, env=env)
    assert repos.git("rev-parse", "main", cwd=git_sshd.repo_path(url.rsplit("/", 1)[1])) == new
