"""Go duration parsing and formatting (`fluxpy.models.duration`).

Covers: every unit and compound forms Go accepts, fractions, signs, `0`;
malformed inputs raising `invalid duration "<text>"`; formatting identical to
Go's `time.Duration.String()` (`1m0s`, `1h0m0s`, `500ms`, `1.5s`, `0s`,
sub-millisecond units, negatives); timedelta and seconds inputs; round trips.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from fluxpy.models import duration

PARSE_CASES = [
    ("1m", 60 * duration.SECOND),
    ("1m30s", 90 * duration.SECOND),
    ("1h0m0s", duration.HOUR),
    ("500ms", 500 * duration.MILLISECOND),
    ("1.5h", 90 * duration.MINUTE),
    (".5s", 500 * duration.MILLISECOND),
    ("1.s", duration.SECOND),
    ("10us", 10 * duration.MICROSECOND),
    ("10\u00b5s", 10 * duration.MICROSECOND),
    ("10\u03bcs", 10 * duration.MICROSECOND),
    ("7ns", 7),
    ("0", 0),
    ("-0", 0),
    ("+5s", 5 * duration.SECOND),
    ("-1m30s", -90 * duration.SECOND),
    ("2h45m10.5s", (2 * 3600 + 45 * 60 + 10) * duration.SECOND + 500 * duration.MILLISECOND),
    ("1h1h", 2 * duration.HOUR),
    ("0.000000001s", 1),
]


@pytest.mark.parametrize(("text", "ns"), PARSE_CASES)
def test_parse_ns_reads_go_durations(text: str, ns: int) -> None:
    assert duration.parse_ns(text) == ns


@pytest.mark.parametrize("text", ["", "5x", "5", "m", "-", ".", "1.5", "1m5", "1d",
                                  "1 m", "ms5", "9999999999h", "s1"])
def test_parse_rejects_malformed_text_naming_it(text: str) -> None:
    with pytest.raises(ValueError) as info:
        duration.parse(text)
    assert str(info.value) == f'invalid duration "{text}"'


def test_parse_returns_a_timedelta() -> None:
    assert duration.parse("1m30s") == timedelta(seconds=90)


def test_seconds_returns_a_float() -> None:
    assert duration.seconds("1.5s") == 1.5


FORMAT_CASES = [
    (timedelta(0), "0s"),
    (timedelta(minutes=1), "1m0s"),
    (timedelta(minutes=10), "10m0s"),
    (timedelta(hours=1), "1h0m0s"),
    (timedelta(hours=1, minutes=30), "1h30m0s"),
    (timedelta(milliseconds=500), "500ms"),
    (timedelta(seconds=1.5), "1.5s"),
    (timedelta(seconds=90), "1m30s"),
    (timedelta(seconds=5.023), "5.023s"),
    (timedelta(microseconds=1500), "1.5ms"),
    (timedelta(microseconds=15), "15\u00b5s"),
    (timedelta(days=2), "48h0m0s"),
    (timedelta(seconds=-123.5), "-2m3.5s"),
    (30, "30s"),
    (0.25, "250ms"),
]


@pytest.mark.parametrize(("value", "text"), FORMAT_CASES)
def test_format_prints_like_go_duration_string(value: timedelta | float, text: str) -> None:
    assert duration.format(value) == text


@pytest.mark.parametrize(("ns", "text"), [
    (1, "1ns"), (999, "999ns"), (1_000, "1\u00b5s"), (1_500, "1.5\u00b5s"),
    (999_999_999, "999.999999ms"), (5_012_345_678, "5.012345678s"),
    (3_600_000_000_001, "1h0m0.000000001s"), (-1, "-1ns"),
])
def test_format_ns_keeps_nanosecond_precision_like_go(ns: int, text: str) -> None:
    assert duration.format_ns(ns) == text
    assert duration.parse_ns(text) == ns


@pytest.mark.parametrize("text", ["1m0s", "10m0s", "1h0m0s", "500ms", "1.5s", "2h3m4.5s"])
def test_format_of_parse_round_trips_canonical_text(text: str) -> None:
    assert duration.format(duration.parse(text)) == text
