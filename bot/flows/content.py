"""Content hooks the scheduler calls while delivering a day: which prompt, and what comes with it.

``scheduler/due.py`` calls these inside its delivery transaction: ``day_prompt`` (the prompt
for a day: the designed plan, fresh on later rounds), ``extras`` (the check-in offer on days 1,
15 and 30, the one-time intimacy-track mention after day 10) and, when both partners opted in,
``intimacy_step_message`` (the next step of the track).
"""

from __future__ import annotations

from datetime import datetime

from bot import keyboards, texts
from bot.context import Couplet
from bot.delivery.outbox import Outgoing, Priority, couple_ref
from bot.flows.messages import prompt_extras
from bot.storage import Repo
from bot.storage.models import Couple, User
from prompts.checkin import OFFER_DAYS
from prompts.schema import Prompt
from prompts.selection import intimacy_step, prompt_for

INTIMACY_OFFER_DAY = 11
INTIMACY_REF_SUFFIX = ":int"
INTIMACY_REF = "c{couple}" + INTIMACY_REF_SUFFIX  # no day: replies to a step are not answers


async def live_couple(repo: Repo, user_id: int) -> tuple[User | None, Couple | None, User | None]:
    """The user, their live couple and their partner (couple and partner None if not paired)."""
    user = await repo.user(user_id)
    couple = await repo.couple(user.couple_id if user else None)
    if user is None or couple is None or not couple.is_live:
        return user, None, None
    return user, couple, await repo.user(couple.partner_of(user_id))


async def day_prompt(app: Couplet, repo: Repo, couple: Couple, day: int) -> Prompt:
    """The prompt to store for ``day``: round 1 follows the plan; later rounds avoid repeats."""
    used = await repo.used_prompts(couple.id, day) if couple.round > 1 else set()
    return prompt_for(app.library, couple.round, day, used)


def extras(
    user: User, partner: User, couple: Couple, day: int, opted_in: set[int]
) -> list[Outgoing]:
    """What travels with a daily prompt, each with its own idempotency key.

    ``opted_in``: the partners of ``couple`` who joined the intimacy track. The next step of the
    track itself needs the database: see ``intimacy_step_message``.
    """
    out: list[Outgoing] = []
    slot = OFFER_DAYS.get(day)
    if slot is not None:
        text = {1: texts.CHECKIN_OFFER, 2: texts.CHECKIN_OFFER_AGAIN}.get(
            slot, texts.CHECKIN_OFFER_LAST
        )
        out.append(
            _extra(
                f"checkin-offer:{user.user_id}:{couple.id}:{couple.round}:{day}",
                user,
                couple,
                text.format(partner=texts.esc(partner.name)),
                keyboards.checkin_start_data(),
            )
        )
    if day == INTIMACY_OFFER_DAY and user.user_id not in opted_in:
        out.append(
            _extra(
                f"intimacy-offer:{user.user_id}:{couple.id}",
                user,
                couple,
                texts.INTIMACY_OFFER.format(partner=texts.esc(partner.name)),
                keyboards.intimacy_offer_data(),
            )
        )
    return out


def track_active(couple: Couple, opted_in: set[int]) -> bool:
    return set(couple.partners) <= opted_in


async def intimacy_step_message(
    app: Couplet, repo: Repo, user: User, couple: Couple, now: datetime
) -> Outgoing | None:
    """Record and return the next step of the track for this partner (None when all were sent)."""
    step = await repo.intimacy_steps_sent(couple.id, user.user_id) + 1
    prompt = intimacy_step(app.library, step)
    if prompt is None or not await repo.record_intimacy_step(couple.id, user.user_id, step, now):
        return None
    body = texts.esc(prompt.text) + prompt_extras(prompt, None)
    if prompt.follow_up:  # steps have no reveal, so their follow-up travels with them
        body += "\n\n" + texts.REVEAL_FOLLOW_UP.format(text=texts.esc(prompt.follow_up))
    if step == len(app.library.intimacy):  # the end of the track: where to turn for more
        body += "\n\n" + texts.INTIMACY_HELP
    text = texts.INTIMACY_STEP.format(step=step, total=len(app.library.intimacy), text=body)
    return Outgoing(
        key=f"intimacy:{user.user_id}:{couple.id}:{step}",
        chat_id=user.user_id,
        kind="notice",
        text=text,
        priority=Priority.COMPANION,
        ref=INTIMACY_REF.format(couple=couple.id),
    )


def _extra(
    key: str, user: User, couple: Couple, text: str, markup: dict[str, object] | None
) -> Outgoing:
    return Outgoing(
        key=key,
        chat_id=user.user_id,
        kind="notice",
        text=text,
        reply_markup=markup,
        priority=Priority.COMPANION,  # after every prompt of the wave
        ref=couple_ref(couple.id),
    )
