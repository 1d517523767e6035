"""Drains the outbox: sends due rows, records what Telegram said, retries what can be retried."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.storage import Database
from bot.storage.models import OutboxRow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
GONE_MARKERS = ("chat not found", "user is deactivated", "bot was blocked", "bot can't initiate")


def backoff(attempts: int, rng: random.Random) -> timedelta:
    """Exponential backoff with full jitter, capped at five minutes."""
    return timedelta(seconds=rng.uniform(0.5, 1.0) * min(300.0, 2.0**attempts))


class OutboxSender:
    """Sends pending outbox rows in priority order; one chat's rows stay in order.

    A row is marked sent only after Telegram confirmed it, so a crash between the two re-sends
    that one message on restart: the only duplicates possible are messages in flight at a crash.
    """

    def __init__(
        self,
        db: Database,
        bot: Bot,
        clock: Callable[[], datetime],
        on_gone: Callable[[int], Awaitable[None]],
        *,
        batch: int = 200,
        concurrency: int = 16,
        poll_seconds: float = 1.0,
        rng: random.Random | None = None,
    ) -> None:
        self.db, self.bot, self.clock, self.on_gone = db, bot, clock, on_gone
        self.batch, self.poll_seconds = batch, poll_seconds
        self._slots = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._rng = rng or random.Random()
        self.sent = 0

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        async with self.db.transaction() as repo:
            retried = await repo.retry_failed(self.clock())
        if retried:
            log.info("outbox: retrying %d rows that failed before the last stop", retried)
        self._task = asyncio.create_task(self._loop(), name="outbox-sender")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox: drain failed; retrying shortly")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)

    async def drain(self) -> int:
        """Send everything due now. Returns how many rows were sent."""
        total = 0
        while True:
            async with self.db.read() as repo:
                rows = await repo.pending(self.clock(), self.batch)
            if not rows:
                return total
            by_chat: dict[int, list[OutboxRow]] = defaultdict(list)
            for row in rows:
                by_chat[row.chat_id].append(row)
            results = await asyncio.gather(*(self._send_chat(r) for r in by_chat.values()))
            sent = sum(results)
            total += sent
            if sent == 0 and len(rows) < self.batch:
                return total

    async def _send_chat(self, rows: list[OutboxRow]) -> int:
        sent = 0
        async with self._slots:
            for row in rows:
                outcome = await self._send_one(row)
                if outcome == "sent":
                    sent += 1
                elif outcome in ("later", "gone"):
                    break  # keep this chat's order: the rest waits for the same moment
        return sent

    async def _send_one(self, row: OutboxRow) -> str:
        try:
            message = await self._call(row)
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            await self._reschedule(row, seconds, row.attempts, f"429 retry after {seconds}s")
            return "later"
        except Forbidden as exc:
            await self._gone(row, str(exc))
            return "gone"
        except BadRequest as exc:
            if any(marker in str(exc).lower() for marker in GONE_MARKERS):
                await self._gone(row, str(exc))
                return "gone"
            log.warning("outbox: dropping row %d (%s): %s", row.id, row.kind, exc)
            async with self.db.transaction() as repo:
                await repo.finish(row.id, "dropped", str(exc))
            return "dropped"
        except (NetworkError, TelegramError) as exc:  # timeouts and 5xx arrive as NetworkError
            attempts = row.attempts + 1
            if attempts >= MAX_ATTEMPTS:
                log.error("outbox: row %d failed %d times, parking it: %s", row.id, attempts, exc)
                async with self.db.transaction() as repo:
                    await repo.finish(row.id, "failed", str(exc))
                return "later"
            delay = backoff(attempts, self._rng).total_seconds()
            await self._reschedule(row, delay, attempts, str(exc))
            return "later"
        async with self.db.transaction() as repo:
            await repo.mark_sent(row.id, message.message_id if message else None, self.clock())
        self.sent += 1
        return "sent"

    async def _reschedule(self, row: OutboxRow, seconds: float, attempts: int, error: str) -> None:
        not_before = self.clock() + timedelta(seconds=seconds)
        async with self.db.transaction() as repo:
            await repo.reschedule(row.id, not_before, attempts, error)
        loop = asyncio.get_running_loop()
        loop.call_later(max(seconds, 0.05), self.wake)

    async def _gone(self, row: OutboxRow, error: str) -> None:
        log.info("outbox: chat %d is unreachable (%s); stopping sends to it", row.chat_id, error)
        async with self.db.transaction() as repo:
            await repo.drop_pending_for(row.chat_id, error)
        await self.on_gone(row.chat_id)

    async def _call(self, row: OutboxRow) -> Message | None:
        body: dict[str, Any] = json.loads(row.payload)
        markup = body.pop("reply_markup", None)
        if markup is not None:
            body["reply_markup"] = InlineKeyboardMarkup.de_json(markup, self.bot)
        preview = body.pop("link_preview_options", None)
        if preview is not None:
            body["link_preview_options"] = LinkPreviewOptions(**preview)
        if row.method == "sendMessage":
            return await self.bot.send_message(**body)
        if row.method == "sendPhoto":
            return await self.bot.send_photo(**body)
        if row.method == "sendVoice":
            return await self.bot.send_voice(**body)
        raise BadRequest(f"unsupported outbox method {row.method}")
