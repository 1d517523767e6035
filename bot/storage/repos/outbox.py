"""The durable outbox: messages committed with the state change that causes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.keys import ref_couple
from bot.storage.models import MessageKind, OutboxRow, OutboxStatus, from_ts, to_ts
from bot.storage.sql import Row, Sql

PENDING, SENT, FAILED, DROPPED = (s.value for s in OutboxStatus)
_COLUMNS = (
    ("key", "text"), ("chat_id", "bigint"), ("kind", "text"), ("method", "text"),
    ("payload", "text"), ("priority", "integer"), ("not_before", "bigint"), ("ref", "text"),
    ("created_at", "bigint"), ("couple_id", "bigint"),
)  # fmt: skip
_INSERT = (
    "INSERT INTO outbox (key, chat_id, kind, method, payload, priority, not_before, ref,"
    " created_at, couple_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)


class Outbox:
    def __init__(self, sql: Sql, enqueued: list[str]) -> None:
        self.sql = sql
        self.enqueued = enqueued  # the transaction's record: the sender is woken after commit

    async def enqueue(
        self,
        *,
        key: str,
        chat_id: int,
        kind: MessageKind | str,
        method: str,
        payload: str,
        priority: int,
        not_before: datetime,
        ref: str | None,
        now: datetime,
    ) -> bool:
        """Add a message to the outbox; a key seen before is a no-op (returns False)."""
        added = await self.sql.run(
            _INSERT,
            (key, chat_id, str(kind), method, payload, priority, to_ts(not_before), ref,
             to_ts(now), ref_couple(ref)),
        )  # fmt: skip
        if added:
            self.enqueued.append(key)
        return added == 1

    async def enqueue_many(self, rows: list[tuple[Any, ...]]) -> None:
        """Many ``enqueue`` rows at once: ``(key, chat, kind, method, payload, priority,
        not_before, ref, created_at)``, timestamps as stored; keys seen before are skipped."""
        await self.sql.insert_many(
            "outbox", _COLUMNS, [(*r[:2], str(r[2]), *r[3:], ref_couple(r[7])) for r in rows]
        )
        self.enqueued.extend(r[0] for r in rows)

    async def pending(self, now: datetime, limit: int) -> list[OutboxRow]:
        rows = await self.sql.all(
            "SELECT id, key, chat_id, kind, method, payload, priority, not_before, attempts, ref"
            " FROM outbox WHERE status = ? AND not_before <= ?"
            " ORDER BY priority, not_before, id LIMIT ?",
            (PENDING, to_ts(now), limit),
        )
        return [outbox_row(r) for r in rows]

    async def mark_sent(self, row_id: int, message_id: int | None, now: datetime) -> None:
        await self.mark_sent_many([(row_id, message_id)], now)

    async def mark_sent_many(self, sent: list[tuple[int, int | None]], now: datetime) -> None:
        """Record a batch of ``(row id, message id)`` as sent: one statement, one commit."""
        # The payload may hold a partner's answer: once delivered it has no reason to stay.
        await self.sql.update_many(
            "UPDATE outbox SET status = :status, message_id = :mid, sent_at = :at, payload = ''"
            " WHERE id = :row_id",
            (("status", "text"), ("mid", "bigint"), ("at", "bigint"), ("row_id", "bigint")),
            [(SENT, message_id, to_ts(now), row_id) for row_id, message_id in sent],
        )

    async def has_pending(self, kind: MessageKind, now: datetime) -> bool:
        """Is a row of this kind due and still waiting to be sent?"""
        row = await self.sql.one(
            "SELECT 1 FROM outbox WHERE status = ? AND kind = ? AND not_before <= ? LIMIT 1",
            (PENDING, str(kind), to_ts(now)),
        )
        return row is not None

    async def reschedule(
        self, row_id: int, not_before: datetime, attempts: int, error: str
    ) -> None:
        await self.sql.run(
            "UPDATE outbox SET not_before = ?, attempts = ?, last_error = ? WHERE id = ?",
            (to_ts(not_before), attempts, error[:500], row_id),
        )

    async def defer(self, row_ids: list[int], not_before: datetime) -> None:
        """Hold pending rows until at least ``not_before`` (a chat's queue behind a retry)."""
        later = self.sql.greatest("not_before", "?")
        await self.sql.many(
            f"UPDATE outbox SET not_before = {later} WHERE id = ? AND status = ?",
            [(to_ts(not_before), row_id, PENDING) for row_id in row_ids],
        )

    async def finish(self, row_id: int, status: OutboxStatus, error: str) -> None:
        clear = ", payload = ''" if status == OutboxStatus.DROPPED else ""
        await self.sql.run(
            f"UPDATE outbox SET status = ?, last_error = ?{clear} WHERE id = ?",
            (str(status), error[:500], row_id),
        )

    async def drop_pending_for(self, chat_id: int, error: str) -> int:
        return await self.sql.run(
            "UPDATE outbox SET status = ?, last_error = ?, payload = ''"
            " WHERE chat_id = ? AND status = ?",
            (DROPPED, error[:500], chat_id, PENDING),
        )

    async def retry_failed(self, now: datetime) -> int:
        return await self.sql.run(
            "UPDATE outbox SET status = ?, attempts = 0, not_before = ? WHERE status = ?",
            (PENDING, to_ts(now), FAILED),
        )

    async def sent_ref(self, chat_id: int, message_id: int) -> str | None:
        row = await self.sql.one(
            "SELECT ref FROM outbox WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
        )
        return row["ref"] if row else None

    async def withdraw(self, key: str, reason: str) -> bool:
        """Take back a message that has not gone out yet; False if it went (or never existed)."""
        changed = await self.sql.run(
            "UPDATE outbox SET status = ?, last_error = ?, payload = '' WHERE key = ? AND status = ?",
            (DROPPED, reason, key, PENDING),
        )
        return changed == 1

    async def failed_rows(self, limit: int = 50) -> list[Row]:
        """Parked rows for the operator: what and to whom, never the message body."""
        return await self.sql.all(
            "SELECT id, kind, chat_id, attempts, last_error, created_at FROM outbox"
            " WHERE status = ? ORDER BY id LIMIT ?",
            (FAILED, limit),
        )

    async def outbox_counts(self) -> dict[str, int]:
        rows = await self.sql.all("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
        return {r["status"]: r["n"] for r in rows}


def outbox_row(r: Row) -> OutboxRow:
    return OutboxRow(
        r["id"],
        r["key"],
        r["chat_id"],
        MessageKind(r["kind"]),
        r["method"],
        r["payload"],
        r["priority"],
        from_ts(r["not_before"]),  # type: ignore[arg-type]
        r["attempts"],
        r["ref"],
    )
