"""Priorities under a broadcast, catch-up after downtime, and delivery windows."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bench.seed import seed_couples
from bot import texts
from bot.delivery.outbox import Outgoing, enqueue
from scheduler.due import run_tick
from tests.conftest import ALEX, KIM, SAM
from tests.delivery.rig import Priority, rig
from tests.handlers.flow import pair_and_start
from tests.harness import Harness, start_harness, stop_harness


async def test_a_command_reply_jumps_ahead_of_a_broadcast_in_flight(tmp_path: Path) -> None:
    async with rig(tmp_path, users=121, per_second=50) as r:
        await r.broadcast(list(range(1, 121)))
        drain = asyncio.create_task(r.sender.drain())
        await r.tg.wait_until(lambda: r.tg.sent_count >= 10)
        assert r.limiter.queued() >= 20  # the broadcast is queued in the limiter
        before = r.tg.sent_count
        await r.bot.send_message(121, "your reply")  # a handler's reply: DIRECT by default
        position = r.tg.last(121)["seq"] - before  # type: ignore[index]
        assert position <= 1  # the next grant, at most one broadcast send already granted
        assert await drain == 120
        assert sum(1 for c in range(1, 121) if r.tg.last(c)["seq"] > before + position) > 90  # type: ignore[index]


async def test_a_reveal_that_turns_up_mid_broadcast_goes_out_next(tmp_path: Path) -> None:
    async with rig(tmp_path, users=151, per_second=100) as r:
        await r.broadcast(list(range(1, 151)))
        r.sender.batch = 200  # all 150 chats at once; it would fetch more below 100
        drain = asyncio.create_task(r.sender.drain())
        await r.tg.wait_until(lambda: r.tg.sent_count >= 10)
        await r.add(151, "both answered", kind="reveal", priority=Priority.PARTNER)
        r.sender.wake()  # as the flow that stored it does
        before = r.tg.sent_count
        await r.tg.wait_for(151, 1)
        assert r.tg.last(151)["seq"] - before <= 3  # not behind the chats already waiting
        assert await drain == 151


async def test_after_downtime_late_prompts_say_so_and_stale_reminders_are_dropped(
    h: Harness,
) -> None:
    await pair_and_start(h, ALEX, SAM)  # day 1 at 09:00; its reminder is due at 13:00
    h.clock.set(h.clock.now.replace(hour=23) + timedelta(days=1))  # down until 23:00 tomorrow
    await h.tick()
    day2 = [t for t in h.texts(ALEX) if "Day 2 of 30" in t]
    assert len(day2) == 1 and texts.LATE_PREFIX not in day2[0]  # 3 h late: on time enough
    assert not any("gentle reminder" in t for t in h.texts(ALEX))  # 34 h stale: dropped
    h.clock.advance(hours=29)  # 04:00 two days on: day 3's slot (20:00) is 8 h past
    await h.tick()
    day3 = [t for t in h.texts(ALEX) if "Day 3 of 30" in t]
    assert len(day3) == 1 and day3[0].startswith(texts.LATE_PREFIX)
    assert not any("gentle reminder" in t for t in h.texts(ALEX) + h.texts(SAM))


async def test_no_reminder_wave_while_prompts_are_still_going_out(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    h.clock.set(h.clock.now.replace(hour=13, minute=1))
    async with h.couplet.db.transaction() as repo:  # an earlier wave still in the outbox
        await enqueue(repo, Outgoing(key="p", chat_id=KIM, kind="prompt", text="x"), h.clock())
    assert (await run_tick(h.couplet, h.clock())).reminders == 0
    await h.flush()
    assert (await run_tick(h.couplet, h.clock())).reminders == 2


async def test_a_crowded_delivery_minute_is_spread_over_the_window(tmp_path: Path) -> None:
    h = await start_harness(tmp_path, delivery_rate_per_second=30, delivery_window_seconds=60)
    try:
        slot = h.clock.now.replace(hour=20)
        seed_couples(h.couplet.db.path, 200, due_at=slot)
        enqueued = []
        for seconds in (0, 20, 40, 60):
            h.clock.set(slot + timedelta(seconds=seconds))
            enqueued.append((await run_tick(h.couplet, h.clock())).prompts)
        assert sum(enqueued) == 400  # everyone, once, within the window
        assert max(enqueued) < 200  # not one burst
        assert enqueued[0] < 40  # only the users whose offset is 0 go at the minute itself
    finally:
        await stop_harness(h)
