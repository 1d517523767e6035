"""/settings, /time, /timezone, /language and their buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import context as ctx
from bot import i18n, keyboards, texts
from bot.context import local
from bot.core.timeparse import format_time, parse_time, parse_timezone
from bot.flows import pairing, settings
from bot.handlers import buttons
from bot.handlers.common import reply
from bot.storage.models import User


def _next(user: User) -> str:
    return local(user, user.next_delivery_at) if user.next_delivery_at else str(texts.AFTER_PAIRING)


async def show(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_user is None:
        return
    user = await settings.view(ctx.get(context), update.effective_user.id)
    await reply(
        update,
        texts.SETTINGS.format(
            time=user.delivery_time,
            tz=texts.esc(user.timezone),
            language=i18n.NATIVE_NAMES[i18n.current()],
            next=_next(user),
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
    elif query.data == "set:lang":
        await reply(update, texts.LANGUAGE_PICK, reply_markup=keyboards.languages())
    elif kind == "lang" and value in i18n.shipped():
        await buttons.drop_buttons(query)
        await _switch(update, context, query.from_user.id, value)
    elif kind == "time" and (parsed := parse_time(value)) is not None:
        await buttons.drop_buttons(query)
        await _apply(update, context, query.from_user.id, delivery_time=format_time(parsed))
    elif kind == "tz" and (name := parse_timezone(value)) is not None:
        await buttons.drop_buttons(query)
        await _apply(update, context, query.from_user.id, timezone=name)
    else:
        await reply(update, texts.STALE_BUTTON)


async def language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/language shows the buttons; /language ru (or Русский, pt-br...) switches straight away."""
    if update.effective_user is None:
        return
    raw = " ".join(context.args or []).strip()
    if not raw:
        await reply(update, texts.LANGUAGE_PICK, reply_markup=keyboards.languages())
        return
    chosen = _language_named(raw)
    if chosen is None:
        await reply(
            update,
            texts.LANGUAGE_UNKNOWN.format(value=texts.esc(texts.clip(raw, 40))),
            reply_markup=keyboards.languages(),
        )
        return
    await _switch(update, context, update.effective_user.id, chosen)


def _language_named(raw: str) -> str | None:
    by_name = {name.lower(): lang for lang, name in i18n.NATIVE_NAMES.items()}
    code = by_name.get(raw.lower()) or i18n.resolve(raw)
    if code == i18n.DEFAULT and raw.lower().split("-")[0] not in ("en", "english"):
        return None  # resolve() falls back to English; an explicit request must not
    return code if code in i18n.shipped() else None


async def _switch(
    update: Update, context: ContextTypes.DEFAULT_TYPE, user_id: int, language: str
) -> None:
    await pairing.set_language(ctx.get(context), user_id, language)
    i18n.set_current(language)  # the confirmation, and the rest of this update, in the new one
    await reply(update, texts.LANGUAGE_SET)
