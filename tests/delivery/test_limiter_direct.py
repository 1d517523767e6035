"""Direct replies: first in their chat, but paced by it, and patient with 429s."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.delivery.limiter import Priority, PriorityRateLimiter, ReplyGaveUp


class Calls:
    """A stand-in for the HTTP call: records when each attempt was made."""

    def __init__(self, refusals: list[float] | None = None) -> None:
        self.times: list[float] = []
        self.refusals = list(refusals or [])

    async def __call__(self) -> dict[str, Any]:
        self.times.append(time.monotonic())
        if self.refusals:
            raise RetryAfter(timedelta(seconds=self.refusals.pop(0)))
        return {"message_id": len(self.times)}


async def send(limiter: PriorityRateLimiter, calls: Calls, chat: int = 7, **args: Any) -> Any:
    return await limiter.process_request(
        callback=calls, args=(), kwargs={}, endpoint="sendMessage",
        data={"chat_id": chat}, rate_limit_args=args or None,
    )  # fmt: skip


async def test_a_direct_reply_meeting_a_429_waits_retry_after_before_trying_again() -> None:
    limiter = PriorityRateLimiter(per_chat_per_second=1, per_chat_burst=3)
    calls = Calls(refusals=[1.0])
    assert await send(limiter, calls) == {"message_id": 2}
    assert len(calls.times) == 2
    assert calls.times[1] - calls.times[0] >= 1.0


async def test_a_direct_reply_is_given_up_when_the_wait_would_outlast_its_patience() -> None:
    limiter = PriorityRateLimiter(direct_patience=2.0)
    calls = Calls(refusals=[5.0])
    with pytest.raises(RetryAfter):
        await send(limiter, calls)
    assert len(calls.times) == 1  # not retried into a wait longer than the user would accept
    with pytest.raises(ReplyGaveUp):  # the chat is paused: the next reply gives up in time too
        await send(limiter, Calls())


async def test_replies_into_one_chat_go_in_a_burst_then_one_per_second() -> None:
    limiter = PriorityRateLimiter(per_chat_per_second=1, per_chat_burst=3)
    calls = Calls()
    for _ in range(5):
        await send(limiter, calls)
    gaps = [b - a for a, b in zip(calls.times, calls.times[1:], strict=False)]
    assert max(gaps[:2]) < 0.2  # the burst goes at once
    assert min(gaps[2:]) >= 0.95  # then the chat's pace, a reply too


async def test_a_reply_goes_ahead_of_outbox_sends_queued_for_its_chat() -> None:
    import asyncio

    limiter = PriorityRateLimiter(per_chat_per_second=4, per_chat_burst=1)
    order: list[str] = []

    def labelled(name: str) -> Any:
        async def call() -> dict[str, Any]:
            order.append(name)
            return {}

        return call

    async def queued(name: str, priority: Priority) -> None:
        await limiter.process_request(
            callback=labelled(name), args=(), kwargs={}, endpoint="sendMessage",
            data={"chat_id": 7}, rate_limit_args={"priority": priority},
        )  # fmt: skip

    tasks = [asyncio.create_task(queued(f"s{i}", Priority.SCHEDULED)) for i in range(3)]
    await asyncio.sleep(0.01)  # s0 went; s1 and s2 wait for the chat's pace
    await queued("reply", Priority.DIRECT)
    await asyncio.gather(*tasks)
    assert order == ["s0", "reply", "s1", "s2"]


async def test_a_chats_next_send_is_paced_from_the_answer_of_a_slow_one() -> None:
    """A send that was slow on the way may have reached Telegram late: the next one into that
    chat keeps a full interval from its answer, or the two could arrive too close together."""
    import asyncio

    limiter = PriorityRateLimiter(per_chat_per_second=10, per_chat_burst=1)
    spans: list[tuple[float, float]] = []

    async def slow() -> dict[str, Any]:
        began = time.monotonic()
        await asyncio.sleep(0.3)
        spans.append((began, time.monotonic()))
        return {}

    async def quick() -> dict[str, Any]:
        spans.append((time.monotonic(), time.monotonic()))
        return {}

    await send(limiter, slow, priority=Priority.SCHEDULED)  # type: ignore[arg-type]
    await send(limiter, quick, priority=Priority.SCHEDULED)  # type: ignore[arg-type]
    (_, slow_answered), (quick_sent, _) = spans
    assert quick_sent - slow_answered >= 0.1  # the pacer alone would have let it go at once
