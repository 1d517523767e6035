"""Content hooks the scheduler calls while delivering a day: which prompt, and what comes with it.

``scheduler/due.py`` calls these inside its delivery transaction: ``day_prompt`` (the prompt
for a day: the designed plan, fresh on later rounds), ``extras`` (the check-in offer on days 1,
15 and 30, the one-time intimacy-track mention after day 10) and, when both partners opted in,
``intimacy_step_message`` (the next step of the track).
"""

from __future__ import annotations

from datetime import datetime

from bot import i18n, keyboards, keys, texts
from bot.context import Couplet
from bot.delivery.outbox import Outgoing, Priority
from bot.flows.messages import prompt_extras
from bot.keys import couple_ref
from bot.storage import Transaction
from bot.storage.models import Couple, MessageKind, User
from prompts.checkin import OFFER_DAYS
from prompts.schema import Prompt
from prompts.selection import intimacy_step, prompt_for

INTIMACY_OFFER_DAY = 11


async def day_prompt(app: Couplet, tx: Transaction, couple: Couple, day: int) -> Prompt:
    """The prompt to store for ``day``: round 1 follows the plan; later rounds avoid repeats."""
    used = await tx.days.used_prompts(couple.id, day) if couple.round > 1 else set()
    return prompt_for(app.library, couple.round, day, used)


@i18n.renders_for("user")
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
                keys.checkin_offer_key(user.user_id, couple.id, couple.round, day),
                user,
                couple,
                text.format(partner=texts.esc(partner.name)),
                keyboards.checkin_start_data(),
            )
        )
    if day == INTIMACY_OFFER_DAY and user.user_id not in opted_in:
        out.append(
            _extra(
                keys.intimacy_offer_key(user.user_id, couple.id),
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
    app: Couplet, tx: Transaction, user: User, couple: Couple, now: datetime
) -> Outgoing | None:
    """Record and return the next step of the track for this partner (None when all were sent)."""
    step = await tx.intimacy.intimacy_steps_sent(couple.id, user.user_id) + 1
    prompt = intimacy_step(app.library, step)
    if prompt is None or not await tx.intimacy.record_intimacy_step(
        couple.id, user.user_id, step, now
    ):
        return None
    prompt = i18n.localized(prompt)
    body = texts.esc(prompt.text) + prompt_extras(prompt, None)
    if prompt.follow_up:  # steps have no reveal, so their follow-up travels with them
        body += "\n\n" + texts.REVEAL_FOLLOW_UP.format(text=texts.esc(prompt.follow_up))
    if step == len(app.library.intimacy):  # the end of the track: where to turn for more
        body += "\n\n" + texts.INTIMACY_HELP
    text = texts.INTIMACY_STEP.format(step=step, total=len(app.library.intimacy), text=body)
    return Outgoing(
        key=keys.intimacy_step_key(user.user_id, couple.id, step),
        chat_id=user.user_id,
        kind=MessageKind.NOTICE,
        text=text,
        priority=Priority.COMPANION,
        ref=keys.intimacy_ref(couple.id),
    )


def _extra(
    key: str, user: User, couple: Couple, text: str, markup: dict[str, object] | None
) -> Outgoing:
    return Outgoing(
        key=key,
        chat_id=user.user_id,
        kind=MessageKind.NOTICE,
        text=text,
        reply_markup=markup,
        priority=Priority.COMPANION,  # after every prompt of the wave
        ref=couple_ref(couple.id),
    )
