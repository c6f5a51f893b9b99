"""The parse tree the Go parser builds and the Python writer reads.

Nodes mirror Go's `regexp/syntax` ops, trimmed to what the translation needs;
`_LeftParen` and `_Bar` are pseudo-nodes that live only on the parse stack.
The parser flags are Go's bit values.
"""

from __future__ import annotations

from typing import Final, TypeAlias

_Ranges: TypeAlias = list[tuple[int, int]]
_MAX_RUNE: Final = 0x10FFFF

# Parser flags, as Go's: FoldCase, OneLine (cleared by `m`), DotNL, NonGreedy.
_FOLD: Final = 1
_ONE_LINE: Final = 2
_DOT_NL: Final = 4
_NON_GREEDY: Final = 8
_ALL_FLAGS: Final = 15


class _Node:
    __slots__ = ()


class _Lit(_Node):
    __slots__ = ("char", "fold")

    def __init__(self, char: int, fold: bool) -> None:
        self.char, self.fold = char, fold


class _Class(_Node):
    """A character class: code-point ranges, optionally negated, folded under `(?i)`."""

    __slots__ = ("fold", "negate", "ranges")

    def __init__(self, ranges: _Ranges, negate: bool, fold: bool) -> None:
        self.ranges, self.negate, self.fold = ranges, negate, fold


class _Dot(_Node):
    __slots__ = ("newline",)

    def __init__(self, newline: bool) -> None:
        self.newline = newline


class _Assert(_Node):
    """A zero-width assertion, already written in Python syntax."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class _Empty(_Node):
    __slots__ = ()


class _Capture(_Node):
    __slots__ = ("index", "name", "sub")

    def __init__(self, index: int, name: str, sub: _Node) -> None:
        self.index, self.name, self.sub = index, name, sub


class _Concat(_Node):
    __slots__ = ("subs",)

    def __init__(self, subs: list[_Node]) -> None:
        self.subs = subs


class _Alternate(_Node):
    __slots__ = ("subs",)

    def __init__(self, subs: list[_Node]) -> None:
        self.subs = subs


class _Repeat(_Node):
    """`*`, `+`, `?` (counted=False) or `{n}`, `{n,}`, `{n,m}` (counted=True); max -1 is unbounded."""

    __slots__ = ("counted", "greedy", "max", "min", "sub")

    def __init__(self, lo: int, hi: int, greedy: bool, counted: bool, sub: _Node) -> None:
        self.min, self.max, self.greedy, self.counted, self.sub = lo, hi, greedy, counted, sub


class _LeftParen(_Node):
    """Pseudo-node on the parse stack: an open group and the flags to restore at `)`."""

    __slots__ = ("flags", "index", "name")

    def __init__(self, index: int, name: str, flags: int) -> None:
        self.index, self.name, self.flags = index, name, flags


class _Bar(_Node):
    """Pseudo-node on the parse stack: the alternatives already closed by `|`."""

    __slots__ = ("alts",)

    def __init__(self, alts: list[_Node]) -> None:
        self.alts = alts
