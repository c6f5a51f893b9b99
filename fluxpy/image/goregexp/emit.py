"""Writing the parse tree back out as a Python `re` pattern that means the same.

Every construct is spelled explicitly, with no pattern-wide flags: anchors
as `^`/`\\Z`/`(?m:^)`, classes as code-point ranges, flags as scoped groups,
and named groups renamed `_<index>_<name>`.
"""

from __future__ import annotations

import re

from fluxpy.image.goregexp.tree import (
    _Alternate,
    _Assert,
    _Capture,
    _Class,
    _Concat,
    _Dot,
    _Empty,
    _Lit,
    _Node,
    _Ranges,
    _Repeat,
)

# --- writing the tree as a Python pattern ----------------------------------------

def _py_char(cp: int, in_class: bool) -> str:
    c = chr(cp)
    if c.isascii() and (c.isalnum() or c == "_"):
        return c
    if not in_class and 0x20 <= cp < 0x7F:
        return re.escape(c)
    return f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"


def _py_class(ranges: _Ranges, negate: bool) -> str:
    if not ranges:
        # Python has no empty class: spell "nothing" and "anything" as full ranges.
        return "[\\x00-\\U0010ffff]" if negate else "[^\\x00-\\U0010ffff]"
    body = "".join(
        _py_char(lo, True) if lo == hi else f"{_py_char(lo, True)}-{_py_char(hi, True)}"
        for lo, hi in ranges
    )
    return f"[^{body}]" if negate else f"[{body}]"


def _emit(node: _Node, names: list[str]) -> str:
    """The Python pattern for node; `names` collects the Go group names by index."""
    if isinstance(node, _Lit):
        text = _py_char(node.char, False)
        return f"(?i:{text})" if node.fold and chr(node.char).lower() != chr(node.char).upper() else text
    if isinstance(node, _Class):
        text = _py_class(node.ranges, node.negate)
        return f"(?i:{text})" if node.fold else text
    if isinstance(node, _Dot):
        return "[\\x00-\\U0010ffff]" if node.newline else "[^\\n]"
    if isinstance(node, _Assert):
        return node.text
    if isinstance(node, _Empty):
        return ""
    if isinstance(node, _Capture):
        names[node.index] = node.name
        inner = _emit(node.sub, names)
        return f"(?P<_{node.index}_{node.name}>{inner})" if node.name else f"({inner})"
    if isinstance(node, _Concat):
        return "".join(_emit_concat_part(sub, names) for sub in _merge_literals(node.subs))
    if isinstance(node, _Alternate):
        return "|".join(_emit(sub, names) for sub in node.subs)
    if isinstance(node, _Repeat):
        inner = _emit(node.sub, names)
        if not _is_atom(node.sub):
            inner = f"(?:{inner})"
        if (node.min, node.max) == (0, -1):
            op = "*"
        elif (node.min, node.max) == (1, -1):
            op = "+"
        elif (node.min, node.max) == (0, 1):
            op = "?"
        elif node.max == -1:
            op = f"{{{node.min},}}"
        elif node.min == node.max:
            op = f"{{{node.min}}}"
        else:
            op = f"{{{node.min},{node.max}}}"
        return inner + op + ("" if node.greedy else "?")
    if isinstance(node, _LiteralRun):
        text = "".join(_py_char(c, False) for c in node.chars)
        return f"(?i:{text})" if node.fold else text
    raise AssertionError(f"unexpected node {node!r}")  # pragma: no cover


class _LiteralRun(_Node):
    """Consecutive literals with the same folding, written as one string."""

    __slots__ = ("chars", "fold")

    def __init__(self, chars: list[int], fold: bool) -> None:
        self.chars, self.fold = chars, fold


def _merge_literals(subs: list[_Node]) -> list[_Node]:
    out: list[_Node] = []
    for sub in subs:
        if isinstance(sub, _Lit):
            last = out[-1] if out else None
            if isinstance(last, _LiteralRun) and last.fold == sub.fold:
                last.chars.append(sub.char)
                continue
            out.append(_LiteralRun([sub.char], sub.fold))
        else:
            out.append(sub)
    return out


def _emit_concat_part(node: _Node, names: list[str]) -> str:
    text = _emit(node, names)
    return f"(?:{text})" if isinstance(node, _Alternate) else text


def _is_atom(node: _Node) -> bool:
    """Whether Python can repeat the node's text as it stands."""
    if isinstance(node, _Lit):
        return True
    return isinstance(node, (_Class, _Dot, _Capture))
