"""Semantic versions and ranges exactly as Flux reads them (Masterminds semver v3.4).

Flux picks versions in two places, and both go through the Go library
`github.com/Masterminds/semver/v3`:

* GitRepository `spec.ref.semver`: source-controller (`fluxcd/pkg/git/gogit`
  `cloneSemVer`) lists the repository's tags, keeps those that parse and satisfy
  the range, sorts them with a stable sort on (version, tag commit time) and
  checks out the last one.
* ImagePolicy `policy.semver.range`: image-reflector-controller
  (`internal/policy/semver.go`) walks the scanned tags in order and keeps a tag
  only when it is strictly greater than the best so far, so among equal
  versions the first one listed wins.

Both parse tags with `fluxcd/pkg/version.ParseVersion`, and this module mirrors
the three ways a version can be read:

* **lenient** (`parse(text)`, Masterminds `NewVersion` with its default
  `CoerceNewVersion = true`): a `v` prefix, a missing minor or patch (`1`,
  `1.2-rc.1`) and leading zeros in the numeric segments (`01.02.03`) are all
  accepted and normalised. Prerelease identifiers keep SemVer's rules: no empty
  identifier, no leading zero in a numeric one (`1.2.3-rc.01` is rejected).
* **strict** (`parse(text, strict=True)`, Masterminds `StrictNewVersion`):
  exactly `MAJOR.MINOR.PATCH[-PRE][+BUILD]` as SemVer 2.0 defines it; no `v`,
  no leading zeros.
* **tag** (`parse_image_tag(text)`, `fluxcd/pkg/version.ParseVersion`): the
  lenient parser, but only for text with at least two dots anywhere. So `1.1`
  and `v1.0` are skipped, while `1.2-rc.1` passes (the second dot is in the
  prerelease) and reads as 1.2.0-rc.1. Both controllers use this one.

Ranges (`Constraint.parse`) follow Masterminds rather than npm: `>1.4` means
"a higher minor than 1.4" and so excludes 1.4.5; `~1.2.3-beta.2` admits
1.2.10-rc.1; `^0.0` is `>=0.0.0 <0.1.0`. A version with a prerelease only
matches an AND group (the text between `||`) in which some comparator names a
prerelease, so `>=1.0.0-0 <2.0.0` admits 2.0.0-rc.1. The module ports the
library's own quirks as well (`<=*` only matches 0.0.x and `^*` only 0.0.0,
the empty range is an error), because agreeing with Flux matters more here
than being tidy.

Everything here is pure: strings in, values out. Parsing a tag builds a tuple
key that orders exactly like Masterminds `Compare`, so `latest` over 100,000
tags parses each tag once and compares tuples.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, TypeAlias

__all__ = [
    "Constraint",
    "SemverError",
    "Version",
    "latest",
    "parse",
    "parse_image_tag",
]

_MAX_UINT64: Final = (1 << 64) - 1
_NUM: Final = frozenset("0123456789")
_ALLOWED: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789")

# One prerelease identifier: (0, value, "") when numeric, (1, 0, text) when not,
# so numeric identifiers sort below alphanumeric ones as SemVer (and Go) want.
_Ident: TypeAlias = tuple[int, int, str]
# (major, minor, patch, 1 for a release or 0 for a prerelease, identifiers).
_Key: TypeAlias = tuple[int, int, int, int, tuple[_Ident, ...]]
_Check: TypeAlias = Callable[[_Key], bool]

# Masterminds `looseSemVerRegex`, anchored like Go's `^...$` via fullmatch.
_LOOSE: Final = re.compile(
    r"v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
).fullmatch


class SemverError(ValueError):
    """A version or range that Masterminds semver would refuse to parse."""


def _q(text: str) -> str:
    """Quote text the way Go's %q does, so control characters stay visible."""
    return '"' + text.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'


def _uint(digits: str) -> int | None:
    """Read ASCII digits as Go's `strconv.ParseUint(s, 10, 64)`; None when out of range."""
    if len(digits) > 20:
        digits = digits.lstrip("0") or "0"
        if len(digits) > 20:
            return None
    value = int(digits)
    return value if value <= _MAX_UINT64 else None


