"""Saving answers, revealing a day once both partners answered it, and nudges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot import texts
from bot.context import Couplet
from bot.core.challenge import RECAP_DAYS, Delivered, answer_target, phase_of, reveal_ready
from bot.delivery.outbox import enqueue, parse_day_ref
from bot.flows.content import INTIMACY_REF_SUFFIX
from bot.flows.messages import notice, phase_span, recap_messages, reveal_messages
from bot.storage import Repo
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


async def _couple_of(repo: Repo, user_id: int) -> tuple[User | None, Couple | None, User | None]:
    user = await repo.user(user_id)
    couple = await repo.couple(user.couple_id if user else None)
    if user is None or couple is None or not couple.is_live:
        return user, None, None
    return user, couple, await repo.user(couple.partner_of(user_id))


async def submit(
    app: Couplet, user_id: int, content: Content, reply_to: int | None
) -> AnswerResult:
    now = app.now()
    grace = timedelta(hours=app.settings.answer_grace_hours)
    async with app.db.transaction() as repo:
        user, couple, partner = await _couple_of(repo, user_id)
        if couple is None or partner is None or user is None:
            return AnswerResult(Outcome.NOT_PAIRED, user=user)
        deliveries = await repo.deliveries(user_id, couple.id, couple.round, limit=2)
        revealed = set(await repo.revealed_days(couple.id, couple.round))
        reply_day = None
        if reply_to is not None:
            sent_ref = await repo.sent_ref(user_id, reply_to)
            if sent_ref is not None and sent_ref.endswith(INTIMACY_REF_SUFFIX):
                return AnswerResult(Outcome.NOT_AN_ANSWER, None, user, partner)
            ref = parse_day_ref(sent_ref)
            if ref and ref[0] == couple.id and ref[1] == couple.round:
                reply_day = ref[2]
                if reply_day not in {d.day for d in deliveries}:
                    older = await repo.delivery(user_id, couple.id, couple.round, reply_day)
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
        replaced = await repo.save_answer(
            couple.id, couple.round, day, user_id, kind=content.kind, text=content.text,
            file_id=content.file_id, message_id=content.message_id, now=now,
        )  # fmt: skip
        await repo.clear_reminder(user_id, couple.id, couple.round, day)
        if await _reveal_if_ready(app, repo, couple, day, now):
            outcome = Outcome.REVEALED
        else:
            outcome = Outcome.UPDATED if replaced else Outcome.SAVED
    if outcome is Outcome.REVEALED:
        app.wake_sender()
    return AnswerResult(outcome, day, user, partner)


async def edit(app: Couplet, user_id: int, message_id: int, text: str) -> AnswerResult:
    """An edited message updates its answer, as long as the day is not revealed yet."""
    now = app.now()
    async with app.db.transaction() as repo:
        user, couple, partner = await _couple_of(repo, user_id)
        answer = await repo.answer_by_message(user_id, message_id)
        if couple is None or answer is None or answer.couple_id != couple.id:
            return AnswerResult(Outcome.NOT_FOUND, user=user)
        day = await repo.day(couple.id, answer.round, answer.day)
        if day is None or day.revealed_at is not None or answer.round != couple.round:
            return AnswerResult(Outcome.ALREADY_REVEALED, answer.day, user, partner)
        await repo.save_answer(
            couple.id, answer.round, answer.day, user_id, kind=answer.kind, text=text,
            file_id=answer.file_id, message_id=message_id, now=now,
        )  # fmt: skip
        return AnswerResult(Outcome.UPDATED, answer.day, user, partner)


async def _reveal_if_ready(
    app: Couplet, repo: Repo, couple: Couple, day: int, now: datetime
) -> bool:
    answers = await repo.answers(couple.id, couple.round, day)
    if not reveal_ready(answers, couple.partners):
        return False
    day_row = await repo.day(couple.id, couple.round, day)
    if day_row is None or not await repo.mark_revealed(couple.id, couple.round, day, now):
        return False
    prompt = app.library.prompt(day_row.prompt_id)
    if prompt is None:
        return False
    a, b = [await repo.require_user(uid) for uid in couple.partners]
    outgoing = [
        *reveal_messages(a, b, answers, couple.id, couple.round, day, prompt),
        *reveal_messages(b, a, answers, couple.id, couple.round, day, prompt),
    ]
    if day in RECAP_DAYS:
        phase = phase_of(day)
        first, last = phase_span(phase)
        revealed = await repo.revealed_between(couple.id, couple.round, first, last)
        outgoing += recap_messages(
            app.library, [(a, b), (b, a)], couple.id, couple.round, phase, revealed
        )
    for message in outgoing:
        await enqueue(repo, message, now)
    return True


@dataclass(frozen=True)
class NudgeResult:
    sent: bool
    reason: str
    partner: User | None = None


async def nudge(app: Couplet, user_id: int) -> NudgeResult:
    """Once a day, the partner who answered may nudge the one who hasn't."""
    now = app.now()
    async with app.db.transaction() as repo:
        user, couple, partner = await _couple_of(repo, user_id)
        if couple is None or partner is None or user is None:
            return NudgeResult(False, "not_paired")
        latest = await repo.deliveries(user_id, couple.id, couple.round, limit=1)
        if not latest:
            return NudgeResult(False, "no_prompt", partner)
        delivery = latest[0]
        day = delivery.day
        answers = await repo.answers(couple.id, couple.round, day)
        if user_id not in answers:
            return NudgeResult(False, "answer_first", partner)
        if partner.user_id in answers:
            return NudgeResult(False, "partner_answered", partner)
        if not await repo.mark_nudged(user_id, couple.id, couple.round, day, now):
            return NudgeResult(False, "already", partner)
        await enqueue(
            repo,
            notice(
                f"nudge:{couple.id}:{couple.round}:{day}:{user_id}",
                partner.user_id,
                texts.NUDGE.format(name=texts.esc(user.name), day=day),
                couple.id,
            ),
            now,
        )
    app.wake_sender()
    return NudgeResult(True, "sent", partner)
