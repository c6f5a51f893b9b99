"""ImagePolicy selection exactly as image-reflector-controller picks (`fluxpy.image.policy`).

Covers: a policy table ported from Flux's own tests (internal/policy
semver_test.go, alphabetical_test.go, numerical_test.go, filter_test.go,
factory_test.go; internal/controller/policy_test.go) and its documentation
(docs/spec/v1/imagepolicies.md, `flux create image policy`), plus the
FLUX-COMPAT §12 facts: semver tags need two dots, `v` prefixes and leading
zeros are fine, `1.2-rc.1` reads as 1.2.0-rc.1, equal versions keep the first
tag, a prerelease in any comparator of an AND range admits prereleases,
`~1.2.3-beta.2` admits 1.2.10-rc.1, `>1.4` excludes 1.4.5; numerical ties go
to the last tag and one non-number fails the policy; filterTags matches
anywhere, extract ties go to the later tag, `$1_$2` reads group `1_`,
lookahead is invalid and `(?<name>)` is accepted. Then the failures with
Flux's messages and condition reasons (invalid range, order and pattern
stall as `InvalidPolicy`; no tags is `DependencyNotReady`; an empty filtered
list, no semver match and a non-number are `Failure`), Go's
`strconv.ParseFloat` (cases from Go's atof_test.go), and a 100,000-tag
selection per policy kind for correctness (its speed is in
bench/image_policy.py).
"""

from __future__ import annotations

import math
import random

import pytest

from fluxpy.errors import FluxpyError
from fluxpy.image.policy import (
    DEPENDENCY_NOT_READY,
    FAILURE,
    INVALID_POLICY,
    PolicyError,
    Selection,
    go_parse_float,
    select,
)
from fluxpy.models.image import PolicyChoice, TagFilter
from fluxpy.semver import parse_image_tag
from tests.semver.tagsets import mixed_tags


def semver(rng: str) -> PolicyChoice:
    return PolicyChoice("semver", range=rng)


def alpha(order: str = "asc") -> PolicyChoice:
    return PolicyChoice("alphabetical", order=order)


def num(order: str = "asc") -> PolicyChoice:
    return PolicyChoice("numerical", order=order)


def filt(pattern: str, extract: str | None = None) -> TagFilter:
    return TagFilter(pattern, extract)


UBUNTU = ["16.04", "16.04.1", "16.10", "20.04", "20.10"]
CODENAMES = ["xenial", "yakkety", "zesty", "artful", "bionic"]
STAMPS = ["1606234201", "1606364286", "1606334092", "1606334284", "1606334201"]
REPO = ["0.1.0", "0.1.1", "0.2.0", "1.0.0", "1.0.1", "1.0.2", "1.1.0-alpha"]
PREFIXED = ["test-0.1.0", "test-0.1.1", "dev-0.2.0", "1.0.0", "1.0.1", "1.0.2", "1.1.0-alpha"]

