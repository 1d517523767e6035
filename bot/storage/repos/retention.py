"""Old rows, visited for ``scheduler/retention.py``.

Rows are visited in (time, row id) order from a cursor, a batch per transaction, so a row kept
on purpose is looked at once, not again in every batch.
"""

from __future__ import annotations

from bot.storage.models import OutboxStatus
from bot.storage.sql import Sql, chunks, marks


class Retention:
    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    async def old_outbox_rows(
        self, before: int, after: tuple[int, int], limit: int
    ) -> list[tuple[int, int]]:
        """``(created_at, id)`` of outbox rows created before ``before``, past the cursor."""
        rows = await self.sql.all(
            "SELECT created_at, id FROM outbox WHERE created_at < ? AND (created_at, id) > (?, ?)"
            " ORDER BY created_at, id LIMIT ?",
            (before, *after, limit),
        )
        return [(r[0], r[1]) for r in rows]

    async def prune_outbox(self, ids: list[int]) -> int:
        """Delete those rows that are settled (sent or dropped); pending and failed ones stay."""
        gone = 0
        for chunk in chunks(ids):
            gone += await self.sql.run(
                f"DELETE FROM outbox WHERE id IN ({marks(len(chunk))}) AND status IN (?, ?)",
                (*chunk, OutboxStatus.SENT.value, OutboxStatus.DROPPED.value),
            )
        return gone

    async def old_deliveries(
        self, before: int, after: tuple[int, int], limit: int
    ) -> list[tuple[int, int]]:
        """``(delivered_at, row id)`` of delivery records older than ``before``, past the cursor."""
        rowid = self.sql.delivery_rowid
        rows = await self.sql.all(
            f"SELECT delivered_at, {rowid} FROM deliveries WHERE delivered_at < ?"
            f" AND (delivered_at, {rowid}) > (?, ?) ORDER BY delivered_at, {rowid} LIMIT ?",
            (before, *after, limit),
        )
        return [(r[0], r[1]) for r in rows]

    async def prune_deliveries(self, rowids: list[int]) -> int:
        """Delete those records that are not among their partner's two latest of the round.

        The latest two carry today's and yesterday's answer window, reminder and nudge (a paused
        couple's may be months old); older ones are bookkeeping nobody reads again.
        """
        rowid = self.sql.delivery_rowid
        gone = 0
        for chunk in chunks(rowids):
            gone += await self.sql.run(
                f"DELETE FROM deliveries WHERE {rowid} IN ({marks(len(chunk))})"
                " AND day < (SELECT MAX(m.day) FROM deliveries m"
                " WHERE m.user_id = deliveries.user_id AND m.couple_id = deliveries.couple_id"
                " AND m.round = deliveries.round) - 1",
                chunk,
            )
        return gone
