"""Sprig's template functions, as image-automation-controller offers them to commit messages.

Flux parses `messageTemplate` with `sprig.HermeticTxtFuncMap()`: every Sprig v3
function except those that read the clock, the environment, the network or a
random source (`now`, `date*`, `env`, `expandenv`, `getHostByName`, `rand*`,
`uuidv4`). This module ports the string, list, dict, default, encoding, path,
math, regexp and reflection functions with Sprig's argument order (the subject
last, so `.Name | trimPrefix "v"` works), Go's types (`trunc` takes an `int`
and slices bytes, `join` stringifies with `%v`, `split` returns a
`map[string]string` keyed `_0`, `_1`...) and Go's failure modes (a bad regexp
in `regexReplaceAll` is an `error calling regexReplaceAll: ...`).

Three deliberate differences from Go, all about map iteration order: `keys`
and `values` return keys (and their values) sorted, and `omit`/`pick` keep
sorted order, where Go's order is random. The time, crypto (`bcrypt`,
`genPrivateKey`, `encryptAES`...), URL (`urlParse`, `urlJoin`), `semver`,
`merge*`, `dig`, `chunk`, `seq`, `wrap`, `*case` and float math (`addf`...)
functions are not ported; a template using them fails to parse with Go's
`function "x" not defined`.

Regular expressions use `fluxpy.image.goregexp` (Go's RE2 syntax) when it is
present, else Python's `re`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import importlib
import json
import math
import re
import unicodedata
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fluxpy.image import gotemplate as gt
from fluxpy.image.gotemplate import ANY, GoError, GoFunc, GoMap, GoSlice

__all__ = ["FUNCS", "strval", "to_json"]

_MAP = "map[string]interface {}"
_STRINGS = "[]string"


# --------------------------------------------------------------------------- helpers


def strval(v: object) -> str:
    """Sprig's `strval`: strings as they are, `Error()`/`String()` results, else `%v`."""
    if isinstance(v, str):
        return v
    s = gt.stringer(v)
    return s if s is not None else gt.format_value(v)


def _strslice(v: object) -> GoSlice:
    """Sprig's `strslice`: a list's non-nil elements as strings; a scalar as a one-element list."""
    if isinstance(v, GoSlice) and v.go_type == _STRINGS:
        return v
    if isinstance(v, (list, tuple, GoSlice)):
        return GoSlice([strval(x) for x in v if x is not None], go_type=_STRINGS)
    if v is None:
        return GoSlice([], go_type=_STRINGS)
    return GoSlice([strval(v)], go_type=_STRINGS)


def _utf8(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def _str(b: bytes) -> str:
    return b.decode("utf-8", "replace")


def _go_slice(s: str, lo: int | None, hi: int | None) -> str:
    """Go's `s[lo:hi]` on the bytes of s, with Go's panic text when out of range."""
    data = _utf8(s)
    n = len(data)
    lo_v = 0 if lo is None else lo
    hi_v = n if hi is None else hi
    if hi_v < 0 or hi_v > n:
        raise GoError(f"runtime error: slice bounds out of range [:{hi_v}] with length {n}")
    if lo_v < 0 or lo_v > hi_v:
        raise GoError(f"runtime error: slice bounds out of range [{lo_v}:{hi_v}]")
    return _str(data[lo_v:hi_v])


def _is_list(v: object) -> bool:
    return isinstance(v, (list, tuple, GoSlice))


def _kind_name(v: object) -> str:
    """`reflect.Kind.String()` of a value, as Sprig's error messages print it."""
    if v is None:
        return "invalid"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, Mapping):
        return "map"
    if _is_list(v):
        return "slice"
    if callable(v) and not gt.struct_fields(v):
        return "func"
    return "struct"


def _type_kind(v: object) -> str:
    """`reflect.TypeOf(v).Kind()`, which panics for a nil interface."""
    if v is None:
        raise GoError("runtime error: invalid memory address or nil pointer dereference")
    return _kind_name(v)


def _deep_equal(a: object, b: object) -> bool:
    if gt.go_type_name(a) != gt.go_type_name(b):
        return False
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_deep_equal(a[k], b[k]) for k in a)
    if _is_list(a) and _is_list(b):
        la, lb = list(a), list(b)  # type: ignore[call-overload]
        return len(la) == len(lb) and all(_deep_equal(x, y) for x, y in zip(la, lb))
    return a == b


def _empty(v: object) -> bool:
    return not gt.truth(v)