def _ident_key(ident: str) -> _Ident:
    # Go's comparePrePart treats an identifier as a number only when
    # ParseUint accepts it, so one that overflows uint64 compares as text.
    if ident.isdigit() and ident.isascii():
        value = _uint(ident)
        if value is not None:
            return (0, value, "")
    return (1, 0, ident)


@functools.lru_cache(maxsize=4096)
def _pre_key(pre: str) -> tuple[_Ident, ...]:
    # Cached: among many tags the same few prereleases (`rc.1`, `beta.2`) recur.
    return tuple(_ident_key(p) for p in pre.split("."))


def _make_key(major: int, minor: int, patch: int, pre: str) -> _Key:
    if not pre:
        return (major, minor, patch, 1, ())
    return (major, minor, patch, 0, _pre_key(pre))


def _prerelease_problem(pre: str) -> str | None:
    """Masterminds `validatePrerelease`: why pre is invalid, or None."""
    for ident in pre.split("."):
        if not ident:
            return "invalid prerelease string"
        if all(c in _NUM for c in ident):
            if len(ident) > 1 and ident[0] == "0":
                return "version segment starts with 0"
        elif not all(c in _ALLOWED for c in ident):
            return "invalid prerelease string"
    return None


def _metadata_problem(meta: str) -> str | None:
    """Masterminds `validateMetadata`: why the build metadata is invalid, or None."""
    for ident in meta.split("."):
        if not ident or not all(c in _ALLOWED for c in ident):
            return "invalid metadata string"
    return None


