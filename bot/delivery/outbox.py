"""Writing to the durable outbox, inside the same transaction as the state change that causes it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot import keys
from bot.delivery.limiter import Priority
from bot.storage import Transaction
from bot.storage.models import MessageKind, to_ts
from bot.telegram_html import MAX_CAPTION, MAX_TEXT, fits, split_html


@dataclass(frozen=True, slots=True)
class Outgoing:
    key: str  # idempotency key: producing the same message twice is a no-op
    chat_id: int
    kind: MessageKind
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


def fitted(message: Outgoing) -> list[Outgoing]:
    """``message`` as outbox rows that each fit Telegram's limits, in order.

    A text too long for one message becomes several; a caption too long for its photo or voice
    note keeps what fits on the media and the rest follows as text. The first row keeps the key,
    the next are ``<key>#2``, ``<key>#3``, ... (the same message always yields the same keys),
    and ``reply_markup`` goes on the last row.
    """
    if not message.text:
        return [message]
    media = message.method != "sendMessage"
    parts = split_html(message.text, MAX_TEXT, first=MAX_CAPTION if media else None)
    if len(parts) == 1:
        return [message]
    rows = [replace(message, text=part, reply_markup=None) for part in parts]
    if media:
        caption = parts[0] if fits(parts[0], MAX_CAPTION) else None
        rest = rows[1:] if caption is not None else rows
        rows = [replace(message, text=caption, reply_markup=None)] + [
            replace(row, method="sendMessage", media=None) for row in rest
        ]
    rows[-1] = replace(rows[-1], reply_markup=message.reply_markup)
    return [
        row if n == 1 else replace(row, key=keys.part_key(row.key, n))
        for n, row in enumerate(rows, 1)
    ]


async def enqueue(tx: Transaction, message: Outgoing, now: datetime) -> bool:
    """Add ``message`` to the outbox (as several rows if it does not fit one message); False if
    its key was seen before."""
    added = [
        await tx.outbox.enqueue(
            key=row.key,
            chat_id=row.chat_id,
            kind=row.kind,
            method=row.method,
            payload=json.dumps(row.payload(), ensure_ascii=False),
            priority=int(row.priority),
            not_before=row.not_before or now,
            ref=row.ref,
            now=now,
        )
        for row in fitted(message)
    ]
    return added[0]


async def enqueue_many(tx: Transaction, messages: list[Outgoing], now: datetime) -> None:
    """``enqueue`` for a batch, in order, in one statement (keys seen before are skipped)."""
    stamp = to_ts(now)
    await tx.outbox.enqueue_many(
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
            for message in messages
            for m in fitted(message)
        ]
    )
