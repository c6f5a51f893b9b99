"""age (https://age-encryption.org/v1) for the one job SOPS gives it: unwrapping the data key.

SOPS stores the document's 32-byte data key once per age recipient, as an
ASCII-armored age file. This module parses X25519 identities
(``AGE-SECRET-KEY-1...``) and decrypts such a file in memory: it finds an
``X25519`` stanza one of our identities can unwrap (X25519 + HKDF-SHA256 +
ChaCha20-Poly1305), checks the header MAC, then reads the STREAM payload
(ChaCha20-Poly1305, 64 KiB chunks, 11-byte counter + last-chunk flag nonces).
Other stanza types (scrypt, ssh-ed25519, plugins) are skipped: Flux only
reads ``*.agekey`` X25519 identities. Nothing here names the object; the
caller turns `AgeError` into a `DecryptionError` that does.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass, field
from hashlib import sha256

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from fluxpy.sops import bech32
from fluxpy.sops.errors import DecryptionError

__all__ = ["AgeError", "AgeIdentity", "NoIdentityMatched", "decrypt_armored", "parse_age_identities",
           "recipient_of"]

_INTRO = b"age-encryption.org/v1\n"
_ARMOR_BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----"
_ARMOR_END = "-----END AGE ENCRYPTED FILE-----"
_X25519_INFO = b"age-encryption.org/v1/X25519"
_CHUNK = 64 * 1024


class AgeError(Exception):
    """The age file is malformed or fails authentication (message has no secrets)."""


class NoIdentityMatched(AgeError):
    """No identity unwraps any stanza of the file."""


@dataclass(frozen=True, slots=True)
class AgeIdentity:
    """An age X25519 identity (secret key).

    Args:
        secret: the 32-byte X25519 scalar; never printed (``repr`` hides it).
    """

    secret: bytes = field(repr=False)

    @property
    def recipient(self) -> str:
        """The matching public recipient, ``age1...``."""
        return recipient_of(self.secret)

    @classmethod
    def generate(cls) -> AgeIdentity:
        """A fresh random identity (for tests and tooling)."""
        raw = X25519PrivateKey.generate().private_bytes_raw()
        return cls(raw)

    def encode(self) -> str:
        """The identity as ``AGE-SECRET-KEY-1...`` text."""
        return bech32.encode("age-secret-key-", self.secret).upper()


def recipient_of(secret: bytes) -> str:
    """The ``age1...`` recipient for a 32-byte X25519 secret."""
    public = X25519PrivateKey.from_private_bytes(secret).public_key()
    return bech32.encode("age", public.public_bytes(Encoding.Raw, PublicFormat.Raw))


def parse_age_identities(text: str, *, source: str = "age key") -> list[AgeIdentity]:
    """Parse age identities from a key file, a ``*.agekey`` value or ``SOPS_AGE_KEY``.

    One identity per line; blank lines and ``#`` comments (``age-keygen``
    writes ``# created: ...`` and ``# public key: ...``) are skipped.

    Args:
        text: the file or variable content.
        source: what the text came from, for error messages.

    Returns:
        The identities in order.

    Raises:
        DecryptionError: a line is not an X25519 identity (its text is not quoted,
            it may be a secret).
    """
    out: list[AgeIdentity] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        decoded = bech32.decode(line) if line.upper().startswith("AGE-SECRET-KEY-1") else None
        if decoded is None or decoded[0] != "age-secret-key-" or len(decoded[1]) != 32:
            raise DecryptionError(f"{source}: line {number} is not an age X25519 identity (AGE-SECRET-KEY-1...)")
        out.append(AgeIdentity(decoded[1]))
    return out


def _b64(text: str) -> bytes:
    # age uses unpadded standard base64 and rejects padding and non-canonical encodings.
    if "=" in text or "\n" in text or "\r" in text:
        raise AgeError("invalid base64 in age header")
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise AgeError("invalid base64 in age header") from None
    if base64.b64encode(data).decode().rstrip("=") != text:
        raise AgeError("non-canonical base64 in age header")
    return data


def _hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def dearmor(text: str) -> bytes:
    """The binary age file inside an ASCII armor (or the text itself if not armored)."""
    stripped = text.strip()
    if not stripped.startswith(_ARMOR_BEGIN):
        return text.encode()
    if not stripped.endswith(_ARMOR_END):
        raise AgeError("age armor has no end line")
    body = "".join(stripped[len(_ARMOR_BEGIN):-len(_ARMOR_END)].split())
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise AgeError("invalid base64 in age armor") from None


@dataclass(frozen=True, slots=True)
class _Stanza:
    kind: str
    args: tuple[str, ...]
    body: bytes


def _parse_header(data: bytes) -> tuple[list[_Stanza], bytes, bytes, bytes]:
    """Split a binary age file into (stanzas, header bytes for the MAC, MAC, payload)."""
    if not data.startswith(_INTRO):
        raise AgeError("not an age v1 file")
    pos = len(_INTRO)
    stanzas: list[_Stanza] = []
    while True:
        end = data.find(b"\n", pos)
        if end < 0:
            raise AgeError("truncated age header")
        line = data[pos:end].decode("ascii", errors="replace")
        if line.startswith("--- "):
            mac = _b64(line[4:])
            header = data[:pos + 3]
            return stanzas, header, mac, data[end + 1:]
        if not line.startswith("-> "):
            raise AgeError("malformed age header line")
        parts = line[3:].split(" ")
        if not parts or not all(parts):
            raise AgeError("malformed age stanza")
        pos = end + 1
        body = b""
        while True:
            end = data.find(b"\n", pos)
            if end < 0:
                raise AgeError("truncated age stanza body")
            chunk_line = data[pos:end].decode("ascii", errors="replace")
            pos = end + 1
            if len(chunk_line) > 64:
                raise AgeError("age stanza body line too long")
            body += _b64(chunk_line)
            if len(chunk_line) < 64:
                break
        stanzas.append(_Stanza(parts[0], tuple(parts[1:]), body))


def _unwrap_x25519(stanza: _Stanza, identity: AgeIdentity) -> bytes | None:
    if stanza.kind != "X25519" or len(stanza.args) != 1:
        return None
    ephemeral = _b64(stanza.args[0])
    if len(ephemeral) != 32 or len(stanza.body) != 32:
        raise AgeError("malformed X25519 stanza")
    private = X25519PrivateKey.from_private_bytes(identity.secret)
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral))
    except ValueError:  # an all-zero shared secret (low-order point)
        raise AgeError("invalid X25519 stanza") from None
    ours = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    wrap_key = _hkdf(shared, ephemeral + ours, _X25519_INFO)
    try:
        return ChaCha20Poly1305(wrap_key).decrypt(bytes(12), stanza.body, None)
    except InvalidTag:
        return None


def _payload(file_key: bytes, payload: bytes) -> bytes:
    if len(payload) < 16:
        raise AgeError("truncated age payload")
    key = _hkdf(file_key, payload[:16], b"payload")
    aead = ChaCha20Poly1305(key)
    body = payload[16:]
    out = bytearray()
    counter = 0
    size = _CHUNK + 16
    offset = 0
    while True:
        chunk = body[offset:offset + size]
        last = offset + size >= len(body)
        if len(chunk) < 16:
            raise AgeError("truncated age payload")
        nonce = counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")
        try:
            plain = aead.decrypt(nonce, chunk, None)
        except InvalidTag:
            raise AgeError("age payload failed authentication") from None
        if last and not plain and counter > 0:
            raise AgeError("age payload ends with an empty chunk")
        out += plain
        if last:
            return bytes(out)
        offset += size
        counter += 1


def decrypt_armored(text: str, identities: list[AgeIdentity]) -> bytes:
    """Decrypt an (optionally ASCII-armored) age file with the first identity that fits.

    Args:
        text: the age file, as SOPS stores it under ``sops.age[].enc``.
        identities: X25519 identities to try.

    Returns:
        The decrypted payload (for SOPS, the 32-byte data key).

    Raises:
        NoIdentityMatched: no identity unwraps any X25519 stanza.
        AgeError: the file is malformed or fails authentication.
    """
    stanzas, header, mac, payload = _parse_header(dearmor(text))
    for stanza in stanzas:
        for identity in identities:
            file_key = _unwrap_x25519(stanza, identity)
            if file_key is None:
                continue
            expected = hmac.new(_hkdf(file_key, b"", b"header"), header, sha256).digest()
            if not hmac.compare_digest(expected, mac):
                raise AgeError("age header MAC mismatch")
            return _payload(file_key, payload)
    raise NoIdentityMatched("no identity matches")
