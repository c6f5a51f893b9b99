"""A throwaway CA and a server certificate for 127.0.0.1/localhost, made with `openssl`.

Clients must verify the emulator's certificate exactly as they would a real
cluster's (kubeconfig `certificate-authority-data`), so the emulator serves a
certificate signed by its own CA. Making keys takes a moment, so they are made
once per process (test session) in a temporary directory removed at exit.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests import servers


@dataclass(frozen=True, slots=True)
class Certs:
    """Paths of the PEM files, and the CA certificate's bytes."""

    ca_cert: Path
    server_cert: Path
    server_key: Path

    @property
    def ca_pem(self) -> bytes:
        """The CA certificate (PEM)."""
        return self.ca_cert.read_bytes()


_EC = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_ca(directory: Path, stem: str, subject: str) -> Path:
    """Create a self-signed CA `<stem>.crt`/`<stem>.key` (EC P-256, 10 years) in `directory`."""
    _openssl("req", "-x509", *_EC, "-keyout", f"{stem}.key", "-out", f"{stem}.crt", "-days", "3650",
             "-subj", subject,
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)
    return directory / f"{stem}.crt"


def make(directory: Path, *, ca_subject: str = "/CN=fluxpy-apiserver-emulator-ca") -> Certs:
    """Create a CA and a server certificate for 127.0.0.1/localhost (EC P-256, 10 years) in `directory`.

    Raises:
        subprocess.CalledProcessError: openssl failed (its stderr is attached).
    """
    make_ca(directory, "ca", ca_subject)
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
    return Certs(directory / "ca.crt", directory / "server.crt", directory / "server.key")


_session = servers.made_once("fluxpy-apiserver-certs-", make)


def session_certs() -> Certs:
    """The certificates for this process, made on first use."""
    return _session()
