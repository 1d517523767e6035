"""Builds the outgoing messages that several flows share: prompts, reveals, recaps."""

from __future__ import annotations

from bot import i18n, keyboards, keys, texts
from bot.context import local
from bot.core.challenge import DAYS, PHASE_LENGTH, phase_of
from bot.core.outcomes import PartnerNews
from bot.delivery.outbox import Outgoing, Priority
from bot.keys import couple_ref, day_ref
from bot.storage.models import Answer, Checkin, Day, MessageKind, User
from bot.telegram_html import MAX_TEXT, fits, pack
from prompts.checkin import Summary
from prompts.loader import Library
from prompts.schema import CheckinQuestion, Prompt


def prompt_extras(prompt: Prompt, partner: User | None) -> str:
    """What the prompt carries under its text, as HTML: the no-touch version, the surprise note,
    the safety line."""
    prompt = i18n.localized(prompt)
    out = ""
    if prompt.no_touch:
        out += texts.PROMPT_NO_TOUCH.format(text=texts.esc(prompt.no_touch))
    if prompt.surprise:
        name = partner.name if partner else texts.YOUR_PARTNER
        out += texts.PROMPT_SURPRISE.format(partner=texts.esc(name))
    if prompt.safety:
        out += texts.PROMPT_SAFETY.format(text=texts.esc(prompt.safety))
    return out


@i18n.renders_for("user")
def prompt_message(
    user: User,
    partner: User,
    couple_id: int,
    round_: int,
    day: int,
    prompt: Prompt,
    *,
    late: bool,
    prefix: str = "",
    key: str | None = None,
    priority: Priority = Priority.SCHEDULED,
    swappable: bool = True,
) -> Outgoing:
    """A day's prompt for one partner. ``prefix`` is HTML already (e.g. the swap note)."""
    prompt = i18n.localized(prompt)
    body = texts.PROMPT.format(
        day=day,
        total=DAYS,
        phase=texts.PHASE_NAMES[phase_of(day)],
        category=texts.CATEGORY_NAMES[prompt.category],
        text=texts.esc(prompt.text),
        extras=prompt_extras(prompt, partner),
        partner=texts.esc(partner.name),
    )
    return Outgoing(
        key=key or keys.prompt_key(user.user_id, couple_id, round_, day),
        chat_id=user.user_id,
        kind=MessageKind.PROMPT,
        text=(texts.LATE_PREFIX if late else "") + prefix + body,
        reply_markup=keyboards.swap_data(round_, day) if swappable else None,
        priority=priority,
        ref=day_ref(couple_id, round_, day),
    )


def _answer_text(answer: Answer) -> str:
    """The partner's answer, whole; a voice note or photo follows as its own message."""
    if answer.kind == "text":
        return texts.esc(answer.text or "")
    media = texts.REVEAL_MEDIA_BELOW.format(media=texts.REVEAL_MEDIA[answer.kind])
    return media + ("\n" + texts.esc(answer.text) if answer.text else "")


def _own_answer_text(answer: Answer) -> str:
    if answer.kind == "text":
        return texts.esc(answer.text or "")
    label = texts.REVEAL_MEDIA[answer.kind]
    return label + ("\n" + texts.esc(answer.text) if answer.text else "")


