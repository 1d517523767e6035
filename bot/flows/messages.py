"""Builds the outgoing messages that several flows share: prompts, reveals, recaps."""

from __future__ import annotations

from bot import keyboards, texts
from bot.core.challenge import DAYS, phase_of
from bot.delivery.outbox import Outgoing, Priority, couple_ref, day_ref
from bot.storage.models import Answer, User
from prompts.loader import Library
from prompts.schema import Prompt


def prompt_message(
    user: User, partner: User, couple_id: int, round_: int, day: int, prompt: Prompt, *, late: bool
) -> Outgoing:
    body = texts.PROMPT.format(
        day=day,
        total=DAYS,
        phase=texts.PHASE_NAMES[phase_of(day)],
        category=texts.CATEGORY_NAMES[prompt.category.value],
        text=texts.esc(prompt.text),
        partner=texts.esc(partner.name),
    )
    return Outgoing(
        key=f"prompt:{user.user_id}:{couple_id}:{round_}:{day}",
        chat_id=user.user_id,
        kind="prompt",
        text=(texts.LATE_PREFIX + body) if late else body,
        priority=Priority.SCHEDULED,
        ref=day_ref(couple_id, round_, day),
    )


def _answer_text(answer: Answer, limit: int) -> str:
    if answer.kind == "text":
        return texts.esc(texts.clip(answer.text or "", limit))
    media = texts.REVEAL_MEDIA_BELOW.format(media=texts.REVEAL_MEDIA[answer.kind])
    if answer.text:
        media += "\n" + texts.esc(texts.clip(answer.text, limit))
    return media


def _own_answer_text(answer: Answer, limit: int) -> str:
    if answer.kind == "text":
        return texts.esc(texts.clip(answer.text or "", limit))
    label = texts.REVEAL_MEDIA[answer.kind]
    return label + ("\n" + texts.esc(texts.clip(answer.text, limit)) if answer.text else "")


def reveal_messages(
    recipient: User,
    partner: User,
    answers: dict[int, Answer],
    couple_id: int,
    round_: int,
    day: int,
    prompt: Prompt,
) -> list[Outgoing]:
    """Both answers side by side for one partner; split in two if they don't fit one message."""
    mine, theirs = answers[recipient.user_id], answers[partner.user_id]
    head = texts.REVEAL_HEAD.format(day=day, prompt=texts.esc(prompt.text))
    follow = (
        texts.REVEAL_FOLLOW_UP.format(text=texts.esc(prompt.follow_up)) if prompt.follow_up else ""
    )
    name = texts.esc(partner.name)
    ref = day_ref(couple_id, round_, day)
    key = f"reveal:{couple_id}:{round_}:{day}:{recipient.user_id}"

    def make(suffix: str, text: str, **kw: object) -> Outgoing:
        return Outgoing(
            key=f"{key}:{suffix}",
            chat_id=recipient.user_id,
            kind="reveal",
            text=text,
            priority=Priority.PARTNER,
            ref=ref,
            **kw,
        )  # type: ignore[arg-type]

    whole = "\n\n".join(
        part
        for part in (
            head,
            texts.REVEAL_YOU.format(answer=_own_answer_text(mine, 4000)),
            texts.REVEAL_PARTNER.format(partner=name, answer=_answer_text(theirs, 4000)),
            follow,
        )
        if part
    )
    if len(whole) <= texts.MAX_MESSAGE:
        out = [make("text", whole)]
    else:
        budget = texts.MAX_MESSAGE - len(head) - len(follow) - 100
        first = f"{head}\n\n" + texts.REVEAL_YOU.format(answer=_own_answer_text(mine, budget))
        second = texts.REVEAL_PARTNER.format(partner=name, answer=_answer_text(theirs, budget))
        out = [make("text", first), make("text2", f"{second}\n\n{follow}".strip())]
    if theirs.kind in ("photo", "voice") and theirs.file_id:
        caption = texts.REVEAL_MEDIA_CAPTION.format(partner=name, day=day)
        out.append(
            make("media", caption, method="sendPhoto" if theirs.kind == "photo" else "sendVoice",
                 media=theirs.file_id)
        )  # fmt: skip
    return out


def recap_messages(
    library: Library, members: list[User], couple_id: int, round_: int, phase: int, revealed: int
) -> list[Outgoing]:
    recap = library.recaps.get(phase)
    if recap is None:
        return []
    text = texts.RECAP.format(
        title=texts.esc(recap.title),
        summary=texts.esc(recap.summary),
        revealed=revealed,
        reflection=texts.esc(recap.reflection),
    )
    out = [
        Outgoing(
            key=f"recap:{couple_id}:{round_}:{phase}:{m.user_id}",
            chat_id=m.user_id,
            kind="recap",
            text=text,
            priority=Priority.PARTNER,
            ref=couple_ref(couple_id),
        )
        for m in members
    ]
    if phase == 3:
        out += [
            Outgoing(
                key=f"complete:{couple_id}:{round_}:{m.user_id}",
                chat_id=m.user_id,
                kind="notice",
                text=texts.COMPLETE,
                reply_markup=keyboards.again().to_dict(),
                priority=Priority.PARTNER,
                ref=couple_ref(couple_id),
            )
            for m in members
        ]
    return out


def notice(key: str, chat_id: int, text: str, couple_id: int | None = None) -> Outgoing:
    return Outgoing(
        key=key,
        chat_id=chat_id,
        kind="notice",
        text=text,
        priority=Priority.PARTNER,
        ref=couple_ref(couple_id) if couple_id is not None else None,
    )
