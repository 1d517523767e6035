"""Test doubles: a clock you move by hand, and the bot wired to the in-process fake Bot API."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.app import build_application, limiter_from, shutdown, startup
from bot.config import Settings
from bot.context import KEY, Couplet
from fakebot import FakeTelegram, InProcessRequest
from scheduler.due import TickResult, run_due

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning, 09:00 UTC


USER_PAUSE = 1.0  # a person takes at least a second between two messages


@dataclass
class FakeClock:
    """The bot's wall clock, moved by hand; ``monotonic`` is the clock of Telegram's limits.

    Both the fake's flood control and the bot's limiter run on ``monotonic``: real time plus
    every jump the test made. So a burst within one moment of the test meets Telegram's limits
    as it would in production, and hours skipped by the test refill every budget as real hours
    would.
    """

    now: datetime = START
    skipped: float = 0.0

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return time.monotonic() + self.skipped

    def advance(self, **delta: float) -> datetime:
        self.set(self.now + timedelta(**delta))
        return self.now

    def pause(self, seconds: float = USER_PAUSE) -> None:
        """Let ``seconds`` pass for the limits only: the moment a person takes to type or tap."""
        self.skipped += seconds

    def set(self, instant: datetime) -> None:
        self.skipped += max(0.0, (instant - self.now).total_seconds())
        self.now = instant


# Telegram's limits, as the fake enforces them for the whole suite: 30 messages per second in
# total, about one per second into a private chat with bursts of three.
TELEGRAM_LIMITS: dict[str, Any] = {
    "global_per_second": 30,
    "per_chat_per_second": 1,
    "per_chat_burst": 3,
}


def telegram(clock: FakeClock) -> FakeTelegram:
    """A fake Bot API that answers 429 wherever Telegram would."""
    tg = FakeTelegram(clock=clock.monotonic)
    tg.set_limits(**TELEGRAM_LIMITS)
    return tg


def make_settings(tmp_path: Any, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": "123456:TEST-TOKEN-never-log-me",
        "telegram_api_url": "http://127.0.0.1:9",
        "database_url": f"sqlite:///{tmp_path}/couplet.db",
        "default_timezone": "UTC",
        "default_delivery_time": "20:00",
        "reminder_after_hours": 4,
        "answer_grace_hours": 12,
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Harness:
    """The real Application, fed updates one by one, sending into a FakeTelegram in-process."""

    tg: FakeTelegram
    app: Application
    clock: FakeClock
    offset: int = 0
    processed: list[Update] = field(default_factory=list)

    @property
    def couplet(self) -> Couplet:
        return self.app.bot_data[KEY]

    async def pump(self) -> int:
        """Process every update the fake holds, in order, like polling would."""
        count = 0
        while True:
            status, body = await self.tg.call("getUpdates", {"offset": self.offset, "timeout": 0})
            assert status == 200, body
            updates = body["result"]
            if not updates:
                return count
            for raw in updates:
                self.offset = raw["update_id"] + 1
                update = Update.de_json(raw, self.app.bot)
                await self.app.process_update(update)
                self.processed.append(update)
                count += 1
            await self.flush()

    async def flush(self) -> int:
        """Send whatever the outbox holds that is due now."""
        assert self.couplet.sender is not None
        return await self.couplet.sender.drain()

    async def tick(self) -> TickResult:
        result = await run_due(self.couplet, self.clock)
        await self.flush()
        return result

    async def say(self, user_id: int, text: str, **kw: Any) -> dict[str, Any]:
        self.clock.pause()
        sent = self.tg.send_text(user_id, text, **kw)
        await self.pump()
        return sent

    async def press(self, user_id: int, message: dict[str, Any], data: str) -> None:
        self.clock.pause()
        self.tg.press_button(user_id, message, data)
        await self.pump()

    def texts(self, chat_id: int) -> list[str]:
        return [m.get("text") or m.get("caption") or "" for m in self.tg.inbox(chat_id)]

    def last_text(self, chat_id: int) -> str:
        inbox = self.texts(chat_id)
        return inbox[-1] if inbox else ""

    async def walk_to(self, instant: datetime, step_hours: float = 1) -> None:
        """Move the clock forward in steps, running the scheduler at each, as the job would."""
        while self.clock.now < instant:
            self.clock.advance(
                hours=min(step_hours, (instant - self.clock.now).total_seconds() / 3600)
            )
            await self.tick()


async def start_harness(
    tmp_path: Any,
    *,
    tg: FakeTelegram | None = None,
    clock: FakeClock | None = None,
    **overrides: Any,
) -> Harness:
    """Start the bot on the database in ``tmp_path``; pass ``tg``/``clock`` again to simulate a restart."""
    clock = clock or FakeClock()
    tg = tg or telegram(clock)
    settings = make_settings(tmp_path, **overrides)
    application = build_application(
        settings,
        clock=clock,
        rate_limiter=limiter_from(settings, clock=clock.monotonic),
        request=InProcessRequest(tg),
        run_scheduler=False,
    )
    await application.initialize()
    await startup(application, start_sender=False)
    return Harness(tg, application, clock)


async def stop_harness(h: Harness, *, floods_expected: bool = False) -> None:
    """Stop the bot; unless the test provoked them, the fake must not have answered any 429."""
    await shutdown(h.app)
    await h.app.shutdown()
    if not floods_expected:
        assert h.tg.counters["429"] == 0, "the bot sent faster than Telegram allows"
