"""Sprig's type-conversion and reflection functions (`toString`, `int64`, `typeOf`, `kindIs`, `deepEqual`...).

Conversions are lenient as spf13/cast is: text that is not a number becomes 0. Type names are Go's, as
`gotemplate.go_type_name` prints them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from fluxpy.image import gotemplate as gt
from fluxpy.image.gotemplate import ANY, GoFunc
from fluxpy.image.sprig.values import STR, deep_equal, gofunc, kind_name, strslice, strval, to_float64, to_int64


def _atoi(a: str) -> int:
    return int(a) if re.fullmatch(r"[+-]?[0-9]+", a) else 0


def _type_is_like(target: str, src: object) -> bool:
    t = gt.go_type_name(src)
    return target in (t, "*" + t)


FUNCS: Mapping[str, GoFunc] = {
    "toString": gofunc(strval, ANY),
    "atoi": gofunc(_atoi, STR),
    "int64": gofunc(to_int64, ANY),
    "int": gofunc(to_int64, ANY),
    "float64": gofunc(to_float64, ANY),
    "toStrings": gofunc(strslice, ANY),
    "typeOf": gofunc(gt.go_type_name, ANY),
    "typeIs": gofunc(lambda target, src: target == gt.go_type_name(src), STR, ANY),
    "typeIsLike": gofunc(_type_is_like, STR, ANY),
    "kindOf": gofunc(kind_name, ANY),
    "kindIs": gofunc(lambda target, src: target == kind_name(src), STR, ANY),
    "deepEqual": gofunc(deep_equal, ANY, ANY),
}
"""Sprig's type-conversion and reflection functions."""
