"""The scanner of Go's `regexp/syntax` parser with the Perl flags: a port of `parse`.

It walks the pattern as Go does (groups and flags, escapes, classes,
repetitions) and pushes nodes onto `_ParseStack`, raising `PatternError`
with Go's code and offending text wherever Go's `regexp.Compile` fails.
"""

from __future__ import annotations

from fluxpy.image.goregexp.classes import (
    _CANONICAL_ALIASES,
    _CANONICAL_SCRIPTS,
    _CATEGORIES,
    _CATEGORY_GROUPS,
    _PERL_GROUPS,
    _POSIX_GROUPS,
    _canonical_name,
    _category_table,
    _clean,
    _fold_ranges,
    _group_ranges,
    _negate,
)
from fluxpy.image.goregexp.errors import (
    ERR_INVALID_CHAR_RANGE,
    ERR_INVALID_ESCAPE,
    ERR_INVALID_NAMED_CAPTURE,
    ERR_INVALID_PERL_OP,
    ERR_INVALID_REPEAT_SIZE,
    ERR_INVALID_UTF8,
    ERR_MISSING_BRACKET,
    ERR_MISSING_PAREN,
    ERR_TRAILING_BACKSLASH,
    PatternError,
)
from fluxpy.image.goregexp.stack import _is_surrogate, _ParseStack
from fluxpy.image.goregexp.tree import (
    _ALL_FLAGS,
    _DOT_NL,
    _FOLD,
    _MAX_RUNE,
    _NON_GREEDY,
    _ONE_LINE,
    _Assert,
    _Class,
    _Dot,
    _LeftParen,
    _Node,
    _Ranges,
)

# --- the parser: a port of Go's regexp/syntax `parse` with the Perl flags ------------

def _is_alnum(c: str) -> bool:
    return "0" <= c <= "9" or "A" <= c <= "Z" or "a" <= c <= "z"


def _unhex(c: str) -> int:
    if "0" <= c <= "9":
        return ord(c) - 48
    if "a" <= c <= "f":
        return ord(c) - 87
    if "A" <= c <= "F":
        return ord(c) - 55
    return -1


