"""Go's `fmt` printing: `%v` and the other verbs, `Sprint`, `Sprintln` and `Sprintf`.

Template output is what `fmt.Fprint` writes for each action's value, and
`printf`/`print`/`println` are `fmt` functions, so a rendered message is only
byte-identical to Flux's if these follow fmt's rules: sorted map keys,
`{f1 f2}` structs, Stringers, `<nil>`, and error forms such as
`%!d(string=x)`, `%!v(MISSING)` and `%!(EXTRA ...)`. Kinds and type names come
from `values`, quoting and float digits from `strconv`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fluxpy.image.gotemplate.strconv import _can_backquote, _is_print, _quote_rune, format_float, quote
from fluxpy.image.gotemplate.values import (
    _K,
    GoMap,
    GoSlice,
    _is_dataclass_instance,
    _kind,
    go_type_name,
    sorted_keys,
    stringer,
    struct_fields,
)


@dataclass
class _Flags:
    minus: bool = False
    plus: bool = False
    sharp: bool = False
    space: bool = False
    zero: bool = False
    width: int | None = None
    prec: int | None = None
    plus_v: bool = False
    sharp_v: bool = False


_NO_FLAGS = _Flags()


def _pad(s: str, f: _Flags, *, zero_ok: bool = True) -> str:
    if f.width is None or f.width <= len(s):
        return s
    n = f.width - len(s)
    if f.minus:
        return s + " " * n
    return ("0" if f.zero and zero_ok else " ") * n + s


def _bad_verb(v: object, verb: str) -> str:
    if v is None:
        return f"%!{verb}(<nil>)"
    return f"%!{verb}({go_type_name(v)}={_fmt(v, 'v', _NO_FLAGS, 0, erroring=True)})"


def _fmt_int(n: int, verb: str, f: _Flags) -> str:
    if verb == "c":
        return _pad(chr(n) if 0 <= n <= 0x10FFFF else "\ufffd", f)
    if verb == "q":
        return _pad(_quote_rune(n, ascii_only=f.plus), f)
    if verb == "U":
        s = f"U+{n:04X}" if n >= 0 else f"U+{n & 0xFFFFFFFFFFFFFFFF:04X}"
        if f.sharp and 0 <= n <= 0x10FFFF and _is_print(chr(n)):
            s += f" '{chr(n)}'"
        return _pad(s, f, zero_ok=False)
    bases = {"v": 10, "d": 10, "b": 2, "o": 8, "O": 8, "x": 16, "X": 16}
    base = bases[verb]
    a = abs(n)
    digits = {10: str(a), 2: format(a, "b"), 8: format(a, "o"), 16: format(a, "x")}[base]
    if verb == "X":
        digits = digits.upper()
    sign = "-" if n < 0 else "+" if f.plus else " " if f.space else ""
    if f.prec is not None:
        digits = "" if f.prec == 0 and n == 0 else digits.rjust(f.prec, "0")
    elif f.zero and f.width is not None and not f.minus:
        digits = digits.rjust(f.width - len(sign), "0")
    prefix = ""
    if verb == "O":
        prefix = "0o"
    elif f.sharp:
        prefix = {"b": "0b", "o": "0" if not digits.startswith("0") else "", "x": "0x", "X": "0X"}.get(verb, "")
    return _pad(sign + prefix + digits, f, zero_ok=False)


def _fmt_float(x: float, verb: str, f: _Flags) -> str:
    if verb == "v":
        verb = "g"
    prec = f.prec if f.prec is not None else (-1 if verb in "gG" else 6)
    num = format_float(x, verb, prec)
    if num[0] not in "+-":
        num = "+" + num
    if f.space and num[0] == "+" and not f.plus:
        num = " " + num[1:]
    if num[1:] in ("Inf", "NaN"):
        if num[1] == "N" and not f.space and not f.plus:
            num = num[1:]
        return _pad(num, f, zero_ok=False)
    if f.plus or num[0] != "+":
        sign, body = num[0], num[1:]
    else:
        sign, body = "", num[1:]
    if f.zero and f.width is not None and not f.minus:
        body = body.rjust(f.width - len(sign), "0")
    return _pad(sign + body, f, zero_ok=False)


def _fmt_str(s: str, verb: str, f: _Flags) -> str:
    if verb in "vs":
        if f.prec is not None:
            s = s[: f.prec]
        return _pad(s, f)
    if verb == "q":
        if f.prec is not None:
            s = s[: f.prec]
        if f.sharp and _can_backquote(s):
            return _pad("`" + s + "`", f)
        return _pad(quote(s, ascii_only=f.plus), f)
    if verb in "xX":
        data = s.encode("utf-8", "surrogateescape")
        if f.prec is not None:
            data = data[: f.prec]
        hexes = [format(b, "02x" if verb == "x" else "02X") for b in data]
        prefix = ("0x" if verb == "x" else "0X") if f.sharp else ""
        if f.space:
            return _pad(" ".join(prefix + h for h in hexes), f)
        return _pad(prefix + "".join(hexes), f)
    return _bad_verb(s, verb)


def _fmt(v: object, verb: str, f: _Flags, depth: int, *, erroring: bool = False) -> str:
    """Format one operand like fmt's printArg/printValue."""
    if v is None:
        if depth > 0:  # a nil interface inside a map, slice or struct prints for any verb
            return "interface {}(nil)" if f.sharp_v else "<nil>"
        if verb in "vT":
            return _pad("<nil>", f)
        return _bad_verb(None, verb)
    if verb == "T":
        return _pad(go_type_name(v), f)
    if not erroring and not f.sharp_v and verb in "vsxXq":
        s = stringer(v)
        if s is not None:
            return _fmt_str(s, verb, f)
    k = _kind(v)
    if k is _K.BOOL:
        return _pad("true" if v else "false", f) if verb in "vt" else _bad_verb(v, verb)
    if k is _K.INT:
        if verb in "vdboOxXcqU":
            return _fmt_int(v, verb, f)  # type: ignore[arg-type]
        return _bad_verb(v, verb)
    if k is _K.FLOAT:
        if verb in "vgGeEfF":
            return _fmt_float(v, verb, f)  # type: ignore[arg-type]
        return _bad_verb(v, verb)
    if k is _K.COMPLEX:
        c = complex(v)  # type: ignore[call-overload]
        if verb not in "vgGeEfF":
            return _bad_verb(v, verb)
        im = _fmt_float(c.imag, verb, dataclasses.replace(f, plus=True, width=None))
        return _pad(f"({_fmt_float(c.real, verb, dataclasses.replace(f, width=None))}{im}i)", f)
    if k is _K.STRING:
        if f.sharp_v:
            return _pad(quote(v), f)  # type: ignore[arg-type]
        return _fmt_str(v, verb, f)  # type: ignore[arg-type]
    if k is _K.MAP:
        m: Mapping[Any, Any] = v  # type: ignore[assignment]
        parts = [f"{_fmt(key, verb, f, depth + 1)}:{_fmt(m[key], verb, f, depth + 1)}" for key in sorted_keys(m)]
        return _join_composite(m, parts, f, "map[", "]")
    if k is _K.SLICE:
        items = [_fmt(x, verb, f, depth + 1) for x in v]  # type: ignore[attr-defined]
        return _join_composite(v, items, f, "[", "]")
    if k is _K.FUNC:
        return _pad(f"{id(v):#x}", f) if verb in "vp" else _bad_verb(v, verb)
    fields = struct_fields(v)
    if not fields and not _is_dataclass_instance(v):
        return _pad(str(v), f)
    parts = []
    for name, val, _meta in fields:
        text = _fmt(val, verb, f, depth + 1)
        parts.append(f"{name}:{text}" if f.plus_v or f.sharp_v else text)
    return _join_composite(v, parts, f, "{", "}")


