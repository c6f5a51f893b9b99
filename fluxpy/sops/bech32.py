"""Bech32 (BIP 173) encoding, as age uses it for keys.

age encodes X25519 recipients as ``age1...`` and identities as
``AGE-SECRET-KEY-1...``: plain Bech32 (not Bech32m) with no length limit.
Only what age needs is here: encode and decode a (hrp, bytes) pair.
"""

from __future__ import annotations

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _polymod(values: list[int]) -> int:
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= _GEN[i] if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert(data: bytes | list[int], frombits: int, tobits: int, *, pad: bool) -> list[int] | None:
    acc = 0
    bits = 0
    out: list[int] = []
    maxv = (1 << tobits) - 1
    for value in data:
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        return None
    return out


def encode(hrp: str, data: bytes) -> str:
    """Encode bytes under a human-readable part, lower case.

    Args:
        hrp: the human-readable part, e.g. ``"age"``.
        data: the payload.

    Returns:
        The Bech32 string.
    """
    hrp = hrp.lower()
    words = _convert(data, 8, 5, pad=True) or []
    values = _hrp_expand(hrp) + words
    polymod = _polymod(values + [0] * 6) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_CHARSET[d] for d in words + checksum)


def decode(text: str) -> tuple[str, bytes] | None:
    """Decode a Bech32 string.

    Args:
        text: all lower case or all upper case.

    Returns:
        (hrp in lower case, payload), or None if the string is not valid Bech32.
    """
    if text.lower() != text and text.upper() != text:
        return None
    text = text.lower()
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text):
        return None
    hrp = text[:pos]
    try:
        words = [_CHARSET.index(c) for c in text[pos + 1:]]
    except ValueError:
        return None
    if any(ord(c) < 33 or ord(c) > 126 for c in hrp):
        return None
    if _polymod(_hrp_expand(hrp) + words) != 1:
        return None
    data = _convert(words[:-6], 5, 8, pad=False)
    if data is None:
        return None
    return hrp, bytes(data)
