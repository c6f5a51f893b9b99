"""The Go value model: how Python data stands in for Go values.

Go's template semantics hang on a value's kind (nil, bool, int, float, string,
map, slice, func, struct), so this module classifies Python values into kinds
(`_kind`), names their Go types (`go_type_name`), walks struct fields and
methods the way Go promotes embedded ones, and gives Go's truth and map-key
order. `GoMap` and `GoSlice` carry a Go type name where plain dicts and lists
cannot. Printing, functions and the executor all build on these answers, so
this module imports nothing else from the engine.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import inspect
import math
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from typing import Any

ANY = "interface {}"
VALUE = "reflect.Value"


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


_KINDS_BY_TYPE: tuple[tuple[type | tuple[type, ...], _K], ...] = (
    (bool, _K.BOOL),  # before int: bool is an int subclass
    (int, _K.INT),
    (float, _K.FLOAT),
    (complex, _K.COMPLEX),
    (str, _K.STRING),
    (Mapping, _K.MAP),
    ((list, tuple, GoSlice), _K.SLICE),
)
"""The Python types that stand for Go's basic and container kinds, tried in order."""


def _kind(v: object) -> _K:
    if v is None:
        return _K.INVALID
    for types, kind in _KINDS_BY_TYPE:
        if isinstance(v, types):
            return kind
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
