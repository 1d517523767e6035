"""The private self-check (`/checkin`): one question at a time, state in the database.

A check-in belongs to one of three slots (days 1, 15 and 30 of a round; on-demand check-ins count
toward the slot of the current day). It is private: a partner sees a summary only once both have
pressed "share" on a finished check-in of the same round and slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.context import Couplet
from bot.core.challenge import DAYS, phase_of
from bot.delivery.outbox import enqueue
from bot.flows.live import live_pairing
from bot.flows.messages import checkin_invite_message, checkin_shared_message
from bot.storage import Transaction
from bot.storage.models import Checkin, Couple, User
from prompts.checkin import SCALE, Summary, next_index, slot_of_day, summarise
from prompts.schema import CheckinQuestion


@dataclass(frozen=True)
class Question:
    checkin_id: int
    index: int
    total: int
    question: CheckinQuestion
    resumed: bool = False


@dataclass(frozen=True)
class Result:
    checkin_id: int
    summary: Summary
    partner: User | None  # set when the user is paired, for the share button


class CheckinOutcome(StrEnum):
    STALE = "stale"
    ALREADY = "already"
    NOT_PAIRED = "not_paired"
    SHARED = "shared"
    WAITING = "waiting"  # shared; the partner has not shared theirs yet


@dataclass(frozen=True)
class Refused:
    reason: CheckinOutcome  # stale | already


Step = Question | Result | Refused


async def _current_day(tx: Transaction, user_id: int, couple: Couple | None) -> int:
    if couple is None:
        return 0
    latest = await tx.days.deliveries(user_id, couple.id, couple.round, limit=1)
    return latest[0].day if latest else 0


async def start(app: Couplet, user_id: int) -> Question:
    """Resume the open check-in at its next question, or begin a new one."""
    now = app.now()
    questions = app.library.checkin
    async with app.db.transaction() as tx:
        open_ = await tx.checkins.open_checkin(user_id)
        if open_ is not None:
            index = next_index(questions, open_.scores)
            if index is not None:
                return Question(
                    open_.id, index, len(questions), questions[index], resumed=index > 0
                )
        _, couple, _ = await live_pairing(tx, user_id)
        day = await _current_day(tx, user_id, couple)
        created = await tx.checkins.create_checkin(
            user_id,
            couple.id if couple else None,
            couple.round if couple else 0,
            slot_of_day(max(day, 1)),
            now,
        )
        return Question(created.id, 0, len(questions), questions[0])


async def answer(app: Couplet, user_id: int, checkin_id: int, index: int, score: int) -> Step:
    """Store one tap. Buttons of other users, finished check-ins or old questions are refused."""
    now = app.now()
    questions = app.library.checkin
    async with app.db.transaction() as tx:
        checkin = await tx.checkins.checkin(checkin_id)
        if checkin is None or checkin.user_id != user_id or checkin.finished_at is not None:
            return Refused(CheckinOutcome.STALE)
        expected = next_index(questions, checkin.scores)
        if score not in SCALE or expected is None or index > expected:
            return Refused(CheckinOutcome.STALE)
        if index < expected:
            return Refused(CheckinOutcome.ALREADY)
        scores = {**checkin.scores, questions[index].id: score}
        following = next_index(questions, scores)
        await tx.checkins.save_checkin_scores(
            checkin_id, scores, None if following is not None else now
        )
        if following is not None:
            return Question(checkin_id, following, len(questions), questions[following])
        return await _result(app, tx, user_id, checkin_id, scores)


async def _result(
    app: Couplet, tx: Transaction, user_id: int, checkin_id: int, scores: dict[str, int]
) -> Result:
    finished = await tx.checkins.finished_checkins(user_id, limit=2)
    previous = next((c.scores for c in finished if c.id != checkin_id), None)
    _, couple, partner = await live_pairing(tx, user_id)
    day = await _current_day(tx, user_id, couple)
    phase = int(phase_of(min(max(day, 1), DAYS)))
    return Result(checkin_id, summarise(app.library, scores, previous, phase), partner)


@dataclass(frozen=True)
class ShareResult:
    outcome: CheckinOutcome
    partner: User | None = None


async def share(app: Couplet, user_id: int, checkin_id: int) -> ShareResult:
    """Agree to share this check-in; when the partner agreed too, each gets the other's summary."""
    now = app.now()
    async with app.db.transaction() as tx:
        checkin = await tx.checkins.checkin(checkin_id)
        if checkin is None or checkin.user_id != user_id or checkin.finished_at is None:
            return ShareResult(CheckinOutcome.STALE)
        user, couple, partner = await live_pairing(tx, user_id)
        if user is None or couple is None or partner is None:
            return ShareResult(CheckinOutcome.NOT_PAIRED)
        if checkin.couple_id != couple.id:
            return ShareResult(CheckinOutcome.STALE, partner)
        await tx.checkins.share_checkin(checkin_id, now)
        theirs = await tx.checkins.latest_checkin_in_slot(
            partner.user_id, couple.id, checkin.round, checkin.slot
        )
        if theirs is not None and theirs.shared_at is not None:
            await _exchange(app, tx, (user, checkin), (partner, theirs), couple, now)
            outcome = CheckinOutcome.SHARED
        else:
            invite = checkin_invite_message(
                partner, user, couple.id, checkin.round, checkin.slot, theirs
            )
            await enqueue(tx, invite, now)
            outcome = CheckinOutcome.WAITING
    return ShareResult(outcome, partner)


async def _exchange(
    app: Couplet,
    tx: Transaction,
    first: tuple[User, Checkin],
    second: tuple[User, Checkin],
    couple: Couple,
    now: datetime,
) -> None:
    for (recipient, _), (author, checkin) in ((first, second), (second, first)):
        summary = summarise(app.library, checkin.scores, None, 1)
        message = checkin_shared_message(recipient, author, couple.id, checkin.id, summary)
        await enqueue(tx, message, now)
