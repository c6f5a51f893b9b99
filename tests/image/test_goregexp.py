"""Go regular expressions on Python's `re` (`fluxpy.image.goregexp`).

Covers: matching and submatches agreeing with Go's `FindStringSubmatchIndex`
(anchors, `(?m)`/`(?s)`/`(?i)`/`(?U)` and flags set mid-pattern, ASCII-only
`\\d \\w \\s \\b`, POSIX and Unicode classes, `\\Q..\\E`, octal and hex escapes,
`x{,2}` as a literal, named groups in both spellings and repeated names);
`ExpandString` (`$1`, `${1}`, `$name`, `$$`, `$1_$2` reading group `1_`,
unknown groups, malformed references); the patterns Go rejects, each with
Go's exact error text (lookaround, backreferences, possessive and stacked
quantifiers, repeat counts, bad escapes, classes and groups); Go 1.22+
`(?<name>)` and Go 1.25 Unicode class names; Unicode scripts refused as
unsupported; Flux's one-line message; and a random-pattern sweep showing that
every pattern either translates to valid Python or is refused cleanly.

The expected matches, expansions and error texts were produced by Go's own
`regexp` package (go1.19, plus the Go 1.22/1.25 additions read from
`src/regexp/syntax/parse.go`), and a differential run of over 50,000 random
patterns against it found no difference.
"""

from __future__ import annotations

import random
import re

import pytest

from fluxpy.errors import FluxpyError
from fluxpy.image import goregexp
from fluxpy.image.goregexp import PatternError, expand, group_names

