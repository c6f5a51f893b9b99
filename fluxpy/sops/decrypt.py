"""Decrypting one SOPS-encrypted object in memory, as Flux's kustomize-controller does.

Runs after the kustomize build and before substitution: every object with a
top-level ``sops`` block (a v1 Secret or any other kind) is replaced by its
plaintext. The steps follow sops itself: recover the 32-byte data key from a
``sops.age[]`` entry (or a single ``key_groups`` group) with one of our age
identities; walk the tree in document order, decrypting each leaf that sops
would have encrypted (``*_suffix`` / ``*_regex`` rules, matched against every
key on the path) with AES-256-GCM and the path as additional data; hash every
plaintext leaf into SHA-512 (only the encrypted ones, seeded with
sha256("sops"), under ``mac_only_encrypted``); and compare with the stored
``mac``, itself encrypted with ``lastmodified`` as additional data. Any
difference means the file was changed after encryption, and nothing is
returned. Key order matters to the MAC, so the object must come in the
file's own key order (as the kustomize reader keeps it).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import re
from collections.abc import Callable
from typing import Any

from fluxpy.sops import age, values
from fluxpy.sops.age import AgeIdentity
from fluxpy.sops.errors import DecryptionError

__all__ = ["decrypt", "decryption_disabled", "has_sops_metadata"]

_MAC_ONLY_ENCRYPTED_INIT = hashlib.sha256(b"sops").digest()
_DEFAULT_UNENCRYPTED_SUFFIX = "_unencrypted"
_DECRYPT_ANNOTATION = "kustomize.toolkit.fluxcd.io/decrypt"
_HINT = ("put the age identity in a <name>.agekey key of the Secret named by spec.decryption.secretRef, "
         "or pass it with SOPS_AGE_KEY, SOPS_AGE_KEY_FILE or --decryption-key-file")


def has_sops_metadata(obj: dict[str, Any]) -> bool:
    """Whether the object carries SOPS metadata (a top-level ``sops`` mapping), as Flux decides."""
    return isinstance(obj.get("sops"), dict)


def decryption_disabled(obj: dict[str, Any]) -> bool:
    """Whether the object opts out with ``kustomize.toolkit.fluxcd.io/decrypt: Disabled``."""
    meta = obj.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    value = annotations.get(_DECRYPT_ANNOTATION) if isinstance(annotations, dict) else None
    return isinstance(value, str) and value.lower() == "disabled"


def _ref(obj: dict[str, Any]) -> str:
    """``Kind/namespace/name`` as far as it is readable before decryption."""

    def readable(value: Any) -> str | None:
        if not isinstance(value, str) or not value:
            return None
        # With no encrypted_regex, sops encrypts kind and metadata too; never print ciphertext.
        return "<encrypted>" if values.is_encrypted_value(value) else value

    meta = obj.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    kind = readable(obj.get("kind")) or "Object"
    ns, name = readable(meta.get("namespace")), readable(meta.get("name")) or "<unnamed>"
    return f"{kind}/{ns}/{name}" if ns else f"{kind}/{name}"


def _age_entries(meta: dict[str, Any], fail: Callable[[str], DecryptionError]) -> list[dict[str, Any]]:
    groups = meta.get("key_groups")
    if isinstance(groups, list) and groups:
        if len(groups) > 1:
            raise fail("uses Shamir key groups, which fluxpy cannot decrypt yet")
        entries = groups[0].get("age") if isinstance(groups[0], dict) else None
    else:
        entries = meta.get("age")
    return [e for e in entries or [] if isinstance(e, dict)]


def _data_key(meta: dict[str, Any], identities: list[AgeIdentity],
              fail: Callable[[str], DecryptionError], where: str) -> bytes:
    entries = _age_entries(meta, fail)
    if not entries:
        others = [k for k in ("pgp", "kms", "gcp_kms", "azure_kv", "hc_vault") if meta.get(k)]
        if others:
            raise fail(f"is encrypted only for {', '.join(others)}; fluxpy decrypts age recipients only")
        raise fail("has no age recipients in its sops metadata")
    ours = {i.recipient for i in identities}
    # Try entries for our own recipients first; a stanza that no identity opens costs little.
    ordered = sorted(entries, key=lambda e: e.get("recipient") not in ours)
    for entry in ordered:
        enc = entry.get("enc")
        if not isinstance(enc, str):
            continue
        try:
            key = age.decrypt_armored(enc, identities)
        except age.NoIdentityMatched:
            continue
        except age.AgeError as exc:
            raise fail(f"cannot unwrap the data key for {entry.get('recipient')}: {exc}") from None
        if len(key) != 32:
            raise fail("the age-encrypted data key is not 32 bytes")
        return key
    recipients = ", ".join(str(e.get("recipient")) for e in entries)
    raise DecryptionError(f"no age identity matches the recipients of {where} ({recipients})", hint=_HINT)


class _Rules:
    """sops ``shouldBeEncrypted`` for a tree without comments."""

    def __init__(self, meta: dict[str, Any], fail: Callable[[str], DecryptionError]) -> None:
        def text(key: str) -> str:
            value = meta.get(key)
            return value if isinstance(value, str) else ""

        self.unencrypted_suffix = text("unencrypted_suffix")
        self.encrypted_suffix = text("encrypted_suffix")
        try:
            self.unencrypted_regex = re.compile(text("unencrypted_regex")) if text("unencrypted_regex") else None
            self.encrypted_regex = re.compile(text("encrypted_regex")) if text("encrypted_regex") else None
        except re.error:
            raise fail("has an invalid encrypted_regex/unencrypted_regex in its sops metadata") from None
        if not (self.unencrypted_suffix or self.encrypted_suffix or self.unencrypted_regex
                or self.encrypted_regex or text("unencrypted_comment_regex") or text("encrypted_comment_regex")):
            self.unencrypted_suffix = _DEFAULT_UNENCRYPTED_SUFFIX

    def encrypted(self, path: list[str]) -> bool:
        result = True
        if self.unencrypted_suffix and any(p.endswith(self.unencrypted_suffix) for p in path):
            result = False
        if self.encrypted_suffix:
            result = any(p.endswith(self.encrypted_suffix) for p in path)
        if self.unencrypted_regex is not None and any(self.unencrypted_regex.search(p) for p in path):
            result = False
        if self.encrypted_regex is not None:
            result = any(self.encrypted_regex.search(p) for p in path)
        return result


def decrypt(obj: dict[str, Any], *, identities: list[AgeIdentity], path: str) -> dict[str, Any]:
    """Decrypt a SOPS-encrypted object in memory and verify its MAC.

    Args:
        obj: the object as read from the file, in file key order, with its
            top-level ``sops`` block.
        identities: the age identities to try.
        path: the file the object came from, for error messages.

    Returns:
        A new object without ``sops`` and with every encrypted value replaced
        by its plaintext (typed as sops recorded it: str, int, float, bool).

    Raises:
        DecryptionError: no identity matches, the key is wrong, a value is
            malformed, or the MAC does not match. The message names the object
            and the file and never contains plaintext.
    """
    where = f"{_ref(obj)} in {path}"

    def fail(reason: str) -> DecryptionError:
        return DecryptionError(f"{where} {reason}")

    meta = obj.get("sops")
    if not isinstance(meta, dict):
        raise fail("has no sops metadata")
    key = _data_key(meta, identities, fail, where)
    rules = _Rules(meta, fail)
    mac_only_encrypted = meta.get("mac_only_encrypted") is True
    digest = hashlib.sha512()
    if mac_only_encrypted:
        digest.update(_MAC_ONLY_ENCRYPTED_INIT)

    def leaf(value: Any, keys: list[str]) -> Any:
        encrypted = rules.encrypted(keys)
        dotted = ".".join(keys)
        if encrypted:
            if not isinstance(value, str):
                raise fail(f"has an unencrypted {type(value).__name__} at {dotted} where sops expects ENC[...]")
            try:
                value = values.decrypt_value(value, key, ":".join(keys) + ":")
            except values.BadValue as exc:
                raise fail(f"has a malformed encrypted value at {dotted}: {exc}") from None
            except values.WrongKey:
                raise fail(f"has a value at {dotted} that does not decrypt with its data key "
                           "(tampered value or moved key)") from None
        if (not mac_only_encrypted or encrypted) and not isinstance(value, values.Comment):
            try:
                digest.update(values.to_bytes(value))
            except values.BadValue as exc:
                raise fail(f"has a value at {dotted} sops cannot hash: {exc}") from None
        return str(value) if isinstance(value, values.Comment) else value

    def walk(node: Any, keys: list[str]) -> Any:
        if isinstance(node, dict):
            out: dict[str, Any] = {}
            for k, v in node.items():
                if not isinstance(k, str):
                    raise fail(f"has a non-string key under {'.'.join(keys) or 'the top level'}")
                out[k] = walk(v, [*keys, k])
            return out
        if isinstance(node, list):
            return [walk(item, keys) for item in node]
        if node is None:
            return None
        return leaf(node, keys)

    plain: dict[str, Any] = {}
    for k, v in obj.items():
        if k != "sops":
            plain[k] = walk(copy.deepcopy(v), [k])

    stored = meta.get("mac")
    lastmodified = meta.get("lastmodified")
    if not isinstance(stored, str) or not stored:
        raise fail("has no MAC in its sops metadata")
    if not isinstance(lastmodified, str):
        # A YAML reader that typed the timestamp would change the additional data.
        raise fail("has no lastmodified string in its sops metadata")
    try:
        expected = values.decrypt_value(stored, key, lastmodified)
    except values.BadValue as exc:
        raise fail(f"has a malformed MAC: {exc}") from None
    except values.WrongKey:
        raise fail("has a MAC that does not decrypt (tampered sops.mac or sops.lastmodified)") from None
    computed = digest.hexdigest().upper()
    if not isinstance(expected, str) or not hmac.compare_digest(computed, expected.upper()):
        raise fail("failed MAC verification: the file was modified after it was encrypted")
    return plain
