"""Go regular expressions run on Python's `re`, exactly as Flux's controllers read them.

Flux compiles two user-written patterns with Go's `regexp.Compile`: an
ImagePolicy's `filterTags.pattern` (image-reflector-controller
`internal/policy/filter.go`, then `Regexp.ExpandString` for `extract`) and each
entry of an ImageRepository's `exclusionList`. Both are RE2 syntax as Go's
`regexp/syntax` parses it with its `Perl` flags, which differs from Python's
`re` in ways that change which tags match:

* Python accepts what Go refuses: lookahead and lookbehind, backreferences
  (`\\1`, `(?P=n)`), possessive and stacked quantifiers (`a*+`, `a**`),
  atomic groups, conditionals, comments, `(?x)`, `\\Z`, `\\u0041`. Go's
  refusal makes the ImagePolicy invalid, so `compile` refuses them too, with
  Go's own error text (`error parsing regexp: invalid or unsupported Perl
  syntax: `(?=``).
* Go accepts what Python refuses or reads differently: `(?<name>..)` and
  group names that start with a digit or repeat, flags anywhere (`a(?i)b`),
  `[[:alpha:]]`, `\\pL`, `\\Q..\\E`, `\\z`, `x{,3}` (a literal), `\\12` (octal,
  not a backreference), `(?U)` (ungreedy).
* The same text means different things: Go's `$` is end of text (Python's
  also matches before a final newline), `\\d \\w \\s \\b` are ASCII-only in Go
  (Unicode in Python), Go's `\\s` leaves out `\\v`.

So `compile` parses the pattern with a port of Go's parser (same checks in
the same order, same error codes and offending text) into a small tree, and
writes that tree back out as a Python pattern that spells every construct
explicitly, with no pattern-wide flags: anchors as `^`/`\\Z`/`(?m:^)`,
classes as code-point ranges, flags as scoped groups, named groups renamed
(`_<index>_<name>`, since Go names may start with a digit or repeat). Matching semantics then agree: both
engines are leftmost-first with the same greedy/lazy preferences and
capture numbering. `expand` ports `Regexp.ExpandString`.

The parser follows Go 1.25's `regexp/syntax`: `(?<name>..)` (Go 1.22) and
Unicode class names matched loosely, with aliases (`\\p{letter}`,
`\\p{Uppercase_Letter}`, `\\p{LC}`, `\\p{Cn}`; Go 1.25) are accepted, as by
a current Flux; older controllers reject them.

Known differences, none of which a tag pattern is likely to meet: Unicode
script classes (`\\p{Greek}`) are refused as unsupported because Python has
no script data (general categories work, from Python's Unicode 14 tables
where Go has 15); case folding under `(?i)` is Python's, which agrees with
Go's simple folding for ASCII and nearly everywhere else; Go's size limits
(`expression too large`) are not enforced, and nesting deeper than Python's
recursion allows (a few hundred groups) is refused with Go's `expression
nests too deeply`; and Python's backtracking engine can be slow on nested
quantifiers (`(a+)+$`) where Go's is linear.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Final, TypeAlias

from fluxpy.errors import FluxpyError

__all__ = ["PatternError", "compile", "compile_template", "expand", "expand_parts", "group_names", "translate"]

# Go's regexp/syntax error codes, verbatim.
ERR_INVALID_CHAR_RANGE: Final = "invalid character class range"
ERR_INVALID_ESCAPE: Final = "invalid escape sequence"
ERR_INVALID_NAMED_CAPTURE: Final = "invalid named capture"
ERR_INVALID_PERL_OP: Final = "invalid or unsupported Perl syntax"
ERR_INVALID_REPEAT_OP: Final = "invalid nested repetition operator"
ERR_INVALID_REPEAT_SIZE: Final = "invalid repeat count"
ERR_INVALID_UTF8: Final = "invalid UTF-8"
ERR_MISSING_BRACKET: Final = "missing closing ]"
ERR_MISSING_PAREN: Final = "missing closing )"
ERR_MISSING_REPEAT_ARGUMENT: Final = "missing argument to repetition operator"
ERR_TRAILING_BACKSLASH: Final = "trailing backslash at end of expression"
ERR_UNEXPECTED_PAREN: Final = "unexpected )"
ERR_NESTING_DEPTH: Final = "expression nests too deeply"


def _one_line(text: str) -> str:
    """Control characters made visible, so a message stays on one line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