# (pattern, text, Go's submatches or None for no match, template, Go's ExpandString)
MATCH_CASES: list[tuple[str, str, tuple[str | None, ...] | None, str, str | None]] = [
    # Flux's own examples: filter_test.go, the imagepolicies docs, `flux create image policy`.
    (r"^ver(\d+)$", "ver12", ("ver12", "12"), "$1", "12"),
    (r"ver(\d+)", "prefix-ver7-suffix", ("ver7", "7"), "$1", "7"),
    (r"^main-[a-f0-9]+-(?P<ts>[0-9]+)", "main-1a2b3c4-1611840548",
     ("main-1a2b3c4-1611840548", "1611840548"), "$ts", "1611840548"),
    (r"^main-[a-f0-9]+-(?P<ts>[0-9]+)", "feature-1a2b3c4-1611840548", None, "$ts", None),
    (r"^RELEASE\.(?P<timestamp>.*)Z$", "RELEASE.2021-01-28T13-31-58Z",
     ("RELEASE.2021-01-28T13-31-58Z", "2021-01-28T13-31-58"), "$timestamp", "2021-01-28T13-31-58"),
    (r"-rc", "1.0.0-rc.1", ("-rc",), "", ""),
    (r".*-rc.*", "1.0.0-rc.1", ("1.0.0-rc.1",), "", ""),
    (r"^.*\.sig$", "sha256-abc.sig", ("sha256-abc.sig",), "", ""),
    # Expansion.
    (r"^(?P<major>\d+)\.(?P<minor>\d+)", "12.4.1", ("12.4", "12", "4"), "${major}-${minor}", "12-4"),
    (r"(\d+)\.(\d+)", "v1.2", ("1.2", "1", "2"), "$1_$2", "2"),
    (r"(\d+)\.(\d+)", "v1.2", ("1.2", "1", "2"), "${1}_${2}", "1_2"),
    (r"(\d+)\.(\d+)", "v1.2", ("1.2", "1", "2"), "$2$1", "21"),
    (r"(\d+)\.(\d+)", "v1.2", ("1.2", "1", "2"), "$$1", "$1"),
    (r"(\d+)\.(\d+)", "v1.2", ("1.2", "1", "2"), "$10", ""),
    (r"(\d+)\.(\d+)", "v1.2", ("1.2", "1", "2"), "$01", ""),
    (r"(\d+)\.(\d+)", "v1.2", ("1.2", "1", "2"), "${1", "${1"),
    (r"(\d+)\.(\d+)", "v1.2", ("1.2", "1", "2"), "$", "$"),
    (r"(\d+)\.(\d+)", "v1.2", ("1.2", "1", "2"), "$0!", "1.2!"),
    (r"(a)|(b)", "b", ("b", None, "b"), "[$1][$2]", "[][b]"),
    (r"(?P<x>a)|(?P<x>b)", "b", ("b", None, "b"), "$x", "b"),
    (r"(?P<x>a)?(?P<x>b)", "b", ("b", None, "b"), "$x", "b"),
    (r"(?P<1_>\d)(\d)", "12", ("12", "1", "2"), "$1_", "1"),
    # Anchors and flags.
    (r"a$", "a\n", None, "", None),
    (r"(?m)a$", "a\n", ("a",), "", ""),
    (r"^b", "a\nb", None, "", None),
    (r"(?m)^b", "a\nb", ("b",), "", ""),
    (r"^.*\.sig$", "sha256-abc.sig\n", None, "", None),
    (r"a.b", "a\nb", None, "", None),
    (r"(?s)a.b", "a\nb", ("a\nb",), "", ""),
    (r"(?U)a+", "aaa", ("a",), "", ""),
    (r"(?U)a+?", "aaa", ("aaa",), "", ""),
    (r"a(?i)b", "aB", ("aB",), "", ""),
    (r"a(?i)b", "AB", None, "", None),
    (r"(a(?i)b)c", "aBC", None, "", None),
    (r"^*a", "a", ("a",), "", ""),
    # ASCII-only Perl classes, POSIX and Unicode classes, case folding.
    (r"\d+", "١٢٣", None, "", None),
    (r"\w+", "é", None, "", None),
    (r"\s", "\v", None, "", None),
    (r"[[:space:]]", "\v", ("\v",), "", ""),
    (r"\bé", "aé", ("é",), "", ""),
    (r"\B", "", ("",), "", ""),
    (r"[^a]", "\n", ("\n",), "", ""),
    (r"[[:^alpha:]]+", "ab12cd", ("12",), "", ""),
    (r"\pL+", "ab12", ("ab",), "", ""),
    (r"\p{Lu}", "aBc", ("B",), "", ""),
    (r"[\d\-]+", "a1-2b", ("1-2",), "", ""),
    (r"[]a]+", "]a]", ("]a]",), "", ""),
    (r"(?i)k", "\u212a", ("\u212a",), "", ""),
    (r"(?i)[^k]", "K", None, "", None),
    (r"(?i)σ", "ς", ("ς",), "", ""),
    (r"(?i)straße", "STRASSE", None, "", None),
    # Go folds a class before negating it.
    (r"(?i)\P{Lu}", "a", None, "", None),
    (r"(?i)\P{Lu}", "ſ", None, "", None),
    (r"(?i)\P{Lu}", "1", ("1",), "", ""),
    (r"(?i)[\P{Ll}x]", "a", None, "", None),
    (r"(?i)[\P{Ll}x]", "X", ("X",), "", ""),
    (r"(?i)[\P{Ll}x]", "ß", None, "", None),
    (r"(?i)\W", "ſ", None, "", None),
    (r"(?i)\W", "\u212a", None, "", None),
    (r"(?i)\W", "-", ("-",), "", ""),
    # Escapes and literals.
    (r"x{,2}", "x{,2}", ("x{,2}",), "", ""),
    (r"x{2,}", "xxx", ("xxx",), "", ""),
    (r"\12", "\n", ("\n",), "", ""),
    (r"\101\x42", "AB", ("AB",), "", ""),
    (r"\x{1F680}", "🚀", ("🚀",), "", ""),
    (r"\Qa.b\E", "a.b", ("a.b",), "", ""),
    (r"\Qa.b\E", "axb", None, "", None),
    # Leftmost-first submatches.
    (r"(a*)*", "b", ("", ""), "", ""),
    (r"(a|ab)(c|bcd)(d*)", "abcd", ("abcd", "a", "bcd", ""), "", ""),
]


@pytest.mark.parametrize(("pattern", "text", "groups", "template", "expanded"), MATCH_CASES,
                         ids=[f"{c[0]!r}~{c[1]!r}" for c in MATCH_CASES])
