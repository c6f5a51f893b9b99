"""Throwaway CAs for the HTTPS Git server, made with the `openssl` CLI.

Follows tests/apiserver/certs.py: a CA and a server certificate for
127.0.0.1/localhost (EC P-256), made once per test session. A second,
unrelated CA is made too, so tests can check that a server certificate signed
by a CA the client was not given is refused (Flux's `ca.crt` handling).
"""

from __future__ import annotations

from pathlib import Path

from tests import servers
from tests.apiserver import certs as apiserver_certs

Certs = servers.TLSCerts


def make(directory: Path) -> Certs:
    """Create the CA, the server certificate and the unrelated CA in `directory`.

    The CA and server certificate are made as the API emulator's are.

    Raises:
        subprocess.CalledProcessError: openssl failed (its stderr is attached).
    """
    base = apiserver_certs.make(directory, ca_subject="/CN=fluxpy-gitserver-test-ca")
    other = apiserver_certs.make_ca(directory, "other-ca", "/CN=fluxpy-gitserver-unknown-ca")
    return Certs(base.ca_cert, base.server_cert, base.server_key, other)


_session = servers.made_once("fluxpy-gitserver-certs-", make)


def session_certs() -> Certs:
    """The certificates for this process, made on first use."""
    return _session()
