"""Fixtures shared by the sync step tests: a fast-retrying client for the API emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fluxpy.kube import config
from fluxpy.kube.client import Kube
from fluxpy.kube.transport import Backoff
from tests.apiserver import ApiServer


@pytest.fixture
def kube(apiserver: ApiServer) -> Iterator[Kube]:
    """A `Kube` for the test's emulator: short back-off, no discovery cache on disk."""
    k = Kube(config.load(kubeconfig=str(apiserver.kubeconfig)), timeout=5.0,
             backoff=Backoff(attempts=3, base=0.001, cap=0.004, retry_after_cap=0.05), discovery_cache="")
    yield k
    k.close()
