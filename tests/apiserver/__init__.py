"""The Kubernetes API emulator used by fluxpy's tests (see README.md)."""

from tests.apiserver.server import ApiServer, Request

__all__ = ["ApiServer", "Request"]
