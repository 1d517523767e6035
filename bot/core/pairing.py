"""Invite codes: unguessable, single-use, expiring."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

INVITE_TTL = timedelta(days=7)
CODE_BYTES = 12  # 96 random bits; token_urlsafe gives 16 URL-safe characters


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def looks_like_code(text: str) -> bool:
    return 8 <= len(text) <= 64 and all(c.isalnum() or c in "-_" for c in text)


class InviteProblem(StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    OWN = "own"
    YOU_PAIRED = "you_paired"
    INVITER_PAIRED = "inviter_paired"


@dataclass(frozen=True, slots=True)
class Invite:
    code: str
    inviter_id: int
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


def check_invite(
    invite: Invite | None,
    *,
    user_id: int,
    now: datetime,
    user_paired: bool,
    inviter_paired: bool,
) -> InviteProblem | None:
    """Why ``user_id`` cannot accept ``invite`` right now, or ``None`` if they can."""
    if invite is None:
        return InviteProblem.UNKNOWN
    if invite.inviter_id == user_id:
        return InviteProblem.OWN
    if invite.used_at is not None:
        return InviteProblem.USED
    if now >= invite.expires_at:
        return InviteProblem.EXPIRED
    if user_paired:
        return InviteProblem.YOU_PAIRED
    if inviter_paired:
        return InviteProblem.INVITER_PAIRED
    return None
