"""Throwaway CAs for the HTTPS Git server, made with the `openssl` CLI.

Follows tests/apiserver/certs.py: a CA and a server certificate for
127.0.0.1/localhost (EC P-256), made once per test session. A second,
unrelated CA is made too, so tests can check that a server certificate signed
by a CA the client was not given is refused (Flux's `ca.crt` handling).
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

_lock = threading.Lock()
_cached: Certs | None = None
_EC = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")


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


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _make_ca(directory: Path, stem: str, subject: str) -> None:
    _openssl("req", "-x509", *_EC, "-keyout", f"{stem}.key", "-out", f"{stem}.crt",
             "-days", "3650", "-subj", subject,
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)


def make(directory: Path) -> Certs:
    """Create the CA, the server certificate and the unrelated CA in `directory`.

    Raises:
        subprocess.CalledProcessError: openssl failed (its stderr is attached).
    """
    _make_ca(directory, "ca", "/CN=fluxpy-gitserver-test-ca")
    _make_ca(directory, "other-ca", "/CN=fluxpy-gitserver-unknown-ca")
    _openssl("req", *_EC, "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=127.0.0.1", cwd=directory)
    (directory / "ext.cnf").write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "basicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid,issuer\n"
    )
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "server.crt", "-days", "3650",
             "-extfile", "ext.cnf", cwd=directory)
    return Certs(directory / "ca.crt", directory / "server.crt", directory / "server.key",
                 directory / "other-ca.crt")


def session_certs() -> Certs:
    """The certificates for this process, made on first use."""
    global _cached
    with _lock:
        if _cached is None:
            directory = Path(tempfile.mkdtemp(prefix="fluxpy-gitserver-certs-"))
            atexit.register(shutil.rmtree, directory, True)
            _cached = make(directory)
        return _cached
