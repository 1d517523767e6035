"""The one question most flows start with: is this user in a live couple, and with whom?"""

from __future__ import annotations

from bot.storage import Transaction
from bot.storage.models import Couple, User


async def live_pairing(
    tx: Transaction, user_id: int
) -> tuple[User | None, Couple | None, User | None]:
    """The user, their live (active or paused) couple and their partner; couple and partner are
    None when the user is not paired. In a write transaction the couple stays locked until
    commit (PostgreSQL), so what the flow decides from it holds against other instances."""
    user = await tx.users.user(user_id)
    couple = await tx.couples.couple(user.couple_id if user else None, lock=True)
    if user is None or couple is None or not couple.is_live:
        return user, None, None
    return user, couple, await tx.users.user(couple.partner_of(user_id))
