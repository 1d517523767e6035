"""End to end over HTTP: a Russian- and an English-speaking partner each read the whole challenge
in their own language, one switches to Spanish, and the menu exists in every shipped language."""

from __future__ import annotations

import re
from pathlib import Path

from bot import i18n, texts
from bot.texts import esc
from tests.e2e.running import RunningBot, running_bot

OLGA, SAM = 4101, 4102  # Olga's Telegram is in Russian, Sam's in British English


def head(msg: i18n.Msg, language: str) -> str:
    """The fixed start of a message in ``language`` (up to its first placeholder)."""
    return msg.text(language).split("{")[0]


async def wait(bot: RunningBot, user: int, text: str) -> str:
    return str((await bot.tg.wait_for_text(user, text, timeout=10))["text"])


async def test_each_partner_reads_day_one_and_the_reveal_in_their_own_language(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        bot.tg.add_user(OLGA, "Olga", "olga", language_code="ru")
        bot.tg.add_user(SAM, "Sam", "sam", language_code="en-GB")

        bot.tg.send_command(OLGA, "start")
        invite = await wait(bot, OLGA, "?start=")
        assert head(texts.WELCOME, "ru") in bot.tg.inbox(OLGA)[0]["text"]  # Привет, Olga!
        code = re.search(r"start=([\w-]+)", invite).group(1)  # type: ignore[union-attr]
        bot.tg.send_command(SAM, "start", code)
        offer = await bot.tg.wait_for_text(SAM, "invited you")
        bot.tg.press_button(SAM, offer, f"pair:accept:{code}")
        start = await bot.tg.wait_for_text(SAM, "are paired")
        await wait(bot, OLGA, "Sam")  # Olga hears of it, in Russian
        bot.tg.press_button(SAM, start, "start_now")

        olga_day1 = await wait(bot, OLGA, "<b>День 1 из 30")
        sam_day1 = await wait(bot, SAM, "<b>Day 1 of 30")
        library = bot.couplet.library
        english = next(p for p in library.core.values() if p.day == 1 and esc(p.text) in sam_day1)
        russian = i18n.library("ru").by_id[english.id]
        assert esc(russian.text) in olga_day1 and esc(english.text) not in olga_day1

        bot.tg.send_text(OLGA, "Твоё терпение со мной на этой неделе")
        await wait(bot, OLGA, head(texts.SAVED, "ru"))
        bot.tg.send_text(SAM, "How you make coffee for two")
        await wait(bot, SAM, head(texts.SAVED_REVEAL, "en"))
        olga_reveal = await wait(bot, OLGA, "coffee for two")  # both answers, side by side
        sam_reveal = await wait(bot, SAM, "терпение со мной")
        assert "Твоё терпение" in olga_reveal and "coffee for two" in sam_reveal
        assert esc(russian.text) in olga_reveal and esc(english.text) in sam_reveal
        assert olga_reveal.startswith(head(texts.REVEAL_HEAD, "ru"))
        # Nothing in Cyrillic reached Sam but Olga's own words.
        assert not [
            m["text"] for m in bot.tg.inbox(SAM)
            if re.search("[а-яё]", m.get("text", ""), re.I) and "терпение" not in m["text"]
        ]  # fmt: skip

        # Sam switches to Spanish: from now on everything Sam reads is Spanish, Olga's stays.
        bot.tg.send_command(SAM, "language", "es")
        await wait(bot, SAM, texts.LANGUAGE_SET.text("es"))
        bot.tg.send_command(SAM, "today")
        spanish = i18n.library("es").by_id[english.id]
        assert spanish.text != english.text
        today = await wait(bot, SAM, esc(spanish.text))
        assert today.startswith(head(texts.TODAY, "es"))
        bot.tg.send_command(OLGA, "today")
        assert esc(russian.text) in await wait(bot, OLGA, head(texts.TODAY, "ru"))

        # The command menu and the bot's descriptions exist in every shipped language.
        default = '{"type": "default"}'
        for language in i18n.shipped():
            code = "" if language == i18n.DEFAULT else i18n.telegram_code(language)
            menu = bot.tg.commands_by_scope[(default, code)]
            assert [c["description"] for c in menu] == [d.text(language) for _, d in texts.COMMANDS]
            assert bot.tg.descriptions[("description", code)] == texts.DESCRIPTION.text(language)
