"""The lanes' sliding window: a send counts from its grant until its answer, then for a window."""

from __future__ import annotations

import asyncio
import itertools
import math
from pathlib import Path
from typing import Any

import pytest

from bot.delivery.limiter import CATCH_UP, WINDOW_MARGIN, Lane, PriorityRateLimiter
from bot.delivery.outbox import Outgoing, Priority, enqueue
from bot.storage.models import MessageKind
from tests.delivery.rig import rig

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def test_a_send_counts_while_open_and_for_a_window_after_its_answer() -> None:
    lane = Lane.for_rate(3)
    assert (lane.capacity, lane.span) == (3, pytest.approx(1 + WINDOW_MARGIN))
    for _ in range(3):
        lane.take(100.0)
    assert lane.ready_at() == math.inf  # three open: only an answer makes room
    lane.answered(100.5)  # it may have reached Telegram as late as 100.5
    assert lane.ready_at() == pytest.approx(100.5 + lane.span)
    lane.answered(100.6)
    lane.answered(100.7)
    assert lane.ready_at() == pytest.approx(100.5 + lane.span)  # the oldest of three
    lane.take(101.6)
    lane.pacer.tat = 0.0  # the window alone
    assert lane.ready_at() == pytest.approx(100.6 + lane.span)


def test_the_pacer_spreads_sends_and_may_catch_up_a_late_timer() -> None:
    lane = Lane.for_rate(1000)
    lane.pacer.tat = 10.0  # sending steadily
    lane.take(10.0)
    lane.answered(10.0)
    assert lane.ready_at() == pytest.approx(10.0 + lane.span / 1000 - lane.pacer.tolerance)
    assert 0 < lane.pacer.tolerance <= lane.span / 1000


def test_after_a_stall_the_lane_makes_up_the_lost_sends_within_its_window() -> None:
    lane = Lane.for_rate(1000)
    lane.pacer.tat = 10.0
    now = 10.05  # the event loop was busy elsewhere for 50 ms
    caught_up = 0
    while lane.ready_at() <= now:
        lane.take(now)
        caught_up += 1
    interval = lane.span / 1000
    assert caught_up == pytest.approx((CATCH_UP + lane.pacer.tolerance) / interval, abs=1.5)
    assert lane.open == caught_up <= lane.capacity  # still inside the sliding window


def test_a_reply_needs_room_in_the_window_but_not_the_pacers_next_slot() -> None:
    lane = Lane.for_rate(3)
    lane.pacer.tat = 50.0
    lane.take(50.0)
    lane.answered(50.0)
    assert lane.ready_at(paced=False) == 0.0  # room in the window: now
    assert lane.ready_at() == pytest.approx(50.0 + lane.span / 3 - lane.pacer.tolerance)
    lane.take(50.0)
    lane.take(50.0)
    assert lane.ready_at(paced=False) == pytest.approx(50.0 + lane.span)  # full for replies too
    lane.pause_until(60.0)  # a global 429: replies wait too
    assert lane.ready_at(paced=False) == 60.0 and lane.ready_at() >= 60.0


async def test_replies_go_at_once_while_scheduled_sends_are_paced() -> None:
    limiter = PriorityRateLimiter(per_second=10, per_chat_per_second=100)
    loop = asyncio.get_running_loop()
    sent: dict[str, list[float]] = {"reply": [], "prompt": []}

    async def call(kind: str) -> bool:
        sent[kind].append(loop.time())
        return True

    def send(kind: str, chat: int, priority: Priority) -> Any:
        args = {"priority": priority}
        data = {"chat_id": chat}
        return limiter.process_request(call, (kind,), {}, "sendMessage", data, args)

    started = loop.time()
    await asyncio.gather(
        *(send("prompt", 10 + n, Priority.SCHEDULED) for n in range(3)),
        *(send("reply", n, Priority.DIRECT) for n in range(3)),
    )
    assert max(sent["reply"]) - started < 0.05  # three replies at once
    gaps = [b - a for a, b in itertools.pairwise(sent["prompt"])]
    # the prompts one pacer slot (0.101 s) apart, less what a late timer may make up
    assert min(gaps) > 0.101 - CATCH_UP - 0.002