@i18n.renders_for("recipient")
def reveal_messages(
    recipient: User,
    partner: User,
    answers: dict[int, Answer],
    couple_id: int,
    round_: int,
    day: int,
    prompt: Prompt,
) -> list[Outgoing]:
    """Both answers side by side for one partner, whole: when they do not fit in one message they
    go out as several, in order (heading, your answer, your partner's, the follow-up)."""
    prompt = i18n.localized(prompt)
    mine, theirs = answers[recipient.user_id], answers[partner.user_id]
    name = texts.esc(partner.name)
    ref = day_ref(couple_id, round_, day)

    def make(suffix: str, text: str, **kw: object) -> Outgoing:
        return Outgoing(
            key=keys.reveal_key(couple_id, round_, day, recipient.user_id, suffix),
            chat_id=recipient.user_id,
            kind=MessageKind.REVEAL,
            text=text,
            priority=Priority.PARTNER,
            ref=ref,
            **kw,
        )  # type: ignore[arg-type]

    parts = pack(
        [
            texts.REVEAL_HEAD.format(day=day, prompt=texts.esc(prompt.text)),
            texts.REVEAL_YOU.format(answer=_own_answer_text(mine)),
            texts.REVEAL_PARTNER.format(partner=name, answer=_answer_text(theirs)),
            texts.REVEAL_FOLLOW_UP.format(text=texts.esc(prompt.follow_up))
            if prompt.follow_up
            else "",
        ],
        MAX_TEXT,
    )
    # Keys "text", "text2", "text3", ...: the same reveal always yields the same keys.
    out = [make("text" if n == 1 else f"text{n}", part) for n, part in enumerate(parts, 1)]
    if theirs.kind in ("photo", "voice") and theirs.file_id:
        caption = texts.REVEAL_MEDIA_CAPTION.format(partner=name, day=day)
        out.append(
            make("media", caption, method="sendPhoto" if theirs.kind == "photo" else "sendVoice",
                 media=theirs.file_id)
        )  # fmt: skip
    return out


# A recap quotes a short line of each answer; when ten days of them would not fit one message,
# the lines get shorter (the recap is sent once and its key is fixed: it must stay one message).
RECAP_LINES = (90, 60, 40, 20)
RECAP_PROMPT = 70
FEW_DAYS = 3  # fewer revealed days than this: the kinder introduction


def phase_span(phase: int) -> tuple[int, int]:
    """The first and last day of ``phase`` (1 → days 1-10)."""
    return (phase - 1) * PHASE_LENGTH + 1, phase * PHASE_LENGTH


