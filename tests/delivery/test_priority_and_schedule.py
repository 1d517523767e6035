"""Priorities under a broadcast, catch-up after downtime, and waves."""

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
    assert len(day2) == 1 and str(texts.LATE_PREFIX) not in day2[0]  # 3 h late: on time enough
    assert not any("gentle reminder" in t for t in h.texts(ALEX))  # 34 h stale: dropped
    h.clock.advance(hours=29)  # 04:00 two days on: day 3's slot (20:00) is 8 h past
    await h.tick()
    day3 = [t for t in h.texts(ALEX) if "Day 3 of 30" in t]
    assert len(day3) == 1 and day3[0].startswith(str(texts.LATE_PREFIX))
    assert not any("gentle reminder" in t for t in h.texts(ALEX) + h.texts(SAM))


async def test_no_reminder_wave_while_prompts_are_still_going_out(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    h.clock.set(h.clock.now.replace(hour=13, minute=1))
    async with h.couplet.db.transaction() as tx:  # an earlier wave still in the outbox
        await enqueue(tx, Outgoing(key="p", chat_id=KIM, kind="prompt", text="x"), h.clock())
    assert (await run_tick(h.couplet, h.clock())).reminders == 0
    await h.flush()
    assert (await run_tick(h.couplet, h.clock())).reminders == 2


def _buttons(message: dict[str, object]) -> set[str]:
    markup = message.get("reply_markup") or {}
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    return {b.get("callback_data", "") for row in rows for b in row}


async def test_a_medium_wave_sends_every_prompt_once_before_any_companion(tmp_path: Path) -> None:
    """300 partners share a delivery minute on day 1: each gets the prompt once, and the
    check-in offers that travel with the prompts all wait for the wave's last prompt."""
    h = await start_harness(tmp_path, delivery_rate_per_second=200)
    h.tg.set_limits(global_per_second=200, per_chat_per_second=1, per_chat_burst=3)
    try:
        slot = h.clock.now.replace(hour=20)
        users = seed_couples(h.couplet.db.path, 150, due_at=slot)
        for uid in users:
            h.tg.add_user(uid, f"U{uid}", None)
        h.clock.set(slot)
        result = await h.tick()  # one tick: the wave is not capped by the scheduler's chunk
        assert result.prompts == 300
        prompts, companions = [], []
        for uid in users:
            inbox = h.tg.inbox(uid)
            day_one = [m for m in inbox if any(d.startswith("swap:") for d in _buttons(m))]
            assert len(day_one) == 1, uid  # the prompt, exactly once
            prompts.append(day_one[0]["seq"])
            companions += [m["seq"] for m in inbox if "ci:start" in _buttons(m)]
        assert len(companions) == 300  # every check-in offer arrived too, once
        assert max(prompts) < min(companions)
    finally:
        await stop_harness(h)
