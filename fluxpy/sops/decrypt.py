"""Decrypting SOPS-encrypted objects and documents in memory, as Flux's kustomize-controller does.

Runs after the kustomize build and before substitution. Every object with a
top-level ``sops`` block (a v1 Secret or any other kind) is replaced by its
plaintext (`decrypt`); a document inside a Secret ``data`` value or a
secretGenerator source is decrypted to bytes in the format its name calls for
(`decrypt_document`). Both follow sops: recover the data key with the
`Keyring` (`fluxpy.sops.datakey`: age first, then PGP through gpg), decrypt
every leaf sops would have encrypted and hash the plaintext
(`fluxpy.sops.tree`), and compare with the stored MAC. Any difference means
the file was changed after encryption, and nothing is returned.

Key order matters to the MAC, so an object must come in its file's own key
order (as the kustomize reader keeps it). Flux itself skips the MAC check on
whole objects (``checkSopsMac`` is off) because kustomize transformers
(``namespace``, labels, name prefixes) change fields the MAC covers;
``verify_mac=False`` does the same here.
"""

from __future__ import annotations

import copy
from typing import Any

from fluxpy.sops import datakey, formats, tree, values
from fluxpy.sops.errors import DecryptionError
from fluxpy.sops.formats import Format
from fluxpy.sops.keys import Keyring
from fluxpy.sops.pgp import GnuPG

__all__ = ["decrypt", "decrypt_document", "decryption_disabled", "has_sops_metadata", "object_ref"]

_DECRYPT_ANNOTATION = "kustomize.toolkit.fluxcd.io/decrypt"
_MAC_HINT = ("if kustomize changed the object (namespace, labels, name prefix or suffix), encrypt it with "
             "--encrypted-regex '^(data|stringData)$' --mac-only-encrypted so the MAC covers only the secrets; "
             "otherwise re-encrypt the file with sops")


def has_sops_metadata(obj: dict[str, Any]) -> bool:
    """Whether the object carries SOPS metadata (a top-level ``sops`` mapping), as Flux decides."""
    return isinstance(obj.get("sops"), dict)


def decryption_disabled(obj: dict[str, Any]) -> bool:
    """Whether the object opts out with ``kustomize.toolkit.fluxcd.io/decrypt: Disabled``."""
    meta = obj.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    value = annotations.get(_DECRYPT_ANNOTATION) if isinstance(annotations, dict) else None
    return isinstance(value, str) and value.lower() == "disabled"


def object_ref(obj: dict[str, Any]) -> str:
    """``Kind/namespace/name`` as far as it is readable (encrypted parts show as ``<encrypted>``)."""

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


def _where(ref: str, path: str | None) -> str:
    return f"{ref} in {path}" if path else ref


def decrypt(obj: dict[str, Any], *, keyring: Keyring, path: str | None = None, verify_mac: bool = True,
            gnupg: GnuPG | None = None) -> dict[str, Any]:
    """Decrypt a SOPS-encrypted object in memory and verify its MAC.

    Args:
        obj: the object as read from the file, in file key order, with its
            top-level ``sops`` block.
        keyring: the age identities and PGP keys to try.
        path: the file the object came from, for error messages; None if unknown.
        verify_mac: compare the MAC (sops does; Flux skips it for whole objects).
        gnupg: an open session for PGP recipients; None to open one if needed.

    Returns:
        A new object without ``sops`` and with every encrypted value replaced
        by its plaintext (typed as sops recorded it: str, int, float, bool).

    Raises:
        DecryptionError: no key matches, the key is wrong, a value is
            malformed, or the MAC does not match. The message names the object
            and the file and never contains plaintext.
    """
    where = _where(object_ref(obj), path)

    def fail(reason: str) -> DecryptionError:
        return DecryptionError(f"{where} {reason}")

    meta = obj.get("sops")
    if not isinstance(meta, dict):
        raise fail("has no sops metadata")
    key = datakey.recover(meta, keyring, where=where, gnupg=gnupg)
    body = {k: copy.deepcopy(v) for k, v in obj.items() if k != "sops"}
    plain, mac = tree.decrypt_tree(body, meta, key, fail)
    if verify_mac:
        tree.check_mac(meta, key, mac, fail, mismatch_hint=_MAC_HINT)
    assert isinstance(plain, dict)
    return plain


def decrypt_document(data: bytes, *, keyring: Keyring, where: str, output_format: Format,
                     input_format: Format | None = None, gnupg: GnuPG | None = None) -> bytes:
    """Decrypt a whole sops document (dotenv, JSON, binary or YAML) and emit it as sops would.

    Args:
        data: the encrypted document.
        keyring: the keys to try.
        where: what holds it, for messages (``Secret/apps/db data key 'app.env' in apps/db.yaml``).
        output_format: how to emit the plaintext (Flux: from the data key or file name).
        input_format: how to read it; None to detect it from sops's markers.
        gnupg: an open session for PGP recipients; None to open one if needed.

    Returns:
        The plaintext bytes, equal to ``sops --decrypt`` output (for dotenv,
        JSON and YAML, equal to the original file when that was in sops's own
        layout).

    Raises:
        DecryptionError: not a sops document, an INI document, no key
            matches, a value or the MAC does not verify, or the tree does not
            fit the output format. The message names `where`, never a value.
    """

    def fail(reason: str) -> DecryptionError:
        return DecryptionError(f"{where} {reason}")

    fmt = input_format or formats.detect_format(data)
    if fmt is None:
        raise fail("is not a sops-encrypted document")
    if fmt is Format.BINARY:
        fmt = Format.JSON  # the binary store is a JSON envelope
    documents, meta = formats.load_encrypted(data, fmt, fail)
    key = datakey.recover(meta, keyring, where=where, gnupg=gnupg)
    # One walk over all documents: sops's MAC runs on across them in order.
    plain, mac = tree.decrypt_tree(documents, meta, key, fail)
    tree.check_mac(meta, key, mac, fail)
    assert isinstance(plain, list) and all(isinstance(d, tree.Branch) for d in plain)
    return formats.emit_plain(plain, output_format, fail)
