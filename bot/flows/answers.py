"""Saving answers, revealing a day once both partners answered it, and nudges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot import keys
from bot.context import Couplet
from bot.core.challenge import RECAP_DAYS, Delivered, answer_target, phase_of, reveal_ready
from bot.core.outcomes import NudgeReason, PartnerNews
from bot.delivery.outbox import enqueue
from bot.flows.live import live_pairing
from bot.flows.messages import partner_news, phase_span, recap_messages, reveal_messages
from bot.keys import RefKind, parse_day_ref, parse_ref
from bot.storage import Transaction
from bot.storage.models import Couple, User


class Outcome(StrEnum):
    SAVED = "saved"
    UPDATED = "updated"
    REVEALED = "revealed"
    NOT_PAIRED = "not_paired"
    NOTHING_OPEN = "nothing_open"
    ALREADY_REVEALED = "already_revealed"
    NOT_FOUND = "not_found"
    NOT_AN_ANSWER = "not_an_answer"  # a reply to an intimacy-track step: those need no answer


@dataclass(frozen=True)
class AnswerResult:
    outcome: Outcome
    day: int | None = None
    user: User | None = None
    partner: User | None = None


@dataclass(frozen=True)
class Content:
    kind: str  # text | voice | photo
    text: str | None
    file_id: str | None
    message_id: int


async def submit(
    app: Couplet, user_id: int, content: Content, reply_to: int | None
) -> AnswerResult:
    now = app.now()
    grace = timedelta(hours=app.settings.answer_grace_hours)
    async with app.db.transaction() as tx:
        user, couple, partner = await live_pairing(tx, user_id)
        if couple is None or partner is None or user is None:
            return AnswerResult(Outcome.NOT_PAIRED, user=user)
        deliveries = await tx.days.deliveries(user_id, couple.id, couple.round, limit=2)
        revealed = set(await tx.days.revealed_days(couple.id, couple.round))
        reply_day = None
        if reply_to is not None:
            sent_ref = await tx.outbox.sent_ref(user_id, reply_to)
            if (parsed := parse_ref(sent_ref)) and parsed.kind is RefKind.INTIMACY:
                return AnswerResult(Outcome.NOT_AN_ANSWER, None, user, partner)
            ref = parse_day_ref(sent_ref)
            if ref and ref[0] == couple.id and ref[1] == couple.round:
                reply_day = ref[2]
                if reply_day not in {d.day for d in deliveries}:
                    older = await tx.days.delivery(user_id, couple.id, couple.round, reply_day)
                    deliveries = [*deliveries, *([older] if older else [])]
        day = answer_target(
            [Delivered(d.day, d.delivered_at) for d in deliveries],
            now=now,
            grace=grace,
            revealed=revealed,
            reply_to_day=reply_day,
        )
        if day is None:
            closed = reply_day is not None and reply_day in revealed
            outcome = Outcome.ALREADY_REVEALED if closed else Outcome.NOTHING_OPEN
            return AnswerResult(outcome, reply_day, user, partner)
        replaced = await tx.days.save_answer(
            couple.id, couple.round, day, user_id, kind=content.kind, text=content.text,
            file_id=content.file_id, message_id=content.message_id, now=now,
        )  # fmt: skip
        await tx.days.clear_reminder(user_id, couple.id, couple.round, day)
        if await _reveal_if_ready(app, tx, couple, day, now):
            outcome = Outcome.REVEALED
        else:
            outcome = Outcome.UPDATED if replaced else Outcome.SAVED
    return AnswerResult(outcome, day, user, partner)


async def edit(app: Couplet, user_id: int, message_id: int, text: str) -> AnswerResult:
    """An edited message updates its answer, as long as the day is not revealed yet."""
    now = app.now()
    async with app.db.transaction() as tx:
        user, couple, partner = await live_pairing(tx, user_id)
        answer = await tx.days.answer_by_message(user_id, message_id)
        if couple is None or answer is None or answer.couple_id != couple.id:
            return AnswerResult(Outcome.NOT_FOUND, user=user)
        day = await tx.days.day(couple.id, answer.round, answer.day)
        if day is None or day.revealed_at is not None or answer.round != couple.round:
            return AnswerResult(Outcome.ALREADY_REVEALED, answer.day, user, partner)
        await tx.days.save_answer(
            couple.id, answer.round, answer.day, user_id, kind=answer.kind, text=text,
            file_id=answer.file_id, message_id=message_id, now=now,
        )  # fmt: skip
        return AnswerResult(Outcome.UPDATED, answer.day, user, partner)


async def _reveal_if_ready(
    app: Couplet, tx: Transaction, couple: Couple, day: int, now: datetime
) -> bool:
    answers = await tx.days.answers(couple.id, couple.round, day)
    if not reveal_ready(answers, couple.partners):
        return False
    day_row = await tx.days.day(couple.id, couple.round, day)
    if day_row is None or not await tx.days.mark_revealed(couple.id, couple.round, day, now):
        return False
    prompt = app.library.prompt(day_row.prompt_id)
    if prompt is None:
        return False
    a, b = [await tx.users.require_user(uid) for uid in couple.partners]
    outgoing = [
        *reveal_messages(a, b, answers, couple.id, couple.round, day, prompt),
        *reveal_messages(b, a, answers, couple.id, couple.round, day, prompt),
    ]
    if day in RECAP_DAYS:
        phase = phase_of(day)
        first, last = phase_span(phase)
        revealed = await tx.days.revealed_between(couple.id, couple.round, first, last)
        outgoing += recap_messages(
            app.library, [(a, b), (b, a)], couple.id, couple.round, phase, revealed
        )
    for message in outgoing:
        await enqueue(tx, message, now)
    return True


@dataclass(frozen=True)
class NudgeResult:
    sent: bool
    reason: NudgeReason
    partner: User | None = None


async def nudge(app: Couplet, user_id: int) -> NudgeResult:
    """Once a day, the partner who answered may nudge the one who hasn't."""
    now = app.now()
    async with app.db.transaction() as tx:
        user, couple, partner = await live_pairing(tx, user_id)
        if couple is None or partner is None or user is None:
            return NudgeResult(False, NudgeReason.NOT_PAIRED)
        latest = await tx.days.deliveries(user_id, couple.id, couple.round, limit=1)
        if not latest:
            return NudgeResult(False, NudgeReason.NO_PROMPT, partner)
        delivery = latest[0]
        day = delivery.day
        answers = await tx.days.answers(couple.id, couple.round, day)
        if user_id not in answers:
            return NudgeResult(False, NudgeReason.ANSWER_FIRST, partner)
        if partner.user_id in answers:
            return NudgeResult(False, NudgeReason.PARTNER_ANSWERED, partner)
        if not await tx.days.mark_nudged(user_id, couple.id, couple.round, day, now):
            return NudgeResult(False, NudgeReason.ALREADY, partner)
        key = keys.nudge_key(couple.id, couple.round, day, user_id)
        news = partner_news(partner, PartnerNews.NUDGED, user, key, couple.id, day=day)
        await enqueue(tx, news, now)
    return NudgeResult(True, NudgeReason.SENT, partner)
