"""Parsing YAML into nodes with comments, as go-yaml v3 does for sops's YAML store.

sops keeps a YAML file's comments: its store turns go-yaml v3's ``HeadComment``,
``LineComment`` and ``FootComment`` on each node into comment entries of the
tree, in order, and those decide where each comment lands when the plaintext
is written back (`fluxpy.sops.yaml_out`). Which of the three a comment becomes
depends on go-yaml's own rules (blank lines, indentation, the token before
and after it), so this module reproduces them rather than approximating them:
PyYAML's pure-Python scanner, which follows libyaml exactly as go-yaml does,
gets go-yaml v3's comment scanning grafted on (`_Scanner`: the two-token
look-ahead, ``scan_comments``, ``scan_line_comment``, and block ends moved
before the foot comments of parent blocks); the event parser (`_Parser`) is a
port of go-yaml's ``parserc.go`` with its comment hand-off (``unfold``, stem
comments, head comments split at the document start), and `parse` builds
nodes as go-yaml's ``decode.go`` parser does, including how it moves foot
comments between keys and values. Directives are refused (sops never writes
them); anchors, aliases and tags are kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import yaml
from yaml.error import Mark
from yaml.reader import Reader
from yaml.scanner import Scanner, ScannerError
from yaml.tokens import (
    AliasToken,
    AnchorToken,
    BlockEndToken,
    BlockEntryToken,
    BlockMappingStartToken,
    BlockSequenceStartToken,
    DirectiveToken,
    DocumentEndToken,
    DocumentStartToken,
    FlowEntryToken,
    FlowMappingEndToken,
    FlowMappingStartToken,
    FlowSequenceEndToken,
    FlowSequenceStartToken,
    KeyToken,
    ScalarToken,
    StreamEndToken,
    StreamStartToken,
    TagToken,
    Token,
    ValueToken,
)

from fluxpy.sops.yaml_resolve import resolve

__all__ = ["ALIAS", "DOCUMENT", "MAPPING", "SCALAR", "SEQUENCE", "Node", "YamlSyntaxError", "parse"]

DOCUMENT, SEQUENCE, MAPPING, SCALAR, ALIAS = "document", "sequence", "mapping", "scalar", "alias"
_BREAKS = "\r\n\x85\u2028\u2029"
_BREAKZ = _BREAKS + "\0"
_TAG_PREFIX = "tag:yaml.org,2002:"


class YamlSyntaxError(Exception):
    """The text is not YAML go-yaml would read; the message has the 1-based line."""


@dataclass
class _Mark:
    index: int
    line: int
    column: int


@dataclass
class _Comment:
    """go-yaml's ``yaml_comment_t``."""

    scan: _Mark
    token: _Mark
    start: _Mark
    end: _Mark
    head: str = ""
    line: str = ""
    foot: str = ""


def _m(mark: Mark) -> _Mark:
    return _Mark(mark.index, mark.line, mark.column)


def _zero() -> _Mark:
    return _Mark(0, 0, 0)


