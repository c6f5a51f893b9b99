"""Writing a decrypted tree as YAML, byte for byte as sops 3.x's YAML store does.

sops turns each document's tree into go-yaml v3 nodes (``appendTreeBranch``:
comments before the first entry head the mapping, later ones head the next
key, inline ones become the value's line comment, trailing ones the last
key's foot) and encodes them with a go-yaml v3 ``Encoder`` set to an indent
of 4, documents separated by ``---``. Each scalar is first encoded on its own
(``Node.Encode``), which fixes its style: plain when it reads back as the same
string, a literal block when it has a line break, double-quoted otherwise,
with the emitter's own fallbacks (single quotes, double quotes). This module
reproduces that chain: `_nodes` builds the nodes, `_Events` walks them as
go-yaml's encoder does (moving foot comments of keys to the next key as
"tail" comments), and `_Emitter` is a port of the parts of go-yaml's
``emitterc.go`` those events reach: block mappings and sequences, ``[]`` and
``{}`` for empty ones, the four scalar styles, complex keys, and head, line,
foot and tail comments. Lines are never folded (go-yaml v3 sets no width).
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fluxpy.sops import yaml_resolve
from fluxpy.sops.tree import Branch
from fluxpy.sops.values import Comment, InlineComment, Timestamp

__all__ = ["emit_yaml", "go_format_g"]

Fail = Callable[[str], Exception]

_INDENT = 4
# go-yaml's short escapes in double-quoted scalars; every other escaped rune is \xXX, \uXXXX or \UXXXXXXXX.
_ESCAPES = {0x00: "0", 0x07: "a", 0x08: "b", 0x09: "t", 0x0A: "n", 0x0B: "v", 0x0C: "f", 0x0D: "r",
            0x1B: "e", 0x22: '"', 0x5C: "\\", 0x85: "N", 0xA0: "_", 0x2028: "L", 0x2029: "P"}
_BREAKS = "\r\n\x85\u2028\u2029"
_PLAIN, _SINGLE, _DOUBLE, _LITERAL = "", "'", '"', "|"
_BINARY_TAG = "!!binary"
_BASE60_FLOAT = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
# YAML 1.1 booleans: go-yaml still quotes them so older parsers read strings.
_OLD_BOOLS = frozenset(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off",
                        "OFF"])


def go_format_g(f: float) -> str:
    """strconv.FormatFloat(f, 'g', -1, 64) as go-yaml writes floats (``.inf``, ``-.inf``, ``.nan``)."""
    if math.isnan(f):
        return ".nan"
    if math.isinf(f):
        return ".inf" if f > 0 else "-.inf"
    if f == 0:
        return "-0" if math.copysign(1, f) < 0 else "0"
    sign, digits_t, exponent = Decimal(repr(f)).as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digits_t))
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    digits = stripped
    point = len(digits) + exponent  # where the decimal point goes
    x = point - 1
    minus = "-" if sign else ""
    if x < -4 or x >= 6:  # shortest %g switches to %e outside [1e-4, 1e6)
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{minus}{mantissa}e{'-' if x < 0 else '+'}{abs(x):02d}"
    if point <= 0:
        return f"{minus}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return minus + digits + "0" * (point - len(digits))
    return f"{minus}{digits[:point]}.{digits[point:]}"


# --- nodes ----------------------------------------------------------------------------------------


@dataclass
class _Node:
    kind: str  # "mapping", "sequence", "scalar"
    value: str = ""
    style: str = _PLAIN
    tag: str = ""
    head: str = ""
    line: str = ""
    foot: str = ""
    content: list[_Node] = field(default_factory=list)


def _printable(ch: str) -> bool:
    cp = ord(ch)
    return (cp == 0x0A or 0x20 <= cp <= 0x7E or 0xA0 <= cp <= 0xD7FF
            or (0xE000 <= cp <= 0xFFFD and cp != 0xFEFF))


@dataclass
class _Analysis:
    """go-yaml's ``scalar_data`` after ``yaml_emitter_analyze_scalar``."""

    empty: bool = True
    multiline: bool = False
    flow_plain: bool = False
    block_plain: bool = True
    single_quoted: bool = True
    block: bool = False