def test_matches_and_expansions_agree_with_go(
    pattern: str, text: str, groups: tuple[str | None, ...] | None, template: str, expanded: str | None
) -> None:
    rx = goregexp.compile(pattern)
    m = rx.search(text)
    if groups is None:
        assert m is None
        return
    assert m is not None
    assert tuple(m.group(i) for i in range(rx.groups + 1)) == groups
    assert expand(template, m) == expanded


# (pattern, Go's regexp.Compile error)
ERROR_CASES = [
    ("(?=a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"),
    ("(?!a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?!`"),
    ("(?P=n)", "error parsing regexp: invalid or unsupported Perl syntax: `(?P`"),
    ("(a)\\1", "error parsing regexp: invalid escape sequence: `\\1`"),
    ("\\k<n>", "error parsing regexp: invalid escape sequence: `\\k`"),
    ("a*+", "error parsing regexp: invalid nested repetition operator: `*+`"),
    ("a++", "error parsing regexp: invalid nested repetition operator: `++`"),
    ("a?+", "error parsing regexp: invalid nested repetition operator: `?+`"),
    ("a{2}+", "error parsing regexp: invalid nested repetition operator: `{2}+`"),
    ("a**", "error parsing regexp: invalid nested repetition operator: `**`"),
    ("a*??", "error parsing regexp: invalid nested repetition operator: `*??`"),
    ("x{1}{2}", "error parsing regexp: invalid nested repetition operator: `{1}{2}`"),
    ("(?>a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?>`"),
    ("(?#note)", "error parsing regexp: invalid or unsupported Perl syntax: `(?#`"),
    ("(?x)a b", "error parsing regexp: invalid or unsupported Perl syntax: `(?x`"),
    ("(?(1)a|b)", "error parsing regexp: invalid or unsupported Perl syntax: `(?(`"),
    ("(?a)x", "error parsing regexp: invalid or unsupported Perl syntax: `(?a`"),
    ("(?'n'a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?'`"),
    ("(?|a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?|`"),
    ("(?R)", "error parsing regexp: invalid or unsupported Perl syntax: `(?R`"),
    ("(?i", "error parsing regexp: invalid or unsupported Perl syntax: `(?i`"),
    ("(?-)", "error parsing regexp: invalid or unsupported Perl syntax: `(?-)`"),
    ("(?i-)", "error parsing regexp: invalid or unsupported Perl syntax: `(?i-)`"),
    ("(?--i)", "error parsing regexp: invalid or unsupported Perl syntax: `(?--`"),
    ("\\Z", "error parsing regexp: invalid escape sequence: `\\Z`"),
    ("\\u0041", "error parsing regexp: invalid escape sequence: `\\u`"),
    ("\\N{DASH}", "error parsing regexp: invalid escape sequence: `\\N`"),
    ("\\e", "error parsing regexp: invalid escape sequence: `\\e`"),
    ("\\G", "error parsing regexp: invalid escape sequence: `\\G`"),
    ("\\8", "error parsing regexp: invalid escape sequence: `\\8`"),
    ("\\C", "error parsing regexp: invalid escape sequence: `\\C`"),
    ("\\x{110000}", "error parsing regexp: invalid escape sequence: `\\x{110000`"),
    ("\\xZ1", "error parsing regexp: invalid escape sequence: `\\xZ1`"),
    ("\\x{}", "error parsing regexp: invalid escape sequence: `\\x{}`"),
    ("[\\b]", "error parsing regexp: invalid escape sequence: `\\b`"),
    ("[\\Q]\\E]", "error parsing regexp: invalid escape sequence: `\\Q`"),
    ("[a-\\d]", "error parsing regexp: invalid escape sequence: `\\d`"),
    ("a\\", "error parsing regexp: trailing backslash at end of expression: ``"),
    ("a{1001}", "error parsing regexp: invalid repeat count: `{1001}`"),
    ("a{1,1001}", "error parsing regexp: invalid repeat count: `{1,1001}`"),
    ("a{2,1}", "error parsing regexp: invalid repeat count: `{2,1}`"),
    ("x{99999999999}", "error parsing regexp: invalid repeat count: `{99999999999}`"),
    ("(a{500}){3}", "error parsing regexp: invalid repeat count: `{3}`"),
    ("((a{10}){10}){11}", "error parsing regexp: invalid repeat count: `{11}`"),
    ("[z-a]", "error parsing regexp: invalid character class range: `z-a`"),
    ("[[:foo:]]", "error parsing regexp: invalid character class range: `[:foo:]`"),
    ("\\p", "error parsing regexp: invalid character class range: `\\p`"),
    ("\\p{", "error parsing regexp: invalid character class range: `\\p{`"),
    ("\\p{Foo}", "error parsing regexp: invalid character class range: `\\p{Foo}`"),
    ("\\pX", "error parsing regexp: invalid character class range: `\\pX`"),
    ("[a", "error parsing regexp: missing closing ]: `[a`"),
    ("^test-(.*", "error parsing regexp: missing closing ): `^test-(.*`"),
    ("a)", "error parsing regexp: unexpected ): `a)`"),
    ("*a", "error parsing regexp: missing argument to repetition operator: `*`"),
    ("a|*", "error parsing regexp: missing argument to repetition operator: `*`"),
    ("(*)", "error parsing regexp: missing argument to repetition operator: `*`"),
    ("(?i)*", "error parsing regexp: missing argument to repetition operator: `*`"),
    ("{2}", "error parsing regexp: missing argument to repetition operator: `{2}`"),
    ("(?P<>a)", "error parsing regexp: invalid named capture: `(?P<>`"),
    ("(?P<a-b>x)", "error parsing regexp: invalid named capture: `(?P<a-b>`"),
    ("(?P<x", "error parsing regexp: invalid named capture: `(?P<x`"),
    # Go 1.22+ reads `(?<` as a named group, so lookbehind fails as a bad name
    # (regexp/syntax parse.go, parsePerlFlags).
    ("(?<=a)b", "error parsing regexp: invalid named capture: `(?<=a)b`"),
    ("(?<!a)b", "error parsing regexp: invalid named capture: `(?<!a)b`"),
    ("(?<=v)(?<n>1)", "error parsing regexp: invalid named capture: `(?<=v)(?<n>`"),
]


