"""The real bot, polling over HTTP against the project's fake Bot API server."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.app import build_application, limiter_from, shutdown, startup
from bot.context import KEY, Couplet
from bot.logs import configure_logging
from fakebot import FakeBotApiServer, FakeTelegram
from tests.harness import FakeClock, make_settings, telegram


@dataclass
class RunningBot:
    tg: FakeTelegram
    server: FakeBotApiServer
    app: Application
    clock: FakeClock

    @property
    def couplet(self) -> Couplet:
        return self.app.bot_data[KEY]


@asynccontextmanager
async def running_bot(
    tmp_path: Any, tg: FakeTelegram | None = None, **settings: Any
) -> AsyncIterator[RunningBot]:
    """Start the whole bot as ``python -m bot`` would: polling, scheduler job, outbox sender."""
    clock = FakeClock()
    tg = tg or telegram(clock)
    async with FakeBotApiServer(tg) as server:
        config = make_settings(
            tmp_path,
            telegram_api_url=server.url,
            scheduler_interval_seconds=0.1,
            **settings,
        )
        configure_logging("DEBUG", secrets=[config.bot_token.get_secret_value()])
        application = build_application(
            config, clock=clock, rate_limiter=limiter_from(config, clock=clock.monotonic)
        )
        await application.initialize()
        await startup(application)
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES
        )
        await application.start()
        try:
            yield RunningBot(tg, server, application, clock)
        finally:
            await application.updater.stop()
            await application.stop()
            await shutdown(application)
            await application.shutdown()
    assert tg.counters["429"] == 0, "the bot sent faster than Telegram allows"


async def pair_and_start(bot: RunningBot, a: int, b: int) -> None:
    """``a`` invites ``b`` through the deep link, ``b`` accepts and presses *Start now*; both
    have day 1 when this returns."""
    bot.tg.send_command(a, "start")
    invite = await bot.tg.wait_for_text(a, "?start=")
    code = re.search(r"start=([\w-]+)", invite["text"]).group(1)  # type: ignore[union-attr]
    bot.tg.send_command(b, "start", code)
    offer = await bot.tg.wait_for_text(b, "invited you")
    bot.tg.press_button(b, offer, f"pair:accept:{code}")
    start = await bot.tg.wait_for_text(b, "are paired")
    bot.tg.press_button(b, start, "start_now")
    for user in (a, b):
        await bot.tg.wait_for_text(user, "Day 1 of 30")