def _analyze(value: str) -> _Analysis:
    if not value:
        return _Analysis()
    block_indicators = flow_indicators = line_breaks = special = tabs = False
    leading_space = leading_break = trailing_space = trailing_break = break_space = space_break = False
    previous_space = previous_break = False
    if value.startswith(("---", "...")):
        block_indicators = flow_indicators = True
    preceded_by_whitespace = True
    last = len(value) - 1
    for i, ch in enumerate(value):
        followed_by_whitespace = i == last or value[i + 1] in " \t"
        if i == 0:
            if ch in "#,[]{}&*!|>'\"%@`":
                flow_indicators = block_indicators = True
            elif ch in "?:":
                flow_indicators = True
                block_indicators = block_indicators or followed_by_whitespace
            elif ch == "-" and followed_by_whitespace:
                flow_indicators = block_indicators = True
        else:
            if ch in ",?[]{}":
                flow_indicators = True
            elif ch == ":":
                flow_indicators = True
                block_indicators = block_indicators or followed_by_whitespace
            elif ch == "#" and preceded_by_whitespace:
                flow_indicators = block_indicators = True
        if ch == "\t":
            tabs = True
        elif not _printable(ch):
            special = True
        if ch == " ":
            leading_space = leading_space or i == 0
            trailing_space = trailing_space or i == last
            break_space = break_space or previous_break
            previous_space, previous_break = True, False
        elif ch in _BREAKS:
            line_breaks = True
            leading_break = leading_break or i == 0
            trailing_break = trailing_break or i == last
            space_break = space_break or previous_space
            previous_space, previous_break = False, True
        else:
            previous_space = previous_break = False
        preceded_by_whitespace = ch in " \t\0" or ch in _BREAKS
    a = _Analysis(empty=False, multiline=line_breaks, flow_plain=True, block_plain=True, single_quoted=True, block=True)
    if leading_space or leading_break or trailing_space or trailing_break:
        a.flow_plain = a.block_plain = False
    if trailing_space:
        a.block = False
    if break_space:
        a.flow_plain = a.block_plain = a.single_quoted = False
    if space_break or tabs or special:
        a.flow_plain = a.block_plain = a.single_quoted = False
    if space_break or special:
        a.block = False
    if line_breaks:
        a.flow_plain = a.block_plain = False
    if flow_indicators:
        a.flow_plain = False
    if block_indicators:
        a.block_plain = False
    return a


def _base64_lines(data: bytes) -> str:
    """go-yaml's ``encodeBase64``: 70-character lines, each ending in a newline once there are several."""
    text = base64.b64encode(data).decode("ascii")
    if len(text) < 70:
        return text
    return "".join(text[i:i + 70] + "\n" for i in range(0, len(text), 70))


def _scalar(value: Any) -> _Node:
    """``Node.Encode(value)``: the scalar node go-yaml gets back from encoding `value` on its own."""
    if value is None:
        return _Node("scalar", "null")
    if isinstance(value, bool):
        return _Node("scalar", "true" if value else "false")
    if isinstance(value, int):
        return _Node("scalar", str(value))
    if isinstance(value, float):
        return _Node("scalar", go_format_g(value))
    if isinstance(value, Timestamp):
        return _Node("scalar", str(value))  # time.Time: RFC 3339 with nanoseconds, plain
    if isinstance(value, bytes):
        raw = value
    else:
        text = str(value)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # bytes that were not UTF-8 (kept as surrogate escapes)
            raw = text.encode("utf-8", errors="surrogateescape")
        else:
            if text == "<<":  # written plain, it reads back as a merge key, which go-yaml then tags
                return _Node("scalar", text, _PLAIN, tag="!!merge")
            return _Node("scalar", text, _string_style(text))
    # Invalid UTF-8 cannot be written as YAML text: go-yaml writes it as !!binary base64.
    encoded = _base64_lines(raw)
    return _Node("scalar", encoded, _LITERAL if "\n" in encoded else _PLAIN, tag=_BINARY_TAG)


