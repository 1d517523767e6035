"""Rows as small immutable records. Instants are aware UTC datetimes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum


def to_ts(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def from_ts(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


class CoupleStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"  # finished the challenge and chose not to go again
    ENDED = "ended"  # unpaired

    @property
    def is_live(self) -> bool:
        return self in (CoupleStatus.ACTIVE, CoupleStatus.PAUSED)


class MessageKind(StrEnum):
    """What an outbox row is, for the sender's ordering and the operator's report."""

    PROMPT = "prompt"
    REMINDER = "reminder"
    REVEAL = "reveal"
    NOTICE = "notice"
    RECAP = "recap"
    NUDGE = "nudge"
    REPLY = "reply"  # a handler's answer, queued by a webhook instance (bot/delivery/replies.py)


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # parked after every retry; retried when the bot starts
    DROPPED = "dropped"


@dataclass(frozen=True, slots=True)
class User:
    user_id: int
    first_name: str
    username: str | None
    timezone: str
    delivery_time: str
    couple_id: int | None
    next_day: int
    next_delivery_at: datetime | None
    last_slot_at: datetime | None
    blocked: bool
    language: str | None = None  # a shipped catalogue locale; None until the first update

    @property
    def name(self) -> str:
        if self.first_name or self.username:
            return self.first_name or f"@{self.username}"
        from bot import texts  # the storage layer knows no texts but this one fallback

        return str(texts.YOUR_PARTNER)


@dataclass(frozen=True, slots=True)
class Couple:
    id: int
    user_a: int
    user_b: int
    status: CoupleStatus
    round: int
    paused_by: int | None
    started_at: datetime

    @property
    def partners(self) -> tuple[int, int]:
        return (self.user_a, self.user_b)

    def partner_of(self, user_id: int) -> int:
        return self.user_b if user_id == self.user_a else self.user_a

    @property
    def is_live(self) -> bool:
        return self.status.is_live


@dataclass(frozen=True, slots=True)
class Invite:
    code: str
    inviter_id: int
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True, slots=True)
class Day:
    couple_id: int
    round: int
    day: int
    prompt_id: str
    revealed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Delivery:
    user_id: int
    couple_id: int
    round: int
    day: int
    slot_at: datetime
    delivered_at: datetime
    remind_at: datetime | None
    nudged_at: datetime | None


@dataclass(frozen=True, slots=True)
class Answer:
    couple_id: int
    round: int
    day: int
    user_id: int
    kind: str
    text: str | None
    file_id: str | None
    message_id: int | None


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    key: str
    chat_id: int
    kind: MessageKind
    method: str
    payload: str
    priority: int
    not_before: datetime
    attempts: int
    ref: str | None


@dataclass(frozen=True, slots=True)
class Checkin:
    """One private self-check; ``scores`` maps question id to 1-5 (5: the sign is strong)."""

    id: int
    user_id: int
    couple_id: int | None
    round: int
    slot: int
    scores: dict[str, int]
    started_at: datetime
    finished_at: datetime | None
    shared_at: datetime | None
