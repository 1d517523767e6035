"""The storage contract: what flows, the scheduler and the sender may ask of a transaction.

Flows are typed against ``Transaction``; ``bot.storage.tx.Tx`` implements it for both backends,
and ``tests/storage/test_contract.py`` runs every behaviour here against each of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from bot.storage.models import (
    Answer,
    Checkin,
    Couple,
    CoupleStatus,
    Day,
    Delivery,
    Invite,
    MessageKind,
    OutboxRow,
    OutboxStatus,
    User,
)
from bot.storage.sql import Row


class UsersPort(Protocol):
    """Partners: who they are, their schedule, where they are in the challenge."""

    async def upsert_user(
        self,
        user_id: int,
        first_name: str,
        username: str | None,
        *,
        timezone: str,
        delivery_time: str,
        now: datetime,
    ) -> User: ...

    async def set_language(self, user_id: int, language: str) -> None:
        """The language the partner reads (a shipped locale, e.g. "ru")."""

    async def user(self, user_id: int) -> User | None: ...

    async def require_user(self, user_id: int) -> User:
        """The user's row, which must exist (see ``MissingRow``)."""
        ...

    async def users_by_id(self, ids: Iterable[int]) -> dict[int, User]: ...

    async def lock_users(self, ids: Iterable[int]) -> None:
        """Hold these users' rows until commit, in id order (PostgreSQL)."""
        ...

    async def set_schedule(
        self,
        user_id: int,
        *,
        timezone: str | None = None,
        delivery_time: str | None = None,
        next_delivery_at: datetime | None,
    ) -> None: ...

    async def join_couple(
        self, user_id: int, couple_id: int, next_delivery_at: datetime
    ) -> None: ...

    async def leave_couple(self, user_id: int) -> None: ...

    async def advance(
        self, user_id: int, *, next_day: int, slot_at: datetime, next_delivery_at: datetime | None
    ) -> None: ...

    async def advance_many(
        self, rows: list[tuple[int, int, datetime | None, datetime | None]]
    ) -> None:
        """``advance`` for many ``(user, next day, slot at, next delivery at)``; a None slot keeps
        the last one."""
        ...

    async def restart_round(self, user_id: int, next_delivery_at: datetime) -> None: ...

    async def set_blocked(self, user_id: int, blocked: bool) -> bool:
        """Returns whether the flag changed."""
        ...

    async def due_users(self, now: datetime, limit: int) -> list[User]:
        """Partners whose next delivery has come, oldest first. In a write transaction on
        PostgreSQL the rows are claimed: another instance's tick skips them until commit."""
        ...

    async def delete_user(self, user_id: int) -> None: ...


class CouplesPort(Protocol):
    """Couples and the invites that make them."""

    async def create_couple(self, user_a: int, user_b: int, now: datetime) -> int: ...

    async def couple(self, couple_id: int | None, *, lock: bool = False) -> Couple | None:
        """``lock``: in a write transaction, hold the couple until commit, so two instances
        never change the same couple at once (a no-op on SQLite's single writer)."""
        ...

    async def couples_by_id(self, ids: Iterable[int]) -> dict[int, Couple]: ...

    async def set_couple_status(
        self, couple_id: int, status: CoupleStatus, *, paused_by: int | None = None, now: datetime
    ) -> None: ...

    async def next_round(self, couple_id: int) -> int: ...

    async def couples_of(self, user_id: int) -> list[int]: ...

    async def delete_couple(self, couple_id: int) -> None: ...

    async def live_invite(self, inviter_id: int, now: datetime) -> Invite | None: ...

    async def create_invite(
        self, code: str, inviter_id: int, now: datetime, expires_at: datetime
    ) -> Invite: ...

    async def invite(self, code: str) -> Invite | None: ...

    async def use_invite(self, code: str, user_id: int, now: datetime) -> bool: ...

    async def drop_open_invites(self, user_id: int) -> None: ...


