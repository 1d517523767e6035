"""A delivery rig: the real sender and rate limiter, sending into the in-process fake."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram.ext import ExtBot

from bot.delivery.limiter import PriorityRateLimiter
from bot.delivery.outbox import Outgoing, Priority, enqueue
from bot.delivery.sender import OutboxSender
from bot.storage import Database
from fakebot import FakeTelegram, InProcessRequest
from tests.harness import FakeClock

TOKEN = "123456:TEST-TOKEN"


@dataclass
class Rig:
    tg: FakeTelegram
    db: Database
    bot: ExtBot
    limiter: PriorityRateLimiter
    sender: OutboxSender
    clock: FakeClock
    gone: list[int] = field(default_factory=list)

    async def add(self, chat_id: int, text: str, **kw: Any) -> None:
        key = kw.pop("key", f"{chat_id}:{text}")
        message = Outgoing(key=key, chat_id=chat_id, kind=kw.pop("kind", "prompt"), text=text, **kw)
        async with self.db.transaction() as tx:
            await enqueue(tx, message, self.clock())

    async def broadcast(self, chats: list[int], per_chat: int = 1, **kw: Any) -> None:
        async with self.db.transaction() as tx:
            for n in range(per_chat):
                for chat in chats:
                    message = Outgoing(
                        key=f"{chat}:{n}", chat_id=chat, kind="prompt", text=f"msg {n}", **kw
                    )
                    await enqueue(tx, message, self.clock())

    async def counts(self) -> dict[str, int]:
        async with self.db.read() as tx:
            return await tx.outbox.outbox_counts()

    def texts(self, chat_id: int) -> list[str]:
        return [m["text"] or "" for m in self.tg.inbox(chat_id)]


class DelayedRequest(InProcessRequest):
    """The n-th request reaches the fake ``delay(n)`` seconds after it left, as if it had sat
    in a busy event loop or on a slow network on the way."""

    def __init__(self, telegram: FakeTelegram, delay: Callable[[int], float], **kw: Any) -> None:
        super().__init__(telegram, **kw)
        self.delay = delay
        self.count = itertools.count()

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        await asyncio.sleep(self.delay(next(self.count)))
        return await super().do_request(*args, **kwargs)


@asynccontextmanager
async def rig(
    tmp_path: Path,
    *,
    users: int = 0,
    read_timeout: float = 0.2,
    delay: Callable[[int], float] | None = None,
    paid_broadcast: bool = False,
    **limits: Any,
) -> AsyncIterator[Rig]:
    """``limits`` go to ``PriorityRateLimiter`` (per_second, per_chat_per_second, ...);
    ``delay(n)``: how late the n-th request reaches the fake (see ``DelayedRequest``)."""
    tg = FakeTelegram()
    for uid in range(1, users + 1):
        tg.add_user(uid, f"U{uid}")
    db = Database(f"sqlite:///{tmp_path}/delivery.db")
    await db.open()
    limiter = PriorityRateLimiter(**{"per_chat_per_second": 100.0, **limits})
    bot = ExtBot(
        TOKEN,
        base_url="http://fake/bot",
        request=DelayedRequest(tg, delay, read_timeout=read_timeout)
        if delay
        else InProcessRequest(tg, read_timeout=read_timeout),
        rate_limiter=limiter,
    )
    await bot.initialize()
    clock = FakeClock()
    gone: list[int] = []

    async def on_gone(chat_id: int) -> None:
        gone.append(chat_id)

    sender = OutboxSender(db, bot, clock, on_gone, concurrency=32, paid_broadcast=paid_broadcast)
    try:
        yield Rig(tg, db, bot, limiter, sender, clock, gone)
    finally:
        await sender.stop()
        await bot.shutdown()
        await db.close()


__all__ = ["Priority", "Rig", "rig"]
