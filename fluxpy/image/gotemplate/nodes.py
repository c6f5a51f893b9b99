"""The parse tree (Go's parse/node.go): node classes and number literals.

Each node keeps its byte offset (`pos`) for error locations and prints back as
template source (`str(node)`), because Go's exec errors quote the failing node
(`executing "msg" at <.Foo>`). `new_number` classifies a number, char or
complex literal as Go's `newNumber` does, so the executor can convert it to the
parameter type a function asks for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

from fluxpy.image.gotemplate.lex import _T
from fluxpy.image.gotemplate.strconv import _parse_go_float, _parse_go_int, _unquote, quote


class Node:
    pos: int

    def __str__(self) -> str:  # pragma: no cover - every node overrides it
        return ""


@dataclass(eq=False)
class FixedNode(Node):
    """A node that is only a position and prints as fixed source text (`.`, `nil`, `{{end}}`...)."""

    pos: int
    source: ClassVar[str] = ""

    def __str__(self) -> str:
        return self.source


@dataclass(eq=False)
class ListNode(Node):
    pos: int
    nodes: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        return "".join(str(n) for n in self.nodes)


@dataclass(eq=False)
class TextNode(Node):
    pos: int
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(eq=False)
class IdentifierNode(Node):
    pos: int
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(eq=False)
class VariableNode(Node):
    pos: int
    ident: list[str]

    def __str__(self) -> str:
        return ".".join(self.ident)


class DotNode(FixedNode):
    source = "."


class NilNode(FixedNode):
    source = "nil"


@dataclass(eq=False)
class FieldNode(Node):
    pos: int
    ident: list[str]

    def __str__(self) -> str:
        return "".join("." + i for i in self.ident)


@dataclass(eq=False)
class BoolNode(Node):
    pos: int
    value: bool

    def __str__(self) -> str:
        return "true" if self.value else "false"


@dataclass(eq=False)
class NumberNode(Node):
    pos: int
    text: str
    is_int: bool = False
    is_uint: bool = False
    is_float: bool = False
    int_value: int = 0
    float_value: float = 0.0

    def __str__(self) -> str:
        return self.text


@dataclass(eq=False)
class StringNode(Node):
    pos: int
    quoted: str
    text: str

    def __str__(self) -> str:
        return self.quoted


@dataclass(eq=False)
class CommandNode(Node):
    pos: int
    args: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        return " ".join(f"({a})" if isinstance(a, PipeNode) else str(a) for a in self.args)


@dataclass(eq=False)
class PipeNode(Node):
    pos: int
    line: int
    is_assign: bool = False
    decl: list[VariableNode] = field(default_factory=list)
    cmds: list[CommandNode] = field(default_factory=list)

    def __str__(self) -> str:
        head = ""
        if self.decl:
            head = ", ".join(str(v) for v in self.decl) + (" = " if self.is_assign else " := ")
        return head + " | ".join(str(c) for c in self.cmds)


@dataclass(eq=False)
class ChainNode(Node):
    pos: int
    node: Node
    fields: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        base = f"({self.node})" if isinstance(self.node, PipeNode) else str(self.node)
        return base + "".join("." + f for f in self.fields)


@dataclass(eq=False)
class ActionNode(Node):
    pos: int
    line: int
    pipe: PipeNode

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


@dataclass(eq=False)
class BranchNode(Node):
    kind: str  # "if", "range" or "with"
    pos: int
    line: int
    pipe: PipeNode
    list: ListNode
    else_list: ListNode | None

    def __str__(self) -> str:
        s = "{{" + self.kind + " " + str(self.pipe) + "}}" + str(self.list)
        if self.else_list is not None:
            s += "{{else}}" + str(self.else_list)
        return s + "{{end}}"


@dataclass(eq=False)
class TemplateNode(Node):
    pos: int
    line: int
    name: str
    pipe: PipeNode | None

    def __str__(self) -> str:
        if self.pipe is None:
            return "{{template " + quote(self.name) + "}}"
        return "{{template " + quote(self.name) + " " + str(self.pipe) + "}}"


class BreakNode(FixedNode):
    source = "{{break}}"


class ContinueNode(FixedNode):
    source = "{{continue}}"


class EndNode(FixedNode):
    source = "{{end}}"


class ElseNode(FixedNode):
    source = "{{else}}"


def new_number(pos: int, text: str, typ: _T) -> NumberNode:
    n = NumberNode(pos, text)
    if typ is _T.CHAR_CONSTANT:
        try:
            r = ord(_unquote(text))
        except ValueError as e:
            raise ValueError(f"malformed character constant: {text}") from e
        n.is_int = n.is_uint = n.is_float = True
        n.int_value, n.float_value = r, float(r)
        return n
    if typ is _T.COMPLEX or text.endswith("i"):
        raise ValueError(f"complex numbers are not supported: {quote(text)}")
    value = _parse_go_int(text)
    if value is not None and -(2**63) <= value < 2**64:
        if value < 2**63:
            n.is_int = True
        if value >= 0:
            n.is_uint = True
        n.int_value, n.float_value, n.is_float = value, float(value), True
        return n
    f = _parse_go_float(text)
    if f is not None:
        if not any(c in text for c in ".eEpP"):
            raise ValueError(f"integer overflow: {quote(text)}")
        n.is_float, n.float_value = True, f
        if math.isfinite(f) and f == int(f) and -(2**63) <= f < 2**63:
            n.is_int, n.int_value = True, int(f)
        return n
    raise ValueError(f"illegal number syntax: {quote(text)}")
