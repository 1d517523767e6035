"""Swapping (or skipping) today's prompt for another of the same day and category.

Skip and swap are the same action: a couple never has an empty day, they trade the day's prompt
for its alternate. Either partner may do it privately, once per day, before either has answered.
The day's prompt is the couple's (``days.prompt_id``), so after a swap both answer the new one:
the swapper gets it at once, and the partner (if the day already reached them) gets it with a
neutral note that it was swapped, never who swapped it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import keys, texts
from bot.context import Couplet
from bot.core.outcomes import SwapRefusal
from bot.delivery.outbox import Priority, enqueue
from bot.flows.live import live_pairing
from bot.flows.messages import prompt_message
from bot.storage.models import User
from prompts.selection import swap_for


@dataclass(frozen=True)
class SwapResult:
    ok: bool
    reason: SwapRefusal | None = None
    partner: User | None = None  # who answered, for ANSWERED_PARTNER


async def swap(
    app: Couplet, user_id: int, *, round_: int | None = None, day: int | None = None
) -> SwapResult:
    """Swap the user's current day; ``round_``/``day`` come from a button and must still be today."""
    now = app.now()
    async with app.db.transaction() as tx:
        user, couple, partner = await live_pairing(tx, user_id)
        if user is None or couple is None or partner is None:
            return SwapResult(False, SwapRefusal.NOT_PAIRED)
        latest = await tx.days.deliveries(user_id, couple.id, couple.round, limit=1)
        if not latest:
            return SwapResult(False, SwapRefusal.NO_PROMPT)
        today = latest[0].day
        if day is not None and (round_, day) != (couple.round, today):
            return SwapResult(False, SwapRefusal.STALE)
        day_row = await tx.days.day(couple.id, couple.round, today)
        current = app.library.prompt(day_row.prompt_id) if day_row else None
        if day_row is None or current is None:
            return SwapResult(False, SwapRefusal.NONE)
        if day_row.revealed_at is not None:
            return SwapResult(False, SwapRefusal.REVEALED)
        answered = await tx.days.answers(couple.id, couple.round, today)
        if answered:
            if user_id in answered:
                return SwapResult(False, SwapRefusal.ANSWERED_YOU)
            return SwapResult(False, SwapRefusal.ANSWERED_PARTNER, partner)
        new = swap_for(app.library, current, await tx.days.used_prompts(couple.id, today))
        if new is None:
            return SwapResult(False, SwapRefusal.NONE)
        if not await tx.days.record_swap(
            couple.id, couple.round, today, user_id, current.id, new.id, now
        ):
            return SwapResult(False, SwapRefusal.SWAPPED)
        await tx.days.set_day_prompt(couple.id, couple.round, today, new.id)
        # The swapper's own copy of the old prompt must not trail in after the new one.
        await tx.outbox.withdraw(
            keys.prompt_key(user_id, couple.id, couple.round, today), "swapped"
        )
        recipients = [(user, partner, texts.SWAPPED_YOU, Priority.DIRECT)]
        if await tx.days.delivery(partner.user_id, couple.id, couple.round, today):
            # Not sent yet? Then the partner simply gets the new prompt in its place, no note.
            unseen = await tx.outbox.withdraw(keys.prompt_key(partner.user_id, couple.id, couple.round, today),
                                         "swapped")  # fmt: skip
            if unseen:
                recipients.append((partner, user, "", Priority.SCHEDULED))
            else:
                recipients.append((partner, user, texts.SWAPPED_PARTNER, Priority.PARTNER))
        for member, other, prefix, priority in recipients:
            message = prompt_message(
                member, other, couple.id, couple.round, today, new, late=False, prefix=prefix,
                key=keys.swap_key(couple.id, couple.round, today, member.user_id),
                priority=priority, swappable=False,
            )  # fmt: skip
            await enqueue(tx, message, now)
    return SwapResult(True)
