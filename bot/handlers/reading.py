"""/today, /progress, /history, /tip, /help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import context as ctx
from bot import i18n, keyboards, texts
from bot.context import local
from bot.core.challenge import DAYS, phase_of, progress_bar
from bot.flows import reading
from bot.flows.messages import prompt_extras
from bot.handlers import buttons
from bot.handlers.common import reply, reply_all, show_in_place
from bot.storage.models import Answer, CoupleStatus
from bot.telegram_html import MAX_TEXT, pack

HISTORY_PAGE = 4


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/help``: the essentials, with a button (``help:all``) that opens every command."""
    query = update.callback_query
    if query is not None:
        await buttons.answer(update, context)
        await show_in_place(query, update, texts.HELP_ALL, None)
        return
    await reply(update, texts.HELP, reply_markup=keyboards.help_all())


async def today(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_user is None:
        return
    s = await reading.status(ctx.get(context), update.effective_user.id)
    if s.couple is None or s.partner is None:
        await reply(update, texts.NOT_PAIRED)
        return
    paused = "\n\n" + texts.PAUSED_NOTE if s.couple.status == CoupleStatus.PAUSED else ""
    if s.prompt is None:
        await reply(
            update, texts.TODAY_NOT_YET.format(when=local(s.user, s.user.next_delivery_at)) + paused
        )
        return
    partner = texts.esc(s.partner.name)
    mine, theirs = s.user.user_id in s.answered_by, s.partner.user_id in s.answered_by
    status = (
        texts.TODAY_STATUS_BOTH if mine and theirs
        else texts.TODAY_STATUS_YOU if mine
        else texts.TODAY_STATUS_PARTNER if theirs
        else texts.TODAY_STATUS_NONE
    ).format(partner=partner)  # fmt: skip
    await reply(
        update,
        texts.TODAY.format(
            day=s.day,
            total=DAYS,
            phase=texts.PHASE_NAMES[phase_of(s.day)],
            category=texts.CATEGORY_NAMES[s.prompt.category],
            text=texts.esc(i18n.localized(s.prompt).text),
            extras=prompt_extras(s.prompt, s.partner),
            status=status,
        )
        + paused,
    )


async def progress(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_user is None:
        return
    s = await reading.status(ctx.get(context), update.effective_user.id)
    if s.couple is None:
        await reply(update, texts.NOT_PAIRED)
        return
    day = min(max(s.day, 1), DAYS)
    await reply(
        update,
        texts.PROGRESS.format(
            day=s.day if s.day else 0,
            total=DAYS,
            phase=texts.PHASE_NAMES[phase_of(day)],
            bar=progress_bar(s.day, s.revealed_days),
            revealed=len(s.revealed_days),
            streak=texts.DAYS_COUNT.format(n=reading.current_streak(s)),
        ),
    )


def _answer(answer: Answer | None) -> str:
    """An answer as the history shows it: whole, however long."""
    if answer is None:
        return "—"
    if answer.kind != "text":
        label = texts.REVEAL_MEDIA[answer.kind]
        return label + (f" · {texts.esc(answer.text)}" if answer.text else "")
    return texts.esc(answer.text or "")


async def history(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_user is None:
        return
    offset = 0
    query = update.callback_query
    if query is not None and query.data:
        await buttons.answer(update, context)
        try:
            offset = max(0, int(query.data.split(":", 1)[1]))
        except ValueError:
            offset = 0
    page = await reading.history(ctx.get(context), update.effective_user.id, offset, HISTORY_PAGE)
    if page.partner is None:
        await reply(update, texts.NOT_PAIRED)
        return
    if not page.items:
        await reply(update, texts.HISTORY_EMPTY)
        return
    pages = (page.total + HISTORY_PAGE - 1) // HISTORY_PAGE
    # One section per day (a phase heading goes with the day under it): a page too long for one
    # message goes out as several, each day starting a message of its own where it has to.
    sections = [texts.HISTORY_HEAD.format(page=offset // HISTORY_PAGE + 1, pages=pages)]
    last_phase = None
    for day, prompt, mine, theirs in page.items:
        section = ""
        phase = (day.round, phase_of(day.day))
        if phase != last_phase:
            round_note = texts.HISTORY_ROUND.format(round=day.round) if day.round > 1 else ""
            section = texts.HISTORY_PHASE.format(phase=texts.PHASE_NAMES[phase[1]] + round_note)
            last_phase = phase
        section += "\n" + texts.HISTORY_ITEM.format(
            day=day.day,
            prompt=texts.esc(texts.clip(i18n.localized(prompt).text, 160)) if prompt else "",
            mine=_answer(mine),
            partner=texts.esc(page.partner.name),
            theirs=_answer(theirs),
        )
        sections.append(section.strip("\n"))
    parts = pack(sections, MAX_TEXT)
    markup = keyboards.history(offset, HISTORY_PAGE, page.total)
    if query is not None and len(parts) == 1:
        await show_in_place(query, update, parts[0], markup)
    else:  # the buttons go under the last message of the page
        await reply_all(update, parts, reply_markup=markup)


def _topic_named(app: ctx.Couplet, words: str) -> str | None:
    """``/tip conflict``, ``/tip quality time`` or the topic's name in the reader's language
    (``/tip Конфликты``) → the topic's id; what matches none comes back as typed."""
    typed = " ".join(words.split()).lower()
    for tid, info in app.library.topics.items():
        if typed in (tid, tid.replace("-", " "), i18n.localized(info).label.lower()):
            return tid
    return typed.replace(" ", "-") or None


async def tip(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_user is None:
        return
    app = ctx.get(context)
    query = update.callback_query
    topic: str | None
    if query is not None and query.data:
        await buttons.answer(update, context)
        topic = query.data.split(":", 1)[1]
    else:
        topic = _topic_named(app, " ".join(context.args or []))
    topics = [(tid, i18n.localized(info).label) for tid, info in app.library.topics.items()]
    if topic is not None and topic not in app.library.topics:
        await reply(update, texts.TIP_UNKNOWN.format(topic=texts.esc(texts.clip(topic, 40))),
                    reply_markup=keyboards.topics(topics))  # fmt: skip
        return
    chosen, restarted = await reading.tip(app, update.effective_user.id, topic)
    label = i18n.localized(app.library.topics[topic or chosen.topics[0]]).label
    body = texts.TIP.format(topic=texts.esc(label), text=texts.esc(i18n.localized(chosen).text))
    if restarted:
        body += texts.TIP_ALL_SEEN
    if topic is None:
        body += texts.TIP_MORE
    await reply(update, body, reply_markup=keyboards.topics(topics) if topic is None else None)
