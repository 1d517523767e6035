"""A couple's days: the prompt of each, who got it when (deliveries), answers, swaps."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.storage.models import Answer, Day, Delivery, from_ts, to_ts
from bot.storage.sql import Row, Sql, chunks, keyset


def day_row(row: Row) -> Day:
    return Day(
        row["couple_id"], row["round"], row["day"], row["prompt_id"], from_ts(row["revealed_at"])
    )


def delivery_row(row: Row) -> Delivery:
    return Delivery(
        user_id=row["user_id"],
        couple_id=row["couple_id"],
        round=row["round"],
        day=row["day"],
        slot_at=from_ts(row["slot_at"]),  # type: ignore[arg-type]
        delivered_at=from_ts(row["delivered_at"]),  # type: ignore[arg-type]
        remind_at=from_ts(row["remind_at"]),
        nudged_at=from_ts(row["nudged_at"]),
    )


def answer_row(row: Row) -> Answer:
    return Answer(
        couple_id=row["couple_id"],
        round=row["round"],
        day=row["day"],
        user_id=row["user_id"],
        kind=row["kind"],
        text=row["text"],
        file_id=row["file_id"],
        message_id=row["message_id"],
    )


_DAY_COLS = "couple_id, round, day, prompt_id, revealed_at"
_DELIVERY_COLS = "user_id, couple_id, round, day, slot_at, delivered_at, remind_at, nudged_at"
_ANSWER_COLS = "couple_id, round, day, user_id, kind, text, file_id, message_id"
_KEY_TYPES = ("BIGINT", "INTEGER", "INTEGER", "BIGINT")
_DAY_INSERT = (("couple_id", "bigint"), ("round", "integer"), ("day", "integer"),
               ("prompt_id", "text"))  # fmt: skip
_DELIVERY_INSERT = (
    ("user_id", "bigint"), ("couple_id", "bigint"), ("round", "integer"), ("day", "integer"),
    ("slot_at", "bigint"), ("delivered_at", "bigint"), ("remind_at", "bigint"),
)  # fmt: skip


class Days:
    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    # --- days ------------------------------------------------------------------------------

    async def day(self, couple_id: int, round_: int, day: int) -> Day | None:
        row = await self.sql.one(
            f"SELECT {_DAY_COLS} FROM days WHERE couple_id = ? AND round = ? AND day = ?",
            (couple_id, round_, day),
        )
        return day_row(row) if row else None

    async def days_by_key(
        self, keys: Iterable[tuple[int, int, int]]
    ) -> dict[tuple[int, int, int], Day]:
        """The stored day of each ``(couple, round, day)`` that has a day row already."""
        found: dict[tuple[int, int, int], Day] = {}
        for chunk in chunks(sorted(set(keys)), 300):
            rows = await self.sql.all(
                f"WITH want(c, r, d) AS (VALUES {keyset(len(chunk), 3, _KEY_TYPES)})"
                " SELECT days.couple_id, days.round, days.day, days.prompt_id, days.revealed_at"
                " FROM want JOIN days"
                " ON days.couple_id = want.c AND days.round = want.r AND days.day = want.d",
                [v for key in chunk for v in key],
            )
            for r in rows:
                day = day_row(r)
                found[(day.couple_id, day.round, day.day)] = day
        return found

    async def add_days(self, rows: list[tuple[int, int, int, str]]) -> None:
        """``(couple, round, day, prompt id)``; a day stored before keeps its prompt."""
        await self.sql.insert_many("days", _DAY_INSERT, rows)

    async def mark_revealed(self, couple_id: int, round_: int, day: int, now: datetime) -> bool:
        changed = await self.sql.run(
            "UPDATE days SET revealed_at = ? WHERE couple_id = ? AND round = ? AND day = ?"
            " AND revealed_at IS NULL",
            (to_ts(now), couple_id, round_, day),
        )
        return changed == 1

    async def revealed_days(self, couple_id: int, round_: int) -> list[int]:
        rows = await self.sql.all(
            "SELECT day FROM days WHERE couple_id = ? AND round = ? AND revealed_at IS NOT NULL",
            (couple_id, round_),
        )
        return [r["day"] for r in rows]

    async def revealed_page(
        self, couple_id: int, offset: int, limit: int
    ) -> tuple[list[tuple[Day, dict[int, Answer]]], int]:
        """Revealed days of the couple, newest first, with both answers; and the total count."""
        total_row = await self.sql.one(
            "SELECT COUNT(*) AS n FROM days WHERE couple_id = ? AND revealed_at IS NOT NULL",
            (couple_id,),
        )
        rows = await self.sql.all(
            f"SELECT {_DAY_COLS} FROM days WHERE couple_id = ? AND revealed_at IS NOT NULL"
            " ORDER BY round DESC, day DESC LIMIT ? OFFSET ?",
            (couple_id, limit, offset),
        )
        page = []
        for r in rows:
            day = day_row(r)
            page.append((day, await self.answers(couple_id, day.round, day.day)))
        return page, int(total_row["n"]) if total_row else 0

    async def revealed_between(
        self, couple_id: int, round_: int, first: int, last: int
    ) -> list[tuple[Day, dict[int, Answer]]]:
        """Revealed days ``first``..``last`` of a round in day order, each with both answers (the
        phase recap quotes them): one query, not one per day."""
        rows = await self.sql.all(
            "SELECT d.prompt_id, d.revealed_at, a.* FROM days d JOIN answers a"
            " ON a.couple_id = d.couple_id AND a.round = d.round AND a.day = d.day"
            " WHERE d.couple_id = ? AND d.round = ? AND d.day BETWEEN ? AND ?"
            " AND d.revealed_at IS NOT NULL ORDER BY d.day, a.user_id",
            (couple_id, round_, first, last),
        )
        days: dict[int, tuple[Day, dict[int, Answer]]] = {}
        for r in rows:
            entry = days.setdefault(
                r["day"],
                (Day(couple_id, round_, r["day"], r["prompt_id"], from_ts(r["revealed_at"])), {}),
            )
            entry[1][r["user_id"]] = answer_row(r)
        return list(days.values())

    # --- swaps -----------------------------------------------------------------------------

    async def set_day_prompt(self, couple_id: int, round_: int, day: int, prompt_id: str) -> None:
        await self.sql.run(
            "UPDATE days SET prompt_id = ? WHERE couple_id = ? AND round = ? AND day = ?",
            (prompt_id, couple_id, round_, day),
        )

    async def used_prompts(self, couple_id: int, day: int) -> set[str]:
        """Every prompt this couple has had on ``day``, in any round, including swapped-out ones."""
        rows = await self.sql.all(
            "SELECT prompt_id AS p FROM days WHERE couple_id = ? AND day = ?"
            " UNION SELECT from_prompt AS p FROM swaps WHERE couple_id = ? AND day = ?",
            (couple_id, day, couple_id, day),
        )
        return {r["p"] for r in rows}

    async def record_swap(
        self, couple_id: int, round_: int, day: int, user_id: int, old: str, new: str, now: datetime
    ) -> bool:
        """At most one swap per couple and day: returns False if the day was swapped already."""
        added = await self.sql.run(
            "INSERT INTO swaps (couple_id, round, day, user_id, from_prompt, to_prompt, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (couple_id, round_, day, user_id, old, new, to_ts(now)),
        )
        return added == 1

    # --- deliveries ------------------------------------------------------------------------

    async def deliveries(
        self, user_id: int, couple_id: int, round_: int, limit: int = 2
    ) -> list[Delivery]:
        """This partner's deliveries in the round, newest first."""
        rows = await self.sql.all(
            f"SELECT {_DELIVERY_COLS} FROM deliveries"
            " WHERE user_id = ? AND couple_id = ? AND round = ? ORDER BY day DESC LIMIT ?",
            (user_id, couple_id, round_, limit),
        )
        return [delivery_row(r) for r in rows]

    async def delivery(
        self, user_id: int, couple_id: int, round_: int, day: int
    ) -> Delivery | None:
        row = await self.sql.one(
            f"SELECT {_DELIVERY_COLS} FROM deliveries"
            " WHERE user_id = ? AND couple_id = ? AND round = ? AND day = ?",
            (user_id, couple_id, round_, day),
        )
        return delivery_row(row) if row else None

    async def add_deliveries(self, rows: list[Delivery]) -> None:
        await self.sql.insert_many(
            "deliveries",
            _DELIVERY_INSERT,
            [
                (
                    d.user_id,
                    d.couple_id,
                    d.round,
                    d.day,
                    to_ts(d.slot_at),
                    to_ts(d.delivered_at),
                    to_ts(d.remind_at),
                )
                for d in rows
            ],
        )

    async def clear_reminder(self, user_id: int, couple_id: int, round_: int, day: int) -> None:
        await self.sql.run(
            "UPDATE deliveries SET remind_at = NULL"
            " WHERE user_id = ? AND couple_id = ? AND round = ? AND day = ?",
            (user_id, couple_id, round_, day),
        )

    async def clear_reminders(self, deliveries: list[Delivery]) -> None:
        await self.sql.update_many(
            "UPDATE deliveries SET remind_at = NULL WHERE user_id = :uid AND couple_id = :cid"
            " AND round = :rnd AND day = :dnum",
            (("uid", "bigint"), ("cid", "bigint"), ("rnd", "integer"), ("dnum", "integer")),
            [(d.user_id, d.couple_id, d.round, d.day) for d in deliveries],
        )

    async def mark_nudged(
        self, user_id: int, couple_id: int, round_: int, day: int, now: datetime
    ) -> bool:
        changed = await self.sql.run(
            "UPDATE deliveries SET nudged_at = ? WHERE user_id = ? AND couple_id = ? AND round = ?"
            " AND day = ? AND nudged_at IS NULL",
            (to_ts(now), user_id, couple_id, round_, day),
        )
        return changed == 1

    async def due_reminders(self, now: datetime, limit: int) -> list[Delivery]:
        """Reminders whose moment has come, oldest first (claimed on PostgreSQL, like
        ``Users.due_users``)."""
        rows = await self.sql.all(
            f"SELECT {_DELIVERY_COLS} FROM deliveries WHERE remind_at <= ?"
            f" ORDER BY remind_at LIMIT ?{self.sql.lock(skip_locked=True)}",
            (to_ts(now), limit),
        )
        return [delivery_row(r) for r in rows]

    # --- answers ---------------------------------------------------------------------------

    async def save_answer(
        self,
        couple_id: int,
        round_: int,
        day: int,
        user_id: int,
        *,
        kind: str,
        text: str | None,
        file_id: str | None,
        message_id: int | None,
        now: datetime,
    ) -> bool:
        """Insert or replace this partner's answer. Returns True if it replaced an earlier one."""
        existing = await self.answer(couple_id, round_, day, user_id)
        stamp = to_ts(now)
        await self.sql.run(
            "INSERT INTO answers (couple_id, round, day, user_id, kind, text, file_id, message_id,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(couple_id, round, day, user_id) DO UPDATE SET kind = excluded.kind,"
            " text = excluded.text, file_id = excluded.file_id, message_id = excluded.message_id,"
            " updated_at = excluded.updated_at",
            (couple_id, round_, day, user_id, kind, text, file_id, message_id, stamp, stamp),
        )
        return existing is not None

    async def answer(self, couple_id: int, round_: int, day: int, user_id: int) -> Answer | None:
        row = await self.sql.one(
            f"SELECT {_ANSWER_COLS} FROM answers"
            " WHERE couple_id = ? AND round = ? AND day = ? AND user_id = ?",
            (couple_id, round_, day, user_id),
        )
        return answer_row(row) if row else None

    async def answer_by_message(self, user_id: int, message_id: int) -> Answer | None:
        row = await self.sql.one(
            f"SELECT {_ANSWER_COLS} FROM answers WHERE user_id = ? AND message_id = ?",
            (user_id, message_id),
        )
        return answer_row(row) if row else None

    async def answers(self, couple_id: int, round_: int, day: int) -> dict[int, Answer]:
        rows = await self.sql.all(
            f"SELECT {_ANSWER_COLS} FROM answers WHERE couple_id = ? AND round = ? AND day = ?",
            (couple_id, round_, day),
        )
        return {r["user_id"]: answer_row(r) for r in rows}

    async def answered(
        self, keys: Iterable[tuple[int, int, int, int]]
    ) -> set[tuple[int, int, int, int]]:
        """Which ``(couple, round, day, user)`` have an answer."""
        found: set[tuple[int, int, int, int]] = set()
        for chunk in chunks(sorted(set(keys)), 200):
            rows = await self.sql.all(
                f"WITH want(c, r, d, u) AS (VALUES {keyset(len(chunk), 4, _KEY_TYPES)})"
                " SELECT couple_id, round, day, user_id FROM want JOIN answers"
                " ON answers.couple_id = want.c AND answers.round = want.r"
                " AND answers.day = want.d AND answers.user_id = want.u",
                [v for key in chunk for v in key],
            )
            found.update((r[0], r[1], r[2], r[3]) for r in rows)
        return found
