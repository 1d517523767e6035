"""Due times across time zones and DST: never skip, never double a local date."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.schedule import following_delivery, next_delivery

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_next_delivery_later_today_in_local_zone() -> None:
    # 10:00 UTC is 11:00 in Berlin (winter); 20:30 Berlin is 19:30 UTC the same day.
    assert next_delivery(utc(2026, 1, 10, 10), time(20, 30), BERLIN) == utc(2026, 1, 10, 19, 30)


def test_next_delivery_rolls_to_tomorrow_once_the_time_passed() -> None:
    assert next_delivery(utc(2026, 1, 10, 20), time(20, 30), BERLIN) == utc(2026, 1, 11, 19, 30)


def test_partners_in_different_zones_get_their_own_local_time() -> None:
    now = utc(2026, 6, 1, 12)
    berlin = next_delivery(now, time(20, 0), BERLIN)
    new_york = next_delivery(now, time(20, 0), NEW_YORK)
    assert berlin.astimezone(BERLIN).hour == 20 and new_york.astimezone(NEW_YORK).hour == 20
    assert new_york - berlin == timedelta(hours=6)


def test_not_twice_on_one_local_date_when_time_moves_later() -> None:
    delivered = utc(2026, 1, 10, 7)  # 08:00 Berlin
    # At 09:00 the partner moves their time to 21:00: the next prompt is tomorrow, not tonight.
    nxt = next_delivery(utc(2026, 1, 10, 8), time(21, 0), BERLIN, last_delivered=delivered)
    assert nxt == utc(2026, 1, 11, 20)


def walk(start: datetime, at: time, tz: ZoneInfo, days: int) -> list[datetime]:
    slot = next_delivery(start, at, tz)
    slots = [slot]
    for _ in range(days - 1):
        slot = following_delivery(slot, at, tz, slot)
        slots.append(slot)
    return slots


def test_spring_forward_neither_skips_nor_doubles() -> None:
    # Europe/Berlin jumps from 02:00 to 03:00 on 29 March 2026; 02:30 does not exist that night.
    slots = walk(utc(2026, 3, 26, 0), time(2, 30), BERLIN, 6)
    local_dates = [s.astimezone(BERLIN).date() for s in slots]
    assert len(set(local_dates)) == 6
    assert [d.day for d in local_dates] == [26, 27, 28, 29, 30, 31]


def test_fall_back_neither_skips_nor_doubles() -> None:
    # On 25 October 2026 Berlin repeats 02:00-03:00; 02:30 happens twice but is delivered once.
    slots = walk(utc(2026, 10, 23, 0), time(2, 30), BERLIN, 5)
    local_dates = [s.astimezone(BERLIN).date() for s in slots]
    assert [d.day for d in local_dates] == [23, 24, 25, 26, 27]
    assert all(s.astimezone(BERLIN).strftime("%H:%M") == "02:30" for s in slots)


def test_evening_slot_keeps_its_local_hour_across_dst() -> None:
    berlin = walk(utc(2026, 3, 27, 0), time(20, 0), BERLIN, 4)  # across 29 March
    assert {s.astimezone(BERLIN).hour for s in berlin} == {20}
    assert [s.hour for s in berlin] == [19, 19, 18, 18]  # the UTC instant moves, the local hour not


def test_late_delivery_does_not_flood_or_skip_the_calendar() -> None:
    # Slot was yesterday 20:00 Berlin; the bot comes back today at 08:00 and sends it then.
    slot = utc(2026, 1, 10, 19)
    now = utc(2026, 1, 11, 7)
    nxt = following_delivery(slot, time(20, 0), BERLIN, now)
    assert nxt == utc(2026, 1, 11, 19)  # tonight, the calendar's next slot


def test_days_of_downtime_give_one_catch_up_then_the_next_future_slot() -> None:
    slot = utc(2026, 1, 10, 19)
    now = utc(2026, 1, 14, 7)
    nxt = following_delivery(slot, time(20, 0), BERLIN, now)
    assert nxt == utc(2026, 1, 14, 19)
