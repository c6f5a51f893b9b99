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

import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests import servers
from tests.apiserver import certs as apiserver_certs


@dataclass(frozen=True, slots=True)
class Certs(servers.TLSCerts):
    """Paths of the PEM files: the registries' TLS (`TLSCerts`), and the token signer's.

    Attributes:
        token_ca_cert: the CA the registry trusts for token signatures.
        token_cert: the token signer's certificate (RSA), signed by `token_ca_cert`.
        token_key: the token signer's private key (PEM, RSA 2048).
    """

    token_ca_cert: Path
    token_cert: Path
    token_key: Path


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


_session = servers.made_once("fluxpy-registry-certs-", make)


def session_certs() -> Certs:
    """The material for this process, made on first use."""
    return _session()
