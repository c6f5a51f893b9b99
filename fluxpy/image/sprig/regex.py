"""Sprig's regular-expression functions (`regexMatch`, `regexFindAll`, `regexReplaceAll`...).

Patterns use `fluxpy.image.goregexp` (Go's RE2 syntax) when it is present, else Python's `re`. Matching
follows Go's `allMatches` (no empty match right after a match). The plain functions panic on a bad pattern
with `regexp: Compile(...)`; the `must` variants return Go's compile error.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from typing import Any

from fluxpy.image import gotemplate as gt
from fluxpy.image.gotemplate import GoError, GoFunc, GoSlice
from fluxpy.image.sprig.values import INT, STR, STRINGS, gofunc


def _compile(pattern: str) -> Any:
    """Compile with Go's RE2 syntax via `fluxpy.image.goregexp` when present; raise GoError like Go."""
    try:
        goregexp: Any = importlib.import_module("fluxpy.image.goregexp")
    except ImportError:
        goregexp = None
    if goregexp is not None and hasattr(goregexp, "compile"):
        try:
            return goregexp.compile(pattern)
        except Exception as e:  # noqa: BLE001 - goregexp's PatternError carries Go's text
            raise GoError(getattr(e, "go_error", None) or str(e)) from None
    try:
        return re.compile(pattern)
    except re.error as e:
        raise GoError(f"error parsing regexp: {e}") from None


def _must_compile(pattern: str) -> Any:
    """Go's `regexp.MustCompile`, whose panic text names the pattern."""
    try:
        return _compile(pattern)
    except GoError as e:
        quoted = f"`{pattern}`" if gt._can_backquote(pattern) else gt.quote(pattern)
        raise GoError(f"regexp: Compile({quoted}): {e}") from None


def _all_matches(rx: Any, s: str, n: int) -> list[Any]:
    """Go's `allMatches`: successive leftmost matches, no empty match right after a match."""
    if n < 0:
        n = len(s) + 1
    out: list[Any] = []
    pos, prev_end = 0, -1
    while len(out) < n and pos <= len(s):
        m = rx.search(s, pos)
        if m is None:
            break
        accept = True
        if m.end() == pos:
            if m.start() == prev_end:
                accept = False
            pos += 1
        else:
            pos = m.end()
        prev_end = m.end()
        if accept:
            out.append(m)
    return out


def _expand(template: str, m: Any) -> str:
    try:
        goregexp: Any = importlib.import_module("fluxpy.image.goregexp")
        return str(goregexp.expand(template, m))
    except (ImportError, AttributeError):
        pass
    out: list[str] = []
    i = 0
    while i < len(template):
        j = template.find("$", i)
        if j < 0:
            out.append(template[i:])
            break
        out.append(template[i:j])
        i = j + 1
        if template[i : i + 1] == "$":
            out.append("$")
            i += 1
            continue
        brace = template[i : i + 1] == "{"
        k = i + 1 if brace else i
        start = k
        while k < len(template) and (template[k].isalnum() or template[k] == "_"):
            k += 1
        name = template[start:k]
        if not name or (brace and template[k : k + 1] != "}"):
            out.append("$")
            continue
        i = k + 1 if brace else k
        if name.isdigit() and not (name.startswith("0") and len(name) > 1):
            if int(name) <= m.re.groups and m.group(int(name)) is not None:
                out.append(m.group(int(name)))
        elif name in m.re.groupindex and m.group(name) is not None:
            out.append(m.group(name))
    return "".join(out)


def _replace_all(rx: Any, s: str, repl: Callable[[Any], str]) -> str:
    """Go's `replaceAll`: like `_all_matches`, and no replacement of an empty match after a match."""
    out: list[str] = []
    last = 0
    pos = 0
    while pos <= len(s):
        m = rx.search(s, pos)
        if m is None:
            break
        out.append(s[last : m.start()])
        if m.end() > last or m.start() == 0:
            out.append(repl(m))
        last = m.end()
        pos = max(m.end(), pos + 1)
    out.append(s[last:])
    return "".join(out)


def _regex_split(rx: Any, s: str, n: int) -> GoSlice:
    if n == 0:
        return GoSlice(None, go_type=STRINGS)
    if rx.pattern and not s:
        return GoSlice([""], go_type=STRINGS)
    parts: list[str] = []
    beg = end = 0
    for m in _all_matches(rx, s, n):
        if n > 0 and len(parts) == n - 1:
            break
        end = m.start()
        if m.end() != 0:
            parts.append(s[beg:end])
        beg = m.end()
    if end != len(s):
        parts.append(s[beg:])
    return GoSlice(parts, go_type=STRINGS)


def _regex_fns(compile_fn: Callable[[str], Any]) -> dict[str, Callable[..., object]]:
    def find_all(regex: str, s: str, n: int) -> GoSlice:
        rx = compile_fn(regex)
        found = [m.group(0) for m in _all_matches(rx, s, n)] if n != 0 else []
        return GoSlice(found or None, go_type=STRINGS)

    def find(regex: str, s: str) -> str:
        m = compile_fn(regex).search(s)
        return str(m.group(0)) if m is not None else ""

    def replace_all(regex: str, s: str, repl: str) -> str:
        return _replace_all(compile_fn(regex), s, lambda m: _expand(repl, m))

    def replace_all_literal(regex: str, s: str, repl: str) -> str:
        return _replace_all(compile_fn(regex), s, lambda m: repl)

    def split(regex: str, s: str, n: int) -> GoSlice:
        return _regex_split(compile_fn(regex), s, n)

    return {
        "FindAll": find_all,
        "Find": find,
        "ReplaceAll": replace_all,
        "ReplaceAllLiteral": replace_all_literal,
        "Split": split,
    }


def _regex_match(regex: str, s: str) -> bool:
    try:
        return _compile(regex).search(s) is not None
    except GoError:
        return False


def _must_regex_match(regex: str, s: str) -> bool:
    return _compile(regex).search(s) is not None


def _quote_meta(s: str) -> str:
    return "".join("\\" + c if c in "\\.+*?()|[]{}^$" else c for c in s)


_MUST = _regex_fns(_compile)


_PANIC = _regex_fns(_must_compile)


FUNCS: Mapping[str, GoFunc] = {
    "regexMatch": gofunc(_regex_match, STR, STR),
    "mustRegexMatch": gofunc(_must_regex_match, STR, STR),
    "regexFindAll": gofunc(_PANIC["FindAll"], STR, STR, INT),
    "mustRegexFindAll": gofunc(_MUST["FindAll"], STR, STR, INT),
    "regexFind": gofunc(_PANIC["Find"], STR, STR),
    "mustRegexFind": gofunc(_MUST["Find"], STR, STR),
    "regexReplaceAll": gofunc(_PANIC["ReplaceAll"], STR, STR, STR),
    "mustRegexReplaceAll": gofunc(_MUST["ReplaceAll"], STR, STR, STR),
    "regexReplaceAllLiteral": gofunc(_PANIC["ReplaceAllLiteral"], STR, STR, STR),
    "mustRegexReplaceAllLiteral": gofunc(_MUST["ReplaceAllLiteral"], STR, STR, STR),
    "regexSplit": gofunc(_PANIC["Split"], STR, STR, INT),
    "mustRegexSplit": gofunc(_MUST["Split"], STR, STR, INT),
    "regexQuoteMeta": gofunc(_quote_meta, STR),
}
"""Sprig's regular-expression functions."""
