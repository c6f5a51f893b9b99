"""Sprig's string functions and string-list functions (`trim`, `trunc`, `split`, `join`, `sortAlpha`...).

Go's types show through: `trunc`, `substr` and `abbrev` index bytes, not characters, and panic with Go's
slice-bounds text; case mapping goes rune by rune, so `upper "ß"` stays `ß`; `split` returns a
`map[string]string` keyed `_0`, `_1`...
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping

from fluxpy.image import gotemplate as gt
from fluxpy.image.gotemplate import ANY, GoError, GoFunc, GoMap, GoSlice
from fluxpy.image.sprig.values import (
    INT,
    STR,
    STRINGS,
    from_utf8,
    go_slice,
    gofunc,
    is_list,
    strslice,
    strval,
    utf8,
)


def _title(s: str) -> str:
    """Go's (deprecated) `strings.Title`: upper-case the first letter of each word."""

    def is_separator(c: str) -> bool:
        if ord(c) <= 0x7F:
            return not (c.isalnum() or c == "_")
        if c.isalpha() or unicodedata.category(c) == "Nd":
            return False
        return c in gt._GO_SPACES

    out = []
    prev = " "
    for c in s:
        if is_separator(prev):
            t = c.title()
            out.append(t if len(t) == 1 else c)
        else:
            out.append(c)
        prev = c
    return "".join(out)


def _per_rune(s: str, fn: Callable[[str], str]) -> str:
    """Apply a case mapping rune by rune, as Go does (no multi-rune expansions such as ß -> SS)."""
    out = []
    for c in s:
        m = fn(c)
        out.append(m if len(m) == 1 else c)
    return "".join(out)


def _swapcase(s: str) -> str:
    out = []
    for c in s:
        if c.isupper() or unicodedata.category(c) == "Lt":
            m = c.lower()
        elif c.islower():
            m = c.upper()
        else:
            m = c
        out.append(m if len(m) == 1 else c)
    return "".join(out)


def _untitle(s: str) -> str:
    out = []
    lower_next = True
    for c in s:
        if c in gt._GO_SPACES:
            out.append(c)
            lower_next = True
        elif lower_next:
            m = c.lower()
            out.append(m if len(m) == 1 else c)
            lower_next = False
        else:
            out.append(c)
    return "".join(out)


def _initials(s: str) -> str:
    out = []
    gap = True
    for c in s:
        if c in gt._GO_SPACES:
            gap = True
        elif gap:
            out.append(c)
            gap = False
    return "".join(out)


def _abbrev_full(s: str, offset: int, width: int) -> str:
    """goutils `AbbreviateFull`, byte-indexed like the Go original."""
    data = utf8(s)
    n = len(data)
    if not data:
        return ""
    if width < 4:
        raise GoError("stringutils illegal argument: Minimum abbreviation width is 4")
    if n <= width:
        return s
    offset = min(offset, n)
    if n - offset < width - 3:
        offset = n - (width - 3)
    if offset <= 4:
        return from_utf8(data[: width - 3]) + "..."
    if width < 7:
        raise GoError("stringutils illegal argument: Minimum abbreviation width with offset is 7")
    if offset + width - 3 < n:
        return "..." + _abbrev_full(from_utf8(data[offset:]), 0, width - 3)
    return "..." + from_utf8(data[n - (width - 3) :])


def _abbrev(width: int, s: str) -> str:
    return s if width < 4 else _abbrev_full(s, 0, width)


def _abbrevboth(left: int, right: int, s: str) -> str:
    if right < 4 or (left > 0 and right < 7):
        return s
    try:
        return _abbrev_full(s, left, right)
    except GoError:
        return ""


def _trunc(c: int, s: str) -> str:
    n = len(utf8(s))
    if c < 0 and n + c > 0:
        return go_slice(s, n + c, None)
    if c >= 0 and n > c:
        return go_slice(s, None, c)
    return s


def _substr(start: int, end: int, s: str) -> str:
    if start < 0:
        return go_slice(s, None, end)
    if end < 0 or end > len(utf8(s)):
        return go_slice(s, start, None)
    return go_slice(s, start, end)


def _repeat(count: int, s: str) -> str:
    if count < 0:
        raise GoError("strings: negative Repeat count")
    return s * count


