"""Sprig's default and flow-control functions (`default`, `empty`, `coalesce`, `ternary`, `fail`...).

Emptiness is Go template truth: zero numbers, empty strings and empty collections are empty.
"""

from __future__ import annotations

from collections.abc import Mapping

from fluxpy.image.gotemplate import ANY, GoError, GoFunc
from fluxpy.image.sprig.values import BOOL, STR, empty, gofunc


def _default(d: object, *given: object) -> object:
    if not given or empty(given[0]):
        return d
    return given[0]


def _coalesce(*v: object) -> object:
    return next((x for x in v if not empty(x)), None)


def _ternary(vt: object, vf: object, v: bool) -> object:
    return vt if v else vf


def _fail(msg: str) -> str:
    raise GoError(msg)


FUNCS: Mapping[str, GoFunc] = {
    "default": gofunc(_default, ANY, variadic=ANY),
    "empty": gofunc(empty, ANY),
    "coalesce": gofunc(_coalesce, variadic=ANY),
    "all": gofunc(lambda *v: all(not empty(x) for x in v), variadic=ANY),
    "any": gofunc(lambda *v: any(not empty(x) for x in v), variadic=ANY),
    "ternary": gofunc(_ternary, ANY, ANY, BOOL),
    "fail": gofunc(_fail, STR),
}
"""Sprig's default and flow-control functions."""