def _base60_float(s: str) -> bool:
    return bool(s and s[0] in "+-0123456789" and ":" in s and _BASE60_FLOAT.fullmatch(s))


def _string_style(s: str) -> str:
    """go-yaml's ``stringv`` style, then the emitter's fallback, as a standalone root scalar."""
    if "\n" in s:
        style = _LITERAL
    elif yaml_resolve.resolve(s)[0] == yaml_resolve.STR and not (_base60_float(s) or s in _OLD_BOOLS):
        style = _PLAIN
    else:
        style = _DOUBLE
    return _fallback(style, _analyze(s), simple_key=False)


def _fallback(style: str, a: _Analysis, *, simple_key: bool) -> str:
    """``yaml_emitter_select_scalar_style`` in block context for an untagged, implicit scalar."""
    if simple_key and a.multiline:
        style = _DOUBLE
    if style == _PLAIN and (not a.block_plain or (a.empty and simple_key)):
        style = _SINGLE
    if style == _SINGLE and not a.single_quoted:
        style = _DOUBLE
    if style == _LITERAL and (not a.block or simple_key):
        style = _DOUBLE
    return style


def _join(comments: list[str]) -> str:
    return "#" + "\n#".join(comments)


def _add_head(node: _Node, comments: list[str]) -> None:
    if comments:
        node.head = _join(comments) + ("\n" + node.head if node.head else "")


def _add_foot(node: _Node, comments: list[str]) -> None:
    if comments:
        node.foot = (node.foot + "\n" if node.foot else "") + _join(comments)


def _add_line(node: _Node, comments: list[str]) -> None:
    if comments:
        node.line = (node.line + "\n" if node.line else "") + _join(comments)


def _value_node(value: Any, fail: Fail) -> _Node:
    if isinstance(value, (Branch, dict)):
        node = _Node("mapping")
        _mapping(value if isinstance(value, Branch) else Branch(value.items()), node, fail)
        return node
    if isinstance(value, list):
        node = _Node("sequence")
        _sequence(value, node, fail)
        return node
    return _scalar(value)


def _sequence(items: list[Any], node: _Node, fail: Fail) -> None:
    """sops's ``appendSequence``."""
    heads: list[str] = []
    inlines: list[str] = []
    beginning = True
    for item in items:
        if isinstance(item, Comment):
            (inlines if isinstance(item, InlineComment) else heads).append(str(item))
            continue
        if beginning:
            _add_head(node, heads)
            heads, beginning = [], False
        child = _value_node(item, fail)
        _add_head(child, heads)
        _add_line(child, inlines)
        heads, inlines = [], []
        node.content.append(child)
    heads += inlines
    if heads:
        if beginning:
            _add_head(node, heads)
        else:
            _add_foot(node.content[-1], heads)


def _mapping(branch: Branch, node: _Node, fail: Fail) -> None:
    """sops's ``appendTreeBranch``."""
    heads: list[str] = []
    inlines: list[str] = []
    beginning = True
    for key, value in branch:
        if isinstance(key, Comment):
            (inlines if isinstance(key, InlineComment) else heads).append(str(key))
            continue
        if beginning:
            _add_head(node, heads)
            heads, beginning = [], False
        key_node = _scalar(key)
        _add_head(key_node, heads)
        value_node = _value_node(value, fail)
        _add_line(value_node, inlines)
        heads, inlines = [], []
        node.content += [key_node, value_node]
    heads += inlines
    if heads:
        if beginning:
            _add_head(node, heads)
        else:
            _add_foot(node.content[-2], heads)


# --- events ---------------------------------------------------------------------------------------


@dataclass
class _Event:
    kind: str  # document_start, document_end, mapping_start, mapping_end, sequence_start, sequence_end, scalar
    value: str = ""
    style: str = _PLAIN
    tag: str = ""
    head: str = ""
    line: str = ""
    foot: str = ""
    tail: str = ""


