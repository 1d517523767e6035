"""One scheduler tick: turn due deliveries and reminders into outbox rows.

Each partner row stores its next delivery instant, so a tick is an indexed range query: its cost
follows what is due, not how many couples exist. Everything a tick decides is committed together
with the outbox rows it produces, so a crash either did all of it or none of it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot import i18n, keys, texts
from bot.context import Couplet, user_time, user_zone
from bot.core.challenge import is_finished, recap_due_before
from bot.core.schedule import following_delivery
from bot.delivery.outbox import Outgoing, Priority, enqueue_many
from bot.flows import content
from bot.flows.messages import phase_span, prompt_message, recap_messages
from bot.keys import day_ref
from bot.storage import Transaction
from bot.storage.models import CoupleStatus, Delivery, MessageKind, User

log = logging.getLogger(__name__)

# Partners (and reminders) handled in one transaction. Small enough that one chunk keeps the
# event loop for a few milliseconds only; ``run_due`` runs chunk after chunk until nothing is due.
CHUNK = 100


@dataclass
class TickResult:
    prompts: int = 0
    reminders: int = 0
    finished: int = 0
    full: bool = False  # a chunk came back full: more may be due right now

    @property
    def total(self) -> int:
        return self.prompts + self.reminders + self.finished

    def add(self, other: TickResult) -> None:
        self.prompts += other.prompts
        self.reminders += other.reminders
        self.finished += other.finished
        self.full = other.full


async def run_tick(app: Couplet, now: datetime, *, batch: int = CHUNK) -> TickResult:
    """One chunk: enqueue what is due, oldest slot first, in one transaction.

    A due prompt goes into the outbox as soon as its slot has come; the sender and the rate
    limiter decide how fast a wave leaves, so a crowded minute is never held back here.
    Reminders wait while an earlier wave of prompts is still going out (see ``_remind``).
    """
    result = TickResult()
    async with app.db.transaction() as tx:
        prompts_going_out = await tx.outbox.has_pending(MessageKind.PROMPT, now)
        users = await tx.users.due_users(now, batch)
        if users:
            await _deliver(app, tx, users, now, result)
        reminders: list[Delivery] = []
        if not prompts_going_out:
            reminders = await tx.days.due_reminders(now, batch)
            await _remind(app, tx, reminders, now, result)
        result.full = len(users) >= batch or len(reminders) >= batch
    return result


async def run_due(app: Couplet, clock: Callable[[], datetime]) -> TickResult:
    """Everything due now, chunk by chunk, yielding to the event loop in between.

    A user's command is answered between two chunks, and the sender starts on the first chunk's
    prompts while the next one is prepared.
    """
    total = TickResult()
    while True:
        result = await run_tick(app, clock())
        total.add(result)
        if not result.full:
            return total
        await asyncio.sleep(0)


@dataclass
class _Writes:
    """What one tick writes, gathered so each table gets one statement."""

    days: list[tuple[int, int, int, str]] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    outbox: list[Outgoing] = field(default_factory=list)
    advances: list[tuple[int, int, datetime | None, datetime | None]] = field(default_factory=list)


async def _deliver(
    app: Couplet, tx: Transaction, users: list[User], now: datetime, result: TickResult
) -> None:
    """Each due partner's prompt (and what comes with it); advance them to their next slot.

    The common path reads in bulk up front and writes in bulk at the end, so a tick costs a few
    statements rather than a few per partner. Rare steps (recaps, later rounds, the intimacy
    track) still ask the database one by one.
    """
    couples = await tx.couples.couples_by_id(u.couple_id for u in users if u.couple_id is not None)
    partner_ids = {c.partner_of(u.user_id) for u in users if (c := couples.get(u.couple_id or 0))}
    people = await tx.users.users_by_id(partner_ids)
    stored = await tx.days.days_by_key(
        (c.id, c.round, u.next_day) for u in users if (c := couples.get(u.couple_id or 0))
    )
    days = {key: day.prompt_id for key, day in stored.items()}
    opted_in = await tx.intimacy.intimacy_opted_in_many(couples)
    writes = _Writes()
    late_after = timedelta(hours=app.settings.catch_up_late_hours)
    remind_after = timedelta(hours=app.settings.reminder_after_hours)
    for user in users:
        with i18n.reading(user):  # everything built in this pass is for this partner
            slot = user.next_delivery_at
            if slot is None:  # due_users only returns scheduled partners; be safe all the same
                continue
            couple = couples.get(user.couple_id or 0)
            if user.blocked or couple is None or couple.status != CoupleStatus.ACTIVE:
                writes.advances.append((user.user_id, user.next_day, None, None))
                continue
            partner = people[couple.partner_of(user.user_id)]
            day = user.next_day
            phase_done = recap_due_before(day)
            if phase_done is not None:
                first, last = phase_span(phase_done)
                revealed = await tx.days.revealed_between(couple.id, couple.round, first, last)
                writes.outbox += recap_messages(
                    app.library,
                    [(user, partner)],
                    couple.id,
                    couple.round,
                    phase_done,
                    revealed,
                    priority=Priority.COMPANION,
                )
            if is_finished(day):
                writes.advances.append((user.user_id, day, slot, None))
                result.finished += 1
                continue
            key = (couple.id, couple.round, day)
            prompt = app.library.prompt(days[key]) if key in days else None
            if prompt is None:  # the first partner of the couple to reach this day picks it
                prompt = await content.day_prompt(app, tx, couple, day)
                days[key] = prompt.id
                writes.days.append((*key, prompt.id))
            writes.deliveries.append(
                Delivery(
                    user.user_id, couple.id, couple.round, day, slot, now, now + remind_after, None
                )
            )
            late = now - slot > late_after
            writes.outbox.append(
                prompt_message(user, partner, couple.id, couple.round, day, prompt, late=late)
            )
            couple_in = opted_in.get(couple.id, set())
            writes.outbox += content.extras(user, partner, couple, day, couple_in)
            if content.track_active(couple, couple_in):
                step = await content.intimacy_step_message(app, tx, user, couple, now)
                if step is not None:
                    writes.outbox.append(step)
            following = following_delivery(slot, user_time(user), user_zone(user), now)
            writes.advances.append((user.user_id, day + 1, slot, following))
            result.prompts += 1
    await tx.days.add_days(writes.days)
    await tx.days.add_deliveries(writes.deliveries)
    await enqueue_many(tx, writes.outbox, now)
    await tx.users.advance_many(writes.advances)


async def _remind(
    app: Couplet, tx: Transaction, due: list[Delivery], now: datetime, result: TickResult
) -> None:
    """One gentle reminder each, unless it became pointless: answered, revealed, a newer day
    came, or its moment is long past after downtime. Bulk reads and writes, like ``_deliver``."""
    if not due:
        return
    await tx.days.clear_reminders(due)
    drop_after = timedelta(hours=app.settings.reminder_drop_after_hours)
    fresh = [d for d in due if d.remind_at is None or now - d.remind_at <= drop_after]
    if len(fresh) < len(due):
        log.info("tick: dropping %d stale reminders", len(due) - len(fresh))
    users = await tx.users.users_by_id(d.user_id for d in fresh)
    couples = await tx.couples.couples_by_id(d.couple_id for d in fresh)
    days = await tx.days.days_by_key((d.couple_id, d.round, d.day) for d in fresh)
    answered = await tx.days.answered((d.couple_id, d.round, d.day, d.user_id) for d in fresh)
    messages: list[Outgoing] = []
    for d in fresh:
        user, couple = users.get(d.user_id), couples.get(d.couple_id)
        day = days.get((d.couple_id, d.round, d.day))
        prompt = app.library.prompt(day.prompt_id) if day else None
        if (
            user is None
            or couple is None
            or couple.status != CoupleStatus.ACTIVE
            or couple.round != d.round
            or user.next_day != d.day + 1
            or (d.couple_id, d.round, d.day, d.user_id) in answered
            or day is None
            or day.revealed_at is not None
            or prompt is None
        ):
            continue
        words = i18n.localized(prompt, user.language).text
        text = texts.REMINDER.text(user.language).format(day=d.day, text=texts.esc(words))
        messages.append(
            Outgoing(
                key=keys.reminder_key(d.user_id, d.couple_id, d.round, d.day),
                chat_id=d.user_id,
                kind=MessageKind.REMINDER,
                text=text,
                priority=Priority.SCHEDULED,
                ref=day_ref(d.couple_id, d.round, d.day),
            )
        )
    await enqueue_many(tx, messages, now)
    result.reminders += len(messages)
