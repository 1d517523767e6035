from datetime import UTC, time, timedelta

import pytest

from bot.core.timeparse import parse_time, parse_timezone, zone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("20:30", time(20, 30)),
        ("8", time(8)),
        ("08.15", time(8, 15)),
        ("8pm", time(20)),
        ("12am", time(0)),
        ("12:30 PM", time(12, 30)),
        ("20h30", time(20, 30)),
        ("20h", time(20)),  # Brazil, France
        ("20 Uhr", time(20)),
        ("20:30 ч", time(20, 30)),
        ("8 p. m.", time(20)),  # Spanish style
    ],
)
def test_parse_time_accepts_common_forms(raw: str, expected: time) -> None:
    assert parse_time(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "24:00", "12:60", "13pm", "noon", "8:7", "20:30:00", "-1", "25h", "20hh", "h"]
)
def test_parse_time_rejects_malformed(raw: str) -> None:
    assert parse_time(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("America/New York", "America/New_York"),
        ("UTC", "UTC"),
        ("UTC+2", "UTC+02:00"),
        ("gmt-5:30", "UTC-05:30"),
        ("+0545", "UTC+05:45"),
        ("UTC+0", "UTC"),
    ],
)
def test_parse_timezone(raw: str, expected: str) -> None:
    assert parse_timezone(raw) == expected


@pytest.mark.parametrize("raw", ["Mars/Olympus", "UTC+15", "UTC-13", "UTC+2:75", "", "x" * 100])
def test_parse_timezone_rejects_unknown(raw: str) -> None:
    assert parse_timezone(raw) is None


def test_fixed_offset_zone_round_trips() -> None:
    assert zone("UTC-05:30").utcoffset(None) == -timedelta(hours=5, minutes=30)
    assert zone("UTC") is UTC
