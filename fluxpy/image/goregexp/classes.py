"""Character classes as Go defines them: Perl, POSIX and Unicode groups, and case folding.

Go's `\\d \\w \\s` and `[[:alpha:]]` are ASCII-only, and its `\\pL` names use
Go 1.25's loose matching and aliases; everything here is a sorted list of
code-point ranges, so the writer can spell each class out explicitly instead
of trusting Python's Unicode-aware shorthands.
"""

from __future__ import annotations

import bisect
import functools
import unicodedata
from collections.abc import Iterable
from typing import Final

from fluxpy.image.goregexp.tree import _MAX_RUNE, _Ranges

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
_CATEGORIES: Final = frozenset((
    "Cc", "Cf", "Cn", "Co", "Cs", "Ll", "Lm", "Lo", "Lt", "Lu", "Mc", "Me", "Mn", "Nd", "Nl",
    "No", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "Sc", "Sk", "Sm", "So", "Zl", "Zp", "Zs",
))
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
_SCRIPTS: Final = frozenset((  # noqa: SIM905 - a word list reads like Go's table
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