class DaysPort(Protocol):
    """A couple's days: prompts, deliveries, answers, swaps."""

    async def day(self, couple_id: int, round_: int, day: int) -> Day | None: ...

    async def days_by_key(
        self, keys: Iterable[tuple[int, int, int]]
    ) -> dict[tuple[int, int, int], Day]:
        """The stored day of each ``(couple, round, day)`` that has a day row already."""
        ...

    async def add_days(self, rows: list[tuple[int, int, int, str]]) -> None:
        """``(couple, round, day, prompt id)``; a day stored before keeps its prompt."""
        ...

    async def mark_revealed(self, couple_id: int, round_: int, day: int, now: datetime) -> bool: ...

    async def revealed_days(self, couple_id: int, round_: int) -> list[int]: ...

    async def revealed_page(
        self, couple_id: int, offset: int, limit: int
    ) -> tuple[list[tuple[Day, dict[int, Answer]]], int]:
        """Revealed days of the couple, newest first, with both answers; and the total count."""
        ...

    async def revealed_between(
        self, couple_id: int, round_: int, first: int, last: int
    ) -> list[tuple[Day, dict[int, Answer]]]:
        """Revealed days ``first``..``last`` of a round in day order, each with both answers."""
        ...

    async def set_day_prompt(
        self, couple_id: int, round_: int, day: int, prompt_id: str
    ) -> None: ...

    async def used_prompts(self, couple_id: int, day: int) -> set[str]:
        """Every prompt this couple has had on ``day``, in any round, including swapped-out ones."""
        ...

    async def record_swap(
        self, couple_id: int, round_: int, day: int, user_id: int, old: str, new: str, now: datetime
    ) -> bool:
        """At most one swap per couple and day: returns False if the day was swapped already."""
        ...

    async def deliveries(
        self, user_id: int, couple_id: int, round_: int, limit: int = 2
    ) -> list[Delivery]:
        """This partner's deliveries in the round, newest first."""
        ...

    async def delivery(
        self, user_id: int, couple_id: int, round_: int, day: int
    ) -> Delivery | None: ...

    async def add_deliveries(self, rows: list[Delivery]) -> None: ...

    async def clear_reminder(self, user_id: int, couple_id: int, round_: int, day: int) -> None: ...

    async def clear_reminders(self, deliveries: list[Delivery]) -> None: ...

    async def mark_nudged(
        self, user_id: int, couple_id: int, round_: int, day: int, now: datetime
    ) -> bool: ...

    async def due_reminders(self, now: datetime, limit: int) -> list[Delivery]:
        """Reminders whose moment has come, oldest first (claimed on PostgreSQL, like
        ``Users.due_users``)."""
        ...

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
        ...

    async def answer(
        self, couple_id: int, round_: int, day: int, user_id: int
    ) -> Answer | None: ...

    async def answer_by_message(self, user_id: int, message_id: int) -> Answer | None: ...

    async def answers(self, couple_id: int, round_: int, day: int) -> dict[int, Answer]: ...

    async def answered(
        self, keys: Iterable[tuple[int, int, int, int]]
    ) -> set[tuple[int, int, int, int]]:
        """Which ``(couple, round, day, user)`` have an answer."""
        ...


class CheckinsPort(Protocol):
    """Private self-checks."""

    async def create_checkin(
        self, user_id: int, couple_id: int | None, round_: int, slot: int, now: datetime
    ) -> Checkin: ...

    async def checkin(self, checkin_id: int) -> Checkin | None: ...

    async def open_checkin(self, user_id: int) -> Checkin | None: ...

    async def finished_checkins(self, user_id: int, limit: int = 2) -> list[Checkin]:
        """This user's finished check-ins, newest first."""
        ...

    async def latest_checkin_in_slot(
        self, user_id: int, couple_id: int, round_: int, slot: int
    ) -> Checkin | None: ...

    async def save_checkin_scores(
        self, checkin_id: int, scores: dict[str, int], finished_at: datetime | None
    ) -> None: ...

    async def share_checkin(self, checkin_id: int, now: datetime) -> None: ...


class TipsPort(Protocol):
    """Tips a user has read."""

    async def seen_tips(self, user_id: int) -> set[str]: ...

    async def record_tip(self, user_id: int, tip_id: str, now: datetime) -> None: ...

    async def forget_tips(self, user_id: int, tip_ids: Iterable[str]) -> None: ...


class IntimacyPort(Protocol):
    """The opt-in intimacy track."""

    async def set_intimacy(
        self, couple_id: int, user_id: int, opted_in: bool, now: datetime
    ) -> bool:
        """Store this partner's choice; returns whether it changed."""
        ...

    async def intimacy_opted_in(self, couple_id: int) -> set[int]: ...

    async def intimacy_opted_in_many(self, couple_ids: Iterable[int]) -> dict[int, set[int]]: ...

    async def intimacy_steps_sent(self, couple_id: int, user_id: int) -> int: ...

    async def record_intimacy_step(
        self, couple_id: int, user_id: int, step: int, now: datetime
    ) -> bool: ...


