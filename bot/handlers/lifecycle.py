"""/pause, /resume, /unpair, /delete_my_data, and the choice after day 30."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import context as ctx
from bot import keyboards, texts
from bot.context import local
from bot.flows import lifecycle
from bot.flows.lifecycle import Reason
from bot.handlers import buttons
from bot.handlers.common import reply


async def pause(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_user is None:
        return
    result = await lifecycle.pause(ctx.get(context), update.effective_user.id)
    if result.ok:
        await reply(update, texts.PAUSED)
    elif result.reason is Reason.ALREADY:
        await reply(update, texts.ALREADY_PAUSED)
    else:
        await reply(update, texts.NOT_PAIRED)


async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_user is None:
        return
    result = await lifecycle.resume(ctx.get(context), update.effective_user.id)
    if result.ok and result.user is not None:
        await reply(
            update, texts.RESUMED.format(when=local(result.user, result.user.next_delivery_at))
        )
    elif result.reason is Reason.NOT_PAUSED:
        await reply(update, texts.NOT_PAUSED)
    elif result.reason is Reason.PARTNER_GONE and result.partner is not None:
        await reply(update, texts.BLOCKED_PARTNER.format(name=texts.esc(result.partner.name)))
    else:
        await reply(update, texts.NOT_PAIRED)


async def unpair(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_user is None:
        return
    view = await lifecycle.partner_of(ctx.get(context), update.effective_user.id)
    if view is None:
        await reply(update, texts.NOT_PAIRED)
        return
    await reply(update, texts.UNPAIR_CONFIRM.format(partner=texts.esc(view.name)),
                reply_markup=keyboards.confirm("unpair", texts.BTN_YES_UNPAIR))  # fmt: skip


async def delete_my_data(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, texts.DELETE_CONFIRM,
                reply_markup=keyboards.confirm("delete", texts.BTN_YES_DELETE))  # fmt: skip


async def confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    action, _, answer = query.data.partition(":")
    await buttons.answer(update, context)
    await buttons.drop_buttons(query)
    if answer != "yes":
        await reply(update, texts.CANCELLED)
        return
    app = ctx.get(context)
    if action == "unpair":
        result = await lifecycle.unpair(app, query.from_user.id)
        await reply(update, texts.UNPAIRED if result.ok else texts.NOT_PAIRED)
    else:
        await lifecycle.delete_data(app, query.from_user.id)
        await reply(update, texts.DELETED)


async def again(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    await buttons.answer(update, context)
    await buttons.drop_buttons(query)
    result = await lifecycle.another_round(ctx.get(context), query.from_user.id,
                                           query.data == "again:yes")  # fmt: skip
    if not result.ok:
        await reply(update, texts.STALE_BUTTON)
    else:
        await reply(update, texts.AGAIN_STARTED if result.reason is Reason.AGAIN else texts.STOPPED)