_INT_TEXT = re.compile(r"[+-]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)")


def _to_int64(v: object) -> int:
    """spf13/cast `ToInt64` with errors dropped (Sprig's `toInt64`)."""
    if v is None:
        return 0
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return int(v) if math.isfinite(v) else 0
    if isinstance(v, str):
        text = v
        if "." in text:
            head, _, tail = text.partition(".")
            if tail and set(tail) == {"0"}:
                text = head
        if _INT_TEXT.fullmatch(text):
            try:
                return int(text.replace("_", ""), 0) if not re.fullmatch(r"[+-]?0[0-7]+", text) else int(text, 8)
            except ValueError:
                return 0
    return 0


def _to_float64(v: object) -> float:
    """spf13/cast `ToFloat64` with errors dropped."""
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return 0.0
    return 0.0


# --------------------------------------------------------------------------- strings


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
    data = _utf8(s)
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
        return _str(data[: width - 3]) + "..."
    if width < 7:
        raise GoError("stringutils illegal argument: Minimum abbreviation width with offset is 7")
    if offset + width - 3 < n:
        return "..." + _abbrev_full(_str(data[offset:]), 0, width - 3)
    return "..." + _str(data[n - (width - 3) :])


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
    n = len(_utf8(s))
    if c < 0 and n + c > 0:
        return _go_slice(s, n + c, None)
    if c >= 0 and n > c:
        return _go_slice(s, None, c)
    return s


def _substr(start: int, end: int, s: str) -> str:
    if start < 0:
        return _go_slice(s, None, end)
    if end < 0 or end > len(_utf8(s)):
        return _go_slice(s, start, None)
    return _go_slice(s, start, end)


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


def _atoi(a: str) -> int:
    return int(a) if re.fullmatch(r"[+-]?[0-9]+", a) else 0


# --------------------------------------------------------------------------- encodings and hashes


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _corrupt_at(s: str, alphabet: str, quantum: int) -> int:
    """Where Go's decoder reports `illegal ... data at input byte N` (a close approximation)."""
    stripped = s.replace("\r", "").replace("\n", "")
    for i, c in enumerate(stripped):
        if c not in alphabet and c != "=":
            return i
    pad = stripped.find("=")
    if pad >= 0 and stripped[pad:].strip("=") != "":
        return pad
    return len(stripped) - len(stripped) % quantum if len(stripped) % quantum else max(pad, 0)


def _b64dec(v: str) -> str:
    try:
        return _str(base64.b64decode(v.replace("\r", "").replace("\n", ""), validate=True))
    except (binascii.Error, ValueError):
        return f"illegal base64 data at input byte {_corrupt_at(v, _B64, 4)}"


def _b32dec(v: str) -> str:
    try:
        return _str(base64.b32decode(v.replace("\r", "").replace("\n", "")))
    except (binascii.Error, ValueError):
        return f"illegal base32 data at input byte {_corrupt_at(v, _B32, 8)}"


def _json_float(f: float) -> str:
    if not math.isfinite(f):
        raise GoError(f"json: unsupported value: {gt.format_float(f, 'g', -1)}")
    a = abs(f)
    fmt = "e" if a != 0 and (a < 1e-6 or a >= 1e21) else "f"
    s = gt.format_float(f, fmt, -1)
    if fmt == "e" and len(s) >= 4 and s[-4] == "e" and s[-3] == "-" and s[-2] == "0":
        s = s[:-2] + s[-1]
    return s


def _json_string(s: str, escape_html: bool) -> str:
    out = ['"']
    for c in s:
        o = ord(c)
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif c == "\b":
            out.append("\\b")
        elif c == "\f":
            out.append("\\f")
        elif o < 0x20 or (escape_html and c in "<>&") or o in (0x2028, 0x2029):
            out.append(f"\\u{o:04x}")
        elif 0xD800 <= o <= 0xDFFF:
            out.append("\\ufffd")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def _json_fields(v: object) -> list[tuple[str, object]]:
    """A struct's JSON members: tag names, `omitempty`, `-`, embedded structs flattened."""
    members: list[tuple[str, object]] = []
    for name, val, meta in gt.struct_fields(v):
        tag = meta.get("go_json")
        tag_name, _, opts = (tag if isinstance(tag, str) else "").partition(",")
        if tag_name == "-" and not opts:
            continue
        if meta.get("go_embedded") and not tag_name and gt.struct_fields(val):
            members.extend(_json_fields(val))
            continue
        if "omitempty" in opts.split(",") and _empty(val):
            continue
        members.append((tag_name or name, val))
    return members


