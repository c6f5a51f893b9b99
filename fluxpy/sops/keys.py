"""The keys a decryption may use: age identities and armored PGP private keys, as one `Keyring` value.

A Kustomization with ``spec.decryption`` reads them from the Secret named by
``spec.decryption.secretRef`` (`from_secret`), exactly the data keys Flux's
kustomize-controller imports: ``<x>.agekey`` values hold one or more age
X25519 identities, ``<x>.asc`` values an ASCII-armored PGP private key. The
cloud and Vault credentials Flux also accepts there (``sops.vault-token``,
``sops.aws-kms``, ``sops.azure-kv``, ``sops.gcp-kms``) are ignored: fluxpy does
not talk to KMS or Vault, so a file encrypted only for those cannot be
decrypted, and `fluxpy.sops.datakey` says so.

Cluster-free builds read keys from the environment instead
(`from_environment`): ``SOPS_AGE_KEY`` (identities text), ``SOPS_AGE_KEY_FILE``
(a path) and every ``--decryption-key-file`` (age identities or an armored PGP
private key, told apart by the armor line). Errors name the Secret or file and
the key name; key material never appears in a message or a ``repr``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fluxpy.sops.age import AgeIdentity, parse_age_identities
from fluxpy.sops.errors import DecryptionError

__all__ = ["Keyring", "PgpKey", "from_environment", "from_secret"]

AGE_EXT = ".agekey"
PGP_EXT = ".asc"
_PGP_BEGIN = "-----BEGIN PGP PRIVATE KEY BLOCK-----"
_PGP_END = "-----END PGP PRIVATE KEY BLOCK-----"
_SECRET_HINT = ("put age identities (AGE-SECRET-KEY-1...) in <name>.agekey keys and armored PGP private keys "
                "(gpg --export-secret-keys --armor) in <name>.asc keys of the decryption Secret")
_ENV_HINT = ("SOPS_AGE_KEY and SOPS_AGE_KEY_FILE hold age identities (AGE-SECRET-KEY-1...); "
             "--decryption-key-file takes an age key file or an armored PGP private key")


@dataclass(frozen=True, slots=True)
class PgpKey:
    """An ASCII-armored PGP private key.

    Args:
        source: where it came from (``flux-system/sops-gpg: key.asc``, a path), for messages.
        armored: the armored text; never printed (``repr`` hides it).
    """

    source: str
    armored: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Keyring:
    """Every key a Kustomization's decryption may try.

    Args:
        age: age X25519 identities, tried in order.
        pgp: armored PGP private keys, imported into a throwaway GnuPG home when needed.
    """

    age: tuple[AgeIdentity, ...] = ()
    pgp: tuple[PgpKey, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether there is no key at all (``Keyring()`` is the empty keyring)."""
        return not (self.age or self.pgp)

    @classmethod
    def from_secret(cls, secret: Mapping[str, Any], *, ref: str) -> Keyring:
        """See `from_secret`."""
        return from_secret(secret, ref=ref)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str], key_files: Sequence[Path]) -> Keyring:
        """See `from_environment`."""
        return from_environment(environ, key_files)

    def merge(self, other: Keyring) -> Keyring:
        """This keyring's keys followed by `other`'s, without duplicates."""
        age = tuple(dict.fromkeys((*self.age, *other.age)))
        seen = {k.armored for k in self.pgp}
        pgp = self.pgp + tuple(k for k in other.pgp if k.armored not in seen)
        return Keyring(age, pgp)



def _looks_like_pgp(text: str) -> bool:
    return _PGP_BEGIN in text


def _pgp_key(text: str, *, source: str, hint: str) -> PgpKey:
    begin, end = text.find(_PGP_BEGIN), text.find(_PGP_END)
    if begin < 0 or end < begin:
        raise DecryptionError(f"{source} is not an ASCII-armored PGP private key "
                              f"({_PGP_BEGIN} ... {_PGP_END})", hint=hint)
    return PgpKey(source, text[begin:end + len(_PGP_END)] + "\n")


def _age_identities(text: str, *, source: str, hint: str) -> list[AgeIdentity]:
    try:
        identities = parse_age_identities(text, source=source)
    except DecryptionError as exc:
        raise DecryptionError(exc.message, hint=hint) from None
    if not identities:
        raise DecryptionError(f"{source} holds no age identity", hint=hint)
    return identities


