"""End to end: the real Application polls the fake Bot API over HTTP; a clock moves the days."""

import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import ALEX, SAM
from tests.e2e.running import RunningBot, pair_and_start, running_bot

TOKEN_TEXT = "TEST-TOKEN-never-log-me"


async def wait(bot: RunningBot, user: int, text: str) -> dict:
    return await bot.tg.wait_for_text(user, text, timeout=10)


def button_message(bot: RunningBot, user: int, data: str) -> dict:
    for message in reversed(bot.tg.inbox(user)):
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        if any(b.get("callback_data") == data for row in rows for b in row):
            return message
    raise AssertionError(f"no {data} button for {user}")


async def next_prompt(bot: RunningBot, day: int) -> None:
    """Move the clock to 20:01 UTC tomorrow; the scheduler job (every 0.1 s) sends day ``day``."""
    bot.clock.set((bot.clock.now + timedelta(days=1)).replace(hour=20, minute=1))
    for user in (ALEX, SAM):
        await wait(bot, user, f"Day {day} of 30")


async def test_two_partners_pair_answer_see_the_reveal_and_reach_day_11(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running_bot(tmp_path) as bot:
        bot.tg.add_user(ALEX, "Alex", "alex")
        bot.tg.add_user(SAM, "Sam", "sam")

        bot.tg.send_command(ALEX, "start")
        invite = await wait(bot, ALEX, "?start=")
        code = re.search(r"start=([\w-]+)", invite["text"]).group(1)  # type: ignore[union-attr]
        bot.tg.send_command(SAM, "start", code)
        offer = await wait(bot, SAM, "invited you")
        bot.tg.press_button(SAM, offer, f"pair:accept:{code}")
        await wait(bot, SAM, "are paired")
        await wait(bot, ALEX, "accepted your invite")

        bot.tg.press_button(SAM, button_message(bot, SAM, "start_now"), "start_now")
        day1 = await wait(bot, ALEX, "Day 1 of 30")
        await wait(bot, SAM, "Day 1 of 30")

        bot.tg.send_text(ALEX, "Your patience with me this week", reply_to=day1["message_id"])
        await wait(bot, ALEX, "Saved your answer for day 1")
        bot.tg.send_text(SAM, "How you make coffee for two")
        for me, partner_answer in ((ALEX, "coffee for two"), (SAM, "patience with me")):
            reveal = await wait(bot, me, "You both answered")
            assert partner_answer in reveal["text"]

        for day in range(2, 12):
            await next_prompt(bot, day)
        day11 = await wait(bot, SAM, "Day 11 of 30")
        assert "Affection &amp; closeness" in day11["text"]
        assert bot.couplet.library.core  # the affection phase prompt came from the library
        await wait(bot, SAM, "To reflect on together")  # the phase 1 recap came before day 11

        bot.tg.send_command(SAM, "tip", "stress")
        tip = await wait(bot, SAM, "Tip · ")
        assert "stress" in tip["text"].lower() or "Stress" in tip["text"]

        assert not bot.tg.duplicates()
        assert bot.tg.commands  # setMyCommands at start-up
    leaks = [
        f"{r.name}: {r.getMessage()[:300]}" for r in caplog.records if TOKEN_TEXT in r.getMessage()
    ]
    assert not leaks
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING


async def test_no_answer_text_reaches_the_log_at_debug(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    answers = ("Zanzibar sunsets with you, always", "Quokka smiles every morning")
    async with running_bot(tmp_path) as bot:
        bot.tg.add_user(ALEX, "Alex", "alex")
        bot.tg.add_user(SAM, "Sam", "sam")
        await pair_and_start(bot, ALEX, SAM)
        bot.tg.send_text(ALEX, answers[0])
        bot.tg.send_text(SAM, answers[1])
        for me, partner_answer in ((ALEX, answers[1]), (SAM, answers[0])):
            reveal = await wait(bot, me, "You both answered")
            assert partner_answer in reveal["text"]  # the words went out, and through the log
    logged = "\n".join(f"{r.name}: {r.getMessage()}" for r in caplog.records)
    assert "Calling Bot API endpoint `sendMessage`" in logged  # DEBUG was really on
    assert "Processing update" in logged
    for words in (*answers, "Zanzibar", "Quokka"):
        assert words not in logged
    assert TOKEN_TEXT not in logged