def _events(node: _Node, tail: str, out: list[_Event]) -> None:
    """go-yaml's ``encoder.node``: a key's foot comment travels to the next key (or the end) as a tail."""
    if node.kind == "sequence":
        out.append(_Event("sequence_start", head=node.head))
        for child in node.content:
            _events(child, "", out)
        out.append(_Event("sequence_end", line=node.line, foot=node.foot))
    elif node.kind == "mapping":
        out.append(_Event("mapping_start", head=node.head, tail=tail))
        tail = ""
        for key, value in zip(node.content[::2], node.content[1::2], strict=True):
            foot = key.foot
            if foot:
                key = _Node(key.kind, key.value, key.style, key.tag, key.head, key.line, "", key.content)
            _events(key, tail, out)
            tail = foot
            _events(value, "", out)
        out.append(_Event("mapping_end", tail=tail, line=node.line, foot=node.foot))
    else:
        out.append(_Event("scalar", node.value, node.style, node.tag, node.head, node.line, node.foot, tail))


# --- the emitter ------------------------------------------------------------------------------------

_DOCUMENT_START, _DOCUMENT_CONTENT, _DOCUMENT_END = "document-start", "document-content", "document-end"
_BLOCK_SEQUENCE_FIRST_ITEM, _BLOCK_SEQUENCE_ITEM = "block-sequence-first-item", "block-sequence-item"
_BLOCK_MAPPING_FIRST_KEY, _BLOCK_MAPPING_KEY = "block-mapping-first-key", "block-mapping-key"
_BLOCK_MAPPING_SIMPLE_VALUE, _BLOCK_MAPPING_VALUE = "block-mapping-simple-value", "block-mapping-value"
_FLOW_SEQUENCE_FIRST_ITEM, _FLOW_MAPPING_FIRST_KEY = "flow-sequence-first-item", "flow-mapping-first-key"