@pytest.mark.parametrize(("pattern", "go_error"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_patterns_go_rejects_fail_with_gos_error(pattern: str, go_error: str) -> None:
    with pytest.raises(PatternError) as info:
        goregexp.compile(pattern)
    assert info.value.go_error == go_error
    assert str(info.value) == f"invalid regular expression pattern '{pattern}': {go_error}"


def test_pattern_error_is_a_fluxpy_error_with_a_hint_and_its_parts() -> None:
    with pytest.raises(FluxpyError) as info:
        goregexp.compile("^v(?=1)")
    err = info.value
    assert isinstance(err, PatternError)
    assert (err.pattern, err.code, err.expr) == ("^v(?=1)", "invalid or unsupported Perl syntax", "(?=")
    assert err.hint and "lookaround" in err.hint


def test_pattern_error_message_stays_on_one_line() -> None:
    with pytest.raises(PatternError) as info:
        goregexp.compile("a\n(?=b)")
    assert "\n" not in str(info.value)
    assert "a\\n(?=b)" in str(info.value)


def test_angle_bracket_named_groups_are_accepted_as_in_go_1_22() -> None:
    rx = goregexp.compile(r"(?<x>\d+)-(?P<y>\d+)")
    m = rx.search("v12-34")
    assert m is not None
    assert group_names(rx) == ("", "x", "y")
    assert expand("$y.$x", m) == "34.12"


@pytest.mark.parametrize("pattern", [r"\p{Letter}", r"\p{lu}", r"\p{Uppercase_Letter}", r"\p{LC}",
                                     r"\p{Any}", r"\p{ASCII}", r"\p{Assigned}", r"\p{^Lu}"])
def test_go_1_25_unicode_class_names_are_accepted(pattern: str) -> None:
    goregexp.compile(pattern)


def test_unicode_categories_cover_what_they_should() -> None:
    assert goregexp.compile(r"^\p{Letter}+$").search("Ωmega")
    assert not goregexp.compile(r"^\p{Lu}$").search("a")
    assert goregexp.compile(r"^\P{Lu}$").search("a")
    assert goregexp.compile(r"^\p{^Lu}$").search("a")
    assert goregexp.compile(r"^\pN$").search("٣")
    assert goregexp.compile(r"^[\p{Lu}\d]+$").search("A1B2")
    assert not goregexp.compile(r"^\p{Assigned}$").search("\U000e0fff")


def test_unicode_scripts_are_refused_as_unsupported_not_invalid() -> None:
    with pytest.raises(PatternError) as info:
        goregexp.compile(r"^\p{Greek}+$")
    err = info.value
    assert err.go_error is None
    assert str(err) == (r"regular expression pattern '^\p{Greek}+$' uses `\p{Greek}`, which Go accepts "
                        "but fluxpy cannot run: Unicode script classes are not supported")


def test_go_names_that_python_forbids_are_kept_for_expansion() -> None:
    rx = goregexp.compile(r"(?P<1x>a)(?P<1x>b)(c)(?P<_>d)")
    assert group_names(rx) == ("", "1x", "1x", "", "_")
    m = rx.search("abcd")
    assert m is not None
    assert expand("$1x|$3|$_|$4", m) == "a|c|d|d"


def test_expand_reads_letters_and_digits_of_any_script_as_the_name() -> None:
    rx = goregexp.compile(r"(?P<v>\d)")
    m = rx.search("7")
    assert m is not None
    assert expand("$vé", m) == ""  # the name is `vé`, which does not exist
    assert expand("${v}é", m) == "7é"
    assert expand("$v-", m) == "7-"
    assert expand("${}", m) == "${}"


def test_templates_compile_to_literal_text_and_group_numbers() -> None:
    names = group_names(goregexp.compile(r"(?P<ts>\d+)-(\d)(?P<x>a)?(?P<x>b)?"))
    assert goregexp.compile_template("$ts", names) == (1,)
    assert goregexp.compile_template("${2}", names) == (2,)
    assert goregexp.compile_template("v$2.", names) == ("v", 2, ".")
    assert goregexp.compile_template("$x", names) == ((3, 4),)
    assert goregexp.compile_template("$nope$9", names) == ()
    assert goregexp.compile_template("a$$b", names) == ("a$b",)


def test_compile_is_cached_per_pattern() -> None:
    assert goregexp.compile("^a+$") is goregexp.compile("^a+$")


def test_translation_spells_go_semantics_explicitly() -> None:
    assert goregexp.translate(r"^v\d+$") == r"^v[0-9]+\Z"
    assert goregexp.translate(r"(?i)rc") == "(?i:rc)"
    assert goregexp.translate(r"x{,3}") == r"x\{,3\}"
    assert goregexp.translate(r"(?P<ts>.)") == r"(?P<_1_ts>[^\n])"


_TOKENS = (list("abAB12_-.é σK{},:\n") + [
    r"\d", r"\W", r"\s", r"\b", r"\B", r"\A", r"\z", r"\.", r"\x41", r"\x{3c3}", r"\101", r"\pL", r"\PN",
    r"\p{Greek}", r"\Q", r"\E", r"\1", r"\Z", "[", "]", "[^", "[:alpha:]", "[:foo:]", "(", ")", "(?:",
    "(?P<x>", "(?<y>", "(?i)", "(?i:", "(?-i)", "(?s)", "(?m)", "(?U)", "(?=", "(?<=", "|", "*", "+", "?",
    "*?", "{2}", "{1,3}", "{,2}", "{1001}", "^", "$", "a-c", "z-a",
])


def test_every_pattern_translates_to_valid_python_or_is_refused() -> None:
    rnd = random.Random(13)
    compiled = 0
    for _ in range(3000):
        pattern = "".join(rnd.choice(_TOKENS) for _ in range(rnd.randint(0, 10)))
        try:
            rx = goregexp.compile(pattern)
        except PatternError:
            continue
        compiled += 1
        assert isinstance(rx, re.Pattern)
        assert len(group_names(rx)) == rx.groups + 1
    assert compiled > 500