@dataclass(frozen=True, slots=True, eq=False)
class Version:
    """One parsed version; equality and order follow Masterminds `Compare`.

    Build metadata and the original spelling take no part in comparisons, so
    `parse("v1.0.0") == parse("1.0.0+build.7")` holds, as Masterminds `Equal`
    says. A release sorts above its prereleases; prerelease identifiers compare
    numerically when both are numbers, numbers sort below text, text compares
    byte-wise, and a shorter list of otherwise equal identifiers sorts first.

    Args:
        major: major version number (0 to 2**64-1).
        minor: minor version number.
        patch: patch version number.
        prerelease: dot-separated prerelease identifiers without the `-`, or "".
        metadata: build metadata without the `+`, or "".
        original: the text the version was parsed from; defaults to `str(self)`.
    """

    major: int
    minor: int
    patch: int
    prerelease: str = ""
    metadata: str = ""
    original: str = ""
    key: _Key = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", _make_key(self.major, self.minor, self.patch, self.prerelease))
        if not self.original:
            object.__setattr__(self, "original", str(self))

    def __str__(self) -> str:
        """The canonical form, without a `v`: `MAJOR.MINOR.PATCH[-PRE][+BUILD]`."""
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + self.prerelease
        if self.metadata:
            text += "+" + self.metadata
        return text

    def compare(self, other: Version) -> int:
        """Return -1, 0 or 1 as Masterminds `Version.Compare` does."""
        return (self.key > other.key) - (self.key < other.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __lt__(self, other: Version) -> bool:
        return self.key < other.key

    def __le__(self, other: Version) -> bool:
        return self.key <= other.key

    def __gt__(self, other: Version) -> bool:
        return self.key > other.key

    def __ge__(self, other: Version) -> bool:
        return self.key >= other.key


def _lenient_parts(text: str) -> tuple[int, int, int, str, str] | str:
    """Masterminds `coerceNewVersion`: the parts, or the reason it fails."""
    m = _LOOSE(text)
    if m is None:
        return "invalid semantic version"
    smajor, sminor, spatch, pre, meta = m.groups()
    major = _uint(smajor)
    minor = _uint(sminor) if sminor is not None else 0
    patch = _uint(spatch) if spatch is not None else 0
    if major is None or minor is None or patch is None:
        return "error parsing version segment: value out of range"
    if pre:
        problem = _prerelease_problem(pre)
        if problem:
            return problem
    return (major, minor, patch, pre or "", meta or "")


def _strict_parts(text: str) -> tuple[int, int, int, str, str] | str:
    """Masterminds `StrictNewVersion`: the parts, or the reason it fails."""
    if not text:
        return "version string empty"
    parts = text.split(".", 2)
    if len(parts) != 3:
        return "invalid semantic version"
    rest, pre, meta = parts[2], "", ""
    if "+" in rest:
        rest, meta = rest.split("+", 1)
        problem = _metadata_problem(meta)
        if problem:
            return problem
    if "-" in rest:
        rest, pre = rest.split("-", 1)
        problem = _prerelease_problem(pre)
        if problem:
            return problem
    numbers: list[int] = []
    for part in (parts[0], parts[1], rest):
        if not all(c in _NUM for c in part):
            return "invalid characters in version"
        if len(part) > 1 and part[0] == "0":
            return "version segment starts with 0"
    for part in (parts[0], parts[1], rest):
        value = _uint(part) if part else None
        if value is None:
            return f"error parsing version segment {part!r}"
        numbers.append(value)
    return (numbers[0], numbers[1], numbers[2], pre, meta)


def parse(text: str, *, strict: bool = False) -> Version:
    """Parse a version as Masterminds `NewVersion` (or `StrictNewVersion`) does.

    Args:
        text: the version, e.g. `v1.2`, `1.2.3-rc.1+build.5`.
        strict: when True accept only SemVer 2.0 text (`StrictNewVersion`):
            three numeric segments, no `v` prefix, no leading zeros. Default
            False (`NewVersion`): `v` prefix, `1` and `1.2`, leading zeros in the
            numeric segments are accepted.

    Returns:
        The version; `original` is `text` unchanged.

    Raises:
        SemverError: `invalid semantic version "<text>": <reason>`.
    """
    parts = _strict_parts(text) if strict else _lenient_parts(text)
    if isinstance(parts, str):
        kind = "strict semantic version" if strict else "semantic version"
        raise SemverError(f"invalid {kind} {_q(text)}: {parts}")
    return Version(*parts, original=text)


def parse_image_tag(text: str) -> Version | None:
    """Parse a tag as Flux does (`fluxcd/pkg/version.ParseVersion`), or return None.

    A tag needs at least two dots anywhere (`1.1` and `v1.0` are skipped, while
    `1.2-rc.1` passes and reads as 1.2.0-rc.1), then goes through the lenient
    parser, so a `v` prefix and leading zeros (`v2025.02.03`) are accepted.
    Both ImagePolicy and GitRepository `ref.semver` read tags this way.

    Args:
        text: the tag.

    Returns:
        The version, or None when Flux would ignore the tag.
    """
    if text.count(".") < 2:
        return None
    parts = _lenient_parts(text)
    if isinstance(parts, str):
        return None
    return Version(*parts, original=text)


# The common shape of a tag, `[v]N.N.N[-pre][+build]` with at most 19 digits
# per number (always below 2**64), read without the general parser's checks.
_FAST_TAG: Final = re.compile(
    r"v?([0-9]{1,19})\.([0-9]{1,19})\.([0-9]{1,19})"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
).fullmatch


# A numeric prerelease identifier with a leading zero (`rc.01`), which SemVer
# and Masterminds reject; the other identifier rules are in _FAST_TAG already.
_NUMERIC_WITH_LEADING_ZERO: Final = re.compile(r"(?:^|\.)0[0-9]+(?:\.|$)").search


# int() of a version number, cached: a registry's tags reuse the same few
# hundred numbers, and a cache hit costs half of int() on a short string.
_segment_int: Final = functools.lru_cache(maxsize=8192)(int)


def _tag_key(text: str) -> _Key | None:
    """The ordering key of `parse_image_tag(text)`, or None; the hot path of `latest`."""
    m = _FAST_TAG(text)
    if m is not None:
        major, minor, patch, pre = m.groups()
        if pre is None:
            return (int(major), int(minor), int(patch), 1, ())
        if _NUMERIC_WITH_LEADING_ZERO(pre):
            return None
        return (int(major), int(minor), int(patch), 0, _pre_key(pre))
    if text.count(".") < 2:
        return None
    parts = _lenient_parts(text)
    return None if isinstance(parts, str) else _make_key(parts[0], parts[1], parts[2], parts[3])


def _strict_key(text: str) -> _Key | None:
    """The ordering key of `parse(text, strict=True)`, or None."""
    parts = _strict_parts(text)
    return None if isinstance(parts, str) else _make_key(parts[0], parts[1], parts[2], parts[3])


# --- ranges -----------------------------------------------------------------

# The Masterminds regexes, with Go's `\s` ([\t\n\f\r ]) spelled out because
# Python's `\s` also matches \v and Unicode spaces. Group numbers match Go's.
_WS = r"[\t\n\f\r ]"
_OPS = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^"
_CV = (
    r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
)
_CONSTRAINT: Final = re.compile(rf"{_WS}*({_OPS}){_WS}*({_CV}){_WS}*").fullmatch
_RANGE: Final = re.compile(rf"{_WS}*({_CV}){_WS}+-{_WS}+({_CV}){_WS}*").finditer
# `(ops)\s*(cv)`; the `*+` is possessive (a version never starts with a space,
# so giving spaces back can never help) which keeps the scan linear.
_FIND: Final = re.compile(rf"({_OPS}){_WS}*+({_CV})").finditer
# Go's validConstraintRegex is
#   ^(\s*(ops)\s*(cv)\s*)((?:\s+|,\s*)(ops)\s*(cv)\s*)*$
# Rewritten to the same language without the ways of splitting a run of spaces
# between neighbouring `\s*`, which Go's linear engine ignores but which make a
# backtracking engine exponential on a long range that fails at its end.
_VALID: Final = re.compile(
    rf"{_WS}*+(?:{_OPS}){_WS}*+{_CV}"
    rf"(?:(?:{_WS}++|{_WS}*+,{_WS}*+)(?:{_OPS}){_WS}*+{_CV})*+{_WS}*+"
).fullmatch


def _is_x(text: str) -> bool:
    return text in ("x", "X", "*")


@dataclass(frozen=True, slots=True)
class _Comparator:
    """One parsed comparator: operator, the version it names, and its wildcards."""

    op: str
    orig: str
    con: Version
    dirty: bool
    minor_dirty: bool
    patch_dirty: bool

    def compile(self) -> _Check:
        """Return a predicate over version keys, ported from the Masterminds cfuncs.

        The prerelease gate is applied per AND group by the caller, as in
        Masterminds 3.4, so it is not repeated here.
        """
        ck = self.con.key
        cmaj, cmin, cpat = ck[0], ck[1], ck[2]
        dirty, mdirty, pdirty = self.dirty, self.minor_dirty, self.patch_dirty
        op = self.op

        def tilde(k: _Key) -> bool:
            if k < ck:
                return False
            if cmaj == 0 and cmin == 0 and cpat == 0 and not mdirty and not pdirty:
                return True  # ~0.0.0 (and ~*) is >=0.0.0
            if k[0] != cmaj:
                return False
            return k[1] == cmin or mdirty

        if op in ("", "="):
            if dirty:
                return tilde
            return lambda k: k == ck
        if op in ("~", "~>"):
            return tilde
        if op == "!=":

            def not_equal(k: _Key) -> bool:
                if dirty:
                    if cmaj != k[0]:
                        return True
                    if cmin != k[1] and not mdirty:
                        return True
                    if mdirty:
                        return False
                    if cpat != k[2] and not pdirty:
                        return True
                    if pdirty:
                        # Only the prereleases can still differ.
                        return k[3:] != ck[3:]
                return k != ck

            return not_equal
        if op == ">":
            if not dirty:
                return lambda k: k > ck

            def greater(k: _Key) -> bool:
                if k[0] != cmaj:
                    return k[0] > cmaj
                if mdirty:
                    return False  # >1 needs 2.0.0 or higher
                if pdirty:
                    return k[1] > cmin  # >1.4 needs 1.5.0 or higher
                return k > ck

            return greater
        if op == "<":
            return lambda k: k < ck
        if op in (">=", "=>"):
            return lambda k: k >= ck
        if op in ("<=", "=<"):
            if not dirty:
                return lambda k: k <= ck

            def less_equal(k: _Key) -> bool:
                if k[0] > cmaj:
                    return False
                return not (k[0] == cmaj and k[1] > cmin and not mdirty)

            return less_equal
        # "^": the only operator left after the regex.

        def caret(k: _Key) -> bool:
            if k < ck:
                return False
            if cmaj > 0 or mdirty:
                return k[0] == cmaj
            if k[0] > 0:
                return False
            if cmin > 0 or pdirty:
                return k[1] == cmin
            if k[1] > 0:
                return False
            return k[2] == cpat

        return caret

    def __str__(self) -> str:
        return self.op + self.orig


def _parse_comparator(text: str, whole: str) -> _Comparator:
    """Masterminds `parseConstraint` for one comparator found in the range."""
    m = _CONSTRAINT(text)
    if m is None:
        raise SemverError(f"improper constraint {_q(whole)}: {_q(text)} is not a comparison")
    op, orig, smajor, dminor, dpatch, dash_pre = m.group(1, 2, 3, 4, 5, 6)
    dash_pre = dash_pre or ""
    dirty = minor_dirty = patch_dirty = False
    ver = orig
    if _is_x(smajor):
        ver, dirty = "0.0.0" + dash_pre, True
    elif dminor is None or _is_x(dminor[1:]):
        ver, dirty, minor_dirty = f"{smajor}.0.0{dash_pre}", True, True
    elif dpatch is None or _is_x(dpatch[1:]):
        ver, dirty, patch_dirty = f"{smajor}{dminor}.0{dash_pre}", True, True
    parts = _lenient_parts(ver)
    if isinstance(parts, str):
        raise SemverError(f"improper constraint {_q(whole)}: {_q(orig)} is not a version ({parts})")
    return _Comparator(op, orig, Version(*parts, original=ver), dirty, minor_dirty, patch_dirty)


def _rewrite_ranges(text: str) -> str:
    """Masterminds `rewriteRange`: `1.2 - 1.4.5` becomes `>= 1.2, <= 1.4.5 `."""
    out = text
    for m in _RANGE(text):
        out = out.replace(m.group(0), f">= {m.group(1)}, <= {m.group(11)} ", 1)
    return out


def _compile_group(group: tuple[_Comparator, ...], admits_pre: bool) -> _Check:
    """One AND group as a single predicate over version keys."""
    checks = tuple(c.compile() for c in group)
    if len(checks) == 1:
        only = checks[0]
        if admits_pre:
            return only
        # Masterminds 3.4 refuses a prerelease unless some comparator of the
        # group names one (or IncludePrerelease is set).
        return lambda k: k[3] == 1 and only(k)

    def every(k: _Key) -> bool:
        if not (admits_pre or k[3]):
            return False
        for check in checks:
            if not check(k):
                return False
        return True

    return every


def _compile_groups(groups: tuple[tuple[_Comparator, ...], ...], include_prerelease: bool) -> _Check:
    """The whole range (`||` of AND groups) as a single predicate over version keys."""
    tests = tuple(
        _compile_group(group, include_prerelease or any(c.con.prerelease for c in group))
        for group in groups
    )
    if len(tests) == 1:
        return tests[0]

    def some(k: _Key) -> bool:
        for test in tests:
            if test(k):
                return True
        return False

    return some


@dataclass(frozen=True, slots=True)
class Constraint:
    """A parsed Masterminds range: OR groups (`||`) of AND-ed comparators.

    Build one with `Constraint.parse`. `str(constraint)` gives Masterminds'
    normalised spelling (`>=1.2 <2 || >3`).

    Attributes:
        text: the range as written.
        groups: the comparators of each OR group.
        include_prerelease: admit prerelease versions in every group, as
            Masterminds `Constraints.IncludePrerelease`; Flux leaves it False.
    """

    text: str
    groups: tuple[tuple[_Comparator, ...], ...]
    include_prerelease: bool = False
    _test: _Check = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_test", _compile_groups(self.groups, self.include_prerelease))

    @classmethod
    def parse(cls, text: str, *, include_prerelease: bool = False) -> Constraint:
        """Parse a range as Masterminds `NewConstraint` does.

        Syntax: comparisons `= != > < >= => <= =<` (no operator means `=`), `~`
        and `~>` (same minor, or same major for `~1`), `^` (same major; for 0.x
        same minor; for 0.0.x that exact patch), hyphen ranges `1.2 - 1.4.5`
        (spaces around the hyphen required), wildcards `x X *` in any segment
        (`1.2.x`, `>= 1.2.x`, `*`), AND by space or comma, OR by `||`.

        Args:
            text: the range, e.g. `>=1.0.0-0 <2.0.0` or `~1.2 || ^2`.
            include_prerelease: admit prereleases in every group
                (Masterminds `IncludePrerelease`). Flux does not set it.

        Returns:
            The parsed range.

        Raises:
            SemverError: `improper constraint "<text>": ...` naming the part
                that failed. The empty range is an error, as in Masterminds.
        """
        groups = []
        for part in _rewrite_ranges(text).split("||"):
            if not part.strip(" \t\n\f\r"):
                raise SemverError(
                    f"improper constraint {_q(text)}: empty range; use '*' to match any release"
                )
            if not _VALID(part):
                raise SemverError(
                    f"improper constraint {_q(text)}: cannot read {_q(part.strip())}; "
                    "expected comparisons such as '>=1.2.0 <2.0.0', '~1.2', '^1', '1.2.x' or '1.0 - 2.0'"
                )
            found = [m.group(0) for m in _FIND(part)] or [part]
            groups.append(tuple(_parse_comparator(s, text) for s in found))
        return cls(text, tuple(groups), include_prerelease)

    def check(self, version: Version) -> bool:
        """Whether the version satisfies the range (Masterminds `Constraints.Check`)."""
        return self._check_key(version.key)

    def _check_key(self, key: _Key) -> bool:
        return self._test(key)

    def __str__(self) -> str:
        return " || ".join(" ".join(str(c) for c in group) for group in self.groups)


def latest(
    tags: Iterable[str],
    constraint: str | Constraint,
    *,
    strict: bool,
    commit_times: Mapping[str, float] | None = None,
) -> str | None:
    """Return the original text of the highest tag in the range, as Flux picks it.

    Tags that do not parse are skipped. Ties between equal versions (`1.0.0`
    and `v1.0.0`, or differing build metadata) are broken the way each caller
    does:

    * `commit_times=None` (ImagePolicy): the first equal tag in list order wins,
      because image-reflector-controller only replaces its pick with a strictly
      greater version.
    * `commit_times` given (GitRepository `ref.semver`): source-controller
      stable-sorts by version, then by the commit time of each tag, and takes
      the last, so the tag on the newest commit wins. Tags missing from the
      mapping count as the oldest. Equal times leave Go's map order, which is
      random; here the later tag in list order wins.

    Args:
        tags: candidate tags, in the order the registry or repository lists them.
        constraint: a range (`Constraint` or its text).
        strict: how tags are read. False is what both Flux controllers do
            (`parse_image_tag`: two dots needed, then lenient parsing); True
            reads them with `parse(..., strict=True)`, i.e. only exact SemVer
            2.0 tags count.
        commit_times: for GitRepository, the commit time of each tag (any
            comparable number, e.g. POSIX seconds).

    Returns:
        The winning tag exactly as given, or None when no tag matches (Flux then
        reports `no match found for semver: <range>` or, for ImagePolicy,
        `unable to determine latest version from provided list`).

    Raises:
        SemverError: the range text does not parse.
    """
    rng = constraint if isinstance(constraint, Constraint) else Constraint.parse(constraint)
    check = rng._check_key
    key_of = _strict_key if strict else _tag_key
    best_tag: str | None = None
    if commit_times is None and not strict:
        # ImagePolicy over a whole registry: `_tag_key` inlined, and a tag whose
        # major is already too low is dropped before its other numbers are read.
        fast, to_int = _FAST_TAG, _segment_int
        floor: _Key = (-1, -1, -1, -1, ())  # below every real key
        for tag in tags:
            m = fast(tag)
            if m is None:
                slow = _tag_key(tag)
                if slow is None:
                    continue
                key = slow
            else:
                smajor, sminor, spatch, pre = m.groups()
                major = to_int(smajor)
                if major < floor[0]:
                    continue
                if pre is None:
                    key = (major, to_int(sminor), to_int(spatch), 1, ())
                elif _NUMERIC_WITH_LEADING_ZERO(pre):
                    continue
                else:
                    key = (major, to_int(sminor), to_int(spatch), 0, _pre_key(pre))
            if key <= floor or not check(key):
                continue
            floor, best_tag = key, tag
        return best_tag
    if commit_times is None:
        best: _Key | None = None
        for tag in tags:
            parsed = key_of(tag)
            if parsed is None or (best is not None and parsed <= best) or not check(parsed):
                continue
            best, best_tag = parsed, tag
        return best_tag
    oldest = float("-inf")
    best_timed: tuple[_Key, float] | None = None
    for tag in tags:
        parsed = key_of(tag)
        if parsed is None:
            continue
        timed = (parsed, commit_times.get(tag, oldest))
        if (best_timed is not None and timed < best_timed) or not check(parsed):
            continue
        best_timed, best_tag = timed, tag
    return best_tag
