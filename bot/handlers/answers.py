"""Answers arrive as text, voice notes or photos; edits update them; /nudge."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot import context as ctx
from bot import keyboards, texts
from bot.context import local
from bot.core.outcomes import NudgeReason
from bot.flows import answers
from bot.flows.answers import Content, Outcome
from bot.handlers import buttons
from bot.handlers.common import reply


def _content(message: Message) -> Content | None:
    if message.text:
        return Content("text", message.text, None, message.message_id)
    if message.voice:
        return Content("voice", message.caption, message.voice.file_id, message.message_id)
    if message.photo:
        return Content("photo", message.caption, message.photo[-1].file_id, message.message_id)
    return None


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    content = _content(message)
    if content is None:
        await reply(update, texts.UNSUPPORTED)
        return
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    result = await answers.submit(ctx.get(context), update.effective_user.id, content, reply_to)
    partner = texts.esc(result.partner.name) if result.partner else ""
    match result.outcome:
        case Outcome.NOT_PAIRED:
            await reply(update, texts.NOT_PAIRED)
        case Outcome.NOTHING_OPEN | Outcome.ALREADY_REVEALED:
            user, next_line = result.user, ""
            if user is not None and user.next_delivery_at is not None:
                next_line = texts.NEXT_AT.format(when=local(user, user.next_delivery_at))
            await reply(update, texts.NOTHING_OPEN.format(next=next_line))
        case Outcome.SAVED:
            await reply(update, texts.SAVED.format(day=result.day, partner=partner),
                        reply_markup=keyboards.nudge(result.partner.name if result.partner else ""))  # fmt: skip
        case Outcome.UPDATED:
            await reply(update, texts.UPDATED.format(day=result.day, partner=partner))
        case Outcome.REVEALED:
            await reply(update, texts.SAVED_REVEAL.format(day=result.day))
        case Outcome.NOT_AN_ANSWER:
            await reply(update, texts.INTIMACY_NO_REPLY)


async def unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, texts.UNSUPPORTED)


async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.edited_message
    if message is None or update.effective_user is None:
        return
    new_text = message.text or message.caption
    if not new_text:
        return
    result = await answers.edit(ctx.get(context), update.effective_user.id, message.message_id,
                                new_text)  # fmt: skip
    if result.outcome is Outcome.UPDATED:
        partner = texts.esc(result.partner.name) if result.partner else ""
        await reply(update, texts.UPDATED.format(day=result.day, partner=partner))
    elif result.outcome is Outcome.ALREADY_REVEALED:
        partner = texts.esc(result.partner.name) if result.partner else texts.YOUR_PARTNER
        await reply(update, texts.EDIT_TOO_LATE.format(day=result.day, partner=partner))


async def nudge(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_user is None:
        return
    if update.callback_query is not None:
        await buttons.answer(update, context)
    result = await answers.nudge(ctx.get(context), update.effective_user.id)
    partner = texts.esc(result.partner.name) if result.partner else ""
    if result.sent:
        await reply(update, texts.NUDGE_SENT.format(partner=partner))
    elif result.reason is NudgeReason.ALREADY:
        await reply(update, texts.NUDGE_ALREADY.format(partner=partner))
    else:
        reason = texts.NUDGE_REASONS[result.reason].format(partner=partner)
        await reply(update, texts.NUDGE_NOT_NEEDED.format(reason=reason))
