"""The parse stack of Go's `regexp/syntax` parser: push, concatenate, alternate, close, repeat.

`parse.py` scans the pattern and drives these operations in Go's order, so
the same checks fail first and report the same offending text.
"""

from __future__ import annotations

from fluxpy.image.goregexp.errors import (
    ERR_INVALID_REPEAT_OP,
    ERR_INVALID_REPEAT_SIZE,
    ERR_INVALID_UTF8,
    ERR_MISSING_REPEAT_ARGUMENT,
    ERR_UNEXPECTED_PAREN,
    PatternError,
)
from fluxpy.image.goregexp.tree import (
    _FOLD,
    _NON_GREEDY,
    _ONE_LINE,
    _Alternate,
    _Bar,
    _Capture,
    _Concat,
    _Empty,
    _LeftParen,
    _Lit,
    _Node,
    _Repeat,
)


def _is_surrogate(c: str) -> bool:
    return "\ud800" <= c <= "\udfff"


class _ParseStack:
    """Go's parser state: the stack of nodes and pseudo-nodes, flags and group count."""

    def __init__(self, pattern: str) -> None:
        self.s = pattern
        self.n = len(pattern)
        self.flags = _ONE_LINE  # Perl: OneLine on; ClassNL, PerlX, UnicodeGroups always on
        self.stack: list[_Node] = []
        self.num_cap = 0

    def error(self, code: str, expr: str) -> PatternError:
        return PatternError(self.s, code, expr)

    def rune(self, i: int, end: int | None = None) -> str:
        """The character at i; a lone surrogate is Go's invalid UTF-8."""
        c = self.s[i]
        if _is_surrogate(c):
            raise self.error(ERR_INVALID_UTF8, self.s[i:end])
        return c

    # stack manipulation

    def push(self, node: _Node) -> None:
        self.stack.append(node)

    def literal(self, c: str) -> None:
        self.push(_Lit(ord(c), bool(self.flags & _FOLD)))

    def top_is_operand(self) -> bool:
        return bool(self.stack) and not isinstance(self.stack[-1], (_LeftParen, _Bar))

    def concat(self) -> None:
        """Replace the nodes above the topmost pseudo-node with their concatenation."""
        i = len(self.stack)
        while i > 0 and not isinstance(self.stack[i - 1], (_LeftParen, _Bar)):
            i -= 1
        subs = self.stack[i:]
        del self.stack[i:]
        if not subs:
            self.push(_Empty())
        elif len(subs) == 1:
            self.push(subs[0])
        else:
            self.push(_Concat(subs))

    def vertical_bar(self) -> None:
        self.concat()
        node = self.stack.pop()
        if self.stack and isinstance(self.stack[-1], _Bar):
            self.stack[-1].alts.append(node)
        else:
            self.push(_Bar([node]))

    def alternate(self) -> None:
        """Close the alternation above the topmost `(` (after `concat`)."""
        if len(self.stack) >= 2 and isinstance(self.stack[-2], _Bar):
            node = self.stack.pop()
            bar = self.stack.pop()
            assert isinstance(bar, _Bar)
            self.push(_Alternate([*bar.alts, node]))

    def right_paren(self) -> None:
        self.concat()
        self.alternate()
        if len(self.stack) < 2 or not isinstance(self.stack[-2], _LeftParen):
            raise self.error(ERR_UNEXPECTED_PAREN, self.s)
        sub = self.stack.pop()
        paren = self.stack.pop()
        assert isinstance(paren, _LeftParen)
        self.flags = paren.flags
        self.push(sub if paren.index == 0 else _Capture(paren.index, paren.name, sub))

    def repeat(self, lo: int, hi: int, counted: bool, before: int, after: int, last_repeat: int) -> int:
        """Apply a repetition to the top node; before/after bound the operator in s."""
        flags = self.flags
        if after < self.n and self.s[after] == "?":
            after += 1
            flags ^= _NON_GREEDY
        if last_repeat >= 0:
            # Perl forbids stacked repetition (`a**`), and `a*+` is possessive there.
            raise self.error(ERR_INVALID_REPEAT_OP, self.s[last_repeat:after])
        if not self.top_is_operand():
            raise self.error(ERR_MISSING_REPEAT_ARGUMENT, self.s[before:after])
        node = _Repeat(lo, hi, not flags & _NON_GREEDY, counted, self.stack.pop())
        self.push(node)
        if counted and (lo >= 2 or hi >= 2) and not _repeat_is_valid(node, 1000):
            raise self.error(ERR_INVALID_REPEAT_SIZE, self.s[before:after])
        return after


def _repeat_is_valid(node: _Node, n: int) -> bool:
    """Go's `repeatIsValid`: nested counted repetitions multiply to at most n copies."""
    if isinstance(node, _Repeat) and node.counted:
        m = node.max
        if m == 0:
            return True
        if m < 0:
            m = node.min
        if m > n:
            return False
        if m > 0:
            n //= m
    if isinstance(node, (_Repeat, _Capture)):
        return _repeat_is_valid(node.sub, n)
    if isinstance(node, (_Concat, _Alternate)):
        return all(_repeat_is_valid(sub, n) for sub in node.subs)
    return True
