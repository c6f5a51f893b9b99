"""Throwaway keys and certificates for the test registries, made with the `openssl` CLI.

Two kinds of material, made once per test session:

- TLS: a CA and a server certificate for 127.0.0.1/localhost, made as the
  API emulator's are (tests/apiserver/certs.py), plus an unrelated CA, so
  tests can check that a registry certificate signed by a CA the client was
  not given is refused (Flux's `certSecretRef` `ca.crt` handling).
- Token signing: a separate CA (the registry's `auth.token.rootcertbundle`)
  and an RSA key with a certificate it signed. The token server signs its
  RS256 JWTs with the key and puts the certificate in the JWT's `x5c`
  header; registry 2.8 checks that chain against the bundle
  (`registry/auth/token/token.go`, `parseAndVerifyCertChain`).
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
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
        ca_cert: the CA that signed the registry's server certificate.
        server_cert: the server certificate (SAN IP:127.0.0.1, DNS:localhost).
        server_key: its private key.
        other_ca_cert: a CA that signed nothing the registries use.
        token_ca_cert: the CA the registry trusts for token signatures.
        token_cert: the token signer's certificate (RSA), signed by `token_ca_cert`.
        token_key: the token signer's private key (PEM, RSA 2048).
    """

    ca_cert: Path
    server_cert: Path
    server_key: Path
    other_ca_cert: Path
    token_ca_cert: Path
    token_cert: Path
    token_key: Path

    @property
    def ca_pem(self) -> bytes:
        """The registry CA certificate (PEM), as a cert Secret's `ca.crt` holds it."""
        return self.ca_cert.read_bytes()

    @property
    def other_ca_pem(self) -> bytes:
        """The unrelated CA certificate (PEM)."""
        return self.other_ca_cert.read_bytes()


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make(directory: Path) -> Certs:
    """Create all the material in `directory`.

    Raises:
        subprocess.CalledProcessError: openssl failed (its stderr is attached).
    """
    base = apiserver_certs.make(directory, ca_subject="/CN=fluxpy-registry-test-ca")
    other = apiserver_certs.make_ca(directory, "other-ca", "/CN=fluxpy-registry-unknown-ca")
    token_ca = apiserver_certs.make_ca(directory, "token-ca", "/CN=fluxpy-registry-token-ca")
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "token.key", "-out", "token.csr",
             "-subj", "/CN=fluxpy-registry-token-signer", cwd=directory)
    (directory / "token-ext.cnf").write_text(
        "basicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
    )
    _openssl("x509", "-req", "-in", "token.csr", "-CA", "token-ca.crt", "-CAkey", "token-ca.key",
             "-CAcreateserial", "-out", "token.crt", "-days", "3650", "-extfile", "token-ext.cnf",
             cwd=directory)
    return Certs(base.ca_cert, base.server_cert, base.server_key, other,
                 token_ca, directory / "token.crt", directory / "token.key")


def session_certs() -> Certs:
    """The material for this process, made on first use."""
    global _cached
    with _lock:
        if _cached is None:
            directory = Path(tempfile.mkdtemp(prefix="fluxpy-registry-certs-"))
            atexit.register(shutil.rmtree, directory, True)
            _cached = make(directory)
        return _cached