# (id, tags, policy, filterTags, chosen tag)
POLICY_CASES: list[tuple[str, list[str], PolicyChoice, TagFilter | None, str]] = [
    # semver_test.go TestSemVer_Latest
    ("semver regular", ["1.0.0", "1.0.0.1", "1.0.0p", "1.0.1", "1.2.0", "0.1.0"], semver("1.0.x"), None, "1.0.1"),
    ("semver regular with prefix", ["v1.2.3", "v1.0.0", "v0.1.0"], semver("1.0.x"), None, "v1.0.0"),
    # semver_test.go TestNewSemVer: each valid range builds a policy
    ("semver range ^1.0", ["1.0.0", "1.9.9", "2.0.0"], semver("^1.0"), None, "1.9.9"),
    ("semver range =1.0.0", ["1.0.0", "1.0.1"], semver("=1.0.0"), None, "1.0.0"),
    ("semver range ~1.0", ["1.0.5", "1.1.0"], semver("~1.0"), None, "1.0.5"),
    ("semver range >=1.0", ["0.9.0", "3.1.4"], semver(">=1.0"), None, "3.1.4"),
    ("semver range >0,<2.0", ["0.0.1", "1.5.0", "2.0.0"], semver(">0,<2.0"), None, "1.5.0"),
    # internal/controller/policy_test.go TestImagePolicyReconciler_calculateImageFromRepoTags
    ("controller semver 1.0.x", REPO, semver("1.0.x"), None, "1.0.2"),
    ("controller alphabetical", CODENAMES, alpha(), None, "zesty"),
    ("controller cross-namespace semver 1.x", ["1.0.1", "1.0.2", "1.1.0-alpha"], semver("1.x"), None, "1.0.2"),
    # internal/controller/policy_test.go TestImagePolicyReconciler_filterTags
    ("controller filterTags valid regex", PREFIXED, semver(">=0.x"), filt("^test-(.*)$", "$1"), "test-0.1.1"),
    # alphabetical_test.go TestAlphabetical_Latest
    ("alphabetical ubuntu calver", UBUNTU, alpha(), None, "20.10"),
    ("alphabetical ubuntu calver desc", UBUNTU, alpha("desc"), None, "16.04"),
    ("alphabetical ubuntu code names", CODENAMES, alpha(), None, "zesty"),
    ("alphabetical ubuntu code names desc", CODENAMES, alpha("desc"), None, "artful"),
    ("alphabetical timestamps", STAMPS, alpha(), None, "1606364286"),
    ("alphabetical timestamps desc", STAMPS, alpha("desc"), None, "1606234201"),
    ("alphabetical timestamps with prefix", [f"rel-{s}" for s in STAMPS], alpha(), None, "rel-1606364286"),
    # numerical_test.go TestNumerical_Latest (Go shuffles these; the values are distinct)
    ("numerical integers asc", ["-62", "-88", "73", "72", "15", "16", "15", "29", "-33", "-91"], num(), None, "73"),
    ("numerical integers desc", ["5", "-8", "-78", "25", "70", "-4", "80", "92", "-20", "-24"], num("desc"), None,
     "-78"),
    ("numerical floats asc", ["47.40896403322944", "-27.8520927455902", "-27.930666514224427", "-31.352485948094568",
                              "-50.41072694704882", "-21.962849842263736", "24.71884721436865", "-39.99177354004344",
                              "53.47333823144817", "3.2008658570411086"], num(), None, "53.47333823144817"),
    ("numerical floats desc", ["-65.27202780220686", "57.82948329142309", "22.40184684363291", "-86.36934305697784",
                               "-90.29082099756083", "-12.041712603564264", "77.70488240399305", "-38.98425003883552",
                               "16.06867070412028", "53.735674335181216"], num("desc"), None, "-90.29082099756083"),
    ("numerical unix timestamps asc", STAMPS, num(), None, "1606364286"),
    ("numerical unix timestamps desc", STAMPS, num("desc"), None, "1606234201"),
    ("numerical single value asc", ["1"], num(), None, "1"),
    ("numerical single value desc", ["1"], num("desc"), None, "1"),
    # filter_test.go TestRegexFilter (one policy over the filtered list)
    ("filter none", ["a"], alpha(), filt(""), "a"),
    ("filter valid pattern", ["ver1", "ver2", "ver3", "rel1"], alpha(), filt("^ver"), "ver3"),
    ("filter capture group", ["ver1", "ver2", "ver3", "rel1"], num(), filt(r"ver(\d+)", "$1"), "ver3"),
    # docs/spec/v1/imagepolicies.md and `flux create image policy`
    ("docs semver >=1.0.0 picks the latest stable", ["0.9.0", "1.0.0", "1.2.0", "1.3.0-rc.1"], semver(">=1.0.0"),
     None, "1.2.0"),
    ("docs latest release candidate", ["1.0.0", "1.1.0-rc.1", "1.1.0-rc.2", "1.1.0", "2.0.0-rc.1"], semver("^1.x-0"),
     filt(".*-rc.*"), "1.1.0-rc.2"),
    ("docs minio RELEASE timestamp", ["RELEASE.2021-01-28T13-31-58Z", "RELEASE.2021-02-01T22-56-21Z",
                                      "RELEASE.2020-12-31T23-59-59Z", "latest"], alpha(),
     filt(r"^RELEASE\.(?P<timestamp>.*)Z$", "$timestamp"), "RELEASE.2021-02-01T22-56-21Z"),
    ("docs main branch builds by timestamp", ["main-1a2b3c4-1611840548", "main-9f8e7d6-1611840600",
                                              "feature-aaaaaaa-1611849999", "main-0000000-1611840599"], num(),
     filt(r"^main-[a-f0-9]+-(?P<ts>[0-9]+)", "$ts"), "main-9f8e7d6-1611840600"),
    # FLUX-COMPAT §12: semver tag reading
    ("semver tags need two dots", ["1.1", "v1.0", "0.9.0"], semver("*"), None, "0.9.0"),
    ("semver 1.2-rc.1 reads as 1.2.0-rc.1", ["1.2-rc.1", "1.1.0"], semver(">=1.2.0-0"), None, "1.2-rc.1"),
    ("semver leading zeros", ["v2025.02.03", "2025.2.2"], semver(">=2025.0.0"), None, "v2025.02.03"),
    ("semver equal versions: first listed wins", ["1.0.0", "v1.0.0"], semver("*"), None, "1.0.0"),
    ("semver equal versions: first listed wins (v first)", ["v1.0.0", "1.0.0"], semver("*"), None, "v1.0.0"),
    ("semver build metadata does not order", ["1.0.0+b", "1.0.0+a"], semver(">=1.0.0"), None, "1.0.0+b"),
    # FLUX-COMPAT §12: Masterminds ranges
    ("prerelease in one AND comparator admits prereleases", ["1.9.0", "2.0.0-rc.1"], semver(">=1.0.0-0 <2.0.0"),
     None, "2.0.0-rc.1"),
    ("no prerelease in the range keeps them out", ["1.9.0", "2.0.0-rc.1"], semver(">=1.0.0 <2.0.0"), None, "1.9.0"),
    ("~1.2.3-beta.2 admits 1.2.10-rc.1", ["1.2.3-beta.2", "1.2.10-rc.1", "1.3.0-rc.1"], semver("~1.2.3-beta.2"),
     None, "1.2.10-rc.1"),
    (">1.4 needs a higher minor", ["1.4.5", "1.5.0"], semver(">1.4"), None, "1.5.0"),
    ("OR of carets", ["2.0.0", "1.5.0", "3.0.0-alpha"], semver("^1 || ^2"), None, "2.0.0"),
    ("prerelease with a leading zero is not semver", ["1.2.3-rc.01", "1.2.2"], semver(">=1.0.0-0"), None, "1.2.2"),
    # FLUX-COMPAT §12: numerical
    ("numerical ties: the last wins (asc)", ["1", "1.0", "01", "0.5"], num(), None, "01"),
    ("numerical ties: the last wins (desc)", ["0.5", "2", "0.50", "1"], num("desc"), None, "0.50"),
    ("numerical reads Go float syntax", ["0x1p4", "1_5", "1e1", "+14"], num(), None, "0x1p4"),
    ("numerical inf is a number", ["Inf", "1e308"], num(), None, "Inf"),
    ("numerical -infinity desc", ["-Infinity", "-1e308"], num("desc"), None, "-Infinity"),
    ("numerical order is case-insensitive", ["3", "10", "2"], num("DESC"), None, "2"),
    # FLUX-COMPAT §12: filterTags
    ("pattern matches anywhere (not anchored)", ["a-rc-b", "rc", "b"], alpha(), filt("rc"), "rc"),
    ("extract ties: the later tag wins", ["build-1-a", "build-2-a", "build-2-b"], num(),
     filt(r"^build-(\d+)-(\w)$", "$1"), "build-2-b"),
    ("extract ties resolved before ordering", ["x-2", "y-2", "z-1"], num(), filt(r"-(\d)$", "$1"), "y-2"),
    ("$1_$2 reads the group named 1_", ["1.2-z", "2.1-a"], alpha(), filt(r"(\d)\.(\d)-(?P<1_>\w)", "$1_$2"),
     "1.2-z"),
    ("$1_$2 without a group 1_ is just $2", ["1.9", "2.1"], alpha(), filt(r"(\d)\.(\d)", "$1_$2"), "1.9"),
    ("${1}_${2} reads groups 1 and 2", ["1.9-a", "2.1-b"], alpha(), filt(r"(\d)\.(\d)", "${1}_${2}"), "2.1-b"),
    ("(?<name>) groups are accepted", ["app-1.2.3", "app-1.10.0", "db-9.9.9"], semver("*"),
     filt(r"^app-(?<v>.*)$", "$v"), "app-1.10.0"),
    ("filtered semver maps back to the tag", ["v-1.0.0", "v-2.0.0", "x"], semver("<2.0.0"),
     filt(r"^v-(?P<ver>.+)", "${ver}"), "v-1.0.0"),
    ("extract without a group expands to the literal", ["a1", "b2"], alpha(), filt(r"\d", "same"), "b2"),
    ("extract of a non-participating group is empty", ["a", "b"], alpha(), filt(r"(x)?([ab])", "$1"), "b"),
    ("exclusion-style pattern", ["sha256-abc.sig", "1.0.0"], alpha(), filt(r"^.*\.sig$"), "sha256-abc.sig"),
]


