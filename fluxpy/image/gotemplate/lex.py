"""Go's text/template lexer (lex.go): template text to a list of tokens.

Splits text from `{{ }}` actions, applies `{{-`/`-}}` trimming, drops
`{{/* */}}` comments and scans the tokens inside actions (fields, variables,
keywords, strings, numbers, punctuation). Errors become `ERROR` tokens whose
text is Go's message (`unclosed action`, `bad character U+0040 '@'`), which the
parser reports with the line they occurred on, just as Go does.
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass

from fluxpy.image.gotemplate.strconv import _is_print, quote


class _T(enum.Enum):
    ERROR = "error"
    BOOL = "bool"
    CHAR = "char"
    CHAR_CONSTANT = "char constant"
    COMMENT = "comment"
    COMPLEX = "complex"
    ASSIGN = "="
    DECLARE = ":="
    EOF = "EOF"
    FIELD = "field"
    IDENTIFIER = "identifier"
    LEFT_DELIM = "{{"
    LEFT_PAREN = "("
    NUMBER = "number"
    PIPE = "|"
    RAW_STRING = "raw string"
    RIGHT_DELIM = "}}"
    RIGHT_PAREN = ")"
    SPACE = "space"
    STRING = "string"
    TEXT = "text"
    VARIABLE = "variable"
    # keywords
    BLOCK = "block"
    BREAK = "break"
    CONTINUE = "continue"
    DOT = "."
    DEFINE = "define"
    ELSE = "else"
    END = "end"
    IF = "if"
    NIL = "nil"
    RANGE = "range"
    TEMPLATE = "template"
    WITH = "with"


_KEYWORDS = {
    t.value: t
    for t in (_T.BLOCK, _T.BREAK, _T.CONTINUE, _T.DEFINE, _T.ELSE, _T.END, _T.IF, _T.NIL, _T.RANGE, _T.TEMPLATE, _T.WITH)
}
_KEYWORD_TYPES = frozenset(_KEYWORDS.values()) | {_T.DOT}


@dataclass(frozen=True, slots=True)
class _Item:
    typ: _T
    pos: int
    val: str
    line: int

    def __str__(self) -> str:
        if self.typ is _T.EOF:
            return "EOF"
        if self.typ is _T.ERROR:
            return self.val
        if self.typ in _KEYWORD_TYPES:
            return f"<{self.val}>"
        if len(self.val) > 10:
            return quote(self.val[:10]) + "..."
        return quote(self.val)


_LEX_SPACE = " \t\r\n"


def _is_alnum(ch: str) -> bool:
    return ch == "_" or ch.isalpha() or unicodedata.category(ch) == "Nd"


def _char_u(ch: str) -> str:
    """fmt's `%#U`: `U+0040 '@'`."""
    return f"U+{ord(ch):04X} '{ch}'" if _is_print(ch) else f"U+{ord(ch):04X}"


