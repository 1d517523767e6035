"""Replies under Telegram's limits: a burst of messages into one chat never costs a reply."""

from pathlib import Path

from tests.conftest import ALEX, SAM
from tests.e2e.running import pair_and_start, running_bot


async def test_three_commands_right_after_start_now_are_all_answered_in_order(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        bot.tg.add_user(ALEX, "Alex", "alex")
        bot.tg.add_user(SAM, "Sam", "sam")
        await pair_and_start(bot, ALEX, SAM)  # the confirmation, the prompt, the check-in offer
        before = len(bot.tg.inbox(SAM))
        for command, args in (("time", "25:99"), ("today", ""), ("progress", "")):
            bot.tg.send_command(SAM, command, args)  # three commands within a few milliseconds
        await bot.tg.wait_until(lambda: len(bot.tg.inbox(SAM)) >= before + 3, timeout=15)
        replies = [m["text"] for m in bot.tg.inbox(SAM)[before:]]
        assert len(replies) == 3
        assert "couldn't read “25:99” as a time" in replies[0]
        assert replies[1].startswith("<b>Day 1 of 30") or "Day 1 of 30" in replies[1]
        assert "revealed" in replies[2]  # the progress bar's legend
        assert bot.tg.counters["429"] == 0


async def test_one_users_burst_of_commands_does_not_hold_up_another_users_reply(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        bot.tg.add_user(ALEX, "Alex", "alex")
        bot.tg.add_user(SAM, "Sam", "sam")
        for _ in range(6):  # the last three replies wait about a second each for Alex's chat
            bot.tg.send_command(ALEX, "help")
        await bot.tg.wait_until(lambda: len(bot.tg.inbox(ALEX)) >= 1, timeout=10)
        bot.tg.send_command(SAM, "help")
        await bot.tg.wait_until(
            lambda: len(bot.tg.inbox(ALEX)) >= 6 and len(bot.tg.inbox(SAM)) >= 1, timeout=15
        )
        sams = bot.tg.inbox(SAM)[0]["seq"]
        alexs = [m["seq"] for m in bot.tg.inbox(ALEX)]
        assert sams < alexs[-1]  # Sam was answered while Alex's replies were still paced
        assert bot.tg.counters["429"] == 0
