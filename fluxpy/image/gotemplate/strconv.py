"""Go's `strconv` as the engine needs it: quoting, unquoting and number syntax.

`quote` is `strconv.Quote` (printing `%q`, lexer error messages, `{{template
"x"}}` in parse-tree text), `format_float` is `strconv.FormatFloat` (`%v` and
`%g` on floats, Sprig's number printing), and `_unquote`, `_parse_go_int` and
`_parse_go_float` read string, char and number literals as the parser does.
They are text-in, text-out helpers with no knowledge of values or templates,
so lexer, parser and printer can share them.
"""

from __future__ import annotations

import math
from decimal import Decimal

_GO_SPACES = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def _is_print(ch: str) -> bool:
    return ch == " " or ch.isprintable()


def quote(s: str, *, ascii_only: bool = False) -> str:
    """Go's `strconv.Quote`: a double-quoted Go string literal."""
    out = ['"']
    for ch in s:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif (ord(ch) < 0x80 or not ascii_only) and _is_print(ch) and not (0xD800 <= ord(ch) <= 0xDFFF):
            out.append(ch)
        else:
            out.append(_escape_rune(ch))
    out.append('"')
    return "".join(out)


def _escape_rune(ch: str) -> str:
    specials = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}
    if ch in specials:
        return specials[ch]
    r = ord(ch)
    if r < 0x20 or r == 0x7F:
        return f"\\x{r:02x}"
    if 0xD800 <= r <= 0xDFFF:
        return "\\ufffd"
    if r < 0x10000:
        return f"\\u{r:04x}"
    return f"\\U{r:08x}"


def _quote_rune(r: int, *, ascii_only: bool = False) -> str:
    if r > 0x10FFFF or 0xD800 <= r <= 0xDFFF:
        r = 0xFFFD
    ch = chr(r)
    if ch in ("'", "\\"):
        return "'\\" + ch + "'"
    if (r < 0x80 or not ascii_only) and _is_print(ch):
        return "'" + ch + "'"
    return "'" + _escape_rune(ch) + "'"


def _can_backquote(s: str) -> bool:
    return all(ch == "\t" or (ch != "`" and ch != "\ufeff" and ord(ch) >= 0x20 and ch != "\x7f") for ch in s)


def _shortest_digits(x: float) -> tuple[str, int]:
    """Shortest round-trip decimal digits of |x| and the decimal point position (Go's digs.d, digs.dp)."""
    if x == 0:
        return "", 0
    t = Decimal(repr(abs(x))).as_tuple()
    digits = "".join(map(str, t.digits)).lstrip("0")
    exp = int(t.exponent)
    stripped = digits.rstrip("0")
    exp += len(digits) - len(stripped)
    return stripped, len(stripped) + exp


def _fmt_e(digits: str, dp: int, prec: int, e: str) -> str:
    first = digits[0] if digits else "0"
    s = first
    if prec > 0:
        s += "." + digits[1 : 1 + prec].ljust(prec, "0")
    exp = dp - 1 if digits else 0
    return f"{s}{e}{'-' if exp < 0 else '+'}{abs(exp):02d}"


def _fmt_f(digits: str, dp: int, prec: int) -> str:
    whole = (digits[:dp].ljust(dp, "0") if dp > 0 else "0") or "0"
    if prec <= 0:
        return whole
    frac = "".join(digits[dp + i] if 0 <= dp + i < len(digits) else "0" for i in range(prec))
    return f"{whole}.{frac}"


def format_float(x: float, fmt: str, prec: int) -> str:
    """Go's `strconv.FormatFloat(x, fmt, prec, 64)` for the e, E, f, F, g and G formats."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    neg = "-" if math.copysign(1.0, x) < 0 else ""
    if prec >= 0:
        if fmt in "gG" and prec == 0:
            prec = 1
        return format(x, f".{prec}{fmt}")
    digits, dp = _shortest_digits(x)
    nd = len(digits)
    low = fmt.lower()
    if low == "e":
        body = _fmt_e(digits, dp, nd - 1, "e" if fmt == "e" else "E")
    elif low == "f":
        body = _fmt_f(digits, dp, max(nd - dp, 0))
    else:
        exp = dp - 1
        if exp < -4 or exp >= 6 and nd > 0:
            body = _fmt_e(digits, dp, nd - 1, "e" if fmt == "g" else "E")
        else:
            body = _fmt_f(digits, dp, max(nd - dp, 0))
    return neg + body


_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def _unquote(q: str) -> str:
    """Go's `strconv.Unquote` for "...", `...` and '.' literals; ValueError("invalid syntax") otherwise."""
    if len(q) < 2 or q[0] != q[-1] or q[0] not in "\"'`":
        raise ValueError("invalid syntax")
    body = q[1:-1]
    if q[0] == "`":
        if "`" in body:
            raise ValueError("invalid syntax")
        return body.replace("\r", "")
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == q[0] or ch == "\n":
            raise ValueError("invalid syntax")
        if ch != "\\":
            out += ch.encode("utf-8", "surrogatepass")
            i += 1
            continue
        i += 1
        if i >= len(body):
            raise ValueError("invalid syntax")
        e = body[i]
        i += 1
        if e in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[e].encode()
        elif e in "\"'":
            if e != q[0]:
                raise ValueError("invalid syntax")
            out += e.encode()
        elif e in "xuU":
            size = {"x": 2, "u": 4, "U": 8}[e]
            digits = body[i : i + size]
            if len(digits) != size or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise ValueError("invalid syntax")
            i += size
            value = int(digits, 16)
            if e == "x":
                if q[0] == "'":
                    out += chr(value).encode()
                else:
                    out.append(value)
            else:
                if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                    raise ValueError("invalid syntax")
                out += chr(value).encode()
        elif e in "01234567":
            digits = body[i - 1 : i + 2]
            if len(digits) != 3 or any(c not in "01234567" for c in digits) or int(digits, 8) > 255:
                raise ValueError("invalid syntax")
            i += 2
            value = int(digits, 8)
            if q[0] == "'":
                out += chr(value).encode()
            else:
                out.append(value)
        else:
            raise ValueError("invalid syntax")
    text = out.decode("utf-8", "replace")
    if q[0] == "'" and len(text) != 1:
        raise ValueError("invalid syntax")
    return text


def _parse_go_int(text: str) -> int | None:
    """Go's `strconv.ParseInt(text, 0, 64)` (sign, 0x/0o/0b/0 prefixes, underscores)."""
    sign = 1
    s = text
    if s[:1] in "+-":
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    if not s:
        return None
    base, body = 10, s
    low = s[:2].lower()
    if low in ("0x", "0o", "0b"):
        base, body = {"0x": 16, "0o": 8, "0b": 2}[low], s[2:]
        body = body.removeprefix("_")
    elif len(s) > 1 and s[0] == "0":
        base, body = 8, s[1:].lstrip("_") if s[1] == "_" else s[1:]
    if not body or body.startswith("_") or body.endswith("_") or "__" in body:
        return None
    try:
        value = int(body.replace("_", ""), base)
    except ValueError:
        return None
    return sign * value


def _parse_go_float(text: str) -> float | None:
    s = text.replace("_", "") if "_" in text else text
    try:
        if "x" in s.lower():
            return float.fromhex(s)
        if any(c.isalpha() and c not in "eE" for c in s):
            return None
        return float(s)
    except ValueError:
        return None