class PatternError(FluxpyError):
    """A pattern Go's `regexp.Compile` rejects, or one fluxpy cannot run.

    The message is Flux's (`internal/policy/filter.go`): `invalid regular
    expression pattern '<pattern>': error parsing regexp: <code>: `<expr>``.
    For the few constructs Go accepts but fluxpy cannot run (Unicode script
    classes), `go_error` is None and the message says so.

    Args:
        pattern: the pattern as written.
        code: Go's error code text (e.g. `invalid escape sequence`), or the
            reason fluxpy cannot run the pattern.
        expr: the offending part of the pattern, as Go reports it.
        supported: False when Go would accept the pattern.
    """

    def __init__(self, pattern: str, code: str, expr: str, *, supported: bool = True) -> None:
        self.pattern = pattern
        self.code = code
        self.expr = expr
        self.go_error: str | None = f"error parsing regexp: {code}: `{expr}`" if supported else None
        if self.go_error is not None:
            message = f"invalid regular expression pattern '{pattern}': {self.go_error}"
            hint = "Go regexps (RE2) have no lookaround or backreferences; see https://github.com/google/re2/wiki/Syntax"
        else:
            message = (f"regular expression pattern '{pattern}' uses `{expr}`, "
                       f"which Go accepts but fluxpy cannot run: {code}")
            hint = "spell the characters out as a class, e.g. [α-ω]"
        super().__init__(_one_line(message), hint=hint)


# --- the parse tree -----------------------------------------------------------

_Ranges: TypeAlias = list[tuple[int, int]]
_MAX_RUNE: Final = 0x10FFFF

# Parser flags, as Go's: FoldCase, OneLine (cleared by `m`), DotNL, NonGreedy.
_FOLD: Final = 1
_ONE_LINE: Final = 2
_DOT_NL: Final = 4
_NON_GREEDY: Final = 8
_ALL_FLAGS: Final = 15


class _Node:
    __slots__ = ()


class _Lit(_Node):
    __slots__ = ("char", "fold")

    def __init__(self, char: int, fold: bool) -> None:
        self.char, self.fold = char, fold


class _Class(_Node):
    """A character class: code-point ranges, optionally negated, folded under `(?i)`."""

    __slots__ = ("ranges", "negate", "fold")

    def __init__(self, ranges: _Ranges, negate: bool, fold: bool) -> None:
        self.ranges, self.negate, self.fold = ranges, negate, fold


class _Dot(_Node):
    __slots__ = ("newline",)

    def __init__(self, newline: bool) -> None:
        self.newline = newline