class _Lexer:
    """Go's text/template lexer: text, delimiters with trim markers, and the tokens inside actions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.items: list[_Item] = []

    def _emit(self, typ: _T, start: int, end: int) -> None:
        self.items.append(_Item(typ, start, self.text[start:end], self.text.count("\n", 0, start) + 1))

    def _error(self, start: int, message: str) -> None:
        self.items.append(_Item(_T.ERROR, start, message, self.text.count("\n", 0, start) + 1))

    def _at_right_delim(self, pos: int) -> tuple[bool, bool]:
        t = self.text
        if pos + 1 < len(t) and t[pos] in _LEX_SPACE and t[pos + 1] == "-" and t.startswith("}}", pos + 2):
            return True, True
        return t.startswith("}}", pos), False

    def _at_terminator(self, pos: int) -> bool:
        t = self.text
        if pos >= len(t):
            return True
        return t[pos] in _LEX_SPACE or t[pos] in ".,|:()" or t.startswith("}}", pos)

    def run(self) -> list[_Item]:
        t, n, pos = self.text, len(self.text), 0
        while True:
            x = t.find("{{", pos)
            if x < 0:
                if pos < n:
                    self._emit(_T.TEXT, pos, n)
                self.items.append(_Item(_T.EOF, n, "", t.count("\n") + 1))
                return self.items
            trim = t[x + 2 : x + 3] == "-" and t[x + 3 : x + 4] != "" and t[x + 3] in _LEX_SPACE
            text_end = len(t[pos:x].rstrip(_LEX_SPACE)) + pos if trim else x
            if text_end > pos:
                self._emit(_T.TEXT, pos, text_end)
            pos = x + 2 + (2 if trim else 0)
            if t.startswith("/*", pos):
                end = t.find("*/", pos + 2)
                if end < 0:
                    self._error(pos, "unclosed comment")
                    return self.items
                pos = end + 2
                delim, trim_right = self._at_right_delim(pos)
                if not delim:
                    self._error(pos, "comment ends before closing delimiter")
                    return self.items
                pos += 4 if trim_right else 2
                if trim_right:
                    pos = n - len(t[pos:].lstrip(_LEX_SPACE))
                continue
            self.items.append(_Item(_T.LEFT_DELIM, x, "{{", t.count("\n", 0, x) + 1))
            after = self._inside_action(pos)
            if after is None:
                return self.items
            pos = after

    def _inside_action(self, pos: int) -> int | None:  # one branch per token kind, as in Go
        t, n = self.text, len(self.text)
        depth = 0
        while True:
            delim, trim = self._at_right_delim(pos)
            if delim:
                if depth:
                    self._error(pos, "unclosed left paren")
                    return None
                if trim:
                    pos += 2
                self._emit(_T.RIGHT_DELIM, pos, pos + 2)
                pos += 2
                if trim:
                    pos = n - len(t[pos:].lstrip(_LEX_SPACE))
                return pos
            if pos >= n:
                self._error(pos, "unclosed action")
                return None
            c = t[pos]
            start = pos
            if c in _LEX_SPACE:
                while pos < n and t[pos] in _LEX_SPACE:
                    pos += 1
                if t.startswith("-}}", pos):
                    pos -= 1
                    if pos == start:
                        continue
                self._emit(_T.SPACE, start, pos)
                continue
            pos += 1
            if c == "=":
                self._emit(_T.ASSIGN, start, pos)
            elif c == ":":
                if pos >= n or t[pos] != "=":
                    self._error(start, "expected :=")
                    return None
                pos += 1
                self._emit(_T.DECLARE, start, pos)
            elif c == "|":
                self._emit(_T.PIPE, start, pos)
            elif c in "\"'":
                what = "quoted string" if c == '"' else "character constant"
                while True:
                    if pos >= n or t[pos] == "\n":
                        self._error(start, f"unterminated {what}")
                        return None
                    ch = t[pos]
                    pos += 1
                    if ch == "\\":
                        if pos >= n or t[pos] == "\n":
                            self._error(start, f"unterminated {what}")
                            return None
                        pos += 1
                    elif ch == c:
                        break
                self._emit(_T.STRING if c == '"' else _T.CHAR_CONSTANT, start, pos)
            elif c == "`":
                close = t.find("`", pos)
                if close < 0:
                    self._error(start, "unterminated raw quoted string")
                    return None
                pos = close + 1
                self._emit(_T.RAW_STRING, start, pos)
            elif c == "$" or (c == "." and not (pos < n and "0" <= t[pos] <= "9")):
                if self._at_terminator(pos):
                    self._emit(_T.VARIABLE if c == "$" else _T.DOT, start, pos)
                    continue
                while pos < n and _is_alnum(t[pos]):
                    pos += 1
                if not self._at_terminator(pos):
                    self._error(start, f"bad character {_char_u(t[pos])}")
                    return None
                self._emit(_T.VARIABLE if c == "$" else _T.FIELD, start, pos)
            elif c in "+-." or "0" <= c <= "9":
                pos = self._scan_number(start)
                if pos < 0:
                    return None
            elif _is_alnum(c):
                while pos < n and _is_alnum(t[pos]):
                    pos += 1
                word = t[start:pos]
                if not self._at_terminator(pos):
                    self._error(start, f"bad character {_char_u(t[pos])}")
                    return None
                if word in _KEYWORDS:
                    self._emit(_KEYWORDS[word], start, pos)
                elif word in ("true", "false"):
                    self._emit(_T.BOOL, start, pos)
                else:
                    self._emit(_T.IDENTIFIER, start, pos)
            elif c == "(":
                depth += 1
                self._emit(_T.LEFT_PAREN, start, pos)
            elif c == ")":
                depth -= 1
                if depth < 0:
                    self._error(start, "unexpected right paren")
                    return None
                self._emit(_T.RIGHT_PAREN, start, pos)
            elif ord(c) < 0x80 and _is_print(c):
                self._emit(_T.CHAR, start, pos)
            else:
                self._error(start, f"unrecognized character in action: {_char_u(c)}")
                return None

    def _scan(self, pos: int) -> tuple[int, bool]:
        t, n = self.text, len(self.text)

        def accept(pos: int, valid: str) -> int:
            return pos + 1 if pos < n and t[pos] in valid else pos

        def accept_run(pos: int, valid: str) -> int:
            while pos < n and t[pos] in valid:
                pos += 1
            return pos

        pos = accept(pos, "+-")
        digits = "0123456789_"
        p = accept(pos, "0")
        if p != pos:
            pos = p
            for prefix, ds in (("xX", "0123456789abcdefABCDEF_"), ("oO", "01234567_"), ("bB", "01_")):
                p = accept(pos, prefix)
                if p != pos:
                    pos, digits = p, ds
                    break
        pos = accept_run(pos, digits)
        p = accept(pos, ".")
        if p != pos:
            pos = accept_run(p, digits)
        if len(digits) == 11:
            p = accept(pos, "eE")
            if p != pos:
                pos = accept_run(accept(p, "+-"), "0123456789_")
        if len(digits) == 23:
            p = accept(pos, "pP")
            if p != pos:
                pos = accept_run(accept(p, "+-"), "0123456789_")
        pos = accept(pos, "i")
        if pos < n and _is_alnum(t[pos]):
            return pos + 1, False
        return pos, True

    def _scan_number(self, start: int) -> int:
        pos, ok = self._scan(start)
        if not ok:
            self._error(start, f"bad number syntax: {quote(self.text[start:pos])}")
            return -1
        if pos < len(self.text) and self.text[pos] in "+-":
            pos2, ok = self._scan(pos)
            if not ok or self.text[pos2 - 1] != "i":
                self._error(start, f"bad number syntax: {quote(self.text[start:pos2])}")
                return -1
            self._emit(_T.COMPLEX, start, pos2)
            return pos2
        self._emit(_T.NUMBER, start, pos)
        return pos
