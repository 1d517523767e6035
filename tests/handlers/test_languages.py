"""Each partner in their own language: picked from Telegram's language_code, switched with
/language, and every message (the partner's too) rendered for whoever reads it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import i18n, texts
from bot.core.outcomes import NudgeReason
from bot.texts import esc
from tests.handlers.flow import pair_and_start, with_button
from tests.harness import Harness, start_harness, stop_harness

OLGA, SAM = 2001, 2002  # Olga's Telegram is in Russian, Sam's in English


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await start_harness(tmp_path)
    harness.tg.add_user(OLGA, "Olga", "olga", language_code="ru")
    harness.tg.add_user(SAM, "Sam", "sam", language_code="en-GB")
    yield harness
    await stop_harness(harness)


def ru(msg: i18n.Msg) -> str:
    return msg.text("ru")


def en(msg: i18n.Msg) -> str:
    return msg.text("en")


def day1(h: Harness, user_id: int, head: str) -> str:
    return next(t for t in h.texts(user_id) if t.startswith(head))


async def test_a_russian_and_an_english_partner_each_read_their_own_language(h: Harness) -> None:
    await pair_and_start(h, OLGA, SAM)  # Olga invites, Sam accepts and starts
    assert ru(texts.WELCOME).split("{name}")[0] in h.texts(OLGA)[0]  # /start, in Russian
    assert en(texts.STARTING_NOW) in h.texts(SAM)
    assert any(t.startswith("<b>Olga</b> invited you") for t in h.texts(SAM))
    assert any("принимает твоё приглашение" in t for t in h.texts(OLGA))  # Sam's accept, for Olga

    olga_day1 = day1(h, OLGA, "<b>День 1 из 30 · Доверие и общение</b>")
    sam_day1 = day1(h, SAM, "<b>Day 1 of 30 · Trust &amp; communication</b>")
    assert "Ответь текстом, голосовым или фото" in olga_day1
    assert "Reply with text, a voice note or a photo" in sam_day1
    # the prompt itself in each reader's words: the same item of the library, translated
    english = next(
        p for p in h.couplet.library.core.values() if p.day == 1 and esc(p.text) in sam_day1
    )
    russian = i18n.library("ru").by_id[english.id]
    assert esc(russian.text) in olga_day1 and esc(english.text) not in olga_day1
    olga_prompt = next(m for m in h.tg.inbox(OLGA) if m["text"] == olga_day1)
    buttons = [b["text"] for row in olga_prompt["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == [ru(texts.BTN_SWAP)]

    await h.say(OLGA, "Когда ты сварил мне суп, пока я болела")
    assert h.last_text(OLGA) == ru(texts.SAVED).format(day=1, partner="Sam")
    await h.say(SAM, "When you waited for me at the station in the rain")

    olga_reveal = next(t for t in h.texts(OLGA) if t.startswith("<b>День 1 · Вы оба ответили</b>"))
    sam_reveal = next(t for t in h.texts(SAM) if t.startswith("<b>Day 1 · You both answered</b>"))
    for reveal in (olga_reveal, sam_reveal):
        assert "суп, пока я болела" in reveal and "at the station in the rain" in reveal
    assert "<b>Ты</b>\nКогда ты сварил мне суп" in olga_reveal
    assert "<b>Sam</b>\nWhen you waited" in olga_reveal
    assert "<b>You</b>\nWhen you waited" in sam_reveal
    assert "<b>Olga</b>\nКогда ты сварил" in sam_reveal
    assert esc(russian.text) in olga_reveal and esc(english.text) in sam_reveal
    if english.follow_up:
        assert esc(russian.follow_up) in olga_reveal and esc(english.follow_up) in sam_reveal
    # nothing in Russian reached Sam but Olga's own words
    assert not [t for t in h.texts(SAM) if re.search("[а-яё]", t, re.I) and "суп" not in t]


async def test_language_switches_with_its_buttons_and_only_for_who_switched(h: Harness) -> None:
    await pair_and_start(h, OLGA, SAM)
    await h.say(SAM, "/language")
    assert h.last_text(SAM) == en(texts.LANGUAGE_PICK)
    picker = with_button(h, SAM, "lang:ru")
    names = [b["text"] for row in picker["reply_markup"]["inline_keyboard"] for b in row]
    assert names == [i18n.NATIVE_NAMES[lang] for lang in i18n.shipped()]
    assert "Русский" in names and "English" in names  # each named in itself
    await h.press(SAM, picker, "lang:ru")
    assert h.last_text(SAM) == ru(texts.LANGUAGE_SET)
    await h.say(SAM, "/today")
    assert h.last_text(SAM).startswith("<b>День 1 из 30")
    async with h.couplet.db.read() as tx:
        assert (await tx.users.require_user(SAM)).language == "ru"
        assert (await tx.users.require_user(OLGA)).language == "ru"  # from language_code

    await h.say(OLGA, "/language English")
    assert h.last_text(OLGA) == en(texts.LANGUAGE_SET)
    await h.say(OLGA, "/language klingon")
    assert h.last_text(OLGA) == en(texts.LANGUAGE_UNKNOWN).format(value="klingon")
    await h.say(OLGA, "/nudge")  # Olga (English now) nudges; Sam (Russian now) reads it in Russian
    assert h.last_text(OLGA) == en(texts.NUDGE_NOT_NEEDED).format(
        reason=en(texts.NUDGE_REASONS[NudgeReason.ANSWER_FIRST])
    )
    await h.say(OLGA, "first answer")
    await h.say(OLGA, "/nudge")
    assert h.last_text(SAM).startswith("💌 <b>Olga</b>: ответ на день 1 уже готов")


async def test_settings_show_the_language_and_a_button_to_change_it(h: Harness) -> None:
    await h.say(OLGA, "/settings")
    assert "Язык: <b>Русский</b>" in h.last_text(OLGA)
    message = with_button(h, OLGA, "set:lang")
    await h.press(OLGA, message, "set:lang")
    assert h.last_text(OLGA) == ru(texts.LANGUAGE_PICK)
    await h.press(OLGA, with_button(h, OLGA, "lang:en"), "lang:en")
    assert h.last_text(OLGA) == en(texts.LANGUAGE_SET)


async def test_the_menu_and_descriptions_are_set_for_every_shipped_language(h: Harness) -> None:
    scopes = h.tg.commands_by_scope
    default = '{"type": "default"}'
    for language in i18n.shipped():
        code = "" if language == i18n.DEFAULT else i18n.telegram_code(language)
        menu = scopes[(default, code)]
        expected = [(c, d.text(language)) for c, d in texts.COMMANDS]
        assert [(c["command"], c["description"]) for c in menu] == expected
        assert h.tg.descriptions[("description", code)] == texts.DESCRIPTION.text(language)
        assert h.tg.descriptions[("short", code)] == texts.SHORT_DESCRIPTION.text(language)
    assert scopes[(default, "ru")][0]["description"] == "Задание на сегодня и кто уже ответил"


async def test_a_tip_is_asked_for_and_given_in_the_readers_language(h: Harness) -> None:
    russian = i18n.library("ru")
    label = russian.topics["conflict"].label  # the topic's name as Olga's buttons show it
    await h.say(OLGA, f"/tip {label.upper()}")
    reply = h.last_text(OLGA)
    conflict = {esc(t.text) for t in russian.tips if "conflict" in t.topics}
    assert esc(label) in reply.split("\n", 1)[0] and reply.split("\n", 1)[1] in conflict
    await h.say(SAM, "/tip quality time")
    english = {esc(t.text) for t in h.couplet.library.tips if "quality-time" in t.topics}
    assert h.last_text(SAM).split("\n", 1)[1] in english