class GroupsPort(Protocol):
    """Groups told once that the bot is private-only."""

    async def note_group(self, chat_id: int, now: datetime) -> bool:
        """Record that a group was told the bot is private-only; False if it was told before."""
        ...


class OutboxPort(Protocol):
    """The durable outbox."""

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
        ...

    async def enqueue_many(self, rows: list[tuple[Any, ...]]) -> None:
        """Many ``enqueue`` rows at once: ``(key, chat, kind, method, payload, priority,
        not_before, ref, created_at)``, timestamps as stored; keys seen before are skipped."""
        ...

    async def pending(self, now: datetime, limit: int) -> list[OutboxRow]: ...

    async def mark_sent(self, row_id: int, message_id: int | None, now: datetime) -> None: ...

    async def mark_sent_many(self, sent: list[tuple[int, int | None]], now: datetime) -> None:
        """Record a batch of ``(row id, message id)`` as sent: one statement, one commit."""
        ...

    async def has_pending(self, kind: MessageKind, now: datetime) -> bool:
        """Is a row of this kind due and still waiting to be sent?"""
        ...

    async def reschedule(
        self, row_id: int, not_before: datetime, attempts: int, error: str
    ) -> None: ...

    async def defer(self, row_ids: list[int], not_before: datetime) -> None:
        """Hold pending rows until at least ``not_before`` (a chat's queue behind a retry)."""
        ...

    async def finish(self, row_id: int, status: OutboxStatus, error: str) -> None: ...

    async def drop_pending_for(self, chat_id: int, error: str) -> int: ...

    async def retry_failed(self, now: datetime) -> int: ...

    async def sent_ref(self, chat_id: int, message_id: int) -> str | None: ...

    async def withdraw(self, key: str, reason: str) -> bool:
        """Take back a message that has not gone out yet; False if it went (or never existed)."""
        ...

    async def failed_rows(self, limit: int = 50) -> list[Row]:
        """Parked rows for the operator: what and to whom, never the message body."""
        ...

    async def outbox_counts(self) -> dict[str, int]: ...


class RetentionPort(Protocol):
    """Old rows, for the retention job."""

    async def old_outbox_rows(
        self, before: int, after: tuple[int, int], limit: int
    ) -> list[tuple[int, int]]:
        """``(created_at, id)`` of outbox rows created before ``before``, past the cursor."""
        ...

    async def prune_outbox(self, ids: list[int]) -> int:
        """Delete those rows that are settled (sent or dropped); pending and failed ones stay."""
        ...

    async def old_deliveries(
        self, before: int, after: tuple[int, int], limit: int
    ) -> list[tuple[int, int]]:
        """``(delivered_at, row id)`` of delivery records older than ``before``, past the cursor."""
        ...

    async def prune_deliveries(self, rowids: list[int]) -> int:
        """Delete those records that are not among their partner's two latest of the round.

        The latest two carry today's and yesterday's answer window, reminder and nudge (a paused
        couple's may be months old); older ones are bookkeeping nobody reads again."""
        ...


class UpdatesPort(Protocol):
    """Telegram updates taken on by an instance (each processed once)."""

    async def claim_update(self, update_id: int, now: datetime, stale_after: float) -> bool:
        """Take the update on; False if it was processed already or another instance is at it."""
        ...

    async def renew_claim(self, update_id: int, claimed_at: datetime, now: datetime) -> bool:
        """Move a live claim from ``claimed_at`` to ``now``; False if it is no longer ours."""
        ...

    async def update_done(self, update_id: int) -> None: ...

    async def update_processed(self, update_id: int) -> bool: ...

    async def forget_updates(self, before: int) -> int: ...


class Transaction(Protocol):
    """One open transaction: a repository per aggregate, and what it enqueued."""

    users: UsersPort
    couples: CouplesPort
    days: DaysPort
    checkins: CheckinsPort
    tips: TipsPort
    intimacy: IntimacyPort
    groups: GroupsPort
    outbox: OutboxPort
    retention: RetentionPort
    updates: UpdatesPort
    enqueued: list[str]
