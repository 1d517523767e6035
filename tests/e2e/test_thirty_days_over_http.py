"""End to end over HTTP: a couple walks all 30 days with a moving clock (issue 3's "done")."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from bot import texts
from bot.core.challenge import phase_of
from tests.conftest import ALEX, SAM
from tests.e2e.running import RunningBot, running_bot

PHASE_WORDS = {1: "Trust", 2: "Affection", 3: "Conflict"}
DAY_HEADER = re.compile(r"Day (\d+) of 30 · ([^\n<]+)")


def count(bot: RunningBot, user: int, needle: str) -> int:
    return sum(1 for m in bot.tg.inbox(user) if needle in (m["text"] or ""))


async def until(bot: RunningBot, user: int, needle: str, at_least: int) -> None:
    found = await bot.tg.wait_until(lambda: count(bot, user, needle) >= at_least, 10)
    assert found, f"{user}: fewer than {at_least} x {needle!r}: {bot.tg.inbox(user)[-3:]}"


def offers_of_checkin(bot: RunningBot, user: int) -> int:
    """Messages that carry the "start check-in" button."""
    return sum(1 for m in bot.tg.inbox(user) if "ci:start" in str(m.get("reply_markup")))


def prompt_of_day(bot: RunningBot, user: int, day: int) -> str:
    message = next(m for m in bot.tg.inbox(user) if f"Day {day} of 30 ·" in (m["text"] or ""))
    return message["text"].split("\n\n")[1]


async def test_a_couple_walks_thirty_days_with_fresh_prompts_tips_and_checkins(
    tmp_path: Path,
) -> None:
    library_steps: set[str] = set()
    async with running_bot(tmp_path) as bot:
        library_steps = {p.text for p in bot.couplet.library.intimacy.values()}
        bot.tg.add_user(ALEX, "Alex", "alex")
        bot.tg.add_user(SAM, "Sam", "sam")
        bot.tg.send_command(ALEX, "start")
        invite = await bot.tg.wait_for_text(ALEX, "?start=")
        code = re.search(r"start=([\w-]+)", invite["text"]).group(1)  # type: ignore[union-attr]
        bot.tg.send_command(SAM, "start", code)
        offer = await bot.tg.wait_for_text(SAM, "invited you")
        bot.tg.press_button(SAM, offer, f"pair:accept:{code}")
        start = await bot.tg.wait_for_text(SAM, "are paired")
        bot.tg.press_button(SAM, start, "start_now")

        prompts: list[str] = []
        for day in range(1, 31):
            if day > 1:  # tomorrow, 20:01 UTC: the scheduler job sends the next day
                bot.clock.set((bot.clock.now + timedelta(days=1)).replace(hour=20, minute=1))
            for user in (ALEX, SAM):
                await until(bot, user, f"Day {day} of 30 ·", 1)
            header = next(DAY_HEADER.search(m["text"]) for m in bot.tg.inbox(ALEX)
                          if f"Day {day} of 30 ·" in (m["text"] or ""))  # fmt: skip
            assert header and PHASE_WORDS[phase_of(day)] in header.group(2), (day, header)
            prompts.append(prompt_of_day(bot, ALEX, day))
            assert prompt_of_day(bot, SAM, day) == prompts[-1]  # both answer the same prompt

            # The self-check is offered on days 1, 15 and 30, right after the day's prompt.
            offers = sum(1 for d in (1, 15, 30) if d <= day)
            for user in (ALEX, SAM):
                await bot.tg.wait_until(lambda u=user, n=offers: offers_of_checkin(bot, u) >= n, 10)
                assert offers_of_checkin(bot, user) == offers, (day, user)

            bot.tg.send_text(ALEX, f"Alex on day {day}")
            bot.tg.send_text(SAM, f"Sam on day {day}")
            for user in (ALEX, SAM):
                await until(bot, user, "You both answered", day)

            if day % 3 == 0:  # a relevant tip on every /tip, in every phase
                bot.tg.send_command(SAM, "tip")
                await until(bot, SAM, "Tip · ", day // 3)

        assert len(set(prompts)) == 30  # a different prompt every day

        # The morning after day 30's slot: the last recap and the completion message.
        bot.clock.set((bot.clock.now + timedelta(days=1)).replace(hour=20, minute=1))
        for user in (ALEX, SAM):
            await until(bot, user, "You did it", 1)

        for user in (ALEX, SAM):
            everything = "\n".join(m["text"] or "" for m in bot.tg.inbox(user))
            assert count(bot, user, "intimacy track") == 1  # mentioned once, after day 10
            assert not any(texts.esc(step) in everything or step in everything
                           for step in library_steps)  # fmt: skip  # nobody opted in
            tips = [m["text"] for m in bot.tg.inbox(user) if "Tip · " in (m["text"] or "")]
            assert len(set(tips)) == len(tips)  # no repeats while the pool lasts
        assert not bot.tg.duplicates()
