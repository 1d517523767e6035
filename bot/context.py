"""What every handler and job needs, kept in ``application.bot_data`` under one key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo
from typing import TYPE_CHECKING

from telegram.ext import ContextTypes

from bot import i18n, texts
from bot.config import Settings
from bot.core.schedule import next_delivery
from bot.core.timeparse import parse_time, zone
from bot.storage import Database
from bot.storage.models import User
from prompts.loader import Library

if TYPE_CHECKING:
    from bot.delivery.sender import OutboxSender

KEY = "couplet"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Couplet:
    settings: Settings
    db: Database
    library: Library
    clock: Callable[[], datetime] = utc_now
    sender: OutboxSender | None = None

    def now(self) -> datetime:
        return self.clock()


def get(context: ContextTypes.DEFAULT_TYPE) -> Couplet:
    return context.application.bot_data[KEY]


def user_time(user: User) -> time:
    return parse_time(user.delivery_time) or time(20, 0)


def user_zone(user: User) -> tzinfo:
    return zone(user.timezone)


def next_slot(user: User, now: datetime) -> datetime:
    return next_delivery(now, user_time(user), user_zone(user), last_delivered=user.last_slot_at)


def local(user: User, instant: datetime | None) -> str:
    """An instant in the partner's zone and the reader's language: 'Tue, Nov 24, 20:00'."""
    if instant is None:
        return str(texts.NOT_SCHEDULED)
    return i18n.format_instant(instant, user_zone(user))
