"""Go's strconv integer parsing, as go-yaml (v2 and v3) resolves plain scalars with it.

Shared by the kustomize YAML reader (go-yaml v2) and the SOPS YAML store
reader (go-yaml v3), which must agree with Go on what text is an int.
"""

from __future__ import annotations

_DIGITS = {2: frozenset("01"), 8: frozenset("01234567"), 10: frozenset("0123456789"),
           16: frozenset("0123456789abcdefABCDEF")}
_INT64_MIN, _INT64_MAX, _UINT64_MAX = -(1 << 63), (1 << 63) - 1, (1 << 64) - 1


def parse_int(s: str, *, signed: bool) -> int | None:
    """strconv.ParseInt(s, 0, 64) / ParseUint(s, 0, 64): the value, or None on a syntax or range error.

    Base from the prefix (`0x`, `0o`, `0b`, a leading `0` for octal), no
    underscores (YAML resolution never admits them).
    """
    neg = False
    body = s
    if signed and body[:1] in ("+", "-"):
        neg = body[0] == "-"
        body = body[1:]
    base = 10
    if len(body) > 1 and body[0] == "0":
        c = body[1]
        if c in "xX":
            base, body = 16, body[2:]
        elif c in "oO":
            base, body = 8, body[2:]
        elif c in "bB":
            base, body = 2, body[2:]
        else:
            base, body = 8, body[1:]
    if not body or not _DIGITS[base].issuperset(body):
        return None
    value = int(body, base)
    if neg:
        value = -value
    if signed:
        return value if _INT64_MIN <= value <= _INT64_MAX else None
    return value if value <= _UINT64_MAX else None
