"""Read-only views: today, progress, history; and tips."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.context import Couplet
from bot.core.challenge import DAYS, streak
from bot.storage.models import Answer, Couple, Day, User
from prompts.checkin import focus_topics
from prompts.schema import Prompt, Tip
from prompts.selection import pick_tip, tip_pool


@dataclass(frozen=True)
class Status:
    user: User
    couple: Couple | None = None
    partner: User | None = None
    day: int = 0  # the latest day delivered to this user (0: none yet)
    prompt: Prompt | None = None
    answered_by: frozenset[int] = frozenset()
    revealed_days: tuple[int, ...] = ()


async def status(app: Couplet, user_id: int) -> Status:
    async with app.db.read() as tx:
        user = await tx.users.require_user(user_id)
        couple = await tx.couples.couple(user.couple_id)
        if couple is None or not couple.is_live:
            return Status(user)
        partner = await tx.users.user(couple.partner_of(user_id))
        latest = await tx.days.deliveries(user_id, couple.id, couple.round, limit=1)
        revealed = tuple(sorted(await tx.days.revealed_days(couple.id, couple.round)))
        if not latest:
            return Status(user, couple, partner, revealed_days=revealed)
        day = latest[0].day
        day_row = await tx.days.day(couple.id, couple.round, day)
        answers = await tx.days.answers(couple.id, couple.round, day)
        return Status(
            user,
            couple,
            partner,
            day=day,
            prompt=app.library.prompt(day_row.prompt_id) if day_row else None,
            answered_by=frozenset(answers),
            revealed_days=revealed,
        )


def current_streak(s: Status) -> int:
    return streak(s.revealed_days, min(s.day, DAYS))


@dataclass(frozen=True)
class HistoryPage:
    items: list[tuple[Day, Prompt | None, Answer | None, Answer | None]]
    total: int
    partner: User | None


async def history(app: Couplet, user_id: int, offset: int, limit: int) -> HistoryPage:
    async with app.db.read() as tx:
        user = await tx.users.user(user_id)
        couple = await tx.couples.couple(user.couple_id if user else None)
        if user is None or couple is None or not couple.is_live:
            return HistoryPage([], 0, None)
        partner = await tx.users.user(couple.partner_of(user_id))
        page, total = await tx.days.revealed_page(couple.id, max(0, offset), limit)
    items = [
        (day, app.library.prompt(day.prompt_id), answers.get(user_id),
         answers.get(couple.partner_of(user_id)))
        for day, answers in page
    ]  # fmt: skip
    return HistoryPage(items, total, partner)


async def tip(
    app: Couplet, user_id: int, topic: str | None, rng: random.Random | None = None
) -> tuple[Tip, bool]:
    """A tip for ``topic``; or for the user's phase and latest check-in. No repeats until the pool
    is used up."""
    now = app.now()
    async with app.db.transaction() as tx:
        user = await tx.users.require_user(user_id)
        couple = await tx.couples.couple(user.couple_id)
        phase = 1
        if couple is not None and couple.is_live:
            latest = await tx.days.deliveries(user_id, couple.id, couple.round, limit=1)
            phase = (min(latest[0].day, DAYS) - 1) // 10 + 1 if latest else 1
        focus: list[str] = []
        if topic is None:  # no topic asked for: the phase, plus what the latest check-in named
            finished = await tx.checkins.finished_checkins(user_id, limit=1)
            focus = focus_topics(app.library, finished[0].scores if finished else None)
        pool = tip_pool(app.library, phase=phase, topic=topic, focus=focus)
        seen = await tx.tips.seen_tips(user_id)
        chosen, restarted = pick_tip(pool, seen, rng, focus, phase=None if topic else phase)
        if restarted:
            await tx.tips.forget_tips(user_id, [t.id for t in pool])
        await tx.tips.record_tip(user_id, chosen.id, now)
        return chosen, restarted
