"""Helpers every handler shares."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import context as ctx
from bot import i18n, texts
from bot.delivery import replies
from bot.flows import lifecycle, pairing
from bot.handlers import buttons
from bot.i18n import Msg
from bot.telegram_html import MAX_TEXT, fits, split_html

log = logging.getLogger(__name__)


async def reply(update: Update, text: str | Msg, **kwargs: object) -> None:
    """Answer in the chat the update came from (HTML; link previews off by default).

    A text too long for one message goes out as several (see ``reply_all``).
    """
    await reply_all(update, [text], **kwargs)


async def reply_all(update: Update, parts: list[str] | list[str | Msg], **kwargs: object) -> None:
    """Send ``parts`` in order, each cut again if it does not fit; ``reply_markup`` goes on the
    last message, under everything it belongs to."""
    if update.effective_chat is None:
        return
    markup = kwargs.pop("reply_markup", None)
    texts_ = [str(part) for part in parts]  # rendered in the reader's language
    route = replies.current()
    if route is not None and not kwargs:  # webhook mode on PostgreSQL: the leader sends it
        to_dict = getattr(markup, "to_dict", None)
        await route.send(update.effective_chat.id, texts_, to_dict() if to_dict else None)
        return
    chunks = [chunk for part in texts_ for chunk in split_html(part, MAX_TEXT)]
    bot, chat_id = update.get_bot(), update.effective_chat.id
    for n, chunk in enumerate(chunks, 1):
        last = {"reply_markup": markup} if n == len(chunks) and markup is not None else {}
        await bot.send_message(chat_id, chunk, **kwargs, **last)  # type: ignore[arg-type]


# Telegram's words when the pressed message can no longer be edited (deleted, or out of reach).
GONE = ("message to edit not found", "message can't be edited")


async def show_in_place(
    query: CallbackQuery, update: Update, text: str | Msg, markup: object
) -> None:
    """Edit the pressed message into ``text``; if Telegram no longer lets the bot reach it
    (deleted, inaccessible, too old to edit), or ``text`` does not fit in one message, send it
    as new messages instead."""
    message, text = query.message, str(text)
    if isinstance(message, Message) and message.is_accessible and fits(text, MAX_TEXT):
        if message.text_html == text and message.reply_markup == markup:
            return  # a double tap: it shows this already, and Telegram refuses a no-op edit
        try:
            await query.edit_message_text(text, reply_markup=markup)  # type: ignore[arg-type]
            return
        except BadRequest as exc:
            if "message is not modified" in str(exc).lower():
                return
            if not any(marker in str(exc).lower() for marker in GONE):
                raise
    await reply(update, text, reply_markup=markup)


async def gatekeeper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every other handler: private chats only, keep the user row fresh, and set
    the reader's language for everything this update renders (``bot.i18n``)."""
    chat = update.effective_chat
    app = ctx.get(context)
    sender = update.effective_user
    i18n.set_current(i18n.resolve(sender.language_code if sender else None))
    if chat is not None and chat.type != ChatType.PRIVATE:
        if update.my_chat_member is None or update.my_chat_member.new_chat_member.status in (
            "member", "administrator"
        ):  # fmt: skip
            await _private_only(update, context, chat.id, chat.type)
        raise ApplicationHandlerStop
    if update.my_chat_member is not None:
        return  # blocked / unblocked: handled by its own handler, without touching the user row
    query = update.callback_query
    if query is not None and buttons.is_foreign(query):
        await buttons.answer(update, context, texts.BUTTON_FOREIGN)
        raise ApplicationHandlerStop
    if query is not None and buttons.is_gone(query):
        await buttons.answer(update, context)  # the first tap did the work: nothing to say
        raise ApplicationHandlerStop
    user = update.effective_user
    if user is not None and not user.is_bot:
        stored = await pairing.touch_user(
            app, user.id, user.first_name or "", user.username, user.language_code
        )
        i18n.set_current(stored.language)


async def _private_only(
    update: Update, context: ContextTypes.DEFAULT_TYPE, chat_id: int, chat_type: str
) -> None:
    app = ctx.get(context)
    if chat_type == ChatType.CHANNEL:
        return
    async with app.db.transaction() as tx:
        first_time = await tx.groups.note_group(chat_id, app.now())
    if first_time:
        try:
            await context.bot.send_message(
                chat_id, texts.PRIVATE_ONLY.format(bot=texts.esc(context.bot.username))
            )
            await context.bot.leave_chat(chat_id)
        except TelegramError as exc:
            log.info("could not tell group %s that the bot is private-only: %s", chat_id, exc)
    await buttons.answer(update, context)


async def member_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A private chat member update says the user blocked (kicked) or restarted the bot."""
    change = update.my_chat_member
    if change is None or update.effective_user is None:
        return
    app = ctx.get(context)
    if change.new_chat_member.status == "kicked":
        await lifecycle.gone(app, update.effective_user.id)
    elif change.new_chat_member.status == "member":
        await lifecycle.back(app, update.effective_user.id)


async def stale(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button nobody handles any more (old message, old version of the bot)."""
    await buttons.answer(update, context, texts.STALE_BUTTON)
