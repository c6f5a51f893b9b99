"""Fixtures for the emulator's conformance tests: official-client APIs and raw HTTP.

The conformance tests talk to the emulator the two ways fluxpy's world does:
through the official `kubernetes` client (typed APIs, CustomObjectsApi,
DynamicClient, watch) and through raw HTTP (urllib3, see `testing.Raw`), which
shows exact status codes, headers and bodies.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kubernetes import client, config

from tests.apiserver import ApiServer
from tests.apiserver.testing import Raw


@pytest.fixture
def raw(apiserver: ApiServer) -> Iterator[Raw]:
    """Raw HTTP access to the `apiserver` fixture."""
    r = Raw(apiserver)
    yield r
    r.pool.clear()


@pytest.fixture
def api_client(apiserver: ApiServer) -> Iterator[client.ApiClient]:
    """An official-client ApiClient configured from the emulator's kubeconfig."""
    api = config.new_client_from_config(config_file=str(apiserver.kubeconfig))
    yield api
    api.close()


@pytest.fixture
def core(api_client: client.ApiClient) -> client.CoreV1Api:
    """CoreV1Api on the emulator."""
    return client.CoreV1Api(api_client)


@pytest.fixture
def apps(api_client: client.ApiClient) -> client.AppsV1Api:
    """AppsV1Api on the emulator."""
    return client.AppsV1Api(api_client)


@pytest.fixture
def custom(api_client: client.ApiClient) -> client.CustomObjectsApi:
    """CustomObjectsApi on the emulator."""
    return client.CustomObjectsApi(api_client)
