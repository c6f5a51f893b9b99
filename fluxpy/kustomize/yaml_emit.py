"""Printing resources exactly as ``kustomize build`` prints them.

kustomize v5 prints each resource with ``Resource.AsYAML``: the object is
marshalled to JSON, and ``sigs.k8s.io/yaml.JSONToYAML`` parses that JSON with
go-yaml v2 and marshals it again with go-yaml v2's emitter. Documents are
joined with ``---\\n``. This module is a hand-written copy of that path:

* JSON first: floats print as Go's ``encoding/json`` would, then re-read by
  go-yaml v2, so an integral float below 1e21 prints as an integer
  (``1.0`` -> ``1``) and any other float in Go's shortest ``%g`` form
  (``1.5``, ``1e+21``, ``1.234567895e+08``, ``1e-07``); a raw NEL inside a
  string is folded the way a YAML double-quoted scalar folds a line break.
* Keys sorted by go-yaml v2's ``keyList.Less`` (letters after non-letters at
  the first difference, digit runs compared as numbers).
* Block style, 2-space indent, sequences not indented under their key,
  ``{}``/``[]`` for empty collections, ``null``.
* Strings plain when go-yaml v2 would read them back as strings (so ``y``,
  ``on``, ``1.5``, ``2024-01-15``, ``1:20`` and ``""`` are double-quoted),
  else single-quoted when they start or end with a space or contain an
  indicator (``a: b``, ``- a``, ``#x``), else double-quoted with escapes
  (tabs, control characters, characters beyond U+FFFF as ``\\U0001F680``);
  strings with ``\\n`` as literal blocks (``|``, ``|-``, ``|+``, with an
  indentation indicator when they start with a space or a break) unless a
  line ends in a space or a tab appears, then double-quoted.
* Plain and quoted scalars folded at a space once the line passes 80
  columns; keys never folded; keys over 128 bytes or with line breaks are
  written as ``? key`` / ``: value``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from fluxpy.kustomize.errors import BuildError
from fluxpy.kustomize.yaml_read import parse_timestamp, resolve_plain

__all__ = ["dump_resources", "go_float", "go_g"]

_WIDTH = 80
_INT64_MIN, _UINT64_MAX = -(1 << 63), (1 << 64) - 1

# --- numbers -----------------------------------------------------------------------------


def go_g(f: float) -> str:
    """strconv.FormatFloat(f, 'g', -1, 64)."""
    if f == 0:
        return "-0" if str(f).startswith("-") else "0"
    sign, digits_t, exponent = Decimal(repr(f)).as_tuple()
    digits = "".join(map(str, digits_t)).rstrip("0") or "0"
    assert isinstance(exponent, int)
    nd = len(digits)
    dp = len(digits_t) + exponent  # decimal point position relative to digits
    neg = "-" if sign else ""
    exp = dp - 1
    if exp < -4 or exp >= 6:  # shortest formatting decides with precision 6
        mant = digits[0] + ("." + digits[1:] if nd > 1 else "")
        es = "-" if exp < 0 else "+"
        return f"{neg}{mant}e{es}{abs(exp):02d}"
    if dp <= 0:
        return f"{neg}0.{'0' * -dp}{digits}"
    if dp >= nd:
        return f"{neg}{digits}{'0' * (dp - nd)}"
    return f"{neg}{digits[:dp]}.{digits[dp:]}"


def go_float(f: float) -> str:
    """How kustomize prints a float after its JSON round trip.

    Raises:
        BuildError: NaN or an infinity (JSON cannot hold them).
    """
    if f != f or f in (float("inf"), float("-inf")):
        shown = "NaN" if f != f else ("+Inf" if f > 0 else "-Inf")
        raise BuildError(f"json: unsupported value: {shown}")
    if f.is_integer() and abs(f) < 1e21:
        n = int(Decimal(repr(f)))  # JSON writes the shortest digits, zero-padded
        if _INT64_MIN <= n <= _UINT64_MAX:
            return str(n)
    return go_g(f)


def _int_text(n: int) -> str:
    if _INT64_MIN <= n <= _UINT64_MAX:
        return str(n)
    return go_g(float(n))


# --- key order -----------------------------------------------------------------------------


def _key_less(a: str, b: str) -> bool:
    """go-yaml v2 keyList.Less for two strings."""
    la, lb = len(a), len(b)
    for i in range(min(la, lb)):
        ca, cb = a[i], b[i]
        if ca == cb:
            continue
        al, bl = ca.isalpha(), cb.isalpha()
        if al and bl:
            return ca < cb
        if al or bl:
            return bl
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and a[j].isdecimal():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < la and a[ai].isdecimal():
            an = an * 10 + ord(a[ai]) - 48
            ai += 1
        bi = i
        while bi < lb and b[bi].isdecimal():
            bn = bn * 10 + ord(b[bi]) - 48
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ca < cb
    return la < lb


class _Key:
    __slots__ = ("s",)

    def __init__(self, s: str) -> None:
        self.s = s

    def __lt__(self, other: _Key) -> bool:
        return _key_less(self.s, other.s)


_ORDER_CACHE: dict[tuple[str, ...], list[str]] = {}
_LETTERS = re.compile(r"[A-Za-z]*\Z")


def _sorted_keys(m: dict[str, Any]) -> list[str]:
    keys = tuple(m)
    cached = _ORDER_CACHE.get(keys)
    if cached is not None:
        return cached
    if not all(isinstance(k, str) for k in keys):
        raise BuildError("json: unsupported type: map[interface {}]interface {}")
    if all(_LETTERS.match(k) for k in keys):
        order = sorted(keys)
    else:
        order = sorted(keys, key=_Key)
    if len(_ORDER_CACHE) > 50000:
        _ORDER_CACHE.clear()
    _ORDER_CACHE[keys] = order
    return order


# --- string analysis (go-yaml v2 encode.go stringv + emitterc.go) -----------------------------

_PLAIN, _SINGLE, _DOUBLE, _LITERAL = 0, 1, 2, 3
_BREAKS = "\r\n\x85\u2028\u2029"
_SAFE = re.compile(r"[A-Za-z0-9_/][A-Za-z0-9_./-]*\Z")
_SAFE_SPACED = re.compile(r"[A-Za-z0-9_/][A-Za-z0-9_./=, -]*[A-Za-z0-9_./=,-]\Z")
_ASCII_TEXT = re.compile(r"[\x20-\x7e\n]*\Z")
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")
_V2_BOOLS = frozenset("y Y yes Yes YES n N no No NO on On ON off Off OFF".split())
_BAD = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff]")
_NEL = re.compile("[ ]*\x85[ \x85]*")
_ESCAPES = {"\0": "0", "\a": "a", "\b": "b", "\t": "t", "\n": "n", "\v": "v", "\f": "f", "\r": "r",
            "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\xa0": "_", "\u2028": "L", "\u2029": "P"}


def _printable(c: str) -> bool:
    o = ord(c)
    return (o == 10 or 0x20 <= o <= 0x7E or 0xA0 <= o <= 0xD7FF
            or (0xE000 <= o <= 0xFFFD and o != 0xFEFF))


def _resolves_to_str(s: str) -> bool:
    """go-yaml v2 resolve(): would s, written plain, read back as a string?"""
    if s in _V2_BOOLS:
        return False
    if s[:1].isdigit() and parse_timestamp(s) is not None:
        return False
    return isinstance(resolve_plain(s), str)


class _Analysis:
    """emitterc.go yaml_emitter_analyze_scalar, plus the style go-yaml ends up choosing."""

    __slots__ = ("style", "multiline")

    def __init__(self, s: str, *, key: bool) -> None:
        can_plain = _resolves_to_str(s) and not (":" in s and _BASE60.match(s))
        style = _LITERAL if "\n" in s else _PLAIN if can_plain else _DOUBLE
        block_ind = flow_ind = line_breaks = special = False
        leading_space = leading_break = trailing_space = trailing_break = False
        break_space = space_break = previous_space = previous_break = False
        n = len(s)
        if n == 0:
            self.multiline = False
            self.style = _DOUBLE if style != _PLAIN else _SINGLE if key else _PLAIN
            return
        if s.startswith(("---", "...")):
            block_ind = flow_ind = True
        preceded_ws = True
        for i, c in enumerate(s):
            nxt = s[i + 1] if i + 1 < n else ""
            followed_ws = nxt in ("", " ", "\t")
            if i == 0:
                if c in "#,[]{}&*!|>'\"%@`":
                    flow_ind = block_ind = True
                elif c in "?:":
                    flow_ind = True
                    if followed_ws:
                        block_ind = True
                elif c == "-" and followed_ws:
                    flow_ind = block_ind = True
            elif c in ",?[]{}":
                flow_ind = True
            elif c == ":":
                flow_ind = True
                if followed_ws:
                    block_ind = True
            elif c == "#" and preceded_ws:
                flow_ind = block_ind = True  # noqa: F841 - go-yaml tracks flow indicators; block output never uses them
            if not _printable(c):
                special = True
            if c == " ":
                if i == 0:
                    leading_space = True
                if i == n - 1:
                    trailing_space = True
                if previous_break:
                    break_space = True
                previous_space, previous_break = True, False
            elif c in _BREAKS:
                line_breaks = True
                if i == 0:
                    leading_break = True
                if i == n - 1:
                    trailing_break = True
                if previous_space:
                    space_break = True
                previous_space, previous_break = False, True
            else:
                previous_space = previous_break = False
            preceded_ws = c in " \t\0" or c in _BREAKS
        block_plain = single_ok = block_ok = True
        if leading_space or leading_break or trailing_space or trailing_break:
            block_plain = False
        if trailing_space:
            block_ok = False
        if break_space:
            block_plain = single_ok = False
        if space_break or special:
            block_plain = single_ok = block_ok = False
        if line_breaks:
            block_plain = False
        if block_ind:
            block_plain = False
        self.multiline = line_breaks
        if style == _PLAIN and not block_plain:
            style = _SINGLE
        if style == _SINGLE and not single_ok:
            style = _DOUBLE
        if style == _LITERAL and (not block_ok or key):
            style = _DOUBLE
        self.style = style


# --- writers -----------------------------------------------------------------------------


def _write_plain(s: str, col: int, indent: int, breaks: bool) -> str:
    out = []
    column = col
    spaces = False
    n = len(s)
    for i, c in enumerate(s):
        if c == " ":
            if breaks and not spaces and column > _WIDTH and i + 1 < n and s[i + 1] != " ":
                out.append("\n" + " " * indent)
                column = indent
            else:
                out.append(c)
                column += 1
            spaces = True
        else:
            out.append(c)
            column += 1
            spaces = False
    return "".join(out)


def _write_single(s: str, col: int, indent: int, breaks: bool) -> str:
    out = ["'"]
    column = col + 1
    spaces = in_break = False
    n = len(s)
    for i, c in enumerate(s):
        if c == " ":
            if breaks and not spaces and column > _WIDTH and 0 < i < n - 1 and s[i + 1] != " ":
                out.append("\n" + " " * indent)
                column = indent
            else:
                out.append(c)
                column += 1
            spaces = True
        elif c in _BREAKS:
            out.append(c)
            column = 0
            in_break = True
        else:
            if in_break:
                out.append(" " * indent)
                column = indent
            if c == "'":
                out.append("'")
                column += 1
            out.append(c)
            column += 1
            spaces = in_break = False
    out.append("'")
    return "".join(out)


def _write_double(s: str, col: int, indent: int, breaks: bool) -> str:
    out = ['"']
    column = col + 1
    spaces = False
    n = len(s)
    bom = s.startswith("\ufeff")  # go-yaml v2 checks for a BOM at the start, not at i
    for i, c in enumerate(s):
        if bom or c in '"\\' or c in _BREAKS or not _printable(c):
            esc = _ESCAPES.get(c)
            if esc is None:
                o = ord(c)
                esc = f"x{o:02X}" if o <= 0xFF else f"u{o:04X}" if o <= 0xFFFF else f"U{o:08X}"
            out.append("\\" + esc)
            column += 1 + len(esc)
            spaces = False
        elif c == " ":
            if breaks and not spaces and column > _WIDTH and 0 < i < n - 1:
                out.append("\n" + " " * indent)
                column = indent
                if s[i + 1] == " ":
                    out.append("\\")
                    column += 1
            else:
                out.append(" ")
                column += 1
            spaces = True
        else:
            out.append(c)
            column += 1
            spaces = False
    out.append('"')
    return "".join(out)


def _write_literal(s: str, indent: int) -> str:
    head = "|"
    if s[0] == " " or s[0] in _BREAKS:
        head += "2"
    last = s[-1]
    if last not in _BREAKS:
        head += "-"
    elif len(s) == 1 or s[-2] in _BREAKS:
        head += "+"
    pad = " " * indent
    if "\u2028" in s or "\u2029" in s:
        out = [head, "\n"]
        at_break = True
        for c in s:
            if c in _BREAKS:
                out.append(c)
                at_break = True
            else:
                if at_break:
                    out.append(pad)
                out.append(c)
                at_break = False
        if not at_break:
            out.append("\n")
        return "".join(out)
    body = "\n".join(pad + line if line else "" for line in s.split("\n"))
    return head + "\n" + body + ("" if last == "\n" else "\n")


def _fold_nel(s: str) -> str:
    # JSON keeps U+0085 raw and go-yaml v2 reads it as a line break inside the quoted string.
    def repl(m: re.Match[str]) -> str:
        n = m.group().count("\x85")
        return " " if n == 1 else "\n" * (n - 1)

    return _NEL.sub(repl, s)


_STR_CACHE: dict[str, tuple[int, str]] = {}


def _string_style(s: str) -> tuple[int, str]:
    """(style, unfolded text of s as a value) for s, cached."""
    hit = _STR_CACHE.get(s)
    if hit is not None:
        return hit
    orig = s
    if "\x85" in s:
        s = _fold_nel(s)
    if _BAD.search(s):
        raise BuildError("yaml: control characters are not allowed")
    if _SAFE.match(s) or _SAFE_SPACED.match(s):
        style = _PLAIN if _resolves_to_str(s) else _DOUBLE
    elif "\n" in s and _ASCII_TEXT.match(s) and " \n" not in s and not s.endswith(" "):
        style = _LITERAL  # no trailing spaces, tabs or control characters: a block is allowed
    else:
        style = _Analysis(s, key=False).style
    if style == _PLAIN:
        text = s
    elif style == _SINGLE:
        text = _write_single(s, 0, 0, False)
    elif style == _DOUBLE:
        text = _write_double(s, 0, 0, False)
    else:
        text = s
    if len(_STR_CACHE) > 200000:
        _STR_CACHE.clear()
    _STR_CACHE[orig] = (style, text)
    return style, text


def _str_value(s: str, col: int, indent: int) -> str:
    """s as a block value: col is the column after ':' or '-', indent the continuation indent."""
    style, text = _string_style(s)
    if style == _LITERAL:
        if "\x85" in s:
            s = _fold_nel(s)
        return " " + _write_literal(s, indent)
    if col + len(text) < _WIDTH and not (style == _SINGLE and ("\u2028" in s or "\u2029" in s)):
        return " " + text + "\n"
    if "\x85" in s:
        s = _fold_nel(s)
    if style == _PLAIN:
        return " " + _write_plain(s, col + 1, indent, True) + "\n"
    if style == _SINGLE:
        return " " + _write_single(s, col + 1, indent, True) + "\n"
    return " " + _write_double(s, col + 1, indent, True) + "\n"


def _scalar(v: Any, col: int, indent: int) -> str:
    if isinstance(v, str):
        return _str_value(v, col, indent)
    if v is None:
        return " null\n"
    if v is True:
        return " true\n"
    if v is False:
        return " false\n"
    if isinstance(v, int):
        return " " + _int_text(v) + "\n"
    if isinstance(v, float):
        return " " + go_float(v) + "\n"
    raise BuildError(f"json: unsupported type: {type(v).__name__}")


_KEY_CACHE: dict[str, str | None] = {}


def _key_text(k: str) -> str | None:
    """The key as a simple key, or None when go-yaml writes it as '? key'."""
    try:
        return _KEY_CACHE[k]
    except KeyError:
        pass
    s = _fold_nel(k) if "\x85" in k else k
    if _BAD.search(s):
        raise BuildError("yaml: control characters are not allowed")
    text: str | None
    if _SAFE.match(s) and len(s) <= 128:
        text = s if _resolves_to_str(s) else _write_double(s, 0, 0, False)
    else:
        a = _Analysis(s, key=True)
        if a.multiline or len(s.encode("utf-8", "surrogatepass")) > 128:
            text = None
        elif a.style == _PLAIN:
            text = s
        elif a.style == _SINGLE:
            text = _write_single(s, 0, 0, False)
        else:
            text = _write_double(s, 0, 0, False)
    if len(_KEY_CACHE) > 50000:
        _KEY_CACHE.clear()
    _KEY_CACHE[k] = text
    return text


# --- structure -----------------------------------------------------------------------------


def _emit_map(m: dict[str, Any], indent: int, out: list[str], inline: bool) -> None:
    pad = " " * indent
    first = inline
    for k in _sorted_keys(m):
        v = m[k]
        prefix = "" if first else pad
        first = False
        kt = _key_text(k)
        if kt is None:
            out.append(prefix + "?" + _str_value(k, indent + 1, indent + 2) + pad + ":")
            _emit_complex_value(v, indent, out)
            continue
        if type(v) is dict:
            if v:
                out.append(prefix + kt + ":\n")
                _emit_map(v, indent + 2, out, False)
            else:
                out.append(prefix + kt + ": {}\n")
        elif type(v) is list:
            if v:
                out.append(prefix + kt + ":\n")
                _emit_seq(v, indent, out, False)
            else:
                out.append(prefix + kt + ": []\n")
        elif type(v) is str and _SAFE.match(v) and len(v) < 60:
            hit = _STR_CACHE.get(v)
            if hit is not None and hit[0] == _PLAIN:
                out.append(prefix + kt + ": " + v + "\n")
            else:
                out.append(prefix + kt + ":" + _str_value(v, indent + len(kt) + 1, indent + 2))
        elif isinstance(v, dict):
            _emit_map_entry_generic(prefix, kt, v, indent, out)
        elif isinstance(v, list):
            _emit_map_entry_generic(prefix, kt, v, indent, out)
        else:
            out.append(prefix + kt + ":" + _scalar(v, indent + len(kt) + 1, indent + 2))


def _emit_map_entry_generic(prefix: str, kt: str, v: Any, indent: int, out: list[str]) -> None:
    if isinstance(v, dict):
        if v:
            out.append(prefix + kt + ":\n")
            _emit_map(v, indent + 2, out, False)
        else:
            out.append(prefix + kt + ": {}\n")
    elif v:
        out.append(prefix + kt + ":\n")
        _emit_seq(v, indent, out, False)
    else:
        out.append(prefix + kt + ": []\n")


def _emit_complex_value(v: Any, indent: int, out: list[str]) -> None:
    # After ': ' of a '? key' entry, a collection starts on the same line, indented by 2.
    if isinstance(v, dict) and v:
        out.append(" ")
        _emit_map(v, indent + 2, out, True)
    elif isinstance(v, list) and v:
        out.append(" ")
        _emit_seq(v, indent + 2, out, True)
    elif isinstance(v, dict):
        out.append(" {}\n")
    elif isinstance(v, list):
        out.append(" []\n")
    else:
        out.append(_scalar(v, indent + 1, indent + 2))


def _emit_seq(seq: list[Any], indent: int, out: list[str], inline: bool) -> None:
    pad = " " * indent
    first = inline
    for v in seq:
        prefix = "- " if first else pad + "- "
        first = False
        if isinstance(v, dict):
            if v:
                out.append(prefix)
                _emit_map(v, indent + 2, out, True)
            else:
                out.append(prefix + "{}\n")
        elif isinstance(v, list):
            if v:
                out.append(prefix)
                _emit_seq(v, indent + 2, out, True)
            else:
                out.append(prefix + "[]\n")
        else:
            out.append(prefix[:-1] + _scalar(v, indent + 1, indent + 2))


def dump_resources(objs: list[dict[str, Any]]) -> str:
    """Print objects as ``kustomize build`` prints them, in the given order.

    Args:
        objs: JSON-compatible objects (dict/list/str/int/float/bool/None).

    Returns:
        The YAML stream: documents joined by ``---`` lines, each ending in a newline.

    Raises:
        BuildError: a value JSON cannot hold (NaN, infinity, a non-string key)
            or a character go-yaml refuses (U+007F-U+009F except U+0085, U+FFFE/F).
    """
    docs = []
    for obj in objs:
        if not obj:
            docs.append("{}\n")
            continue
        out: list[str] = []
        _emit_map(obj, 0, out, False)
        docs.append("".join(out))
    return "---\n".join(docs)
