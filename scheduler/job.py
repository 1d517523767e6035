"""Registers the scheduler tick with PTB's JobQueue (APScheduler underneath)."""

from __future__ import annotations

import logging

from telegram.ext import Application, ContextTypes

from bot import context as ctx
from scheduler.due import run_due

log = logging.getLogger(__name__)
JOB_NAME = "couplet-tick"


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    app = ctx.get(context)
    result = await run_due(app, app.now)
    if result.total:
        log.info(
            "tick: %d prompts, %d reminders, %d finished",
            result.prompts, result.reminders, result.finished,
        )  # fmt: skip


def schedule(application: Application, interval: float) -> None:
    """One short repeating job for everyone.

    ``coalesce`` folds runs missed while the loop was busy (or the machine asleep) into one, and
    ``misfire_grace_time=None`` runs that one however late it is: APScheduler's default grace of
    one second would otherwise skip a run silently. ``max_instances=1`` keeps ticks from
    overlapping; the tick itself catches up on everything due, so nothing is lost either way.
    """
    if application.job_queue is None:
        raise RuntimeError(
            "the scheduler needs PTB's job queue: install python-telegram-bot[job-queue]"
        )
    application.job_queue.run_repeating(
        tick,
        interval=interval,
        first=1,
        name=JOB_NAME,
        job_kwargs={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
    )


def run_now(application: Application) -> None:
    """Run a tick right away (after 'start now'), outside the regular rhythm."""
    if application.job_queue is not None:
        application.job_queue.run_once(tick, when=0, name=f"{JOB_NAME}-now")
