"""Drains the outbox: sends due rows, records what Telegram said, retries what can be retried."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter

from bot.delivery.limiter import Priority, PriorityRateLimiter, retry_seconds
from bot.delivery.transport import JsonBody, with_field
from bot.storage import Database
from bot.storage.models import OutboxRow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
URGENT_BATCH = 64  # rows read when woken mid-broadcast (see ``_refill``)
OUTBOX_METHODS = frozenset({"sendMessage", "sendPhoto", "sendVoice"})
GONE_MARKERS = ("chat not found", "user is deactivated", "bot was blocked", "bot can't initiate")


def backoff(attempts: int, rng: random.Random) -> timedelta:
    """Exponential backoff with full jitter, capped at five minutes."""
    return timedelta(seconds=rng.uniform(0.5, 1.0) * min(300.0, 2.0**attempts))


class PriorityGate:
    """A semaphore that lets waiters in by (priority, arrival) instead of arrival alone.

    The sender keeps a broadcast's worth of chats waiting here; a reveal fetched in the middle of
    it must not queue behind them.
    """

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    async def acquire(self, priority: int) -> None:
        if self._free > 0:  # then nobody is waiting: a release hands its slot on first
            self._free -= 1
            return
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._seq), future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # handed a slot, then cancelled: pass it on
            raise

    def release(self) -> None:
        while self._waiting:
            *_, future = heapq.heappop(self._waiting)
            if not future.done():
                future.set_result(None)
                return
        self._free += 1


class OutboxSender:
    """Sends pending outbox rows in priority order; one chat's rows stay in order.

    A pipeline: due rows are fetched in batches, each chat's rows go out in order on one task,
    and up to ``concurrency`` requests wait in the rate limiter at once (which does the pacing
    and puts handler replies first); the other chats wait for a place by priority, and ``wake``
    fetches new rows at once, so a reveal does not queue behind a broadcast. Rows whose send
    Telegram confirmed are marked sent in one transaction every ``flush_seconds``; until then
    they count as in flight and are not fetched again. So a crash can re-send only messages in
    flight: requested but not yet recorded.
    """

    def __init__(
        self,
        db: Database,
        bot: Bot,
        clock: Callable[[], datetime],
        on_gone: Callable[[int], Awaitable[None]],
        *,
        batch: int = 500,
        concurrency: int = 64,
        poll_seconds: float = 1.0,
        flush_seconds: float = 0.05,
        paid_broadcast: bool = False,
        rng: random.Random | None = None,
    ) -> None:
        self.db, self.bot, self.clock, self.on_gone = db, bot, clock, on_gone
        self.batch, self.poll_seconds, self.flush_seconds = batch, poll_seconds, flush_seconds
        self.paid_broadcast = paid_broadcast
        self._slots = PriorityGate(concurrency)
        self._fresh = False  # woken: rows of a higher priority may be waiting in the table
        self._wake = asyncio.Event()
        self._room = asyncio.Event()  # chat tasks fell below half a batch: fetch more
        self._task: asyncio.Task[None] | None = None
        self._rng = rng or random.Random()
        self._inflight: dict[int, int] = {}  # row id -> priority: fetched, not yet settled
        self._busy_chats: set[int] = set()
        self._chat_tasks: set[asyncio.Task[None]] = set()
        self._confirmed: list[tuple[int, int | None]] = []  # (row id, message id) to mark sent
        self._stopping = False
        self._prioritised = isinstance(getattr(bot, "rate_limiter", None), PriorityRateLimiter)
        self.sent = 0

    def wake(self) -> None:
        """New rows are in the table: fetch them now, even in the middle of a broadcast."""
        self._fresh = True
        self._wake.set()
        self._room.set()

    async def start(self) -> None:
        async with self.db.transaction() as tx:
            retried = await tx.outbox.retry_failed(self.clock())
        if retried:
            log.info("outbox: retrying %d rows that failed before the last stop", retried)
        self._task = asyncio.create_task(self._loop(), name="outbox-sender")

    async def stop(self) -> None:
        """Stop between database writes: cancel the sends, then let the loop finish its step."""
        self._stopping = True
        for task in list(self._chat_tasks):
            task.cancel()
        if self._chat_tasks:
            await asyncio.gather(*self._chat_tasks, return_exceptions=True)
        if self._task:
            self._wake.set()
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._task, timeout=5)
            self._task = None
        with contextlib.suppress(Exception):
            await self._record()  # what Telegram confirmed before the stop
        with contextlib.suppress(Exception):
            await self.db.resign()
        self._stopping = False

    async def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                if await self.db.lead():  # several instances: only the elected one sends
                    await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox: drain failed; retrying shortly")
            if not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)

    async def drain(self) -> int:
        """Send everything due now; return when nothing due is left. Returns how many were sent."""
        before = self.sent
        while True:
            await self._record()
            held_back = False
            if not self._chat_tasks and not await self.db.lead():
                return self.sent - before  # another instance sends now
            if not self._stopping and len(self._chat_tasks) < self.batch // 2:
                self._fresh = False
                held_back = await self._refill()
            elif not self._stopping and self._fresh:  # woken mid-broadcast: only what is urgent
                self._fresh = False
                await self._refill(urgent=True)
            if not self._chat_tasks and not held_back:
                await self._record()
                return self.sent - before
            self._room.clear()
            with contextlib.suppress(TimeoutError):  # until the next flush, or room for more
                await asyncio.wait_for(self._room.wait(), self.flush_seconds)

    async def _refill(self, *, urgent: bool = False) -> bool:
        """Fetch due rows the sender does not hold yet and start their chats' tasks.

        ``urgent``: only rows ahead of the scheduled ones (reveals, notices). They sort first,
        so the few held already plus a small batch are all that need reading. Returns whether
        due companion rows were held back for prompts still going out.
        """
        if urgent:
            held = sum(1 for p in self._inflight.values() if p < Priority.SCHEDULED)
            limit = held + URGENT_BATCH
        else:
            limit = self.batch + len(self._inflight)
        async with self.db.read() as tx:
            rows = await tx.outbox.pending(self.clock(), limit)
        if urgent:
            rows = [r for r in rows if r.priority < Priority.SCHEDULED]
        held_back = False
        if rows and rows[0].priority < Priority.COMPANION <= rows[-1].priority:
            # What travels with the prompts waits until every prompt due (held here or still in
            # the table) has gone: a wave reaches everyone's prompt first. A prompt Telegram
            # confirmed has gone, even before it is recorded.
            sent = {row_id for row_id, _ in self._confirmed}
            if any(r.priority < Priority.COMPANION and r.id not in sent for r in rows):
                rows = [r for r in rows if r.priority < Priority.COMPANION]
                held_back = True
        by_chat = self._by_chat(rows)
        for chat_id, chat_rows in by_chat.items():
            self._busy_chats.add(chat_id)
            self._inflight.update((r.id, r.priority) for r in chat_rows)
            task = asyncio.create_task(self._send_chat(chat_id, chat_rows))
            self._chat_tasks.add(task)
            task.add_done_callback(self._chat_done)
        return held_back

    def _by_chat(self, rows: Iterable[OutboxRow]) -> dict[int, list[OutboxRow]]:
        """Rows the sender does not hold yet, by chat, in order; chats being served wait."""
        by_chat: dict[int, list[OutboxRow]] = defaultdict(list)
        for row in rows:
            if row.id not in self._inflight and row.chat_id not in self._busy_chats:
                by_chat[row.chat_id].append(row)
        return by_chat

    def _chat_done(self, task: asyncio.Task[None]) -> None:
        self._chat_tasks.discard(task)
        if len(self._chat_tasks) < self.batch // 2:
            self._room.set()

    async def _record(self) -> None:
        """Mark confirmed rows sent: one transaction for the whole batch."""
        if not self._confirmed:
            return
        done, self._confirmed = self._confirmed, []
        try:
            async with self.db.transaction() as tx:
                await tx.outbox.mark_sent_many(done, self.clock())
        except BaseException:
            self._confirmed[:0] = done  # try again with the next batch
            raise
        for row_id, _ in done:
            self._inflight.pop(row_id, None)

    async def _send_chat(self, chat_id: int, rows: list[OutboxRow]) -> None:
        pending = list(rows)
        try:
            while pending:
                row = pending.pop(0)
                await self._slots.acquire(row.priority)
                try:
                    outcome = await self._attempt(row, pending)
                finally:
                    self._slots.release()
                if outcome != "sent":
                    self._inflight.pop(row.id, None)  # settled in the database already
                if outcome in ("later", "gone"):
                    break  # keep this chat's order: the rest waits for the same moment
        finally:
            for r in pending:
                self._inflight.pop(r.id, None)
            self._busy_chats.discard(chat_id)

    async def _attempt(self, row: OutboxRow, behind: list[OutboxRow]) -> str:
        try:
            return await self._send_one(row, behind)
        except Exception as exc:  # a bug, not Telegram: park the row instead of spinning on it
            log.exception("outbox: row %d could not be sent", row.id)
            await self._reschedule(row, 30.0, row.attempts + 1, repr(exc), behind)
            return "later"

    async def _send_one(self, row: OutboxRow, behind: list[OutboxRow]) -> str:
        try:
            message_id = await self._call(row)
        except RetryAfter as exc:  # the limiter retried already; try again later
            seconds = retry_seconds(exc)
            await self._reschedule(row, seconds, row.attempts, f"429 retry {seconds}s", behind)
            return "later"
        except Forbidden as exc:
            await self._gone(row, str(exc))
            return "gone"
        except BadRequest as exc:
            if any(marker in str(exc).lower() for marker in GONE_MARKERS):
                await self._gone(row, str(exc))
                return "gone"
            log.warning("outbox: dropping row %d (%s): %s", row.id, row.kind, exc)
            async with self.db.transaction() as tx:
                await tx.outbox.finish(row.id, "dropped", str(exc))
            return "dropped"
        except (NetworkError, TelegramError) as exc:  # timeouts and 5xx arrive as NetworkError
            attempts = row.attempts + 1
            if attempts >= MAX_ATTEMPTS:
                log.error("outbox: row %d failed %d times, parking it: %s", row.id, attempts, exc)
                async with self.db.transaction() as tx:
                    await tx.outbox.finish(row.id, "failed", str(exc))
                return "later"
            delay = backoff(attempts, self._rng).total_seconds()
            await self._reschedule(row, delay, attempts, str(exc), behind)
            return "later"
        self._confirmed.append((row.id, message_id))
        self.sent += 1
        return "sent"

    async def _reschedule(
        self, row: OutboxRow, seconds: float, attempts: int, error: str, behind: list[OutboxRow]
    ) -> None:
        """Try ``row`` again later; the chat's rows queued behind it wait with it (order)."""
        not_before = self.clock() + timedelta(seconds=seconds)
        async with self.db.transaction() as tx:
            await tx.outbox.reschedule(row.id, not_before, attempts, error)
            await tx.outbox.defer([r.id for r in behind], not_before)
        loop = asyncio.get_running_loop()
        loop.call_later(max(seconds, 0.05), self.wake)

    async def _gone(self, row: OutboxRow, error: str) -> None:
        log.info("outbox: chat %d is unreachable (%s); stopping sends to it", row.chat_id, error)
        async with self.db.transaction() as tx:
            await tx.outbox.drop_pending_for(row.chat_id, error)
        await self.on_gone(row.chat_id)

    async def _call(self, row: OutboxRow) -> int | None:
        """Post the row's stored request body as it is, through the bot's rate limiter.

        The outbox already holds the Bot API request as JSON (``Outgoing.payload``), so this
        skips PTB's object round trip: no keyboard objects built from JSON and serialised back,
        no ``Message`` parsed from the answer, which was about half the CPU of a send. Errors
        are PTB's own (``BaseRequest.post`` maps the answer to ``RetryAfter``, ``Forbidden``,
        ...). Handler replies keep using the bot's methods; both paths share the one limiter.
        """
        if row.method not in OUTBOX_METHODS:
            raise BadRequest(f"unsupported outbox method {row.method}")
        text = row.payload
        if self.paid_broadcast:  # every row: what comes with a broadcast must keep its pace
            text = with_field(text, "allow_paid_broadcast", True)
        url = f"{self.bot.base_url}/{row.method}"
        limiter: BaseRateLimiter | None = getattr(self.bot, "rate_limiter", None)
        if limiter is None:
            result = await self._post(url, text)
        else:
            result = await limiter.process_request(
                callback=self._post,
                args=(url, text),
                kwargs={},
                endpoint=row.method,
                data={"chat_id": row.chat_id, "allow_paid_broadcast": self.paid_broadcast},
                rate_limit_args={"priority": row.priority} if self._prioritised else None,
            )
        return result.get("message_id") if isinstance(result, dict) else None

    async def _post(self, url: str, text: str) -> Any:
        return await self.bot.request.post(url, JsonBody(text))