def from_secret(secret: Mapping[str, Any], *, ref: str) -> Keyring:
    """The keys in the decryption Secret's ``data``, as kustomize-controller imports them.

    Every ``*.agekey`` value is parsed as age identities (one per line, ``#``
    comments allowed) and every ``*.asc`` value kept as an armored PGP private
    key. Other keys (``sops.vault-token``, ``sops.aws-kms``, ``sops.azure-kv``,
    ``sops.gcp-kms`` and anything else) are ignored: fluxpy supports neither
    Vault nor cloud KMS. Keys are read in name order so results do not depend
    on the API server's map order.

    Args:
        secret: the Secret as read from the API server (``data`` base64-encoded).
        ref: ``namespace/name`` (or ``Secret namespace/name``) of the Secret, for messages.

    Returns:
        The keyring (possibly empty).

    Raises:
        DecryptionError: a value is not base64 or UTF-8, an ``.agekey`` value
            holds a line that is not an age identity or no identity at all, or
            an ``.asc`` value is not an armored private key. The message names
            the Secret and the key, never the value.
    """
    data = secret.get("data") or {}
    if not isinstance(data, Mapping):
        raise DecryptionError(f"decryption Secret {ref.removeprefix('Secret ')}: data is not a mapping",
                              hint=_SECRET_HINT)
    age: list[AgeIdentity] = []
    pgp: list[PgpKey] = []
    for name in sorted(str(k) for k in data):
        if not name.endswith((AGE_EXT, PGP_EXT)):
            continue
        source = f"{ref if ref.startswith('Secret ') else 'Secret ' + ref}: {name}"
        value = data[name]
        try:
            text = base64.b64decode(str(value or ""), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise DecryptionError(f"{source} is not base64-encoded UTF-8 text", hint=_SECRET_HINT) from None
        if name.endswith(AGE_EXT):
            age += _age_identities(text, source=source, hint=_SECRET_HINT)
        else:
            pgp.append(_pgp_key(text, source=source, hint=_SECRET_HINT))
    return Keyring(tuple(age), tuple(pgp))


def _read(path: Path, what: str) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise DecryptionError(f"{what} {path}: cannot read it: {exc.strerror or exc}", hint=_ENV_HINT) from None
    except UnicodeDecodeError:
        raise DecryptionError(f"{what} {path} is not UTF-8 text", hint=_ENV_HINT) from None


def from_environment(environ: Mapping[str, str], key_files: Sequence[Path]) -> Keyring:
    """The keys a cluster-free build reads from the environment and the command line.

    ``SOPS_AGE_KEY`` holds age identities, ``SOPS_AGE_KEY_FILE`` names a file
    of them (as sops reads them); each ``--decryption-key-file`` is either an
    armored PGP private key (it has a ``BEGIN PGP PRIVATE KEY BLOCK`` line) or
    an age key file. An empty or unset variable is skipped.

    Args:
        environ: the environment (``os.environ`` or a test's mapping).
        key_files: the ``--decryption-key-file`` paths, in order.

    Returns:
        The keyring: ``SOPS_AGE_KEY``, then ``SOPS_AGE_KEY_FILE``, then the files.

    Raises:
        DecryptionError: a file is unreadable or holds neither kind of key; the
            message names the variable or file, never the key.
    """
    ring = Keyring()
    inline = environ.get("SOPS_AGE_KEY", "")
    if inline.strip():
        ring = ring.merge(Keyring(tuple(_age_identities(inline, source="SOPS_AGE_KEY", hint=_ENV_HINT))))
    key_file = environ.get("SOPS_AGE_KEY_FILE", "")
    if key_file:
        text = _read(Path(key_file), "SOPS_AGE_KEY_FILE")
        source = f"SOPS_AGE_KEY_FILE {key_file}"
        ring = ring.merge(Keyring(tuple(_age_identities(text, source=source, hint=_ENV_HINT))))
    for path in key_files:
        text = _read(path, "--decryption-key-file")
        source = f"--decryption-key-file {path}"
        if _looks_like_pgp(text):
            ring = ring.merge(Keyring(pgp=(_pgp_key(text, source=source, hint=_ENV_HINT),)))
        else:
            ring = ring.merge(Keyring(tuple(_age_identities(text, source=source, hint=_ENV_HINT))))
    return ring
