"""SOPS's value cipher: ``ENC[AES256_GCM,data:...,iv:...,tag:...,type:...]``.

Each leaf is AES-256-GCM encrypted with the document's data key, a 32-byte
IV, and the leaf's key path joined with ``:`` plus a trailing ``:`` as
additional data (``data:password:``), so a value moved to another key fails
to decrypt. ``type`` says how to read the plaintext back (sops ``aes/cipher.go``).
An empty string is stored as an empty string, unencrypted. ``to_bytes`` is
sops's ``ToBytes``: the text each value contributes to the MAC.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from decimal import Decimal
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["BadValue", "Comment", "InlineComment", "Timestamp", "WrongKey", "decrypt_value", "go_float",
           "is_encrypted_value", "to_bytes"]

_ENC = re.compile(r"^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]")


class BadValue(Exception):
    """The value is not in SOPS's encrypted form."""


class WrongKey(Exception):
    """The value does not authenticate under this key and additional data."""


class Comment(str):
    """A comment entry of a tree (sops type ``comment``): the text after ``#``; never part of the MAC."""


class InlineComment(Comment):
    """A YAML comment that sat on the line of the value after it (sops's ``Comment.Inline``)."""


class Timestamp(str):
    """A YAML timestamp as Go's ``time.Time`` (sops type ``time``), held as its RFC 3339 text with nanoseconds.

    go-yaml v3 reads an unquoted timestamp as a ``time.Time``; sops encrypts,
    hashes and writes it back as ``time.Time.MarshalText`` does (RFC 3339,
    trailing zeros of the fraction dropped, ``Z`` for UTC).
    """


def is_encrypted_value(value: object) -> bool:
    """Whether a leaf looks like an ``ENC[AES256_GCM,...]`` value."""
    return isinstance(value, str) and value.startswith("ENC[AES256_GCM,")


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BadValue("invalid base64") from None


_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)\Z")
_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def decrypt_value(value: str, key: bytes, aad: str) -> Any:
    """Decrypt one leaf.

    Args:
        value: the stored text.
        key: the 32-byte data key.
        aad: the additional data (key path joined with ``:`` and a trailing ``:``).

    Returns:
        str, int, float, bool, `Comment`, `Timestamp`, or (type ``bytes``) the UTF-8 text
        when it decodes, else bytes.

    Raises:
        BadValue: not an ``ENC[...]`` value, bad base64 or an unknown type.
        WrongKey: authentication failed (wrong key, wrong path, or tampered).
    """
    if value == "":
        return ""
    match = _ENC.match(value)
    if match is None:
        raise BadValue("not an ENC[AES256_GCM,...] value")
    data, iv, tag = (_b64(match.group(i)) for i in (1, 2, 3))
    kind = match.group(4)
    if len(iv) < 8 or len(tag) != 16:
        raise BadValue("bad iv or tag length")
    try:
        plain = AESGCM(key).decrypt(iv, data + tag, aad.encode())
    except InvalidTag:
        raise WrongKey("authentication failed") from None
    text = plain.decode("utf-8", errors="surrogateescape")
    try:
        if kind == "str":
            return text
        if kind in ("int", "int64"):
            return int(text, 10)
        if kind == "float":
            return float(text)
        if kind == "bool":
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise BadValue("bad bool")
        if kind == "comment":
            return Comment(text)
        if kind == "time":
            if not _RFC3339.match(text):
                raise BadValue("plaintext does not parse as type time")
            return Timestamp(text)
        if kind == "bytes":
            try:
                return plain.decode("utf-8")
            except UnicodeDecodeError:
                return plain
    except ValueError:
        raise BadValue(f"plaintext does not parse as type {kind}") from None
    raise BadValue(f"unknown type {kind!r}")


def go_float(f: float) -> str:
    """strconv.FormatFloat(f, 'f', -1, 64): shortest round-trip digits, never an exponent."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    text = format(Decimal(repr(f)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" and f == 0 and math.copysign(1, f) > 0 else text


def to_bytes(value: Any) -> bytes:
    """sops ``ToBytes``: what one plaintext leaf contributes to the MAC."""
    if isinstance(value, bool):
        return b"True" if value else b"False"
    if isinstance(value, int):
        return str(value).encode()
    if isinstance(value, float):
        return go_float(value).encode()
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", errors="surrogateescape")
    raise BadValue(f"unsupported value type {type(value).__name__}")
