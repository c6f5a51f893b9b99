"""Go pattern in, compiled Python pattern out: `translate`, `compile` and `group_names`.

This is where the parser and the writer meet; `compile` caches per pattern
text, and `group_names` recovers Go's `SubexpNames` from the `_<index>_<name>`
group names the writer chose.
"""

from __future__ import annotations

import functools
import re
from typing import Final

from fluxpy.image.goregexp.emit import _emit
from fluxpy.image.goregexp.errors import ERR_NESTING_DEPTH, PatternError
from fluxpy.image.goregexp.parse import _Parser


def _parse(pattern: str) -> tuple[str, tuple[str, ...]]:
    parser = _Parser(pattern)
    try:
        tree = parser.parse()
        names = [""] * (parser.num_cap + 1)
        return _emit(tree, names), tuple(names)
    except RecursionError:
        raise PatternError(pattern, ERR_NESTING_DEPTH, pattern) from None


def translate(pattern: str) -> str:
    """The Python `re` pattern that matches what the Go pattern matches.

    Args:
        pattern: a Go (RE2) regular expression.

    Returns:
        Python pattern text; compile it without flags.

    Raises:
        PatternError: Go would reject the pattern (or fluxpy cannot run it).
    """
    return _parse(pattern)[0]


@functools.lru_cache(maxsize=512)
def compile(pattern: str) -> re.Pattern[str]:  # mirrors re.compile / regexp.Compile
    """Compile a Go regular expression into an equivalent Python pattern.

    Use `pattern.search(text)` for Go's `FindStringSubmatchIndex` (leftmost
    match anywhere, groups numbered as in Go). Go's group names are kept for
    `expand` and `group_names`; Python sees them as `_<index>_<name>`.

    Args:
        pattern: a Go (RE2) regular expression, e.g. `^main-[a-f0-9]+-(?P<ts>[0-9]+)`.

    Returns:
        The compiled Python pattern (cached per text).

    Raises:
        PatternError: Go's `regexp.Compile` would fail (the message carries
            Go's error text), or the pattern uses a Unicode script class.
    """
    text, _ = _parse(pattern)
    try:
        return re.compile(text)
    except RecursionError:
        raise PatternError(pattern, ERR_NESTING_DEPTH, pattern) from None
    except (re.error, OverflowError) as err:  # pragma: no cover - a translator bug
        raise PatternError(pattern, f"cannot be translated to Python ({err})", pattern,
                           supported=False) from err


_PY_NAME: Final = re.compile(r"_([0-9]+)_(.+)").fullmatch


@functools.lru_cache(maxsize=512)
def group_names(pattern: re.Pattern[str]) -> tuple[str, ...]:
    """Go's `SubexpNames` for a pattern made by `compile`: "" for index 0 and unnamed groups."""
    names = [""] * (pattern.groups + 1)
    for py_name, index in pattern.groupindex.items():
        m = _PY_NAME(py_name)
        if m is not None and int(m.group(1)) == index:
            names[index] = m.group(2)
    return tuple(names)
