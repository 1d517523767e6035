"""One scheduler tick: turn due deliveries and reminders into outbox rows.

Each partner row stores its next delivery instant, so a tick is an indexed range query: its cost
follows what is due, not how many couples exist. Everything a tick decides is committed together
with the outbox rows it produces, so a crash either did all of it or none of it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import texts
from bot.context import Couplet, user_time, user_zone
from bot.core.challenge import DAYS, is_finished, phase_of, recap_due_before
from bot.core.schedule import following_delivery
from bot.delivery.outbox import Outgoing, Priority, day_ref, enqueue
from bot.flows import content
from bot.flows.messages import prompt_message, recap_messages
from bot.storage import Repo
from bot.storage.models import Delivery, User

log = logging.getLogger(__name__)

# Knuth's multiplicative hash: a stable, well spread offset per user inside the window.
_SPREAD = 2654435761


@dataclass
class TickResult:
    prompts: int = 0
    reminders: int = 0
    finished: int = 0

    @property
    def total(self) -> int:
        return self.prompts + self.reminders + self.finished


async def run_tick(app: Couplet, now: datetime, *, batch: int = 1000) -> TickResult:
    """Enqueue what is due, oldest slot first; see ``in_window`` and ``_remind`` for the policy."""
    result = TickResult()
    settings = app.settings
    async with app.db.transaction() as repo:
        # Reminders wait while an earlier wave of prompts is still going out.
        prompts_going_out = await repo.has_pending("prompt", now)
        users = await repo.due_users(now, batch)
        crowded = len(users) >= settings.delivery_rate_per_second
        for user in users:
            if not crowded or in_window(user, now, settings.delivery_window_seconds):
                await _deliver(app, repo, user, now, result)
        if not prompts_going_out:
            for delivery in await repo.due_reminders(now, batch):
                await _remind(repo, delivery, now, app, result)
    if result.total:
        app.wake_sender()
    return result


async def _deliver(app: Couplet, repo: Repo, user: User, now: datetime, result: TickResult) -> None:
    couple = await repo.couple(user.couple_id)
    slot = user.next_delivery_at
    assert slot is not None
    if user.blocked or couple is None or couple.status != "active":
        await repo.set_schedule(user.user_id, next_delivery_at=None)
        return
    partner = await repo.user(couple.partner_of(user.user_id))
    assert partner is not None
    day = user.next_day
    phase_done = recap_due_before(day)
    if phase_done is not None:
        revealed = await repo.revealed_days(couple.id, couple.round)
        count = sum(1 for d in revealed if phase_of(d) == phase_done)
        for message in recap_messages(
            app.library, [user], couple.id, couple.round, phase_done, count
        ):
            await enqueue(repo, message, now)
    if is_finished(day):
        await repo.advance(user.user_id, next_day=day, slot_at=slot, next_delivery_at=None)
        result.finished += 1
        return
    prompt = await content.day_prompt(app, repo, couple, day)
    day_row = await repo.ensure_day(couple.id, couple.round, day, prompt.id)
    prompt = app.library.prompt(day_row.prompt_id) or prompt
    reminder = now + timedelta(hours=app.settings.reminder_after_hours)
    await repo.add_delivery(user.user_id, couple.id, couple.round, day, slot_at=slot,
                            delivered_at=now, remind_at=reminder)  # fmt: skip
    late = now - slot > timedelta(hours=app.settings.catch_up_late_hours)
    await enqueue(repo, prompt_message(user, partner, couple.id, couple.round, day, prompt,
                                       late=late), now)  # fmt: skip
    await content.after_prompt(app, repo, user, partner, couple, day, now)
    following = following_delivery(slot, user_time(user), user_zone(user), now)
    await repo.advance(user.user_id, next_day=day + 1, slot_at=slot, next_delivery_at=following)
    result.prompts += 1


def in_window(user: User, now: datetime, window_seconds: int) -> bool:
    """Is a crowded slot's delivery due yet? Each user gets a stable offset in the window.

    When many partners share one delivery minute, their prompts are spread over
    ``window_seconds`` after it instead of all landing in the outbox (and the queue) at once.
    """
    slot = user.next_delivery_at
    assert slot is not None
    if window_seconds <= 0:
        return True
    offset = (user.user_id * _SPREAD) % 2**32 % window_seconds
    return slot + timedelta(seconds=offset) <= now


async def _remind(
    repo: Repo, delivery: Delivery, now: datetime, app: Couplet, result: TickResult
) -> None:
    """One gentle reminder, unless it became pointless (answered, revealed, a newer day came,
    or its moment is long past after downtime)."""
    user_id, couple_id = delivery.user_id, delivery.couple_id
    round_, day = delivery.round, delivery.day
    await repo.clear_reminder(user_id, couple_id, round_, day)
    drop_after = timedelta(hours=app.settings.reminder_drop_after_hours)
    if delivery.remind_at is not None and now - delivery.remind_at > drop_after:
        log.info("tick: dropping a stale reminder for user %d, day %d", user_id, day)
        return
    user = await repo.user(user_id)
    couple = await repo.couple(couple_id)
    if user is None or couple is None or couple.status != "active" or couple.round != round_:
        return
    if user.next_day != day + 1 or await repo.answer(couple_id, round_, day, user_id):
        return
    day_row = await repo.day(couple_id, round_, day)
    prompt = app.library.prompt(day_row.prompt_id) if day_row else None
    if day_row is None or day_row.revealed_at is not None or prompt is None:
        return
    await enqueue(
        repo,
        Outgoing(
            key=f"reminder:{user_id}:{couple_id}:{round_}:{day}",
            chat_id=user_id,
            kind="reminder",
            text=texts.REMINDER.format(day=day, text=texts.esc(prompt.text)),
            priority=Priority.SCHEDULED,
            ref=day_ref(couple_id, round_, day),
        ),
        now,
    )
    result.reminders += 1


__all__ = ["DAYS", "TickResult", "run_tick"]