def to_json(v: object, *, escape_html: bool = True, indent: str | None = None, level: int = 0) -> str:
    """Go's `json.Marshal` (or `MarshalIndent(v, "", indent)`) of a template value.

    Raises:
        GoError: for values Go cannot encode (NaN, functions, maps with struct keys).
    """

    def nl(depth: int) -> str:
        return "" if indent is None else "\n" + indent * depth

    colon = ":" if indent is None else ": "
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return _json_float(v)
    if isinstance(v, str):
        return _json_string(v, escape_html)
    if isinstance(v, Mapping):
        if isinstance(v, GoMap) and v.nil:
            return "null"
        key_type = v.key_type if isinstance(v, GoMap) else "string"
        if key_type not in ("string", ANY, "int", "int64"):
            raise GoError(f"json: unsupported type: {gt.go_type_name(v)}")
        items = sorted(((strval(k), val) for k, val in v.items()), key=lambda kv: _utf8(kv[0]))
        if not items:
            return "{}"
        body = ",".join(
            nl(level + 1) + _json_string(k, escape_html) + colon + to_json(
                val, escape_html=escape_html, indent=indent, level=level + 1
            )
            for k, val in items
        )
        return "{" + body + nl(level) + "}"
    if _is_list(v):
        if isinstance(v, GoSlice) and v.nil:
            return "null"
        elems = list(v)  # type: ignore[call-overload]
        if not elems:
            return "[]"
        body = ",".join(
            nl(level + 1) + to_json(x, escape_html=escape_html, indent=indent, level=level + 1) for x in elems
        )
        return "[" + body + nl(level) + "]"
    if _kind_name(v) == "func":
        raise GoError(f"json: unsupported type: {gt.go_type_name(v)}")
    members = _json_fields(v)
    if not members:
        return "{}"
    body = ",".join(
        nl(level + 1) + _json_string(k, escape_html) + colon + to_json(
            val, escape_html=escape_html, indent=indent, level=level + 1
        )
        for k, val in members
    )
    return "{" + body + nl(level) + "}"


