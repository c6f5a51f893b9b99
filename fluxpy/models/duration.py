"""Go `time.Duration` strings, as Flux reads and writes them.

Every interval and timeout in a Flux spec is a `metav1.Duration`: Go syntax on
the wire (`1m30s`, `500ms`, `1.5h`) and Go's `Duration.String()` when Flux
writes one back (`1m0s`, `10m0s`). The models parse spec durations with
`parse`; anything that renders or writes a duration uses `format`, so that
fluxpy output matches Flux byte for byte. Values are kept as integer
nanoseconds internally, like Go, so parse/format round-trips are exact.
"""

from __future__ import annotations

from datetime import timedelta

NANOSECOND = 1
MICROSECOND = 1_000
MILLISECOND = 1_000_000
SECOND = 1_000_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE

_UNITS: dict[str, int] = {
    "ns": NANOSECOND,
    "us": MICROSECOND,
    "\u00b5s": MICROSECOND,  # micro sign
    "\u03bcs": MICROSECOND,  # Greek mu
    "ms": MILLISECOND,
    "s": SECOND,
    "m": MINUTE,
    "h": HOUR,
}
_MAX = (1 << 63) - 1  # Go's Duration is an int64 of nanoseconds


def parse_ns(text: str) -> int:
    """Parse a Go duration into integer nanoseconds.

    Accepts what Go's `time.ParseDuration` accepts: an optional sign, then one
    or more decimal numbers each followed by a unit (`ns`, `us`, `µs`, `ms`,
    `s`, `m`, `h`); `0` alone needs no unit.

    Args:
        text: e.g. `1m30s`, `1.5h`, `-500ms`.

    Returns:
        The duration in nanoseconds.

    Raises:
        ValueError: `invalid duration "<text>"` when the text is malformed or
            out of range.
    """
    if not isinstance(text, str):
        raise ValueError(f"invalid duration {text!r}")
    bad = ValueError(f'invalid duration "{text}"')
    s = text
    negative = False
    if s[:1] in ("-", "+"):
        negative = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        raise bad
    total = 0
    i = 0
    while i < len(s):
        start = i
        while i < len(s) and s[i].isdigit():
            i += 1
        whole = s[start:i]
        frac = ""
        if i < len(s) and s[i] == ".":
            i += 1
            fstart = i
            while i < len(s) and s[i].isdigit():
                i += 1
            frac = s[fstart:i]
        if not whole and not frac:
            raise bad
        ustart = i
        while i < len(s) and not s[i].isdigit() and s[i] != ".":
            i += 1
        unit = _UNITS.get(s[ustart:i])
        if unit is None:
            raise bad
        value = int(whole or "0") * unit
        if frac:
            # Exact integer arithmetic, truncating like Go does.
            value += int(frac) * unit // 10 ** len(frac)
        total += value
        if total > _MAX:
            raise bad
    return -total if negative else total


def parse(text: str) -> timedelta:
    """Parse a Go duration into a `timedelta` (sub-microsecond parts dropped).

    Args:
        text: e.g. `5m`, `1h0m0s`.

    Raises:
        ValueError: `invalid duration "<text>"`.
    """
    return timedelta(microseconds=parse_ns(text) // MICROSECOND)


def seconds(text: str) -> float:
    """Parse a Go duration into seconds.

    Raises:
        ValueError: `invalid duration "<text>"`.
    """
    return parse_ns(text) / SECOND


def to_ns(value: timedelta | int | float) -> int:
    """Nanoseconds of a timedelta, or of a number of seconds."""
    if isinstance(value, timedelta):
        return ((value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds) * MICROSECOND
    return round(value * SECOND)


def _frac(value: int, digits: int) -> str:
    """`value` as a decimal with `digits` fraction digits, trailing zeros cut."""
    whole, rest = divmod(value, 10 ** digits)
    tail = f"{rest:0{digits}d}".rstrip("0")
    return f"{whole}.{tail}" if tail else str(whole)


def format(value: timedelta | int | float) -> str:  # noqa: A001 - mirrors Go's String()
    """Render a duration exactly like Go's `time.Duration.String()`.

    Args:
        value: a timedelta, or a number of seconds (int or float).

    Returns:
        e.g. `1m0s`, `10m0s`, `1h0m0s`, `500ms`, `1.5s`, `0s`, `-2m3.5s`.
    """
    return format_ns(to_ns(value))


def format_ns(ns: int) -> str:
    """Render integer nanoseconds like Go's `time.Duration.String()`."""
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    if ns < SECOND:
        if ns < MICROSECOND:
            return f"{sign}{ns}ns"
        if ns < MILLISECOND:
            return f"{sign}{_frac(ns, 3)}\u00b5s"
        return f"{sign}{_frac(ns, 6)}ms"
    hours, rest = divmod(ns, HOUR)
    minutes, rest = divmod(rest, MINUTE)
    out = f"{_frac(rest, 9)}s"
    if hours or minutes:
        out = f"{minutes}m{out}"
    if hours:
        out = f"{hours}h{out}"
    return sign + out