class _Scanner(Reader, Scanner):
    """PyYAML's scanner with go-yaml v3's comment scanning."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        self.newlines = 0  # line breaks since the last non-blank character
        self.comments: list[_Comment] = []
        self.consumed: list[Token] = []  # the last tokens handed out (go-yaml's queue keeps them)
        Scanner.__init__(self)

    # --- reading ------------------------------------------------------------------------------

    def forward(self, length: int = 1) -> None:
        for _ in range(length):
            ch = self.buffer[self.pointer]
            if ch in "\n\x85\u2028\u2029" or (ch == "\r" and self.buffer[self.pointer + 1] != "\n"):
                self.newlines += 1
            elif ch not in " \t\r":
                self.newlines = 0
            Reader.forward(self, 1)

    def peek(self, index: int = 0) -> str:
        try:
            return str(self.buffer[self.pointer + index])
        except IndexError:
            return "\0"  # go-yaml reads NULs past the end

    def line_break(self) -> None:
        cast(Any, self).scan_line_break()

    def mark(self) -> _Mark:
        return _Mark(self.index, self.line, self.column)

    def queue(self) -> list[Token]:
        return [*self.consumed[-2:], *self.tokens]

    # --- the token queue ----------------------------------------------------------------------

    def need_more_tokens(self) -> bool:
        if self.done:
            return False
        if len(self.tokens) < 3:  # go-yaml looks two tokens ahead so foot comments are seen in time
            return True
        self.stale_possible_simple_keys()
        return bool(cast(Any, self).next_possible_simple_key() == self.tokens_taken)

    def get_token(self) -> Any:
        token = cast(Any, Scanner).get_token(self)
        if token is not None:
            self.consumed = [*self.consumed[-1:], token]
        return token

    def fetch_more_tokens(self) -> None:
        scan_mark = self.mark()
        self.scan_to_next_token()
        self.stale_possible_simple_keys()
        self.unroll_indent(self.column, scan_mark)
        ch = self.peek()
        if ch == "\0":
            self.fetch_stream_end()
            return
        if ch == "%" and cast(Any, self).check_directive():
            raise ScannerError(None, None, "sops YAML documents have no directives", self.get_mark())
        if ch == "-" and cast(Any, self).check_document_start():
            self.fetch_document_start()
            return
        if ch == "." and cast(Any, self).check_document_end():
            self.fetch_document_end()
            return
        comment_mark = self.mark()
        queue = self.queue()
        if queue and ((not self.flow_level and ch == ":") or (self.flow_level and ch == ",")):
            comment_mark = _m(queue[-1].start_mark)  # comments after ':' or ',' belong to the prior token
        self.fetch_token(ch)
        if not isinstance(self.queue()[-1], BlockEntryToken):  # a lone '-' has no line comment
            self.scan_line_comment(comment_mark)

    def fetch_token(self, ch: str) -> None:
        fetchers: dict[str, Callable[[], None]] = {
            "[": self.fetch_flow_sequence_start, "{": self.fetch_flow_mapping_start,
            "]": self.fetch_flow_sequence_end, "}": self.fetch_flow_mapping_end, ",": self.fetch_flow_entry,
            "*": self.fetch_alias, "&": self.fetch_anchor, "!": self.fetch_tag,
            "'": self.fetch_single, '"': self.fetch_double}
        if ch in fetchers:
            fetchers[ch]()
        elif ch == "-" and self.check_block_entry():
            self.fetch_block_entry()
        elif ch == "?" and self.check_key():
            self.fetch_key()
        elif ch == ":" and self.check_value():
            self.fetch_value()
        elif ch == "|" and not self.flow_level:
            self.fetch_literal()
        elif ch == ">" and not self.flow_level:
            self.fetch_folded()
        elif self.check_plain():
            self.fetch_plain()
        else:
            raise ScannerError("while scanning for the next token", None,
                               f"found character {ch!r} that cannot start any token", self.get_mark())

    def unwind_indent(self, column: Any) -> None:
        self.unroll_indent(column, self.mark())

    def unroll_indent(self, column: int, scan_mark: _Mark) -> None:
        """Close blocks, placing each BLOCK-END before the foot comments of the parent blocks."""
        if self.flow_level:
            return
        block_mark = _Mark(scan_mark.index - 1, scan_mark.line, scan_mark.column)
        while self.indent > column:
            stop_index = block_mark.index
            for comment in reversed(self.comments):
                if comment.end.index < stop_index:
                    break
                if comment.start.column == self.indent + 1:
                    block_mark = comment.start
                stop_index = comment.scan.index
            mark = Mark("<yaml>", block_mark.index, block_mark.line, block_mark.column, "", 0)
            self.tokens.append(BlockEndToken(mark, mark))
            self.indent = self.indents.pop()

    # --- comments ---------------------------------------------------------------------------

    def scan_to_next_token(self) -> None:
        scan_mark = self.mark()
        while True:
            if self.column == 0 and self.peek() == "\ufeff":
                self.forward()
            while self.peek() == " " or ((self.flow_level or not self.allow_simple_key) and self.peek() == "\t"):
                self.forward()
            queue = self.queue()
            if self.comments and len(queue) > 1:
                # "- # comment" over more content: the comment heads what follows.
                a, b, last = queue[-2], queue[-1], self.comments[-1]
                if (isinstance(a, BlockSequenceStartToken) and isinstance(b, BlockEntryToken) and last.line
                        and self.peek() not in _BREAKS):
                    last.head, last.line = last.line, ""
                    if last.start.line == self.line - 1:
                        last.token = self.mark()
            if self.peek() == "#":
                self.scan_comments(scan_mark)
            if self.peek() in _BREAKS:
                self.line_break()
                if not self.flow_level:
                    self.allow_simple_key = True
            else:
                break

    def _read_comment(self, seen: int) -> str:
        """Skip to index `seen` (across blank lines), then read the comment up to the line break."""
        text: list[str] = []
        while True:
            ch = self.peek()
            if ch in _BREAKZ:
                if self.index >= seen:
                    break
                self.line_break()
            elif self.index >= seen:
                text.append(ch)
                self.forward()
            else:
                self.forward()
        return "".join(text)

    def scan_line_comment(self, token_mark: _Mark) -> None:
        if self.newlines > 0:
            return
        for peek in range(512):
            ch = self.peek(peek)
            if ch in " \t":
                continue
            if ch == "#":
                start = _Mark(self.index + peek, self.line, self.column + peek)
                text = self._read_comment(self.index + peek)
                if text:
                    self.comments.append(_Comment(_zero(), token_mark, start, _zero(), line=text))
            break

    def scan_comments(self, scan_mark: _Mark) -> None:
        """go-yaml's ``yaml_parser_scan_comments``: split what follows into foot and head comments."""
        queue = self.queue()
        token = queue[-1]
        if isinstance(token, FlowEntryToken) and len(queue) > 1:
            token = queue[-2]
        token_mark = _m(token.start_mark)
        start = _zero()
        next_indent = max(self.indent, 0)
        recent_empty = False
        first_empty = self.newlines <= 1
        line, column = self.line, self.column
        text = ""
        foot_line = -1
        if scan_mark.line > 0:
            foot_line = self.line - self.newlines + 1
            if self.newlines == 0 and self.column > 1:
                foot_line += 1

        def foot_here(peek: int) -> None:
            nonlocal scan_mark, token_mark, text
            end = _Mark(self.index + peek, line, column)
            self.comments.append(_Comment(scan_mark, token_mark, start, end, foot=text))
            scan_mark = end
            token_mark = scan_mark
            text = ""

        peek = 0
        while peek < 512:
            column += 1
            ch = self.peek(peek)
            if ch in " \t":
                peek += 1
                continue
            close_flow = bool(self.flow_level) and ch in "]}"
            if close_flow or ch in _BREAKZ:
                if close_flow or not recent_empty:
                    if close_flow or (first_empty and ((start.line == foot_line and not isinstance(token, ValueToken))
                                                       or start.column - 1 < next_indent)):
                        # The comment right after content (or dedented, or closing a flow) is a foot.
                        if text:
                            if start.column - 1 < next_indent:
                                token_mark = start
                            foot_here(peek)
                    elif text and ch != "\0":
                        text += "\n"
                if ch not in _BREAKS:
                    break
                first_empty = False
                recent_empty = True
                column = 0
                line += 1
                peek += 1
                continue
            if text and (close_flow or (column - 1 < next_indent and column != start.column)):
                foot_here(peek)  # at another indentation: a foot of what precedes
            if ch != "#":
                break
            if not text:
                start = _Mark(self.index + peek, line, column)
            else:
                text += "\n"
            recent_empty = False
            text += self._read_comment(self.index + peek)
            # go-yaml resets its offset to 0 and the loop then steps past the line break.
            peek = 1
            column = 0
            line = self.line
            next_indent = max(self.indent, 0)
        if text:
            end = _Mark(self.index + peek - 1, line, column)
            self.comments.append(_Comment(scan_mark, start, start, end, head=text))

    def scan_block_scalar_ignored_line(self, start_mark: Any) -> None:
        while self.peek() in " \t":
            self.forward()
        if self.peek() == "#":
            self.scan_line_comment(_m(start_mark))
            while self.peek() not in _BREAKZ:
                self.forward()
        if self.peek() not in _BREAKZ:
            raise ScannerError("while scanning a block scalar", start_mark,
                               f"expected a comment or a line break, but found {self.peek()!r}", self.get_mark())
        self.line_break()


