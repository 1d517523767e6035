"""Unknown commands, and the global error handler."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import texts
from bot.handlers.common import reply

log = logging.getLogger(__name__)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    command = (message.text or "").split()[0] if message and message.text else "that"
    await reply(update, texts.UNKNOWN_COMMAND.format(command=texts.esc(texts.clip(command, 40))))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log with context (never the token) and tell the user, without a stack trace."""
    where = ""
    if isinstance(update, Update):
        chat = update.effective_chat.id if update.effective_chat else None
        kind = next((k for k in ("message", "edited_message", "callback_query", "my_chat_member")
                     if getattr(update, k, None) is not None), "other")  # fmt: skip
        where = f" (update {update.update_id}, {kind}, chat {chat})"
    log.error("handler failed%s", where, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            if update.callback_query is not None:
                await update.callback_query.answer()
            await reply(update, texts.ERROR)
        except TelegramError:
            log.warning("could not tell chat %s about the error", update.effective_chat.id)
