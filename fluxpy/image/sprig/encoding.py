"""Sprig's encoding functions: JSON (`toJson`, `fromJson`...), base64/base32 and hashes.

`to_json` follows Go's `json.Marshal`: sorted map keys, HTML escaping unless raw, Go's float formatting,
struct fields by their `json` tags. The non-`must` variants swallow errors as Sprig does (an empty string,
or nil for `fromJson`); a failed `b64dec` or `b32dec` returns Go's error text as its result.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import zlib
from collections.abc import Callable, Mapping

from fluxpy.image import gotemplate as gt
from fluxpy.image.gotemplate import ANY, GoError, GoFunc, GoMap, GoSlice
from fluxpy.image.sprig.values import STR, empty, from_utf8, gofunc, is_list, kind_name, strval, utf8

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
        return from_utf8(base64.b64decode(v.replace("\r", "").replace("\n", ""), validate=True))
    except (binascii.Error, ValueError):
        return f"illegal base64 data at input byte {_corrupt_at(v, _B64, 4)}"


def _b32dec(v: str) -> str:
    try:
        return from_utf8(base64.b32decode(v.replace("\r", "").replace("\n", "")))
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
        if "omitempty" in opts.split(",") and empty(val):
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
        items = sorted(((strval(k), val) for k, val in v.items()), key=lambda kv: utf8(kv[0]))
        if not items:
            return "{}"
        body = ",".join(
            nl(level + 1) + _json_string(k, escape_html) + colon + to_json(
                val, escape_html=escape_html, indent=indent, level=level + 1
            )
            for k, val in items
        )
        return "{" + body + nl(level) + "}"
    if is_list(v):
        if isinstance(v, GoSlice) and v.nil:
            return "null"
        elems = list(v)  # type: ignore[call-overload]
        if not elems:
            return "[]"
        body = ",".join(
            nl(level + 1) + to_json(x, escape_html=escape_html, indent=indent, level=level + 1) for x in elems
        )
        return "[" + body + nl(level) + "]"
    if kind_name(v) == "func":
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


FUNCS: Mapping[str, GoFunc] = {
    "sha1sum": gofunc(lambda s: hashlib.sha1(utf8(s)).hexdigest(), STR),
    "sha256sum": gofunc(lambda s: hashlib.sha256(utf8(s)).hexdigest(), STR),
    "adler32sum": gofunc(lambda s: str(zlib.adler32(utf8(s))), STR),
    "fromJson": gofunc(_from_json, STR),
    "toJson": gofunc(_ignore_errors(_to_json), ANY),
    "toPrettyJson": gofunc(_ignore_errors(_to_pretty_json), ANY),
    "toRawJson": gofunc(_ignore_errors(_to_raw_json), ANY),
    "mustFromJson": gofunc(_must_from_json, STR),
    "mustToJson": gofunc(_to_json, ANY),
    "mustToPrettyJson": gofunc(_to_pretty_json, ANY),
    "mustToRawJson": gofunc(_to_raw_json, ANY),
    "b64enc": gofunc(lambda v: base64.b64encode(utf8(v)).decode("ascii"), STR),
    "b64dec": gofunc(_b64dec, STR),
    "b32enc": gofunc(lambda v: base64.b32encode(utf8(v)).decode("ascii"), STR),
    "b32dec": gofunc(_b32dec, STR),
}
"""Sprig's JSON, base64/base32 and hash functions."""
