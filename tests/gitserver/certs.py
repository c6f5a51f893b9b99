"""Throwaway CAs for the HTTPS Git server, made with the `openssl` CLI.

Follows tests/apiserver/certs.py: a CA and a server certificate for
127.0.0.1/localhost (EC P-256), made once per test session. A second,
unrelated CA is made too, so tests can check that a server certificate signed
by a CA the client was not given is refused (Flux's `ca.crt` handling).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from tests.apiserver import certs as apiserver_certs

_lock = threading.Lock()
_cached: Certs | None = None


@dataclass(frozen=True, slots=True)
class Certs:
    """Paths of the PEM files.

    Attributes:
        ca_cert: the CA that signed the server certificate (give it to clients).
        server_cert: the server certificate (SAN IP:127.0.0.1, DNS:localhost).
        server_key: its private key.
        other_ca_cert: a CA that signed nothing the server uses (an "unknown CA").
    """

    ca_cert: Path
    server_cert: Path
    server_key: Path
    other_ca_cert: Path

    @property
    def ca_pem(self) -> bytes:
        """The CA certificate (PEM), as a Secret's `ca.crt` holds it."""
        return self.ca_cert.read_bytes()

    @property
    def other_ca_pem(self) -> bytes:
        """The unrelated CA certificate (PEM)."""
        return self.other_ca_cert.read_bytes()


def make(directory: Path) -> Certs:
    """Create the CA, the server certificate and the unrelated CA in `directory`.

    The CA and server certificate are made as the API emulator's are.

    Raises:
        subprocess.CalledProcessError: openssl failed (its stderr is attached).
    """
    base = apiserver_certs.make(directory, ca_subject="/CN=fluxpy-gitserver-test-ca")
    other = apiserver_certs.make_ca(directory, "other-ca", "/CN=fluxpy-gitserver-unknown-ca")
    return Certs(base.ca_cert, base.server_cert, base.server_key, other)


def session_certs() -> Certs:
    """The certificates for this process, made on first use."""
    global _cached
    with _lock:
        if _cached is None:
            directory = Path(tempfile.mkdtemp(prefix="fluxpy-gitserver-certs-"))
            atexit.register(shutil.rmtree, directory, True)
            _cached = make(directory)
        return _cached
