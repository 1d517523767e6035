"""The sender and rate limiter against the fake Bot API with limits and faults switched on."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.delivery.sender import MAX_ATTEMPTS
from tests.delivery.rig import Rig, rig

# PTB warns while building RetryAfter with an int (it becomes a timedelta in v23).
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

CHATS = list(range(1, 61))


def assert_each_once(r: Rig, chats: list[int], per_chat: int) -> None:
    for chat in chats:
        assert r.texts(chat) == [f"msg {n}" for n in range(per_chat)], chat
    assert r.tg.duplicates() == []


async def test_a_paced_broadcast_delivers_everything_once_without_429s(tmp_path: Path) -> None:
    async with rig(tmp_path, users=60, per_second=200, per_chat_per_second=5) as r:
        r.tg.set_limits(global_per_second=200, per_chat_per_second=5)
        await r.broadcast(CHATS, per_chat=3)
        assert await r.sender.drain() == 180
        assert_each_once(r, CHATS, 3)
        assert r.tg.counters["429"] == 0  # paced below the limits, not bounced off them
        assert await r.counts() == {"sent": 180}


async def test_a_per_chat_429_pauses_that_chat_only_and_loses_nothing(tmp_path: Path) -> None:
    # The limiter believes in 100/s per chat; the fake allows 2/s: every extra send bounces.
    async with rig(tmp_path, users=60, per_second=500, per_chat_per_second=100) as r:
        r.tg.set_limits(global_per_second=None, per_chat_per_second=2)
        await r.broadcast([1], per_chat=3)
        await r.broadcast(CHATS[1:], per_chat=1)
        assert await r.sender.drain() == 62
        assert r.texts(1) == ["msg 0", "msg 1", "msg 2"]  # in order, each once
        assert all(r.texts(c) == ["msg 0"] for c in CHATS[1:])
        assert r.tg.counters["429"] >= 2 and r.limiter.chat_floods == r.tg.counters["429"]
        assert r.limiter.global_floods == 0
        # The other chats were not held up behind chat 1's pause.
        last_other = max(r.tg.last(c)["seq"] for c in CHATS[1:])  # type: ignore[index]
        assert last_other < r.tg.last(1)["seq"]  # type: ignore[index]


async def test_a_global_429_pauses_the_lane_and_every_message_still_arrives(
    tmp_path: Path,
) -> None:
    async with rig(tmp_path, users=60, per_second=1000, per_chat_per_second=100) as r:
        r.tg.set_limits(global_per_second=25, per_chat_per_second=None)
        await r.broadcast(CHATS, per_chat=1)
        assert await r.sender.drain() == 60
        assert_each_once(r, CHATS, 1)
        assert r.tg.counters["429"] >= 1
        assert r.limiter.global_floods >= 1 and r.limiter.chat_floods == 0


async def test_5xx_and_timeouts_back_off_with_jitter_then_deliver_once(tmp_path: Path) -> None:
    async with rig(tmp_path, users=3) as r:
        await r.broadcast([1, 2, 3], per_chat=2)
        r.tg.fail_next(2, status=502, method="sendMessage")
        r.tg.timeout_next(1, delay=1.0, method="sendMessage")  # not delivered: the reply is lost
        sent = await r.sender.drain()
        assert sent == 0  # each chat's first send failed; its second waits behind it (order)
        async with r.db.read() as tx:
            waiting = await tx.outbox.pending(r.clock() + timedelta(hours=1), 10)
        assert sorted(row.attempts for row in waiting) == [0, 0, 0, 1, 1, 1]
        assert all(row.not_before > r.clock() for row in waiting)  # backed off, not spinning
        for _ in range(4):
            r.clock.advance(minutes=10)
            sent += await r.sender.drain()
        assert sent == 6
        assert_each_once(r, [1, 2, 3], 2)
        assert r.tg.counters["5xx"] == 2 and r.tg.counters["timeouts"] == 1


async def test_after_the_bound_a_row_is_parked_failed_and_retried_on_the_next_start(
    tmp_path: Path,
) -> None:
    async with rig(tmp_path, users=2) as r:
        await r.add(1, "stubborn")
        r.tg.fail_next(MAX_ATTEMPTS, status=500, method="sendMessage")
        for _ in range(MAX_ATTEMPTS + 1):
            await r.sender.drain()
            r.clock.advance(minutes=10)
        await r.add(2, "fine")
        await r.sender.drain()
        assert await r.counts() == {"sent": 1, "failed": 1}  # visible to the operator
        assert r.texts(1) == [] and r.texts(2) == ["fine"]
        await r.sender.start()  # a restart: failed rows go back into the queue
        await r.tg.wait_for(1, 1)
        await r.sender.stop()
        assert r.texts(1) == ["stubborn"] and await r.counts() == {"sent": 2}


async def test_a_blocked_user_is_reported_gone_once_and_their_queue_dropped(
    tmp_path: Path,
) -> None:
    async with rig(tmp_path, users=3) as r:
        r.tg.block(2)
        await r.broadcast([1, 2, 3], per_chat=3)
        assert await r.sender.drain() == 6
        assert r.gone == [2]
        assert r.texts(2) == [] and r.tg.counters["403"] == 1
        assert await r.counts() == {"sent": 6, "dropped": 3}


async def test_a_refused_message_is_dropped_alone_and_logged_with_its_row_id(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    async with rig(tmp_path, users=1) as r:
        await r.add(1, "before")
        await r.add(1, "<b>never closed")  # a 400 (a too-long text is split before it is stored)
        await r.add(1, "after")
        assert await r.sender.drain() == 2
        assert r.texts(1) == ["before", "after"]
        assert await r.counts() == {"sent": 2, "dropped": 1}
        assert any("dropping row 2" in m and "parse entities" in m for m in caplog.messages)
