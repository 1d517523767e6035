"""Couples and the invites that make them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.storage.errors import MissingRow
from bot.storage.models import Couple, CoupleStatus, Invite, OutboxStatus, from_ts, to_ts
from bot.storage.sql import Row, Sql, chunks, marks

_ENDS = (CoupleStatus.ENDED, CoupleStatus.COMPLETED)


def couple_row(row: Row) -> Couple:
    return Couple(
        id=row["id"],
        user_a=row["user_a"],
        user_b=row["user_b"],
        status=CoupleStatus(row["status"]),
        round=row["round"],
        paused_by=row["paused_by"],
        started_at=from_ts(row["started_at"]),  # type: ignore[arg-type]
    )


def invite_row(row: Row) -> Invite:
    return Invite(
        code=row["code"],
        inviter_id=row["inviter_id"],
        created_at=from_ts(row["created_at"]),  # type: ignore[arg-type]
        expires_at=from_ts(row["expires_at"]),  # type: ignore[arg-type]
        used_at=from_ts(row["used_at"]),
    )


_COUPLE_COLS = "id, user_a, user_b, status, round, paused_by, started_at"


class Couples:
    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    # --- couples ---------------------------------------------------------------------------

    async def create_couple(self, user_a: int, user_b: int, now: datetime) -> int:
        return await self.sql.insert_id(
            "INSERT INTO couples (user_a, user_b, status, started_at) VALUES (?, ?, ?, ?)",
            (user_a, user_b, CoupleStatus.ACTIVE.value, to_ts(now)),
        )

    async def couple(self, couple_id: int | None, *, lock: bool = False) -> Couple | None:
        """``lock``: in a write transaction, hold the couple until commit, so two instances
        never change the same couple at once (a no-op on SQLite's single writer)."""
        if couple_id is None:
            return None
        suffix = self.sql.lock() if lock else ""
        row = await self.sql.one(
            f"SELECT {_COUPLE_COLS} FROM couples WHERE id = ?{suffix}", (couple_id,)
        )
        return couple_row(row) if row else None

    async def couples_by_id(self, ids: Iterable[int]) -> dict[int, Couple]:
        found: dict[int, Couple] = {}
        for chunk in chunks(sorted(set(ids))):
            rows = await self.sql.all(
                f"SELECT {_COUPLE_COLS} FROM couples WHERE id IN ({marks(len(chunk))})", chunk
            )
            found.update((r["id"], couple_row(r)) for r in rows)
        return found

    async def set_couple_status(
        self, couple_id: int, status: CoupleStatus, *, paused_by: int | None = None, now: datetime
    ) -> None:
        ended = to_ts(now) if status in _ENDS else None
        await self.sql.run(
            "UPDATE couples SET status = ?, paused_by = ?, ended_at = ? WHERE id = ?",
            (CoupleStatus(status).value, paused_by, ended, couple_id),
        )

    async def next_round(self, couple_id: int) -> int:
        await self.sql.run(
            "UPDATE couples SET round = round + 1, status = ?, paused_by = NULL,"
            " ended_at = NULL WHERE id = ?",
            (CoupleStatus.ACTIVE.value, couple_id),
        )
        couple = await self.couple(couple_id)
        if couple is None:
            raise MissingRow(f"no row for couple {couple_id}")
        return couple.round

    async def couples_of(self, user_id: int) -> list[int]:
        rows = await self.sql.all(
            "SELECT id FROM couples WHERE user_a = ? UNION SELECT id FROM couples WHERE user_b = ?",
            (user_id, user_id),
        )
        return [r["id"] for r in rows]

    async def delete_couple(self, couple_id: int) -> None:
        # Rows about the couple only ever go to its two partners: find them by chat (indexed).
        await self.sql.run(
            "DELETE FROM outbox WHERE chat_id IN (SELECT user_a FROM couples WHERE id = ?"
            " UNION SELECT user_b FROM couples WHERE id = ?) AND status = ? AND couple_id = ?",
            (couple_id, couple_id, OutboxStatus.PENDING.value, couple_id),
        )
        await self.sql.run("DELETE FROM couples WHERE id = ?", (couple_id,))

    # --- invites ---------------------------------------------------------------------------

    async def live_invite(self, inviter_id: int, now: datetime) -> Invite | None:
        row = await self.sql.one(
            "SELECT * FROM invites WHERE inviter_id = ? AND used_at IS NULL AND expires_at > ?"
            " ORDER BY created_at DESC LIMIT 1",
            (inviter_id, to_ts(now)),
        )
        return invite_row(row) if row else None

    async def create_invite(
        self, code: str, inviter_id: int, now: datetime, expires_at: datetime
    ) -> Invite:
        await self.sql.run(
            "INSERT INTO invites (code, inviter_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            (code, inviter_id, to_ts(now), to_ts(expires_at)),
        )
        return Invite(code, inviter_id, now, expires_at, None)

    async def invite(self, code: str) -> Invite | None:
        row = await self.sql.one("SELECT * FROM invites WHERE code = ?", (code,))
        return invite_row(row) if row else None

    async def use_invite(self, code: str, user_id: int, now: datetime) -> bool:
        used = await self.sql.run(
            "UPDATE invites SET used_at = ?, used_by = ? WHERE code = ? AND used_at IS NULL",
            (to_ts(now), user_id, code),
        )
        return used == 1

    async def drop_open_invites(self, user_id: int) -> None:
        await self.sql.run(
            "DELETE FROM invites WHERE inviter_id = ? AND used_at IS NULL", (user_id,)
        )
