"""When a partner's next prompt is due, in UTC, from their local time and zone.

Each partner stores one instant: the next delivery. The scheduler sends what is due and asks this
module for the following instant. Computing from the local *date* (not "now + 24h") is what keeps
DST changes from skipping or doubling a day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo


def local_date(instant: datetime, tz: tzinfo) -> date:
    return instant.astimezone(tz).date()


def at_local(day: date, at: time, tz: tzinfo) -> datetime:
    """The UTC instant of ``at`` on ``day`` in ``tz``.

    A time that does not exist (the hour skipped in spring) lands just after the gap; an ambiguous
    one (the hour repeated in autumn) takes its first occurrence.
    """
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def next_delivery(
    now: datetime, at: time, tz: tzinfo, *, last_delivered: datetime | None = None
) -> datetime:
    """The first instant after ``now`` at local time ``at`` on a local date after the last delivery.

    ``last_delivered`` keeps a partner from getting two prompts on one local date, for example when
    they move their time later on a day that was already served.
    """
    day = local_date(now, tz)
    floor = local_date(last_delivered, tz) if last_delivered else None
    for _ in range(3):
        candidate = at_local(day, at, tz)
        if candidate > now and (floor is None or day > floor):
            return candidate
        day += timedelta(days=1)
    # Only reached when the last delivery is dated in the future (a clock moved backwards).
    return at_local(max(day, (floor or day) + timedelta(days=1)), at, tz)


def following_delivery(delivered_at: datetime, at: time, tz: tzinfo, now: datetime) -> datetime:
    """After a delivery (possibly late), the next slot: never the same local date twice, never in the past."""
    return next_delivery(max(now, delivered_at), at, tz, last_delivered=delivered_at)
