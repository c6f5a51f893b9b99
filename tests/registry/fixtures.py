"""Pytest plugin: real OCI registries on 127.0.0.1 for any test folder.

Registered in tests/conftest.py (`pytest_plugins`). Each registry is a
`docker-registry` process started once per session (about 0.2 s each) with
its own temporary storage; each test gets it through a function-scoped
fixture that first clears logs and faults. Registries keep what was pushed
for the whole session, so tests push to repositories of their own
(`tests.registry.client.unique_repo()`).

| fixture                | what                                                   | credentials                       |
|------------------------|--------------------------------------------------------|-----------------------------------|
| `oci_registry`         | `http://`, anonymous pull and push                     | none                              |
| `oci_registry_tls`     | `https://`, certificate from `oci_registry_certs`      | none                              |
| `oci_registry_basic`   | `http://`, htpasswd (bcrypt)                           | `.username` / `.password`         |
| `oci_registry_token`   | `http://`, `auth.token` with a token server (`.tokens`) | `.username` / `.password`, `.tokens.refresh_tokens` |
| `oci_registry_proxy`   | `RegistryProxy` in front of `oci_registry`: paginates tag lists, injects faults | none |
| `oci_proxy_for`        | `oci_proxy_for(server)` starts a `RegistryProxy` in front of any of them for this test | the server's |

`oci_registry_certs` gives the TLS CA (`ca_pem`), an unrelated CA
(`other_ca_pem`) and the token-signing material without starting anything.
Push with `tests.registry.client.push(server, repo, tags)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests import servers
from tests.registry import certs
from tests.registry.proxy import RegistryProxy
from tests.registry.server import AuthMode, RegistryServer
from tests.registry.tokenserver import TokenServer


@pytest.fixture(scope="session")
def oci_registry_certs() -> certs.Certs:
    """The session's registry CA and server certificate, an unrelated CA, and the token signer."""
    return certs.session_certs()


@pytest.fixture(scope="session")
def _oci_registry_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryServer]:
    yield from servers.running(RegistryServer(tmp_path_factory.mktemp("oci-registry")))


@pytest.fixture(scope="session")
def _oci_registry_tls_session(tmp_path_factory: pytest.TempPathFactory,
                              oci_registry_certs: certs.Certs) -> Iterator[RegistryServer]:
    yield from servers.running(RegistryServer(tmp_path_factory.mktemp("oci-registry-tls"), tls=oci_registry_certs))


@pytest.fixture(scope="session")
def _oci_registry_basic_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryServer]:
    yield from servers.running(RegistryServer(tmp_path_factory.mktemp("oci-registry-basic"), auth=AuthMode.BASIC))


@pytest.fixture(scope="session")
def _oci_token_server_session(oci_registry_certs: certs.Certs) -> Iterator[TokenServer]:
    yield from servers.running(TokenServer(oci_registry_certs))


@pytest.fixture(scope="session")
def _oci_registry_token_session(tmp_path_factory: pytest.TempPathFactory,
                                _oci_token_server_session: TokenServer) -> Iterator[RegistryServer]:
    root = tmp_path_factory.mktemp("oci-registry-token")
    yield from servers.running(RegistryServer(root, auth=AuthMode.TOKEN, tokens=_oci_token_server_session))


@pytest.fixture(scope="session")
def _oci_registry_proxy_session(_oci_registry_session: RegistryServer) -> Iterator[RegistryProxy]:
    yield from servers.running(RegistryProxy(_oci_registry_session))


@pytest.fixture
def oci_registry(_oci_registry_session: RegistryServer) -> RegistryServer:
    """A plain-HTTP registry without authentication."""
    return servers.fresh(_oci_registry_session)


@pytest.fixture
def oci_registry_tls(_oci_registry_tls_session: RegistryServer) -> RegistryServer:
    """An HTTPS registry (certificate signed by `.tls.ca_cert`) without authentication."""
    return servers.fresh(_oci_registry_tls_session)


@pytest.fixture
def oci_registry_basic(_oci_registry_basic_session: RegistryServer) -> RegistryServer:
    """A registry with htpasswd basic auth (`.username`, `.password`)."""
    return servers.fresh(_oci_registry_basic_session)


@pytest.fixture
def oci_registry_token(_oci_registry_token_session: RegistryServer) -> RegistryServer:
    """A registry with bearer-token auth from `.tokens` (request log and public repos cleared)."""
    return servers.fresh(_oci_registry_token_session)


@pytest.fixture
def oci_registry_proxy(_oci_registry_proxy_session: RegistryProxy) -> RegistryProxy:
    """The paginating, fault-injecting proxy in front of `oci_registry` (faults and log cleared)."""
    return servers.fresh(_oci_registry_proxy_session)


@pytest.fixture
def oci_proxy_for() -> Iterator[Callable[[RegistryServer], RegistryProxy]]:
    """Start a `RegistryProxy` in front of any registry (e.g. to count requests to `oci_registry_token`).

    The proxies stop when the test ends.
    """
    started: list[RegistryProxy] = []

    def make(server: RegistryServer) -> RegistryProxy:
        proxy = RegistryProxy(server)
        proxy.start()
        started.append(proxy)
        return proxy

    yield make
    for proxy in started:
        proxy.stop()
