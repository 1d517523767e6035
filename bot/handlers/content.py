"""/swap, /checkin, /intimacy, /safety and their buttons. Thin: the flows decide."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import context as ctx
from bot import keyboards, texts
from bot.flows import checkin, intimacy, swap
from bot.flows.checkin import CheckinOutcome
from bot.flows.messages import checkin_question_text, checkin_result_text
from bot.handlers import buttons
from bot.handlers.common import reply, show_in_place


async def safety(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, texts.SAFETY)


# --- swap ---------------------------------------------------------------------------------------


async def swap_prompt(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/swap`` or the button under a prompt (``swap:<round>:<day>``, refused once stale)."""
    if update.effective_user is None:
        return
    query = update.callback_query
    round_ = day = None
    if query is not None and query.data:
        _, r, d = query.data.split(":")
        round_, day = int(r), int(d)
    result = await swap.swap(ctx.get(context), update.effective_user.id, round_=round_, day=day)
    if query is not None:
        await buttons.answer(update, context)
        if result.ok:
            await buttons.drop_buttons(query)
    if not result.ok:  # on success the new prompt arrives through the outbox
        partner = texts.esc(result.partner.name) if result.partner else texts.YOUR_PARTNER
        await reply(update, texts.SWAP_REFUSED[result.reason].format(partner=partner))


# --- self-check ---------------------------------------------------------------------------------


def _render(step: checkin.Question | checkin.Result) -> tuple[str, object]:
    if isinstance(step, checkin.Question):
        text = checkin_question_text(step.question, step.index + 1, step.total)
        if step.resumed:
            text = texts.CHECKIN_RESUMED + text
        return text, keyboards.checkin_scale(step.checkin_id, step.index)
    markup = None
    if step.partner is not None:
        markup = keyboards.checkin_share(step.checkin_id, texts.clip(step.partner.name, 24))
    return checkin_result_text(step.summary, step.partner), markup


async def checkin_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/checkin`` or the "Start check-in" button: a new message with the next question."""
    if update.effective_user is None:
        return
    if update.callback_query is not None:
        await buttons.answer(update, context)
    step = await checkin.start(ctx.get(context), update.effective_user.id)
    text, markup = _render(step)
    await reply(update, text, reply_markup=markup)


async def checkin_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``ci:a:<checkin>:<question>:<score>``: store the tap, show the next question in place."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    _, _, checkin_id, index, score = query.data.split(":")
    step = await checkin.answer(
        ctx.get(context), query.from_user.id, int(checkin_id), int(index), int(score)
    )
    if isinstance(step, checkin.Refused):
        await buttons.answer(
            update,
            context,
            texts.CHECKIN_ALREADY if step.reason is CheckinOutcome.ALREADY else texts.CHECKIN_STALE,
        )
        return
    await buttons.answer(update, context)
    text, markup = _render(step)
    await show_in_place(query, update, text, markup)


async def checkin_share(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``ci:share:<checkin>``: agree to share; summaries go out once both agreed."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    result = await checkin.share(
        ctx.get(context), query.from_user.id, int(query.data.split(":")[2])
    )
    if result.outcome is CheckinOutcome.STALE:
        await buttons.answer(update, context, texts.CHECKIN_SHARE_STALE)
        await buttons.drop_buttons(query)
        return
    await buttons.answer(update, context)
    await buttons.drop_buttons(query)
    if result.outcome is CheckinOutcome.NOT_PAIRED:
        await reply(update, texts.CHECKIN_SHARE_NOT_PAIRED)
    elif result.outcome is CheckinOutcome.WAITING and result.partner is not None:
        await reply(
            update, texts.CHECKIN_SHARE_WAITING.format(partner=texts.esc(result.partner.name))
        )


# --- intimacy track -----------------------------------------------------------------------------

CHOICE_TEXTS = {
    "not_paired": texts.INTIMACY_NOT_PAIRED,
    "waiting": texts.INTIMACY_WAITING,
    "active": texts.INTIMACY_ACTIVE,
    "already_on": texts.INTIMACY_ALREADY_ON,
    "left": texts.INTIMACY_LEFT,
    "already_off": texts.INTIMACY_ALREADY_OFF,
}


async def intimacy_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/intimacy`` explains and shows your own choice; ``/intimacy on|off`` changes it."""
    if update.effective_user is None:
        return
    app, user_id = ctx.get(context), update.effective_user.id
    arg = " ".join(context.args or []).strip().lower()
    if arg in ("on", "yes", "join"):
        await _choose(update, context, user_id, True)
    elif arg in ("off", "no", "stop", "leave"):
        await _choose(update, context, user_id, False)
    elif arg:
        await reply(update, texts.INTIMACY_USAGE)
    else:
        view = await intimacy.view(app, user_id)
        if not view.paired or view.partner is None:
            await reply(update, texts.INTIMACY_NOT_PAIRED)
            return
        status = (
            texts.INTIMACY_STATUS_ACTIVE if view.active
            else texts.INTIMACY_STATUS_WAITING if view.opted_in
            else texts.INTIMACY_STATUS_OFF
        )  # fmt: skip
        await reply(
            update,
            texts.INTIMACY_ABOUT.format(partner=texts.esc(view.partner.name), status=status),
            reply_markup=keyboards.intimacy(view.opted_in),
        )


async def intimacy_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    await buttons.answer(update, context)
    await buttons.drop_buttons(query)
    await _choose(update, context, query.from_user.id, query.data == "int:on")


async def _choose(
    update: Update, context: ContextTypes.DEFAULT_TYPE, user_id: int, opt_in: bool
) -> None:
    choice = await intimacy.choose(ctx.get(context), user_id, opt_in)
    partner = texts.esc(choice.partner.name) if choice.partner else ""
    await reply(update, CHOICE_TEXTS[choice.outcome].format(partner=partner))