class _Assert(_Node):
    """A zero-width assertion, already written in Python syntax."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class _Empty(_Node):
    __slots__ = ()


class _Capture(_Node):
    __slots__ = ("index", "name", "sub")

    def __init__(self, index: int, name: str, sub: _Node) -> None:
        self.index, self.name, self.sub = index, name, sub


class _Concat(_Node):
    __slots__ = ("subs",)

    def __init__(self, subs: list[_Node]) -> None:
        self.subs = subs


class _Alternate(_Node):
    __slots__ = ("subs",)

    def __init__(self, subs: list[_Node]) -> None:
        self.subs = subs


class _Repeat(_Node):
    """`*`, `+`, `?` (counted=False) or `{n}`, `{n,}`, `{n,m}` (counted=True); max -1 is unbounded."""

    __slots__ = ("min", "max", "greedy", "counted", "sub")

    def __init__(self, lo: int, hi: int, greedy: bool, counted: bool, sub: _Node) -> None:
        self.min, self.max, self.greedy, self.counted, self.sub = lo, hi, greedy, counted, sub


class _LeftParen(_Node):
    """Pseudo-node on the parse stack: an open group and the flags to restore at `)`."""

    __slots__ = ("index", "name", "flags")

    def __init__(self, index: int, name: str, flags: int) -> None:
        self.index, self.name, self.flags = index, name, flags


class _Bar(_Node):
    """Pseudo-node on the parse stack: the alternatives already closed by `|`."""

    __slots__ = ("alts",)

    def __init__(self, alts: list[_Node]) -> None:
        self.alts = alts


# --- character class data -----------------------------------------------------

_PERL_GROUPS: Final[dict[str, tuple[int, _Ranges]]] = {
    "\\d": (1, [(0x30, 0x39)]),
    "\\D": (-1, [(0x30, 0x39)]),
    "\\s": (1, [(0x9, 0xA), (0xC, 0xD), (0x20, 0x20)]),
    "\\S": (-1, [(0x9, 0xA), (0xC, 0xD), (0x20, 0x20)]),
    "\\w": (1, [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)]),
    "\\W": (-1, [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)]),
}

_POSIX: Final[dict[str, _Ranges]] = {
    "alnum": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
    "alpha": [(0x41, 0x5A), (0x61, 0x7A)],
    "ascii": [(0x0, 0x7F)],
    "blank": [(0x9, 0x9), (0x20, 0x20)],
    "cntrl": [(0x0, 0x1F), (0x7F, 0x7F)],
    "digit": [(0x30, 0x39)],
    "graph": [(0x21, 0x7E)],
    "lower": [(0x61, 0x7A)],
    "print": [(0x20, 0x7E)],
    "punct": [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
    "space": [(0x9, 0xD), (0x20, 0x20)],
    "upper": [(0x41, 0x5A)],
    "word": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
    "xdigit": [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
}
_POSIX_GROUPS: Final[dict[str, tuple[int, _Ranges]]] = {
    **{f"[:{k}:]": (1, v) for k, v in _POSIX.items()},
    **{f"[:^{k}:]": (-1, v) for k, v in _POSIX.items()},
}

# Unicode general categories and their groupings (Go 1.25 `unicode.Categories`,
# where `C` includes the unassigned `Cn`).
_CATEGORY_GROUPS: Final[dict[str, tuple[str, ...]]] = {
    "C": ("Cc", "Cf", "Cn", "Co", "Cs"),
    "L": ("Ll", "Lm", "Lo", "Lt", "Lu"),
    "Lc": ("Ll", "Lt", "Lu"),  # LC, as canonicalName spells it
    "M": ("Mc", "Me", "Mn"),
    "N": ("Nd", "Nl", "No"),
    "P": ("Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps"),
    "S": ("Sc", "Sk", "Sm", "So"),
    "Z": ("Zl", "Zp", "Zs"),
}
_CATEGORIES: Final = frozenset(
    "Cc Cf Cn Co Cs Ll Lm Lo Lt Lu Mc Me Mn Nd Nl No Pc Pd Pe Pf Pi Po Ps Sc Sk Sm So Zl Zp Zs".split()
)
# `unicode.CategoryAliases` (Unicode PropertyValueAliases.txt, gc rows).
_CATEGORY_ALIASES: Final[dict[str, str]] = {
    "Cased_Letter": "Lc", "Close_Punctuation": "Pe", "Combining_Mark": "M",
    "Connector_Punctuation": "Pc", "Control": "Cc", "Currency_Symbol": "Sc",
    "Dash_Punctuation": "Pd", "Decimal_Number": "Nd", "Enclosing_Mark": "Me",
    "Final_Punctuation": "Pf", "Format": "Cf", "Initial_Punctuation": "Pi", "Letter": "L",
    "Letter_Number": "Nl", "Line_Separator": "Zl", "Lowercase_Letter": "Ll", "Mark": "M",
    "Math_Symbol": "Sm", "Modifier_Letter": "Lm", "Modifier_Symbol": "Sk",
    "Nonspacing_Mark": "Mn", "Number": "N", "Open_Punctuation": "Ps", "Other": "C",
    "Other_Letter": "Lo", "Other_Number": "No", "Other_Punctuation": "Po",
    "Other_Symbol": "So", "Paragraph_Separator": "Zp", "Private_Use": "Co",
    "Punctuation": "P", "Separator": "Z", "Space_Separator": "Zs", "Spacing_Mark": "Mc",
    "Surrogate": "Cs", "Symbol": "S", "Titlecase_Letter": "Lt", "Unassigned": "Cn",
    "Uppercase_Letter": "Lu", "cntrl": "Cc", "digit": "Nd", "punct": "P",
}
# `unicode.Scripts` keys (Unicode 15): Go accepts these, fluxpy cannot run them.
_SCRIPTS: Final = frozenset((
    "Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah Batak "
    "Bengali Bhaiksuki Bopomofo Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian "
    "Caucasian_Albanian Chakma Cham Cherokee Chorasmian Common Coptic Cuneiform Cypriot "
    "Cypro_Minoan Cyrillic Deseret Devanagari Dives_Akuru Dogra Duployan Egyptian_Hieroglyphs "
    "Elbasan Elymaic Ethiopic Georgian Glagolitic Gothic Grantha Greek Gujarati Gunjala_Gondi "
    "Gurmukhi Han Hangul Hanifi_Rohingya Hanunoo Hatran Hebrew Hiragana Imperial_Aramaic "
    "Inherited Inscriptional_Pahlavi Inscriptional_Parthian Javanese Kaithi Kannada Katakana "
    "Kawi Kayah_Li Kharoshthi Khitan_Small_Script Khmer Khojki Khudawadi Lao Latin Lepcha "
    "Limbu Linear_A Linear_B Lisu Lycian Lydian Mahajani Makasar Malayalam Mandaic Manichaean "
    "Marchen Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui Meroitic_Cursive "
    "Meroitic_Hieroglyphs Miao Modi Mongolian Mro Multani Myanmar Nabataean Nag_Mundari "
    "Nandinagari New_Tai_Lue Newa Nko Nushu Nyiakeng_Puachue_Hmong Ogham Ol_Chiki "
    "Old_Hungarian Old_Italic Old_North_Arabian Old_Permic Old_Persian Old_Sogdian "
    "Old_South_Arabian Old_Turkic Old_Uyghur Oriya Osage Osmanya Pahawh_Hmong Palmyrene "
    "Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic Samaritan Saurashtra Sharada "
    "Shavian Siddham SignWriting Sinhala Sogdian Sora_Sompeng Soyombo Sundanese Syloti_Nagri "
    "Syriac Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tamil Tangsa Tangut Telugu Thaana "
    "Thai Tibetan Tifinagh Tirhuta Toto Ugaritic Vai Vithkuqi Wancho Warang_Citi Yezidi Yi "
    "Zanabazar_Square"
).split())


def _canonical_name(name: str) -> str:
    """Go's `canonicalName`: first letter upper, the rest lower, `_ - space` dropped."""
    out = []
    first = True
    for c in name:
        if c in "_- ":
            continue
        if first:
            out.append(c.upper() if "a" <= c <= "z" else c)
            first = False
        else:
            out.append(c.lower() if "A" <= c <= "Z" else c)
    return "".join(out)


