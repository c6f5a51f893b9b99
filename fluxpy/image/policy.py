"""ImagePolicy selection: which of an image's scanned tags Flux would pick, or why it cannot.

This is the middle step of the image pipeline: a registry scan gives the
tags of an ImageRepository, `select` picks one per ImagePolicy, and the
setters write it into manifests. It is pure, a port of
image-reflector-controller's `ImagePolicyReconciler.applyPolicy`
(`internal/controller/imagepolicy_controller.go`) and of the policers in
`internal/policy/`, step for step, so that fluxpy and a cluster agree on the
tag and on the failure:

1. The policy is built first (`policy.PolicerFromSpec`): a semver range that
   Masterminds cannot parse, or an order other than asc/desc, makes the
   policy invalid (reason `InvalidPolicy`, which stalls the object).
2. No tags at all is `no tags in database` (reason `DependencyNotReady`).
3. `filterTags` (`filter.go`): the pattern is a Go regexp (see
   `fluxpy.image.goregexp`) matched anywhere in each tag; tags it does not
   match are dropped; with `extract`, each kept tag is replaced by the
   expansion of its match (`Regexp.ExpandString`). The values go into a map
   from value to tag, so when two tags extract the same value the later tag
   wins. A pattern Go rejects makes the policy invalid.
4. The policer picks among the values, and the winner is mapped back to its
   tag. Policers fail with reason `Failure`:

   * **semver** (`semver.go`): every value is read with
     `fluxcd/pkg/version.ParseVersion` (two dots needed, `v` prefix and
     leading zeros allowed, see `fluxpy.semver`); values that do not parse
     are skipped; the highest in the range wins and, among equal versions,
     the first in list order. No match: `unable to determine latest version
     from provided list`.
   * **alphabetical** (`alphabetical.go`): byte-wise order; `asc` picks the
     greatest, `desc` the smallest.
   * **numerical** (`numerical.go`): every value must parse as a 64-bit
     float by Go's `strconv.ParseFloat` (`go_parse_float`), or the whole
     policy fails with `failed to parse invalid numeric value '<v>'`; `asc`
     picks the largest, `desc` the smallest, and among equal values the last.
   * Any policer given no values (everything filtered out):
     `version list argument cannot be empty`.

Flux hands the filtered values to the policer in Go's random map order;
fluxpy uses the order in which each value first appeared. This only shows
when a filtered semver policy meets two different tags of equal version
(`1.0.0` and `v1.0.0`), or a filtered numerical policy two different
spellings of one number (`1` and `1.0`): Flux's pick then varies from run to
run, fluxpy's is the first (semver) or the last (numerical) in tag order.

Error messages are Flux's condition messages, without the object's name
(the caller knows it and puts it in front).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from fluxpy import semver
from fluxpy.errors import FluxpyError
from fluxpy.image import goregexp
from fluxpy.models.image import PolicyChoice, TagFilter

__all__ = [
    "DEPENDENCY_NOT_READY",
    "FAILURE",
    "INVALID_POLICY",
    "PolicyError",
    "Selection",
    "go_parse_float",
    "select",
]

# Ready-condition reasons, as the controller sets them.
INVALID_POLICY: Final = "InvalidPolicy"  # Stalled: the spec must change
FAILURE: Final = "Failure"  # metav1.StatusFailure: retried with back-off
DEPENDENCY_NOT_READY: Final = "DependencyNotReady"  # the repository has no tags yet

# Flux's error texts (internal/policy/*.go, internal/controller/imagepolicy_controller.go).
EMPTY_LIST: Final = "version list argument cannot be empty"
NO_SEMVER_MATCH: Final = "unable to determine latest version from provided list"
NO_TAGS: Final = "no tags in database"


class PolicyError(FluxpyError):
    """The policy cannot pick a tag: invalid spec, no tags, or no tag that fits.

    Args:
        message: Flux's condition message, e.g. `unable to determine latest
            version from provided list`.
        reason: the Ready condition's reason: `InvalidPolicy` (the object
            stalls until its spec changes), `Failure` or `DependencyNotReady`.
        hint: what the user can do about it.
    """

    def __init__(self, message: str, *, reason: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.reason = reason

    @property
    def stalled(self) -> bool:
        """Whether Flux marks the policy Stalled (only a spec change helps)."""
        return self.reason == INVALID_POLICY


@dataclass(frozen=True, slots=True)
class Selection:
    """The policy's pick.

    Attributes:
        tag: the chosen tag, as the registry lists it (`latestRef.tag`).
        value: what the policy compared: the extracted value with
            `filterTags.extract`, else the tag itself.
        candidates: how many values the policy ordered (after `filterTags`).
    """

    tag: str
    value: str
    candidates: int


# --- Go's strconv.ParseFloat ----------------------------------------------------

# The common spellings (`42`, `-1.5`, `.5`, `1e9`), which Python's float reads
# exactly as Go does; everything else goes through the port of readFloat.
_PLAIN_FLOAT: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?").fullmatch
_INF: Final = math.inf
_HEX_DIGITS: Final = frozenset("0123456789abcdefABCDEF")


def _go_quote(text: str) -> str:
    """Go's `strconv.Quote`, near enough for an error message."""
    body = text.replace("\\", "\\\\").replace('"', '\\"')
    if not body.isprintable():
        body = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in body)
    return f'"{body}"'


def _num_error(text: str, what: str) -> ValueError:
    return ValueError(f"strconv.ParseFloat: parsing {_go_quote(text)}: {what}")


def _special(text: str) -> tuple[float, int] | None:
    """Go's `special`: a leading (signed) `inf`/`infinity` or `nan`, any case, and its length."""
    if not text:
        return None
    head = text[0]
    if head in "+-iI":
        sign = -1.0 if head == "-" else 1.0
        signed = 1 if head in "+-" else 0
        rest = text[signed:signed + 8].lower()
        n = 0
        while n < len(rest) and rest[n] == "infinity"[n]:
            n += 1
        if 3 < n < 8:
            n = 3  # anything between `inf` and `infinity` reads as `inf`
        if n in (3, 8):
            return sign * _INF, signed + n
    elif head in "nN" and text[:3].lower() == "nan":
        return math.nan, 3
    return None


def _underscore_ok(text: str) -> bool:
    """Go's `underscoreOK`: underscores only between digits, or after a base prefix."""
    saw = "^"
    i = 0
    if text and text[0] in "+-":
        text = text[1:]
    hex_digits = False
    if len(text) >= 2 and text[0] == "0" and text[1] in "bBoOxX":
        i = 2
        saw = "0"  # the base prefix counts as a digit
        hex_digits = text[1] in "xX"
    while i < len(text):
        c = text[i]
        if "0" <= c <= "9" or (hex_digits and c in _HEX_DIGITS):
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        else:
            if saw == "_":
                return False
            saw = "!"
        i += 1
    return saw != "_"


def _read_float(text: str) -> tuple[int, bool] | None:
    """Go's `readFloat` syntax check: (characters read, hexadecimal), or None."""
    n = len(text)
    i = 0
    if i >= n:
        return None
    if text[i] in "+-":
        i += 1
    hexadecimal = i + 2 < n and text[i] == "0" and text[i + 1] in "xX"
    if hexadecimal:
        i += 2
    underscores = saw_dot = saw_digits = False
    while i < n:
        c = text[i]
        if c == "_":
            underscores = True
        elif c == ".":
            if saw_dot:
                break
            saw_dot = True
        elif "0" <= c <= "9" or (hexadecimal and c in _HEX_DIGITS):
            saw_digits = True
        else:
            break
        i += 1
    if not saw_digits:
        return None
    if i < n and text[i] in ("pP" if hexadecimal else "eE"):
        i += 1
        if i >= n:
            return None
        if text[i] in "+-":
            i += 1
        if i >= n or not "0" <= text[i] <= "9":
            return None
        while i < n and ("0" <= text[i] <= "9" or text[i] == "_"):
            underscores = underscores or text[i] == "_"
            i += 1
    elif hexadecimal:
        return None  # a hexadecimal float needs its `p` exponent
    if underscores and not _underscore_ok(text[:i]):
        return None
    return i, hexadecimal


def go_parse_float(text: str) -> float:
    """Parse text as Go's `strconv.ParseFloat(text, 64)` does.

    Accepted: decimal (`42`, `-1.5`, `.5`, `1.`, `6.02e23`), hexadecimal with
    a mandatory binary exponent (`0x1.8p1`, `0X.1P-2`), underscores between
    digits or after the `0x` prefix (`1_000`, `0x_1p4`), and `inf`,
    `infinity` (signed) and `nan` in any case. Values are rounded to the
    nearest 64-bit float; a value too large for one is an error, as in Go
    (too small becomes 0).

    Args:
        text: the text, e.g. a tag.

    Returns:
        The value.

    Raises:
        ValueError: Go's message, `strconv.ParseFloat: parsing "<text>":
            invalid syntax` or `...: value out of range`.
    """
    if _PLAIN_FLOAT(text) is not None:
        value = float(text)
    else:
        special = _special(text)
        if special is not None:
            if special[1] != len(text):
                raise _num_error(text, "invalid syntax")
            return special[0]
        read = _read_float(text)
        if read is None or read[0] != len(text):
            raise _num_error(text, "invalid syntax")
        digits = text.replace("_", "")
        if read[1]:
            try:
                value = float.fromhex(digits)
            except OverflowError:
                raise _num_error(text, "value out of range") from None
        else:
            value = float(digits)
    if value == _INF or value == -_INF:
        raise _num_error(text, "value out of range")
    return value


# --- the policers -----------------------------------------------------------------

_Latest = Callable[[Sequence[str]], str]


def _empty() -> PolicyError:
    return PolicyError(EMPTY_LIST, reason=FAILURE,
                       hint="no tag is left to choose from: check filterTags.pattern against the tags")


def _order(kind: str, order: str) -> bool:
    """True for descending; Flux upper-cases the order and accepts "", ASC and DESC."""
    upper = order.upper()
    if upper not in ("", "ASC", "DESC"):
        raise PolicyError(
            f"invalid policy: invalid order argument provided: '{upper}', must be one of: ASC, DESC",
            reason=INVALID_POLICY, hint=f"set spec.policy.{kind}.order to asc or desc",
        )
    return upper == "DESC"


def _semver_policy(text: str) -> _Latest:
    try:
        rng = semver.Constraint.parse(text)
    except semver.SemverError as err:
        raise PolicyError(f"invalid policy: {err}", reason=INVALID_POLICY,
                          hint="fix spec.policy.semver.range, e.g. '>=1.0.0 <2.0.0', '~1.2' or '1.x'") from err

    def latest(values: Sequence[str]) -> str:
        if not values:
            raise _empty()
        tag = semver.latest(values, rng, strict=False)
        if tag is None:
            raise PolicyError(
                NO_SEMVER_MATCH, reason=FAILURE,
                hint=f"no tag with two dots satisfies '{text}'; a range admits prereleases "
                     "only when it names one, e.g. '>=1.0.0-0'",
            )
        return tag

    return latest


def _alphabetical_policy(descending: bool) -> _Latest:
    def latest(values: Sequence[str]) -> str:
        if not values:
            raise _empty()
        # Python compares code points, which orders as Go's byte-wise UTF-8 comparison.
        return min(values) if descending else max(values)

    return latest


def _not_numeric(text: str) -> PolicyError:
    return PolicyError(
        f"failed to parse invalid numeric value '{text}'", reason=FAILURE,
        hint="numerical policies need every tag to be a number: add filterTags, "
             "e.g. pattern '^[0-9]+$', or extract the number with a group",
    )


def _numerical_policy(descending: bool) -> _Latest:
    def latest(values: Sequence[str]) -> str:
        if not values:
            raise _empty()
        plain, inf = _PLAIN_FLOAT, _INF
        best, best_value = "", 0.0
        first = True
        for text in values:
            if text.isdigit() and text.isascii() or plain(text) is not None:
                value = float(text)
                if value == inf or value == -inf:
                    raise _not_numeric(text)  # out of range for a float64
            else:
                try:
                    value = go_parse_float(text)
                except ValueError:
                    raise _not_numeric(text) from None
            # Go's loop, comparison for comparison, so ties (the last wins) and
            # NaN behave the same.
            if first:
                first = False
            elif (value > best_value) if descending else (value < best_value):
                continue
            best, best_value = text, value
        return best

    return latest


def _policer(choice: PolicyChoice) -> _Latest:
    """`policy.PolicerFromSpec`: the policy's `Latest`, or an InvalidPolicy error."""
    if choice.kind == "semver":
        return _semver_policy(choice.range or "")
    if choice.kind == "alphabetical":
        return _alphabetical_policy(_order("alphabetical", choice.order))
    if choice.kind == "numerical":
        return _numerical_policy(_order("numerical", choice.order))
    raise PolicyError("invalid policy: given ImagePolicyChoice object is invalid", reason=INVALID_POLICY,
                      hint="set exactly one of spec.policy.semver, alphabetical or numerical")


def _filter(tags: Sequence[str], tag_filter: TagFilter) -> dict[str, str]:
    """`RegexFilter.Apply`: value -> tag for the tags the pattern matches (later tags win)."""
    try:
        rx = goregexp.compile(tag_filter.pattern or "")
    except goregexp.PatternError as err:
        raise PolicyError(f"failed to filter tags: {err}", reason=INVALID_POLICY, hint=err.hint) from err
    search = rx.search
    out: dict[str, str] = {}
    if not tag_filter.extract:
        for tag in filter(search, tags):
            out[tag] = tag
        return out
    parts = goregexp.compile_template(tag_filter.extract, goregexp.group_names(rx))
    # map() runs the searches without a Python-level call per tag.
    matches = zip(tags, map(search, tags))
    if len(parts) == 1 and isinstance(parts[0], int):
        # The usual `$1` / `$ts`: one group, read straight from the match.
        group = parts[0]
        for tag, m in matches:
            if m is not None:
                out[m[group] or ""] = tag
        return out
    expand = goregexp.expand_parts
    for tag, m in matches:
        if m is not None:
            out[expand(parts, m)] = tag
    return out


def select(tags: Sequence[str], choice: PolicyChoice, tag_filter: TagFilter | None = None) -> Selection:
    """Pick the tag an ImagePolicy resolves to, as image-reflector-controller does.

    Args:
        tags: the ImageRepository's tags after its exclusionList, in the order
            they were scanned.
        choice: `spec.policy` (semver range, or alphabetical/numerical order).
        tag_filter: `spec.filterTags`, or None. An empty pattern matches
            every tag; an empty extract keeps the tags as they are.

    Returns:
        The chosen tag, the value the policy compared, and how many values
        it ordered.

    Raises:
        PolicyError: with Flux's message and reason: `InvalidPolicy` for an
            invalid range, order or pattern; `DependencyNotReady` for no
            tags; `Failure` when nothing is left after filtering, no tag fits
            the range, or a numerical policy meets a non-number.
    """
    latest = _policer(choice)
    if not tags:
        raise PolicyError(NO_TAGS, reason=DEPENDENCY_NOT_READY,
                          hint="the ImageRepository has no tags yet: check its scan")
    if tag_filter is None:
        value = latest(tags)
        return Selection(value, value, len(tags))
    filtered = _filter(tags, tag_filter)
    values = list(filtered)
    value = latest(values)
    return Selection(filtered[value], value, len(values))
