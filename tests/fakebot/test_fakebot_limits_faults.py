"""Flood control (429) and injected faults (5xx, timeouts) as PTB reports them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TimedOut

from fakebot import FakeBotApiServer, FakeTelegram

ANN, BOB = 1001, 1002  # added by the ``tg`` fixture

# PTB warns when RetryAfter.retry_after is read as an int (it becomes a timedelta in v23).
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


class Clock:
    """A hand-driven monotonic clock, so sliding-window tests need no sleeps."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def retry_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value if isinstance(value, int | float) else value.total_seconds()


async def test_per_chat_limit_raises_retry_after(bot: Bot, tg: FakeTelegram) -> None:
    tg.set_limits(global_per_second=None, per_chat_per_second=1)
    await bot.send_message(ANN, "one")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ANN, "two")
    assert retry_seconds(caught.value) == 1
    await bot.send_message(BOB, "other chat is fine")
    assert [r["text"] for r in tg.inbox(ANN)] == ["one"]  # rejected sends are not delivered
    assert tg.counters["429"] == 1 and tg.sent_count == 2


async def test_retry_after_is_configurable(bot: Bot, tg: FakeTelegram) -> None:
    tg.set_limits(None, 1, retry_after=7)
    await bot.send_message(ANN, "one")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_photo(ANN, "photo-1")
    assert retry_seconds(caught.value) == 7


async def test_global_limit_is_a_sliding_window(make_local_bot: Callable[..., Bot]) -> None:
    clock = Clock()
    tg = FakeTelegram(clock=clock)
    for user_id in range(1, 11):
        tg.add_user(user_id, f"U{user_id}")
    tg.set_limits(global_per_second=3, per_chat_per_second=None)
    async with make_local_bot(tg) as bot:

        async def send(chat: int, at: float) -> bool:
            clock.now = 100.0 + at
            try:
                await bot.send_message(chat, f"at {at}")
            except RetryAfter:
                return False
            return True

        assert await send(1, 0.0) and await send(2, 0.5) and await send(3, 0.5)
        assert not await send(4, 0.9)  # 3 in the last second already
        assert await send(5, 1.0)  # the send at 0.0 left the window
        # A fixed per-second bucket would allow this; the window [0.2, 1.2] holds 3 already.
        assert not await send(6, 1.2)
        assert await send(7, 1.5)
        # Paid broadcasts use their own budget instead of the global one.
        clock.now = 101.6
        await bot.send_message(8, "paid", allow_paid_broadcast=True)
    assert tg.sent_count == 6
    assert tg.last(8)["allow_paid_broadcast"] is True


async def test_per_chat_limit_recovers_after_the_gap(make_local_bot: Callable[..., Bot]) -> None:
    clock = Clock()
    tg = FakeTelegram(clock=clock)
    tg.add_user(ANN, "Ann")
    tg.set_limits(None, per_chat_per_second=0.5)  # one message per 2 s
    async with make_local_bot(tg) as bot:
        await bot.send_message(ANN, "a")
        clock.now += 1.0
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(ANN, "b")
        assert retry_seconds(caught.value) == 1
        clock.now += 1.0
        await bot.send_message(ANN, "c")
    assert [r["text"] for r in tg.inbox(ANN)] == ["a", "c"]


@pytest.mark.parametrize("status", [500, 502])
async def test_fail_next_is_a_network_error(bot: Bot, tg: FakeTelegram, status: int) -> None:
    tg.fail_next(1, status=status, method="sendMessage")
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(ANN, "lost")
    assert not isinstance(caught.value, TimedOut)
    await bot.send_message(ANN, "delivered")
    assert [r["text"] for r in tg.inbox(ANN)] == ["delivered"]
    assert tg.counters["5xx"] == 1 and tg.counters["sendMessage"] == 2


async def test_fail_next_matches_only_its_method(bot: Bot, tg: FakeTelegram) -> None:
    tg.fail_next(2, method="sendPhoto")
    await bot.send_message(ANN, "text is fine")
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_photo(ANN, "photo-1")
    await bot.send_photo(ANN, "photo-1")
    assert [r["method"] for r in tg.inbox(ANN)] == ["sendMessage", "sendPhoto"]


async def test_timeout_next_over_http(
    server: FakeBotApiServer, tg: FakeTelegram, make_http_bot: Callable[..., Bot]
) -> None:
    tg.timeout_next(1, delay=1.0, method="sendMessage")
    async with make_http_bot(server, read_timeout=0.2) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(ANN, "hello?")
        assert tg.inbox(ANN) == [] and tg.counters["timeouts"] == 1
        await bot.send_message(ANN, "again")
    assert [r["text"] for r in tg.inbox(ANN)] == ["again"]


async def test_timeout_next_in_process(
    tg: FakeTelegram, make_local_bot: Callable[..., Bot]
) -> None:
    async with make_local_bot(tg, read_timeout=0.1) as bot:  # getMe runs here
        tg.timeout_next(1, delay=1.0)  # any method but getUpdates
        with pytest.raises(TimedOut):
            await bot.send_message(ANN, "hello?")
    assert tg.inbox(ANN) == []


async def test_lost_response_causes_duplicates(
    tg: FakeTelegram, make_local_bot: Callable[..., Bot]
) -> None:
    """``deliver=True``: applied, but the answer never arrives, so a naive retry doubles."""
    tg.timeout_next(1, delay=1.0, method="sendMessage", deliver=True)
    async with make_local_bot(tg, read_timeout=0.1) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(ANN, "Day 3")
        await bot.send_message(ANN, "Day 3")
        await bot.send_message(BOB, "Day 3")
    assert [r["text"] for r in tg.duplicates()] == ["Day 3"]
    assert tg.duplicates(BOB) == []


async def test_random_faults_are_seeded(tg: FakeTelegram) -> None:
    def outcomes() -> list[int]:
        return [status for status, _ in results]

    results = []
    tg.set_fault_rates(error_rate=0.3, seed=7)
    for i in range(50):
        results.append(await tg.call("sendMessage", {"chat_id": ANN, "text": f"m{i}"}))
    first = outcomes()
    assert 5 <= first.count(500) <= 25
    assert len(tg.inbox(ANN)) == first.count(200)

    results = []
    tg.set_fault_rates(error_rate=0.3, seed=7)
    for i in range(50):
        results.append(await tg.call("sendMessage", {"chat_id": BOB, "text": f"m{i}"}))
    assert outcomes() == first
    # getMe and getUpdates are not sending methods: never randomly failed.
    assert (await tg.call("getMe", {}))[0] == 200