class _Parser(_ParseStack):
    """Go's `parse` loop over the pattern, with the Perl flags."""

    # the main loop

    def parse(self) -> _Node:
        s, n = self.s, self.n
        i = 0
        last_repeat = -1
        while i < n:
            repeat = -1
            c = s[i]
            if c == "(":
                if i + 1 < n and s[i + 1] == "?":
                    i = self.perl_flags(i)
                else:
                    self.num_cap += 1
                    self.push(_LeftParen(self.num_cap, "", self.flags))
                    i += 1
            elif c == "|":
                self.vertical_bar()
                i += 1
            elif c == ")":
                self.right_paren()
                i += 1
            elif c == "^":
                # Python's `^` outside (?m) is `\A`, and lets `search` try only position 0.
                self.push(_Assert("^" if self.flags & _ONE_LINE else "(?m:^)"))
                i += 1
            elif c == "$":
                self.push(_Assert("\\Z" if self.flags & _ONE_LINE else "(?m:$)"))
                i += 1
            elif c == ".":
                self.push(_Dot(bool(self.flags & _DOT_NL)))
                i += 1
            elif c == "[":
                i = self.parse_class(i)
            elif c in "*+?":
                lo, hi = {"*": (0, -1), "+": (1, -1), "?": (0, 1)}[c]
                repeat = i
                i = self.repeat(lo, hi, False, i, i + 1, last_repeat)
            elif c == "{":
                parsed = self.parse_repeat(i)
                if parsed is None:
                    self.literal("{")  # not a repetition: `{` is a literal
                    i += 1
                else:
                    lo, hi, after = parsed
                    if lo < 0 or lo > 1000 or hi > 1000 or (hi >= 0 and lo > hi):
                        raise self.error(ERR_INVALID_REPEAT_SIZE, s[i:after])
                    repeat = i
                    i = self.repeat(lo, hi, True, i, after, last_repeat)
            elif c == "\\":
                i = self.backslash(i)
            else:
                self.literal(self.rune(i))
                i += 1
            last_repeat = repeat
        self.concat()
        self.alternate()
        if len(self.stack) != 1:
            raise self.error(ERR_MISSING_PAREN, s)
        return self.stack[0]

    def backslash(self, i: int) -> int:
        s, n = self.s, self.n
        if i + 1 < n:
            c = s[i + 1]
            if c == "A":
                self.push(_Assert("^"))
                return i + 2
            if c == "b":
                self.push(_Assert("(?a:\\b)"))
                return i + 2
            if c == "B":
                # Python's \B never matches the empty text; Go's does.
                self.push(_Assert("(?!(?a:\\b))"))
                return i + 2
            if c == "C":
                raise self.error(ERR_INVALID_ESCAPE, s[i:i + 2])  # any byte: unsupported
            if c == "Q":
                end = s.find("\\E", i + 2)
                stop = n if end < 0 else end
                for j in range(i + 2, stop):
                    self.literal(self.rune(j, stop))
                return n if end < 0 else end + 2
            if c == "z":
                self.push(_Assert("\\Z"))
                return i + 2
        fold = bool(self.flags & _FOLD)
        unicode = self.unicode_class(i)
        if unicode is not None:
            ranges, i = unicode
            self.push(_Class(ranges, False, fold))
            return i
        group = _PERL_GROUPS.get(s[i:i + 2])
        if group is not None:
            self.push(_Class(_group_ranges(*group, fold), False, fold))
            return i + 2
        cp, i = self.escape(i)
        self.literal(chr(cp))
        return i

    def parse_repeat(self, i: int) -> tuple[int, int, int] | None:
        """Go's `parseRepeat`: `{n}`, `{n,}`, `{n,m}` as (min, max, end), max -1 unbounded."""
        s, n = self.s, self.n
        j = i + 1
        first = self.parse_int(j)
        if first is None:
            return None
        lo, j = first
        if j >= n:
            return None
        if s[j] != ",":
            hi = lo
        else:
            j += 1
            if j >= n:
                return None
            if s[j] == "}":
                hi = -1
            else:
                second = self.parse_int(j)
                if second is None:
                    return None
                hi, j = second
                if hi < 0:
                    lo = -1  # too big
        if j >= n or s[j] != "}":
            return None
        return lo, hi, j + 1

    def parse_int(self, i: int) -> tuple[int, int] | None:
        """Go's `parseInt`: digits without a leading zero; -1 when 1e8 or more."""
        s, n = self.s, self.n
        if i >= n or not "0" <= s[i] <= "9":
            return None
        if i + 1 < n and s[i] == "0" and "0" <= s[i + 1] <= "9":
            return None
        j = i
        while j < n and "0" <= s[j] <= "9":
            j += 1
        value = 0
        for k in range(i, j):
            if value >= 100_000_000:
                value = -1
                break
            value = value * 10 + ord(s[k]) - 48
        return value, j

    def perl_flags(self, i: int) -> int:
        """Go's `parsePerlFlags` at `(?`: named captures, flag changes, non-capturing groups."""
        s, n = self.s, self.n
        rest = s[i:]
        starts_with_p = len(rest) > 4 and rest[2] == "P" and rest[3] == "<"
        starts_with_name = len(rest) > 3 and rest[2] == "<"
        if starts_with_p or starts_with_name:
            end = rest.find(">")
            if end < 0:
                raise self.error(ERR_INVALID_NAMED_CAPTURE, rest)
            capture = rest[:end + 1]
            name = rest[4 if starts_with_p else 3:end]
            for k, ch in enumerate(name):
                if _is_surrogate(ch):
                    raise self.error(ERR_INVALID_UTF8, name[k:])
            if not name or not all(ch == "_" or _is_alnum(ch) for ch in name):
                raise self.error(ERR_INVALID_NAMED_CAPTURE, capture)
            self.num_cap += 1
            self.push(_LeftParen(self.num_cap, name, self.flags))
            return i + end + 1
        j = i + 2
        flags = self.flags
        sign = 1
        saw_flag = False
        while j < n:
            c = self.rune(j)
            j += 1
            if c == "i":
                flags |= _FOLD
                saw_flag = True
            elif c == "m":
                flags &= ~_ONE_LINE
                saw_flag = True
            elif c == "s":
                flags |= _DOT_NL
                saw_flag = True
            elif c == "U":
                flags |= _NON_GREEDY
                saw_flag = True
            elif c == "-":
                if sign < 0:
                    break
                sign = -1
                # Invert, so that setting a bit below clears it once inverted back.
                flags ^= _ALL_FLAGS
                saw_flag = False
            elif c in ":)":
                if sign < 0:
                    if not saw_flag:
                        break
                    flags ^= _ALL_FLAGS
                if c == ":":
                    self.push(_LeftParen(0, "", self.flags))
                self.flags = flags & _ALL_FLAGS
                return j
            else:
                break
        raise self.error(ERR_INVALID_PERL_OP, s[i:j])

    def escape(self, i: int) -> tuple[int, int]:
        """Go's `parseEscape` at a backslash: the code point and the index after it."""
        s, n = self.s, self.n
        t = i + 1
        if t >= n:
            raise self.error(ERR_TRAILING_BACKSLASH, "")
        c = self.rune(t)
        t += 1
        if c < "\x80" and not _is_alnum(c):
            # Escaped punctuation is itself (Go also allows `\_`).
            return ord(c), t
        if c in "1234567" and (t >= n or not "0" <= s[t] <= "7"):
            pass  # a backreference: not supported
        elif c in "01234567":
            r = ord(c) - 48
            for _ in range(2):
                if t >= n or not "0" <= s[t] <= "7":
                    break
                r = r * 8 + ord(s[t]) - 48
                t += 1
            return r, t
        elif c == "x" and t < n:
            c = self.rune(t)
            t += 1
            if c == "{":
                nhex = 0
                r = 0
                while True:
                    if t >= n:
                        raise self.error(ERR_INVALID_ESCAPE, s[i:t])
                    c = self.rune(t)
                    t += 1
                    if c == "}":
                        break
                    v = _unhex(c)
                    if v < 0:
                        raise self.error(ERR_INVALID_ESCAPE, s[i:t])
                    r = r * 16 + v
                    if r > _MAX_RUNE:
                        raise self.error(ERR_INVALID_ESCAPE, s[i:t])
                    nhex += 1
                if nhex == 0:
                    raise self.error(ERR_INVALID_ESCAPE, s[i:t])
                return r, t
            x = _unhex(c)
            if t < n:
                y = _unhex(self.rune(t))
                t += 1
            else:
                y = -1
            if x >= 0 and y >= 0:
                return x * 16 + y, t
        elif c in "afnrtv":
            return {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}[c], t
        raise self.error(ERR_INVALID_ESCAPE, s[i:t])

    def unicode_class(self, i: int) -> tuple[_Ranges, int] | None:
        """Go's `parseUnicodeClass` at `\\p` / `\\P`: positive ranges and the index after."""
        s, n = self.s, self.n
        if i + 1 >= n or s[i] != "\\" or s[i + 1] not in "pP":
            return None
        sign = -1 if s[i + 1] == "P" else 1
        t = i + 2
        if t < n and self.rune(t) == "{":
            end = s.find("}", i)
            if end < 0:
                raise self.error(ERR_INVALID_CHAR_RANGE, s[i:])
            seq, name, after = s[i:end + 1], s[i + 3:end], end + 1
            for k, ch in enumerate(name):
                if _is_surrogate(ch):
                    raise self.error(ERR_INVALID_UTF8, name[k:])
        else:
            after = min(t + 1, n)
            seq = s[i:after]
            name = seq[2:]
        if name.startswith("^"):
            sign = -sign
            name = name[1:]
        canon = _canonical_name(name)
        table: _Ranges | None
        if canon == "Any":
            table = [(0, _MAX_RUNE)]
        elif canon == "Assigned":
            table = _negate(_category_table()["Cn"])
        elif canon == "Ascii":
            table = [(0, 0x7F)]
        else:
            category = canon if canon in _CATEGORIES or canon in _CATEGORY_GROUPS \
                else _CANONICAL_ALIASES.get(canon)
            if category is None:
                if canon in _CANONICAL_SCRIPTS:
                    raise PatternError(self.s, "Unicode script classes are not supported", seq,
                                       supported=False)
                raise self.error(ERR_INVALID_CHAR_RANGE, seq)
            members = _CATEGORY_GROUPS.get(category, (category,))
            table = _clean(r for m in members for r in _category_table()[m])
        if sign > 0:
            return table, after
        # Go folds before it negates, so `(?i)\P{Lu}` leaves out `a` as well as `A`.
        return _negate(_fold_ranges(table) if self.flags & _FOLD else table), after

    def parse_class(self, i: int) -> int:
        """Go's `parseClass` at `[`: push the class, return the index after `]`."""
        s, n = self.s, self.n
        fold = bool(self.flags & _FOLD)
        t = i + 1
        negate = False
        if t < n and s[t] == "^":
            negate = True
            t += 1
        ranges: _Ranges = []
        first = True  # `]` and `-` are literal as the first character
        while t >= n or s[t] != "]" or first:
            first = False
            if n - t > 2 and s[t] == "[" and s[t + 1] == ":":
                colon = s.find(":]", t + 2)
                if colon >= 0:
                    name = s[t:colon + 2]
                    group = _POSIX_GROUPS.get(name)
                    if group is None:
                        raise self.error(ERR_INVALID_CHAR_RANGE, name)
                    ranges.extend(_group_ranges(*group, fold))
                    t = colon + 2
                    continue
            unicode = self.unicode_class(t)
            if unicode is not None:
                more, t = unicode
                ranges.extend(more)
                continue
            group = _PERL_GROUPS.get(s[t:t + 2])
            if group is not None:
                ranges.extend(_group_ranges(*group, fold))
                t += 2
                continue
            start = t
            lo, t = self.class_char(t, i)
            hi = lo
            if n - t >= 2 and s[t] == "-" and s[t + 1] != "]":
                hi, t = self.class_char(t + 1, i)
                if hi < lo:
                    raise self.error(ERR_INVALID_CHAR_RANGE, s[start:t])
            ranges.append((lo, hi))
        self.push(_Class(_clean(ranges), negate, fold))
        return t + 1

    def class_char(self, t: int, class_start: int) -> tuple[int, int]:
        if t >= self.n:
            raise self.error(ERR_MISSING_BRACKET, self.s[class_start:])
        if self.s[t] == "\\":
            return self.escape(t)
        return ord(self.rune(t)), t + 1