def _line(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters."""
    one = " ".join(text.split())
    if len(one) <= limit:
        return one
    cut = one[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-") + "…"


def _quoted(answer: Answer | None, limit: int) -> str:
    """A short line from a text answer; a voice note or photo is named, never described."""
    if answer is None:
        return texts.RECAP_NO_ANSWER
    if answer.kind != "text":
        return texts.REVEAL_MEDIA[answer.kind]
    return texts.RECAP_QUOTE.format(text=texts.esc(_line(answer.text or "", limit)))


def recap_text(
    library: Library,
    recipient: User,
    partner: User,
    phase: int,
    revealed: list[tuple[Day, dict[int, Answer]]],
) -> str | None:
    """The phase recap for ``recipient``: each revealed day of the phase with a short line from
    each of you, then one question. Few days get a kinder opening, none a recap of its own; no
    count of days, ever."""
    recap = library.recaps.get(phase)
    if recap is None:
        return None
    recap = i18n.localized(recap)
    if not revealed:
        return texts.RECAP_QUIET.format(
            title=texts.esc(recap.title),
            quiet=texts.esc(recap.quiet),
            reflection=texts.esc(recap.quiet_reflection),
        )
    intro = recap.intro if len(revealed) >= FEW_DAYS else recap.few

    def one_day(day: Day, answers: dict[int, Answer], limit: int) -> str:
        prompt = library.prompt(day.prompt_id)
        prompt = i18n.localized(prompt) if prompt else None
        return texts.RECAP_DAY.format(
            day=day.day,
            prompt=texts.esc(_line(prompt.text, RECAP_PROMPT)) if prompt else "",
            mine=_quoted(answers.get(recipient.user_id), limit),
            partner=texts.esc(partner.name),
            theirs=_quoted(answers.get(partner.user_id), limit),
        )

    text = ""
    for limit in RECAP_LINES:
        days = "\n\n".join(one_day(day, answers, limit) for day, answers in revealed)
        text = texts.RECAP.format(
            title=texts.esc(recap.title),
            intro=texts.esc(intro),
            days=days,
            reflection=texts.esc(recap.reflection),
        )
        if fits(text, MAX_TEXT):
            break
    return text


def recap_messages(
    library: Library,
    recipients: list[tuple[User, User]],
    couple_id: int,
    round_: int,
    phase: int,
    revealed: list[tuple[Day, dict[int, Answer]]],
    *,
    priority: Priority = Priority.PARTNER,
) -> list[Outgoing]:
    """The phase recap (and, after the last phase, the completion note) for each recipient, given
    as (recipient, partner); ``revealed``: the phase's revealed days with both answers, in order.

    ``priority``: right after a reveal it is news for the couple; from the scheduler it travels
    with the next day's prompt (``Priority.COMPANION``).
    """
    out: list[Outgoing] = []
    for member, partner in recipients:
        with i18n.reading(member):
            text = recap_text(library, member, partner, phase, revealed)
        if text is None:
            return []
        out.append(
            Outgoing(
                key=keys.recap_key(couple_id, round_, phase, member.user_id),
                chat_id=member.user_id,
                kind=MessageKind.RECAP,
                text=text,
                priority=priority,
                ref=couple_ref(couple_id),
            )
        )
    if phase == 3:
        for m, _ in recipients:
            with i18n.reading(m):
                out.append(
                    Outgoing(
                        key=keys.complete_key(couple_id, round_, m.user_id),
                        chat_id=m.user_id,
                        kind=MessageKind.NOTICE,
                        text=str(texts.COMPLETE),
                        reply_markup=keyboards.again().to_dict(),
                        priority=priority,
                        ref=couple_ref(couple_id),
                    )
                )
    return out


def notice(key: str, chat_id: int, text: str, couple_id: int | None = None) -> Outgoing:
    """A note for ``chat_id``; build it inside ``i18n.reading(recipient)``."""
    return Outgoing(
        key=key,
        chat_id=chat_id,
        kind=MessageKind.NOTICE,
        text=str(text),
        priority=Priority.PARTNER,
        ref=couple_ref(couple_id) if couple_id is not None else None,
    )


@i18n.renders_for("inviter")
def paired_message(inviter: User, partner: User, couple_id: int) -> Outgoing:
    """The inviter's news that ``partner`` accepted: when day 1 comes, or start right now."""
    return Outgoing(
        key=keys.paired_key(couple_id, inviter.user_id),
        chat_id=inviter.user_id,
        kind=MessageKind.NOTICE,
        text=texts.PAIRED_INVITER.format(
            partner=texts.esc(partner.name),
            time=inviter.delivery_time,
            tz=texts.esc(inviter.timezone),
        ),
        reply_markup=keyboards.start_now().to_dict(),
        priority=Priority.PARTNER,
        ref=couple_ref(couple_id),
    )


PARTNER_NEWS = {
    PartnerNews.PAUSED: texts.PAUSED_PARTNER,
    PartnerNews.RESUMED: texts.RESUMED_PARTNER,
    PartnerNews.UNPAIRED: texts.UNPAIRED_PARTNER,
    PartnerNews.DELETED: texts.DELETED_PARTNER,
    PartnerNews.AGAIN: texts.AGAIN_PARTNER,
    PartnerNews.BLOCKED: texts.BLOCKED_PARTNER,
    PartnerNews.NUDGED: texts.NUDGE,
    PartnerNews.DECLINED: texts.DECLINED_INVITER,
    PartnerNews.INTIMACY_ACTIVE: texts.INTIMACY_ACTIVE,
    PartnerNews.INTIMACY_PAUSED: texts.INTIMACY_PAUSED,
}


@i18n.renders_for("recipient")
def partner_news(
    recipient: User,
    news: PartnerNews,
    about: User,
    key: str,
    couple_id: int | None = None,
    *,
    day: int | None = None,
) -> Outgoing:
    """Tell ``recipient``, in their language, what ``about`` did: the flows say which news, this
    is the one place that words it (the name, the day, when the recipient's next prompt comes)."""
    text = PARTNER_NEWS[news].format(
        name=texts.esc(about.name), day=day, when=local(recipient, recipient.next_delivery_at)
    )
    return notice(key, recipient.user_id, text, couple_id)


# --- self-check ---------------------------------------------------------------------------------


def _area(question: CheckinQuestion) -> str:
    return str(texts.AREA_NAMES[question.area])


def checkin_question_text(question: CheckinQuestion, number: int, total: int) -> str:
    words = i18n.localized(question).text
    text = texts.CHECKIN_QUESTION.format(number=number, total=total, text=texts.esc(words))
    return text + (texts.CHECKIN_NEVER_SHARED if question.safety_sign else "")


def checkin_result_text(summary: Summary, partner: User | None) -> str:
    """The private result: areas with a tip each, movement since last time, counselling hint."""
    areas = "\n\n".join(
        texts.CHECKIN_AREA.format(
            area=_area(a.question), tip=texts.esc(i18n.localized(a.tip).text if a.tip else "")
        )
        for a in summary.areas
    )
    intro = texts.CHECKIN_INTRO_STEADY if summary.steady else texts.CHECKIN_INTRO_CARE
    text = texts.CHECKIN_RESULT.format(intro=intro, areas=areas)
    if summary.moved is None:
        text += texts.CHECKIN_FIRST
    else:
        text += texts.CHECKIN_MOVED_HEAD + "".join(
            "\n"
            + texts.CHECKIN_MOVED.format(
                arrow=texts.CHECKIN_ARROWS[m.direction],
                area=_area(m.question),
                before=m.before,
                after=m.after,
            )
            for m in summary.moved
        )
    if summary.safety:
        text += texts.CHECKIN_SAFETY
    elif summary.counselling:
        text += texts.CHECKIN_COUNSELLING
    if partner is not None:
        text += texts.CHECKIN_PRIVATE.format(partner=texts.esc(partner.name))
    else:
        text += texts.CHECKIN_PRIVATE_SOLO
    return text


@i18n.renders_for("recipient")
def checkin_shared_message(
    recipient: User, author: User, couple_id: int, checkin_id: int, summary: Summary
) -> Outgoing:
    """``author``'s summary for ``recipient``, once both agreed to share: area names only."""
    areas = "\n".join(
        texts.CHECKIN_SHARED_AREA.format(area=_area(a.question)) for a in summary.areas
    )
    return Outgoing(
        key=keys.checkin_shared_key(checkin_id, recipient.user_id),
        chat_id=recipient.user_id,
        kind=MessageKind.NOTICE,
        text=texts.CHECKIN_SHARED.format(name=texts.esc(author.name), areas=areas)
        + texts.CHECKIN_SHARED_TALK,
        priority=Priority.PARTNER,
        ref=couple_ref(couple_id),
    )


@i18n.renders_for("recipient")
def checkin_invite_message(
    recipient: User, author: User, couple_id: int, round_: int, slot: int, theirs: Checkin | None
) -> Outgoing:
    """Tell the partner, once per check-in slot, that sharing is on offer (never the content)."""
    text = texts.CHECKIN_SHARE_INVITE.format(name=texts.esc(author.name))
    markup = None
    if theirs is None:
        text += texts.CHECKIN_SHARE_INVITE_NONE
    else:
        markup = keyboards.checkin_share(theirs.id, texts.clip(author.name, 24)).to_dict()
    return Outgoing(
        key=keys.checkin_invite_key(couple_id, round_, slot, author.user_id),
        chat_id=recipient.user_id,
        kind=MessageKind.NOTICE,
        text=text,
        reply_markup=markup,
        priority=Priority.PARTNER,
        ref=couple_ref(couple_id),
    )
