"""Sprig's list functions (`list`, `append`, `first`, `uniq`, `has`, `slice`, `concat`...).

Sprig panics on non-list arguments with `Cannot <verb> on type <kind>`; the `must` variants are the same
functions here, since these ports fail the same way either way. Membership uses `reflect.DeepEqual`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fluxpy.image import gotemplate as gt
from fluxpy.image.gotemplate import ANY, GoError, GoFunc, GoSlice
from fluxpy.image.sprig.values import deep_equal, empty, gofunc, to_int64, type_kind


def _list(*v: object) -> list[object]:
    return list(v)


def _need_list(v: object, message: str) -> list[object]:
    kind = type_kind(v)
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
    return [x for x in _need_list(lst, "Cannot compact on type {kind}") if not empty(x)]


def _in_list(haystack: Sequence[object], needle: object) -> bool:
    return any(deep_equal(needle, h) for h in haystack)


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
    start = to_int64(indices[0]) if indices else 0
    end = to_int64(indices[1]) if len(indices) > 1 else len(items)
    if not 0 <= start <= end <= len(items):
        raise GoError("reflect.Value.Slice: slice index out of bounds")
    return GoSlice(items[start:end], go_type=gt.go_type_name(lst))


def _concat(*lists: object) -> list[object]:
    out: list[object] = []
    for lst in lists:
        kind = type_kind(lst)
        if kind != "slice":
            raise GoError(f"Cannot concat type {kind} as list")
        out.extend(lst)  # type: ignore[arg-type]
    return out


FUNCS: Mapping[str, GoFunc] = {
    "compact": gofunc(_compact, ANY),
    "mustCompact": gofunc(_compact, ANY),
    "tuple": gofunc(_list, variadic=ANY),
    "list": gofunc(_list, variadic=ANY),
    "append": gofunc(_push, ANY, ANY),
    "push": gofunc(_push, ANY, ANY),
    "mustAppend": gofunc(_push, ANY, ANY),
    "mustPush": gofunc(_push, ANY, ANY),
    "prepend": gofunc(_prepend, ANY, ANY),
    "mustPrepend": gofunc(_prepend, ANY, ANY),
    "first": gofunc(_first, ANY),
    "mustFirst": gofunc(_first, ANY),
    "rest": gofunc(_rest, ANY),
    "mustRest": gofunc(_rest, ANY),
    "last": gofunc(_last, ANY),
    "mustLast": gofunc(_last, ANY),
    "initial": gofunc(_initial, ANY),
    "mustInitial": gofunc(_initial, ANY),
    "reverse": gofunc(_reverse, ANY),
    "mustReverse": gofunc(_reverse, ANY),
    "uniq": gofunc(_uniq, ANY),
    "mustUniq": gofunc(_uniq, ANY),
    "without": gofunc(_without, ANY, variadic=ANY),
    "mustWithout": gofunc(_without, ANY, variadic=ANY),
    "has": gofunc(_has, ANY, ANY),
    "mustHas": gofunc(_has, ANY, ANY),
    "slice": gofunc(_slice, ANY, variadic=ANY),
    "mustSlice": gofunc(_slice, ANY, variadic=ANY),
    "concat": gofunc(_concat, variadic=ANY),
}
"""Sprig's list functions."""
