"""Private self-checks (and whether their author shared them)."""

from __future__ import annotations

import json
from datetime import datetime

from bot.storage.errors import MissingRow
from bot.storage.models import Checkin, from_ts, to_ts
from bot.storage.sql import Row, Sql

_COLS = "id, user_id, couple_id, round, slot, scores, started_at, finished_at, shared_at"


def checkin_row(row: Row) -> Checkin:
    return Checkin(
        id=row["id"],
        user_id=row["user_id"],
        couple_id=row["couple_id"],
        round=row["round"],
        slot=row["slot"],
        scores={str(k): int(v) for k, v in json.loads(row["scores"]).items()},
        started_at=from_ts(row["started_at"]),  # type: ignore[arg-type]
        finished_at=from_ts(row["finished_at"]),
        shared_at=from_ts(row["shared_at"]),
    )


class Checkins:
    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    async def create_checkin(
        self, user_id: int, couple_id: int | None, round_: int, slot: int, now: datetime
    ) -> Checkin:
        checkin_id = await self.sql.insert_id(
            "INSERT INTO checkins (user_id, couple_id, round, slot, started_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (user_id, couple_id, round_, slot, to_ts(now)),
        )
        found = await self.checkin(checkin_id)
        if found is None:
            raise MissingRow(f"no row for check-in {checkin_id} right after creating it")
        return found

    async def checkin(self, checkin_id: int) -> Checkin | None:
        row = await self.sql.one(f"SELECT {_COLS} FROM checkins WHERE id = ?", (checkin_id,))
        return checkin_row(row) if row else None

    async def open_checkin(self, user_id: int) -> Checkin | None:
        row = await self.sql.one(
            f"SELECT {_COLS} FROM checkins WHERE user_id = ? AND finished_at IS NULL"
            " ORDER BY id DESC LIMIT 1",
            (user_id,),
        )
        return checkin_row(row) if row else None

    async def finished_checkins(self, user_id: int, limit: int = 2) -> list[Checkin]:
        """This user's finished check-ins, newest first."""
        rows = await self.sql.all(
            f"SELECT {_COLS} FROM checkins WHERE user_id = ? AND finished_at IS NOT NULL"
            " ORDER BY finished_at DESC, id DESC LIMIT ?",
            (user_id, limit),
        )
        return [checkin_row(r) for r in rows]

    async def latest_checkin_in_slot(
        self, user_id: int, couple_id: int, round_: int, slot: int
    ) -> Checkin | None:
        row = await self.sql.one(
            f"SELECT {_COLS} FROM checkins"
            " WHERE user_id = ? AND couple_id = ? AND round = ? AND slot = ?"
            " AND finished_at IS NOT NULL ORDER BY id DESC LIMIT 1",
            (user_id, couple_id, round_, slot),
        )
        return checkin_row(row) if row else None

    async def save_checkin_scores(
        self, checkin_id: int, scores: dict[str, int], finished_at: datetime | None
    ) -> None:
        await self.sql.run(
            "UPDATE checkins SET scores = ?, finished_at = ? WHERE id = ?",
            (json.dumps(scores, sort_keys=True), to_ts(finished_at), checkin_id),
        )

    async def share_checkin(self, checkin_id: int, now: datetime) -> None:
        await self.sql.run(
            "UPDATE checkins SET shared_at = COALESCE(shared_at, ?) WHERE id = ?",
            (to_ts(now), checkin_id),
        )
