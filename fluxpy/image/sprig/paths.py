"""Sprig's path functions, Go's `path` package (`base`, `dir`, `clean`, `ext`, `isAbs`).

The `os*` variants use the same slash-separated rules: Flux runs on Linux.
"""

from __future__ import annotations

from collections.abc import Mapping

from fluxpy.image.gotemplate import GoFunc
from fluxpy.image.sprig.values import STR, gofunc


def _clean(p: str) -> str:
    if not p:
        return "."
    rooted = p.startswith("/")
    parts: list[str] = []
    for seg in p.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(seg)
    out = ("/" if rooted else "") + "/".join(parts)
    return out or "."


def _base(p: str) -> str:
    if not p:
        return "."
    p = p.rstrip("/")
    if not p:
        return "/"
    return p.rpartition("/")[2]


def _dir(p: str) -> str:
    return _clean(p[: p.rfind("/") + 1])


def _ext(p: str) -> str:
    for i in range(len(p) - 1, -1, -1):
        if p[i] == "/":
            break
        if p[i] == ".":
            return p[i:]
    return ""


FUNCS: Mapping[str, GoFunc] = {
    "base": gofunc(_base, STR),
    "dir": gofunc(_dir, STR),
    "clean": gofunc(_clean, STR),
    "ext": gofunc(_ext, STR),
    "isAbs": gofunc(lambda p: p.startswith("/"), STR),
    "osBase": gofunc(_base, STR),
    "osClean": gofunc(_clean, STR),
    "osDir": gofunc(_dir, STR),
    "osExt": gofunc(_ext, STR),
    "osIsAbs": gofunc(lambda p: p.startswith("/"), STR),
}
"""Sprig's path functions."""
