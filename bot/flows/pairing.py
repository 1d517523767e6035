"""Invites, accepting and declining them, and starting the challenge."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from bot import i18n, keys
from bot.context import Couplet, next_slot
from bot.core.outcomes import PartnerNews
from bot.core.pairing import INVITE_TTL, InviteProblem, check_invite, new_code
from bot.core.pairing import Invite as CoreInvite
from bot.delivery.outbox import enqueue
from bot.flows.messages import paired_message, partner_news
from bot.storage import Transaction
from bot.storage.models import CoupleStatus, Invite, User


@dataclass(frozen=True)
class Paired:
    user: User
    partner: User
    couple_status: str


@dataclass(frozen=True)
class Inviting:
    user: User
    invite: Invite


async def touch_user(
    app: Couplet, user_id: int, first_name: str, username: str | None, language_code: str | None
) -> User:
    """Keep the user row fresh; on first contact, pick their language from Telegram's."""
    async with app.db.transaction() as tx:
        user = await tx.users.upsert_user(
            user_id,
            first_name,
            username,
            timezone=app.settings.default_timezone,
            delivery_time=app.settings.default_delivery_time,
            now=app.now(),
        )
        if user.language is None:
            language = i18n.resolve(language_code)
            await tx.users.set_language(user_id, language)
            user = replace(user, language=language)
        return user


async def set_language(app: Couplet, user_id: int, language: str) -> None:
    async with app.db.transaction() as tx:
        await tx.users.set_language(user_id, language)


async def start(app: Couplet, user_id: int) -> Paired | Inviting:
    """The paired status, or this user's live invite (the same one until used or expired)."""
    now = app.now()
    async with app.db.transaction() as tx:
        user = await tx.users.require_user(user_id)
        couple = await tx.couples.couple(user.couple_id)
        if couple and couple.status != CoupleStatus.ENDED:
            partner = await tx.users.require_user(couple.partner_of(user_id))
            return Paired(user, partner, couple.status)
        invite = await tx.couples.live_invite(user_id, now)
        if invite is None:
            invite = await tx.couples.create_invite(new_code(), user_id, now, now + INVITE_TTL)
        return Inviting(user, invite)


async def _problem(
    tx: Transaction, code: str, user: User, now: datetime
) -> tuple[InviteProblem | None, Invite | None, User | None]:
    invite = await tx.couples.invite(code)
    inviter = await tx.users.user(invite.inviter_id) if invite else None
    problem = check_invite(
        CoreInvite(invite.code, invite.inviter_id, invite.created_at, invite.expires_at,
                   invite.used_at) if invite else None,
        user_id=user.user_id,
        now=now,
        user_paired=await _paired(tx, user),
        inviter_paired=await _paired(tx, inviter) if inviter else False,
    )  # fmt: skip
    return problem, invite, inviter


async def _paired(tx: Transaction, user: User) -> bool:
    couple = await tx.couples.couple(user.couple_id)
    return bool(couple and couple.is_live)


async def open_invite(
    app: Couplet, user_id: int, code: str
) -> tuple[InviteProblem | None, User | None]:
    async with app.db.read() as tx:
        user = await tx.users.require_user(user_id)
        problem, _, inviter = await _problem(tx, code, user, app.now())
        return problem, inviter


@dataclass(frozen=True)
class Accepted:
    problem: InviteProblem | None
    user: User | None = None
    partner: User | None = None


async def accept(app: Couplet, user_id: int, code: str) -> Accepted:
    now = app.now()
    async with app.db.transaction() as tx:
        invited = await tx.couples.invite(code)  # both partners' rows first, in id order
        await tx.users.lock_users([user_id, *([invited.inviter_id] if invited else [])])
        user = await tx.users.require_user(user_id)
        problem, invite, inviter = await _problem(tx, code, user, now)
        if problem or invite is None or inviter is None:
            return Accepted(problem or InviteProblem.UNKNOWN)
        if not await tx.couples.use_invite(code, user_id, now):
            return Accepted(InviteProblem.USED)
        couple_id = await tx.couples.create_couple(inviter.user_id, user_id, now)
        for member in (inviter, user):
            await tx.users.join_couple(member.user_id, couple_id, next_slot(member, now))
            await tx.couples.drop_open_invites(member.user_id)
        inviter = await tx.users.require_user(inviter.user_id)
        user = await tx.users.require_user(user_id)
        await enqueue(tx, paired_message(inviter, user, couple_id), now)
    return Accepted(None, user, inviter)


async def decline(app: Couplet, user_id: int, code: str) -> bool:
    """Tell the inviter (once per invite and person); the invite stays valid for someone else."""
    now = app.now()
    async with app.db.transaction() as tx:
        user = await tx.users.user(user_id)
        invite = await tx.couples.invite(code)
        if user is None or invite is None or invite.used_at or invite.inviter_id == user_id:
            return False
        inviter = await tx.users.user(invite.inviter_id)
        if inviter is None:
            return False
        key = keys.declined_key(code, user_id)
        await enqueue(tx, partner_news(inviter, PartnerNews.DECLINED, user, key), now)
    return True


class StartNow(StrEnum):
    STARTED = "started"
    NOT_PAIRED = "not_paired"
    PAUSED = "paused"
    ALREADY = "already"  # day 1 went out to at least one of them


async def start_now(app: Couplet, user_id: int) -> StartNow:
    """Bring day 1 forward to now for both partners, if neither has received it yet."""
    now = app.now()
    async with app.db.transaction() as tx:
        user = await tx.users.user(user_id)
        couple = await tx.couples.couple(user.couple_id if user else None, lock=True)
        if couple is None or not couple.is_live:
            return StartNow.NOT_PAIRED
        if couple.status != CoupleStatus.ACTIVE:
            return StartNow.PAUSED
        members = [await tx.users.user(uid) for uid in couple.partners]
        waiting = [m for m in members if m is not None and m.next_delivery_at is not None]
        if len(waiting) != len(members) or any(m.next_day != 1 for m in waiting):
            return StartNow.ALREADY
        for member in waiting:
            await tx.users.set_schedule(member.user_id, next_delivery_at=now)
    return StartNow.STARTED
