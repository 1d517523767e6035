"""Delivery time and time zone, per partner."""

from __future__ import annotations

from dataclasses import replace

from bot.context import Couplet, next_slot
from bot.storage.models import User


async def update(
    app: Couplet, user_id: int, *, delivery_time: str | None = None, timezone: str | None = None
) -> User:
    """Store the new setting and move the next delivery to match (never twice on one local date)."""
    now = app.now()
    async with app.db.transaction() as tx:
        user = await tx.users.require_user(user_id)
        changed = replace(
            user,
            delivery_time=delivery_time or user.delivery_time,
            timezone=timezone or user.timezone,
        )
        upcoming = next_slot(changed, now) if user.next_delivery_at is not None else None
        await tx.users.set_schedule(
            user_id, timezone=timezone, delivery_time=delivery_time, next_delivery_at=upcoming
        )
        return await tx.users.require_user(user_id)


async def view(app: Couplet, user_id: int) -> User:
    async with app.db.read() as tx:
        return await tx.users.require_user(user_id)