def _indent(spaces: int, v: str) -> str:
    pad = _repeat(spaces, " ")
    return pad + v.replace("\n", "\n" + pad)


def _quote(*args: object) -> str:
    return " ".join(gt.quote(strval(a)) for a in args if a is not None)


def _squote(*args: object) -> str:
    return " ".join(f"'{gt.format_value(a)}'" for a in args if a is not None)


def _cat(*args: object) -> str:
    return " ".join(gt.format_value(a) for a in args if a is not None)


def _go_split(s: str, sep: str, n: int = -1) -> list[str]:
    """Go's `strings.SplitN` (n < 0: all); an empty separator splits into runes."""
    if n == 0:
        return []
    if sep == "":
        runes = list(s)
        if n > 0 and len(runes) > n:
            return runes[: n - 1] + ["".join(runes[n - 1 :])]
        return runes
    return s.split(sep) if n < 0 else s.split(sep, n - 1)


def _split(sep: str, orig: str) -> GoMap:
    parts = _go_split(orig, sep)
    return GoMap({f"_{i}": p for i, p in enumerate(parts)}, go_type="map[string]string", zero="")


def _splitn(sep: str, n: int, orig: str) -> GoMap:
    parts = _go_split(orig, sep, n)
    return GoMap({f"_{i}": p for i, p in enumerate(parts)}, go_type="map[string]string", zero="")


def _sort_alpha(lst: object) -> GoSlice:
    if is_list(lst):
        return GoSlice(sorted(strslice(lst), key=utf8), go_type=STRINGS)
    return GoSlice([strval(lst)], go_type=STRINGS)


FUNCS: Mapping[str, GoFunc] = {
    "hello": gofunc(lambda: "Hello!"),
    "abbrev": gofunc(_abbrev, INT, STR),
    "abbrevboth": gofunc(_abbrevboth, INT, INT, STR),
    "trunc": gofunc(_trunc, INT, STR),
    "trim": gofunc(lambda s: s.strip(gt._GO_SPACES), STR),
    "upper": gofunc(lambda s: _per_rune(s, str.upper), STR),
    "lower": gofunc(lambda s: _per_rune(s, str.lower), STR),
    "title": gofunc(_title, STR),
    "untitle": gofunc(_untitle, STR),
    "substr": gofunc(_substr, INT, INT, STR),
    "repeat": gofunc(_repeat, INT, STR),
    "trimall": gofunc(lambda a, b: b.strip(a), STR, STR),
    "trimAll": gofunc(lambda a, b: b.strip(a), STR, STR),
    "trimSuffix": gofunc(lambda a, b: b[: -len(a)] if a and b.endswith(a) else b, STR, STR),
    "trimPrefix": gofunc(lambda a, b: b.removeprefix(a), STR, STR),
    "nospace": gofunc(lambda s: "".join(c for c in s if c not in gt._GO_SPACES), STR),
    "initials": gofunc(_initials, STR),
    "swapcase": gofunc(_swapcase, STR),
    "contains": gofunc(lambda sub, s: sub in s, STR, STR),
    "hasPrefix": gofunc(lambda p, s: s.startswith(p), STR, STR),
    "hasSuffix": gofunc(lambda p, s: s.endswith(p), STR, STR),
    "quote": gofunc(_quote, variadic=ANY),
    "squote": gofunc(_squote, variadic=ANY),
    "cat": gofunc(_cat, variadic=ANY),
    "indent": gofunc(_indent, INT, STR),
    "nindent": gofunc(lambda n, v: "\n" + _indent(n, v), INT, STR),
    "replace": gofunc(lambda old, new, src: src.replace(old, new), STR, STR, STR),
    "plural": gofunc(lambda one, many, count: one if count == 1 else many, STR, STR, INT),
    "split": gofunc(_split, STR, STR),
    "splitList": gofunc(lambda sep, orig: GoSlice(_go_split(orig, sep), go_type=STRINGS), STR, STR),
    "splitn": gofunc(_splitn, STR, INT, STR),
    "join": gofunc(lambda sep, v: sep.join(strslice(v)), STR, ANY),
    "sortAlpha": gofunc(_sort_alpha, ANY),
}
"""Sprig's string and string-list functions."""
