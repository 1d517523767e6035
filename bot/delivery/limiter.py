"""``PriorityRateLimiter``: Telegram's send limits, with a user's own replies first.

Every sending call of the bot (handler replies included) passes through ``process_request``,
which waits for a *grant* and then makes the call. Grants come from a small synchronous
scheduler driven by ``loop.call_at`` (no background task):

- a global *lane* for ordinary sends and a second one for ``allow_paid_broadcast`` sends. Each
  lane paces evenly (GCRA) and also keeps a sliding window over its sends (see ``Lane``): a send
  counts from the moment it leaves until its answer is back, so a send that sat in the event
  loop, the network or Telegram's queue for a while can never make Telegram's own one-second
  window see one message too many;
- a pacer per chat (about one message per second, with a small burst). Every send into a chat
  waits for it, a handler's reply too: a reply that draws a 429 is a reply the user may never
  see, and a handler that sends several messages in a row must be paced like anything else;
- waiting requests are ordered by ``(priority, arrival)``, in the chat and in the lane: DIRECT
  (the default, a handler's reply) before PARTNER before SCHEDULED before COMPANION, so a
  broadcast in flight delays a command reply by at most one pacing interval, and a reply never
  waits behind the outbox traffic to its own chat.

Each request costs O(log n) heap operations. A 429 pauses what it concerns: the chat, if the
bot sent there within the last couple of intervals, otherwise the whole lane (a global flood).
The request then waits for the pause and is retried: a DIRECT one until ``direct_patience``
seconds have passed since it was made (the user is waiting), the others up to ``max_retries``
times (the outbox reschedules them after that).
Methods that do not send messages (``getUpdates``, ``answerCallbackQuery``, edits, ...) pass
straight through.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from enum import IntEnum
from typing import Any

from telegram.error import RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

# A chat's pace is kept a few per cent below the configured rate: sends into one chat go one
# after the other, and their arrival at Telegram jitters by some milliseconds.
SAFETY = 0.035
# A lane's window is this much longer than Telegram's second. The window already accounts for any
# delay on the way (see ``Lane``); the margin is for Telegram counting a little differently.
WINDOW_MARGIN = 0.01
# How late a lane's timer may fire without the lane losing that time (it may catch up).
LATENESS = 0.005
# How much sending time a lane makes up after the event loop was busy elsewhere (a tick, a
# garbage collection): at the paid rate a 20 ms stall is 20 sends, lost for good otherwise. The
# window still bounds every second, so catching up never exceeds Telegram's limit.
CATCH_UP = 0.02
UNTHROTTLED_SENDS = frozenset({"sendChatAction"})
GROUP_INTERVAL = 3.0  # groups: 20 messages per minute
# Telegram does not say which limit a 429 is about. If the bot sent to the same chat within
# this many seconds before the rejected send, the chat's own limit (about 1/s) is the likely one.
CHAT_FLOOD_WINDOW = 1.5


class ReplyGaveUp(TelegramError):
    """A reply to the user's own action could not go out within the limiter's patience."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"flood control held a reply for more than {seconds:.0f}s; gave up")


class Priority(IntEnum):
    """Lower goes first: a user's own action, then news from the partner, then the schedule."""

    DIRECT = 0
    PARTNER = 1
    SCHEDULED = 2
    COMPANION = 3  # what travels with a day's prompt: after every prompt of the wave


def is_throttled(endpoint: str) -> bool:
    """Only calls that put a message into a chat count against Telegram's send limits."""
    return endpoint.startswith(("send", "copyMessage", "forwardMessage")) and (
        endpoint not in UNTHROTTLED_SENDS
    )


