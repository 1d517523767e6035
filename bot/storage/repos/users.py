"""Partners: who they are, their schedule, and where they are in the challenge."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.storage.errors import MissingRow
from bot.storage.models import User, from_ts, to_ts
from bot.storage.sql import Row, Sql, chunks, marks

COLS = (
    "user_id, first_name, username, timezone, delivery_time, couple_id, next_day, "
    "next_delivery_at, last_slot_at, blocked, language"
)


def user_row(row: Row) -> User:
    return User(
        user_id=row["user_id"],
        first_name=row["first_name"],
        username=row["username"],
        timezone=row["timezone"],
        delivery_time=row["delivery_time"],
        couple_id=row["couple_id"],
        next_day=row["next_day"],
        next_delivery_at=from_ts(row["next_delivery_at"]),
        last_slot_at=from_ts(row["last_slot_at"]),
        blocked=bool(row["blocked"]),
        language=row["language"],
    )


class Users:
    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    async def upsert_user(
        self,
        user_id: int,
        first_name: str,
        username: str | None,
        *,
        timezone: str,
        delivery_time: str,
        now: datetime,
    ) -> User:
        differs = self.sql.distinct
        await self.sql.run(
            "INSERT INTO users (user_id, first_name, username, timezone, delivery_time, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET first_name = excluded.first_name,"
            " username = excluded.username, blocked = 0"
            f" WHERE users.first_name {differs} excluded.first_name"
            f" OR users.username {differs} excluded.username OR users.blocked = 1",
            (user_id, first_name, username, timezone, delivery_time, to_ts(now)),
        )
        return await self.require_user(user_id)

    async def set_language(self, user_id: int, language: str) -> None:
        await self.sql.run("UPDATE users SET language = ? WHERE user_id = ?", (language, user_id))

    async def user(self, user_id: int) -> User | None:
        row = await self.sql.one(f"SELECT {COLS} FROM users WHERE user_id = ?", (user_id,))
        return user_row(row) if row else None

    async def require_user(self, user_id: int) -> User:
        """The user's row, which must exist (see ``MissingRow``)."""
        user = await self.user(user_id)
        if user is None:
            raise MissingRow(f"no row for user {user_id}")
        return user

    async def users_by_id(self, ids: Iterable[int]) -> dict[int, User]:
        found: dict[int, User] = {}
        for chunk in chunks(sorted(set(ids))):
            rows = await self.sql.all(
                f"SELECT {COLS} FROM users WHERE user_id IN ({marks(len(chunk))})", chunk
            )
            found.update((r["user_id"], user_row(r)) for r in rows)
        return found

    async def lock_users(self, ids: Iterable[int]) -> None:
        """In a write transaction, hold these users' rows until commit, taken in id order (a
        no-op on SQLite's single writer). For a flow that writes two users of no live couple
        (pairing): with a couple, lock the couple instead (``couple(..., lock=True)``), first."""
        lock = self.sql.lock()
        wanted = sorted(set(ids))
        if lock and wanted:
            await self.sql.all(
                f"SELECT user_id FROM users WHERE user_id IN ({marks(len(wanted))})"
                f" ORDER BY user_id{lock}",
                wanted,
            )

    async def set_schedule(
        self,
        user_id: int,
        *,
        timezone: str | None = None,
        delivery_time: str | None = None,
        next_delivery_at: datetime | None,
    ) -> None:
        await self.sql.run(
            "UPDATE users SET timezone = COALESCE(?, timezone),"
            " delivery_time = COALESCE(?, delivery_time), next_delivery_at = ? WHERE user_id = ?",
            (timezone, delivery_time, to_ts(next_delivery_at), user_id),
        )

    async def join_couple(self, user_id: int, couple_id: int, next_delivery_at: datetime) -> None:
        await self.sql.run(
            "UPDATE users SET couple_id = ?, next_day = 1, next_delivery_at = ?,"
            " last_slot_at = NULL WHERE user_id = ?",
            (couple_id, to_ts(next_delivery_at), user_id),
        )

    async def leave_couple(self, user_id: int) -> None:
        await self.sql.run(
            "UPDATE users SET couple_id = NULL, next_day = 1, next_delivery_at = NULL,"
            " last_slot_at = NULL WHERE user_id = ?",
            (user_id,),
        )

    async def advance(
        self, user_id: int, *, next_day: int, slot_at: datetime, next_delivery_at: datetime | None
    ) -> None:
        await self.sql.run(
            "UPDATE users SET next_day = ?, last_slot_at = ?, next_delivery_at = ? WHERE user_id = ?",
            (next_day, to_ts(slot_at), to_ts(next_delivery_at), user_id),
        )

    async def advance_many(
        self, rows: list[tuple[int, int, datetime | None, datetime | None]]
    ) -> None:
        """``advance`` for many ``(user, next day, slot at, next delivery at)``; a None slot keeps
        the last one."""
        await self.sql.update_many(
            "UPDATE users SET next_day = :day, last_slot_at = COALESCE(:slot, last_slot_at),"
            " next_delivery_at = :nxt WHERE user_id = :uid",
            (("day", "integer"), ("slot", "bigint"), ("nxt", "bigint"), ("uid", "bigint")),
            [(day, to_ts(slot), to_ts(nxt), uid) for uid, day, slot, nxt in rows],
        )

    async def restart_round(self, user_id: int, next_delivery_at: datetime) -> None:
        await self.sql.run(
            "UPDATE users SET next_day = 1, next_delivery_at = ? WHERE user_id = ?",
            (to_ts(next_delivery_at), user_id),
        )

    async def set_blocked(self, user_id: int, blocked: bool) -> bool:
        """Returns whether the flag changed."""
        changed = await self.sql.run(
            "UPDATE users SET blocked = ? WHERE user_id = ? AND blocked != ?",
            (int(blocked), user_id, int(blocked)),
        )
        return changed > 0

    async def due_users(self, now: datetime, limit: int) -> list[User]:
        """Partners whose next delivery has come, oldest first. In a write transaction on
        PostgreSQL the rows are claimed: another instance's tick skips them until commit."""
        skip = self.sql.lock(skip_locked=True)
        if not skip:  # one writer (SQLite): nothing to claim against
            rows = await self.sql.all(
                f"SELECT {COLS} FROM users WHERE next_delivery_at <= ?"
                " ORDER BY next_delivery_at LIMIT ?",
                (to_ts(now), limit),
            )
            return [user_row(r) for r in rows]
        # Several instances: claim whole couples first (in the order every flow locks: couple,
        # then its partners), so both partners of a couple are handled by one tick and the
        # day's prompt is chosen once; couples another instance holds are skipped, not waited
        # for. Then the due partners of the claimed couples (and of no couple), locked too.
        stamp = to_ts(now)
        rows = await self.sql.all(
            f"SELECT {COLS} FROM users WHERE next_delivery_at <= ? AND (couple_id IS NULL"
            " OR couple_id IN (SELECT id FROM couples WHERE id IN (SELECT couple_id FROM users"
            f" WHERE next_delivery_at <= ? ORDER BY next_delivery_at LIMIT ?){skip}))"
            f" ORDER BY next_delivery_at LIMIT ?{skip}",
            (stamp, stamp, limit, limit),
        )
        return [user_row(r) for r in rows]

    async def delete_user(self, user_id: int) -> None:
        await self.sql.run("DELETE FROM outbox WHERE chat_id = ?", (user_id,))
        await self.sql.run("DELETE FROM users WHERE user_id = ?", (user_id,))
