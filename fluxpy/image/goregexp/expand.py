"""Go's `Regexp.ExpandString`: `$1`, `${name}` and `$$` in an ImagePolicy's `extract`.

Templates compile once into parts (text, group numbers, or the groups that
share a name) so a policy can expand many tags cheaply.
"""

from __future__ import annotations

import functools
import re
from typing import TypeAlias

from fluxpy.image.goregexp.compiler import group_names

# A compiled expand template: literal text, a group number, or the numbers of
# the groups carrying a name (the first one that took part in the match wins).
_Part: TypeAlias = str | int | tuple[int, ...]


def _template_name(text: str, i: int) -> tuple[str, int] | None:
    """Go's `extract` after a `$` at i-1: the name (letters, digits, `_`) and the index after."""
    n = len(text)
    if i >= n:
        return None
    brace = text[i] == "{"
    j = i + 1 if brace else i
    k = j
    while k < n and (text[k].isalpha() or text[k].isdecimal() or text[k] == "_"):
        k += 1
    if k == j:
        return None  # empty name
    name = text[j:k]
    if brace:
        if k >= n or text[k] != "}":
            return None  # missing closing brace
        k += 1
    return name, k


def _group_number(name: str) -> int:
    """Go's number parse in `extract`: ASCII digits, below 1e8, no leading zero; else -1."""
    num = 0
    for c in name:
        if not "0" <= c <= "9" or num >= 100_000_000:
            return -1
        num = num * 10 + ord(c) - 48
    if name[0] == "0" and len(name) > 1:
        return -1
    return num


@functools.lru_cache(maxsize=512)
def compile_template(template: str, names: tuple[str, ...]) -> tuple[_Part, ...]:
    """`template` as parts for `expand_parts`; names are the pattern's `group_names`."""
    parts: list[_Part] = []
    literal: list[str] = []
    i, n = 0, len(template)
    while i < n:
        dollar = template.find("$", i)
        if dollar < 0:
            literal.append(template[i:])
            break
        literal.append(template[i:dollar])
        i = dollar + 1
        if i < n and template[i] == "$":
            literal.append("$")  # `$$` is a literal `$`
            i += 1
            continue
        found = _template_name(template, i)
        if found is None:
            literal.append("$")  # malformed: the `$` stays as text
            continue
        name, i = found
        ref: _Part | None
        num = _group_number(name)
        if num >= 0:
            ref = num if num < len(names) else None
        else:
            indexes = tuple(k for k, g in enumerate(names) if g == name)
            ref = indexes[0] if len(indexes) == 1 else indexes or None
        if ref is None:
            continue  # no such group: expands to nothing
        text = "".join(literal)
        if text:
            parts.append(text)
        literal = []
        parts.append(ref)
    text = "".join(literal)
    if text:
        parts.append(text)
    return tuple(parts)


def expand_parts(parts: tuple[_Part, ...], match: re.Match[str]) -> str:
    """Expand a template from `compile_template` with one match."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, int):
            value = match.group(part)
            if value is not None:
                out.append(value)
        else:
            for index in part:
                value = match.group(index)
                if value is not None:
                    out.append(value)
                    break
    return "".join(out)


def expand(template: str, match: re.Match[str]) -> str:
    """Expand `$1`, `${1}`, `$name`, `${name}` and `$$` as Go's `Regexp.ExpandString` does.

    In `$name` the name is the longest run of letters, digits and `_`, so
    `$1_$2` reads a group named `1_` (write `${1}_${2}`); `$1x` is `${1x}`.
    A group that does not exist or did not take part in the match expands to
    nothing; a `$` not followed by a name stays as it is. A name shared by
    several groups reads the first of them that took part in the match.

    Args:
        template: the extract template, e.g. `$ts` or `${major}.${minor}`.
        match: a match of a pattern made by `compile`.

    Returns:
        The expanded text.
    """
    names = group_names(match.re)
    return expand_parts(compile_template(template, names), match)