@dataclass
class _Event:
    kind: str
    mark: _Mark
    value: str = ""
    tag: str = ""
    anchor: str = ""
    style: str = ""  # scalars: "", "'", '"', "|", ">"; collections: "flow" or ""
    head: str = ""
    line: str = ""
    foot: str = ""


class _Parser:
    """go-yaml v3's ``parserc.go`` state machine over `_Scanner` tokens, with its comment hand-off."""

    def __init__(self, scanner: _Scanner) -> None:
        self.scanner = scanner
        self.comments_head = 0
        self.head = ""
        self.line = ""
        self.foot = ""
        self.stem = ""
        self.states: list[Callable[[], _Event]] = []
        self.state: Callable[[], _Event] | None = self.stream_start
        self.tag_handles = {"!": "!", "!!": _TAG_PREFIX}

    # --- tokens and comments --------------------------------------------------------------------

    def peek(self) -> Any:
        token = cast(Any, self.scanner).peek_token()
        self.unfold(token)
        return token

    def skip(self) -> Any:
        return self.scanner.get_token()

    def unfold(self, token: Any) -> None:
        comments = self.scanner.comments
        while self.comments_head < len(comments) and token.start_mark.index >= comments[self.comments_head].token.index:
            comment = comments[self.comments_head]
            if comment.head:
                if isinstance(token, BlockEndToken):
                    break  # no heads on ends: kept for the token that follows
                self.head = f"{self.head}\n{comment.head}" if self.head else comment.head
            if comment.foot:
                self.foot = f"{self.foot}\n{comment.foot}" if self.foot else comment.foot
            if comment.line:
                self.line = f"{self.line}\n{comment.line}" if self.line else comment.line
            comments[self.comments_head] = _Comment(_zero(), _zero(), _zero(), _zero())
            self.comments_head += 1

    def take_comments(self, event: _Event) -> _Event:
        event.head, event.line, event.foot = self.head, self.line, self.foot
        self.head = self.line = self.foot = self.stem = ""
        return event

    def split_stem(self, stem_len: int) -> None:
        """A head comment above '- ' followed by a nested block belongs to that block as a whole."""
        if stem_len == 0:
            return
        if not isinstance(self.peek(), (BlockSequenceStartToken, BlockMappingStartToken)):
            return
        self.stem = self.head[:stem_len]
        self.head = self.head[stem_len + 1:]

    def next_event(self) -> _Event | None:
        if self.state is None:
            return None
        return self.state()

    def pop_state(self) -> None:
        self.state = self.states.pop()

    # --- states -----------------------------------------------------------------------------

    def stream_start(self) -> _Event:
        token = self.peek()
        assert isinstance(token, StreamStartToken)
        self.skip()
        self.state = self.implicit_document_start
        return _Event("stream_start", _m(token.start_mark))

    def implicit_document_start(self) -> _Event:
        return self.document_start(implicit=True)

    def explicit_document_start(self) -> _Event:
        return self.document_start(implicit=False)

    def document_start(self, *, implicit: bool) -> _Event:
        token = self.peek()
        if not implicit:
            while isinstance(token, DocumentEndToken):
                self.skip()
                token = self.peek()
        if implicit and not isinstance(token, (DirectiveToken, DocumentStartToken, StreamEndToken)):
            self.states.append(self.document_end)
            self.state = self.block_node
            head = ""
            if self.head:
                # The part of the head comment above the last blank line heads the document.
                text = self.head
                for i in range(len(text) - 1, 0, -1):
                    if text[i] == "\n":
                        if i == len(text) - 1:
                            head, self.head = text[:i], text[i + 1:]
                            break
                        if text[i - 1] == "\n":
                            head, self.head = text[:i - 1], text[i + 1:]
                            break
            return _Event("document_start", _m(token.start_mark), head=head)
        if not isinstance(token, StreamEndToken):
            if not isinstance(token, DocumentStartToken):
                raise YamlSyntaxError(f"line {token.start_mark.line + 1}: did not find expected <document start>")
            self.states.append(self.document_end)
            self.state = self.document_content
            self.skip()
            return _Event("document_start", _m(token.start_mark))
        self.state = None
        self.skip()
        return _Event("stream_end", _m(token.start_mark))

    def document_content(self) -> _Event:
        token = self.peek()
        if isinstance(token, (DirectiveToken, DocumentStartToken, DocumentEndToken, StreamEndToken)):
            self.pop_state()
            return _Event("scalar", _m(token.start_mark), tag="", style="")
        return self.node(block=True, indentless=False)

    def document_end(self) -> _Event:
        token = self.peek()
        if isinstance(token, DocumentEndToken):
            self.skip()
        self.state = self.explicit_document_start
        event = self.take_comments(_Event("document_end", _m(token.start_mark)))
        if event.head and not event.foot:
            event.foot, event.head = event.head, ""
        return event

    def block_node(self) -> _Event:
        return self.node(block=True, indentless=False)

    def block_node_or_indentless(self) -> _Event:
        return self.node(block=True, indentless=True)

    def flow_node(self) -> _Event:
        return self.node(block=False, indentless=False)

    def node(self, *, block: bool, indentless: bool) -> _Event:
        token = self.peek()
        mark = _m(token.start_mark)
        if isinstance(token, AliasToken):
            self.pop_state()
            self.skip()
            return self.take_comments(_Event("alias", mark, value=token.value))
        anchor, tag = "", ""
        while isinstance(token, (AnchorToken, TagToken)):
            if isinstance(token, AnchorToken):
                anchor = token.value
            else:
                handle, suffix = token.value
                if handle is None:
                    tag = suffix
                elif handle in self.tag_handles:
                    tag = self.tag_handles[handle] + suffix
                else:
                    raise YamlSyntaxError(f"line {token.start_mark.line + 1}: found undefined tag handle")
            self.skip()
            token = self.peek()
        if indentless and isinstance(token, BlockEntryToken):
            self.state = self.indentless_sequence_entry
            return _Event("sequence_start", mark, tag=tag, anchor=anchor)
        if isinstance(token, ScalarToken):
            self.pop_state()
            style = "" if token.plain else (token.style or "")
            event = self.take_comments(_Event("scalar", mark, value=token.value, tag=tag, anchor=anchor,
                                              style=style))
            self.skip()
            return event
        if isinstance(token, FlowSequenceStartToken):
            self.state = self.flow_sequence_first_entry
            return self.take_comments(_Event("sequence_start", mark, tag=tag, anchor=anchor, style="flow"))
        if isinstance(token, FlowMappingStartToken):
            self.state = self.flow_mapping_first_key
            return self.take_comments(_Event("mapping_start", mark, tag=tag, anchor=anchor, style="flow"))
        if block and isinstance(token, (BlockSequenceStartToken, BlockMappingStartToken)):
            sequence = isinstance(token, BlockSequenceStartToken)
            self.state = self.block_sequence_first_entry if sequence else self.block_mapping_first_key
            event = _Event("sequence_start" if sequence else "mapping_start", mark, tag=tag, anchor=anchor)
            if self.stem:
                event.head, self.stem = self.stem, ""
            return event
        if anchor or tag:
            self.pop_state()
            return _Event("scalar", mark, tag=tag, anchor=anchor)
        raise YamlSyntaxError(f"line {token.start_mark.line + 1}: did not find expected node content")

    def empty_scalar(self, mark: Any) -> _Event:
        return _Event("scalar", _m(mark))

    def block_sequence_first_entry(self) -> _Event:
        self.peek()
        self.skip()
        return self.block_sequence_entry()

    def block_sequence_entry(self) -> _Event:
        token = self.peek()
        if isinstance(token, BlockEntryToken):
            mark = token.end_mark
            prior = len(self.head)
            self.skip()
            self.split_stem(prior)
            token = self.peek()
            if not isinstance(token, (BlockEntryToken, BlockEndToken)):
                self.states.append(self.block_sequence_entry)
                return self.node(block=True, indentless=False)
            self.state = self.block_sequence_entry
            return self.empty_scalar(mark)
        if isinstance(token, BlockEndToken):
            self.pop_state()
            self.skip()
            return _Event("sequence_end", _m(token.start_mark))
        raise YamlSyntaxError(f"line {token.start_mark.line + 1}: did not find expected '-' indicator")

    def indentless_sequence_entry(self) -> _Event:
        token = self.peek()
        if isinstance(token, BlockEntryToken):
            mark = token.end_mark
            prior = len(self.head)
            self.skip()
            self.split_stem(prior)
            token = self.peek()
            if not isinstance(token, (BlockEntryToken, KeyToken, ValueToken, BlockEndToken)):
                self.states.append(self.indentless_sequence_entry)
                return self.node(block=True, indentless=False)
            self.state = self.indentless_sequence_entry
            return self.empty_scalar(mark)
        self.pop_state()
        return _Event("sequence_end", _m(token.start_mark))

    def block_mapping_first_key(self) -> _Event:
        self.peek()
        self.skip()
        return self.block_mapping_key()

    def block_mapping_key(self) -> _Event:
        token = self.peek()
        if isinstance(token, KeyToken):
            mark = token.end_mark
            self.skip()
            token = self.peek()
            if not isinstance(token, (KeyToken, ValueToken, BlockEndToken)):
                self.states.append(self.block_mapping_value)
                return self.node(block=True, indentless=True)
            self.state = self.block_mapping_value
            return self.empty_scalar(mark)
        if isinstance(token, BlockEndToken):
            self.pop_state()
            event = self.take_comments(_Event("mapping_end", _m(token.start_mark)))
            self.skip()
            return event
        raise YamlSyntaxError(f"line {token.start_mark.line + 1}: did not find expected key")

    def block_mapping_value(self) -> _Event:
        token = self.peek()
        if isinstance(token, ValueToken):
            mark = token.end_mark
            self.skip()
            token = self.peek()
            if not isinstance(token, (KeyToken, ValueToken, BlockEndToken)):
                self.states.append(self.block_mapping_key)
                return self.node(block=True, indentless=True)
            self.state = self.block_mapping_key
            return self.empty_scalar(mark)
        self.state = self.block_mapping_key
        return self.empty_scalar(token.start_mark)

    def flow_sequence_first_entry(self) -> _Event:
        self.peek()
        self.skip()
        return self.flow_sequence_entry(first=True)

    def flow_sequence_later_entry(self) -> _Event:
        return self.flow_sequence_entry(first=False)

    def flow_sequence_entry(self, *, first: bool) -> _Event:
        token = self.peek()
        if not isinstance(token, FlowSequenceEndToken):
            if not first:
                if not isinstance(token, FlowEntryToken):
                    raise YamlSyntaxError(f"line {token.start_mark.line + 1}: did not find expected ',' or ']'")
                self.skip()
                token = self.peek()
            if isinstance(token, KeyToken):
                self.state = self.flow_pair_key
                self.skip()
                return _Event("mapping_start", _m(token.start_mark), style="flow")
            if not isinstance(token, FlowSequenceEndToken):
                self.states.append(self.flow_sequence_later_entry)
                return self.node(block=False, indentless=False)
        self.pop_state()
        event = self.take_comments(_Event("sequence_end", _m(token.start_mark)))
        self.skip()
        return event

    def flow_pair_key(self) -> _Event:
        token = self.peek()
        if not isinstance(token, (ValueToken, FlowEntryToken, FlowSequenceEndToken)):
            self.states.append(self.flow_pair_value)
            return self.node(block=False, indentless=False)
        self.state = self.flow_pair_value
        return self.empty_scalar(token.end_mark)

    def flow_pair_value(self) -> _Event:
        token = self.peek()
        if isinstance(token, ValueToken):
            self.skip()
            token = self.peek()
            if not isinstance(token, (FlowEntryToken, FlowSequenceEndToken)):
                self.states.append(self.flow_pair_end)
                return self.node(block=False, indentless=False)
        self.state = self.flow_pair_end
        return self.empty_scalar(token.start_mark)

    def flow_pair_end(self) -> _Event:
        self.state = self.flow_sequence_later_entry
        return _Event("mapping_end", _m(self.peek().start_mark))

    def flow_mapping_first_key(self) -> _Event:
        self.peek()
        self.skip()
        return self.flow_mapping_key(first=True)

    def flow_mapping_later_key(self) -> _Event:
        return self.flow_mapping_key(first=False)

    def flow_mapping_key(self, *, first: bool) -> _Event:
        token = self.peek()
        if not isinstance(token, FlowMappingEndToken):
            if not first:
                if not isinstance(token, FlowEntryToken):
                    raise YamlSyntaxError(f"line {token.start_mark.line + 1}: did not find expected ',' or '}}'")
                self.skip()
                token = self.peek()
            if isinstance(token, KeyToken):
                self.skip()
                token = self.peek()
                if not isinstance(token, (ValueToken, FlowEntryToken, FlowMappingEndToken)):
                    self.states.append(self.flow_mapping_value)
                    return self.node(block=False, indentless=False)
                self.state = self.flow_mapping_value
                return self.empty_scalar(token.start_mark)
            if not isinstance(token, FlowMappingEndToken):
                self.states.append(self.flow_mapping_empty_value)
                return self.node(block=False, indentless=False)
        self.pop_state()
        event = self.take_comments(_Event("mapping_end", _m(token.start_mark)))
        self.skip()
        return event

    def flow_mapping_value(self) -> _Event:
        token = self.peek()
        if isinstance(token, ValueToken):
            self.skip()
            token = self.peek()
            if not isinstance(token, (FlowEntryToken, FlowMappingEndToken)):
                self.states.append(self.flow_mapping_later_key)
                return self.node(block=False, indentless=False)
        self.state = self.flow_mapping_later_key
        return self.empty_scalar(token.start_mark)

    def flow_mapping_empty_value(self) -> _Event:
        self.state = self.flow_mapping_later_key
        return self.empty_scalar(self.peek().start_mark)


