"""Value conversions every Sprig function group shares.

Sprig leans on a handful of Go helpers: `strval` and `strslice` for stringifying, spf13/cast's `ToInt64` and
`ToFloat64` for lenient numbers, `reflect` kinds for its error messages and `reflect.DeepEqual` for list
membership. They live here, below the function groups, so the groups import this module and never each other.
`gofunc` and the Go type names (`STR`, `INT`, `BOOL`, `MAP`, `STRINGS`) describe each function's signature
in the groups' `FUNCS` tables.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping

from fluxpy.image import gotemplate as gt
from fluxpy.image.gotemplate import GoError, GoFunc, GoSlice

STR, INT, BOOL = "string", "int", "bool"
MAP = "map[string]interface {}"
STRINGS = "[]string"


def strval(v: object) -> str:
    """Sprig's `strval`: strings as they are, `Error()`/`String()` results, else `%v`."""
    if isinstance(v, str):
        return v
    s = gt.stringer(v)
    return s if s is not None else gt.format_value(v)


def strslice(v: object) -> GoSlice:
    """Sprig's `strslice`: a list's non-nil elements as strings; a scalar as a one-element list."""
    if isinstance(v, GoSlice) and v.go_type == STRINGS:
        return v
    if isinstance(v, (list, tuple, GoSlice)):
        return GoSlice([strval(x) for x in v if x is not None], go_type=STRINGS)
    if v is None:
        return GoSlice([], go_type=STRINGS)
    return GoSlice([strval(v)], go_type=STRINGS)


def utf8(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def from_utf8(b: bytes) -> str:
    return b.decode("utf-8", "replace")


def go_slice(s: str, lo: int | None, hi: int | None) -> str:
    """Go's `s[lo:hi]` on the bytes of s, with Go's panic text when out of range."""
    data = utf8(s)
    n = len(data)
    lo_v = 0 if lo is None else lo
    hi_v = n if hi is None else hi
    if hi_v < 0 or hi_v > n:
        raise GoError(f"runtime error: slice bounds out of range [:{hi_v}] with length {n}")
    if lo_v < 0 or lo_v > hi_v:
        raise GoError(f"runtime error: slice bounds out of range [{lo_v}:{hi_v}]")
    return from_utf8(data[lo_v:hi_v])


def is_list(v: object) -> bool:
    return isinstance(v, (list, tuple, GoSlice))


def kind_name(v: object) -> str:
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
    if is_list(v):
        return "slice"
    if callable(v) and not gt.struct_fields(v):
        return "func"
    return "struct"


def type_kind(v: object) -> str:
    """`reflect.TypeOf(v).Kind()`, which panics for a nil interface."""
    if v is None:
        raise GoError("runtime error: invalid memory address or nil pointer dereference")
    return kind_name(v)


def deep_equal(a: object, b: object) -> bool:
    if gt.go_type_name(a) != gt.go_type_name(b):
        return False
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(deep_equal(a[k], b[k]) for k in a)
    if is_list(a) and is_list(b):
        la, lb = list(a), list(b)  # type: ignore[call-overload]
        return len(la) == len(lb) and all(deep_equal(x, y) for x, y in zip(la, lb))
    return a == b


def empty(v: object) -> bool:
    return not gt.truth(v)


_INT_TEXT = re.compile(r"[+-]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)")


def to_int64(v: object) -> int:
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


def to_float64(v: object) -> float:
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


def gofunc(impl: Callable[..., object], *params: str, variadic: str | None = None) -> GoFunc:
    """A `FUNCS` entry: `impl` with the Go types of its parameters (`ANY` for `interface {}`)."""
    return GoFunc(impl, tuple(params), variadic)
