"""Pause, resume, unpair, erase, another round, and users who stopped the bot."""

from __future__ import annotations

from dataclasses import dataclass

from bot import texts
from bot.context import Couplet, local, next_slot
from bot.delivery.outbox import enqueue
from bot.flows.messages import notice
from bot.storage import Repo
from bot.storage.models import Couple, User


@dataclass(frozen=True)
class Change:
    ok: bool
    reason: str = ""
    user: User | None = None
    partner: User | None = None


async def _live(repo: Repo, user_id: int) -> tuple[User | None, Couple | None, User | None]:
    user = await repo.user(user_id)
    couple = await repo.couple(user.couple_id if user else None)
    if user is None or couple is None or not couple.is_live:
        return user, None, None
    return user, couple, await repo.user(couple.partner_of(user_id))


async def pause(app: Couplet, user_id: int) -> Change:
    now = app.now()
    async with app.db.transaction() as repo:
        user, couple, partner = await _live(repo, user_id)
        if couple is None or partner is None or user is None:
            return Change(False, "not_paired")
        if couple.status == "paused":
            return Change(False, "already", user, partner)
        await repo.set_couple_status(couple.id, "paused", paused_by=user_id, now=now)
        for uid in couple.partners:
            await repo.set_schedule(uid, next_delivery_at=None)
        await enqueue(repo, notice(f"pause:{couple.id}:{int(now.timestamp())}", partner.user_id,
                                   texts.PAUSED_PARTNER.format(name=texts.esc(user.name)),
                                   couple.id), now)  # fmt: skip
    app.wake_sender()
    return Change(True, user=user, partner=partner)


async def resume(app: Couplet, user_id: int) -> Change:
    now = app.now()
    async with app.db.transaction() as repo:
        user, couple, partner = await _live(repo, user_id)
        if couple is None or partner is None or user is None:
            return Change(False, "not_paired")
        if couple.status != "paused":
            return Change(False, "not_paused", user, partner)
        if partner.blocked:
            return Change(False, "partner_gone", user, partner)
        await repo.set_couple_status(couple.id, "active", now=now)
        for member in (user, partner):
            if member.next_day <= 30:
                await repo.set_schedule(member.user_id, next_delivery_at=next_slot(member, now))
        user, partner = await repo.require_user(user_id), await repo.require_user(partner.user_id)
        await enqueue(
            repo,
            notice(
                f"resume:{couple.id}:{int(now.timestamp())}",
                partner.user_id,
                texts.RESUMED_PARTNER.format(
                    name=texts.esc(user.name), when=local(partner, partner.next_delivery_at)
                ),
                couple.id,
            ),
            now,
        )
    app.wake_sender()
    return Change(True, user=user, partner=partner)


async def unpair(app: Couplet, user_id: int) -> Change:
    now = app.now()
    async with app.db.transaction() as repo:
        user, couple, partner = await _live(repo, user_id)
        if couple is None or partner is None or user is None:
            return Change(False, "not_paired")
        await repo.set_couple_status(couple.id, "ended", now=now)
        for uid in couple.partners:
            await repo.leave_couple(uid)
        await enqueue(
            repo,
            notice(
                f"unpair:{couple.id}",
                partner.user_id,
                texts.UNPAIRED_PARTNER.format(name=texts.esc(user.name)),
            ),
            now,
        )
    app.wake_sender()
    return Change(True, user=user, partner=partner)


async def delete_data(app: Couplet, user_id: int) -> Change:
    """Erase the user, their answers, invites and couples; the partner is told and unpaired."""
    now = app.now()
    async with app.db.transaction() as repo:
        user, couple, partner = await _live(repo, user_id)
        if user is None:
            return Change(False, "unknown")
        if couple is not None and partner is not None:
            await repo.leave_couple(partner.user_id)
            await enqueue(repo, notice(f"deleted:{couple.id}:{user_id}", partner.user_id,
                                       texts.DELETED_PARTNER.format(name=texts.esc(user.name))),
                          now)  # fmt: skip
        for couple_id in await repo.couples_of(user_id):
            await repo.delete_couple(couple_id)
        await repo.delete_user(user_id)
    app.wake_sender()
    return Change(True, user=user, partner=partner)


async def another_round(app: Couplet, user_id: int, again: bool) -> Change:
    """After day 30: start a new round with fresh prompts, or close the challenge."""
    now = app.now()
    async with app.db.transaction() as repo:
        user, couple, partner = await _live(repo, user_id)
        if couple is None or partner is None or user is None:
            return Change(False, "not_paired")
        if user.next_day <= 30 and partner.next_day <= 30:
            return Change(False, "not_finished", user, partner)
        if not again:
            await repo.set_couple_status(couple.id, "completed", now=now)
            for uid in couple.partners:
                await repo.set_schedule(uid, next_delivery_at=None)
            return Change(True, "stopped", user, partner)
        round_ = await repo.next_round(couple.id)
        for member in (user, partner):
            await repo.restart_round(member.user_id, next_slot(member, now))
        await enqueue(repo, notice(f"again:{couple.id}:{round_}", partner.user_id,
                                   texts.AGAIN_PARTNER.format(name=texts.esc(user.name)),
                                   couple.id), now)  # fmt: skip
    app.wake_sender()
    return Change(True, "again", user, partner)


async def gone(app: Couplet, user_id: int) -> None:
    """The user blocked the bot (or their chat vanished): stop, pause, tell the partner once."""
    now = app.now()
    async with app.db.transaction() as repo:
        if not await repo.set_blocked(user_id, True):
            return
        user, couple, partner = await _live(repo, user_id)
        if couple is None or partner is None or user is None:
            return
        await repo.set_couple_status(couple.id, "paused", paused_by=user_id, now=now)
        for uid in couple.partners:
            await repo.set_schedule(uid, next_delivery_at=None)
        await enqueue(repo, notice(f"gone:{couple.id}:{user_id}", partner.user_id,
                                   texts.BLOCKED_PARTNER.format(name=texts.esc(user.name)),
                                   couple.id), now)  # fmt: skip
    app.wake_sender()


async def back(app: Couplet, user_id: int) -> None:
    async with app.db.transaction() as repo:
        await repo.set_blocked(user_id, False)


async def partner_of(app: Couplet, user_id: int) -> User | None:
    async with app.db.read() as repo:
        _, _, partner = await _live(repo, user_id)
        return partner
