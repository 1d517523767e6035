"""Small aggregates: tips a user has read, the opt-in intimacy track, groups told once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.storage.models import to_ts
from bot.storage.sql import Sql, chunks, marks


class Tips:
    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    async def seen_tips(self, user_id: int) -> set[str]:
        rows = await self.sql.all("SELECT tip_id FROM tip_views WHERE user_id = ?", (user_id,))
        return {r["tip_id"] for r in rows}

    async def record_tip(self, user_id: int, tip_id: str, now: datetime) -> None:
        await self.sql.run(
            "INSERT INTO tip_views (user_id, tip_id, seen_at) VALUES (?, ?, ?)"
            " ON CONFLICT(user_id, tip_id) DO UPDATE SET seen_at = excluded.seen_at",
            (user_id, tip_id, to_ts(now)),
        )

    async def forget_tips(self, user_id: int, tip_ids: Iterable[str]) -> None:
        await self.sql.many(
            "DELETE FROM tip_views WHERE user_id = ? AND tip_id = ?",
            [(user_id, t) for t in tip_ids],
        )


class Intimacy:
    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    async def set_intimacy(
        self, couple_id: int, user_id: int, opted_in: bool, now: datetime
    ) -> bool:
        """Store this partner's choice; returns whether it changed."""
        before = await self.sql.one(
            "SELECT opted_in FROM intimacy_optin WHERE couple_id = ? AND user_id = ?",
            (couple_id, user_id),
        )
        if before is not None and bool(before["opted_in"]) == opted_in:
            return False
        await self.sql.run(
            "INSERT INTO intimacy_optin (couple_id, user_id, opted_in, changed_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT(couple_id, user_id) DO UPDATE SET"
            " opted_in = excluded.opted_in, changed_at = excluded.changed_at",
            (couple_id, user_id, int(opted_in), to_ts(now)),
        )
        return before is not None or opted_in

    async def intimacy_opted_in(self, couple_id: int) -> set[int]:
        rows = await self.sql.all(
            "SELECT user_id FROM intimacy_optin WHERE couple_id = ? AND opted_in = 1",
            (couple_id,),
        )
        return {r["user_id"] for r in rows}

    async def intimacy_opted_in_many(self, couple_ids: Iterable[int]) -> dict[int, set[int]]:
        found: dict[int, set[int]] = {}
        for chunk in chunks(sorted(set(couple_ids))):
            rows = await self.sql.all(
                "SELECT couple_id, user_id FROM intimacy_optin"
                f" WHERE opted_in = 1 AND couple_id IN ({marks(len(chunk))})",
                chunk,
            )
            for r in rows:
                found.setdefault(r[0], set()).add(r[1])
        return found

    async def intimacy_steps_sent(self, couple_id: int, user_id: int) -> int:
        row = await self.sql.one(
            "SELECT MAX(step) AS n FROM intimacy_sent WHERE couple_id = ? AND user_id = ?",
            (couple_id, user_id),
        )
        return int(row["n"]) if row and row["n"] is not None else 0

    async def record_intimacy_step(
        self, couple_id: int, user_id: int, step: int, now: datetime
    ) -> bool:
        added = await self.sql.run(
            "INSERT INTO intimacy_sent (couple_id, user_id, step, sent_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (couple_id, user_id, step, to_ts(now)),
        )
        return added == 1


class Groups:
    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    async def note_group(self, chat_id: int, now: datetime) -> bool:
        """Record that a group was told the bot is private-only; False if it was told before."""
        added = await self.sql.run(
            "INSERT INTO group_notices (chat_id, at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (chat_id, to_ts(now)),
        )
        return added == 1


class Updates:
    """Telegram updates taken on by an instance: each is processed once, even when Telegram
    delivers it again (its call timed out, or went to an instance that died)."""

    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    async def claim_update(self, update_id: int, now: datetime, stale_after: float) -> bool:
        """Take the update on; False if it was processed already or another instance is at it
        (claimed less than ``stale_after`` seconds ago)."""
        stamp = to_ts(now) or 0
        taken = await self.sql.run(
            "INSERT INTO processed_updates (update_id, claimed_at) VALUES (?, ?)"
            " ON CONFLICT(update_id) DO UPDATE SET claimed_at = excluded.claimed_at"
            " WHERE processed_updates.done = 0 AND processed_updates.claimed_at < ?",
            (update_id, stamp, stamp - int(stale_after)),
        )
        return taken == 1

    async def renew_claim(self, update_id: int, claimed_at: datetime, now: datetime) -> bool:
        """Keep a claim alive (the holder's heartbeat while it processes the update): moves it
        from ``claimed_at`` (what this holder last wrote) to ``now``. False if the update is
        done or another instance took it over, its ``claimed_at`` is then another's."""
        renewed = await self.sql.run(
            "UPDATE processed_updates SET claimed_at = ?"
            " WHERE update_id = ? AND done = 0 AND claimed_at = ?",
            (to_ts(now), update_id, to_ts(claimed_at)),
        )
        return renewed == 1

    async def update_done(self, update_id: int) -> None:
        await self.sql.run(
            "UPDATE processed_updates SET done = 1 WHERE update_id = ?", (update_id,)
        )

    async def update_processed(self, update_id: int) -> bool:
        row = await self.sql.one(
            "SELECT done FROM processed_updates WHERE update_id = ?", (update_id,)
        )
        return bool(row and row["done"])

    async def forget_updates(self, before: int) -> int:
        """Drop the record of updates claimed before ``before`` (unix seconds)."""
        return await self.sql.run("DELETE FROM processed_updates WHERE claimed_at < ?", (before,))
