"""Writing to the durable outbox, inside the same transaction as the state change that causes it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.delivery.limiter import Priority
from bot.storage import Repo
from bot.storage.models import to_ts


@dataclass(frozen=True, slots=True)
class Outgoing:
    key: str  # idempotency key: producing the same message twice is a no-op
    chat_id: int
    kind: str  # prompt | reminder | reveal | notice | recap | nudge
    text: str | None = None
    method: str = "sendMessage"
    media: str | None = None  # file_id for sendPhoto / sendVoice
    reply_markup: dict[str, Any] | None = None
    priority: Priority = Priority.SCHEDULED
    ref: str | None = None  # e.g. "c12:r1:d5": which couple and day the message belongs to
    not_before: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"chat_id": self.chat_id, "parse_mode": "HTML", **self.extra}
        if self.method == "sendMessage":
            body["text"] = self.text
            body["link_preview_options"] = {"is_disabled": True}
        else:
            body["caption"] = self.text
            body["photo" if self.method == "sendPhoto" else "voice"] = self.media
        if self.reply_markup:
            body["reply_markup"] = self.reply_markup
        return body


async def enqueue(repo: Repo, message: Outgoing, now: datetime) -> bool:
    return await repo.enqueue(
        key=message.key,
        chat_id=message.chat_id,
        kind=message.kind,
        method=message.method,
        payload=json.dumps(message.payload(), ensure_ascii=False),
        priority=int(message.priority),
        not_before=message.not_before or now,
        ref=message.ref,
        now=now,
    )


async def enqueue_many(repo: Repo, messages: list[Outgoing], now: datetime) -> None:
    """``enqueue`` for a batch, in order, in one statement (keys seen before are skipped)."""
    stamp = to_ts(now)
    await repo.enqueue_many(
        [
            (
                m.key,
                m.chat_id,
                m.kind,
                m.method,
                json.dumps(m.payload(), ensure_ascii=False),
                int(m.priority),
                to_ts(m.not_before) if m.not_before else stamp,
                m.ref,
                stamp,
            )
            for m in messages
        ]
    )


def day_ref(couple_id: int, round_: int, day: int) -> str:
    return f"c{couple_id}:r{round_}:d{day}"


def parse_day_ref(ref: str | None) -> tuple[int, int, int] | None:
    try:
        c, r, d = (ref or "").split(":")
        return int(c[1:]), int(r[1:]), int(d[1:])
    except ValueError:
        return None


def couple_ref(couple_id: int) -> str:
    return f"c{couple_id}:notice"
