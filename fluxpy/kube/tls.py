"""The TLS side of a connection: one `ssl.SSLContext` per client identity.

`fluxpy.kube.transport` calls `context()` once when it builds its connection
pool (and again only if an exec plugin hands out a new client certificate).
Certificates arrive as bytes from `fluxpy.kube.config`. Python's `ssl` can
load a client key only from a file, so the certificate and key are written to
a private directory (0700, files 0600), loaded, and deleted before this
function returns: they never outlive the call.
"""

from __future__ import annotations

import os
import shutil
import ssl
import tempfile

from fluxpy.kube.errors import ConfigError


def context(*, ca: bytes | None, cert: bytes | None, key: bytes | None, verify: bool,
            what: str) -> ssl.SSLContext:
    """Build the client-side SSL context.

    Args:
        ca: PEM or DER CA bundle; None means the system trust store.
        cert: PEM client certificate, or None.
        key: PEM private key for `cert`, or None.
        verify: False turns off certificate and hostname checks
            (`insecure-skip-tls-verify`).
        what: names the configuration in errors, e.g. `kubeconfig /x/config`.

    Raises:
        ConfigError: the CA bundle or the client certificate cannot be loaded.
    """
    if verify and not ca:
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    else:
        # Loading the system trust store costs ~50 ms; skip it when the
        # cluster's own CA is given (trusted alone, as kubectl does) or when
        # verification is off.
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    elif ca:
        try:
            if b"-----BEGIN" in ca:
                ctx.load_verify_locations(cadata=ca.decode("ascii", "replace"))
            else:
                ctx.load_verify_locations(cadata=ca)
        except (ssl.SSLError, ValueError) as e:
            raise ConfigError(f"{what}: certificate-authority is not a valid certificate bundle",
                              hint="check certificate-authority(-data) in the kubeconfig") from e
    if cert and key:
        _load_client_cert(ctx, cert, key, what=what)
    return ctx


def _load_client_cert(ctx: ssl.SSLContext, cert: bytes, key: bytes, *, what: str) -> None:
    tmp = tempfile.mkdtemp(prefix="fluxpy-tls-")  # mode 0700
    try:
        cert_path = _write_private(os.path.join(tmp, "client.crt"), cert)
        key_path = _write_private(os.path.join(tmp, "client.key"), key)
        ctx.load_cert_chain(cert_path, key_path)
    except ssl.SSLError as e:
        raise ConfigError(f"{what}: client certificate and key cannot be loaded ({e.reason or 'bad PEM'})",
                          hint="check client-certificate(-data) and client-key(-data); they must match") from e
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write_private(path: str, data: bytes) -> str:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return path