@pytest.mark.parametrize(("tags", "choice", "tag_filter", "winner"), [c[1:] for c in POLICY_CASES],
                         ids=[c[0] for c in POLICY_CASES])
def test_policy_picks_what_flux_picks(tags: list[str], choice: PolicyChoice, tag_filter: TagFilter | None,
                                      winner: str) -> None:
    assert select(tags, choice, tag_filter).tag == winner


def test_policy_table_has_at_least_fifty_cases() -> None:
    assert len(POLICY_CASES) >= 50


# (id, tags, policy, filterTags, Flux's message, reason)
ERROR_CASES: list[tuple[str, list[str], PolicyChoice, TagFilter | None, str, str]] = [
    # semver_test.go
    ("semver invalid prefix", ["b1.2.3", "b1.0.0", "b0.1.0"], semver("1.0.x"), None,
     "unable to determine latest version from provided list", FAILURE),
    ("semver non-matching list", ["1.2.0"], semver("1.0.x"), None,
     "unable to determine latest version from provided list", FAILURE),
    ("semver empty list", ["a"], semver("1.0.x"), filt("^b"), "version list argument cannot be empty", FAILURE),
    # alphabetical_test.go, numerical_test.go: empty version list
    ("alphabetical empty list", ["a"], alpha(), filt("^b"), "version list argument cannot be empty", FAILURE),
    ("numerical empty list", ["1"], num(), filt("^2"), "version list argument cannot be empty", FAILURE),
    # numerical_test.go: invalid numerical value (the first one met)
    ("numerical invalid value", ["0", "1a", "b"], num(), None, "failed to parse invalid numeric value '1a'", FAILURE),
    ("numerical out of float64 range", ["1", "1e400"], num(), None,
     "failed to parse invalid numeric value '1e400'", FAILURE),
    ("numerical semver tags", ["1.0.0", "2"], num(), None, "failed to parse invalid numeric value '1.0.0'", FAILURE),
    ("numerical empty extract", ["v1"], num(), filt("v1", "$9"), "failed to parse invalid numeric value ''", FAILURE),
    # internal/controller/policy_test.go: invalid regex, invalid range
    ("controller invalid regex", PREFIXED, semver(">=0.x"), filt("^test-(.*", "$1"),
     "failed to filter tags: invalid regular expression pattern '^test-(.*': "
     "error parsing regexp: missing closing ): `^test-(.*`", INVALID_POLICY),
    ("lookahead is invalid", ["1.0.0"], semver("*"), filt("^(?=1)"),
     "failed to filter tags: invalid regular expression pattern '^(?=1)': "
     "error parsing regexp: invalid or unsupported Perl syntax: `(?=`", INVALID_POLICY),
    ("backreference is invalid", ["aa"], alpha(), filt(r"(a)\1"),
     "failed to filter tags: invalid regular expression pattern '(a)\\1': "
     "error parsing regexp: invalid escape sequence: `\\1`", INVALID_POLICY),
    ("invalid order", ["a"], alpha("newest"), None,
     "invalid policy: invalid order argument provided: 'NEWEST', must be one of: ASC, DESC", INVALID_POLICY),
    ("unknown policy kind", ["a"], PolicyChoice("calver"), None,
     "invalid policy: given ImagePolicyChoice object is invalid", INVALID_POLICY),
    # the controller's errNoTagsInDatabase
    ("no tags at all", [], alpha(), None, "no tags in database", DEPENDENCY_NOT_READY),
]