def test_a_slow_rate_is_one_send_per_long_window() -> None:
    lane = Lane.for_rate(0.5)
    assert lane.capacity == 1 and lane.span == pytest.approx(2 * (1 + WINDOW_MARGIN))


async def test_delays_on_the_way_never_push_the_fake_over_its_window(tmp_path: Path) -> None:
    # In each run of 90 sends the first reaches the fake 200 ms late, the later ones less and
    # less: 61 sends evenly paced over a second and a bit arrive within 0.9 s. Pacing with a few
    # per cent of headroom answered four 429s here; the window waits for answers instead.
    def late(n: int) -> float:
        return 0.2 * (1 - (n % 90) / 90)

    async with rig(tmp_path, users=120, per_second=60, delay=late) as r:
        r.tg.set_limits(global_per_second=60, per_chat_per_second=None)
        await r.broadcast(list(range(1, 121)))
        assert await r.sender.drain() == 120
        assert r.tg.counters["429"] == 0
        assert r.tg.duplicates() == [] and r.limiter.global_floods == 0


async def test_a_send_cancelled_after_its_grant_still_frees_its_place() -> None:
    limiter = PriorityRateLimiter(per_second=2, per_chat_per_second=100)
    release = asyncio.Event()

    async def call() -> bool:
        await release.wait()
        return True

    def send(chat: int) -> asyncio.Task[object]:
        return asyncio.create_task(
            limiter.process_request(
                call, (), {}, "sendMessage", {"chat_id": chat}, {"priority": Priority.SCHEDULED}
            )
        )

    lane = limiter._lanes[0]
    first, second = send(1), send(2)
    await asyncio.sleep(0.01)
    assert lane.open == 1 and limiter.queued() == 1  # the second waits for the pacer
    lane.pacer.tat = 0.0
    limiter._pump()  # granted now; cancelled before it could run
    assert lane.open == 2
    second.cancel()
    with pytest.raises(asyncio.CancelledError):
        await second
    assert lane.open == 1 and len(lane.done) == 1
    release.set()
    assert await first is True
    assert lane.open == 0 and len(lane.done) == 2


async def test_a_window_full_of_open_sends_waits_for_an_answer_then_its_span() -> None:
    limiter = PriorityRateLimiter(per_second=1.99, per_chat_per_second=100)  # 1 per 0.51 s
    loop = asyncio.get_running_loop()
    release = asyncio.Event()
    went: list[float] = []

    async def call(wait: bool) -> bool:
        went.append(loop.time())
        if wait:
            await release.wait()
        return True

    def send(chat: int, wait: bool) -> Any:
        return limiter.process_request(call, (wait,), {}, "sendMessage", {"chat_id": chat}, None)

    first = asyncio.create_task(send(1, True))
    second = asyncio.create_task(send(2, False))
    await asyncio.sleep(0.1)
    assert len(went) == 1  # the first is still open: nothing else may go, however long
    release.set()
    answered = loop.time()
    await asyncio.wait_for(asyncio.gather(first, second), 2)
    assert went[1] - answered >= limiter._lanes[0].span - 0.01


async def test_paid_broadcast_marks_every_outbox_row(tmp_path: Path) -> None:
    async with rig(tmp_path, users=2, paid_broadcast=True) as r:
        async with r.db.transaction() as tx:
            for n, priority in enumerate((Priority.PARTNER, Priority.SCHEDULED)):
                message = Outgoing(key=f"k{n}", chat_id=n + 1, kind=MessageKind.NOTICE, text=f"m{n}",
                                   priority=priority)  # fmt: skip
                await enqueue(tx, message, r.clock())
        assert await r.sender.drain() == 2
        assert [r.tg.last(c)["allow_paid_broadcast"] for c in (1, 2)] == [True, True]  # type: ignore[index]
        await r.bot.send_message(1, "a handler's reply")  # the bot's own methods: never paid
        assert r.tg.last(1)["allow_paid_broadcast"] is False  # type: ignore[index]