def _join_composite(v: object, parts: list[str], f: _Flags, open_: str, close: str) -> str:
    """A map's, slice's or struct's printed elements: `[a b]` for `%v`, `T{a, b}` (`T(nil)` if nil) for `%#v`."""
    if f.sharp_v:
        if isinstance(v, (GoMap, GoSlice)) and v.nil:
            return f"{go_type_name(v)}(nil)"
        return go_type_name(v) + "{" + ", ".join(parts) + "}"
    return open_ + " ".join(parts) + close


def format_value(v: object) -> str:
    """`fmt.Sprint(v)` for one value: Go's `%v`."""
    return _fmt(v, "v", _NO_FLAGS, 0)


def sprint(*args: object) -> str:
    """Go's `fmt.Sprint`: a space between operands when neither side is a string."""
    out: list[str] = []
    prev_string = False
    for i, a in enumerate(args):
        is_string = isinstance(a, str)
        if i > 0 and not is_string and not prev_string:
            out.append(" ")
        out.append(_fmt(a, "v", _NO_FLAGS, 0))
        prev_string = is_string
    return "".join(out)


def sprintln(*args: object) -> str:
    """Go's `fmt.Sprintln`: operands separated by spaces, then a newline."""
    return " ".join(_fmt(a, "v", _NO_FLAGS, 0) for a in args) + "\n"


