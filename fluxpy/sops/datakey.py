"""Recovering a SOPS document's 32-byte data key from its metadata with a `Keyring`.

sops stores the data key once per master key: ``sops.age[]`` entries (an
armored age file per recipient) and ``sops.pgp[]`` entries (an armored PGP
message per fingerprint), either at the top of the metadata or inside a single
``key_groups`` group. Like sops (``DefaultDecryptionOrder``), age entries are
tried first, then PGP ones through a `GnuPG` session. KMS, Vault and Shamir
key groups (more than one group) are refused with a message saying so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fluxpy.sops import age
from fluxpy.sops.errors import DecryptionError
from fluxpy.sops.keys import Keyring
from fluxpy.sops.pgp import GnuPG

__all__ = ["HINT", "recover"]

HINT = ("put the age identity in a <name>.agekey key (or the armored PGP private key in a <name>.asc key) of the "
        "Secret named by spec.decryption.secretRef, or pass it with SOPS_AGE_KEY, SOPS_AGE_KEY_FILE or "
        "--decryption-key-file")
_OTHER_KEY_TYPES = ("kms", "gcp_kms", "azure_kv", "hc_vault", "hckms")


def _entries(group: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    entries = group.get(kind)
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def _group(meta: dict[str, Any], fail: Callable[[str], DecryptionError]) -> dict[str, Any]:
    groups = meta.get("key_groups")
    if isinstance(groups, list) and groups:
        if len(groups) > 1:
            raise fail("uses Shamir key groups, which fluxpy cannot decrypt yet")
        return groups[0] if isinstance(groups[0], dict) else {}
    return meta


def _check(key: bytes, fail: Callable[[str], DecryptionError]) -> bytes:
    if len(key) != 32:
        raise fail("has a data key that is not 32 bytes")
    return key


def _by_pgp(entries: list[dict[str, Any]], gnupg: GnuPG, where: str,
            fail: Callable[[str], DecryptionError]) -> bytes | None:
    for entry in entries:
        enc = entry.get("enc")
        if not isinstance(enc, str):
            continue
        try:
            key = gnupg.decrypt(enc)
        except DecryptionError as exc:
            raise DecryptionError(f"{where}: {exc.message}", hint=exc.hint) from None
        if key is not None:
            return _check(key, fail)
    return None


def recover(meta: dict[str, Any], keyring: Keyring, *, where: str, gnupg: GnuPG | None = None) -> bytes:
    """The document's data key, unwrapped with the first key of `keyring` that fits.

    Args:
        meta: the ``sops`` metadata.
        keyring: the keys to try.
        where: the object and file, for messages (``Secret/apps/db in apps/db.yaml``).
        gnupg: an open session for PGP entries; None to open (and close) one
            here when a PGP entry needs it.

    Returns:
        The 32-byte data key.

    Raises:
        DecryptionError: no key matches (naming the recipients), the file is
            encrypted only for KMS/Vault or with Shamir groups, or an entry is
            corrupt.
    """

    def fail(reason: str) -> DecryptionError:
        return DecryptionError(f"{where} {reason}")

    group = _group(meta, fail)
    age_entries, pgp_entries = _entries(group, "age"), _entries(group, "pgp")
    if not age_entries and not pgp_entries:
        others = [k for k in _OTHER_KEY_TYPES if group.get(k)]
        if others:
            raise fail(f"is encrypted only for {', '.join(others)}; fluxpy decrypts age and PGP recipients only")
        raise fail("has no age or PGP recipients in its sops metadata")
    if keyring.age:
        ours = {i.recipient for i in keyring.age}
        # Entries for our own recipients first; a stanza that no identity opens costs little.
        for entry in sorted(age_entries, key=lambda e: e.get("recipient") not in ours):
            enc = entry.get("enc")
            if not isinstance(enc, str):
                continue
            try:
                return _check(age.decrypt_armored(enc, list(keyring.age)), fail)
            except age.NoIdentityMatched:
                continue
            except age.AgeError as exc:
                raise fail(f"cannot unwrap the data key for {entry.get('recipient')}: {exc}") from None
    if keyring.pgp and pgp_entries:
        if gnupg is not None:
            found = _by_pgp(pgp_entries, gnupg, where, fail)
        else:
            with GnuPG(keyring.pgp) as session:
                found = _by_pgp(pgp_entries, session, where, fail)
        if found is not None:
            return found
    recipients = [str(e.get("recipient")) for e in age_entries] + [f"PGP {e.get('fp')}" for e in pgp_entries]
    what = " or ".join(w for w, entries in (("age identity", age_entries), ("PGP key", pgp_entries)) if entries)
    raise DecryptionError(f"no {what} matches the recipients of {where} ({', '.join(recipients)})", hint=HINT)
