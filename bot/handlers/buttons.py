"""Callback queries: each answered exactly once, and the pressed message edited only to change it.

Handlers answer through ``answer`` (early, so the client's spinner stops), and a last handler
group answers whatever is still unanswered once the update is done: a foreign or stale button,
or a handler that failed half-way. The ids answered lately are kept in a small bounded table,
so neither a failure nor a second code path answers the same query twice (Telegram refuses that
as "query is too old or query ID is invalid").
"""

from __future__ import annotations

import logging
from collections import OrderedDict

from telegram import CallbackQuery, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot import texts
from bot.i18n import Msg

log = logging.getLogger(__name__)

KEY = "answered-queries"
REMEMBERED = 4096  # far more than can be in flight at once
# Telegram's words when an edit is refused for a reason the user cannot fix and need not hear:
# the message is gone or too old to edit, or it already looks like that (a double tap).
EDIT_REFUSALS = ("message to edit not found", "message can't be edited", "message is not modified")


class RecentIds:
    """The last ``size`` ids seen, in arrival order."""

    def __init__(self, size: int = REMEMBERED) -> None:
        self._size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def add(self, item: str) -> bool:
        """Remember ``item``; False if it was remembered already."""
        if item in self._ids:
            return False
        self._ids[item] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return True


def _answered(context: ContextTypes.DEFAULT_TYPE) -> RecentIds:
    return context.application.bot_data.setdefault(KEY, RecentIds())


async def answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, text: str | Msg | None = None
) -> None:
    """Answer the update's callback query (a short toast with ``text``), unless answered already."""
    query = update.callback_query
    if query is None or not _answered(context).add(query.id):
        return
    try:
        await query.answer(None if text is None else str(text))
    except BadRequest as exc:  # pressed long ago: Telegram no longer takes an answer
        log.info("callback query of update %d not answered: %s", update.update_id, exc)


async def answer_the_rest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The last group: a query no handler answered (foreign, stale, or a failure) gets a word."""
    await answer(update, context, texts.STALE_BUTTON)


def is_foreign(query: CallbackQuery) -> bool:
    """A button on a message in somebody else's private chat (e.g. an inline message)."""
    message = query.message
    return message is None or (
        message.chat.type == "private" and message.chat.id != query.from_user.id
    )


def is_gone(query: CallbackQuery) -> bool:
    """The pressed button is no longer on its message: a second tap that raced the first one's
    edit, or a button taken away since. Telegram sends the message as it is now."""
    message = query.message
    if not isinstance(message, Message) or not message.is_accessible:
        return False  # too old to tell: let the handler judge
    markup = message.reply_markup
    rows = markup.inline_keyboard if markup is not None else ()
    return all(button.callback_data != query.data for row in rows for button in row)


async def drop_buttons(query: CallbackQuery) -> None:
    """Remove the pressed message's buttons, if it still has any and can still be edited."""
    message = query.message
    if not isinstance(message, Message) or message.reply_markup is None:
        return  # nothing to change: an edit would be refused as "not modified"
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest as exc:
        if not any(marker in str(exc).lower() for marker in EDIT_REFUSALS):
            raise
    except TelegramError as exc:
        log.info("could not remove the buttons of message %d: %s", message.message_id, exc)
