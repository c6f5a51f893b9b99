"""Template functions: the `GoFunc` signature model and Go's predefined functions.

Go calls template functions through reflection, so argument counts and types
are checked against the function's Go signature and number literals convert
to the parameter type. `GoFunc` declares that signature for a Python
implementation (Sprig's functions are `GoFunc`s too); `BUILTINS` is Go's
funcs.go: `eq`/`lt`/... with Go's comparison rules, `index`, `slice`, `len`,
`print*`, `html`, `js`, `urlquery`, `call`, and `and`/`or`/`not` (the first
two short-circuited by the executor).
"""

from __future__ import annotations

import inspect
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fluxpy.image.gotemplate.errors import GoError
from fluxpy.image.gotemplate.gofmt import format_value, sprint, sprintf, sprintln
from fluxpy.image.gotemplate.strconv import _is_print
from fluxpy.image.gotemplate.values import _K, ANY, VALUE, GoMap, GoSlice, _kind, go_type_name, struct_fields, truth


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