def _int_from_arg(args: tuple[object, ...], argnum: int) -> int | None:
    """The operand of a `*` width or precision (Go's intFromArg); None when it is missing or not an int."""
    a = args[argnum] if argnum < len(args) else None
    if isinstance(a, int) and not isinstance(a, bool):
        return int(a)
    return None


def _parse_num(s: str, start: int, end: int) -> tuple[int | None, int]:
    """The digits at `start` (Go's parsenum): their value, None when there are none, and the index after them."""
    i = start
    while i < end and s[i].isdigit():
        i += 1
    return (int(s[start:i]) if i > start else None), i


def sprintf(format: str, *args: object) -> str:
    """Go's `fmt.Sprintf`, with flags, width, precision, `*` and explicit `[n]` argument indexes."""
    out: list[str] = []
    argnum = 0
    reordered = False
    i, end = 0, len(format)
    while i < end:
        j = format.find("%", i)
        if j < 0:
            out.append(format[i:])
            break
        out.append(format[i:j])
        i = j + 1
        f = _Flags()
        while i < end and format[i] in "#0+- ":
            c = format[i]
            if c == "#":
                f.sharp = True
            elif c == "0":
                f.zero = not f.minus
            elif c == "+":
                f.plus = True
            elif c == "-":
                f.minus = True
                f.zero = False
            else:
                f.space = True
            i += 1
        good_argnum = True

        def arg_index(pos: int, argnum: int) -> tuple[int, int, bool]:
            nonlocal reordered, good_argnum
            if pos < end and format[pos] == "[":
                reordered = True
                close = format.find("]", pos)
                digits = format[pos + 1 : close] if close >= 0 else ""
                if close < 0 or not digits.isdigit() or not 1 <= int(digits) <= len(args):
                    good_argnum = False
                    return argnum, (close + 1 if close >= 0 else end), True
                return int(digits) - 1, close + 1, True
            return argnum, pos, False

        argnum, i, after_index = arg_index(i, argnum)
        if i < end and format[i] == "*":
            i += 1
            w = _int_from_arg(args, argnum)
            if w is None:
                out.append("%!(BADWIDTH)")
            else:
                f.width = abs(w)
                if w < 0:
                    f.minus, f.zero = True, False
            argnum += 1
            after_index = False
        else:
            width, i = _parse_num(format, i, end)
            if width is not None:
                f.width = width
                if after_index:
                    good_argnum = False
        if i < end and format[i] == ".":
            i += 1
            if after_index:
                good_argnum = False
            argnum, i, after_index = arg_index(i, argnum)
            if i < end and format[i] == "*":
                i += 1
                p = _int_from_arg(args, argnum)
                if p is not None and p >= 0:
                    f.prec = p
                else:  # a negative precision is as bad as a missing one, and leaves none set
                    out.append("%!(BADPREC)")
                argnum += 1
                after_index = False
            else:
                prec, i = _parse_num(format, i, end)
                f.prec = prec if prec is not None else 0
        if not after_index:
            argnum, i, after_index = arg_index(i, argnum)
        if i >= end:
            out.append("%!(NOVERB)")
            break
        verb = format[i]
        i += 1
        if verb == "%":
            out.append("%")
            continue
        if not good_argnum:
            out.append(f"%!{verb}(BADINDEX)")
            continue
        if argnum >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        if verb == "v":
            if f.sharp:
                f.sharp, f.sharp_v = False, True
            if f.plus:
                f.plus, f.plus_v = False, True
        if verb == "w":
            verb_out = _bad_verb(args[argnum], verb)
        else:
            verb_out = _fmt(args[argnum], verb, f, 0)
        out.append(verb_out)
        argnum += 1
    if not reordered and argnum < len(args):
        extras = [
            "<nil>" if a is None else f"{go_type_name(a)}={_fmt(a, 'v', _NO_FLAGS, 0)}" for a in args[argnum:]
        ]
        out.append("%!(EXTRA " + ", ".join(extras) + ")")
    return "".join(out)
