"""Retention: delivered outbox rows and old delivery bookkeeping go after ``RETENTION_DAYS``.

What stays: answers, revealed days and everything else a couple's history is made of, until
they erase it with ``/delete_my_data``; outbox rows still pending or parked as failed; each
partner's two latest delivery records of the round (today's and yesterday's answer window).
What goes: outbox rows that were sent or dropped (their body is already gone) and older
delivery records. The work is done in small batches, one short transaction each, so the bot's
other writes are never held up for long.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram.ext import Application, ContextTypes

from bot import context as ctx
from bot.storage import Database

log = logging.getLogger(__name__)
JOB_NAME = "couplet-retention"
EVERY_SECONDS = 3600.0
FIRST_AFTER_SECONDS = 60.0
BATCH = 2000
UPDATES_KEPT = timedelta(days=1)


@dataclass(frozen=True)
class Pruned:
    outbox: int = 0
    deliveries: int = 0
    updates: int = 0  # records of processed webhook updates


async def prune(db: Database, now: datetime, days: float, batch: int = BATCH) -> Pruned:
    """Delete what is older than ``days`` before ``now``; returns how many rows went."""
    before = int((now - timedelta(days=days)).timestamp())
    outbox = await _in_batches(
        db,
        batch,
        lambda r, c: r.old_outbox_rows(before, c, batch),
        lambda r, ids: r.prune_outbox(ids),
    )
    deliveries = await _in_batches(
        db,
        batch,
        lambda r, c: r.old_deliveries(before, c, batch),
        lambda r, ids: r.prune_deliveries(ids),
    )
    async with db.transaction() as tx:  # a day is far longer than Telegram redelivers for
        updates = await tx.updates.forget_updates(int((now - UPDATES_KEPT).timestamp()))
    return Pruned(outbox, deliveries, updates)


async def job(context: ContextTypes.DEFAULT_TYPE) -> None:
    app = ctx.get(context)
    pruned = await prune(app.db, app.now(), app.settings.retention_days)
    if pruned.outbox or pruned.deliveries:
        log.info(
            "retention: removed %d delivered outbox rows and %d old delivery records",
            pruned.outbox, pruned.deliveries,
        )  # fmt: skip


def schedule(application: Application) -> None:
    """Hourly, starting a minute after start-up."""
    if application.job_queue is None:
        raise RuntimeError(
            "retention needs PTB's job queue: install python-telegram-bot[job-queue]"
        )
    application.job_queue.run_repeating(
        job,
        interval=EVERY_SECONDS,
        first=FIRST_AFTER_SECONDS,
        name=JOB_NAME,
        job_kwargs={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
    )


async def _in_batches(
    db: Database,
    batch: int,
    find: Callable[[Any, tuple[int, int]], Awaitable[list[tuple[int, int]]]],
    delete: Callable[[Any, list[int]], Awaitable[int]],
) -> int:
    """Page through old rows by cursor, one small transaction a batch, yielding in between so
    the sender and handlers write meanwhile. ``find(retention, cursor)`` returns the next
    ``(key, row id)`` pairs; ``delete(retention, ids)`` removes them."""
    removed = 0
    cursor = (-1, -1)
    while True:
        async with db.transaction() as tx:
            found = await find(tx.retention, cursor)
            removed += await delete(tx.retention, [row_id for _, row_id in found])
        if len(found) < batch:
            return removed
        cursor = found[-1]
        await asyncio.sleep(0)