_CANONICAL_ALIASES: Final = {_canonical_name(k): v for k, v in _CATEGORY_ALIASES.items()}
_CANONICAL_SCRIPTS: Final = frozenset(_canonical_name(s) for s in _SCRIPTS)


@functools.cache
def _category_table() -> dict[str, _Ranges]:
    """Code-point ranges of every two-letter general category, from `unicodedata` (built once)."""
    table: dict[str, _Ranges] = {c: [] for c in _CATEGORIES}
    category = unicodedata.category
    start, current = 0, category("\0")
    for cp in range(1, _MAX_RUNE + 1):
        cat = category(chr(cp))
        if cat != current:
            table[current].append((start, cp - 1))
            start, current = cp, cat
    table[current].append((start, _MAX_RUNE))
    return table


def _clean(ranges: Iterable[tuple[int, int]]) -> _Ranges:
    """Sorted, merged ranges (Go's `cleanClass`)."""
    out: _Ranges = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _negate(ranges: _Ranges) -> _Ranges:
    """The complement of clean ranges over all code points (Go's `negateClass`)."""
    out: _Ranges = []
    next_lo = 0
    for lo, hi in ranges:
        if next_lo <= lo - 1:
            out.append((next_lo, lo - 1))
        next_lo = hi + 1
    if next_lo <= _MAX_RUNE:
        out.append((next_lo, _MAX_RUNE))
    return out