@pytest.mark.parametrize(("tags", "choice", "tag_filter", "message", "reason"), [c[1:] for c in ERROR_CASES],
                         ids=[c[0] for c in ERROR_CASES])
def test_policy_fails_with_fluxs_message_and_reason(tags: list[str], choice: PolicyChoice,
                                                    tag_filter: TagFilter | None, message: str, reason: str) -> None:
    with pytest.raises(PolicyError) as info:
        select(tags, choice, tag_filter)
    assert str(info.value) == message
    assert info.value.reason == reason
    assert info.value.stalled == (reason == INVALID_POLICY)
    assert info.value.hint


# semver_test.go TestNewSemVer "With invalid range", factory_test.go `*-*`.
@pytest.mark.parametrize("rng", ["1.0.0p", "1x", "x1", "-1", "a", "", "*-*"])
def test_invalid_semver_range_makes_the_policy_invalid(rng: str) -> None:
    with pytest.raises(PolicyError) as info:
        select(["1.0.0"], semver(rng))
    assert str(info.value).startswith("invalid policy: improper constraint")
    assert info.value.reason == INVALID_POLICY


def test_the_policy_is_checked_before_the_tags_and_the_tags_before_the_pattern() -> None:
    # applyPolicy: PolicerFromSpec, then the tag database, then NewRegexFilter.
    with pytest.raises(PolicyError, match="invalid policy"):
        select([], semver("a"), filt("("))
    with pytest.raises(PolicyError, match="no tags in database"):
        select([], semver("*"), filt("("))


