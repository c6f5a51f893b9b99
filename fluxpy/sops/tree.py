"""Walking a SOPS tree: decrypting its leaves and computing its MAC, as sops's ``Tree.Decrypt`` does.

A tree is what a sops store loads: mappings (a ``dict`` for objects read by
the kustomize reader, a `Branch` for JSON and dotenv documents, which may
repeat keys and carry comment keys), lists, and leaves (str, int, float,
bool, None, `Comment`). Each leaf sops would have encrypted (``*_suffix`` /
``*_regex`` / ``*_comment_regex`` rules, matched against every key on the
path and the comments above it) is AES-256-GCM decrypted with the path as
additional data; every plaintext leaf (only the encrypted ones under
``mac_only_encrypted``, seeded with sha256("sops")) is hashed into SHA-512 in
document order; `check_mac` compares that hash with the stored ``mac``,
itself encrypted with ``lastmodified`` as additional data. Comments are
never part of the MAC, and one that does not decrypt is kept as it is (sops
assumes it was never encrypted). Messages name the path, never a value.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from typing import Any

from fluxpy.sops import values
from fluxpy.sops.errors import DecryptionError
from fluxpy.sops.values import Comment, InlineComment

__all__ = ["Branch", "Comment", "InlineComment", "check_mac", "decrypt_tree"]

Fail = Callable[[str], DecryptionError]

_MAC_ONLY_ENCRYPTED_INIT = hashlib.sha256(b"sops").digest()
_DEFAULT_UNENCRYPTED_SUFFIX = "_unencrypted"


class Branch(list[tuple[str | Comment, Any]]):
    """An ordered mapping as sops keeps it: (key, value) pairs, keys may repeat or be comments."""


class _Rules:
    """sops ``shouldBeEncrypted``."""

    def __init__(self, meta: dict[str, Any], fail: Fail) -> None:
        def text(key: str) -> str:
            value = meta.get(key)
            return value if isinstance(value, str) else ""

        def regex(key: str) -> re.Pattern[str] | None:
            try:
                return re.compile(text(key)) if text(key) else None
            except re.error:
                raise fail(f"has an invalid {key} in its sops metadata") from None

        self.unencrypted_suffix = text("unencrypted_suffix")
        self.encrypted_suffix = text("encrypted_suffix")
        self.unencrypted_regex = regex("unencrypted_regex")
        self.encrypted_regex = regex("encrypted_regex")
        self.unencrypted_comment_regex = regex("unencrypted_comment_regex")
        self.encrypted_comment_regex = regex("encrypted_comment_regex")
        if not (self.unencrypted_suffix or self.encrypted_suffix or self.unencrypted_regex
                or self.encrypted_regex or self.unencrypted_comment_regex or self.encrypted_comment_regex):
            # sops's metadata loader applies the default when no rule is recorded.
            self.unencrypted_suffix = _DEFAULT_UNENCRYPTED_SUFFIX

    def encrypted(self, path: list[str], stack: list[list[str]], is_comment: bool) -> bool:
        result = True
        if self.unencrypted_suffix and any(p.endswith(self.unencrypted_suffix) for p in path):
            result = False
        if self.encrypted_suffix:
            result = any(p.endswith(self.encrypted_suffix) for p in path)
        if self.unencrypted_regex is not None and any(self.unencrypted_regex.search(p) for p in path):
            result = False
        if self.encrypted_regex is not None:
            result = any(self.encrypted_regex.search(p) for p in path)
        if self.unencrypted_comment_regex is not None and any(
                self.unencrypted_comment_regex.search(c) for cs in stack for c in cs):
            result = False
        if self.encrypted_comment_regex is not None:
            result = False
            for i, cs in enumerate(stack):
                for j, c in enumerate(cs):
                    # The comment that matches is itself left plain; only what follows it is encrypted.
                    if is_comment and i == len(stack) - 1 and j == len(cs) - 1:
                        continue
                    if self.encrypted_comment_regex.search(c):
                        return True
        return result


def decrypt_tree(tree: Any, meta: dict[str, Any], key: bytes, fail: Fail) -> tuple[Any, str]:
    """Decrypt every encrypted leaf of `tree` and compute the MAC of the plaintext.

    Args:
        tree: the document without its ``sops`` metadata (not modified).
        meta: the ``sops`` metadata (encryption rules, ``mac_only_encrypted``).
        key: the 32-byte data key.
        fail: makes the error for a reason (the caller names the object and file).

    Returns:
        The plaintext tree (same shapes: dict, `Branch`, list) and the MAC as
        upper-case hex, as sops computes it.

    Raises:
        DecryptionError: a value sops would have encrypted is not in
            ``ENC[...]`` form, does not authenticate, or cannot be hashed.
    """
    rules = _Rules(meta, fail)
    mac_only = meta.get("mac_only_encrypted") is True
    digest = hashlib.sha512()
    if mac_only:
        digest.update(_MAC_ONLY_ENCRYPTED_INIT)

    def leaf(value: Any, path: list[str], stack: list[list[str]]) -> Any:
        is_comment = isinstance(value, Comment)
        encrypted = rules.encrypted(path, stack, is_comment)
        dotted = ".".join(path) or "the top level"
        if encrypted:
            aad = ":".join(path) + ":"
            if is_comment:
                try:
                    # As in sops, a decrypted comment is no longer inline, and an empty one is "" (a string).
                    value = values.decrypt_value(str(value), key, aad)
                except (values.BadValue, values.WrongKey):
                    pass  # sops: "possibly unencrypted comment", kept as it is
            elif not isinstance(value, str):
                raise fail(f"has an unencrypted {type(value).__name__} at {dotted} where sops expects ENC[...]")
            else:
                try:
                    value = values.decrypt_value(value, key, aad)
                except values.BadValue as exc:
                    raise fail(f"has a malformed encrypted value at {dotted}: {exc}") from None
                except values.WrongKey:
                    raise fail(f"has a value at {dotted} that does not decrypt with its data key "
                               "(tampered value or moved key)") from None
        if (not mac_only or encrypted) and not isinstance(value, Comment):
            try:
                digest.update(values.to_bytes(value))
            except values.BadValue as exc:
                raise fail(f"has a value at {dotted} sops cannot hash: {exc}") from None
        return value

    def walk(node: Any, path: list[str], stack: list[list[str]]) -> Any:
        if isinstance(node, (dict, Branch)):
            return mapping(node, path, stack)
        if isinstance(node, list):
            stack = [*stack, []]
            out: list[Any] = []
            for item in node:
                if isinstance(item, Comment):
                    stack[-1] = [*stack[-1], str(item)]
                out.append(walk(item, path, stack))
                if not isinstance(item, Comment):
                    stack[-1] = []
            return out
        if node is None:
            return None
        return leaf(node, path, stack)

    def mapping(node: dict[str, Any] | Branch, path: list[str], stack: list[list[str]]) -> Any:
        stack = [*stack, []]
        pairs = node.items() if isinstance(node, dict) else node
        out = Branch()
        for k, v in pairs:
            if isinstance(k, Comment):
                stack[-1] = [*stack[-1], str(k)]
                plain = leaf(k, path, stack)
                out.append((plain if isinstance(plain, Comment) else Comment(str(plain)), None))
                continue
            if isinstance(v, Comment):
                stack[-1] = [*stack[-1], str(v)]
            if not isinstance(k, str):
                raise fail(f"has a non-string key under {'.'.join(path) or 'the top level'}")
            out.append((k, walk(v, [*path, k], stack)))
            if not isinstance(v, Comment):
                stack[-1] = []
        if isinstance(node, dict):
            return {k: v for k, v in out if isinstance(k, str)}
        return out

    plain = walk(tree, [], [])
    return plain, digest.hexdigest().upper()


def check_mac(meta: dict[str, Any], key: bytes, computed: str, fail: Fail, *,
              mismatch_hint: str | None = None) -> None:
    """Compare the MAC sops stored (encrypted under ``lastmodified``) with the computed one.

    Args:
        meta: the ``sops`` metadata.
        key: the data key.
        computed: the MAC `decrypt_tree` computed.
        fail: makes the error for a reason.
        mismatch_hint: the hint to give when the MACs differ.

    Raises:
        DecryptionError: no MAC, a MAC that does not decrypt (tampered ``mac``
            or ``lastmodified``), or a mismatch (a changed value or key order).
    """
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
    if (not isinstance(expected, str) or not expected.isascii()
            or not hmac.compare_digest(computed, expected.upper())):
        err = fail("failed MAC verification: the file was modified after it was encrypted")
        err.hint = mismatch_hint or err.hint
        raise err