def _fold_ascii(ranges: _Ranges) -> _Ranges:
    """Go's case folding of an ASCII class: both cases, plus `ſ` with s and `K` (Kelvin) with k."""
    out = list(ranges)
    for lo, hi in ranges:
        for cp in range(max(lo, 0x41), min(hi, 0x7A) + 1):
            c = chr(cp)
            if c.isalpha():
                other = ord(c.swapcase())
                out.append((other, other))
                if c in "sS":
                    out.append((0x17F, 0x17F))
                elif c in "kK":
                    out.append((0x212A, 0x212A))
    return _clean(out)


# Go's minFold and maxFold: the code points that take part in case folding.
_MIN_FOLD: Final = 0x41
_MAX_FOLD: Final = 0x1E943


@functools.cache
def _fold_orbits() -> tuple[list[int], dict[int, tuple[int, ...]]]:
    """Simple case-folding orbits (`k K K`, `s S ſ`), from Python's one-character case mappings.

    Returns the sorted code points that have case partners, and each one's partners.
    """
    parent: dict[int, int] = {}
    cased: set[int] = set()

    def root(cp: int) -> int:
        while parent.get(cp, cp) != cp:
            cp = parent[cp]
        return cp

    for cp in range(_MIN_FOLD, _MAX_FOLD + 1):
        c = chr(cp)
        for other in (c.lower(), c.upper()):
            if len(other) == 1 and other != c:
                cased.update((cp, ord(other)))
                a, b = root(cp), root(ord(other))
                if a != b:
                    parent[max(a, b)] = min(a, b)
    members: dict[int, list[int]] = {}
    for cp in cased:
        members.setdefault(root(cp), []).append(cp)
    partners: dict[int, tuple[int, ...]] = {}
    for group in members.values():
        for cp in group:
            partners[cp] = tuple(m for m in group if m != cp)
    return sorted(partners), partners


def _fold_ranges(ranges: _Ranges) -> _Ranges:
    """The ranges plus every case partner of their members (Go's folding of a table)."""
    keys, partners = _fold_orbits()
    out = list(ranges)
    for lo, hi in ranges:
        for cp in keys[bisect.bisect_left(keys, lo):bisect.bisect_right(keys, hi)]:
            out.extend((p, p) for p in partners[cp])
    return _clean(out)


def _group_ranges(sign: int, ranges: _Ranges, fold: bool) -> _Ranges:
    """A Perl or POSIX group as positive ranges (Go's `appendGroup`: fold, then negate)."""
    if sign > 0:
        return list(ranges)
    return _negate(_fold_ascii(ranges) if fold else _clean(ranges))


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


def _is_surrogate(c: str) -> bool:
    return "\ud800" <= c <= "\udfff"