class _Emitter:
    """A port of go-yaml v3's emitter for the events sops's nodes produce (no anchors, no flow content)."""

    def __init__(self, events: list[_Event]) -> None:
        self.events = events
        self.pos = 0
        self.out: list[str] = []
        self.state = _DOCUMENT_START
        self.states: list[str] = []
        self.first_document = True
        self.indent = -1
        self.indents: list[int] = []
        self.flow_level = 0
        self.root = self.sequence = self.mapping = self.simple_key = False
        self.column = 0
        self.whitespace = self.indention = True
        self.foot_indent = -1
        self.head = self.line = self.foot = self.tail = self.key_line = ""
        self.value = ""
        self.analysis = _Analysis()
        self.style = _PLAIN
        self.tag = ""

    def run(self) -> str:
        handlers: dict[str, Callable[[_Event], None]] = {
            _DOCUMENT_START: self.document_start, _DOCUMENT_CONTENT: self.document_content,
            _DOCUMENT_END: self.document_end,
            _BLOCK_SEQUENCE_FIRST_ITEM: lambda e: self.block_sequence_item(e, first=True),
            _BLOCK_SEQUENCE_ITEM: lambda e: self.block_sequence_item(e, first=False),
            _BLOCK_MAPPING_FIRST_KEY: lambda e: self.block_mapping_key(e, first=True),
            _BLOCK_MAPPING_KEY: lambda e: self.block_mapping_key(e, first=False),
            _BLOCK_MAPPING_SIMPLE_VALUE: lambda e: self.block_mapping_value(e, simple=True),
            _BLOCK_MAPPING_VALUE: lambda e: self.block_mapping_value(e, simple=False),
            _FLOW_SEQUENCE_FIRST_ITEM: lambda e: self.flow_end(e, "[", "]"),
            _FLOW_MAPPING_FIRST_KEY: lambda e: self.flow_end(e, "{", "}"),
        }
        while self.pos < len(self.events):
            event = self.events[self.pos]
            self.analyze(event)
            handlers[self.state](event)
            self.pos += 1
        return "".join(self.out)

    # --- output primitives ------------------------------------------------------------------

    def put(self, text: str) -> None:
        self.out.append(text)
        self.column += len(text)

    def put_break(self) -> None:
        self.out.append("\n")
        self.column = 0
        self.indention = True

    def write_break(self, ch: str) -> None:
        if ch == "\n":
            self.put_break()
        else:
            self.out.append(ch)
            self.column = 0
            self.indention = True

    def write_indent(self) -> None:
        indent = max(self.indent, 0)
        if not self.indention or self.column > indent or (self.column == indent and not self.whitespace):
            self.put_break()
        if self.foot_indent == indent:
            self.put_break()
        if self.column < indent:
            self.put(" " * (indent - self.column))
        self.whitespace = True
        self.foot_indent = -1

    def write_indicator(self, indicator: str, *, need_whitespace: bool, is_whitespace: bool,
                        is_indention: bool) -> None:
        if need_whitespace and not self.whitespace:
            self.put(" ")
        self.put(indicator)
        self.whitespace = is_whitespace
        self.indention = self.indention and is_indention

    def write_comment(self, comment: str) -> None:
        breaks = pound = False
        for ch in comment:
            if ch in _BREAKS:
                self.write_break(ch)
                breaks, pound = True, False
                continue
            if breaks:
                self.write_indent()
            if not pound:
                if ch != "#":
                    self.put("# ")
                pound = True
            self.put(ch)
            self.indention = breaks = False
        if not breaks:
            self.put_break()
        self.whitespace = True

    # --- comments ---------------------------------------------------------------------------

    def analyze(self, event: _Event) -> None:
        self.tag = ""
        self.value = ""
        if event.head:
            self.head = event.head
        if event.line:
            self.line = event.line
        if event.foot:
            self.foot = event.foot
        if event.tail:
            self.tail = event.tail
        if event.kind == "scalar":
            self.tag = event.tag
            self.value = event.value
            self.analysis = _analyze(event.value)

    def process_head_comment(self) -> None:
        if self.tail:
            self.write_indent()
            self.write_comment(self.tail)
            self.tail = ""
            self.foot_indent = max(self.indent, 0)
        if not self.head:
            return
        self.write_indent()
        self.write_comment(self.head)
        self.head = ""

    def process_line_comment(self) -> None:
        if not self.line:
            return
        if not self.whitespace:
            self.put(" ")
        self.write_comment(self.line)
        self.line = ""

    def process_foot_comment(self) -> None:
        if not self.foot:
            return
        self.write_indent()
        self.write_comment(self.foot)
        self.foot = ""
        self.foot_indent = max(self.indent, 0)

    # --- states -------------------------------------------------------------------------------

    def pop_state(self) -> None:
        self.state = self.states.pop()

    def increase_indent(self, *, flow: bool) -> None:
        self.indents.append(self.indent)
        if self.indent < 0:
            self.indent = _INDENT if flow else 0
        elif self.states and self.states[-1] == _BLOCK_SEQUENCE_ITEM:
            self.indent += 2  # the first indent inside a sequence skips the "- "
        else:
            self.indent = _INDENT * ((self.indent + _INDENT) // _INDENT)

    def document_start(self, event: _Event) -> None:
        assert event.kind == "document_start"
        if not self.first_document:
            self.write_indent()
            self.write_indicator("---", need_whitespace=True, is_whitespace=False, is_indention=False)
            self.write_indent()
        self.first_document = False
        if self.head:
            self.process_head_comment()
            self.put_break()
        self.state = _DOCUMENT_CONTENT

    def document_content(self, event: _Event) -> None:
        self.states.append(_DOCUMENT_END)
        self.process_head_comment()
        self.node(event, root=True)
        self.process_line_comment()
        self.process_foot_comment()

    def document_end(self, event: _Event) -> None:
        assert event.kind == "document_end"
        self.foot_indent = 0
        self.process_foot_comment()
        self.foot_indent = -1
        self.write_indent()
        self.state = _DOCUMENT_START

    def block_sequence_item(self, event: _Event, *, first: bool) -> None:
        if first:
            self.increase_indent(flow=False)
        if event.kind == "sequence_end":
            self.indent = self.indents.pop()
            self.pop_state()
            return
        self.process_head_comment()
        self.write_indent()
        self.write_indicator("-", need_whitespace=True, is_whitespace=False, is_indention=True)
        self.states.append(_BLOCK_SEQUENCE_ITEM)
        self.node(event, sequence=True)
        self.process_line_comment()
        self.process_foot_comment()

    def block_mapping_key(self, event: _Event, *, first: bool) -> None:
        if first:
            self.increase_indent(flow=False)
        self.process_head_comment()
        if event.kind == "mapping_end":
            self.indent = self.indents.pop()
            self.pop_state()
            return
        self.write_indent()
        if self.line:
            self.key_line, self.line = self.line, ""
        if self.check_simple_key(event):
            self.states.append(_BLOCK_MAPPING_SIMPLE_VALUE)
            self.node(event, mapping=True, simple_key=True)
        else:
            self.write_indicator("?", need_whitespace=True, is_whitespace=False, is_indention=True)
            self.states.append(_BLOCK_MAPPING_VALUE)
            self.node(event, mapping=True)

    def block_mapping_value(self, event: _Event, *, simple: bool) -> None:
        if simple:
            self.write_indicator(":", need_whitespace=False, is_whitespace=False, is_indention=False)
        else:
            self.write_indent()
            self.write_indicator(":", need_whitespace=True, is_whitespace=False, is_indention=True)
        if self.key_line:
            if event.kind == "scalar":
                if not self.line:
                    self.line, self.key_line = self.key_line, ""
            elif event.kind in ("mapping_start", "sequence_start"):
                self.line, self.key_line = self.key_line, self.line
                self.process_line_comment()
                self.line, self.key_line = self.key_line, self.line
        self.states.append(_BLOCK_MAPPING_KEY)
        self.node(event, mapping=True)
        self.process_line_comment()
        self.process_foot_comment()

    def flow_end(self, event: _Event, opener: str, closer: str) -> None:
        """An empty collection: go-yaml writes ``[]`` or ``{}`` through its flow states."""
        self.write_indicator(opener, need_whitespace=True, is_whitespace=True, is_indention=False)
        self.increase_indent(flow=True)
        self.flow_level += 1
        assert event.kind in ("sequence_end", "mapping_end")
        if closer == "}":
            self.process_head_comment()
        self.flow_level -= 1
        self.indent = self.indents.pop()
        if closer == "]" and self.column == 0:
            self.write_indent()
        self.write_indicator(closer, need_whitespace=False, is_whitespace=False, is_indention=False)
        self.process_line_comment()
        self.process_foot_comment()
        self.pop_state()

    def check_simple_key(self, event: _Event) -> bool:
        if event.kind == "scalar":
            if self.analysis.multiline:
                return False
            return len(self.tag) + len(self.value.encode("utf-8", errors="surrogateescape")) <= 128
        if event.kind in ("sequence_start", "mapping_start"):
            return self.check_empty(event.kind)
        return False

    def check_empty(self, kind: str) -> bool:
        end = "sequence_end" if kind == "sequence_start" else "mapping_end"
        nxt = self.events[self.pos + 1] if self.pos + 1 < len(self.events) else None
        return nxt is not None and nxt.kind == end

    def node(self, event: _Event, *, root: bool = False, sequence: bool = False, mapping: bool = False,
             simple_key: bool = False) -> None:
        self.root, self.sequence, self.mapping, self.simple_key = root, sequence, mapping, simple_key
        if event.kind == "scalar":
            self.scalar(event)
        elif event.kind == "sequence_start":
            self.state = _FLOW_SEQUENCE_FIRST_ITEM if self.check_empty(event.kind) else _BLOCK_SEQUENCE_FIRST_ITEM
        elif event.kind == "mapping_start":
            self.state = _FLOW_MAPPING_FIRST_KEY if self.check_empty(event.kind) else _BLOCK_MAPPING_FIRST_KEY
        else:  # pragma: no cover - the event walk never produces anything else here
            raise AssertionError(f"unexpected {event.kind}")

    # --- scalars -----------------------------------------------------------------------------

    def scalar(self, event: _Event) -> None:
        style = event.style
        a = self.analysis
        if not self.tag:
            style = _fallback(style, a, simple_key=self.simple_key)
        else:  # !!binary or !!merge: tagged, so neither implicit flag is set
            if self.simple_key and a.multiline:
                style = _DOUBLE
            if style == _PLAIN and (not a.block_plain or (a.empty and self.simple_key)):
                style = _SINGLE
            if style == _SINGLE and not a.single_quoted:
                style = _DOUBLE
            if style == _LITERAL and (not a.block or self.simple_key):
                style = _DOUBLE
            if not self.whitespace:
                self.put(" ")
            self.put(self.tag)
            self.whitespace = self.indention = False
        self.increase_indent(flow=True)
        if style == _PLAIN:
            self.write_plain(self.value)
        elif style == _SINGLE:
            self.write_single(self.value)
        elif style == _DOUBLE:
            self.write_double(self.value)
        else:
            self.write_literal(self.value)
        self.indent = self.indents.pop()
        self.pop_state()

    def write_plain(self, value: str) -> None:
        if value and not self.whitespace:
            self.put(" ")
        self.put(value)
        if value:
            self.whitespace = False
        self.indention = False

    def write_single(self, value: str) -> None:
        self.write_indicator("'", need_whitespace=True, is_whitespace=False, is_indention=False)
        breaks = False
        for ch in value:
            if ch in _BREAKS:
                if not breaks and ch == "\n":
                    self.put_break()
                self.write_break(ch)
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                self.put("''" if ch == "'" else ch)
                self.indention = breaks = False
        self.write_indicator("'", need_whitespace=False, is_whitespace=False, is_indention=False)
        self.whitespace = self.indention = False

    def write_double(self, value: str) -> None:
        self.write_indicator('"', need_whitespace=True, is_whitespace=False, is_indention=False)
        bom = value.startswith("\ufeff")  # go-yaml's is_bom looks at the start of the value, not the rune
        parts: list[str] = []
        for ch in value:
            cp = ord(ch)
            if not _printable(ch) or bom or ch in _BREAKS or ch in '"\\':
                if cp in _ESCAPES:
                    parts.append("\\" + _ESCAPES[cp])
                elif cp <= 0xFF:
                    parts.append(f"\\x{cp:02X}")
                elif cp <= 0xFFFF:
                    parts.append(f"\\u{cp:04X}")
                else:
                    parts.append(f"\\U{cp:08X}")
            else:
                parts.append(ch)
        self.put("".join(parts))
        self.write_indicator('"', need_whitespace=False, is_whitespace=False, is_indention=False)
        self.whitespace = self.indention = False

    def write_literal(self, value: str) -> None:
        self.write_indicator("|", need_whitespace=True, is_whitespace=False, is_indention=False)
        if value and (value[0] == " " or value[0] in _BREAKS):
            self.write_indicator(str(_INDENT), need_whitespace=False, is_whitespace=False, is_indention=False)
        chomp = ""
        if not value or value[-1] not in _BREAKS:
            chomp = "-"
        elif len(value) == 1 or value[-2] in _BREAKS:
            chomp = "+"
        if chomp:
            self.write_indicator(chomp, need_whitespace=False, is_whitespace=False, is_indention=False)
        self.process_line_comment()
        self.whitespace = True
        breaks = True
        for ch in value:
            if ch in _BREAKS:
                self.write_break(ch)
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                self.put(ch)
                self.indention = breaks = False


def emit_yaml(branches: list[Branch], fail: Fail) -> bytes:
    """The documents as sops's YAML store writes them (``sops --decrypt`` of a YAML file).

    Args:
        branches: one tree per document (keys may be `Comment` entries;
            `InlineComment` ones were on the line of the value that follows).
        fail: makes the error for a reason.

    Returns:
        The UTF-8 text, each document a block mapping with a 4-space indent.
    """
    events: list[_Event] = []
    for branch in branches:
        root = _Node("mapping")
        _mapping(branch, root, fail)
        events.append(_Event("document_start"))
        _events(root, "", events)
        events.append(_Event("document_end"))
    return _Emitter(events).run().encode("utf-8", errors="surrogateescape")
