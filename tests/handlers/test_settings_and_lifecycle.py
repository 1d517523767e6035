"""Per-partner delivery time and zone; pause, resume, unpair, erase."""

import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot import texts
from tests.conftest import ALEX, KIM, SAM
from tests.handlers.flow import pair, pair_and_start, with_button
from tests.harness import Harness


async def user(h: Harness, user_id: int):  # type: ignore[no-untyped-def]
    async with h.couplet.db.read() as tx:
        return await tx.users.user(user_id)


async def test_time_shortcut_moves_the_next_delivery(h: Harness) -> None:
    await pair(h, ALEX, SAM)
    await h.say(ALEX, "/time 7:15")
    assert "<b>07:15</b>" in h.last_text(ALEX)
    alex = await user(h, ALEX)
    assert alex.next_delivery_at == datetime(2026, 3, 3, 7, 15, tzinfo=UTC)


async def test_malformed_time_gets_a_kind_hint(h: Harness) -> None:
    for bad in ("/time 25:99", "/time soon", "/time <b>"):
        await h.say(ALEX, bad)
        assert "couldn't read" in h.last_text(ALEX)
    await h.say(ALEX, "/time")
    assert "/time 20:30" in h.last_text(ALEX)


async def test_timezone_shortcut_accepts_names_and_offsets(h: Harness) -> None:
    await h.say(ALEX, "/timezone europe/berlin")
    assert "Europe/Berlin" in h.last_text(ALEX)
    await h.say(ALEX, "/timezone UTC+2")
    assert "UTC+02:00" in h.last_text(ALEX)
    await h.say(ALEX, "/timezone Mars/Olympus")
    assert "don't know the time zone" in h.last_text(ALEX)
    assert (await user(h, ALEX)).timezone == "UTC+02:00"


async def test_partners_in_different_zones_each_get_the_prompt_at_their_own_time(
    h: Harness,
) -> None:
    await h.say(ALEX, "/timezone Europe/Berlin")
    await h.say(SAM, "/timezone America/New_York")
    await pair(h, ALEX, SAM)
    # 20:00 Berlin = 19:00 UTC; 20:00 New York = 01:00 UTC the next day (EST, before 8 March).
    await h.walk_to(datetime(2026, 3, 2, 19, 1, tzinfo=UTC), step_hours=0.5)
    assert any("Day 1 of 30" in t for t in h.texts(ALEX))
    assert not any("Day 1 of 30" in t for t in h.texts(SAM))
    await h.walk_to(datetime(2026, 3, 3, 1, 1, tzinfo=UTC), step_hours=0.5)
    assert any("Day 1 of 30" in t for t in h.texts(SAM))


async def test_settings_buttons_change_time_and_zone(h: Harness) -> None:
    await h.say(ALEX, "/settings")
    assert "Prompt time: <b>20:00</b>" in h.last_text(ALEX)
    await h.press(ALEX, with_button(h, ALEX, "set:time"), "set:time")
    await h.press(ALEX, with_button(h, ALEX, "time:08:00"), "time:08:00")
    await h.press(ALEX, with_button(h, ALEX, "set:tz"), "set:tz")
    await h.press(ALEX, with_button(h, ALEX, "tz:Asia/Tokyo"), "tz:Asia/Tokyo")
    alex = await user(h, ALEX)
    assert (alex.delivery_time, alex.timezone) == ("08:00", "Asia/Tokyo")