def test_policy_errors_are_fluxpy_errors() -> None:
    with pytest.raises(FluxpyError):
        select(["x"], semver("*"))


def test_selection_reports_the_value_and_the_number_of_candidates() -> None:
    tags = ["main-a-100", "main-b-300", "pr-c-999", "main-d-300", "main-e-200"]
    picked = select(tags, num(), filt(r"^main-\w+-(?P<ts>\d+)$", "$ts"))
    assert picked == Selection(tag="main-d-300", value="300", candidates=3)
    assert select(["b", "a"], alpha()) == Selection("b", "b", 2)


# --- Go's strconv.ParseFloat (cases from Go's src/strconv/atof_test.go) --------------------

FLOAT_CASES = [
    ("1", 1.0), ("+1", 1.0), ("-1", -1.0), ("1e23", 1e23), ("1E23", 1e23), ("100000000000000000000000", 1e23),
    ("1e-100", 1e-100), ("123456789e-3", 123456.789), (".5", 0.5), ("1.", 1.0), ("-0", -0.0),
    ("1.7976931348623157e308", 1.7976931348623157e308), ("1e-320", 1e-320), ("1e-350", 0.0),
    ("2.2250738585072012e-308", 2.2250738585072014e-308), ("4.630813248087435e+307", 4.630813248087435e+307),
    ("0x1p0", 1.0), ("0x1p-2", 0.25), ("0x.1p-2", 0.015625), ("0x1.8p1", 3.0), ("0X1P4", 16.0),
    ("0x1.fffffffffffffp1023", 1.7976931348623157e308), ("0x1p-1074", 5e-324), ("0x1p-1075", 0.0),
    ("0x1.00000000000008p0", 1.0), ("0x1.00000000000018p0", 1.0000000000000004),
    ("1_23.50_0_0e+1_2", 1.235e14), ("0x_1_2.3_4_5p+1_2", 74565.0), ("0_1", 1.0),
    ("inf", math.inf), ("+Inf", math.inf), ("-infinity", -math.inf), ("INFINITY", math.inf),
]


