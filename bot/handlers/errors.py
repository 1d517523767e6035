"""Unknown commands, and the global error handler."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot import texts
from bot.handlers import buttons
from bot.handlers.common import reply

log = logging.getLogger(__name__)

# A double tap edits a message into the state it is already in, and a button pressed long ago
# can no longer be answered: the first tap did the work, so neither deserves an apology.
HARMLESS = ("message is not modified", "query is too old")


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    command = (message.text or "").split()[0] if message and message.text else "that"
    await reply(update, texts.UNKNOWN_COMMAND.format(command=texts.esc(texts.clip(command, 40))))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log with context (never the token) and tell the user, without a stack trace."""
    if isinstance(context.error, BadRequest) and any(
        marker in str(context.error).lower() for marker in HARMLESS
    ):
        log.debug("ignored a harmless Telegram refusal: %s", context.error)
        return
    where = ""
    if isinstance(update, Update):
        chat = update.effective_chat.id if update.effective_chat else None
        kind = next((k for k in ("message", "edited_message", "callback_query", "my_chat_member")
                     if getattr(update, k, None) is not None), "other")  # fmt: skip
        where = f" (update {update.update_id}, {kind}, chat {chat})"
    log.error("handler failed%s", where, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        with contextlib.suppress(TelegramError):  # unless the handler answered it already
            await buttons.answer(update, context, texts.ERROR_TOAST)
        try:
            await reply(update, texts.ERROR)
        except TelegramError:
            log.warning("could not tell chat %s about the error", update.effective_chat.id)
