"""Pytest plugin: running Git servers on 127.0.0.1 for any test folder.

Register it once in tests/conftest.py with
`pytest_plugins = ["tests.gitserver.fixtures"]`. Each server starts once per
session (sshd and key generation take a few hundred milliseconds; the others
a few milliseconds) and each test gets it through a function-scoped fixture
that first clears its request log and faults, so tests do not see each
other's traffic. Repositories are added with `server.publish(repo) -> url`,
under names no other test uses.

| fixture           | server                                   | credentials                          |
|-------------------|------------------------------------------|--------------------------------------|
| `git_daemon`      | `git://` (`GitDaemon`)                   | none; pushes allowed                 |
| `git_http`        | `http://` (`GitHttpServer`)              | none                                 |
| `git_http_basic`  | `http://`                                | `.username` / `.password`            |
| `git_http_bearer` | `http://`                                | `.token` (`Authorization: Bearer`)   |
| `git_https`       | `https://`, certificate from `.tls`      | basic, `.username` / `.password`     |
| `git_sshd`        | `ssh://` (`SshServer`, real sshd)        | `.ed25519_key`, `.rsa_key`, ...      |

`git_server_certs` gives the CA (`ca_cert`, `ca_pem`) and an unrelated CA
(`other_ca_cert`) without starting a server.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import servers
from tests.gitserver import certs
from tests.gitserver.daemon import GitDaemon
from tests.gitserver.http import AuthMode, GitHttpServer
from tests.gitserver.ssh import SshServer


@pytest.fixture(scope="session")
def git_server_certs() -> certs.Certs:
    """The session's test CA, the server certificate it signed, and an unrelated CA."""
    return certs.session_certs()


@pytest.fixture(scope="session")
def _git_daemon_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GitDaemon]:
    yield from servers.running(GitDaemon(tmp_path_factory.mktemp("git-daemon") / "repos"))


@pytest.fixture(scope="session")
def _git_http_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GitHttpServer]:
    yield from servers.running(GitHttpServer(tmp_path_factory.mktemp("git-http") / "repos"))


@pytest.fixture(scope="session")
def _git_http_basic_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GitHttpServer]:
    root = tmp_path_factory.mktemp("git-http-basic") / "repos"
    yield from servers.running(GitHttpServer(root, auth=AuthMode.BASIC))


@pytest.fixture(scope="session")
def _git_http_bearer_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GitHttpServer]:
    root = tmp_path_factory.mktemp("git-http-bearer") / "repos"
    yield from servers.running(GitHttpServer(root, auth=AuthMode.BEARER))


@pytest.fixture(scope="session")
def _git_https_session(tmp_path_factory: pytest.TempPathFactory,
                       git_server_certs: certs.Certs) -> Iterator[GitHttpServer]:
    root = tmp_path_factory.mktemp("git-https") / "repos"
    yield from servers.running(GitHttpServer(root, auth=AuthMode.BASIC, tls=git_server_certs))


@pytest.fixture(scope="session")
def _git_sshd_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    yield from servers.running(SshServer(tmp_path_factory.mktemp("git-sshd")))


@pytest.fixture
def git_daemon(_git_daemon_session: GitDaemon) -> GitDaemon:
    """`git daemon` on `git://127.0.0.1:<port>`, with an empty request log."""
    return servers.fresh(_git_daemon_session)


@pytest.fixture
def git_http(_git_http_session: GitHttpServer) -> GitHttpServer:
    """Smart HTTP without authentication, with no faults and an empty request log."""
    return servers.fresh(_git_http_session)


@pytest.fixture
def git_http_basic(_git_http_basic_session: GitHttpServer) -> GitHttpServer:
    """Smart HTTP with basic auth (`.username`, `.password`), reset."""
    return servers.fresh(_git_http_basic_session)


@pytest.fixture
def git_http_bearer(_git_http_bearer_session: GitHttpServer) -> GitHttpServer:
    """Smart HTTP with bearer-token auth (`.token`), reset."""
    return servers.fresh(_git_http_bearer_session)


@pytest.fixture
def git_https(_git_https_session: GitHttpServer) -> GitHttpServer:
    """Smart HTTPS (certificate signed by `.tls.ca_cert`) with basic auth, reset."""
    return servers.fresh(_git_https_session)


@pytest.fixture
def git_sshd(_git_sshd_session: SshServer) -> SshServer:
    """A real sshd with client keys and known_hosts files, its log cleared."""
    return servers.fresh(_git_sshd_session)