@pytest.mark.parametrize(("text", "value"), FLOAT_CASES, ids=[c[0] for c in FLOAT_CASES])
def test_go_parse_float_reads_what_go_reads(text: str, value: float) -> None:
    got = go_parse_float(text)
    assert got == value and math.copysign(1, got) == math.copysign(1, value)


def test_go_parse_float_reads_nan_in_any_case() -> None:
    assert math.isnan(go_parse_float("nan")) and math.isnan(go_parse_float("NaN"))


SYNTAX_ERRORS = ["", "x", "1x", "1.1.", "1e", "1e+", ".", "+", "0x", "0x1", "0x1p", "0x1e2", "0b1", "1_", "_1",
                 "-_123.5e+12", "1__23.5e+12", "123_.5e+12", "123._5e+12", "123.5e_+12", "123.5e+12_",
                 "-_0x12.345p+12", "0x__12.345p+12", "0x12.345p+12_", "infinit", "infin", "+nan", "-nan",
                 "nan(1)", " 1", "1 ", "١", "1,5"]


@pytest.mark.parametrize("text", SYNTAX_ERRORS)
def test_go_parse_float_rejects_what_go_rejects(text: str) -> None:
    with pytest.raises(ValueError) as info:
        go_parse_float(text)
    assert str(info.value) == f'strconv.ParseFloat: parsing "{text}": invalid syntax'


@pytest.mark.parametrize("text", ["1e400", "-1e400", "1.7976931348623159e308", "0x1p1024",
                                  "0x1.fffffffffffff8p1023", "1e+18446744073709551616"])
def test_go_parse_float_rejects_values_too_large_for_a_float64(text: str) -> None:
    with pytest.raises(ValueError, match="value out of range"):
        go_parse_float(text)


# --- 100,000 tags: the right answer (timing is in bench/image_policy.py) ------------------

def test_semver_over_100000_tags_is_the_first_of_the_highest_match() -> None:
    tags = mixed_tags(100_000)
    picked = select(tags, semver(">=1.0.0 <20.0.0"))
    versions = [parse_image_tag(t) for t in tags]
    best = max(v.key for v in versions if v is not None and 1 <= v.major < 20 and not v.prerelease)
    first = next(t for t, v in zip(tags, versions) if v is not None and v.key == best)
    assert (picked.tag, picked.candidates) == (first, 100_000)


def test_alphabetical_over_100000_tags_is_the_byte_wise_extreme() -> None:
    tags = mixed_tags(100_000)
    assert select(tags, alpha()).tag == max(tags, key=lambda t: t.encode())
    assert select(tags, alpha("desc")).tag == min(tags, key=lambda t: t.encode())


def test_numerical_and_extract_over_100000_tags() -> None:
    rnd = random.Random(5)
    stamps = [str(rnd.randint(1_600_000_000, 1_700_000_000)) for _ in range(100_000)]
    assert select(stamps, num()).tag == max(stamps, key=int)
    builds = [f"main-{rnd.getrandbits(28):07x}-{s}" for s in stamps]
    picked = select(builds, num(), filt(r"^main-[a-f0-9]+-(?P<ts>[0-9]+)", "$ts"))
    assert picked.value == max(stamps, key=int)
    assert picked.candidates == len(set(stamps))
