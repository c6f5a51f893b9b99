"""Sprig's integer math and integer-slice functions (`add`, `div`, `max`, `round`, `until`...).

Arguments go through `to_int64`, so strings and floats are accepted as Sprig accepts them; division truncates
toward zero and a zero divisor panics with Go's text. The float functions (`addf`...) are not ported.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from fluxpy.image.gotemplate import ANY, GoError, GoFunc, GoSlice
from fluxpy.image.sprig.values import INT, gofunc, to_float64, to_int64


def _until_step(start: int, stop: int, step: int) -> GoSlice:
    if stop < start:
        values = list(range(start, stop, step)) if step < 0 else []
    else:
        values = list(range(start, stop, step)) if step > 0 else []
    return GoSlice(values, go_type="[]int")


def _until(count: int) -> GoSlice:
    return _until_step(0, count, -1 if count < 0 else 1)


def _div(a: object, b: object) -> int:
    x, y = to_int64(a), to_int64(b)
    if y == 0:
        raise GoError("runtime error: integer divide by zero")
    q = abs(x) // abs(y)
    return q if (x >= 0) == (y >= 0) else -q


def _mod(a: object, b: object) -> int:
    x, y = to_int64(a), to_int64(b)
    return x - y * _div(x, y)


def _max(a: object, *rest: object) -> int:
    return max([to_int64(a), *(to_int64(b) for b in rest)])


def _min(a: object, *rest: object) -> int:
    return min([to_int64(a), *(to_int64(b) for b in rest)])


def _mul(a: object, *rest: object) -> int:
    out = to_int64(a)
    for b in rest:
        out *= to_int64(b)
    return out


def _round(a: object, p: int, *r_opt: float) -> float:
    round_on = r_opt[0] if r_opt else 0.5
    val = to_float64(a)
    pow10 = math.pow(10, p)
    digit = pow10 * val
    frac = math.modf(digit)[0]
    return (math.ceil(digit) if frac >= round_on else math.floor(digit)) / pow10


FUNCS: Mapping[str, GoFunc] = {
    "until": gofunc(_until, INT),
    "untilStep": gofunc(_until_step, INT, INT, INT),
    "add1": gofunc(lambda i: to_int64(i) + 1, ANY),
    "add": gofunc(lambda *i: sum(to_int64(x) for x in i), variadic=ANY),
    "sub": gofunc(lambda a, b: to_int64(a) - to_int64(b), ANY, ANY),
    "div": gofunc(_div, ANY, ANY),
    "mod": gofunc(_mod, ANY, ANY),
    "mul": gofunc(_mul, ANY, variadic=ANY),
    "biggest": gofunc(_max, ANY, variadic=ANY),
    "max": gofunc(_max, ANY, variadic=ANY),
    "min": gofunc(_min, ANY, variadic=ANY),
    "ceil": gofunc(lambda a: float(math.ceil(to_float64(a))), ANY),
    "floor": gofunc(lambda a: float(math.floor(to_float64(a))), ANY),
    "round": gofunc(_round, ANY, INT, variadic="float64"),
}
"""Sprig's integer math and integer-slice functions."""
