"""Pause, resume, unpair, erase, another round, and users who stopped the bot."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot import keys
from bot.context import Couplet, next_slot
from bot.core.outcomes import PartnerNews
from bot.delivery.outbox import enqueue
from bot.flows.live import live_pairing
from bot.flows.messages import partner_news
from bot.storage.models import CoupleStatus, User


class Reason(StrEnum):
    """Why a change was refused, or which way it went (another round: again or stopped)."""

    NOT_PAIRED = "not_paired"
    ALREADY = "already"
    NOT_PAUSED = "not_paused"
    PARTNER_GONE = "partner_gone"
    UNKNOWN = "unknown"
    NOT_FINISHED = "not_finished"
    STOPPED = "stopped"
    AGAIN = "again"


@dataclass(frozen=True)
class Change:
    ok: bool
    reason: Reason | None = None
    user: User | None = None
    partner: User | None = None


async def pause(app: Couplet, user_id: int) -> Change:
    now = app.now()
    async with app.db.transaction() as tx:
        user, couple, partner = await live_pairing(tx, user_id)
        if couple is None or partner is None or user is None:
            return Change(False, Reason.NOT_PAIRED)
        if couple.status == CoupleStatus.PAUSED:
            return Change(False, Reason.ALREADY, user, partner)
        await tx.couples.set_couple_status(
            couple.id, CoupleStatus.PAUSED, paused_by=user_id, now=now
        )
        for uid in couple.partners:
            await tx.users.set_schedule(uid, next_delivery_at=None)
        key = keys.pause_key(couple.id, int(now.timestamp()))
        await enqueue(tx, partner_news(partner, PartnerNews.PAUSED, user, key, couple.id), now)
    return Change(True, user=user, partner=partner)


async def resume(app: Couplet, user_id: int) -> Change:
    now = app.now()
    async with app.db.transaction() as tx:
        user, couple, partner = await live_pairing(tx, user_id)
        if couple is None or partner is None or user is None:
            return Change(False, Reason.NOT_PAIRED)
        if couple.status != CoupleStatus.PAUSED:
            return Change(False, Reason.NOT_PAUSED, user, partner)
        if partner.blocked:
            return Change(False, Reason.PARTNER_GONE, user, partner)
        await tx.couples.set_couple_status(couple.id, CoupleStatus.ACTIVE, now=now)
        for member in (user, partner):
            if member.next_day <= 30:
                await tx.users.set_schedule(member.user_id, next_delivery_at=next_slot(member, now))
        user, partner = (
            await tx.users.require_user(user_id),
            await tx.users.require_user(partner.user_id),
        )
        key = keys.resume_key(couple.id, int(now.timestamp()))
        await enqueue(tx, partner_news(partner, PartnerNews.RESUMED, user, key, couple.id), now)
    return Change(True, user=user, partner=partner)


async def unpair(app: Couplet, user_id: int) -> Change:
    now = app.now()
    async with app.db.transaction() as tx:
        user, couple, partner = await live_pairing(tx, user_id)
        if couple is None or partner is None or user is None:
            return Change(False, Reason.NOT_PAIRED)
        await tx.couples.set_couple_status(couple.id, CoupleStatus.ENDED, now=now)
        for uid in couple.partners:
            await tx.users.leave_couple(uid)
        news = partner_news(partner, PartnerNews.UNPAIRED, user, keys.unpair_key(couple.id))
        await enqueue(tx, news, now)
    return Change(True, user=user, partner=partner)


async def delete_data(app: Couplet, user_id: int) -> Change:
    """Erase the user, their answers, invites and couples; the partner is told and unpaired."""
    now = app.now()
    async with app.db.transaction() as tx:
        user, couple, partner = await live_pairing(tx, user_id)
        if user is None:
            return Change(False, Reason.UNKNOWN)
        if couple is not None and partner is not None:
            await tx.users.leave_couple(partner.user_id)
            key = keys.deleted_key(couple.id, user_id)
            await enqueue(tx, partner_news(partner, PartnerNews.DELETED, user, key), now)
        for couple_id in await tx.couples.couples_of(user_id):
            await tx.couples.delete_couple(couple_id)
        await tx.users.delete_user(user_id)
    return Change(True, user=user, partner=partner)


async def another_round(app: Couplet, user_id: int, again: bool) -> Change:
    """After day 30: start a new round with fresh prompts, or close the challenge."""
    now = app.now()
    async with app.db.transaction() as tx:
        user, couple, partner = await live_pairing(tx, user_id)
        if couple is None or partner is None or user is None:
            return Change(False, Reason.NOT_PAIRED)
        if user.next_day <= 30 and partner.next_day <= 30:
            return Change(False, Reason.NOT_FINISHED, user, partner)
        if not again:
            await tx.couples.set_couple_status(couple.id, CoupleStatus.COMPLETED, now=now)
            for uid in couple.partners:
                await tx.users.set_schedule(uid, next_delivery_at=None)
            return Change(True, Reason.STOPPED, user, partner)
        round_ = await tx.couples.next_round(couple.id)
        for member in (user, partner):
            await tx.users.restart_round(member.user_id, next_slot(member, now))
        key = keys.again_key(couple.id, round_)
        await enqueue(tx, partner_news(partner, PartnerNews.AGAIN, user, key, couple.id), now)
    return Change(True, Reason.AGAIN, user, partner)


async def gone(app: Couplet, user_id: int) -> None:
    """The user blocked the bot (or their chat vanished): stop, pause, tell the partner once."""
    now = app.now()
    async with app.db.transaction() as tx:
        user, couple, partner = await live_pairing(tx, user_id)  # the couple first: lock order
        if not await tx.users.set_blocked(user_id, True):
            return
        if couple is None or partner is None or user is None:
            return
        await tx.couples.set_couple_status(
            couple.id, CoupleStatus.PAUSED, paused_by=user_id, now=now
        )
        for uid in couple.partners:
            await tx.users.set_schedule(uid, next_delivery_at=None)
        key = keys.gone_key(couple.id, user_id)
        await enqueue(tx, partner_news(partner, PartnerNews.BLOCKED, user, key, couple.id), now)


async def back(app: Couplet, user_id: int) -> None:
    async with app.db.transaction() as tx:
        await tx.users.set_blocked(user_id, False)


async def partner_of(app: Couplet, user_id: int) -> User | None:
    async with app.db.read() as tx:
        _, _, partner = await live_pairing(tx, user_id)
        return partner
