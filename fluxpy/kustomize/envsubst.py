"""Flux's variable substitution language (fluxcd/pkg/envsubst, a fork of drone/envsubst).

kustomize-controller runs it over each built object's YAML text for
`spec.postBuild`. This is a port of its scanner, parser and functions, so
edge cases come out the same:

- `${var}` expands; a bare `$var` is left alone; `$$` is an escaped `$`, so
  `$${var}` gives the literal `${var}`.
- Defaults: `${var:=x}`, `${var:-x}`, `${var=x}`, `${var:+x}`, `${var:?x}`
  all return `x` when the value is empty or unset (the fork implements every
  one of them as "default"); `${var-x}`, `${var+x}` and `${var?x}` do not
  parse (`missing closing brace`). Defaults may nest `${other}`.
- `${#var}` length, `${var:offset[:length]}` (negative values count from the
  end), `${var^}` `${var^^}` `${var,}` `${var,,}` case, `${var/a/b}`
  `${var//a/b}` `${var/#a/b}` `${var/%a/b}` replace, `${var#glob}`
  `${var##glob}` `${var%glob}` `${var%%glob}` trim by glob. Inside `${...}`,
  `\\/` and `\\\\` escape a slash or backslash.
- Strict mode: an unset variable used bare or through a transforming
  function is an error; the default functions may read unset variables.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass, field


class SubstitutionError(ValueError):
    """The text cannot be parsed, or a variable is unset in strict mode."""


# --- nodes ----------------------------------------------------------------------------------

@dataclass
class Text:
    value: str


@dataclass
class Func:
    param: str = ""
    name: str = ""
    args: list[Text | Func | List] = field(default_factory=list)


@dataclass
class List:
    nodes: list[Text | Func | List]


Node = Text | Func | List

# --- scanner --------------------------------------------------------------------------------

_EOF = ""
_IDENT, _LBRACK, _RBRACK, _ILLEGAL, _END = "ident", "lbrack", "rbrack", "illegal", "eof"
SCAN_IDENT, SCAN_LBRACK, SCAN_RBRACK, SCAN_ESCAPE = 1, 2, 4, 8
ESC_DOLLAR, ESC_BACKSLASH = 1, 2
ESC_ALL = ESC_DOLLAR | ESC_BACKSLASH

Accept = Callable[[str, int], bool]


class _Scanner:
    """The Go scanner, working on a mutable string (escapes delete characters)."""

    def __init__(self, buf: str) -> None:
        self.buf = buf
        self.pos = 0
        self.start = 0
        self.width = 0
        self.mode = 0
        self.escape_chars = 0
        self.accept: Accept = _accept_rune

    def read(self) -> str:
        if self.pos >= len(self.buf):
            self.width = 0
            return _EOF
        self.width = 1
        self.pos += 1
        return self.buf[self.pos - 1]

    def unread(self) -> None:
        self.pos -= self.width

    def skip(self) -> None:
        self.buf = self.buf[: self.pos - 1] + self.buf[self.pos:]

    def peek(self) -> str:
        r = self.read()
        self.unread()
        return r

    def string(self) -> str:
        return self.buf[self.start:self.pos]

    def scan(self) -> str:
        self.start = self.pos
        r = self.read()
        if r == _EOF:
            return _END
        if self._lbrack(r):
            return _LBRACK
        if self._rbrack(r):
            return _RBRACK
        if self._ident(r):
            return _IDENT
        return _ILLEGAL

    def _ident(self, r: str) -> bool:
        if not self.mode & SCAN_IDENT:
            return False
        if self._escaped(r):
            self.skip()
        elif not self.accept(r, self.pos - self.start):
            return False
        while True:
            r = self.read()
            if r == _EOF:
                self.unread()
                break
            if self._lbrack(r):
                self.unread()
                self.unread()
                break
            if self._escaped(r):
                self.skip()
                continue
            if not self.accept(r, self.pos - self.start):
                self.unread()
                break
        return True

    def _lbrack(self, r: str) -> bool:
        if not self.mode & SCAN_LBRACK:
            return False
        if r == "$":
            if self.read() == "{":
                return True
            self.unread()
        return False

    def _rbrack(self, r: str) -> bool:
        return bool(self.mode & SCAN_RBRACK) and r == "}"

    def _escaped(self, r: str) -> bool:
        if not self.mode & SCAN_ESCAPE:
            return False
        if r == "$" and self.escape_chars & ESC_DOLLAR and self.peek() == "$":
            return True
        if r == "\\" and self.escape_chars & ESC_BACKSLASH:
            return self.peek() in ("/", "\\")
        return False


def _accept_rune(r: str, i: int) -> bool:
    return True


def _accept_ident(r: str, i: int) -> bool:
    return r.isalpha() or r.isdigit() or r == "_"


def _accept_not_closing(r: str, i: int) -> bool:
    return r != "}"


def _accept_default(r: str, i: int) -> bool:
    return (i == 1 and r == ":") or (i == 2 and r in "=-?+")


# --- parser ---------------------------------------------------------------------------------

class _Parser:
    def __init__(self, text: str) -> None:
        self.s = _Scanner(text)

    def parse_any(self) -> Node | None:
        s = self.s
        s.accept, s.mode, s.escape_chars = _accept_rune, SCAN_IDENT | SCAN_LBRACK | SCAN_ESCAPE, ESC_DOLLAR
        token = s.scan()
        if token == _END:
            return None
        if token == _IDENT:
            left: Node = Text(s.string())
        elif token == _LBRACK:
            left = self.parse_func()
        else:
            raise SubstitutionError("bad substitution")
        right = self.parse_any()
        return left if right is None else List([left, right])

    def parse_func(self) -> Node:
        s = self.s
        s.escape_chars = ESC_ALL
        if s.peek() == "#":
            return self._length()
        s.accept, s.mode = _accept_ident, SCAN_IDENT
        if s.scan() != _IDENT:
            raise SubstitutionError("unable to parse variable name")
        name = s.string()
        nxt = s.peek()
        if nxt == ":":
            s.read()
            after = s.peek()
            s.unread()
            return self._default(name) if after in ("=", "-", "?", "+") else self._substr(name)
        if nxt == "=":
            return self._default(name)
        if nxt in (",", "^"):
            return self._simple(name, lambda r, i: r in ",^" and i < 3)
        if nxt == "/":
            return self._replace(name)
        if nxt == "#":
            return self._remove(name, lambda r, i: r == "#" and i < 3)
        if nxt == "%":
            return self._remove(name, lambda r, i: r == "%" and i < 3)
        s.accept, s.mode = _accept_ident, SCAN_RBRACK
        if s.scan() != _RBRACK:
            raise SubstitutionError("missing closing brace")
        return Func(param=name)

    def _param(self, accept: Accept, mode: int) -> Node:
        s = self.s
        s.accept, s.mode = accept, mode | SCAN_LBRACK
        token = s.scan()
        if token == _LBRACK:
            return self.parse_func()
        if token in (_IDENT, _RBRACK):
            return Text(s.string())
        raise SubstitutionError("unable to parse substitution within function")

    def _op(self, node: Func, accept: Accept) -> None:
        s = self.s
        s.accept, s.mode = accept, SCAN_IDENT
        if s.scan() != _IDENT:
            raise SubstitutionError("bad substitution")
        node.name = s.string()

    def _rbrack(self) -> None:
        self.s.mode = SCAN_RBRACK
        if self.s.scan() != _RBRACK:
            raise SubstitutionError("bad substitution")

    def _substr(self, name: str) -> Node:
        s = self.s
        node = Func(param=name)
        self._op(node, lambda r, i: i == 1 and r == ":")
        node.args.append(self._param(lambda r, i: r not in (":", "}"), SCAN_IDENT))
        s.accept, s.mode = (lambda r, i: r == ":"), SCAN_IDENT | SCAN_RBRACK
        token = s.scan()
        if token == _RBRACK:
            return node
        if token != _IDENT:
            raise SubstitutionError("bad substitution")
        node.args.append(self._param(_accept_not_closing, SCAN_IDENT))
        self._rbrack()
        return node

    def _remove(self, name: str, accept: Accept) -> Node:
        node = Func(param=name)
        self._op(node, accept)
        node.args.append(self._param(_accept_not_closing, SCAN_IDENT))
        self._rbrack()
        return node

    def _replace(self, name: str) -> Node:
        s = self.s
        node = Func(param=name)
        self._op(node, lambda r, i: (i == 1 and r == "/") or (i == 2 and r in "/#%"))
        if s.peek() == "/":
            node.args.append(Text(""))
        else:
            node.args.append(self._param(lambda r, i: r != "/", SCAN_IDENT | SCAN_ESCAPE))
        s.accept, s.mode = (lambda r, i: r == "/"), SCAN_IDENT
        if s.scan() != _IDENT:
            raise SubstitutionError("bad substitution")
        if s.peek() == "}":
            self._rbrack()
            return node
        node.args.append(self._param(_accept_not_closing, SCAN_IDENT | SCAN_ESCAPE))
        self._rbrack()
        return node

    def _default(self, name: str) -> Node:
        s = self.s
        node = Func(param=name)
        s.accept = (lambda r, i: i == 1 and r == "=") if s.peek() == "=" else _accept_default
        s.mode = SCAN_IDENT
        if s.scan() != _IDENT:
            raise SubstitutionError("unable to parse default function")
        node.name = s.string()
        while True:
            if s.peek() == "}":
                self._rbrack()
                return node
            node.args.append(self._param(_accept_not_closing, SCAN_IDENT))

    def _simple(self, name: str, accept: Accept) -> Node:
        node = Func(param=name)
        self._op(node, accept)
        self._rbrack()
        return node

    def _length(self) -> Node:
        s = self.s
        node = Func()
        self._op(node, lambda r, i: r == "#" and i == 1)
        s.accept, s.mode = _accept_ident, SCAN_IDENT
        if s.scan() != _IDENT:
            raise SubstitutionError("bad substitution")
        node.param = s.string()
        self._rbrack()
        return node


def parse(text: str) -> Node | None:
    """Parse a template.

    Raises:
        SubstitutionError: `bad substitution`, `missing closing brace`, ...
    """
    return _Parser(text).parse_any()


# --- evaluation -----------------------------------------------------------------------------

_DEFAULT_OPS = {"-", "+", "=", "?", ":-", ":+", ":=", ":?"}


def _substr(s: str, args: list[str]) -> str:
    try:
        pos = int(args[0])
    except (ValueError, IndexError):
        return s
    if pos < 0:
        pos = max(len(s) + pos, 0)
    if len(args) == 1:
        return s[pos:] if pos < len(s) else ""
    try:
        length = int(args[1])
    except ValueError:
        return s
    if length < 0:
        end = len(s) + length
        return "" if end < pos else s[pos:end]
    if pos + length >= len(s):
        return s[pos:] if pos < len(s) else ""
    return s[pos:pos + length]


def _trim_prefix(s: str, pattern: str, *, longest: bool) -> str:
    # The fork tries every prefix s[:len(s)-i] for i in 0..len(s)-1 (the
    # empty prefix never), keeping the shortest or first (longest) match.
    found = ""
    for i in range(len(s)):
        candidate = s[: len(s) - i]
        if _glob(pattern, candidate):
            if longest:
                return s[len(candidate):]
            found = candidate
    return s[len(found):] if found else s


def _glob(pattern: str, name: str) -> bool:
    # Go's path.Match: `*` and `?` do not cross `/`.
    regex = fnmatch.translate(pattern).replace(".*", "[^/]*").replace("(?s:.)", "[^/]")
    return re.fullmatch(regex, name, re.S) is not None


def _apply(name: str, value: str, args: list[str]) -> str:
    if name == ",":
        return value[:1].lower() + value[1:]
    if name == ",,":
        return value.lower()
    if name == "^":
        return value[:1].upper() + value[1:]
    if name == "^^":
        return value.upper()
    if name == "#":
        return str(len(value.encode())) if not args else _trim_prefix(value, args[0], longest=False)
    if name == "##":
        return _trim_prefix(value, args[0], longest=True) if args else value
    if name in ("%", "%%"):
        if not args:
            return value
        return _trim_prefix(value[::-1], args[0][::-1], longest=name == "%%")[::-1]
    if name == ":":
        return _substr(value, args)
    if name in ("/", "//", "/#", "/%"):
        if name == "/#":
            return args[1] + value[len(args[0]):] if len(args) == 2 and value.startswith(args[0]) else value
        if name == "/%":
            return value[: len(value) - len(args[0])] + args[1] if len(args) == 2 and value.endswith(args[0]) \
                else value
        if not args:
            return value
        new = args[1] if len(args) > 1 else ""
        return value.replace(args[0], new, -1 if name == "//" else 1)
    # every default-style operator, and a bare ${var}
    return "".join(args) if not value and args else value


def evaluate(text: str, lookup: Callable[[str], str | None], *, strict: bool = False) -> str:
    """Substitute variables in `text`.

    Args:
        text: the template (an object's YAML).
        lookup: a variable's value, or None when it is not set.
        strict: fail on an unset variable used outside a default function.

    Raises:
        SubstitutionError: the text does not parse, or (strict) a variable is unset.
    """
    root = parse(text)
    out: list[str] = []

    def run(node: Node | None) -> None:
        if node is None:
            return
        if isinstance(node, Text):
            out.append(node.value)
        elif isinstance(node, List):
            for child in node.nodes:
                run(child)
        else:
            args = []
            for arg in node.args:
                mark = len(out)
                run(arg)
                args.append("".join(out[mark:]))
                del out[mark:]
            value = lookup(node.param)
            if value is None:
                if strict and node.name not in _DEFAULT_OPS:
                    raise SubstitutionError(f'variable not set (strict mode): "{node.param}"')
                value = ""
            out.append(_apply(node.name, value, args))

    run(root)
    return "".join(out)