def _from_json_value(v: object) -> object:
    if isinstance(v, dict):
        return {k: _from_json_value(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_from_json_value(x) for x in v]
    return v


def _must_from_json(v: str) -> object:
    try:
        return _from_json_value(json.loads(v, parse_int=float))
    except json.JSONDecodeError as e:
        raise GoError(e.msg) from None


def _from_json(v: str) -> object:
    try:
        return _must_from_json(v)
    except GoError:
        return None


def _ignore_errors(fn: Callable[[object], str]) -> Callable[[object], str]:
    def wrapped(v: object) -> str:
        try:
            return fn(v)
        except GoError:
            return ""

    return wrapped


def _to_json(v: object) -> str:
    return to_json(v)


def _to_pretty_json(v: object) -> str:
    return to_json(v, indent="  ")


def _to_raw_json(v: object) -> str:
    return to_json(v, escape_html=False)


# --------------------------------------------------------------------------- paths (Go's `path`)


def _clean(p: str) -> str:
    if not p:
        return "."
    rooted = p.startswith("/")
    parts: list[str] = []
    for seg in p.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(seg)
    out = ("/" if rooted else "") + "/".join(parts)
    return out or "."


def _base(p: str) -> str:
    if not p:
        return "."
    p = p.rstrip("/")
    if not p:
        return "/"
    return p.rpartition("/")[2]


def _dir(p: str) -> str:
    return _clean(p[: p.rfind("/") + 1])


def _ext(p: str) -> str:
    for i in range(len(p) - 1, -1, -1):
        if p[i] == "/":
            break
        if p[i] == ".":
            return p[i:]
    return ""


# --------------------------------------------------------------------------- lists and dicts


def _list(*v: object) -> list[object]:
    return list(v)


def _need_list(v: object, message: str) -> list[object]:
    kind = _type_kind(v)
    if kind != "slice":
        raise GoError(message.format(kind=kind))
    items: Sequence[object] = v  # type: ignore[assignment]
    return list(items)


def _push(lst: object, v: object) -> list[object]:
    return [*_need_list(lst, "Cannot push on type {kind}"), v]


def _prepend(lst: object, v: object) -> list[object]:
    return [v, *_need_list(lst, "Cannot prepend on type {kind}")]


def _first(lst: object) -> object:
    items = _need_list(lst, "Cannot find first on type {kind}")
    return items[0] if items else None


def _last(lst: object) -> object:
    items = _need_list(lst, "Cannot find last on type {kind}")
    return items[-1] if items else None


def _rest(lst: object) -> object:
    items = _need_list(lst, "Cannot find rest on type {kind}")
    return items[1:] if items else GoSlice(None)


def _initial(lst: object) -> object:
    items = _need_list(lst, "Cannot find initial on type {kind}")
    return items[:-1] if items else GoSlice(None)


def _reverse(v: object) -> list[object]:
    return list(reversed(_need_list(v, "Cannot find reverse on type {kind}")))


def _compact(lst: object) -> list[object]:
    return [x for x in _need_list(lst, "Cannot compact on type {kind}") if not _empty(x)]


def _in_list(haystack: Sequence[object], needle: object) -> bool:
    return any(_deep_equal(needle, h) for h in haystack)


def _uniq(lst: object) -> list[object]:
    out: list[object] = []
    for x in _need_list(lst, "Cannot find uniq on type {kind}"):
        if not _in_list(out, x):
            out.append(x)
    return out


def _without(lst: object, *omit: object) -> list[object]:
    return [x for x in _need_list(lst, "Cannot find without on type {kind}") if not _in_list(omit, x)]


def _has(needle: object, haystack: object) -> bool:
    if haystack is None:
        return False
    return _in_list(_need_list(haystack, "Cannot find has on type {kind}"), needle)


def _slice(lst: object, *indices: object) -> object:
    items = _need_list(lst, "list should be type of slice or array but {kind}")
    if not items:
        return None
    start = _to_int64(indices[0]) if indices else 0
    end = _to_int64(indices[1]) if len(indices) > 1 else len(items)
    if not 0 <= start <= end <= len(items):
        raise GoError("reflect.Value.Slice: slice index out of bounds")
    return GoSlice(items[start:end], go_type=gt.go_type_name(lst))


def _concat(*lists: object) -> list[object]:
    out: list[object] = []
    for lst in lists:
        kind = _type_kind(lst)
        if kind != "slice":
            raise GoError(f"Cannot concat type {kind} as list")
        out.extend(lst)  # type: ignore[arg-type]
    return out


def _sort_alpha(lst: object) -> GoSlice:
    if _is_list(lst):
        return GoSlice(sorted(_strslice(lst), key=_utf8), go_type=_STRINGS)
    return GoSlice([strval(lst)], go_type=_STRINGS)


def _until_step(start: int, stop: int, step: int) -> GoSlice:
    if stop < start:
        values = list(range(start, stop, step)) if step < 0 else []
    else:
        values = list(range(start, stop, step)) if step > 0 else []
    return GoSlice(values, go_type="[]int")


def _until(count: int) -> GoSlice:
    return _until_step(0, count, -1 if count < 0 else 1)


def _dict(*v: object) -> dict[str, object]:
    out: dict[str, object] = {}
    for i in range(0, len(v), 2):
        out[strval(v[i])] = v[i + 1] if i + 1 < len(v) else ""
    return out


def _get(d: Mapping[str, object], key: str) -> object:
    return d[key] if key in d else ""


def _set(d: Any, key: str, value: object) -> object:
    d[key] = value
    return d


def _unset(d: Any, key: str) -> object:
    d.pop(key, None)
    return d


def _has_key(d: Mapping[str, object], key: str) -> bool:
    return key in d


def _pluck(key: str, *dicts: Mapping[str, object]) -> list[object]:
    return [d[key] for d in dicts if key in d]


def _keys(*dicts: Mapping[str, object]) -> GoSlice:
    return GoSlice([k for d in dicts for k in gt.sorted_keys(d)], go_type=_STRINGS)


def _values(d: Mapping[str, object]) -> list[object]:
    return [d[k] for k in gt.sorted_keys(d)]


def _pick(d: Mapping[str, object], *keys: str) -> dict[str, object]:
    return {k: d[k] for k in keys if k in d}


def _omit(d: Mapping[str, object], *keys: str) -> dict[str, object]:
    return {k: d[k] for k in gt.sorted_keys(d) if k not in keys}


def _default(d: object, *given: object) -> object:
    if not given or _empty(given[0]):
        return d
    return given[0]


def _coalesce(*v: object) -> object:
    return next((x for x in v if not _empty(x)), None)


def _ternary(vt: object, vf: object, v: bool) -> object:
    return vt if v else vf


# --------------------------------------------------------------------------- math


def _div(a: object, b: object) -> int:
    x, y = _to_int64(a), _to_int64(b)
    if y == 0:
        raise GoError("runtime error: integer divide by zero")
    q = abs(x) // abs(y)
    return q if (x >= 0) == (y >= 0) else -q


def _mod(a: object, b: object) -> int:
    x, y = _to_int64(a), _to_int64(b)
    return x - y * _div(x, y)


def _max(a: object, *rest: object) -> int:
    return max([_to_int64(a), *(_to_int64(b) for b in rest)])


def _min(a: object, *rest: object) -> int:
    return min([_to_int64(a), *(_to_int64(b) for b in rest)])


def _mul(a: object, *rest: object) -> int:
    out = _to_int64(a)
    for b in rest:
        out *= _to_int64(b)
    return out


def _round(a: object, p: int, *r_opt: float) -> float:
    round_on = r_opt[0] if r_opt else 0.5
    val = _to_float64(a)
    pow10 = math.pow(10, p)
    digit = pow10 * val
    frac = math.modf(digit)[0]
    return (math.ceil(digit) if frac >= round_on else math.floor(digit)) / pow10


# --------------------------------------------------------------------------- regexp


def _compile(pattern: str) -> Any:
    """Compile with Go's RE2 syntax via `fluxpy.image.goregexp` when present; raise GoError like Go."""
    try:
        goregexp: Any = importlib.import_module("fluxpy.image.goregexp")
    except ImportError:
        goregexp = None
    if goregexp is not None and hasattr(goregexp, "compile"):
        try:
            return goregexp.compile(pattern)
        except Exception as e:  # noqa: BLE001 - goregexp's PatternError carries Go's text
            raise GoError(getattr(e, "go_error", None) or str(e)) from None
    try:
        return re.compile(pattern)
    except re.error as e:
        raise GoError(f"error parsing regexp: {e}") from None


def _must_compile(pattern: str) -> Any:
    """Go's `regexp.MustCompile`, whose panic text names the pattern."""
    try:
        return _compile(pattern)
    except GoError as e:
        quoted = f"`{pattern}`" if gt._can_backquote(pattern) else gt.quote(pattern)
        raise GoError(f"regexp: Compile({quoted}): {e}") from None


def _all_matches(rx: Any, s: str, n: int) -> list[Any]:
    """Go's `allMatches`: successive leftmost matches, no empty match right after a match."""
    if n < 0:
        n = len(s) + 1
    out: list[Any] = []
    pos, prev_end = 0, -1
    while len(out) < n and pos <= len(s):
        m = rx.search(s, pos)
        if m is None:
            break
        accept = True
        if m.end() == pos:
            if m.start() == prev_end:
                accept = False
            pos += 1
        else:
            pos = m.end()
        prev_end = m.end()
        if accept:
            out.append(m)
    return out


def _expand(template: str, m: Any) -> str:
    try:
        goregexp: Any = importlib.import_module("fluxpy.image.goregexp")
        return str(goregexp.expand(template, m))
    except (ImportError, AttributeError):
        pass
    out: list[str] = []
    i = 0
    while i < len(template):
        j = template.find("$", i)
        if j < 0:
            out.append(template[i:])
            break
        out.append(template[i:j])
        i = j + 1
        if template[i : i + 1] == "$":
            out.append("$")
            i += 1
            continue
        brace = template[i : i + 1] == "{"
        k = i + 1 if brace else i
        start = k
        while k < len(template) and (template[k].isalnum() or template[k] == "_"):
            k += 1
        name = template[start:k]
        if not name or (brace and template[k : k + 1] != "}"):
            out.append("$")
            continue
        i = k + 1 if brace else k
        if name.isdigit() and not (name.startswith("0") and len(name) > 1):
            if int(name) <= m.re.groups and m.group(int(name)) is not None:
                out.append(m.group(int(name)))
        elif name in m.re.groupindex and m.group(name) is not None:
            out.append(m.group(name))
    return "".join(out)


def _replace_all(rx: Any, s: str, repl: Callable[[Any], str]) -> str:
    """Go's `replaceAll`: like `_all_matches`, and no replacement of an empty match after a match."""
    out: list[str] = []
    last = 0
    pos = 0
    while pos <= len(s):
        m = rx.search(s, pos)
        if m is None:
            break
        out.append(s[last : m.start()])
        if m.end() > last or m.start() == 0:
            out.append(repl(m))
        last = m.end()
        pos = pos + 1 if pos + 1 > m.end() else m.end()
    out.append(s[last:])
    return "".join(out)


def _regex_split(rx: Any, s: str, n: int) -> GoSlice:
    if n == 0:
        return GoSlice(None, go_type=_STRINGS)
    if rx.pattern and not s:
        return GoSlice([""], go_type=_STRINGS)
    parts: list[str] = []
    beg = end = 0
    for m in _all_matches(rx, s, n):
        if n > 0 and len(parts) == n - 1:
            break
        end = m.start()
        if m.end() != 0:
            parts.append(s[beg:end])
        beg = m.end()
    if end != len(s):
        parts.append(s[beg:])
    return GoSlice(parts, go_type=_STRINGS)


def _regex_fns(compile_fn: Callable[[str], Any]) -> dict[str, Callable[..., object]]:
    def find_all(regex: str, s: str, n: int) -> GoSlice:
        rx = compile_fn(regex)
        found = [m.group(0) for m in _all_matches(rx, s, n)] if n != 0 else []
        return GoSlice(found or None, go_type=_STRINGS)

    def find(regex: str, s: str) -> str:
        m = compile_fn(regex).search(s)
        return str(m.group(0)) if m is not None else ""

    def replace_all(regex: str, s: str, repl: str) -> str:
        return _replace_all(compile_fn(regex), s, lambda m: _expand(repl, m))

    def replace_all_literal(regex: str, s: str, repl: str) -> str:
        return _replace_all(compile_fn(regex), s, lambda m: repl)

    def split(regex: str, s: str, n: int) -> GoSlice:
        return _regex_split(compile_fn(regex), s, n)

    return {
        "FindAll": find_all,
        "Find": find,
        "ReplaceAll": replace_all,
        "ReplaceAllLiteral": replace_all_literal,
        "Split": split,
    }


def _regex_match(regex: str, s: str) -> bool:
    try:
        return _compile(regex).search(s) is not None
    except GoError:
        return False


def _must_regex_match(regex: str, s: str) -> bool:
    return _compile(regex).search(s) is not None


def _quote_meta(s: str) -> str:
    return "".join("\\" + c if c in "\\.+*?()|[]{}^$" else c for c in s)


# --------------------------------------------------------------------------- semver, reflection, flow


def _semver_compare(constraint: str, version: str) -> bool:
    from fluxpy import semver

    try:
        c = semver.Constraint.parse(constraint)
        v = semver.parse(version)
    except semver.SemverError as e:
        raise GoError(str(e)) from None
    return c.check(v)


def _fail(msg: str) -> str:
    raise GoError(msg)


def _type_is_like(target: str, src: object) -> bool:
    t = gt.go_type_name(src)
    return target in (t, "*" + t)


# --------------------------------------------------------------------------- the function map


def _fn(impl: Callable[..., object], *params: str, variadic: str | None = None) -> GoFunc:
    return GoFunc(impl, tuple(params), variadic)


_S, _I, _B = "string", "int", "bool"

_MUST = _regex_fns(_compile)
_PANIC = _regex_fns(_must_compile)

FUNCS: Mapping[str, GoFunc] = {
    "hello": _fn(lambda: "Hello!"),
    # strings
    "abbrev": _fn(_abbrev, _I, _S),
    "abbrevboth": _fn(_abbrevboth, _I, _I, _S),
    "trunc": _fn(_trunc, _I, _S),
    "trim": _fn(lambda s: s.strip(gt._GO_SPACES), _S),
    "upper": _fn(lambda s: _per_rune(s, str.upper), _S),
    "lower": _fn(lambda s: _per_rune(s, str.lower), _S),
    "title": _fn(_title, _S),
    "untitle": _fn(_untitle, _S),
    "substr": _fn(_substr, _I, _I, _S),
    "repeat": _fn(_repeat, _I, _S),
    "trimall": _fn(lambda a, b: b.strip(a), _S, _S),
    "trimAll": _fn(lambda a, b: b.strip(a), _S, _S),
    "trimSuffix": _fn(lambda a, b: b[: -len(a)] if a and b.endswith(a) else b, _S, _S),
    "trimPrefix": _fn(lambda a, b: b[len(a) :] if b.startswith(a) else b, _S, _S),
    "nospace": _fn(lambda s: "".join(c for c in s if c not in gt._GO_SPACES), _S),
    "initials": _fn(_initials, _S),
    "swapcase": _fn(_swapcase, _S),
    "contains": _fn(lambda sub, s: sub in s, _S, _S),
    "hasPrefix": _fn(lambda p, s: s.startswith(p), _S, _S),
    "hasSuffix": _fn(lambda p, s: s.endswith(p), _S, _S),
    "quote": _fn(_quote, variadic=ANY),
    "squote": _fn(_squote, variadic=ANY),
    "cat": _fn(_cat, variadic=ANY),
    "indent": _fn(_indent, _I, _S),
    "nindent": _fn(lambda n, v: "\n" + _indent(n, v), _I, _S),
    "replace": _fn(lambda old, new, src: src.replace(old, new), _S, _S, _S),
    "plural": _fn(lambda one, many, count: one if count == 1 else many, _S, _S, _I),
    "sha1sum": _fn(lambda s: hashlib.sha1(_utf8(s)).hexdigest(), _S),  # noqa: S324 - Sprig's sha1sum
    "sha256sum": _fn(lambda s: hashlib.sha256(_utf8(s)).hexdigest(), _S),
    "adler32sum": _fn(lambda s: str(zlib.adler32(_utf8(s))), _S),
    "toString": _fn(strval, ANY),
    # conversions and math
    "atoi": _fn(_atoi, _S),
    "int64": _fn(_to_int64, ANY),
    "int": _fn(_to_int64, ANY),
    "float64": _fn(_to_float64, ANY),
    "split": _fn(_split, _S, _S),
    "splitList": _fn(lambda sep, orig: GoSlice(_go_split(orig, sep), go_type=_STRINGS), _S, _S),
    "splitn": _fn(_splitn, _S, _I, _S),
    "toStrings": _fn(_strslice, ANY),
    "until": _fn(_until, _I),
    "untilStep": _fn(_until_step, _I, _I, _I),
    "add1": _fn(lambda i: _to_int64(i) + 1, ANY),
    "add": _fn(lambda *i: sum(_to_int64(x) for x in i), variadic=ANY),
    "sub": _fn(lambda a, b: _to_int64(a) - _to_int64(b), ANY, ANY),
    "div": _fn(_div, ANY, ANY),
    "mod": _fn(_mod, ANY, ANY),
    "mul": _fn(_mul, ANY, variadic=ANY),
    "biggest": _fn(_max, ANY, variadic=ANY),
    "max": _fn(_max, ANY, variadic=ANY),
    "min": _fn(_min, ANY, variadic=ANY),
    "ceil": _fn(lambda a: float(math.ceil(_to_float64(a))), ANY),
    "floor": _fn(lambda a: float(math.floor(_to_float64(a))), ANY),
    "round": _fn(_round, ANY, _I, variadic="float64"),
    # string slices
    "join": _fn(lambda sep, v: sep.join(_strslice(v)), _S, ANY),
    "sortAlpha": _fn(_sort_alpha, ANY),
    # defaults
    "default": _fn(_default, ANY, variadic=ANY),
    "empty": _fn(_empty, ANY),
    "coalesce": _fn(_coalesce, variadic=ANY),
    "all": _fn(lambda *v: all(not _empty(x) for x in v), variadic=ANY),
    "any": _fn(lambda *v: any(not _empty(x) for x in v), variadic=ANY),
    "compact": _fn(_compact, ANY),
    "mustCompact": _fn(_compact, ANY),
    "fromJson": _fn(_from_json, _S),
    "toJson": _fn(_ignore_errors(_to_json), ANY),
    "toPrettyJson": _fn(_ignore_errors(_to_pretty_json), ANY),
    "toRawJson": _fn(_ignore_errors(_to_raw_json), ANY),
    "mustFromJson": _fn(_must_from_json, _S),
    "mustToJson": _fn(_to_json, ANY),
    "mustToPrettyJson": _fn(_to_pretty_json, ANY),
    "mustToRawJson": _fn(_to_raw_json, ANY),
    "ternary": _fn(_ternary, ANY, ANY, _B),
    # reflection
    "typeOf": _fn(gt.go_type_name, ANY),
    "typeIs": _fn(lambda target, src: target == gt.go_type_name(src), _S, ANY),
    "typeIsLike": _fn(_type_is_like, _S, ANY),
    "kindOf": _fn(_kind_name, ANY),
    "kindIs": _fn(lambda target, src: target == _kind_name(src), _S, ANY),
    "deepEqual": _fn(_deep_equal, ANY, ANY),
    # paths
    "base": _fn(_base, _S),
    "dir": _fn(_dir, _S),
    "clean": _fn(_clean, _S),
    "ext": _fn(_ext, _S),
    "isAbs": _fn(lambda p: p.startswith("/"), _S),
    "osBase": _fn(_base, _S),
    "osClean": _fn(_clean, _S),
    "osDir": _fn(_dir, _S),
    "osExt": _fn(_ext, _S),
    "osIsAbs": _fn(lambda p: p.startswith("/"), _S),
    # encoding
    "b64enc": _fn(lambda v: base64.b64encode(_utf8(v)).decode("ascii"), _S),
    "b64dec": _fn(_b64dec, _S),
    "b32enc": _fn(lambda v: base64.b32encode(_utf8(v)).decode("ascii"), _S),
    "b32dec": _fn(_b32dec, _S),
    # data structures
    "tuple": _fn(_list, variadic=ANY),
    "list": _fn(_list, variadic=ANY),
    "dict": _fn(_dict, variadic=ANY),
    "get": _fn(_get, _MAP, _S),
    "set": _fn(_set, _MAP, _S, ANY),
    "unset": _fn(_unset, _MAP, _S),
    "hasKey": _fn(_has_key, _MAP, _S),
    "pluck": _fn(_pluck, _S, variadic=_MAP),
    "keys": _fn(_keys, variadic=_MAP),
    "pick": _fn(_pick, _MAP, variadic=_S),
    "omit": _fn(_omit, _MAP, variadic=_S),
    "values": _fn(_values, _MAP),
    "append": _fn(_push, ANY, ANY),
    "push": _fn(_push, ANY, ANY),
    "mustAppend": _fn(_push, ANY, ANY),
    "mustPush": _fn(_push, ANY, ANY),
    "prepend": _fn(_prepend, ANY, ANY),
    "mustPrepend": _fn(_prepend, ANY, ANY),
    "first": _fn(_first, ANY),
    "mustFirst": _fn(_first, ANY),
    "rest": _fn(_rest, ANY),
    "mustRest": _fn(_rest, ANY),
    "last": _fn(_last, ANY),
    "mustLast": _fn(_last, ANY),
    "initial": _fn(_initial, ANY),
    "mustInitial": _fn(_initial, ANY),
    "reverse": _fn(_reverse, ANY),
    "mustReverse": _fn(_reverse, ANY),
    "uniq": _fn(_uniq, ANY),
    "mustUniq": _fn(_uniq, ANY),
    "without": _fn(_without, ANY, variadic=ANY),
    "mustWithout": _fn(_without, ANY, variadic=ANY),
    "has": _fn(_has, ANY, ANY),
    "mustHas": _fn(_has, ANY, ANY),
    "slice": _fn(_slice, ANY, variadic=ANY),
    "mustSlice": _fn(_slice, ANY, variadic=ANY),
    "concat": _fn(_concat, variadic=ANY),
    # semver
    "semverCompare": _fn(_semver_compare, _S, _S),
    # flow control
    "fail": _fn(_fail, _S),
    # regexp
    "regexMatch": _fn(_regex_match, _S, _S),
    "mustRegexMatch": _fn(_must_regex_match, _S, _S),
    "regexFindAll": _fn(_PANIC["FindAll"], _S, _S, _I),
    "mustRegexFindAll": _fn(_MUST["FindAll"], _S, _S, _I),
    "regexFind": _fn(_PANIC["Find"], _S, _S),
    "mustRegexFind": _fn(_MUST["Find"], _S, _S),
    "regexReplaceAll": _fn(_PANIC["ReplaceAll"], _S, _S, _S),
    "mustRegexReplaceAll": _fn(_MUST["ReplaceAll"], _S, _S, _S),
    "regexReplaceAllLiteral": _fn(_PANIC["ReplaceAllLiteral"], _S, _S, _S),
    "mustRegexReplaceAllLiteral": _fn(_MUST["ReplaceAllLiteral"], _S, _S, _S),
    "regexSplit": _fn(_PANIC["Split"], _S, _S, _I),
    "mustRegexSplit": _fn(_MUST["Split"], _S, _S, _I),
    "regexQuoteMeta": _fn(_quote_meta, _S),
}
"""Sprig's hermetic function map (the ported subset), for `gotemplate.parse(..., funcs=FUNCS)`."""
