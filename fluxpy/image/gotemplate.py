"""Go's `text/template`, as far as Flux's commit message templates need it.

image-automation-controller renders `spec.git.commit.messageTemplate` with Go's
`text/template` and Sprig's hermetic functions. A message that differs from
Flux's by one byte changes a commit hash and, for Gerrit users, a Change-Id,
so this module follows Go's lexer, parser and executor closely rather than
mapping templates onto a Python engine:

* **Syntax:** `{{ }}` actions with `{{-`/`-}}` trimming, `{{/* */}}` comments,
  `.A.B` field chains, `$` and variables (`$x := `, `$x = `), parenthesised
  pipelines and `(pipe).Field`, `|` pipelines, `if`/`else if`/`else`,
  `with`/`else with`/`else`, `range` (slices, maps in sorted key order, ints,
  one or two variables, `else`, `break`, `continue`), `define`, `template`,
  `block`, string, raw string, char, number, bool and nil literals.
* **Values:** Python data stands in for Go values: `None` is nil (an absent
  value, printed `<no value>`), `str`/`int`/`float`/`bool` the basic kinds,
  mappings and sequences maps and slices, dataclasses structs (fields in
  order, embedded fields marked with `go_field(embedded=True)`), and public
  methods of data objects Go methods: `.Changed.Changes` calls
  `Changed.Changes()` just as Go calls a niladic method. `GoMap` and `GoSlice`
  carry a Go type name where errors or `%T` show it, and a class attribute
  `__go_type__` names a struct type (`source.TemplateData`).
* **Printing:** `fmt`'s rules for `%v` and the common verbs: `map[a:1]` with
  sorted keys, `[a b]`, `{f1 f2}`, `String()` methods (Stringers), `<nil>`,
  `%!d(string=x)` for a verb that does not fit, `%!v(MISSING)`, `%!(EXTRA ...)`.
* **Errors:** Go's wording and location prefix, e.g.
  `template: msg:1: function "foo" not defined` and
  `template: msg:1:3: executing "msg" at <.Updated>: can't evaluate field
  Updated in type source.TemplateData`, raised as `TemplateParseError` or
  `TemplateExecError`.

Functions are `GoFunc`s that declare their Go parameter types, so argument
checks and number-literal conversions fail the way Go's reflection-based calls
do (`wrong type for value; expected string; got int`). Sprig lives in
`fluxpy.image.sprig`.

Not modelled: custom delimiters and `missingkey` options (Flux sets neither),
complex numbers, range over channels and iterator functions, `%#g`-style
`#` on floats and `%x` on floats, and Go's integer widths (every Python int is
a Go `int`, so `add`'s `int64` result passes where Go would want an `int`).
Python `None` stands for both an absent value and a nil interface, so
`.a.b` on a nil `a` yields `<no value>` where Go reports a nil pointer.
`{{template}}` nesting stops at `MAX_EXEC_DEPTH` (or earlier, at Python's
stack limit) with `exceeded maximum template depth`.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import inspect
import math
import unicodedata
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NoReturn

from fluxpy.errors import FluxpyError

__all__ = [
    "BUILTINS",
    "GoError",
    "GoFunc",
    "GoMap",
    "GoSlice",
    "Template",
    "TemplateError",
    "TemplateExecError",
    "TemplateParseError",
    "compare",
    "format_float",
    "format_value",
    "go_field",
    "go_type_name",
    "parse",
    "quote",
    "render",
    "sprint",
    "sprintf",
    "sprintln",
    "sorted_keys",
    "stringer",
    "struct_fields",
    "truth",
]

MAX_EXEC_DEPTH = 100
"""Nesting limit for `{{template}}` calls (Go allows 100,000; Python's stack does not)."""

ANY = "interface {}"
VALUE = "reflect.Value"


# --------------------------------------------------------------------------- errors


class TemplateError(FluxpyError):
    """A Go template failed to parse or to execute; the message is Go's text."""


class TemplateParseError(TemplateError):
    """The template text is not a valid Go template (`template: name:line: ...`)."""


class TemplateExecError(TemplateError):
    """Executing the template failed (`template: name:line:col: executing ...`)."""


class GoError(Exception):
    """Raised by a template function for the `error` a Go function returns (or its panic)."""


# --------------------------------------------------------------------------- Go value model


class GoMap(MutableMapping[Any, Any]):
    """A mapping that knows its Go map type.

    Args:
        data: the entries; None is a nil map (prints `map[]`, JSON `null`).
        go_type: the Go type name shown by errors and `%T`.
        key_type: the Go key type; `.Field` looks up keys only when it is `string`.
        zero: the element type's zero value, which `index` returns for a missing key.
    """

    __slots__ = ("_data", "go_type", "key_type", "nil", "zero")

    def __init__(
        self,
        data: Mapping[Any, Any] | None = None,
        *,
        go_type: str = "map[string]interface {}",
        key_type: str = "string",
        zero: object = None,
    ) -> None:
        self._data: dict[Any, Any] = dict(data) if data is not None else {}
        self.go_type = go_type
        self.key_type = key_type
        self.zero = zero
        self.nil = data is None

    def __getitem__(self, key: Any) -> Any:
        return self._data[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._data[key] = value
        self.nil = False

    def __delitem__(self, key: Any) -> None:
        del self._data[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"GoMap({self._data!r}, go_type={self.go_type!r})"


class GoSlice(Sequence[Any]):
    """A sequence that knows its Go slice type (`[]update.Change`); None data is a nil slice."""

    __slots__ = ("_items", "go_type", "nil")

    def __init__(self, items: Sequence[Any] | None = None, *, go_type: str = "[]interface {}") -> None:
        self._items: list[Any] = list(items) if items is not None else []
        self.go_type = go_type
        self.nil = items is None

    def __getitem__(self, index: Any) -> Any:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"GoSlice({self._items!r}, go_type={self.go_type!r})"


def go_field(*, embedded: bool = False, json: str | None = None) -> dict[str, object]:
    """Dataclass field metadata for Go struct semantics.

    Use as `field(metadata=go_field(embedded=True))`: an embedded field's own
    fields are promoted (`.Name` finds `ResourceIdentifier.NameMeta.Name`) and
    `toJson` flattens it; `json` is the field's Go `json:"..."` tag.
    """
    meta: dict[str, object] = {"go_embedded": embedded}
    if json is not None:
        meta["go_json"] = json
    return meta


class _K(enum.IntEnum):
    """Go kinds, in the order `fmtsort` uses to sort mixed keys."""

    INVALID = 0
    BOOL = 1
    INT = 2
    FLOAT = 3
    COMPLEX = 4
    STRING = 5
    STRUCT = 6
    MAP = 7
    SLICE = 8
    FUNC = 9


def _kind(v: object) -> _K:
    if v is None:
        return _K.INVALID
    if isinstance(v, bool):
        return _K.BOOL
    if isinstance(v, int):
        return _K.INT
    if isinstance(v, float):
        return _K.FLOAT
    if isinstance(v, complex):
        return _K.COMPLEX
    if isinstance(v, str):
        return _K.STRING
    if isinstance(v, Mapping):
        return _K.MAP
    if isinstance(v, (list, tuple, GoSlice)):
        return _K.SLICE
    if inspect.isroutine(v) or isinstance(v, functools.partial):
        return _K.FUNC
    return _K.STRUCT


def go_type_name(v: object) -> str:
    """The Go type name of a value, as `%T` and error messages print it."""
    k = _kind(v)
    if k is _K.INVALID:
        return "<nil>"
    if isinstance(v, (GoMap, GoSlice)):
        return v.go_type
    simple = {
        _K.BOOL: "bool",
        _K.INT: "int",
        _K.FLOAT: "float64",
        _K.COMPLEX: "complex128",
        _K.STRING: "string",
        _K.MAP: "map[string]interface {}",
        _K.SLICE: "[]interface {}",
        _K.FUNC: "func()",
    }
    if k in simple:
        return simple[k]
    cls = type(v)
    named = getattr(cls, "__go_type__", None)
    if isinstance(named, str):
        return named
    return f"{cls.__module__.rpartition('.')[2]}.{cls.__qualname__}"


def _is_dataclass_instance(v: object) -> bool:
    return dataclasses.is_dataclass(v) and not isinstance(v, type)


def struct_fields(v: object) -> list[tuple[str, object, Mapping[str, object]]]:
    """The fields of a struct-like value in declaration order: (name, value, metadata)."""
    if _is_dataclass_instance(v):
        return [(f.name, getattr(v, f.name), f.metadata) for f in dataclasses.fields(v)]  # type: ignore[arg-type]
    attrs = getattr(v, "__dict__", None)
    if isinstance(attrs, dict):
        return [(k, val, {}) for k, val in attrs.items() if not k.startswith("_")]
    return []


def _embedded(v: object) -> list[object]:
    return [val for _, val, meta in struct_fields(v) if meta.get("go_embedded")]


def _lookup_field(v: object, name: str) -> tuple[bool, object]:
    """Find a field by name, searching embedded structs breadth first as Go promotes them."""
    level = [v]
    while level:
        nxt: list[object] = []
        for s in level:
            if _is_dataclass_instance(s):
                for fname, val, meta in struct_fields(s):
                    if fname == name:
                        return True, val
                    if meta.get("go_embedded"):
                        nxt.append(val)
                prop = inspect.getattr_static(type(s), name, None)
                if isinstance(prop, property):
                    return True, getattr(s, name)
            elif not name.startswith("_"):
                static = inspect.getattr_static(s, name, _ABSENT)
                if static is not _ABSENT and not _is_method_attr(static):
                    return True, getattr(s, name)
        level = nxt
    return False, None


_ABSENT = object()


def _is_method_attr(static: object) -> bool:
    return inspect.isfunction(static) or isinstance(static, (staticmethod, classmethod))


def _lookup_method(v: object, name: str) -> Callable[..., object] | None:
    """A public method of a struct-like value (or of a struct embedded in it), bound."""
    if name.startswith("_") or _kind(v) is not _K.STRUCT:
        return None
    level = [v]
    while level:
        nxt: list[object] = []
        for s in level:
            static = inspect.getattr_static(type(s), name, None)
            if static is not None and _is_method_attr(static):
                bound = getattr(s, name)
                if callable(bound):
                    return bound  # type: ignore[no-any-return]
            nxt.extend(x for x in _embedded(s) if _kind(x) is _K.STRUCT)
        level = nxt
    return None


def truth(v: object) -> bool:
    """Go template truth: false, 0, nil and empty strings, maps and slices are false; structs true."""
    k = _kind(v)
    if k is _K.INVALID:
        return False
    if k in (_K.BOOL, _K.INT, _K.FLOAT, _K.COMPLEX):
        return v != 0
    if k in (_K.STRING, _K.MAP, _K.SLICE):
        return len(v) > 0  # type: ignore[arg-type]
    return True


def compare(a: object, b: object) -> int:
    """Order two map keys as Go's `internal/fmtsort` does (used by printing and `range`)."""
    ka, kb = _kind(a), _kind(b)
    if ka != kb:
        return -1 if ka < kb else 1
    if ka is _K.INVALID:
        return 0
    if ka in (_K.BOOL, _K.INT, _K.FLOAT, _K.STRING):
        if isinstance(a, float) and math.isnan(a):
            return 0 if isinstance(b, float) and math.isnan(b) else -1
        if isinstance(b, float) and math.isnan(b):
            return 1
        return int((a > b) - (a < b))  # type: ignore[operator]
    if ka is _K.STRUCT:
        for (_, fa, _m1), (_, fb, _m2) in zip(struct_fields(a), struct_fields(b)):
            c = compare(fa, fb)
            if c:
                return c
        return 0
    sa, sb = repr(a), repr(b)
    return (sa > sb) - (sa < sb)


def sorted_keys(m: Mapping[Any, Any]) -> list[Any]:
    """The keys of a map in Go's deterministic order (numbers, strings, then struct fields in turn)."""
    return sorted(m, key=functools.cmp_to_key(compare))


def stringer(v: object) -> str | None:
    """The result of a value's `Error()` or `String()` method, as fmt prefers it over the value."""
    if _kind(v) is not _K.STRUCT:
        return None
    for name in ("Error", "String"):
        method = _lookup_method(v, name)
        if method is not None:
            out = method()
            if isinstance(out, str):
                return out
    return None


# --------------------------------------------------------------------------- fmt


_GO_SPACES = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def _is_print(ch: str) -> bool:
    return ch == " " or ch.isprintable()


def quote(s: str, *, ascii_only: bool = False) -> str:
    """Go's `strconv.Quote`: a double-quoted Go string literal."""
    out = ['"']
    for ch in s:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif (ord(ch) < 0x80 or not ascii_only) and _is_print(ch) and not (0xD800 <= ord(ch) <= 0xDFFF):
            out.append(ch)
        else:
            out.append(_escape_rune(ch))
    out.append('"')
    return "".join(out)


def _escape_rune(ch: str) -> str:
    specials = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}
    if ch in specials:
        return specials[ch]
    r = ord(ch)
    if r < 0x20 or r == 0x7F:
        return f"\\x{r:02x}"
    if 0xD800 <= r <= 0xDFFF:
        return "\\ufffd"
    if r < 0x10000:
        return f"\\u{r:04x}"
    return f"\\U{r:08x}"


def _quote_rune(r: int, *, ascii_only: bool = False) -> str:
    if r > 0x10FFFF or 0xD800 <= r <= 0xDFFF:
        r = 0xFFFD
    ch = chr(r)
    if ch in ("'", "\\"):
        return "'\\" + ch + "'"
    if (r < 0x80 or not ascii_only) and _is_print(ch):
        return "'" + ch + "'"
    return "'" + _escape_rune(ch) + "'"


def _can_backquote(s: str) -> bool:
    return all(ch == "\t" or (ch != "`" and ch != "\ufeff" and ord(ch) >= 0x20 and ch != "\x7f") for ch in s)


@dataclass
class _Flags:
    minus: bool = False
    plus: bool = False
    sharp: bool = False
    space: bool = False
    zero: bool = False
    width: int | None = None
    prec: int | None = None
    plus_v: bool = False
    sharp_v: bool = False


_NO_FLAGS = _Flags()


def _pad(s: str, f: _Flags, *, zero_ok: bool = True) -> str:
    if f.width is None or f.width <= len(s):
        return s
    n = f.width - len(s)
    if f.minus:
        return s + " " * n
    return ("0" if f.zero and zero_ok else " ") * n + s


def _bad_verb(v: object, verb: str) -> str:
    if v is None:
        return f"%!{verb}(<nil>)"
    return f"%!{verb}({go_type_name(v)}={_fmt(v, 'v', _NO_FLAGS, 0, erroring=True)})"


def _fmt_int(n: int, verb: str, f: _Flags) -> str:
    if verb == "c":
        return _pad(chr(n) if 0 <= n <= 0x10FFFF else "\ufffd", f)
    if verb == "q":
        return _pad(_quote_rune(n, ascii_only=f.plus), f)
    if verb == "U":
        s = f"U+{n:04X}" if n >= 0 else f"U+{n & 0xFFFFFFFFFFFFFFFF:04X}"
        if f.sharp and 0 <= n <= 0x10FFFF and _is_print(chr(n)):
            s += f" '{chr(n)}'"
        return _pad(s, f, zero_ok=False)
    bases = {"v": 10, "d": 10, "b": 2, "o": 8, "O": 8, "x": 16, "X": 16}
    base = bases[verb]
    a = abs(n)
    digits = {10: str(a), 2: format(a, "b"), 8: format(a, "o"), 16: format(a, "x")}[base]
    if verb == "X":
        digits = digits.upper()
    sign = "-" if n < 0 else "+" if f.plus else " " if f.space else ""
    if f.prec is not None:
        digits = "" if f.prec == 0 and n == 0 else digits.rjust(f.prec, "0")
    elif f.zero and f.width is not None and not f.minus:
        digits = digits.rjust(f.width - len(sign), "0")
    prefix = ""
    if verb == "O":
        prefix = "0o"
    elif f.sharp:
        prefix = {"b": "0b", "o": "0" if not digits.startswith("0") else "", "x": "0x", "X": "0X"}.get(verb, "")
    return _pad(sign + prefix + digits, f, zero_ok=False)


def _shortest_digits(x: float) -> tuple[str, int]:
    """Shortest round-trip decimal digits of |x| and the decimal point position (Go's digs.d, digs.dp)."""
    if x == 0:
        return "", 0
    t = Decimal(repr(abs(x))).as_tuple()
    digits = "".join(map(str, t.digits)).lstrip("0")
    exp = int(t.exponent)
    stripped = digits.rstrip("0")
    exp += len(digits) - len(stripped)
    return stripped, len(stripped) + exp


def _fmt_e(digits: str, dp: int, prec: int, e: str) -> str:
    first = digits[0] if digits else "0"
    s = first
    if prec > 0:
        s += "." + digits[1 : 1 + prec].ljust(prec, "0")
    exp = dp - 1 if digits else 0
    return f"{s}{e}{'-' if exp < 0 else '+'}{abs(exp):02d}"


def _fmt_f(digits: str, dp: int, prec: int) -> str:
    whole = (digits[:dp].ljust(dp, "0") if dp > 0 else "0") or "0"
    if prec <= 0:
        return whole
    frac = "".join(digits[dp + i] if 0 <= dp + i < len(digits) else "0" for i in range(prec))
    return f"{whole}.{frac}"


def format_float(x: float, fmt: str, prec: int) -> str:
    """Go's `strconv.FormatFloat(x, fmt, prec, 64)` for the e, E, f, F, g and G formats."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    neg = "-" if math.copysign(1.0, x) < 0 else ""
    if prec >= 0:
        if fmt in "gG" and prec == 0:
            prec = 1
        return format(x, f".{prec}{fmt}")
    digits, dp = _shortest_digits(x)
    nd = len(digits)
    low = fmt.lower()
    if low == "e":
        body = _fmt_e(digits, dp, nd - 1, "e" if fmt == "e" else "E")
    elif low == "f":
        body = _fmt_f(digits, dp, max(nd - dp, 0))
    else:
        exp = dp - 1
        if exp < -4 or exp >= 6 and nd > 0:
            body = _fmt_e(digits, dp, nd - 1, "e" if fmt == "g" else "E")
        else:
            body = _fmt_f(digits, dp, max(nd - dp, 0))
    return neg + body


def _fmt_float(x: float, verb: str, f: _Flags) -> str:
    if verb == "v":
        verb = "g"
    prec = f.prec if f.prec is not None else (-1 if verb in "gG" else 6)
    num = format_float(x, verb, prec)
    if num[0] not in "+-":
        num = "+" + num
    if f.space and num[0] == "+" and not f.plus:
        num = " " + num[1:]
    if num[1:] in ("Inf", "NaN"):
        if num[1] == "N" and not f.space and not f.plus:
            num = num[1:]
        return _pad(num, f, zero_ok=False)
    if f.plus or num[0] != "+":
        sign, body = num[0], num[1:]
    else:
        sign, body = "", num[1:]
    if f.zero and f.width is not None and not f.minus:
        body = body.rjust(f.width - len(sign), "0")
    return _pad(sign + body, f, zero_ok=False)


def _fmt_str(s: str, verb: str, f: _Flags) -> str:
    if verb in "vs":
        if f.prec is not None:
            s = s[: f.prec]
        return _pad(s, f)
    if verb == "q":
        if f.prec is not None:
            s = s[: f.prec]
        if f.sharp and _can_backquote(s):
            return _pad("`" + s + "`", f)
        return _pad(quote(s, ascii_only=f.plus), f)
    if verb in "xX":
        data = s.encode("utf-8", "surrogateescape")
        if f.prec is not None:
            data = data[: f.prec]
        hexes = [format(b, "02x" if verb == "x" else "02X") for b in data]
        prefix = ("0x" if verb == "x" else "0X") if f.sharp else ""
        if f.space:
            return _pad(" ".join(prefix + h for h in hexes), f)
        return _pad(prefix + "".join(hexes), f)
    return _bad_verb(s, verb)


def _fmt(v: object, verb: str, f: _Flags, depth: int, *, erroring: bool = False) -> str:
    """Format one operand like fmt's printArg/printValue."""
    if v is None:
        if depth > 0:  # a nil interface inside a map, slice or struct prints for any verb
            return "interface {}(nil)" if f.sharp_v else "<nil>"
        if verb in "vT":
            return _pad("<nil>", f)
        return _bad_verb(None, verb)
    if verb == "T":
        return _pad(go_type_name(v), f)
    if not erroring and not f.sharp_v and verb in "vsxXq":
        s = stringer(v)
        if s is not None:
            return _fmt_str(s, verb, f)
    k = _kind(v)
    if k is _K.BOOL:
        return _pad("true" if v else "false", f) if verb in "vt" else _bad_verb(v, verb)
    if k is _K.INT:
        if verb in "vdboOxXcqU":
            return _fmt_int(v, verb, f)  # type: ignore[arg-type]
        return _bad_verb(v, verb)
    if k is _K.FLOAT:
        if verb in "vgGeEfF":
            return _fmt_float(v, verb, f)  # type: ignore[arg-type]
        return _bad_verb(v, verb)
    if k is _K.COMPLEX:
        c = complex(v)  # type: ignore[call-overload]
        if verb not in "vgGeEfF":
            return _bad_verb(v, verb)
        im = _fmt_float(c.imag, verb, dataclasses.replace(f, plus=True, width=None))
        return _pad(f"({_fmt_float(c.real, verb, dataclasses.replace(f, width=None))}{im}i)", f)
    if k is _K.STRING:
        if f.sharp_v:
            return _pad(quote(v), f)  # type: ignore[arg-type]
        return _fmt_str(v, verb, f)  # type: ignore[arg-type]
    if k is _K.MAP:
        m: Mapping[Any, Any] = v  # type: ignore[assignment]
        parts = [f"{_fmt(key, verb, f, depth + 1)}:{_fmt(m[key], verb, f, depth + 1)}" for key in sorted_keys(m)]
        if f.sharp_v:
            if isinstance(m, GoMap) and m.nil:
                return f"{go_type_name(m)}(nil)"
            return go_type_name(m) + "{" + ", ".join(parts) + "}"
        return "map[" + " ".join(parts) + "]"
    if k is _K.SLICE:
        items = [_fmt(x, verb, f, depth + 1) for x in v]  # type: ignore[attr-defined]
        if f.sharp_v:
            if isinstance(v, GoSlice) and v.nil:
                return f"{go_type_name(v)}(nil)"
            return go_type_name(v) + "{" + ", ".join(items) + "}"
        return "[" + " ".join(items) + "]"
    if k is _K.FUNC:
        return _pad(f"{id(v):#x}", f) if verb in "vp" else _bad_verb(v, verb)
    fields = struct_fields(v)
    if not fields and not _is_dataclass_instance(v):
        return _pad(str(v), f)
    parts = []
    for name, val, _meta in fields:
        text = _fmt(val, verb, f, depth + 1)
        parts.append(f"{name}:{text}" if f.plus_v or f.sharp_v else text)
    if f.sharp_v:
        return go_type_name(v) + "{" + ", ".join(parts) + "}"
    return "{" + " ".join(parts) + "}"


def format_value(v: object) -> str:
    """`fmt.Sprint(v)` for one value: Go's `%v`."""
    return _fmt(v, "v", _NO_FLAGS, 0)


def sprint(*args: object) -> str:
    """Go's `fmt.Sprint`: a space between operands when neither side is a string."""
    out: list[str] = []
    prev_string = False
    for i, a in enumerate(args):
        is_string = isinstance(a, str)
        if i > 0 and not is_string and not prev_string:
            out.append(" ")
        out.append(_fmt(a, "v", _NO_FLAGS, 0))
        prev_string = is_string
    return "".join(out)


def sprintln(*args: object) -> str:
    """Go's `fmt.Sprintln`: operands separated by spaces, then a newline."""
    return " ".join(_fmt(a, "v", _NO_FLAGS, 0) for a in args) + "\n"


def sprintf(format: str, *args: object) -> str:
    """Go's `fmt.Sprintf`, with flags, width, precision, `*` and explicit `[n]` argument indexes."""
    out: list[str] = []
    argnum = 0
    reordered = False
    i, end = 0, len(format)
    while i < end:
        j = format.find("%", i)
        if j < 0:
            out.append(format[i:])
            break
        out.append(format[i:j])
        i = j + 1
        f = _Flags()
        while i < end and format[i] in "#0+- ":
            c = format[i]
            if c == "#":
                f.sharp = True
            elif c == "0":
                f.zero = not f.minus
            elif c == "+":
                f.plus = True
            elif c == "-":
                f.minus = True
                f.zero = False
            else:
                f.space = True
            i += 1
        good_argnum = True

        def arg_index(pos: int) -> tuple[int, int, bool]:
            nonlocal reordered, good_argnum
            if pos < end and format[pos] == "[":
                reordered = True
                close = format.find("]", pos)
                digits = format[pos + 1 : close] if close >= 0 else ""
                if close < 0 or not digits.isdigit() or not 1 <= int(digits) <= len(args):
                    good_argnum = False
                    return argnum, (close + 1 if close >= 0 else end), True
                return int(digits) - 1, close + 1, True
            return argnum, pos, False

        argnum, i, after_index = arg_index(i)
        if i < end and format[i] == "*":
            i += 1
            if argnum < len(args) and isinstance(args[argnum], int) and not isinstance(args[argnum], bool):
                w = int(args[argnum])  # type: ignore[call-overload]
                f.width = abs(w)
                if w < 0:
                    f.minus, f.zero = True, False
            else:
                out.append("%!(BADWIDTH)")
            argnum += 1
            after_index = False
        else:
            start = i
            while i < end and format[i].isdigit():
                i += 1
            if i > start:
                f.width = int(format[start:i])
                if after_index:
                    good_argnum = False
        if i < end and format[i] == ".":
            i += 1
            if after_index:
                good_argnum = False
            argnum, i, after_index = arg_index(i)
            if i < end and format[i] == "*":
                i += 1
                if argnum < len(args) and isinstance(args[argnum], int) and not isinstance(args[argnum], bool):
                    p = int(args[argnum])  # type: ignore[call-overload]
                    f.prec = p if p >= 0 else None
                    if p < 0:
                        out.append("%!(BADPREC)")
                else:
                    out.append("%!(BADPREC)")
                argnum += 1
                after_index = False
            else:
                start = i
                while i < end and format[i].isdigit():
                    i += 1
                f.prec = int(format[start:i]) if i > start else 0
        if not after_index:
            argnum, i, after_index = arg_index(i)
        if i >= end:
            out.append("%!(NOVERB)")
            break
        verb = format[i]
        i += 1
        if verb == "%":
            out.append("%")
            continue
        if not good_argnum:
            out.append(f"%!{verb}(BADINDEX)")
            continue
        if argnum >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        if verb == "v":
            if f.sharp:
                f.sharp, f.sharp_v = False, True
            if f.plus:
                f.plus, f.plus_v = False, True
        if verb == "w":
            verb_out = _bad_verb(args[argnum], verb)
        else:
            verb_out = _fmt(args[argnum], verb, f, 0)
        out.append(verb_out)
        argnum += 1
    if not reordered and argnum < len(args):
        extras = [
            "<nil>" if a is None else f"{go_type_name(a)}={_fmt(a, 'v', _NO_FLAGS, 0)}" for a in args[argnum:]
        ]
        out.append("%!(EXTRA " + ", ".join(extras) + ")")
    return "".join(out)


# --------------------------------------------------------------------------- lexer


class _T(enum.Enum):
    ERROR = "error"
    BOOL = "bool"
    CHAR = "char"
    CHAR_CONSTANT = "char constant"
    COMMENT = "comment"
    COMPLEX = "complex"
    ASSIGN = "="
    DECLARE = ":="
    EOF = "EOF"
    FIELD = "field"
    IDENTIFIER = "identifier"
    LEFT_DELIM = "{{"
    LEFT_PAREN = "("
    NUMBER = "number"
    PIPE = "|"
    RAW_STRING = "raw string"
    RIGHT_DELIM = "}}"
    RIGHT_PAREN = ")"
    SPACE = "space"
    STRING = "string"
    TEXT = "text"
    VARIABLE = "variable"
    # keywords
    BLOCK = "block"
    BREAK = "break"
    CONTINUE = "continue"
    DOT = "."
    DEFINE = "define"
    ELSE = "else"
    END = "end"
    IF = "if"
    NIL = "nil"
    RANGE = "range"
    TEMPLATE = "template"
    WITH = "with"


_KEYWORDS = {
    t.value: t
    for t in (_T.BLOCK, _T.BREAK, _T.CONTINUE, _T.DEFINE, _T.ELSE, _T.END, _T.IF, _T.NIL, _T.RANGE, _T.TEMPLATE, _T.WITH)
}
_KEYWORD_TYPES = frozenset(_KEYWORDS.values()) | {_T.DOT}


@dataclass(frozen=True, slots=True)
class _Item:
    typ: _T
    pos: int
    val: str
    line: int

    def __str__(self) -> str:
        if self.typ is _T.EOF:
            return "EOF"
        if self.typ is _T.ERROR:
            return self.val
        if self.typ in _KEYWORD_TYPES:
            return f"<{self.val}>"
        if len(self.val) > 10:
            return quote(self.val[:10]) + "..."
        return quote(self.val)


_LEX_SPACE = " \t\r\n"


def _is_alnum(ch: str) -> bool:
    return ch == "_" or ch.isalpha() or unicodedata.category(ch) == "Nd"


def _char_u(ch: str) -> str:
    """fmt's `%#U`: `U+0040 '@'`."""
    return f"U+{ord(ch):04X} '{ch}'" if _is_print(ch) else f"U+{ord(ch):04X}"


class _Lexer:
    """Go's text/template lexer: text, delimiters with trim markers, and the tokens inside actions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.items: list[_Item] = []

    def _emit(self, typ: _T, start: int, end: int) -> None:
        self.items.append(_Item(typ, start, self.text[start:end], self.text.count("\n", 0, start) + 1))

    def _error(self, start: int, message: str) -> None:
        self.items.append(_Item(_T.ERROR, start, message, self.text.count("\n", 0, start) + 1))

    def _at_right_delim(self, pos: int) -> tuple[bool, bool]:
        t = self.text
        if pos + 1 < len(t) and t[pos] in _LEX_SPACE and t[pos + 1] == "-" and t.startswith("}}", pos + 2):
            return True, True
        return t.startswith("}}", pos), False

    def _at_terminator(self, pos: int) -> bool:
        t = self.text
        if pos >= len(t):
            return True
        return t[pos] in _LEX_SPACE or t[pos] in ".,|:()" or t.startswith("}}", pos)

    def run(self) -> list[_Item]:
        t, n, pos = self.text, len(self.text), 0
        while True:
            x = t.find("{{", pos)
            if x < 0:
                if pos < n:
                    self._emit(_T.TEXT, pos, n)
                self.items.append(_Item(_T.EOF, n, "", t.count("\n") + 1))
                return self.items
            trim = t[x + 2 : x + 3] == "-" and t[x + 3 : x + 4] != "" and t[x + 3] in _LEX_SPACE
            text_end = len(t[pos:x].rstrip(_LEX_SPACE)) + pos if trim else x
            if text_end > pos:
                self._emit(_T.TEXT, pos, text_end)
            pos = x + 2 + (2 if trim else 0)
            if t.startswith("/*", pos):
                end = t.find("*/", pos + 2)
                if end < 0:
                    self._error(pos, "unclosed comment")
                    return self.items
                pos = end + 2
                delim, trim_right = self._at_right_delim(pos)
                if not delim:
                    self._error(pos, "comment ends before closing delimiter")
                    return self.items
                pos += 4 if trim_right else 2
                if trim_right:
                    pos = n - len(t[pos:].lstrip(_LEX_SPACE))
                continue
            self.items.append(_Item(_T.LEFT_DELIM, x, "{{", t.count("\n", 0, x) + 1))
            after = self._inside_action(pos)
            if after is None:
                return self.items
            pos = after

    def _inside_action(self, pos: int) -> int | None:  # noqa: C901 - one branch per token kind, as in Go
        t, n = self.text, len(self.text)
        depth = 0
        while True:
            delim, trim = self._at_right_delim(pos)
            if delim:
                if depth:
                    self._error(pos, "unclosed left paren")
                    return None
                if trim:
                    pos += 2
                self._emit(_T.RIGHT_DELIM, pos, pos + 2)
                pos += 2
                if trim:
                    pos = n - len(t[pos:].lstrip(_LEX_SPACE))
                return pos
            if pos >= n:
                self._error(pos, "unclosed action")
                return None
            c = t[pos]
            start = pos
            if c in _LEX_SPACE:
                while pos < n and t[pos] in _LEX_SPACE:
                    pos += 1
                if t.startswith("-}}", pos):
                    pos -= 1
                    if pos == start:
                        continue
                self._emit(_T.SPACE, start, pos)
                continue
            pos += 1
            if c == "=":
                self._emit(_T.ASSIGN, start, pos)
            elif c == ":":
                if pos >= n or t[pos] != "=":
                    self._error(start, "expected :=")
                    return None
                pos += 1
                self._emit(_T.DECLARE, start, pos)
            elif c == "|":
                self._emit(_T.PIPE, start, pos)
            elif c in "\"'":
                what = "quoted string" if c == '"' else "character constant"
                while True:
                    if pos >= n or t[pos] == "\n":
                        self._error(start, f"unterminated {what}")
                        return None
                    ch = t[pos]
                    pos += 1
                    if ch == "\\":
                        if pos >= n or t[pos] == "\n":
                            self._error(start, f"unterminated {what}")
                            return None
                        pos += 1
                    elif ch == c:
                        break
                self._emit(_T.STRING if c == '"' else _T.CHAR_CONSTANT, start, pos)
            elif c == "`":
                close = t.find("`", pos)
                if close < 0:
                    self._error(start, "unterminated raw quoted string")
                    return None
                pos = close + 1
                self._emit(_T.RAW_STRING, start, pos)
            elif c == "$" or (c == "." and not (pos < n and "0" <= t[pos] <= "9")):
                if self._at_terminator(pos):
                    self._emit(_T.VARIABLE if c == "$" else _T.DOT, start, pos)
                    continue
                while pos < n and _is_alnum(t[pos]):
                    pos += 1
                if not self._at_terminator(pos):
                    self._error(start, f"bad character {_char_u(t[pos])}")
                    return None
                self._emit(_T.VARIABLE if c == "$" else _T.FIELD, start, pos)
            elif c in "+-." or "0" <= c <= "9":
                pos = self._scan_number(start)
                if pos < 0:
                    return None
            elif _is_alnum(c):
                while pos < n and _is_alnum(t[pos]):
                    pos += 1
                word = t[start:pos]
                if not self._at_terminator(pos):
                    self._error(start, f"bad character {_char_u(t[pos])}")
                    return None
                if word in _KEYWORDS:
                    self._emit(_KEYWORDS[word], start, pos)
                elif word in ("true", "false"):
                    self._emit(_T.BOOL, start, pos)
                else:
                    self._emit(_T.IDENTIFIER, start, pos)
            elif c == "(":
                depth += 1
                self._emit(_T.LEFT_PAREN, start, pos)
            elif c == ")":
                depth -= 1
                if depth < 0:
                    self._error(start, "unexpected right paren")
                    return None
                self._emit(_T.RIGHT_PAREN, start, pos)
            elif ord(c) < 0x80 and _is_print(c):
                self._emit(_T.CHAR, start, pos)
            else:
                self._error(start, f"unrecognized character in action: {_char_u(c)}")
                return None

    def _scan(self, pos: int) -> tuple[int, bool]:
        t, n = self.text, len(self.text)

        def accept(pos: int, valid: str) -> int:
            return pos + 1 if pos < n and t[pos] in valid else pos

        def accept_run(pos: int, valid: str) -> int:
            while pos < n and t[pos] in valid:
                pos += 1
            return pos

        pos = accept(pos, "+-")
        digits = "0123456789_"
        p = accept(pos, "0")
        if p != pos:
            pos = p
            for prefix, ds in (("xX", "0123456789abcdefABCDEF_"), ("oO", "01234567_"), ("bB", "01_")):
                p = accept(pos, prefix)
                if p != pos:
                    pos, digits = p, ds
                    break
        pos = accept_run(pos, digits)
        p = accept(pos, ".")
        if p != pos:
            pos = accept_run(p, digits)
        if len(digits) == 11:
            p = accept(pos, "eE")
            if p != pos:
                pos = accept_run(accept(p, "+-"), "0123456789_")
        if len(digits) == 23:
            p = accept(pos, "pP")
            if p != pos:
                pos = accept_run(accept(p, "+-"), "0123456789_")
        pos = accept(pos, "i")
        if pos < n and _is_alnum(t[pos]):
            return pos + 1, False
        return pos, True

    def _scan_number(self, start: int) -> int:
        pos, ok = self._scan(start)
        if not ok:
            self._error(start, f"bad number syntax: {quote(self.text[start:pos])}")
            return -1
        if pos < len(self.text) and self.text[pos] in "+-":
            pos2, ok = self._scan(pos)
            if not ok or self.text[pos2 - 1] != "i":
                self._error(start, f"bad number syntax: {quote(self.text[start:pos2])}")
                return -1
            self._emit(_T.COMPLEX, start, pos2)
            return pos2
        self._emit(_T.NUMBER, start, pos)
        return pos


# --------------------------------------------------------------------------- parse tree


class _Node:
    pos: int

    def __str__(self) -> str:  # pragma: no cover - every node overrides it
        return ""


@dataclass(eq=False)
class _ListNode(_Node):
    pos: int
    nodes: list[_Node] = field(default_factory=list)

    def __str__(self) -> str:
        return "".join(str(n) for n in self.nodes)


@dataclass(eq=False)
class _TextNode(_Node):
    pos: int
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(eq=False)
class _IdentifierNode(_Node):
    pos: int
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(eq=False)
class _VariableNode(_Node):
    pos: int
    ident: list[str]

    def __str__(self) -> str:
        return ".".join(self.ident)


@dataclass(eq=False)
class _DotNode(_Node):
    pos: int

    def __str__(self) -> str:
        return "."


@dataclass(eq=False)
class _NilNode(_Node):
    pos: int

    def __str__(self) -> str:
        return "nil"


@dataclass(eq=False)
class _FieldNode(_Node):
    pos: int
    ident: list[str]

    def __str__(self) -> str:
        return "".join("." + i for i in self.ident)


@dataclass(eq=False)
class _BoolNode(_Node):
    pos: int
    value: bool

    def __str__(self) -> str:
        return "true" if self.value else "false"


@dataclass(eq=False)
class _NumberNode(_Node):
    pos: int
    text: str
    is_int: bool = False
    is_uint: bool = False
    is_float: bool = False
    int_value: int = 0
    float_value: float = 0.0

    def __str__(self) -> str:
        return self.text


@dataclass(eq=False)
class _StringNode(_Node):
    pos: int
    quoted: str
    text: str

    def __str__(self) -> str:
        return self.quoted


@dataclass(eq=False)
class _CommandNode(_Node):
    pos: int
    args: list[_Node] = field(default_factory=list)

    def __str__(self) -> str:
        return " ".join(f"({a})" if isinstance(a, _PipeNode) else str(a) for a in self.args)


@dataclass(eq=False)
class _PipeNode(_Node):
    pos: int
    line: int
    is_assign: bool = False
    decl: list[_VariableNode] = field(default_factory=list)
    cmds: list[_CommandNode] = field(default_factory=list)

    def __str__(self) -> str:
        head = ""
        if self.decl:
            head = ", ".join(str(v) for v in self.decl) + (" = " if self.is_assign else " := ")
        return head + " | ".join(str(c) for c in self.cmds)


@dataclass(eq=False)
class _ChainNode(_Node):
    pos: int
    node: _Node
    fields: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        base = f"({self.node})" if isinstance(self.node, _PipeNode) else str(self.node)
        return base + "".join("." + f for f in self.fields)


@dataclass(eq=False)
class _ActionNode(_Node):
    pos: int
    line: int
    pipe: _PipeNode

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


@dataclass(eq=False)
class _BranchNode(_Node):
    kind: str  # "if", "range" or "with"
    pos: int
    line: int
    pipe: _PipeNode
    list: _ListNode
    else_list: _ListNode | None

    def __str__(self) -> str:
        s = "{{" + self.kind + " " + str(self.pipe) + "}}" + str(self.list)
        if self.else_list is not None:
            s += "{{else}}" + str(self.else_list)
        return s + "{{end}}"


@dataclass(eq=False)
class _TemplateNode(_Node):
    pos: int
    line: int
    name: str
    pipe: _PipeNode | None

    def __str__(self) -> str:
        if self.pipe is None:
            return "{{template " + quote(self.name) + "}}"
        return "{{template " + quote(self.name) + " " + str(self.pipe) + "}}"


@dataclass(eq=False)
class _BreakNode(_Node):
    pos: int

    def __str__(self) -> str:
        return "{{break}}"


@dataclass(eq=False)
class _ContinueNode(_Node):
    pos: int

    def __str__(self) -> str:
        return "{{continue}}"


@dataclass(eq=False)
class _EndNode(_Node):
    pos: int

    def __str__(self) -> str:
        return "{{end}}"


@dataclass(eq=False)
class _ElseNode(_Node):
    pos: int

    def __str__(self) -> str:
        return "{{else}}"


# --------------------------------------------------------------------------- literals


_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def _unquote(q: str) -> str:
    """Go's `strconv.Unquote` for "...", `...` and '.' literals; ValueError("invalid syntax") otherwise."""
    if len(q) < 2 or q[0] != q[-1] or q[0] not in "\"'`":
        raise ValueError("invalid syntax")
    body = q[1:-1]
    if q[0] == "`":
        if "`" in body:
            raise ValueError("invalid syntax")
        return body.replace("\r", "")
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == q[0] or ch == "\n":
            raise ValueError("invalid syntax")
        if ch != "\\":
            out += ch.encode("utf-8", "surrogatepass")
            i += 1
            continue
        i += 1
        if i >= len(body):
            raise ValueError("invalid syntax")
        e = body[i]
        i += 1
        if e in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[e].encode()
        elif e in "\"'":
            if e != q[0]:
                raise ValueError("invalid syntax")
            out += e.encode()
        elif e in "xuU":
            size = {"x": 2, "u": 4, "U": 8}[e]
            digits = body[i : i + size]
            if len(digits) != size or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise ValueError("invalid syntax")
            i += size
            value = int(digits, 16)
            if e == "x":
                if q[0] == "'":
                    out += chr(value).encode()
                else:
                    out.append(value)
            else:
                if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                    raise ValueError("invalid syntax")
                out += chr(value).encode()
        elif e in "01234567":
            digits = body[i - 1 : i + 2]
            if len(digits) != 3 or any(c not in "01234567" for c in digits) or int(digits, 8) > 255:
                raise ValueError("invalid syntax")
            i += 2
            value = int(digits, 8)
            if q[0] == "'":
                out += chr(value).encode()
            else:
                out.append(value)
        else:
            raise ValueError("invalid syntax")
    text = out.decode("utf-8", "replace")
    if q[0] == "'" and len(text) != 1:
        raise ValueError("invalid syntax")
    return text


def _parse_go_int(text: str) -> int | None:
    """Go's `strconv.ParseInt(text, 0, 64)` (sign, 0x/0o/0b/0 prefixes, underscores)."""
    sign = 1
    s = text
    if s[:1] in "+-":
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    if not s:
        return None
    base, body = 10, s
    low = s[:2].lower()
    if low in ("0x", "0o", "0b"):
        base, body = {"0x": 16, "0o": 8, "0b": 2}[low], s[2:]
        if body.startswith("_"):
            body = body[1:]
    elif len(s) > 1 and s[0] == "0":
        base, body = 8, s[1:].lstrip("_") if s[1] == "_" else s[1:]
    if not body or body.startswith("_") or body.endswith("_") or "__" in body:
        return None
    try:
        value = int(body.replace("_", ""), base)
    except ValueError:
        return None
    return sign * value


def _parse_go_float(text: str) -> float | None:
    s = text.replace("_", "") if "_" in text else text
    try:
        if "x" in s.lower():
            return float.fromhex(s)
        if any(c.isalpha() and c not in "eE" for c in s):
            return None
        return float(s)
    except ValueError:
        return None


def _new_number(pos: int, text: str, typ: _T) -> _NumberNode:
    n = _NumberNode(pos, text)
    if typ is _T.CHAR_CONSTANT:
        try:
            r = ord(_unquote(text))
        except ValueError as e:
            raise ValueError(f"malformed character constant: {text}") from e
        n.is_int = n.is_uint = n.is_float = True
        n.int_value, n.float_value = r, float(r)
        return n
    if typ is _T.COMPLEX or text.endswith("i"):
        raise ValueError(f"complex numbers are not supported: {quote(text)}")
    value = _parse_go_int(text)
    if value is not None and -(2**63) <= value < 2**64:
        if value < 2**63:
            n.is_int = True
        if value >= 0:
            n.is_uint = True
        n.int_value, n.float_value, n.is_float = value, float(value), True
        return n
    f = _parse_go_float(text)
    if f is not None:
        if not any(c in text for c in ".eEpP"):
            raise ValueError(f"integer overflow: {quote(text)}")
        n.is_float, n.float_value = True, f
        if math.isfinite(f) and f == int(f) and -(2**63) <= f < 2**63:
            n.is_int, n.int_value = True, int(f)
        return n
    raise ValueError(f"illegal number syntax: {quote(text)}")


# --------------------------------------------------------------------------- parser


class _Parser:
    """Go's text/template parser (parse.go), over the token list."""

    _OPERAND_START = frozenset(
        {
            _T.BOOL,
            _T.CHAR_CONSTANT,
            _T.COMPLEX,
            _T.DOT,
            _T.FIELD,
            _T.IDENTIFIER,
            _T.NUMBER,
            _T.NIL,
            _T.RAW_STRING,
            _T.STRING,
            _T.VARIABLE,
            _T.LEFT_PAREN,
        }
    )

    def __init__(self, name: str, items: list[_Item], funcs: Mapping[str, object]) -> None:
        self.name = name
        self.items = items
        self.funcs = funcs
        self.i = 0
        self.hi = 0
        self.vars = ["$"]
        self.range_depth = 0
        self.action_line = 0
        self.trees: dict[str, _ListNode] = {}

    # -- token stream

    def next(self) -> _Item:
        item = self.items[min(self.i, len(self.items) - 1)]
        self.hi = max(self.hi, self.i)
        if self.i < len(self.items) - 1:
            self.i += 1
        else:
            self.i = len(self.items)
        return item

    def backup(self) -> None:
        self.i -= 1

    def peek(self) -> _Item:
        item = self.next()
        self.backup()
        return item

    def next_non_space(self) -> _Item:
        while True:
            item = self.next()
            if item.typ is not _T.SPACE:
                return item

    def peek_non_space(self) -> _Item:
        item = self.next_non_space()
        self.backup()
        return item

    # -- errors

    def errorf(self, message: str) -> NoReturn:
        line = self.items[min(self.hi, len(self.items) - 1)].line
        raise TemplateParseError(f"template: {self.name}:{line}: {message}")

    def expect(self, typ: _T, context: str) -> _Item:
        item = self.next_non_space()
        if item.typ is not typ:
            self.unexpected(item, context)
        return item

    def unexpected(self, item: _Item, context: str) -> NoReturn:
        if item.typ is _T.ERROR:
            extra = ""
            if self.action_line and self.action_line != item.line:
                extra = f" in action started at {self.name}:{self.action_line}"
                if item.val.endswith(" action"):
                    extra = extra[len(" in action") :]
            self.errorf(f"{item}{extra}")
        self.errorf(f"unexpected {item} in {context}")

    # -- structure

    def parse(self) -> dict[str, _ListNode]:
        root = _ListNode(self.peek().pos)
        while self.peek().typ is not _T.EOF:
            if self.peek().typ is _T.LEFT_DELIM:
                mark = self.i
                self.next()
                if self.next_non_space().typ is _T.DEFINE:
                    self.parse_definition()
                    continue
                self.i = mark
            node = self.text_or_action()
            if isinstance(node, (_EndNode, _ElseNode)):
                self.errorf(f"unexpected {node}")
            root.nodes.append(node)
        self.add_tree(self.name, root)
        return self.trees

    def add_tree(self, name: str, root: _ListNode) -> None:
        existing = self.trees.get(name)
        if existing is None or _is_empty_tree(existing):
            self.trees[name] = root
        elif not _is_empty_tree(root):
            self.errorf(f"template: multiple definition of template {quote(name)}")

    def parse_definition(self) -> None:
        context = "define clause"
        item = self.next_non_space()
        if item.typ not in (_T.STRING, _T.RAW_STRING):
            self.unexpected(item, context)
        name = self.unquote(item.val)
        self.expect(_T.RIGHT_DELIM, context)
        saved_vars, self.vars = self.vars, ["$"]
        body, end = self.item_list()
        if not isinstance(end, _EndNode):
            self.errorf(f"unexpected {end} in {context}")
        self.vars = saved_vars
        self.add_tree(name, body)

    def unquote(self, quoted: str) -> str:
        try:
            return _unquote(quoted)
        except ValueError as e:
            self.errorf(str(e))

    def item_list(self) -> tuple[_ListNode, _Node]:
        lst = _ListNode(self.peek_non_space().pos)
        while self.peek_non_space().typ is not _T.EOF:
            node = self.text_or_action()
            if isinstance(node, (_EndNode, _ElseNode)):
                return lst, node
            lst.nodes.append(node)
        self.errorf("unexpected EOF")

    def text_or_action(self) -> _Node:
        item = self.next_non_space()
        if item.typ is _T.TEXT:
            return _TextNode(item.pos, item.val)
        if item.typ is _T.LEFT_DELIM:
            self.action_line = item.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        self.unexpected(item, "input")

    def action(self) -> _Node:
        item = self.next_non_space()
        controls: dict[_T, Callable[[], _Node]] = {
            _T.BLOCK: self.block_control,
            _T.ELSE: self.else_control,
            _T.END: self.end_control,
            _T.IF: lambda: self.branch("if"),
            _T.RANGE: lambda: self.branch("range"),
            _T.TEMPLATE: self.template_control,
            _T.WITH: lambda: self.branch("with"),
        }
        if item.typ in controls:
            return controls[item.typ]()
        if item.typ in (_T.BREAK, _T.CONTINUE):
            return self.loop_control(item)
        self.backup()
        first = self.peek()
        return _ActionNode(first.pos, first.line, self.pipeline("command", _T.RIGHT_DELIM))

    def loop_control(self, item: _Item) -> _Node:
        word = "{{" + item.val + "}}"
        after = self.next_non_space()
        if after.typ is not _T.RIGHT_DELIM:
            self.unexpected(after, word)
        if self.range_depth == 0:
            self.errorf(f"{word} outside {{{{range}}}}")
        return _BreakNode(item.pos) if item.typ is _T.BREAK else _ContinueNode(item.pos)

    def branch(self, context: str) -> _BranchNode:
        saved = len(self.vars)
        try:
            pipe = self.pipeline(context, _T.RIGHT_DELIM)
            if context == "range":
                self.range_depth += 1
            body, nxt = self.item_list()
            if context == "range":
                self.range_depth -= 1
            else_list: _ListNode | None = None
            if isinstance(nxt, _ElseNode):
                follow = {"if": _T.IF, "with": _T.WITH}.get(context)
                if follow is not None and self.peek().typ is follow:
                    self.next()
                    else_list = _ListNode(nxt.pos, [self.branch(context)])
                else:
                    else_list, end = self.item_list()
                    if not isinstance(end, _EndNode):
                        self.errorf(f"expected end; found {end}")
            return _BranchNode(context, pipe.pos, pipe.line, pipe, body, else_list)
        finally:
            del self.vars[saved:]

    def else_control(self) -> _Node:
        peek = self.peek_non_space()
        if peek.typ in (_T.IF, _T.WITH):
            return _ElseNode(peek.pos)
        return _ElseNode(self.expect(_T.RIGHT_DELIM, "else").pos)

    def end_control(self) -> _Node:
        return _EndNode(self.expect(_T.RIGHT_DELIM, "end").pos)

    def template_name(self, item: _Item, context: str) -> str:
        if item.typ not in (_T.STRING, _T.RAW_STRING):
            self.unexpected(item, context)
        return self.unquote(item.val)

    def template_control(self) -> _Node:
        context = "template clause"
        item = self.next_non_space()
        name = self.template_name(item, context)
        pipe = None
        if self.next_non_space().typ is not _T.RIGHT_DELIM:
            self.backup()
            pipe = self.pipeline(context, _T.RIGHT_DELIM)
        return _TemplateNode(item.pos, item.line, name, pipe)

    def block_control(self) -> _Node:
        context = "block clause"
        item = self.next_non_space()
        name = self.template_name(item, context)
        pipe = self.pipeline(context, _T.RIGHT_DELIM)
        saved_vars, saved_depth = self.vars, self.range_depth
        self.vars, self.range_depth = ["$"], 0
        body, end = self.item_list()
        if not isinstance(end, _EndNode):
            self.errorf(f"unexpected {end} in {context}")
        self.vars, self.range_depth = saved_vars, saved_depth
        self.add_tree(name, body)
        return _TemplateNode(item.pos, item.line, name, pipe)

    # -- pipelines

    def pipeline(self, context: str, end: _T) -> _PipeNode:
        first = self.peek_non_space()
        pipe = _PipeNode(first.pos, first.line)
        while True:
            v = self.peek_non_space()
            if v.typ is not _T.VARIABLE:
                break
            mark = self.i
            self.next()
            nxt = self.peek_non_space()
            if nxt.typ in (_T.ASSIGN, _T.DECLARE):
                pipe.is_assign = nxt.typ is _T.ASSIGN
                self.next_non_space()
                pipe.decl.append(_VariableNode(v.pos, [v.val]))
                self.vars.append(v.val)
                break
            if nxt.typ is _T.CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(_VariableNode(v.pos, [v.val]))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (_T.VARIABLE, _T.RIGHT_DELIM, _T.RIGHT_PAREN):
                        continue
                    self.errorf("range can only initialize variables")
                self.errorf(f"too many declarations in {context}")
            self.i = mark
            break
        while True:
            item = self.next_non_space()
            if item.typ is end:
                self.check_pipeline(pipe, context)
                return pipe
            if item.typ in self._OPERAND_START:
                self.backup()
                pipe.cmds.append(self.command())
            else:
                self.unexpected(item, context)

    def check_pipeline(self, pipe: _PipeNode, context: str) -> None:
        if not pipe.cmds:
            self.errorf(f"missing value for {context}")
        for i, cmd in enumerate(pipe.cmds[1:]):
            if isinstance(cmd.args[0], (_BoolNode, _DotNode, _NilNode, _NumberNode, _StringNode)):
                self.errorf(f"non executable command in pipeline stage {i + 2}")

    def command(self) -> _CommandNode:
        cmd = _CommandNode(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            item = self.next()
            if item.typ is _T.SPACE:
                continue
            if item.typ in (_T.RIGHT_DELIM, _T.RIGHT_PAREN):
                self.backup()
            elif item.typ is not _T.PIPE:
                self.unexpected(item, "operand")
            break
        if not cmd.args:
            self.errorf("empty command")
        return cmd

    def operand(self) -> _Node | None:
        node = self.term()
        if node is None:
            return None
        if self.peek().typ is _T.FIELD:
            chain = _ChainNode(self.peek().pos, node)
            while self.peek().typ is _T.FIELD:
                chain.fields.append(self.next().val[1:])
            if isinstance(node, _FieldNode):
                return _FieldNode(chain.pos, [*node.ident, *chain.fields])
            if isinstance(node, _VariableNode):
                return _VariableNode(chain.pos, [*node.ident, *chain.fields])
            if isinstance(node, (_BoolNode, _StringNode, _NumberNode, _NilNode, _DotNode)):
                self.errorf(f"unexpected . after term {quote(str(node))}")
            return chain
        return node

    def term(self) -> _Node | None:
        item = self.next_non_space()
        typ = item.typ
        if typ is _T.IDENTIFIER:
            if item.val not in self.funcs and item.val not in BUILTINS:
                self.errorf(f"function {quote(item.val)} not defined")
            return _IdentifierNode(item.pos, item.val)
        if typ is _T.DOT:
            return _DotNode(item.pos)
        if typ is _T.NIL:
            return _NilNode(item.pos)
        if typ is _T.VARIABLE:
            if item.val not in self.vars:
                self.errorf(f"undefined variable {quote(item.val)}")
            return _VariableNode(item.pos, [item.val])
        if typ is _T.FIELD:
            return _FieldNode(item.pos, [item.val[1:]])
        if typ is _T.BOOL:
            return _BoolNode(item.pos, item.val == "true")
        if typ in (_T.CHAR_CONSTANT, _T.COMPLEX, _T.NUMBER):
            try:
                return _new_number(item.pos, item.val, typ)
            except ValueError as e:
                self.errorf(str(e))
        if typ is _T.LEFT_PAREN:
            return self.pipeline("parenthesized pipeline", _T.RIGHT_PAREN)
        if typ in (_T.STRING, _T.RAW_STRING):
            return _StringNode(item.pos, item.val, self.unquote(item.val))
        self.backup()
        return None


def _is_empty_tree(node: _Node) -> bool:
    if isinstance(node, _ListNode):
        return all(_is_empty_tree(n) for n in node.nodes)
    if isinstance(node, _TextNode):
        return not node.text.strip(_LEX_SPACE)
    return False


# --------------------------------------------------------------------------- functions


@dataclass(frozen=True)
class GoFunc:
    """A template function with Go's parameter types.

    Args:
        impl: the Python implementation; it raises `GoError` for Go's returned error.
        params: the Go types of the fixed parameters: `string`, `int`, `bool`,
            `float64`, `interface {}` (anything), `reflect.Value` (anything,
            nil included) or a container type such as `map[string]interface {}`
            that the argument's type must equal.
        variadic: the element type of a trailing `...` parameter, if any.
    """

    impl: Callable[..., object]
    params: tuple[str, ...] = ()
    variadic: str | None = None


def _untyped(fn: Callable[..., object]) -> GoFunc:
    """A GoFunc for a plain Python callable (a data method): untyped parameters, arity from its signature."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return GoFunc(fn, (), ANY)
    fixed = 0
    variadic = None
    for p in sig.parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty:
            fixed += 1
        elif p.kind is p.VAR_POSITIONAL:
            variadic = ANY
    return GoFunc(fn, (ANY,) * fixed, variadic)


_COMPARABLE_BASIC = (_K.BOOL, _K.INT, _K.FLOAT, _K.COMPLEX, _K.STRING)


def _basic_kind(v: object) -> _K:
    k = _kind(v)
    return k if k in _COMPARABLE_BASIC else _K.INVALID


def _is_nil(v: object) -> bool:
    return v is None or (isinstance(v, (GoMap, GoSlice)) and v.nil)


def _go_comparable(v: object) -> bool:
    k = _kind(v)
    if k in (_K.MAP, _K.SLICE, _K.FUNC):
        return False
    if k is _K.STRUCT:
        return all(_go_comparable(x) for _, x, _m in struct_fields(v))
    return True


def _b_eq(arg1: object, *arg2: object) -> bool:
    if not arg2:
        raise GoError("missing argument for comparison")
    k1 = _basic_kind(arg1)
    for arg in arg2:
        k2 = _basic_kind(arg)
        if k1 != k2:
            if arg1 is not None and arg is not None:
                raise GoError("incompatible types for comparison")
            result = False
        elif k1 is not _K.INVALID:
            result = arg1 == arg
        elif _is_nil(arg1) or _is_nil(arg):
            result = _is_nil(arg1) == _is_nil(arg)
        else:
            if not _go_comparable(arg):
                raise GoError(f"non-comparable type {format_value(arg)}: {go_type_name(arg)}")
            result = go_type_name(arg1) == go_type_name(arg) and arg1 == arg
        if result:
            return True
    return False


def _b_ne(arg1: object, arg2: object) -> bool:
    return not _b_eq(arg1, arg2)


def _b_lt(arg1: object, arg2: object) -> bool:
    k1, k2 = _basic_kind(arg1), _basic_kind(arg2)
    if k1 is _K.INVALID or k2 is _K.INVALID:
        raise GoError("invalid type for comparison")
    if k1 != k2:
        raise GoError("incompatible types for comparison")
    if k1 in (_K.BOOL, _K.COMPLEX):
        raise GoError("invalid type for comparison")
    return arg1 < arg2  # type: ignore[operator, no-any-return]


def _b_le(arg1: object, arg2: object) -> bool:
    return _b_lt(arg1, arg2) or _b_eq(arg1, arg2)


def _b_gt(arg1: object, arg2: object) -> bool:
    return not _b_le(arg1, arg2)


def _b_ge(arg1: object, arg2: object) -> bool:
    return not _b_lt(arg1, arg2)


def _b_not(arg: object) -> bool:
    return not truth(arg)


def _b_and(arg0: object, *args: object) -> object:  # pragma: no cover - short-circuited by the executor
    raise AssertionError("and is evaluated by the executor")


def _b_or(arg0: object, *args: object) -> object:  # pragma: no cover - short-circuited by the executor
    raise AssertionError("or is evaluated by the executor")


def _b_len(item: object) -> int:
    if item is None:
        raise GoError("reflect: call of reflect.Value.Type on zero Value")
    if isinstance(item, str):
        return len(item.encode("utf-8", "surrogateescape"))
    if _kind(item) in (_K.MAP, _K.SLICE):
        return len(item)  # type: ignore[arg-type]
    raise GoError(f"len of type {go_type_name(item)}")


def _index_arg(index: object, cap: int) -> int:
    if index is None:
        raise GoError("cannot index slice/array with nil")
    if _kind(index) is not _K.INT:
        raise GoError(f"cannot index slice/array with type {go_type_name(index)}")
    x: int = index  # type: ignore[assignment]
    if x < 0 or x > cap:
        raise GoError(f"index out of range: {x}")
    return x


def _b_index(item: object, *indexes: object) -> object:
    if item is None:
        raise GoError("index of untyped nil")
    for index in indexes:
        if item is None:
            raise GoError("index of nil pointer")
        k = _kind(item)
        if k in (_K.STRING, _K.SLICE):
            if isinstance(item, str):
                data = item.encode("utf-8", "surrogateescape")
                x = _index_arg(index, len(data))
                if x == len(data):
                    raise GoError(f"index out of range: {x}")
                item = data[x]
            else:
                seq: Sequence[object] = item  # type: ignore[assignment]
                x = _index_arg(index, len(seq))
                if x == len(seq):
                    raise GoError(f"index out of range: {x}")
                item = seq[x]
        elif k is _K.MAP:
            m: Mapping[Any, Any] = item  # type: ignore[assignment]
            key_type = m.key_type if isinstance(m, GoMap) else "string"
            if index is None:
                raise GoError(f"value is nil; should be of type {key_type}")
            if key_type not in (ANY, go_type_name(index)):
                raise GoError(f"value has type {go_type_name(index)}; should be {key_type}")
            item = m[index] if index in m else (m.zero if isinstance(m, GoMap) else None)
        else:
            raise GoError(f"can't index item of type {go_type_name(item)}")
    return item


def _b_slice(item: object, *indexes: object) -> object:
    if item is None:
        raise GoError("slice of untyped nil")
    if len(indexes) > 3:
        raise GoError(f"too many slice indexes: {len(indexes)}")
    k = _kind(item)
    if k is _K.STRING:
        if len(indexes) == 3:
            raise GoError("cannot 3-index slice a string")
        data = item.encode("utf-8", "surrogateescape")  # type: ignore[attr-defined]
        size = len(data)
    elif k is _K.SLICE:
        size = len(item)  # type: ignore[arg-type]
    else:
        raise GoError(f"can't slice item of type {go_type_name(item)}")
    idx = [0, size, size]
    for i, index in enumerate(indexes):
        idx[i] = _index_arg(index, size)
    if idx[0] > idx[1]:
        raise GoError(f"invalid slice index: {idx[0]} > {idx[1]}")
    if len(indexes) == 3 and idx[1] > idx[2]:
        raise GoError(f"invalid slice index: {idx[1]} > {idx[2]}")
    if k is _K.STRING:
        return data[idx[0] : idx[1]].decode("utf-8", "replace")
    items = list(item)[idx[0] : idx[1]]  # type: ignore[call-overload]
    return GoSlice(items, go_type=go_type_name(item))


def _eval_args(args: tuple[object, ...]) -> str:
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return sprint(*("<no value>" if a is None else a for a in args))


def _b_html(*args: object) -> str:
    s = _eval_args(args)
    table = {"\0": "\ufffd", '"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
    return "".join(table.get(c, c) for c in s)


def _b_js(*args: object) -> str:
    s = _eval_args(args)
    table = {"\\": "\\\\", "'": "\\'", '"': '\\"', "<": "\\u003C", ">": "\\u003E", "&": "\\u0026", "=": "\\u003D"}
    out = []
    for c in s:
        if c in table:
            out.append(table[c])
        elif c < " ":
            out.append(f"\\u00{ord(c):02X}")
        elif ord(c) >= 0x80 and not _is_print(c):
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return "".join(out)


def _b_urlquery(*args: object) -> str:
    return urllib.parse.quote_plus(_eval_args(args), safe="")


def _b_call(name: str, fn: object, *args: object) -> object:
    if fn is None:
        raise GoError("call of nil")
    if _kind(fn) is not _K.FUNC and not isinstance(fn, GoFunc):
        raise GoError(f"non-function {name} of type {go_type_name(fn)}")
    impl = fn.impl if isinstance(fn, GoFunc) else fn
    return impl(*args)  # type: ignore[operator]


def _b_printf(format: str, *args: object) -> str:
    return sprintf(format, *args)


BUILTINS: Mapping[str, GoFunc] = {
    "and": GoFunc(_b_and, (VALUE,), VALUE),
    "call": GoFunc(_b_call, (VALUE,), VALUE),
    "html": GoFunc(_b_html, (), ANY),
    "index": GoFunc(_b_index, (VALUE,), VALUE),
    "slice": GoFunc(_b_slice, (VALUE,), VALUE),
    "js": GoFunc(_b_js, (), ANY),
    "len": GoFunc(_b_len, (VALUE,)),
    "not": GoFunc(_b_not, (VALUE,)),
    "or": GoFunc(_b_or, (VALUE,), VALUE),
    "print": GoFunc(sprint, (), ANY),
    "printf": GoFunc(_b_printf, ("string",), ANY),
    "println": GoFunc(sprintln, (), ANY),
    "urlquery": GoFunc(_b_urlquery, (), ANY),
    "eq": GoFunc(_b_eq, (VALUE,), VALUE),
    "ge": GoFunc(_b_ge, (VALUE, VALUE)),
    "gt": GoFunc(_b_gt, (VALUE, VALUE)),
    "le": GoFunc(_b_le, (VALUE, VALUE)),
    "lt": GoFunc(_b_lt, (VALUE, VALUE)),
    "ne": GoFunc(_b_ne, (VALUE, VALUE)),
}
"""Go's predefined template functions (text/template funcs.go)."""


# --------------------------------------------------------------------------- executor


class _Missing:
    """No value was piped in (Go's missingVal)."""


_MISSING = _Missing()


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


_INT_TYPES = ("int", "int8", "int16", "int32", "int64")
_UINT_TYPES = ("uint", "uint8", "uint16", "uint32", "uint64", "uintptr")


def _can_be_nil(typ: str | None) -> bool:
    return typ is None or typ in (ANY, VALUE) or typ.startswith(("[]", "map[", "*", "func", "chan"))


class _State:
    """One execution of one template (Go's exec.go state)."""

    def __init__(self, tmpl: Template, name: str, out: list[str], depth: int, dot: object) -> None:
        self.tmpl = tmpl
        self.name = name
        self.out = out
        self.depth = depth
        self.node: _Node | None = None
        self.vars: list[list[object]] = [["$", dot]]

    def at(self, node: _Node) -> None:
        self.node = node

    def errorf(self, message: str) -> NoReturn:
        if self.node is None:
            raise TemplateExecError(f"template: {self.name}: {message}")
        location, context = self.tmpl._error_context(self.node)
        raise TemplateExecError(f"template: {location}: executing {quote(self.name)} at <{context}>: {message}")

    # -- variables

    def var_value(self, name: str) -> object:
        for entry in reversed(self.vars):
            if entry[0] == name:
                return entry[1]
        self.errorf(f"undefined variable: {name}")

    def set_var(self, name: str, value: object) -> None:
        for entry in reversed(self.vars):
            if entry[0] == name:
                entry[1] = value
                return
        self.errorf(f"undefined variable: {name}")

    # -- walking

    def walk(self, dot: object, node: _Node) -> None:
        self.at(node)
        if isinstance(node, _ListNode):
            for n in node.nodes:
                self.walk(dot, n)
        elif isinstance(node, _TextNode):
            self.out.append(node.text)
        elif isinstance(node, _ActionNode):
            value = self.eval_pipeline(dot, node.pipe)
            if not node.pipe.decl:
                self.print_value(node, value)
        elif isinstance(node, _BranchNode):
            if node.kind == "range":
                self.walk_range(dot, node)
            else:
                self.walk_if_or_with(dot, node)
        elif isinstance(node, _TemplateNode):
            self.walk_template(dot, node)
        elif isinstance(node, _BreakNode):
            raise _Break
        elif isinstance(node, _ContinueNode):
            raise _Continue
        else:  # pragma: no cover - the parser makes no other nodes
            self.errorf(f"unknown node: {node}")

    def walk_if_or_with(self, dot: object, node: _BranchNode) -> None:
        mark = len(self.vars)
        try:
            value = self.eval_pipeline(dot, node.pipe)
            if truth(value):
                self.walk(value if node.kind == "with" else dot, node.list)
            elif node.else_list is not None:
                self.walk(dot, node.else_list)
        finally:
            del self.vars[mark:]

    def walk_range(self, dot: object, node: _BranchNode) -> None:
        self.at(node)
        outer = len(self.vars)
        try:
            value = self.eval_pipeline(dot, node.pipe)
            mark = len(self.vars)
            decl = node.pipe.decl

            def one(index: object, elem: object) -> None:
                if decl:
                    if node.pipe.is_assign:
                        self.set_var(decl[0].ident[0], index if len(decl) > 1 else elem)
                    else:
                        self.vars[-1][1] = elem
                if len(decl) > 1:
                    if node.pipe.is_assign:
                        self.set_var(decl[1].ident[0], elem)
                    else:
                        self.vars[-2][1] = index
                try:
                    self.walk(elem, node.list)
                except _Continue:
                    pass
                finally:
                    del self.vars[mark:]

            try:
                if self._range_values(value, node, one):
                    return
            except _Break:
                return
            if node.else_list is not None:
                self.walk(dot, node.else_list)
        finally:
            del self.vars[outer:]

    def _range_values(self, value: object, node: _BranchNode, one: Callable[[object, object], None]) -> bool:
        """Run the body once per element; False when there was nothing to range over."""
        k = _kind(value)
        if k is _K.SLICE:
            items = list(value)  # type: ignore[call-overload]
            for i, elem in enumerate(items):
                one(i, elem)
            return bool(items)
        if k is _K.MAP:
            m: Mapping[Any, Any] = value  # type: ignore[assignment]
            for key in sorted_keys(m):
                one(key, m[key])
            return len(m) > 0
        if k is _K.INT:
            if len(node.pipe.decl) > 1:
                self.errorf(f"can't use {format_value(value)} to iterate over more than one variable")
            count: int = value  # type: ignore[assignment]
            for i in range(count):
                one(i, i)
            return bool(count > 0)
        if k is _K.INVALID:
            return False
        self.errorf(f"range can't iterate over {format_value(value)}")

    def walk_template(self, dot: object, node: _TemplateNode) -> None:
        self.at(node)
        tree = self.tmpl._trees.get(node.name)
        if tree is None:
            self.errorf(f"template {quote(node.name)} not defined")
        if self.depth >= MAX_EXEC_DEPTH:
            self.errorf(f"exceeded maximum template depth ({MAX_EXEC_DEPTH})")
        value = self.eval_pipeline(dot, node.pipe)
        _State(self.tmpl, node.name, self.out, self.depth + 1, value).walk(value, tree)

    def print_value(self, node: _Node, value: object) -> None:
        self.at(node)
        if value is None:
            self.out.append("<no value>")
            return
        if _kind(value) is _K.FUNC:
            self.errorf(f"can't print {node} of type {go_type_name(value)}")
        self.out.append(format_value(value))

    # -- evaluation

    def eval_pipeline(self, dot: object, pipe: _PipeNode | None) -> object:
        if pipe is None:
            return None
        self.at(pipe)
        value: object = _MISSING
        for cmd in pipe.cmds:
            value = self.eval_command(dot, cmd, value)
        for var in pipe.decl:
            if pipe.is_assign:
                self.set_var(var.ident[0], value)
            else:
                self.vars.append([var.ident[0], value])
        return value

    def not_a_function(self, args: list[_Node], final: object) -> None:
        if len(args) > 1 or final is not _MISSING:
            self.errorf(f"can't give argument to non-function {args[0]}")

    def eval_command(self, dot: object, cmd: _CommandNode, final: object) -> object:
        first = cmd.args[0]
        if isinstance(first, _FieldNode):
            return self.eval_field_node(dot, first, cmd.args, final)
        if isinstance(first, _ChainNode):
            return self.eval_chain_node(dot, first, cmd.args, final)
        if isinstance(first, _IdentifierNode):
            return self.eval_function(dot, first, cmd, cmd.args, final)
        if isinstance(first, _PipeNode):
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)
        if isinstance(first, _VariableNode):
            return self.eval_variable_node(dot, first, cmd.args, final)
        self.at(first)
        self.not_a_function(cmd.args, final)
        if isinstance(first, _BoolNode):
            return first.value
        if isinstance(first, _DotNode):
            return dot
        if isinstance(first, _NilNode):
            self.errorf("nil is not a command")
        if isinstance(first, _NumberNode):
            return self.ideal_constant(first)
        if isinstance(first, _StringNode):
            return first.text
        self.errorf(f"can't evaluate command {quote(str(first))}")  # pragma: no cover

    def ideal_constant(self, n: _NumberNode) -> object:
        self.at(n)
        is_hex_int = len(n.text) > 2 and n.text[0] == "0" and n.text[1] in "xX" and not any(c in n.text for c in "pP")
        if n.is_float and not is_hex_int and not n.text.startswith("'") and any(c in n.text for c in ".eEpP"):
            return n.float_value
        if n.is_int:
            return n.int_value
        if n.is_uint:
            self.errorf(f"{n.text} overflows int")
        return None

    def eval_field_node(self, dot: object, node: _FieldNode, args: list[_Node] | None, final: object) -> object:
        self.at(node)
        return self.eval_field_chain(dot, dot, node, node.ident, args, final)

    def eval_chain_node(self, dot: object, chain: _ChainNode, args: list[_Node] | None, final: object) -> object:
        self.at(chain)
        if isinstance(chain.node, _NilNode):
            self.errorf(f"indirection through explicit nil in {chain}")
        receiver = self.eval_arg(dot, None, chain.node)
        return self.eval_field_chain(dot, receiver, chain, chain.fields, args, final)

    def eval_variable_node(self, dot: object, var: _VariableNode, args: list[_Node] | None, final: object) -> object:
        self.at(var)
        value = self.var_value(var.ident[0])
        if len(var.ident) == 1:
            self.not_a_function(args or [var], final)
            return value
        return self.eval_field_chain(dot, value, var, var.ident[1:], args, final)

    def eval_field_chain(
        self,
        dot: object,
        receiver: object,
        node: _Node,
        ident: list[str],
        args: list[_Node] | None,
        final: object,
    ) -> object:
        for name in ident[:-1]:
            receiver = self.eval_field(dot, name, node, None, _MISSING, receiver)
        return self.eval_field(dot, ident[-1], node, args, final, receiver)

    def eval_field(
        self,
        dot: object,
        name: str,
        node: _Node,
        args: list[_Node] | None,
        final: object,
        receiver: object,
    ) -> object:
        if receiver is None:
            return None
        method = _lookup_method(receiver, name)
        if method is not None:
            return self.eval_call(dot, _untyped(method), False, node, name, args, final)
        has_args = (args is not None and len(args) > 1) or final is not _MISSING
        k = _kind(receiver)
        if k is _K.STRUCT:
            found, value = _lookup_field(receiver, name)
            if found:
                if has_args:
                    self.errorf(f"{name} has arguments but cannot be invoked as function")
                return value
        elif k is _K.MAP:
            m: Mapping[Any, Any] = receiver  # type: ignore[assignment]
            key_type = m.key_type if isinstance(m, GoMap) else "string"
            if key_type in ("string", ANY):
                if has_args:
                    self.errorf(f"{name} is not a method but has arguments")
                return m.get(name)
        self.errorf(f"can't evaluate field {name} in type {go_type_name(receiver)}")

    def eval_function(
        self,
        dot: object,
        node: _IdentifierNode,
        cmd: _Node,
        args: list[_Node] | None,
        final: object,
    ) -> object:
        self.at(node)
        fn = self.tmpl._funcs.get(node.name)
        builtin = fn is None
        if fn is None:
            fn = BUILTINS.get(node.name)
        if fn is None:
            self.errorf(f"{quote(node.name)} is not a defined function")
        return self.eval_call(dot, fn, builtin, cmd, node.name, args, final)

    def eval_call(
        self,
        dot: object,
        fn: GoFunc,
        builtin: bool,
        node: _Node,
        name: str,
        args: list[_Node] | None,
        final: object,
    ) -> object:
        argn = args[1:] if args is not None else []
        num_in = len(argn) + (0 if final is _MISSING else 1)
        num_params = len(fn.params) + (1 if fn.variadic is not None else 0)
        if fn.variadic is not None:
            num_fixed = len(fn.params)
            if num_in < num_fixed:
                self.errorf(f"wrong number of args for {name}: want at least {num_fixed} got {len(argn)}")
        else:
            num_fixed = len(argn)
            if num_in != num_params:
                self.errorf(f"wrong number of args for {name}: want {num_params} got {num_in}")

        if builtin and name in ("and", "or"):
            value: object = None
            for arg in argn:
                value = self.eval_arg(dot, VALUE, arg)
                if truth(value) == (name == "or"):
                    return value
            if final is not _MISSING:
                value = self.validate_type(final, VALUE)
            return value

        argv: list[object] = []
        i = 0
        while i < num_fixed and i < len(argn):
            argv.append(self.eval_arg(dot, fn.params[i], argn[i]))
            i += 1
        if fn.variadic is not None:
            for arg in argn[i:]:
                argv.append(self.eval_arg(dot, fn.variadic, arg))
        if final is not _MISSING:
            if fn.variadic is None:
                typ = fn.params[-1]
            elif num_in - 1 < num_fixed:
                typ = fn.params[num_in - 1]
            else:
                typ = fn.variadic
            argv.append(self.validate_type(final, typ))
        if builtin and name == "call":
            callee = str(argn[0]) if argn else format_value(final)
            argv.insert(0, callee)
        try:
            return fn.impl(*argv)
        except TemplateError:
            raise
        except RecursionError:
            raise
        except Exception as e:  # noqa: BLE001 - Go recovers any panic of a called function into an error
            self.at(node)
            self.errorf(f"error calling {name}: {e}")

    def validate_type(self, value: object, typ: str | None) -> object:
        if value is None:
            if _can_be_nil(typ):
                return None
            self.errorf(f"invalid value; expected {typ}")
        if typ is None or typ in (ANY, VALUE):
            return value
        got = go_type_name(value)
        if got == typ:
            return value
        self.errorf(f"wrong type for value; expected {typ}; got {got}")

    def eval_arg(self, dot: object, typ: str | None, node: _Node) -> object:
        self.at(node)
        if isinstance(node, _DotNode):
            return self.validate_type(dot, typ)
        if isinstance(node, _NilNode):
            if _can_be_nil(typ):
                return None
            self.errorf(f"cannot assign nil to {typ}")
        if isinstance(node, _FieldNode):
            return self.validate_type(self.eval_field_node(dot, node, [node], _MISSING), typ)
        if isinstance(node, _VariableNode):
            return self.validate_type(self.eval_variable_node(dot, node, None, _MISSING), typ)
        if isinstance(node, _PipeNode):
            return self.validate_type(self.eval_pipeline(dot, node), typ)
        if isinstance(node, _IdentifierNode):
            return self.validate_type(self.eval_function(dot, node, node, None, _MISSING), typ)
        if isinstance(node, _ChainNode):
            return self.validate_type(self.eval_chain_node(dot, node, None, _MISSING), typ)
        if typ is None or typ in (ANY, VALUE):
            if isinstance(node, _BoolNode):
                return node.value
            if isinstance(node, _NumberNode):
                return self.ideal_constant(node)
            if isinstance(node, _StringNode):
                return node.text
        elif typ == "bool":
            if isinstance(node, _BoolNode):
                return node.value
            self.errorf(f"expected bool; found {node}")
        elif typ in ("float64", "float32"):
            if isinstance(node, _NumberNode) and node.is_float:
                return node.float_value
            self.errorf(f"expected float; found {node}")
        elif typ in _INT_TYPES:
            if isinstance(node, _NumberNode) and node.is_int:
                return node.int_value
            self.errorf(f"expected integer; found {node}")
        elif typ in _UINT_TYPES:
            if isinstance(node, _NumberNode) and node.is_uint:
                return node.int_value
            self.errorf(f"expected unsigned integer; found {node}")
        elif typ == "string":
            if isinstance(node, _StringNode):
                return node.text
            self.errorf(f"expected string; found {node}")
        self.errorf(f"can't handle {node} for arg of type {typ}")


# --------------------------------------------------------------------------- public API


class Template:
    """A parsed template and the templates it defines; `execute` renders it."""

    def __init__(self, name: str, text: str, trees: dict[str, _ListNode], funcs: Mapping[str, GoFunc]) -> None:
        self.name = name
        self.text = text
        self._trees = trees
        self._funcs = funcs

    @property
    def defined(self) -> tuple[str, ...]:
        """The names of the templates available to `{{template}}`, the main one included."""
        return tuple(sorted(self._trees))

    def execute(self, data: object, *, name: str | None = None) -> str:
        """Render the template (or the defined template `name`) with `data` as dot and `$`.

        Raises:
            TemplateExecError: with Go's message, e.g. `template: msg:1:2: executing
                "msg" at <.Foo>: can't evaluate field Foo in type main.Data`.
        """
        name = self.name if name is None else name
        tree = self._trees.get(name)
        out: list[str] = []
        state = _State(self, name, out, 0, data)
        if tree is None:
            state.errorf(f"{quote(name)} is an incomplete or empty template")
        try:
            state.walk(data, tree)
        except RecursionError:
            raise TemplateExecError(
                f"template: {name}: exceeded maximum template depth (nesting too deep for fluxpy)"
            ) from None
        return "".join(out)

    def _error_context(self, node: _Node) -> tuple[str, str]:
        text = self.text[: node.pos]
        nl = text.rfind("\n")
        col = node.pos if nl < 0 else node.pos - (nl + 1)
        context = str(node)
        if len(context) > 20:
            context = context[:20] + "..."
        return f"{self.name}:{text.count(chr(10)) + 1}:{col}", context


def parse(
    text: str,
    *,
    name: str = "template",
    funcs: Mapping[str, GoFunc | Callable[..., object]] | None = None,
) -> Template:
    """Parse Go template text.

    Args:
        text: the template source.
        name: the template's name, used in error messages (`template: <name>:1: ...`).
        funcs: extra functions by name (they override builtins, as `Funcs` does in Go);
            plain callables get untyped parameters.

    Returns:
        The parsed `Template`.

    Raises:
        TemplateParseError: with Go's message, e.g. `template: msg:1: function "foo" not defined`.
    """
    table: dict[str, GoFunc] = {}
    for fname, fn in (funcs or {}).items():
        table[fname] = fn if isinstance(fn, GoFunc) else _untyped(fn)
    items = _Lexer(text).run()
    try:
        trees = _Parser(name, items, table).parse()
    except RecursionError:
        raise TemplateParseError(f"template: {name}: template nests too deeply") from None
    return Template(name, text, trees, table)


def render(
    text: str,
    data: object,
    *,
    name: str = "template",
    funcs: Mapping[str, GoFunc | Callable[..., object]] | None = None,
) -> str:
    """Parse and execute in one step; see `parse` and `Template.execute`."""
    return parse(text, name=name, funcs=funcs).execute(data)
