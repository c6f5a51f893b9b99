"""Sprig's dictionary functions (`dict`, `get`, `set`, `pluck`, `keys`, `pick`, `omit`...).

Where Go iterates a map in random order (`keys`, `values`, `omit`), these return sorted keys so that commit
messages are stable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fluxpy.image import gotemplate as gt
from fluxpy.image.gotemplate import ANY, GoFunc, GoSlice
from fluxpy.image.sprig.values import MAP, STR, STRINGS, gofunc, strval


def _dict(*v: object) -> dict[str, object]:
    out: dict[str, object] = {}
    for i in range(0, len(v), 2):
        out[strval(v[i])] = v[i + 1] if i + 1 < len(v) else ""
    return out


def _get(d: Mapping[str, object], key: str) -> object:
    return d[key] if key in d else ""  # noqa: SIM401 - membership then index, whatever the mapping's own get does


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
    return GoSlice([k for d in dicts for k in gt.sorted_keys(d)], go_type=STRINGS)


def _values(d: Mapping[str, object]) -> list[object]:
    return [d[k] for k in gt.sorted_keys(d)]


def _pick(d: Mapping[str, object], *keys: str) -> dict[str, object]:
    return {k: d[k] for k in keys if k in d}


def _omit(d: Mapping[str, object], *keys: str) -> dict[str, object]:
    return {k: d[k] for k in gt.sorted_keys(d) if k not in keys}


FUNCS: Mapping[str, GoFunc] = {
    "dict": gofunc(_dict, variadic=ANY),
    "get": gofunc(_get, MAP, STR),
    "set": gofunc(_set, MAP, STR, ANY),
    "unset": gofunc(_unset, MAP, STR),
    "hasKey": gofunc(_has_key, MAP, STR),
    "pluck": gofunc(_pluck, STR, variadic=MAP),
    "keys": gofunc(_keys, variadic=MAP),
    "pick": gofunc(_pick, MAP, variadic=STR),
    "omit": gofunc(_omit, MAP, variadic=STR),
    "values": gofunc(_values, MAP),
}
"""Sprig's dictionary functions."""
