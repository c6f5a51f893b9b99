"""PGP data keys, unwrapped by the ``gpg`` binary in a throwaway, memory-backed GnuPG home.

SOPS stores the document's data key once per PGP recipient as an armored PGP
message (``sops.pgp[].enc``). Like kustomize-controller, fluxpy hands that to
GnuPG rather than implementing OpenPGP: a `GnuPG` session creates a private
home directory (mode 0700, under /dev/shm when it exists so the imported keys
never reach a disk), imports the keyring's armored private keys on first use,
and runs ``gpg --decrypt`` for each message. Keys and messages go through
stdin, never argv; the home is removed (and its gpg-agent stopped) when the
session closes, whatever happened. The user's own ``~/.gnupg`` is never read.

Keys protected by a passphrase cannot be used (as in Flux): gpg runs in batch
mode with no way to ask for one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from types import TracebackType
from typing import Self

from fluxpy.sops.errors import DecryptionError
from fluxpy.sops.keys import PgpKey

__all__ = ["GnuPG"]

_INSTALL_HINT = "install GnuPG (apt-get install gnupg, brew install gnupg) so that gpg is on PATH"
_KEY_HINT = ("export the key without a passphrase: gpg --export-secret-keys --armor FINGERPRINT, "
             "and put it in a <name>.asc key of the decryption Secret or pass it with --decryption-key-file")
_TIMEOUT = 60.0


def _memory_dir() -> str | None:
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def _status(stderr: bytes) -> list[str]:
    """gpg's ``[GNUPG:]`` status keywords (we pass ``--status-fd 2``)."""
    out = []
    for line in stderr.decode("utf-8", errors="replace").splitlines():
        if line.startswith("[GNUPG:] "):
            out.append(line[9:].split(" ", 1)[0])
    return out


class GnuPG:
    """A GnuPG session over a temporary home holding `keys`; a context manager.

    Nothing is created until the first `decrypt`. Closing (or leaving the
    ``with`` block) stops the home's gpg-agent and removes the home.

    Args:
        keys: the armored private keys to import.
    """

    def __init__(self, keys: Sequence[PgpKey]) -> None:
        self._keys = tuple(keys)
        self._home: str | None = None
        self._gpg: str | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _run(self, args: list[str], stdin: bytes) -> subprocess.CompletedProcess[bytes]:
        assert self._gpg is not None and self._home is not None
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GNUPGHOME": self._home, "LC_ALL": "C"}
        cmd = [self._gpg, "--homedir", self._home, "--batch", "--no-tty", "--quiet",
               "--pinentry-mode", "loopback", "--status-fd", "2", *args]
        try:
            return subprocess.run(cmd, input=stdin, capture_output=True, env=env, timeout=_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise DecryptionError(f"gpg did not finish within {_TIMEOUT:.0f}s") from None
        except OSError as exc:
            raise DecryptionError(f"cannot run gpg: {exc.strerror or exc}", hint=_INSTALL_HINT) from None

    def _open(self) -> None:
        if self._home is not None:
            return
        gpg = shutil.which("gpg")
        if gpg is None:
            raise DecryptionError("cannot decrypt a PGP-encrypted data key: the gpg binary is not installed",
                                  hint=_INSTALL_HINT)
        self._gpg = gpg
        self._home = tempfile.mkdtemp(prefix="fluxpy-gnupg-", dir=_memory_dir())
        os.chmod(self._home, 0o700)
        for key in self._keys:
            done = self._run(["--import"], key.armored.encode("utf-8"))
            imported = [line for line in done.stderr.decode("utf-8", errors="replace").splitlines()
                        if line.startswith("[GNUPG:] IMPORT_RES ")]
            fields = imported[-1].split()[2:] if imported else []
            # IMPORT_RES fields: count no_user_id imported imported_rsa unchanged n_uids n_subk n_sigs
            # n_revoc sec_read sec_imported sec_dups ...; a public key alone reads no secret key.
            secret_read = int(fields[9]) if len(fields) > 9 and fields[9].isdigit() else 0
            if done.returncode != 0 or secret_read == 0:
                raise DecryptionError(f"{key.source}: gpg could not import it as a PGP private key",
                                      hint=_KEY_HINT)

    def decrypt(self, message: str) -> bytes | None:
        """Decrypt one armored PGP message (a SOPS data key) with the imported keys.

        Returns:
            The plaintext, or None when no imported key is a recipient.

        Raises:
            DecryptionError: gpg is missing, a key does not import, or gpg
                fails for another reason (a passphrase-protected key).
        """
        if not self._keys:
            return None
        self._open()
        done = self._run(["--decrypt"], message.encode("utf-8"))
        if done.returncode == 0:
            return done.stdout
        status = set(_status(done.stderr))
        if status & {"NEED_PASSPHRASE", "MISSING_PASSPHRASE", "BAD_PASSPHRASE"}:
            raise DecryptionError("gpg could not use the PGP key: it is protected by a passphrase", hint=_KEY_HINT)
        # gpg reports NO_SECKEY per missing recipient key, though not in every mode (LC_ALL=C keeps the text).
        if "NO_SECKEY" in status or b"No secret key" in done.stderr:
            return None
        if "NODATA" in status:
            raise DecryptionError("the PGP-encrypted data key is not a PGP message")
        raise DecryptionError("gpg could not decrypt the PGP-encrypted data key (tampered or malformed)")

    def close(self) -> None:
        """Stop the home's gpg-agent and remove the home (safe to call twice)."""
        home, self._home = self._home, None
        if home is None:
            return
        try:
            gpgconf = shutil.which("gpgconf")
            if gpgconf is not None:
                env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GNUPGHOME": home, "LC_ALL": "C"}
                try:
                    subprocess.run([gpgconf, "--homedir", home, "--kill", "all"], env=env, capture_output=True,
                                   timeout=_TIMEOUT, check=False)
                except (OSError, subprocess.TimeoutExpired):
                    pass
        finally:
            shutil.rmtree(home, ignore_errors=True)
