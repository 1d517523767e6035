"""/settings, /time, /timezone and their buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import context as ctx
from bot import keyboards, texts
from bot.context import local
from bot.core.timeparse import format_time, parse_time, parse_timezone
from bot.flows import settings
from bot.handlers import buttons
from bot.handlers.common import reply
from bot.storage.models import User


def _next(user: User) -> str:
    return local(user, user.next_delivery_at) if user.next_delivery_at else "after pairing"


async def show(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_user is None:
        return
    user = await settings.view(ctx.get(context), update.effective_user.id)
    await reply(
        update,
        texts.SETTINGS.format(
            time=user.delivery_time, tz=texts.esc(user.timezone), next=_next(user)
        ),
        reply_markup=keyboards.settings(),
    )


async def set_time(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_user is None:
        return
    raw = " ".join(context.args or [])
    if not raw:
        await reply(update, texts.TIME_USAGE, reply_markup=keyboards.pick_time())
        return
    parsed = parse_time(raw)
    if parsed is None:
        await reply(update, texts.TIME_BAD.format(value=texts.esc(texts.clip(raw, 40))))
        return
    await _apply(update, context, update.effective_user.id, delivery_time=format_time(parsed))


async def set_timezone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_user is None:
        return
    raw = " ".join(context.args or [])
    if not raw:
        await reply(update, texts.TZ_USAGE, reply_markup=keyboards.pick_zone())
        return
    name = parse_timezone(raw)
    if name is None:
        await reply(update, texts.TZ_BAD.format(value=texts.esc(texts.clip(raw, 40))))
        return
    await _apply(update, context, update.effective_user.id, timezone=name)


async def _apply(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    user_id: int,
    *,
    delivery_time: str | None = None,
    timezone: str | None = None,
) -> None:
    user = await settings.update(
        ctx.get(context), user_id, delivery_time=delivery_time, timezone=timezone
    )
    template = texts.TIME_SET if delivery_time else texts.TZ_SET
    await reply(
        update,
        template.format(time=user.delivery_time, tz=texts.esc(user.timezone), next=_next(user)),
    )


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    kind, _, value = query.data.partition(":")
    await buttons.answer(update, context)
    if query.data == "set:time":
        await reply(update, texts.PICK_TIME, reply_markup=keyboards.pick_time())
    elif query.data == "set:tz":
        await reply(update, texts.PICK_TZ, reply_markup=keyboards.pick_zone())
    elif kind == "time" and (parsed := parse_time(value)) is not None:
        await buttons.drop_buttons(query)
        await _apply(update, context, query.from_user.id, delivery_time=format_time(parsed))
    elif kind == "tz" and (name := parse_timezone(value)) is not None:
        await buttons.drop_buttons(query)
        await _apply(update, context, query.from_user.id, timezone=name)
    else:
        await reply(update, texts.STALE_BUTTON)
