"""Swapping (or skipping) today's prompt for another of the same day and category.

Skip and swap are the same action: a couple never has an empty day, they trade the day's prompt
for its alternate. Either partner may do it privately, once per day, before either has answered.
The day's prompt is the couple's (``days.prompt_id``), so after a swap both answer the new one:
the swapper gets it at once, and the partner (if the day already reached them) gets it with a
neutral note that it was swapped, never who swapped it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import texts
from bot.context import Couplet
from bot.delivery.outbox import Priority, enqueue
from bot.flows.content import live_couple
from bot.flows.messages import prompt_key, prompt_message
from bot.storage.models import User
from prompts.selection import swap_for


@dataclass(frozen=True)
class SwapResult:
    ok: bool
    reason: str = ""  # a key of texts.SWAP_REFUSED when not ok
    partner: User | None = None


async def swap(
    app: Couplet, user_id: int, *, round_: int | None = None, day: int | None = None
) -> SwapResult:
    """Swap the user's current day; ``round_``/``day`` come from a button and must still be today."""
    now = app.now()
    async with app.db.transaction() as repo:
        user, couple, partner = await live_couple(repo, user_id)
        if user is None or couple is None or partner is None:
            return SwapResult(False, "not_paired")
        latest = await repo.deliveries(user_id, couple.id, couple.round, limit=1)
        if not latest:
            return SwapResult(False, "no_prompt")
        today = latest[0].day
        if day is not None and (round_, day) != (couple.round, today):
            return SwapResult(False, "stale")
        day_row = await repo.day(couple.id, couple.round, today)
        current = app.library.prompt(day_row.prompt_id) if day_row else None
        if day_row is None or current is None:
            return SwapResult(False, "none")
        if day_row.revealed_at is not None:
            return SwapResult(False, "revealed")
        answered = await repo.answers(couple.id, couple.round, today)
        if answered:
            return SwapResult(
                False, "answered_you" if user_id in answered else "answered_partner", partner
            )
        new = swap_for(app.library, current, await repo.used_prompts(couple.id, today))
        if new is None:
            return SwapResult(False, "none")
        if not await repo.record_swap(
            couple.id, couple.round, today, user_id, current.id, new.id, now
        ):
            return SwapResult(False, "swapped")
        await repo.set_day_prompt(couple.id, couple.round, today, new.id)
        # The swapper's own copy of the old prompt must not trail in after the new one.
        await repo.withdraw(prompt_key(user_id, couple.id, couple.round, today), "swapped")
        recipients = [(user, partner, texts.SWAPPED_YOU, Priority.DIRECT)]
        if await repo.delivery(partner.user_id, couple.id, couple.round, today):
            # Not sent yet? Then the partner simply gets the new prompt in its place, no note.
            unseen = await repo.withdraw(prompt_key(partner.user_id, couple.id, couple.round, today),
                                         "swapped")  # fmt: skip
            if unseen:
                recipients.append((partner, user, "", Priority.SCHEDULED))
            else:
                recipients.append((partner, user, texts.SWAPPED_PARTNER, Priority.PARTNER))
        for member, other, prefix, priority in recipients:
            message = prompt_message(
                member, other, couple.id, couple.round, today, new, late=False, prefix=prefix,
                key=f"swap:{couple.id}:{couple.round}:{today}:{member.user_id}",
                priority=priority, swappable=False,
            )  # fmt: skip
            await enqueue(repo, message, now)
    app.wake_sender()
    return SwapResult(True)