class _Parser:
    """Go's parser state: the stack of nodes and pseudo-nodes, flags and group count."""

    def __init__(self, pattern: str) -> None:
        self.s = pattern
        self.n = len(pattern)
        self.flags = _ONE_LINE  # Perl: OneLine on; ClassNL, PerlX, UnicodeGroups always on
        self.stack: list[_Node] = []
        self.num_cap = 0

    def error(self, code: str, expr: str) -> PatternError:
        return PatternError(self.s, code, expr)

    def rune(self, i: int, end: int | None = None) -> str:
        """The character at i; a lone surrogate is Go's invalid UTF-8."""
        c = self.s[i]
        if _is_surrogate(c):
            raise self.error(ERR_INVALID_UTF8, self.s[i:end])
        return c

    # stack manipulation

    def push(self, node: _Node) -> None:
        self.stack.append(node)

    def literal(self, c: str) -> None:
        self.push(_Lit(ord(c), bool(self.flags & _FOLD)))

    def top_is_operand(self) -> bool:
        return bool(self.stack) and not isinstance(self.stack[-1], (_LeftParen, _Bar))

    def concat(self) -> None:
        """Replace the nodes above the topmost pseudo-node with their concatenation."""
        i = len(self.stack)
        while i > 0 and not isinstance(self.stack[i - 1], (_LeftParen, _Bar)):
            i -= 1
        subs = self.stack[i:]
        del self.stack[i:]
        if not subs:
            self.push(_Empty())
        elif len(subs) == 1:
            self.push(subs[0])
        else:
            self.push(_Concat(subs))

    def vertical_bar(self) -> None:
        self.concat()
        node = self.stack.pop()
        if self.stack and isinstance(self.stack[-1], _Bar):
            self.stack[-1].alts.append(node)
        else:
            self.push(_Bar([node]))

    def alternate(self) -> None:
        """Close the alternation above the topmost `(` (after `concat`)."""
        if len(self.stack) >= 2 and isinstance(self.stack[-2], _Bar):
            node = self.stack.pop()
            bar = self.stack.pop()
            assert isinstance(bar, _Bar)
            self.push(_Alternate([*bar.alts, node]))

    def right_paren(self) -> None:
        self.concat()
        self.alternate()
        if len(self.stack) < 2 or not isinstance(self.stack[-2], _LeftParen):
            raise self.error(ERR_UNEXPECTED_PAREN, self.s)
        sub = self.stack.pop()
        paren = self.stack.pop()
        assert isinstance(paren, _LeftParen)
        self.flags = paren.flags
        self.push(sub if paren.index == 0 else _Capture(paren.index, paren.name, sub))

    def repeat(self, lo: int, hi: int, counted: bool, before: int, after: int, last_repeat: int) -> int:
        """Apply a repetition to the top node; before/after bound the operator in s."""
        flags = self.flags
        if after < self.n and self.s[after] == "?":
            after += 1
            flags ^= _NON_GREEDY
        if last_repeat >= 0:
            # Perl forbids stacked repetition (`a**`), and `a*+` is possessive there.
            raise self.error(ERR_INVALID_REPEAT_OP, self.s[last_repeat:after])
        if not self.top_is_operand():
            raise self.error(ERR_MISSING_REPEAT_ARGUMENT, self.s[before:after])
        node = _Repeat(lo, hi, not flags & _NON_GREEDY, counted, self.stack.pop())
        self.push(node)
        if counted and (lo >= 2 or hi >= 2) and not _repeat_is_valid(node, 1000):
            raise self.error(ERR_INVALID_REPEAT_SIZE, self.s[before:after])
        return after

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


def _repeat_is_valid(node: _Node, n: int) -> bool:
    """Go's `repeatIsValid`: nested counted repetitions multiply to at most n copies."""
    if isinstance(node, _Repeat) and node.counted:
        m = node.max
        if m == 0:
            return True
        if m < 0:
            m = node.min
        if m > n:
            return False
        if m > 0:
            n //= m
    if isinstance(node, (_Repeat, _Capture)):
        return _repeat_is_valid(node.sub, n)
    if isinstance(node, (_Concat, _Alternate)):
        return all(_repeat_is_valid(sub, n) for sub in node.subs)
    return True


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


def _parse(pattern: str) -> tuple[str, tuple[str, ...]]:
    parser = _Parser(pattern)
    try:
        tree = parser.parse()
        names = [""] * (parser.num_cap + 1)
        return _emit(tree, names), tuple(names)
    except RecursionError:
        raise PatternError(pattern, ERR_NESTING_DEPTH, pattern) from None


def translate(pattern: str) -> str:
    """The Python `re` pattern that matches what the Go pattern matches.

    Args:
        pattern: a Go (RE2) regular expression.

    Returns:
        Python pattern text; compile it without flags.

    Raises:
        PatternError: Go would reject the pattern (or fluxpy cannot run it).
    """
    return _parse(pattern)[0]


@functools.lru_cache(maxsize=512)
def compile(pattern: str) -> re.Pattern[str]:  # noqa: A001 - mirrors re.compile / regexp.Compile
    """Compile a Go regular expression into an equivalent Python pattern.

    Use `pattern.search(text)` for Go's `FindStringSubmatchIndex` (leftmost
    match anywhere, groups numbered as in Go). Go's group names are kept for
    `expand` and `group_names`; Python sees them as `_<index>_<name>`.

    Args:
        pattern: a Go (RE2) regular expression, e.g. `^main-[a-f0-9]+-(?P<ts>[0-9]+)`.

    Returns:
        The compiled Python pattern (cached per text).

    Raises:
        PatternError: Go's `regexp.Compile` would fail (the message carries
            Go's error text), or the pattern uses a Unicode script class.
    """
    text, _ = _parse(pattern)
    try:
        return re.compile(text)
    except RecursionError:
        raise PatternError(pattern, ERR_NESTING_DEPTH, pattern) from None
    except (re.error, OverflowError) as err:  # pragma: no cover - a translator bug
        raise PatternError(pattern, f"cannot be translated to Python ({err})", pattern,
                           supported=False) from err


