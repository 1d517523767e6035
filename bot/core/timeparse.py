"""Parsing what people type for a delivery time or a time zone."""

from __future__ import annotations

import re
from datetime import UTC, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_TIME = re.compile(
    r"^\s*(?P<h>\d{1,2})(?:\s*[:.h]\s*(?P<m>\d{2}))?\s*(?P<ampm>[ap]\.?\s*m\.?)?"
    r"\s*(?:h|hs|hrs|uhr|ч|год\.?)?\s*$",  # "20h", "20 Uhr", "20:00 ч", "20 год."
    re.I,
)
_OFFSET = re.compile(
    r"^\s*(?:utc|gmt)?\s*(?P<sign>[+-])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?\s*$", re.I
)
_UTC_NAMES = {"utc", "gmt", "z", "zulu", "utc+0", "utc-0", "gmt+0", "utc+00:00"}


def parse_time(text: str) -> time | None:
    """Accept ``20:30``, ``8``, ``8.15``, ``8pm``, ``8:30 am``, ``20h30``, ``20h``, ``20 Uhr``;
    ``None`` if not a time."""
    match = _TIME.match(text or "")
    if not match:
        return None
    hour, minute = int(match["h"]), int(match["m"] or 0)
    if ampm := match["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.lower().startswith("p") else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def format_time(value: time) -> str:
    return value.strftime("%H:%M")


def _offset_name(delta: timedelta) -> str:
    total = int(delta.total_seconds() // 60)
    sign = "+" if total >= 0 else "-"
    hours, minutes = divmod(abs(total), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def _canonical_zone_names() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


_ZONES: dict[str, str] | None = None


def parse_timezone(text: str) -> str | None:
    """Return a canonical zone name (``Europe/Berlin`` or ``UTC+02:00``), or ``None``.

    IANA names are matched case-insensitively; fixed offsets may be written ``UTC+2``, ``GMT-5:30``
    or ``+0530``. Offsets beyond what any place on Earth uses are refused.
    """
    global _ZONES
    raw = (text or "").strip()
    if not raw or len(raw) > 64:
        return None
    if raw.lower() in _UTC_NAMES:
        return "UTC"
    if match := _OFFSET.match(raw):
        hours, minutes = int(match["h"]), int(match["m"] or 0)
        if minutes >= 60 or hours > 14 or (hours == 14 and minutes):
            return None
        delta = timedelta(hours=hours, minutes=minutes)
        if match["sign"] == "-":
            if hours > 12:
                return None
            delta = -delta
        return "UTC" if not delta else _offset_name(delta)
    if _ZONES is None:
        _ZONES = _canonical_zone_names()
    return _ZONES.get(raw.replace(" ", "_").lower())


def zone(name: str) -> tzinfo:
    """The tzinfo for a canonical name produced by :func:`parse_timezone`."""
    if name == "UTC":
        return UTC
    if name.startswith("UTC") and len(name) == 9:
        sign = -1 if name[3] == "-" else 1
        return timezone(sign * timedelta(hours=int(name[4:6]), minutes=int(name[7:9])))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC
