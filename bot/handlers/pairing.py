"""/start, invite deep links, accept / decline, start now."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import context as ctx
from bot import keyboards, texts
from bot.context import local
from bot.core.pairing import InviteProblem, looks_like_code
from bot.flows import pairing
from bot.handlers import buttons
from bot.handlers.common import reply
from bot.storage.models import CoupleStatus
from scheduler.job import run_now


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    app, user = ctx.get(context), update.effective_user
    if user is None:
        return
    if context.args:
        code = context.args[0]
        if not looks_like_code(code):
            await reply(update, texts.INVITE_PROBLEMS[InviteProblem.UNKNOWN])
            return
        problem, inviter = await pairing.open_invite(app, user.id, code)
        if problem is not None or inviter is None:
            await reply(update, texts.INVITE_PROBLEMS[problem or InviteProblem.UNKNOWN])
            return
        await reply(
            update,
            texts.INVITED_BY.format(inviter=texts.esc(inviter.name)),
            reply_markup=keyboards.accept_invite(code),
        )
        return
    view = await pairing.start(app, user.id)
    if isinstance(view, pairing.Paired):
        status = texts.PAUSED_NOTE if view.couple_status == CoupleStatus.PAUSED else ""
        await reply(update, texts.ALREADY_PAIRED.format(partner=texts.esc(view.partner.name),
                                                        status=status))  # fmt: skip
        return
    link = f"https://t.me/{context.bot.username}?start={view.invite.code}"
    await reply(update, texts.WELCOME.format(name=texts.esc(user.first_name or "🙂")))
    await reply(
        update,
        texts.INVITE.format(link=texts.esc(link), expires=local(view.user, view.invite.expires_at)),
        reply_markup=keyboards.invite(link),
    )


async def invite_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    _, action, code = query.data.split(":", 2)
    app = ctx.get(context)
    await buttons.answer(update, context)
    if action == "decline":
        await pairing.decline(app, query.from_user.id, code)
        await buttons.drop_buttons(query)
        await reply(update, texts.DECLINED_YOU)
        return
    result = await pairing.accept(app, query.from_user.id, code)
    if result.problem is not None or result.user is None or result.partner is None:
        await buttons.drop_buttons(query)
        await reply(update, texts.INVITE_PROBLEMS[result.problem or InviteProblem.UNKNOWN])
        return
    await buttons.drop_buttons(query)
    await reply(
        update,
        texts.PAIRED_YOU.format(
            partner=texts.esc(result.partner.name),
            time=result.user.delivery_time,
            tz=texts.esc(result.user.timezone),
        ),
        reply_markup=keyboards.start_now(),
    )


async def start_now(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    await buttons.answer(update, context)
    outcome = await pairing.start_now(ctx.get(context), query.from_user.id)
    await buttons.drop_buttons(query)
    if outcome is pairing.StartNow.STARTED:
        run_now(context.application)
    await reply(update, START_NOW_REPLIES[outcome])


START_NOW_REPLIES = {
    pairing.StartNow.STARTED: texts.STARTING_NOW,
    pairing.StartNow.NOT_PAIRED: texts.NOT_PAIRED,
    pairing.StartNow.PAUSED: texts.PAUSED_NOTE,
    pairing.StartNow.ALREADY: texts.ALREADY_STARTED,
}