@dataclass
class Node:
    """go-yaml v3's ``yaml.Node``, as far as sops's store reads it."""

    kind: str
    tag: str = ""
    value: str = ""
    style: str = ""  # scalars: "" plain, "'", '"', "|", ">"; collections: "flow" or ""
    tagged: bool = False  # the tag was written out (go-yaml's TaggedStyle)
    anchor: str = ""
    alias: Node | None = None
    head: str = ""
    line: str = ""
    foot: str = ""
    content: list[Node] = field(default_factory=list)
    line_number: int = 0


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG_PREFIX):] if tag.startswith(_TAG_PREFIX) else tag


class _Builder:
    """go-yaml v3's ``decode.go`` parser: events to nodes, moving foot comments as it does."""

    def __init__(self, parser: _Parser) -> None:
        self.parser = parser
        self.event: _Event | None = None
        self.anchors: dict[str, Node] = {}

    def peek(self) -> _Event:
        if self.event is None:
            self.event = self.parser.next_event()
            if self.event is None:
                raise YamlSyntaxError("unexpected end of the stream")
        return self.event

    def expect(self, kind: str) -> _Event:
        event = self.peek()
        if event.kind != kind:
            raise YamlSyntaxError(f"line {event.mark.line + 1}: expected {kind} but got {event.kind}")
        self.event = None
        return event

    def node(self, kind: str, event: _Event, default_tag: str) -> Node:
        tag = event.tag
        tagged = False
        if tag and tag != "!":
            tag, tagged = _short_tag(tag), True
        elif default_tag:
            tag = default_tag
        elif kind == SCALAR:
            tag = resolve(event.value)[0]
        return Node(kind, tag=tag, value=event.value, tagged=tagged, head=event.head, line=event.line,
                    foot=event.foot, line_number=event.mark.line + 1)

    def parse(self) -> Node | None:
        kind = self.peek().kind
        if kind == "scalar":
            return self.scalar()
        if kind == "alias":
            event = self.expect("alias")
            n = self.node(ALIAS, event, "")
            n.alias = self.anchors.get(event.value)
            if n.alias is None:
                raise YamlSyntaxError(f"line {event.mark.line + 1}: unknown anchor '{event.value}' referenced")
            return n
        if kind == "mapping_start":
            return self.mapping()
        if kind == "sequence_start":
            return self.sequence()
        if kind == "document_start":
            return self.document()
        if kind == "stream_end":
            return None
        raise YamlSyntaxError(f"unexpected {kind}")  # pragma: no cover

    def child(self, parent: Node) -> Node:
        n = self.parse()
        assert n is not None
        parent.content.append(n)
        return n

    def anchor(self, n: Node, anchor: str) -> None:
        if anchor:
            n.anchor = anchor
            self.anchors[anchor] = n

    def document(self) -> Node:
        n = self.node(DOCUMENT, self.expect("document_start"), "")
        self.child(n)
        end = self.expect("document_end")
        n.foot = end.foot
        return n

    def scalar(self) -> Node:
        event = self.peek()
        n = self.node(SCALAR, event, "!!merge" if event.style == "" and event.value == "<<" and not event.tag
                      else ("" if event.style == "" else "!!str"))
        n.style = event.style
        self.anchor(n, event.anchor)
        self.expect("scalar")
        return n

    def sequence(self) -> Node:
        event = self.expect("sequence_start")
        n = self.node(SEQUENCE, event, "!!seq")
        n.style = event.style
        self.anchor(n, event.anchor)
        while self.peek().kind != "sequence_end":
            self.child(n)
        end = self.expect("sequence_end")
        n.line, n.foot = end.line, end.foot
        return n

    def mapping(self) -> Node:
        event = self.expect("mapping_start")
        n = self.node(MAPPING, event, "!!map")
        n.style = event.style
        block = event.style != "flow"
        self.anchor(n, event.anchor)
        while self.peek().kind != "mapping_end":
            k = self.child(n)
            if block and k.foot and len(n.content) > 2:
                # A foot comment on a key is the prior value's, dedented.
                n.content[-3].foot, k.foot = k.foot, ""
            v = self.child(n)
            if not k.foot and v.foot:
                k.foot, v.foot = v.foot, ""
        end = self.expect("mapping_end")
        n.line, n.foot = end.line, end.foot
        if block and n.foot and len(n.content) > 1:
            n.content[-2].foot, n.foot = n.foot, ""
        return n


def parse(text: str) -> list[Node]:
    """Parse every document of `text` into go-yaml v3 nodes with their comments.

    Args:
        text: the YAML stream.

    Returns:
        One ``document`` node per document, in order.

    Raises:
        YamlSyntaxError: the text is not valid YAML (the message gives the line).
    """
    try:
        scanner = _Scanner(text)
        builder = _Builder(_Parser(scanner))
        builder.expect("stream_start")
        documents: list[Node] = []
        while True:
            n = builder.parse()
            if n is None:
                return documents
            documents.append(n)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlSyntaxError(f"{where}{problem}") from None