async def test_pause_stops_prompts_and_tells_the_partner_resume_restarts(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    await h.say(ALEX, "/pause")
    assert h.last_text(ALEX) == str(texts.PAUSED)
    assert "<b>Alex</b> paused" in h.last_text(SAM)
    await h.walk_to(h.clock.now + timedelta(days=3))
    assert not any("Day 2 of 30" in t for t in h.texts(SAM))
    await h.say(SAM, "/resume")
    assert "Welcome back" in h.last_text(SAM)
    assert "<b>Sam</b> resumed" in h.last_text(ALEX)
    await h.walk_to(h.clock.now + timedelta(days=1))
    assert sum("Day 2 of 30" in t for t in h.texts(SAM)) == 1
    await h.say(SAM, "/resume")
    assert h.last_text(SAM) == str(texts.NOT_PAUSED)


async def test_unpair_needs_confirmation_and_tells_the_partner(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    await h.say(ALEX, "/unpair")
    await h.press(ALEX, with_button(h, ALEX, "unpair:no"), "unpair:no")
    assert h.last_text(ALEX) == str(texts.CANCELLED)
    await h.say(ALEX, "/unpair")
    await h.press(ALEX, with_button(h, ALEX, "unpair:yes"), "unpair:yes")
    assert h.last_text(ALEX) == str(texts.UNPAIRED)
    assert "<b>Alex</b> ended the pairing" in h.last_text(SAM)
    await h.walk_to(h.clock.now + timedelta(days=2))
    assert not any("Day 2 of 30" in t for t in h.texts(ALEX) + h.texts(SAM))
    await h.say(SAM, "/start")
    assert "start=" in h.last_text(SAM)  # free to invite someone new


async def test_delete_my_data_erases_the_user_and_their_answers(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    await h.say(ALEX, "secret words")
    await h.say(ALEX, "/delete_my_data")
    await h.press(ALEX, with_button(h, ALEX, "delete:yes"), "delete:yes")
    assert h.last_text(ALEX) == str(texts.DELETED)
    assert "has left Couplet" in h.last_text(SAM)
    db = h.couplet.db
    for table, column in (
        ("users", "user_id"),
        ("answers", "user_id"),
        ("invites", "inviter_id"),
        ("deliveries", "user_id"),
        ("outbox", "chat_id"),
    ):
        async with db.conn.execute(
            f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (ALEX,)
        ) as c:
            assert (await c.fetchone())[0] == 0, table
    async with db.conn.execute("SELECT COUNT(*) FROM answers WHERE text LIKE '%secret%'") as c:
        assert (await c.fetchone())[0] == 0
    assert (await user(h, SAM)).couple_id is None


async def test_blocked_user_is_marked_and_the_partner_told_once(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    h.tg.block(SAM)
    await h.say(ALEX, "answer")
    await h.press(ALEX, with_button(h, ALEX, "nudge"), "nudge")
    await h.walk_to(h.clock.now + timedelta(days=2))
    assert (await user(h, SAM)).blocked
    assert sum("stopped Couplet" in t for t in h.texts(ALEX)) == 1
    await h.say(ALEX, "/resume")
    assert "stopped Couplet" in h.last_text(ALEX)


async def test_group_chats_are_told_once_and_left(h: Harness) -> None:
    h.tg.group_text(-500, KIM, "/start")
    await h.pump()
    h.tg.group_text(-500, KIM, "/help")
    await h.pump()
    told = h.texts(-500)
    assert len(told) == 1 and "private chats" in told[0]
    assert -500 in [int(c) for c in h.tg.left_chats]


async def test_moving_the_time_later_on_a_served_day_does_not_send_that_day_twice(
    h: Harness,
) -> None:
    await pair_and_start(h, ALEX, SAM)  # day 1 went out at 09:00
    await h.say(ALEX, "/time 22:00")
    assert (await user(h, ALEX)).next_delivery_at == datetime(2026, 3, 3, 22, 0, tzinfo=UTC)
    await h.walk_to(h.clock.now.replace(hour=23))
    assert not [t for t in h.texts(ALEX) if "Day 2 of 30" in t]


async def test_a_double_tap_on_a_button_is_quietly_absorbed(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await h.say(ALEX, "/settings")
    await h.press(ALEX, with_button(h, ALEX, "set:time"), "set:time")
    picker = with_button(h, ALEX, "time:08:00")
    await h.press(ALEX, picker, "time:08:00")
    before = len(h.texts(ALEX))
    h.tg.press_button(ALEX, picker, "time:08:00", check=False)  # the second tap, sent before
    await h.pump()  # the first one's edit reached the phone
    assert str(texts.ERROR) not in h.texts(ALEX)
    assert len(h.texts(ALEX)) == before
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert (await user(h, ALEX)).delivery_time == "08:00"