@dataclass(slots=True)
class Pacer:
    """Generic cell rate algorithm: ``interval`` apart on average, up to ``burst`` at once.

    ``tolerance`` lets a send go that much before its theoretical time, so a timer that fires a
    little late does not cost the pacer that time; ``credit`` is how far behind ``now`` the
    pacer may have fallen and still make the time up with sends in quick succession.
    """

    interval: float
    burst: int = 1
    tolerance: float = 0.0
    credit: float = 0.0
    tat: float = 0.0  # theoretical arrival time of the next send

    def ready_at(self) -> float:
        return self.tat - (self.burst - 1) * self.interval - self.tolerance

    def take(self, now: float) -> None:
        self.tat = max(self.tat, now - self.credit) + self.interval

    def pause_until(self, when: float) -> None:
        self.tat = max(self.tat, when + (self.burst - 1) * self.interval + self.tolerance)

    def settle(self, answered: float) -> None:
        """A send's answer came back at ``answered``: it may have arrived as late as that, so
        the next one is paced from then (a send delayed on the way, then one that was not,
        would otherwise reach Telegram closer together than the pacer let them go)."""
        self.tat = max(self.tat, answered + self.interval)

    @classmethod
    def for_rate(cls, per_second: float, burst: int = 1) -> Pacer:
        return cls(interval=(1.0 + SAFETY) / per_second, burst=max(1, burst))


@dataclass(slots=True)
class Lane:
    """Telegram's global limit as a sliding window: at most ``capacity`` sends per ``span``.

    Telegram judges a send by when it arrives there, which is some time after the bot let it go
    (event loop, network, Telegram's own queue) and before the answer is back. So the lane counts
    each send from the moment it is granted until its answer is back (``open``), and afterwards
    by the time its answer came (``done``). A send is granted only while fewer than
    ``capacity`` sends are open or answered within the last ``span`` seconds: then every send
    Telegram saw in the second before this one arrives was answered before ``now - span``, so a
    window of ``span`` >= 1 s there never holds more than ``capacity``, however the delays vary.
    The pacer spreads the sends evenly on top, so a queue never leaves in one burst; a reply to a
    user's own action only needs room in the window, so a few replies at once go at once.
    """

    pacer: Pacer
    capacity: int
    span: float
    done: deque[float]
    open: int = 0
    paused_until: float = 0.0  # after a global 429: nothing goes before this

    @classmethod
    def for_rate(cls, per_second: float) -> Lane:
        capacity = max(1, int(per_second))
        span = capacity / per_second * (1.0 + WINDOW_MARGIN)
        tolerance = min(LATENESS, span / capacity)
        pacer = Pacer(interval=span / capacity, tolerance=tolerance, credit=CATCH_UP)
        return cls(pacer, capacity, span, deque(maxlen=capacity))

    def ready_at(self, paced: bool = True) -> float:
        """When the next send may go; ``inf`` until an open send is answered.

        ``paced=False`` (a reply to the user's own action): as soon as the window has room,
        without waiting for the pacer's next slot; it still takes that slot from the others.
        """
        allowed = self.capacity - self.open - 1  # answered sends that may still be in the window
        if allowed < 0:
            return float("inf")
        window = self.done[-allowed - 1] + self.span if len(self.done) > allowed else 0.0
        window = max(window, self.paused_until)
        return max(self.pacer.ready_at(), window) if paced else window

    def pause_until(self, when: float) -> None:
        self.paused_until = max(self.paused_until, when)
        self.pacer.pause_until(when)

    def take(self, now: float) -> None:
        self.pacer.take(now)
        self.open += 1

    def answered(self, now: float) -> None:
        self.open -= 1
        self.done.append(now)


@dataclass(slots=True)
class _Waiter:
    priority: int
    seq: int
    chat: int | str | None
    lane: int  # 0 = ordinary, 1 = paid broadcast
    future: asyncio.Future[None]


@dataclass(slots=True)
class _Chat:
    pacer: Pacer
    waiting: list[tuple[int, int, _Waiter]] = field(default_factory=list)
    last_sent: float = float("-inf")
    prev_sent: float = float("-inf")  # the send before, to judge whether a 429 is this chat's

    def top(self) -> _Waiter | None:
        while self.waiting and self.waiting[0][2].future.done():
            heapq.heappop(self.waiting)  # cancelled while waiting
        return self.waiting[0][2] if self.waiting else None


class PriorityRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """Paces sends to Telegram's limits; ``rate_limit_args={"priority": n}`` sets the priority."""

    def __init__(
        self,
        *,
        per_second: float = 30.0,
        paid_per_second: float = 1000.0,
        per_chat_per_second: float = 1.0,
        per_chat_burst: int = 1,
        max_retries: int = 5,
        direct_patience: float = 30.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.per_chat_per_second = per_chat_per_second
        self.per_chat_burst = per_chat_burst
        self.max_retries = max_retries
        self.direct_patience = direct_patience
        self._lanes = (Lane.for_rate(per_second), Lane.for_rate(paid_per_second))
        self._ready: tuple[list[tuple[int, int, _Waiter]], ...] = ([], [])
        self._timers: list[tuple[float, int, int | str]] = []
        self._chats: dict[int | str, _Chat] = {}
        self._prune_at = 1024
        self._seq = itertools.count()
        self._clock = clock
        self._handle: asyncio.TimerHandle | None = None
        self._wake_at = float("inf")
        self._waiting = 0
        self.granted = 0
        self.chat_floods = 0  # 429s that paused one chat
        self.global_floods = 0  # 429s that paused a whole lane

    async def initialize(self) -> None:
        """Nothing to set up: the scheduler runs on ``loop.call_at``."""

    async def shutdown(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def queued(self) -> int:
        """Requests waiting for a grant right now (for tests and metrics)."""
        return self._waiting

    # -- the PTB entry point -------------------------------------------------------------

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if not is_throttled(endpoint):
            return await callback(*args, **kwargs)
        priority = int((rate_limit_args or {}).get("priority", Priority.DIRECT))
        chat = _chat_key(data.get("chat_id"))
        lane = 1 if data.get("allow_paid_broadcast") else 0
        seq = next(self._seq)
        direct = priority == Priority.DIRECT
        give_up_at = self._now() + self.direct_patience
        for attempt in itertools.count():
            if direct:
                try:
                    async with asyncio.timeout(max(0.0, give_up_at - self._now())):
                        await self._acquire(priority, seq, chat, lane)
                except TimeoutError:
                    raise ReplyGaveUp(self.direct_patience) from None
            else:
                await self._acquire(priority, seq, chat, lane)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = retry_seconds(exc)
                self._flood(chat, lane, seconds)
                if direct:
                    if self._now() + seconds > give_up_at:
                        raise
                elif attempt >= self.max_retries:
                    raise
            finally:
                self._answered(lane, chat)
        raise RuntimeError("unreachable: the retry loop only ends by returning or raising")

    # -- scheduling ------------------------------------------------------------------------

    def _now(self) -> float:
        return self._clock() if self._clock else time.monotonic()

    async def _acquire(self, priority: int, seq: int, chat: int | str | None, lane: int) -> None:
        future = asyncio.get_running_loop().create_future()
        waiter = _Waiter(priority, seq, chat, lane, future)
        now = self._now()
        if chat is None:
            heapq.heappush(self._ready[lane], (priority, seq, waiter))
        else:
            state = self._chat(chat)
            heapq.heappush(state.waiting, (priority, seq, waiter))
            if state.pacer.ready_at() <= now:
                if state.top() is waiter:
                    heapq.heappush(self._ready[lane], (priority, seq, waiter))
            else:
                self._timer(state.pacer.ready_at(), chat)
        self._waiting += 1
        try:
            self._pump()
            await waiter.future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._answered(lane, chat)  # granted, then cancelled before it could go
            raise
        finally:
            self._waiting -= 1

    def _answered(self, lane: int, chat: int | str | None) -> None:
        """A granted send is over (answered, failed or never made): it moves to ``done``, and
        its chat's pacer counts it from now (see ``Pacer.settle``).

        That changes when the next send may go only if open sends had filled the window (its
        stamp takes the place the open send held); otherwise the armed timer stands.
        """
        now = self._now()
        chat_state = self._chats.get(chat) if chat is not None else None
        if chat_state is not None:
            chat_state.pacer.settle(now)
        state = self._lanes[lane]
        was_full = state.open >= state.capacity
        state.answered(now)
        if was_full and self._ready[lane]:
            self._pump()

    def _pump(self) -> None:
        """Grant everything that may go now, then arm one timer for the next moment."""
        now = self._now()
        timers = self._timers
        while timers and timers[0][0] <= now:
            _, _, chat = heapq.heappop(timers)
            self._publish(chat, now)
        wake = timers[0][0] if timers else float("inf")
        for lane, heap in enumerate(self._ready):
            state = self._lanes[lane]
            while heap:
                ready = state.ready_at(heap[0][0] > Priority.DIRECT)
                if ready > now:
                    wake = min(wake, ready)  # inf: an answer will pump again
                    break
                *_, waiter = heapq.heappop(heap)
                if self._grantable(waiter, now):
                    self._grant(waiter, state, now)
        if timers:  # a grant may have set a chat's next moment
            wake = min(wake, timers[0][0])
        self._arm(wake)

    def _grantable(self, waiter: _Waiter, now: float) -> bool:
        if waiter.future.done():
            return False
        if waiter.chat is None:
            return True
        state = self._chats[waiter.chat]
        return state.top() is waiter and state.pacer.ready_at() <= now

    def _grant(self, waiter: _Waiter, lane: Lane, now: float) -> None:
        lane.take(now)
        if waiter.chat is not None:
            state = self._chat(waiter.chat)
            heapq.heappop(state.waiting)
            state.pacer.take(now)
            state.prev_sent, state.last_sent = state.last_sent, now
            if state.top() is not None:
                self._timer(state.pacer.ready_at(), waiter.chat)
        self.granted += 1
        waiter.future.set_result(None)

    def _publish(self, chat: int | str, now: float) -> None:
        state = self._chats.get(chat)
        if state is None:
            return
        top = state.top()
        if top is None:
            return
        if state.pacer.ready_at() > now:
            self._timer(state.pacer.ready_at(), chat)
        else:
            heapq.heappush(self._ready[top.lane], (top.priority, top.seq, top))

    def _timer(self, when: float, chat: int | str) -> None:
        heapq.heappush(self._timers, (when, next(self._seq), chat))

    def _arm(self, wake: float) -> None:
        if wake == float("inf") or (self._handle is not None and wake >= self._wake_at):
            return
        if self._handle is not None:
            self._handle.cancel()
        loop = asyncio.get_running_loop()
        delay = max(0.0, wake - self._now())
        self._wake_at = wake
        self._handle = loop.call_later(delay, self._on_timer)

    def _on_timer(self) -> None:
        self._handle, self._wake_at = None, float("inf")
        self._pump()

    def _chat(self, chat: int | str) -> _Chat:
        state = self._chats.get(chat)
        if state is None:
            if len(self._chats) >= self._prune_at:
                self._prune()
            interval = GROUP_INTERVAL if _is_group(chat) else None
            pacer = (
                Pacer(interval)
                if interval
                else Pacer.for_rate(self.per_chat_per_second, self.per_chat_burst)
            )
            state = self._chats[chat] = _Chat(pacer)
        return state

    def _prune(self) -> None:
        """Forget idle chats (amortised O(1): runs when the table doubled)."""
        now = self._now()
        idle = [k for k, c in self._chats.items() if not c.waiting and c.pacer.tat <= now]
        for key in idle:
            del self._chats[key]
        self._prune_at = max(1024, 2 * len(self._chats))

    def _flood(self, chat: int | str | None, lane: int, seconds: float) -> None:
        """A 429: pause the chat if we just sent there, else the whole lane (global flood)."""
        now = self._now()
        until = now + seconds
        state = self._chats.get(chat) if chat is not None else None
        if state is not None:
            state.last_sent = state.prev_sent  # Telegram did not count the rejected send
        window = max(CHAT_FLOOD_WINDOW, 2 * state.pacer.interval) if state is not None else 0.0
        recent = state is not None and now - state.last_sent < window
        if state is not None and recent:
            state.pacer.pause_until(until)
            self.chat_floods += 1
            log.info("429 for chat %s: pausing that chat %.1fs", chat, seconds)
        else:
            self._lanes[lane].pause_until(until)
            self.global_floods += 1
            log.warning("429 (flood): pausing %s sends %.1fs", ("all", "paid")[lane], seconds)
        if state is not None:
            self._timer(state.pacer.ready_at(), chat)  # type: ignore[arg-type]


def _chat_key(chat_id: Any) -> int | str | None:
    if chat_id is None:
        return None
    try:
        return int(chat_id)
    except (TypeError, ValueError):
        return str(chat_id)


def _is_group(chat: int | str) -> bool:
    return isinstance(chat, str) or chat < 0


def retry_seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds, without PTB's int-vs-timedelta deprecation warning."""
    value = getattr(exc, "_retry_after", None)
    if isinstance(value, timedelta):
        return value.total_seconds()
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
