"""How go-yaml v3 types an untagged plain scalar (its ``resolve``), as sops's YAML store sees it.

sops reads YAML with go-yaml v3 into ``interface{}`` values and writes it back
with the same library, so both directions need go-yaml's YAML 1.2-ish rules:
only ``true``/``false`` (three spellings) are booleans, ``~``/``null``/empty
are null, integers take Go's base prefixes and a leading ``0`` means octal,
underscores are ignored in numbers, integers past uint64 become floats, and a
timestamp becomes a Go ``time.Time`` (a `Timestamp`: its RFC 3339 text
with nanoseconds, as sops encrypts and writes it). The emitter (`fluxpy.sops.yaml_out`) asks `resolve` whether a string
written plain would read back as something else, and quotes it if so.
"""

from __future__ import annotations

import math
import re
from typing import Any

from fluxpy import gostrconv
from fluxpy.sops.values import Timestamp

__all__ = ["BOOL", "FLOAT", "INT", "MERGE", "NULL", "STR", "TIMESTAMP", "decode_plain", "resolve"]

NULL, BOOL, STR, INT, FLOAT, TIMESTAMP, MERGE = ("!!null", "!!bool", "!!str", "!!int", "!!float", "!!timestamp",
                                                 "!!merge")

_MAP: dict[str, tuple[str, Any]] = {"": (NULL, None)}
for _tag, _value, _words in ((BOOL, True, "true True TRUE"), (BOOL, False, "false False FALSE"),
                             (NULL, None, "~ null Null NULL"), (FLOAT, math.nan, ".nan .NaN .NAN"),
                             (FLOAT, math.inf, ".inf .Inf .INF +.inf +.Inf +.INF"),
                             (FLOAT, -math.inf, "-.inf -.Inf -.INF")):
    for _word in _words.split():
        _MAP[_word] = (_tag, _value)

_MAP_HINTS = frozenset("yYnNtTfFoO~")
_NUMBER_HINTS = frozenset("+-0123456789")
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
# strconv.ParseFloat's decimal syntax (hex floats and inf/nan words aside, which go-yaml never reaches here).
_GO_FLOAT = re.compile(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\Z")
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d\d?)-(\d\d?)"
    r"(?:(?:[Tt]|( ))(\d\d?):(\d\d?):(\d\d?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?)?\Z")
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _go_float(s: str) -> float | None:
    """strconv.ParseFloat(s, 64) for decimal text; None when it fails (syntax, or out of range)."""
    if not _GO_FLOAT.match(s):
        return None
    f = float(s)
    return None if math.isinf(f) else f


def _timestamp(s: str) -> Timestamp | None:
    """One of go-yaml's timestamp layouts (``2006-1-2``, RFC 3339 with short fields, ``2006-1-2 15:4:5``).

    Returns:
        The time as ``time.Time.MarshalText`` writes it, or None if `s` is not one.
    """
    m = _TIMESTAMP.match(s)
    if not m:
        return None
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    if not 1 <= month <= 12:
        return None
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if day < 1 or day > _MONTH_DAYS[month - 1] + (1 if month == 2 and leap else 0):
        return None
    date = f"{year:04d}-{month:02d}-{day:02d}"
    if m[5] is None:
        return Timestamp(date + "T00:00:00Z")
    spaced, zone = m[4] is not None, m[9]
    if spaced == (zone is not None):  # "2006-1-2 15:4:5" has no zone, the T forms need one
        return None
    hour, minute, second = int(m[5]), int(m[6]), int(m[7])
    if hour > 23 or minute > 59 or second > 59:
        return None
    if zone not in (None, "Z") and (int(zone[1:3]) > 23 or int(zone[4:6]) > 59):
        return None
    fraction = (m[8] or "")[:9].rstrip("0")
    if zone is None or zone == "Z" or zone[1:] == "00:00":
        zone = "Z"
    return Timestamp(f"{date}T{hour:02d}:{minute:02d}:{second:02d}{'.' + fraction if fraction else ''}{zone}")


def resolve(s: str) -> tuple[str, Any]:
    """go-yaml v3 ``resolve("", s)``: the tag a plain scalar gets and its value.

    Returns:
        (tag, value): ``!!null`` None, ``!!bool``, ``!!int`` int, ``!!float``
        float, ``!!timestamp`` `Timestamp`, or ``!!str`` with the text itself.
    """
    if s and s[0] not in _MAP_HINTS and s[0] not in _NUMBER_HINTS and s[0] != ".":
        return STR, s  # no hint: go-yaml does not even look it up ("<<" too)
    if s in _MAP:
        return _MAP[s]
    hint = s[0]
    if hint in _MAP_HINTS:
        return STR, s
    if hint == ".":
        f = _go_float(s)
        return (FLOAT, f) if f is not None else (STR, s)
    if hint not in _NUMBER_HINTS:
        return STR, s
    stamp = _timestamp(s)
    if stamp is not None:
        return TIMESTAMP, stamp
    plain = s.replace("_", "")
    for signed in (True, False):
        i = gostrconv.parse_int(plain, signed=signed) if plain else None
        if i is not None:
            return INT, i
    if _YAML_FLOAT.match(plain):
        f = _go_float(plain)
        if f is not None:
            return FLOAT, f
    return STR, s


def decode_plain(s: str) -> Any:
    """What go-yaml v3 decodes an untagged plain scalar to in an ``interface{}``."""
    return resolve(s)[1]