_PY_NAME: Final = re.compile(r"_([0-9]+)_(.+)").fullmatch


@functools.lru_cache(maxsize=512)
def group_names(pattern: re.Pattern[str]) -> tuple[str, ...]:
    """Go's `SubexpNames` for a pattern made by `compile`: "" for index 0 and unnamed groups."""
    names = [""] * (pattern.groups + 1)
    for py_name, index in pattern.groupindex.items():
        m = _PY_NAME(py_name)
        if m is not None and int(m.group(1)) == index:
            names[index] = m.group(2)
    return tuple(names)


# A compiled expand template: literal text, a group number, or the numbers of
# the groups carrying a name (the first one that took part in the match wins).
_Part: TypeAlias = str | int | tuple[int, ...]


def _template_name(text: str, i: int) -> tuple[str, int] | None:
    """Go's `extract` after a `$` at i-1: the name (letters, digits, `_`) and the index after."""
    n = len(text)
    if i >= n:
        return None
    brace = text[i] == "{"
    j = i + 1 if brace else i
    k = j
    while k < n and (text[k].isalpha() or text[k].isdecimal() or text[k] == "_"):
        k += 1
    if k == j:
        return None  # empty name
    name = text[j:k]
    if brace:
        if k >= n or text[k] != "}":
            return None  # missing closing brace
        k += 1
    return name, k


def _group_number(name: str) -> int:
    """Go's number parse in `extract`: ASCII digits, below 1e8, no leading zero; else -1."""
    num = 0
    for c in name:
        if not "0" <= c <= "9" or num >= 100_000_000:
            return -1
        num = num * 10 + ord(c) - 48
    if name[0] == "0" and len(name) > 1:
        return -1
    return num


@functools.lru_cache(maxsize=512)
def compile_template(template: str, names: tuple[str, ...]) -> tuple[_Part, ...]:
    """`template` as parts for `expand_parts`; names are the pattern's `group_names`."""
    parts: list[_Part] = []
    literal: list[str] = []
    i, n = 0, len(template)
    while i < n:
        dollar = template.find("$", i)
        if dollar < 0:
            literal.append(template[i:])
            break
        literal.append(template[i:dollar])
        i = dollar + 1
        if i < n and template[i] == "$":
            literal.append("$")  # `$$` is a literal `$`
            i += 1
            continue
        found = _template_name(template, i)
        if found is None:
            literal.append("$")  # malformed: the `$` stays as text
            continue
        name, i = found
        ref: _Part | None
        num = _group_number(name)
        if num >= 0:
            ref = num if num < len(names) else None
        else:
            indexes = tuple(k for k, g in enumerate(names) if g == name)
            ref = indexes[0] if len(indexes) == 1 else indexes or None
        if ref is None:
            continue  # no such group: expands to nothing
        text = "".join(literal)
        if text:
            parts.append(text)
        literal = []
        parts.append(ref)
    text = "".join(literal)
    if text:
        parts.append(text)
    return tuple(parts)


def expand_parts(parts: tuple[_Part, ...], match: re.Match[str]) -> str:
    """Expand a template from `compile_template` with one match."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, int):
            value = match.group(part)
            if value is not None:
                out.append(value)
        else:
            for index in part:
                value = match.group(index)
                if value is not None:
                    out.append(value)
                    break
    return "".join(out)


def expand(template: str, match: re.Match[str]) -> str:
    """Expand `$1`, `${1}`, `$name`, `${name}` and `$$` as Go's `Regexp.ExpandString` does.

    In `$name` the name is the longest run of letters, digits and `_`, so
    `$1_$2` reads a group named `1_` (write `${1}_${2}`); `$1x` is `${1x}`.
    A group that does not exist or did not take part in the match expands to
    nothing; a `$` not followed by a name stays as it is. A name shared by
    several groups reads the first of them that took part in the match.

    Args:
        template: the extract template, e.g. `$ts` or `${major}.${minor}`.
        match: a match of a pattern made by `compile`.

    Returns:
        The expanded text.
    """
    names = group_names(match.re)
    return expand_parts(compile_template(template, names), match)
