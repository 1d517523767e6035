"""The opt-in intimacy track: off by default, private choices, active only when both said yes.

A partner's choice is never shown to the other. When the second partner opts in, both are told
the track starts (that is the first moment either learns anything). When either leaves, the other
is told neutrally that the track is paused, never who or why. Steps go out with the daily prompts
(see ``bot.flows.content.intimacy_step_message``); nothing about the track is stored with the days, so
/today and /history never show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot import keys
from bot.context import Couplet
from bot.core.outcomes import PartnerNews
from bot.delivery.outbox import enqueue
from bot.flows.live import live_pairing
from bot.flows.messages import partner_news
from bot.storage.models import User


@dataclass(frozen=True)
class TrackView:
    paired: bool
    opted_in: bool = False
    active: bool = False
    partner: User | None = None


async def view(app: Couplet, user_id: int) -> TrackView:
    async with app.db.read() as tx:
        user, couple, partner = await live_pairing(tx, user_id)
        if user is None or couple is None or partner is None:
            return TrackView(False)
        opted = await tx.intimacy.intimacy_opted_in(couple.id)
        return TrackView(True, user_id in opted, set(couple.partners) <= opted, partner)


class TrackOutcome(StrEnum):
    NOT_PAIRED = "not_paired"
    WAITING = "waiting"  # opted in; the partner has not
    ACTIVE = "active"  # both in: the track runs
    ALREADY_ON = "already_on"
    LEFT = "left"
    ALREADY_OFF = "already_off"


@dataclass(frozen=True)
class Choice:
    outcome: TrackOutcome
    partner: User | None = None


async def choose(app: Couplet, user_id: int, opt_in: bool) -> Choice:
    now = app.now()
    stamp = int(now.timestamp())
    async with app.db.transaction() as tx:
        user, couple, partner = await live_pairing(tx, user_id)
        if user is None or couple is None or partner is None:
            return Choice(TrackOutcome.NOT_PAIRED)
        before = await tx.intimacy.intimacy_opted_in(couple.id)
        was_active = set(couple.partners) <= before
        if opt_in == (user_id in before):
            return Choice(TrackOutcome.ALREADY_ON if opt_in else TrackOutcome.ALREADY_OFF, partner)
        await tx.intimacy.set_intimacy(couple.id, user_id, opt_in, now)
        if opt_in and partner.user_id in before:
            key = keys.intimacy_on_key(couple.id, stamp)
            news = partner_news(partner, PartnerNews.INTIMACY_ACTIVE, user, key, couple.id)
            await enqueue(tx, news, now)
            outcome = TrackOutcome.ACTIVE
        elif opt_in:
            outcome = TrackOutcome.WAITING
        else:
            if was_active:
                key = keys.intimacy_off_key(couple.id, stamp)
                news = partner_news(partner, PartnerNews.INTIMACY_PAUSED, user, key, couple.id)
                await enqueue(tx, news, now)
            outcome = TrackOutcome.LEFT
    return Choice(outcome, partner)
