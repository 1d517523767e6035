"""All SQL lives here. A ``Repo`` is bound to one open transaction (see ``Database``)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import aiosqlite

from bot.storage.models import (
    Answer,
    Checkin,
    Couple,
    Day,
    Delivery,
    Invite,
    OutboxRow,
    User,
    from_ts,
    to_ts,
)

_USER_COLS = (
    "user_id, first_name, username, timezone, delivery_time, couple_id, next_day, "
    "next_delivery_at, last_slot_at, blocked"
)


class MissingRow(LookupError):
    """A row the caller relies on is not there: a broken invariant, not bad input.

    Every handler runs after the gatekeeper stored its user, so a missing user row there means
    the database changed under us; the error handler logs it and apologises to the user.
    """


def _new_id(cur: aiosqlite.Cursor, table: str) -> int:
    if cur.lastrowid is None:  # SQLite sets it on every successful INSERT
        raise RuntimeError(f"INSERT INTO {table} returned no row id")
    return cur.lastrowid


def _user(row: aiosqlite.Row) -> User:
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
    )


def _couple(row: aiosqlite.Row) -> Couple:
    return Couple(
        id=row["id"],
        user_a=row["user_a"],
        user_b=row["user_b"],
        status=row["status"],
        round=row["round"],
        paused_by=row["paused_by"],
        started_at=from_ts(row["started_at"]),  # type: ignore[arg-type]
    )


def _delivery(row: aiosqlite.Row) -> Delivery:
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


def _answer(row: aiosqlite.Row) -> Answer:
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


class Repo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    # Each helper is one trip to aiosqlite's worker thread (a cursor's fetch and close would be
    # two more): the trips, not SQLite, are most of a short statement's cost.

    async def _one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        rows = await self.conn.execute_fetchall(sql, tuple(params))
        return next(iter(rows), None)

    async def _all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        return list(await self.conn.execute_fetchall(sql, tuple(params)))

    async def _run(self, sql: str, params: Iterable[Any] = ()) -> int:
        cur = await self.conn.execute(sql, tuple(params))
        return cur.rowcount  # a finished write statement holds nothing: no close needed

    async def _many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            await self.conn.executemany(sql, rows)

    # --- users -------------------------------------------------------------------------------

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
        await self._run(
            "INSERT INTO users (user_id, first_name, username, timezone, delivery_time, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET first_name = excluded.first_name,"
            " username = excluded.username, blocked = 0"
            " WHERE first_name IS NOT excluded.first_name OR username IS NOT excluded.username"
            " OR blocked = 1",
            (user_id, first_name, username, timezone, delivery_time, to_ts(now)),
        )
        return await self.require_user(user_id)

    async def user(self, user_id: int) -> User | None:
        row = await self._one(f"SELECT {_USER_COLS} FROM users WHERE user_id = ?", (user_id,))
        return _user(row) if row else None

    async def require_user(self, user_id: int) -> User:
        """The user's row, which must exist (see ``MissingRow``)."""
        user = await self.user(user_id)
        if user is None:
            raise MissingRow(f"no row for user {user_id}")
        return user

    async def set_schedule(
        self,
        user_id: int,
        *,
        timezone: str | None = None,
        delivery_time: str | None = None,
        next_delivery_at: datetime | None,
    ) -> None:
        await self._run(
            "UPDATE users SET timezone = COALESCE(?, timezone),"
            " delivery_time = COALESCE(?, delivery_time), next_delivery_at = ? WHERE user_id = ?",
            (timezone, delivery_time, to_ts(next_delivery_at), user_id),
        )

    async def join_couple(self, user_id: int, couple_id: int, next_delivery_at: datetime) -> None:
        await self._run(
            "UPDATE users SET couple_id = ?, next_day = 1, next_delivery_at = ?,"
            " last_slot_at = NULL WHERE user_id = ?",
            (couple_id, to_ts(next_delivery_at), user_id),
        )

    async def leave_couple(self, user_id: int) -> None:
        await self._run(
            "UPDATE users SET couple_id = NULL, next_day = 1, next_delivery_at = NULL,"
            " last_slot_at = NULL WHERE user_id = ?",
            (user_id,),
        )

    async def advance(
        self, user_id: int, *, next_day: int, slot_at: datetime, next_delivery_at: datetime | None
    ) -> None:
        await self._run(
            "UPDATE users SET next_day = ?, last_slot_at = ?, next_delivery_at = ? WHERE user_id = ?",
            (next_day, to_ts(slot_at), to_ts(next_delivery_at), user_id),
        )

    async def restart_round(self, user_id: int, next_delivery_at: datetime) -> None:
        await self._run(
            "UPDATE users SET next_day = 1, next_delivery_at = ? WHERE user_id = ?",
            (to_ts(next_delivery_at), user_id),
        )

    async def set_blocked(self, user_id: int, blocked: bool) -> bool:
        """Returns whether the flag changed."""
        changed = await self._run(
            "UPDATE users SET blocked = ? WHERE user_id = ? AND blocked != ?",
            (int(blocked), user_id, int(blocked)),
        )
        return changed > 0

    async def due_users(self, now: datetime, limit: int) -> list[User]:
        rows = await self._all(
            f"SELECT {_USER_COLS} FROM users WHERE next_delivery_at <= ?"
            " ORDER BY next_delivery_at LIMIT ?",
            (to_ts(now), limit),
        )
        return [_user(r) for r in rows]

    # --- the scheduler tick, in bulk: a few statements per tick, not a few per partner ----------

    async def users_by_id(self, ids: Iterable[int]) -> dict[int, User]:
        found: dict[int, User] = {}
        for chunk in _chunks(sorted(set(ids))):
            marks = ",".join("?" * len(chunk))
            rows = await self._all(
                f"SELECT {_USER_COLS} FROM users WHERE user_id IN ({marks})", chunk
            )
            found.update((r["user_id"], _user(r)) for r in rows)
        return found

    async def couples_by_id(self, ids: Iterable[int]) -> dict[int, Couple]:
        found: dict[int, Couple] = {}
        for chunk in _chunks(sorted(set(ids))):
            marks = ",".join("?" * len(chunk))
            rows = await self._all(f"SELECT * FROM couples WHERE id IN ({marks})", chunk)
            found.update((r["id"], _couple(r)) for r in rows)
        return found

    async def days_by_key(
        self, keys: Iterable[tuple[int, int, int]]
    ) -> dict[tuple[int, int, int], Day]:
        """The stored day of each ``(couple, round, day)`` that has a day row already."""
        found: dict[tuple[int, int, int], Day] = {}
        for chunk in _chunks(sorted(set(keys)), 300):
            values = ",".join("(?, ?, ?)" for _ in chunk)
            rows = await self._all(
                f"WITH want(c, r, d) AS (VALUES {values}) SELECT days.* FROM want"
                " JOIN days ON days.couple_id = want.c AND days.round = want.r AND days.day = want.d",
                [v for key in chunk for v in key],
            )
            for r in rows:
                day = Day(
                    r["couple_id"], r["round"], r["day"], r["prompt_id"], from_ts(r["revealed_at"])
                )
                found[(day.couple_id, day.round, day.day)] = day
        return found

    async def answered(
        self, keys: Iterable[tuple[int, int, int, int]]
    ) -> set[tuple[int, int, int, int]]:
        """Which ``(couple, round, day, user)`` have an answer."""
        found: set[tuple[int, int, int, int]] = set()
        for chunk in _chunks(sorted(set(keys)), 200):
            values = ",".join("(?, ?, ?, ?)" for _ in chunk)
            rows = await self._all(
                f"WITH want(c, r, d, u) AS (VALUES {values})"
                " SELECT couple_id, round, day, user_id FROM want JOIN answers"
                " ON answers.couple_id = want.c AND answers.round = want.r"
                " AND answers.day = want.d AND answers.user_id = want.u",
                [v for key in chunk for v in key],
            )
            found.update((r[0], r[1], r[2], r[3]) for r in rows)
        return found

    async def clear_reminders(self, deliveries: list[Delivery]) -> None:
        await self._many(
            "UPDATE deliveries SET remind_at = NULL"
            " WHERE user_id = ? AND couple_id = ? AND round = ? AND day = ?",
            [(d.user_id, d.couple_id, d.round, d.day) for d in deliveries],
        )

    async def intimacy_opted_in_many(self, couple_ids: Iterable[int]) -> dict[int, set[int]]:
        found: dict[int, set[int]] = {}
        for chunk in _chunks(sorted(set(couple_ids))):
            marks = ",".join("?" * len(chunk))
            rows = await self._all(
                "SELECT couple_id, user_id FROM intimacy_optin"
                f" WHERE opted_in = 1 AND couple_id IN ({marks})",
                chunk,
            )
            for r in rows:
                found.setdefault(r[0], set()).add(r[1])
        return found

    async def add_days(self, rows: list[tuple[int, int, int, str]]) -> None:
        """``(couple, round, day, prompt id)``; a day stored before keeps its prompt."""
        await self._many(
            "INSERT OR IGNORE INTO days (couple_id, round, day, prompt_id) VALUES (?, ?, ?, ?)",
            rows,
        )

    async def add_deliveries(self, rows: list[Delivery]) -> None:
        await self._many(
            "INSERT OR IGNORE INTO deliveries"
            " (user_id, couple_id, round, day, slot_at, delivered_at, remind_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
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

    async def advance_many(
        self, rows: list[tuple[int, int, datetime | None, datetime | None]]
    ) -> None:
        """``advance`` for many ``(user, next day, slot at, next delivery at)``; a None slot keeps
        the last one."""
        await self._many(
            "UPDATE users SET next_day = ?, last_slot_at = COALESCE(?, last_slot_at),"
            " next_delivery_at = ? WHERE user_id = ?",
            [(day, to_ts(slot), to_ts(nxt), uid) for uid, day, slot, nxt in rows],
        )

    async def delete_user(self, user_id: int) -> None:
        await self._run("DELETE FROM outbox WHERE chat_id = ?", (user_id,))
        await self._run("DELETE FROM users WHERE user_id = ?", (user_id,))

    # --- invites -----------------------------------------------------------------------------

    async def live_invite(self, inviter_id: int, now: datetime) -> Invite | None:
        row = await self._one(
            "SELECT * FROM invites WHERE inviter_id = ? AND used_at IS NULL AND expires_at > ?"
            " ORDER BY created_at DESC LIMIT 1",
            (inviter_id, to_ts(now)),
        )
        return self._invite(row) if row else None

    async def create_invite(
        self, code: str, inviter_id: int, now: datetime, expires_at: datetime
    ) -> Invite:
        await self._run(
            "INSERT INTO invites (code, inviter_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            (code, inviter_id, to_ts(now), to_ts(expires_at)),
        )
        return Invite(code, inviter_id, now, expires_at, None)

    async def invite(self, code: str) -> Invite | None:
        row = await self._one("SELECT * FROM invites WHERE code = ?", (code,))
        return self._invite(row) if row else None

    async def use_invite(self, code: str, user_id: int, now: datetime) -> bool:
        used = await self._run(
            "UPDATE invites SET used_at = ?, used_by = ? WHERE code = ? AND used_at IS NULL",
            (to_ts(now), user_id, code),
        )
        return used == 1

    async def drop_open_invites(self, user_id: int) -> None:
        await self._run("DELETE FROM invites WHERE inviter_id = ? AND used_at IS NULL", (user_id,))

    @staticmethod
    def _invite(row: aiosqlite.Row) -> Invite:
        return Invite(
            code=row["code"],
            inviter_id=row["inviter_id"],
            created_at=from_ts(row["created_at"]),  # type: ignore[arg-type]
            expires_at=from_ts(row["expires_at"]),  # type: ignore[arg-type]
            used_at=from_ts(row["used_at"]),
        )

    # --- couples -----------------------------------------------------------------------------

    async def create_couple(self, user_a: int, user_b: int, now: datetime) -> int:
        async with self.conn.execute(
            "INSERT INTO couples (user_a, user_b, status, started_at) VALUES (?, ?, 'active', ?)",
            (user_a, user_b, to_ts(now)),
        ) as cur:
            return _new_id(cur, "couples")

    async def couple(self, couple_id: int | None) -> Couple | None:
        if couple_id is None:
            return None
        row = await self._one("SELECT * FROM couples WHERE id = ?", (couple_id,))
        return _couple(row) if row else None

    async def set_couple_status(
        self, couple_id: int, status: str, *, paused_by: int | None = None, now: datetime
    ) -> None:
        ended = to_ts(now) if status in ("ended", "completed") else None
        await self._run(
            "UPDATE couples SET status = ?, paused_by = ?, ended_at = ? WHERE id = ?",
            (status, paused_by, ended, couple_id),
        )

    async def next_round(self, couple_id: int) -> int:
        await self._run(
            "UPDATE couples SET round = round + 1, status = 'active', paused_by = NULL,"
            " ended_at = NULL WHERE id = ?",
            (couple_id,),
        )
        couple = await self.couple(couple_id)
        if couple is None:
            raise MissingRow(f"no row for couple {couple_id}")
        return couple.round

    async def couples_of(self, user_id: int) -> list[int]:
        rows = await self._all(
            "SELECT id FROM couples WHERE user_a = ? UNION SELECT id FROM couples WHERE user_b = ?",
            (user_id, user_id),
        )
        return [r["id"] for r in rows]

    async def delete_couple(self, couple_id: int) -> None:
        # Rows about the couple only ever go to its two partners: find them by chat (indexed).
        await self._run(
            "DELETE FROM outbox WHERE chat_id IN (SELECT user_a FROM couples WHERE id = ?"
            " UNION SELECT user_b FROM couples WHERE id = ?) AND status = 'pending' AND ref LIKE ?",
            (couple_id, couple_id, f"c{couple_id}:%"),
        )
        await self._run("DELETE FROM couples WHERE id = ?", (couple_id,))

    # --- days, deliveries, answers -----------------------------------------------------------

    async def day(self, couple_id: int, round_: int, day: int) -> Day | None:
        row = await self._one(
            "SELECT * FROM days WHERE couple_id = ? AND round = ? AND day = ?",
            (couple_id, round_, day),
        )
        if not row:
            return None
        return Day(
            row["couple_id"],
            row["round"],
            row["day"],
            row["prompt_id"],
            from_ts(row["revealed_at"]),
        )

    async def mark_revealed(self, couple_id: int, round_: int, day: int, now: datetime) -> bool:
        changed = await self._run(
            "UPDATE days SET revealed_at = ? WHERE couple_id = ? AND round = ? AND day = ?"
            " AND revealed_at IS NULL",
            (to_ts(now), couple_id, round_, day),
        )
        return changed == 1

    async def revealed_days(self, couple_id: int, round_: int) -> list[int]:
        rows = await self._all(
            "SELECT day FROM days WHERE couple_id = ? AND round = ? AND revealed_at IS NOT NULL",
            (couple_id, round_),
        )
        return [r["day"] for r in rows]

    async def deliveries(
        self, user_id: int, couple_id: int, round_: int, limit: int = 2
    ) -> list[Delivery]:
        """This partner's deliveries in the round, newest first."""
        rows = await self._all(
            "SELECT * FROM deliveries WHERE user_id = ? AND couple_id = ? AND round = ?"
            " ORDER BY day DESC LIMIT ?",
            (user_id, couple_id, round_, limit),
        )
        return [_delivery(r) for r in rows]

    async def delivery(
        self, user_id: int, couple_id: int, round_: int, day: int
    ) -> Delivery | None:
        row = await self._one(
            "SELECT * FROM deliveries WHERE user_id = ? AND couple_id = ? AND round = ? AND day = ?",
            (user_id, couple_id, round_, day),
        )
        return _delivery(row) if row else None

    async def clear_reminder(self, user_id: int, couple_id: int, round_: int, day: int) -> None:
        await self._run(
            "UPDATE deliveries SET remind_at = NULL"
            " WHERE user_id = ? AND couple_id = ? AND round = ? AND day = ?",
            (user_id, couple_id, round_, day),
        )

    async def mark_nudged(
        self, user_id: int, couple_id: int, round_: int, day: int, now: datetime
    ) -> bool:
        changed = await self._run(
            "UPDATE deliveries SET nudged_at = ? WHERE user_id = ? AND couple_id = ? AND round = ?"
            " AND day = ? AND nudged_at IS NULL",
            (to_ts(now), user_id, couple_id, round_, day),
        )
        return changed == 1

    async def due_reminders(self, now: datetime, limit: int) -> list[Delivery]:
        rows = await self._all(
            "SELECT * FROM deliveries WHERE remind_at <= ? ORDER BY remind_at LIMIT ?",
            (to_ts(now), limit),
        )
        return [_delivery(r) for r in rows]

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
        await self._run(
            "INSERT INTO answers (couple_id, round, day, user_id, kind, text, file_id, message_id,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(couple_id, round, day, user_id) DO UPDATE SET kind = excluded.kind,"
            " text = excluded.text, file_id = excluded.file_id, message_id = excluded.message_id,"
            " updated_at = excluded.updated_at",
            (
                couple_id,
                round_,
                day,
                user_id,
                kind,
                text,
                file_id,
                message_id,
                to_ts(now),
                to_ts(now),
            ),
        )
        return existing is not None

    async def answer(self, couple_id: int, round_: int, day: int, user_id: int) -> Answer | None:
        row = await self._one(
            "SELECT * FROM answers WHERE couple_id = ? AND round = ? AND day = ? AND user_id = ?",
            (couple_id, round_, day, user_id),
        )
        return _answer(row) if row else None

    async def answer_by_message(self, user_id: int, message_id: int) -> Answer | None:
        row = await self._one(
            "SELECT * FROM answers WHERE user_id = ? AND message_id = ?", (user_id, message_id)
        )
        return _answer(row) if row else None

    async def answers(self, couple_id: int, round_: int, day: int) -> dict[int, Answer]:
        rows = await self._all(
            "SELECT * FROM answers WHERE couple_id = ? AND round = ? AND day = ?",
            (couple_id, round_, day),
        )
        return {r["user_id"]: _answer(r) for r in rows}

    async def revealed_page(
        self, couple_id: int, offset: int, limit: int
    ) -> tuple[list[tuple[Day, dict[int, Answer]]], int]:
        """Revealed days of the couple, newest first, with both answers; and the total count."""
        total_row = await self._one(
            "SELECT COUNT(*) AS n FROM days WHERE couple_id = ? AND revealed_at IS NOT NULL",
            (couple_id,),
        )
        rows = await self._all(
            "SELECT * FROM days WHERE couple_id = ? AND revealed_at IS NOT NULL"
            " ORDER BY round DESC, day DESC LIMIT ? OFFSET ?",
            (couple_id, limit, offset),
        )
        page = []
        for r in rows:
            day = Day(
                r["couple_id"], r["round"], r["day"], r["prompt_id"], from_ts(r["revealed_at"])
            )
            page.append((day, await self.answers(couple_id, day.round, day.day)))
        return page, int(total_row["n"]) if total_row else 0

    async def revealed_between(
        self, couple_id: int, round_: int, first: int, last: int
    ) -> list[tuple[Day, dict[int, Answer]]]:
        """Revealed days ``first``..``last`` of a round in day order, each with both answers (the
        phase recap quotes them): one query, not one per day."""
        rows = await self._all(
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
            entry[1][r["user_id"]] = _answer(r)
        return list(days.values())

    # --- tips, groups --------------------------------------------------------------------------

    async def seen_tips(self, user_id: int) -> set[str]:
        rows = await self._all("SELECT tip_id FROM tip_views WHERE user_id = ?", (user_id,))
        return {r["tip_id"] for r in rows}

    async def record_tip(self, user_id: int, tip_id: str, now: datetime) -> None:
        await self._run(
            "INSERT OR REPLACE INTO tip_views (user_id, tip_id, seen_at) VALUES (?, ?, ?)",
            (user_id, tip_id, to_ts(now)),
        )

    async def forget_tips(self, user_id: int, tip_ids: Iterable[str]) -> None:
        await self.conn.executemany(
            "DELETE FROM tip_views WHERE user_id = ? AND tip_id = ?",
            [(user_id, t) for t in tip_ids],
        )

    async def note_group(self, chat_id: int, now: datetime) -> bool:
        """Record that a group was told the bot is private-only; False if it was told before."""
        added = await self._run(
            "INSERT OR IGNORE INTO group_notices (chat_id, at) VALUES (?, ?)", (chat_id, to_ts(now))
        )
        return added == 1

    # --- content features: swaps, self-checks, the intimacy track -----------------------------

    async def set_day_prompt(self, couple_id: int, round_: int, day: int, prompt_id: str) -> None:
        await self._run(
            "UPDATE days SET prompt_id = ? WHERE couple_id = ? AND round = ? AND day = ?",
            (prompt_id, couple_id, round_, day),
        )

    async def used_prompts(self, couple_id: int, day: int) -> set[str]:
        """Every prompt this couple has had on ``day``, in any round, including swapped-out ones."""
        rows = await self._all(
            "SELECT prompt_id AS p FROM days WHERE couple_id = ? AND day = ?"
            " UNION SELECT from_prompt AS p FROM swaps WHERE couple_id = ? AND day = ?",
            (couple_id, day, couple_id, day),
        )
        return {r["p"] for r in rows}

    async def record_swap(
        self, couple_id: int, round_: int, day: int, user_id: int, old: str, new: str, now: datetime
    ) -> bool:
        """At most one swap per couple and day: returns False if the day was swapped already."""
        added = await self._run(
            "INSERT OR IGNORE INTO swaps (couple_id, round, day, user_id, from_prompt, to_prompt,"
            " at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (couple_id, round_, day, user_id, old, new, to_ts(now)),
        )
        return added == 1

    @staticmethod
    def _checkin(row: aiosqlite.Row) -> Checkin:
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

    async def create_checkin(
        self, user_id: int, couple_id: int | None, round_: int, slot: int, now: datetime
    ) -> Checkin:
        async with self.conn.execute(
            "INSERT INTO checkins (user_id, couple_id, round, slot, started_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (user_id, couple_id, round_, slot, to_ts(now)),
        ) as cur:
            checkin_id = _new_id(cur, "checkins")
        found = await self.checkin(checkin_id)
        if found is None:
            raise MissingRow(f"no row for check-in {checkin_id} right after creating it")
        return found

    async def checkin(self, checkin_id: int) -> Checkin | None:
        row = await self._one("SELECT * FROM checkins WHERE id = ?", (checkin_id,))
        return self._checkin(row) if row else None

    async def open_checkin(self, user_id: int) -> Checkin | None:
        row = await self._one(
            "SELECT * FROM checkins WHERE user_id = ? AND finished_at IS NULL"
            " ORDER BY id DESC LIMIT 1",
            (user_id,),
        )
        return self._checkin(row) if row else None

    async def finished_checkins(self, user_id: int, limit: int = 2) -> list[Checkin]:
        """This user's finished check-ins, newest first."""
        rows = await self._all(
            "SELECT * FROM checkins WHERE user_id = ? AND finished_at IS NOT NULL"
            " ORDER BY finished_at DESC, id DESC LIMIT ?",
            (user_id, limit),
        )
        return [self._checkin(r) for r in rows]

    async def latest_checkin_in_slot(
        self, user_id: int, couple_id: int, round_: int, slot: int
    ) -> Checkin | None:
        row = await self._one(
            "SELECT * FROM checkins WHERE user_id = ? AND couple_id = ? AND round = ? AND slot = ?"
            " AND finished_at IS NOT NULL ORDER BY id DESC LIMIT 1",
            (user_id, couple_id, round_, slot),
        )
        return self._checkin(row) if row else None

    async def save_checkin_scores(
        self, checkin_id: int, scores: dict[str, int], finished_at: datetime | None
    ) -> None:
        await self._run(
            "UPDATE checkins SET scores = ?, finished_at = ? WHERE id = ?",
            (json.dumps(scores, sort_keys=True), to_ts(finished_at), checkin_id),
        )

    async def share_checkin(self, checkin_id: int, now: datetime) -> None:
        await self._run(
            "UPDATE checkins SET shared_at = COALESCE(shared_at, ?) WHERE id = ?",
            (to_ts(now), checkin_id),
        )

    async def set_intimacy(
        self, couple_id: int, user_id: int, opted_in: bool, now: datetime
    ) -> bool:
        """Store this partner's choice; returns whether it changed."""
        before = await self._one(
            "SELECT opted_in FROM intimacy_optin WHERE couple_id = ? AND user_id = ?",
            (couple_id, user_id),
        )
        if before is not None and bool(before["opted_in"]) == opted_in:
            return False
        await self._run(
            "INSERT INTO intimacy_optin (couple_id, user_id, opted_in, changed_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT(couple_id, user_id) DO UPDATE SET"
            " opted_in = excluded.opted_in, changed_at = excluded.changed_at",
            (couple_id, user_id, int(opted_in), to_ts(now)),
        )
        return before is not None or opted_in

    async def intimacy_opted_in(self, couple_id: int) -> set[int]:
        rows = await self._all(
            "SELECT user_id FROM intimacy_optin WHERE couple_id = ? AND opted_in = 1",
            (couple_id,),
        )
        return {r["user_id"] for r in rows}

    async def intimacy_steps_sent(self, couple_id: int, user_id: int) -> int:
        row = await self._one(
            "SELECT MAX(step) AS n FROM intimacy_sent WHERE couple_id = ? AND user_id = ?",
            (couple_id, user_id),
        )
        return int(row["n"]) if row and row["n"] is not None else 0

    async def record_intimacy_step(
        self, couple_id: int, user_id: int, step: int, now: datetime
    ) -> bool:
        added = await self._run(
            "INSERT OR IGNORE INTO intimacy_sent (couple_id, user_id, step, sent_at)"
            " VALUES (?, ?, ?, ?)",
            (couple_id, user_id, step, to_ts(now)),
        )
        return added == 1

    # --- outbox ------------------------------------------------------------------------------

    async def enqueue(
        self,
        *,
        key: str,
        chat_id: int,
        kind: str,
        method: str,
        payload: str,
        priority: int,
        not_before: datetime,
        ref: str | None,
        now: datetime,
    ) -> bool:
        """Add a message to the outbox; a key seen before is a no-op (returns False)."""
        added = await self._run(
            "INSERT OR IGNORE INTO outbox (key, chat_id, kind, method, payload, priority,"
            " not_before, ref, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key, chat_id, kind, method, payload, priority, to_ts(not_before), ref, to_ts(now)),
        )
        return added == 1

    async def enqueue_many(self, rows: list[tuple[Any, ...]]) -> None:
        """Many ``enqueue`` rows at once: ``(key, chat, kind, method, payload, priority,
        not_before, ref, created_at)``, timestamps as stored."""
        await self._many(
            "INSERT OR IGNORE INTO outbox (key, chat_id, kind, method, payload, priority,"
            " not_before, ref, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    async def pending(self, now: datetime, limit: int) -> list[OutboxRow]:
        rows = await self._all(
            "SELECT id, key, chat_id, kind, method, payload, priority, not_before, attempts, ref"
            " FROM outbox WHERE status = 'pending' AND not_before <= ?"
            " ORDER BY priority, not_before, id LIMIT ?",
            (to_ts(now), limit),
        )
        return [
            OutboxRow(
                r["id"],
                r["key"],
                r["chat_id"],
                r["kind"],
                r["method"],
                r["payload"],
                r["priority"],
                from_ts(r["not_before"]),
                r["attempts"],
                r["ref"],
            )  # type: ignore[arg-type]
            for r in rows
        ]

    async def mark_sent(self, row_id: int, message_id: int | None, now: datetime) -> None:
        # The payload may hold a partner's answer: once delivered it has no reason to stay.
        await self._run(
            "UPDATE outbox SET status = 'sent', message_id = ?, sent_at = ?, payload = ''"
            " WHERE id = ?",
            (message_id, to_ts(now), row_id),
        )

    async def mark_sent_many(self, sent: list[tuple[int, int | None]], now: datetime) -> None:
        """``mark_sent`` for a batch of ``(row id, message id)``: one statement, one commit."""
        await self.conn.executemany(
            "UPDATE outbox SET status = 'sent', message_id = ?, sent_at = ?, payload = ''"
            " WHERE id = ?",
            [(message_id, to_ts(now), row_id) for row_id, message_id in sent],
        )

    async def has_pending(self, kind: str, now: datetime) -> bool:
        """Is a row of this kind due and still waiting to be sent?"""
        row = await self._one(
            "SELECT 1 FROM outbox WHERE status = 'pending' AND kind = ? AND not_before <= ? LIMIT 1",
            (kind, to_ts(now)),
        )
        return row is not None

    async def reschedule(
        self, row_id: int, not_before: datetime, attempts: int, error: str
    ) -> None:
        await self._run(
            "UPDATE outbox SET not_before = ?, attempts = ?, last_error = ? WHERE id = ?",
            (to_ts(not_before), attempts, error[:500], row_id),
        )

    async def defer(self, row_ids: list[int], not_before: datetime) -> None:
        """Hold pending rows until at least ``not_before`` (a chat's queue behind a retry)."""
        await self.conn.executemany(
            "UPDATE outbox SET not_before = MAX(not_before, ?) WHERE id = ? AND status = 'pending'",
            [(to_ts(not_before), row_id) for row_id in row_ids],
        )

    async def finish(self, row_id: int, status: str, error: str) -> None:
        await self._run(
            "UPDATE outbox SET status = ?, last_error = ?, payload = '' WHERE id = ?"
            if status == "dropped"
            else "UPDATE outbox SET status = ?, last_error = ? WHERE id = ?",
            (status, error[:500], row_id),
        )

    async def drop_pending_for(self, chat_id: int, error: str) -> int:
        return await self._run(
            "UPDATE outbox SET status = 'dropped', last_error = ?, payload = ''"
            " WHERE chat_id = ? AND status = 'pending'",
            (error[:500], chat_id),
        )

    async def retry_failed(self, now: datetime) -> int:
        return await self._run(
            "UPDATE outbox SET status = 'pending', attempts = 0, not_before = ?"
            " WHERE status = 'failed'",
            (to_ts(now),),
        )

    async def sent_ref(self, chat_id: int, message_id: int) -> str | None:
        row = await self._one(
            "SELECT ref FROM outbox WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
        )
        return row["ref"] if row else None

    async def withdraw(self, key: str, reason: str) -> bool:
        """Take back a message that has not gone out yet; False if it went (or never existed)."""
        changed = await self._run(
            "UPDATE outbox SET status = 'dropped', last_error = ?, payload = ''"
            " WHERE key = ? AND status = 'pending'",
            (reason, key),
        )
        return changed == 1

    async def failed_rows(self, limit: int = 50) -> list[aiosqlite.Row]:
        """Parked rows for the operator: what and to whom, never the message body."""
        return await self._all(
            "SELECT id, kind, chat_id, attempts, last_error, created_at FROM outbox"
            " WHERE status = 'failed' ORDER BY id LIMIT ?",
            (limit,),
        )

    # --- retention (scheduler/retention.py) ----------------------------------------------------
    # Old rows are visited in (time, rowid) order from a cursor, a batch per transaction, so a
    # row kept on purpose is looked at once, not again in every batch.

    async def old_outbox_rows(
        self, before: int, after: tuple[int, int], limit: int
    ) -> list[tuple[int, int]]:
        """``(created_at, id)`` of outbox rows created before ``before``, past the cursor."""
        rows = await self._all(
            "SELECT created_at, id FROM outbox WHERE created_at < ? AND (created_at, id) > (?, ?)"
            " ORDER BY created_at, id LIMIT ?",
            (before, *after, limit),
        )
        return [(r[0], r[1]) for r in rows]

    async def prune_outbox(self, ids: list[int]) -> int:
        """Delete those rows that are settled (sent or dropped); pending and failed ones stay."""
        before = self.conn.total_changes
        await self._many(
            "DELETE FROM outbox WHERE id = ? AND status IN ('sent', 'dropped')",
            [(i,) for i in ids],
        )
        return self.conn.total_changes - before

    async def old_deliveries(
        self, before: int, after: tuple[int, int], limit: int
    ) -> list[tuple[int, int]]:
        """``(delivered_at, rowid)`` of delivery records older than ``before``, past the cursor."""
        rows = await self._all(
            "SELECT delivered_at, rowid FROM deliveries WHERE delivered_at < ?"
            " AND (delivered_at, rowid) > (?, ?) ORDER BY delivered_at, rowid LIMIT ?",
            (before, *after, limit),
        )
        return [(r[0], r[1]) for r in rows]

    async def prune_deliveries(self, rowids: list[int]) -> int:
        """Delete those records that are not among their partner's two latest of the round.

        The latest two carry today's and yesterday's answer window, reminder and nudge (a paused
        couple's may be months old); older ones are bookkeeping nobody reads again.
        """
        before = self.conn.total_changes
        await self._many(
            "DELETE FROM deliveries WHERE rowid = ? AND day < (SELECT MAX(m.day) FROM deliveries m"
            " WHERE m.user_id = deliveries.user_id AND m.couple_id = deliveries.couple_id"
            " AND m.round = deliveries.round) - 1",
            [(r,) for r in rowids],
        )
        return self.conn.total_changes - before

    async def outbox_counts(self) -> dict[str, int]:
        rows = await self._all("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
        return {r["status"]: r["n"] for r in rows}


def _chunks(items: list[Any], size: int = 500) -> Iterable[list[Any]]:
    """Keeps each statement well under SQLite's limit on bound parameters."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
