"""Swap, self-check, the opt-in intimacy track, safety and tips, through the real handlers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import texts
from fakebot.html import parse_html
from scheduler.due import run_tick
from tests.conftest import ALEX, KIM, SAM
from tests.handlers.flow import pair, pair_and_start, with_button
from tests.harness import Harness, start_harness, stop_harness


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await start_harness(tmp_path)
    harness.tg.add_user(ALEX, "Alex", "alex")
    harness.tg.add_user(SAM, "Sam", "sam")
    harness.tg.add_user(KIM, "Kim <&>", None)
    yield harness
    await stop_harness(harness)


async def next_day(h: Harness) -> None:
    """Move the clock until the next daily prompt reaches Alex."""
    before = len(h.tg.inbox(ALEX))
    for _ in range(8):
        await h.walk_to(h.clock.now + timedelta(hours=6), step_hours=6)
        if any("of 30 ·" in t for t in h.texts(ALEX)[before:]):
            return


def prompt_text(message: str) -> str:
    return message.split("\n\n")[-2]


def latest_prompt(h: Harness, user: int) -> dict[str, Any]:
    return next(m for m in reversed(h.tg.inbox(user)) if "of 30 ·" in (m.get("text") or ""))


# --- safety, help -------------------------------------------------------------------------------


async def test_safety_is_a_command_in_help_and_at_onboarding(h: Harness) -> None:
    await h.say(KIM, "/safety")
    text = h.last_text(KIM)
    assert "feel safe" in text and "violence" in text and "not therapy" in text
    # what stopping tells the partner, before anyone stops anything
    assert re.search(r"/pause, /unpair and /delete_my_data each tell your partner", text)
    # a shared phone: the chat can be read, and how to clear it in Telegram
    assert "can read this chat" in text and "Clear history" in text and "call log" in text
    # couples counselling is not where to begin when you fear your partner
    assert re.search(r"Couples counselling is the wrong first step.*if you fear your partner", text)
    # emergency numbers, national lines for the larger countries, a directory for the rest
    for number in ("112", "911", "999", "000", "1-800-799-7233", "0808 2000 247", "116 016"):
        assert number in text, number
    assert "findahelpline.com" in text
    await h.say(KIM, "/help")
    assert "/safety" in h.last_text(KIM)  # among the essentials
    await h.press(KIM, with_button(h, KIM, "help:all"), "help:all")
    everything = h.tg.message(KIM, h.tg.inbox(KIM)[-1]["message_id"]) or {}  # edited in place
    for command in ("/safety", "/checkin", "/intimacy", "/swap"):
        assert command in everything["text"]
    assert {"safety", "checkin", "intimacy", "swap"} <= {c for c, _ in texts.COMMANDS}
    await pair(h, ALEX, SAM)
    assert any("/safety" in t for t in h.texts(ALEX))  # welcome
    assert any("/safety" in t and "paired" in t for t in h.texts(SAM))  # after accepting


# --- swap ---------------------------------------------------------------------------------------


async def test_swap_changes_the_day_for_both_without_naming_who(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    original = latest_prompt(h, ALEX)
    old_text = prompt_text(original["text"])
    await h.press(SAM, with_button(h, SAM, "swap:1:1"), "swap:1:1")
    mine, theirs = h.tg.inbox(SAM)[-1]["text"], h.tg.inbox(ALEX)[-1]["text"]
    new_text = prompt_text(mine)
    assert new_text != old_text and prompt_text(theirs) == new_text
    note = theirs.split("\n\n")[0]
    assert "Swapped ✓" in mine and "was swapped" in note and "Sam" not in note
    assert "Conversation" in mine  # same category as the original day-1 prompt
    await h.say(ALEX, "/today")
    assert new_text in h.last_text(ALEX) and old_text not in h.last_text(ALEX)
    await h.say(ALEX, "/swap")
    assert h.last_text(ALEX) == str(texts.SWAP_REFUSED["swapped"])
    await h.say(ALEX, "mine")
    await h.say(SAM, "yours")
    assert any(new_text in t and "You both answered" in t for t in h.texts(ALEX))


async def test_no_swap_once_anyone_answered_and_old_buttons_are_stale(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    await h.say(ALEX, "an answer")
    await h.say(SAM, "/skip")
    assert h.last_text(SAM) == texts.SWAP_REFUSED["answered_partner"].format(partner="Alex")
    assert h.last_text(SAM).startswith("Alex has already answered")  # says who, by name
    await h.say(ALEX, "/swap")
    assert h.last_text(ALEX).startswith("You've already answered")
    await h.say(SAM, "mine too")
    await next_day(h)
    await h.press(ALEX, with_button(h, ALEX, "swap:1:1"), "swap:1:1")
    assert h.last_text(ALEX) == str(texts.SWAP_REFUSED["stale"])
    await h.say(KIM, "/swap")
    assert h.last_text(KIM) == str(texts.NOT_PAIRED)


async def test_a_partner_whose_prompt_comes_later_only_ever_sees_the_swapped_one(
    h: Harness,
) -> None:
    await pair(h, ALEX, SAM)
    await h.say(SAM, "/time 23:00")
    await h.walk_to(h.clock.now.replace(hour=20, minute=30))
    assert latest_prompt(h, ALEX)
    assert not any("of 30 ·" in t for t in h.texts(SAM))
    await h.say(ALEX, "/swap")
    swapped = prompt_text(h.last_text(ALEX))
    await h.walk_to(h.clock.now.replace(hour=23, minute=30))
    sam_prompts = [t for t in h.texts(SAM) if "of 30 ·" in t]
    assert len(sam_prompts) == 1 and prompt_text(sam_prompts[0]) == swapped
    assert "was swapped" not in sam_prompts[0]


async def test_a_swap_replaces_a_partners_prompt_that_has_not_gone_out_yet(h: Harness) -> None:
    await pair(h, ALEX, SAM)
    h.clock.set(h.clock.now.replace(hour=20, minute=0))
    await run_tick(h.couplet, h.clock())  # both prompts are queued, not yet sent
    await h.say(ALEX, "/swap")
    alex_prompts = [t for t in h.texts(ALEX) if "of 30 ·" in t]
    assert len(alex_prompts) == 1 and "Swapped ✓" in alex_prompts[0]  # no old copy trailing
    swapped = prompt_text(alex_prompts[0])
    sam_prompts = [t for t in h.texts(SAM) if "of 30 ·" in t]
    assert len(sam_prompts) == 1 and prompt_text(sam_prompts[0]) == swapped
    assert "was swapped" not in sam_prompts[0]  # Sam never saw the old one: nothing to explain


# --- self-check ---------------------------------------------------------------------------------


async def answer_checkin(h: Harness, user: int, scores: list[int]) -> dict[str, Any]:
    for score in scores:
        sent = next(m for m in reversed(h.tg.inbox(user)) if "Check-in ·" in (m.get("text") or ""))
        message = h.tg.message(user, sent["message_id"]) or {}  # edited in place
        data = next(
            b["callback_data"]
            for row in message["reply_markup"]["inline_keyboard"]
            for b in row
            if b["callback_data"].endswith(f":{score}")
        )
        await h.press(user, message, data)
    return h.tg.message(user, sent["message_id"]) or {}


async def test_checkin_is_resumable_private_and_compares_with_last_time(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    assert any("private check-in" in t for t in h.texts(ALEX))  # offered on day 1
    await h.press(ALEX, with_button(h, ALEX, "ci:start"), "ci:start")
    await answer_checkin(h, ALEX, [2, 2, 2])
    await h.say(ALEX, "/checkin")
    assert "Picking up where you left off" in h.last_text(ALEX)
    assert "4 of 8" in h.last_text(ALEX)
    result = await answer_checkin(h, ALEX, [2, 2, 5, 2, 1])  # q6 is stress
    text = result["text"]
    assert "Your check-in" in text and "Stress from outside" in text and "💡" in text
    assert "counsellor" not in text and "Next time I'll show you" in text
    sam_before = len(h.tg.inbox(SAM))
    await h.say(ALEX, "/checkin")
    result = await answer_checkin(h, ALEX, [1, 1, 1, 1, 1, 1, 5, 1])
    assert "Since your last check-in" in result["text"]
    assert "🟢 ↓ Stress from outside: 5 → 1" in result["text"]
    assert "🟠 ↑ Recurring arguments: 2 → 5" in result["text"]
    assert "counsellor" in result["text"]  # recurring arguments is a help sign
    assert "/safety" in result["text"]  # counselling is not the answer where there is fear
    assert h.tg.inbox(SAM)[sam_before:] == []  # nothing reached the partner
    # the finished check-in's answer buttons are gone: a late tap on one is answered quietly
    h.tg.press_button(ALEX, result, "ci:a:1:0:3", check=False)
    await h.pump()
    assert h.tg.callback_answers[-1].get("text") is None
    assert h.tg.inbox(SAM)[sam_before:] == []


async def test_sharing_needs_both_partners(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    await h.say(ALEX, "/checkin")
    result = await answer_checkin(h, ALEX, [5, 1, 1, 4, 1, 1, 1, 1])
    share = next(
        b["callback_data"] for row in result["reply_markup"]["inline_keyboard"] for b in row
    )
    await h.press(ALEX, result, share)
    assert "once Sam also chooses" in h.last_text(ALEX)
    invite = h.last_text(SAM)
    assert "would like to swap check-in summaries" in invite and "/checkin" in invite
    assert "Misunderstandings" not in "".join(h.texts(SAM))
    await h.say(SAM, "/checkin")
    theirs = await answer_checkin(h, SAM, [1, 1, 1, 1, 3, 4, 1, 1])
    assert not any("Alex's check-in" in t for t in h.texts(SAM))
    sam_share = next(
        b["callback_data"] for row in theirs["reply_markup"]["inline_keyboard"] for b in row
    )
    await h.press(SAM, theirs, sam_share)
    alex_view = next(t for t in h.texts(SAM) if "Alex's check-in" in t)
    assert "Misunderstandings" in alex_view and "Feeling close" in alex_view
    sam_view = next(t for t in h.texts(ALEX) if "Sam's check-in" in t)
    assert "Stress from outside" in sam_view and "Physical closeness" in sam_view
    assert "💡" not in sam_view  # only the areas, never tips or scores


async def test_the_safety_item_of_the_check_in_never_reaches_the_partner(h: Harness) -> None:
    sign = next(q for q in h.couplet.library.checkin if q.safety_sign)
    await pair_and_start(h, ALEX, SAM)
    sam_before = len(h.tg.inbox(SAM))
    await h.say(ALEX, "/checkin")
    shown = (await answer_checkin(h, ALEX, [4, 1, 1, 4, 1, 1, 5]))["text"]  # the 8th question
    assert sign.text in shown and parse_html(str(texts.CHECKIN_NEVER_SHARED)).strip() in shown
    result = await answer_checkin(h, ALEX, [5])  # messages edited in place read as plain text
    assert parse_html(str(texts.CHECKIN_SAFETY)).strip() in result["text"]
    assert (
        parse_html(str(texts.CHECKIN_COUNSELLING)).strip() not in result["text"]
    )  # not counselling
    assert str(texts.AREA_NAMES[sign.area.value]) not in result["text"]
    share = next(b["callback_data"] for row in result["reply_markup"]["inline_keyboard"]
                 for b in row)  # fmt: skip
    await h.press(ALEX, result, share)
    await h.say(SAM, "/checkin")
    theirs = await answer_checkin(h, SAM, [1, 1, 1, 1, 3, 4, 1, 1])
    sam_share = next(b["callback_data"] for row in theirs["reply_markup"]["inline_keyboard"]
                     for b in row)  # fmt: skip
    await h.press(SAM, theirs, sam_share)
    alex_view = next(t for t in h.texts(SAM) if "Alex's check-in" in t)
    assert "Recurring arguments" in alex_view  # sharing worked, areas and all
    from_alex = [  # everything Sam got since, except Sam's own check-in
        t for t in h.texts(SAM)[sam_before:] if "Check-in ·" not in t and "Your check-in" not in t
    ]
    assert any("Alex's check-in" in t for t in from_alex)
    for leak in (
        str(texts.AREA_NAMES[sign.area.value]),
        "hold back",
        "/safety",
        "🛟",
        "never shared",
    ):
        assert not any(leak in t for t in from_alex), leak


async def test_tip_without_topic_leans_on_the_latest_check_in(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    await h.say(ALEX, "/checkin")
    await answer_checkin(h, ALEX, [1, 1, 1, 1, 1, 5, 1, 1])  # only stress needs care
    stress = {t.text for t in h.couplet.library.tips if "stress" in t.topics}
    await h.say(ALEX, "/tip")
    assert any(texts.esc(s) in h.last_text(ALEX) for s in stress)


# --- intimacy track -----------------------------------------------------------------------------


async def walk_to_day(h: Harness, day: int) -> None:
    await pair_and_start(h, ALEX, SAM)
    for _ in range(day - 1):
        await next_day(h)
    assert f"Day {day} of 30" in latest_prompt(h, ALEX)["text"]


async def test_intimacy_is_offered_once_after_day_ten_and_needs_both(h: Harness) -> None:
    await walk_to_day(h, 11)
    library = h.couplet.library
    step_texts = {texts.esc(p.text) for p in library.intimacy.values()}
    for user in (ALEX, SAM):
        offers = [t for t in h.texts(user) if "optional extra" in t]
        assert len(offers) == 1
    await h.press(ALEX, with_button(h, ALEX, "int:on"), "int:on")
    assert "won't be told" in h.last_text(ALEX)
    sam_seen = len(h.tg.inbox(SAM))
    await next_day(h)
    await next_day(h)
    everything = "".join(h.texts(ALEX) + h.texts(SAM))
    assert not any(s in everything for s in step_texts)
    assert not any("intimacy" in t.lower() for t in h.texts(SAM)[sam_seen:])
    await h.say(SAM, "/intimacy on")
    assert "You're both in" in h.last_text(SAM) and "You're both in" in h.last_text(ALEX)
    await next_day(h)
    for user in (ALEX, SAM):
        steps = [t for t in h.texts(user) if any(s in t for s in step_texts)]
        assert len(steps) == 1 and texts.esc(library.intimacy[1].text) in steps[0]
        follow_up = library.intimacy[1].follow_up
        assert follow_up and texts.esc(follow_up) in steps[0]  # no reveal, so it comes along
    step_message = next(m for m in reversed(h.tg.inbox(SAM)) if "Intimacy track" in m["text"])
    await h.say(SAM, "a reply to the step", reply_to=step_message["message_id"])
    assert h.last_text(SAM) == str(texts.INTIMACY_NO_REPLY)
    await h.say(SAM, "/today")
    assert not any(s in h.last_text(SAM) for s in step_texts)
    assert str(texts.TODAY_STATUS_NONE) in h.last_text(SAM)  # the reply was not taken as an answer
    await h.say(SAM, "/intimacy off")
    assert h.last_text(SAM) == str(texts.INTIMACY_LEFT)
    paused = h.last_text(ALEX)
    assert paused == str(texts.INTIMACY_PAUSED) and "Sam" not in paused
    await next_day(h)
    for user in (ALEX, SAM):
        assert len([t for t in h.texts(user) if any(s in t for s in step_texts)]) == 1
    assert len([t for t in h.texts(ALEX) if "optional extra" in t]) == 1  # mentioned once


async def test_intimacy_command_shows_only_your_own_choice(h: Harness) -> None:
    await h.say(KIM, "/intimacy")
    assert h.last_text(KIM) == str(texts.INTIMACY_NOT_PAIRED)
    await pair(h, ALEX, SAM)
    await h.say(ALEX, "/intimacy on")
    await h.say(SAM, "/intimacy")
    assert str(texts.INTIMACY_STATUS_OFF) in h.last_text(SAM)
    await h.say(ALEX, "/intimacy")
    assert str(texts.INTIMACY_STATUS_WAITING) in h.last_text(ALEX)
    await h.say(ALEX, "/intimacy on")
    assert h.last_text(ALEX) == str(texts.INTIMACY_ALREADY_ON)
    await h.say(ALEX, "/intimacy maybe")
    assert h.last_text(ALEX) == str(texts.INTIMACY_USAGE)


async def test_checkin_works_before_pairing_without_a_share_button(h: Harness) -> None:
    await h.say(KIM, "/checkin")
    result = await answer_checkin(h, KIM, [3, 3, 3, 3, 3, 3, 3, 3])
    assert "Only you can see this." in result["text"] and "reply_markup" not in result
    before = len(h.tg.inbox(KIM))
    query_id = h.tg.press_button(KIM, result, "ci:share:1", check=False)  # no such button
    await h.pump()
    assert h.tg.callbacks[query_id].answered and len(h.tg.inbox(KIM)) == before


async def test_a_check_in_tap_on_a_message_telegram_no_longer_shows_carries_on(
    h: Harness,
) -> None:
    await h.say(KIM, "/checkin")
    question = h.tg.inbox(KIM)[-1]
    h.tg.press_button(KIM, question, "ci:a:1:0:4")
    # Telegram sends the message as inaccessible (date 0) when the bot can no longer reach it
    pressed = h.tg.updates[-1]["callback_query"]
    pressed["message"] = {"chat": pressed["message"]["chat"], "message_id": question["message_id"],
                          "date": 0}  # fmt: skip
    await h.pump()
    assert "Check-in · 2 of 8" in h.last_text(KIM)  # the next question, as a new message
    second = h.tg.inbox(KIM)[-1]
    h.tg.press_button(KIM, second, "ci:a:1:1:2")
    del h.tg.chats[KIM].messages[second["message_id"]]  # deleted before the edit arrives
    await h.pump()
    assert "Check-in · 3 of 8" in h.last_text(KIM)
    assert str(texts.ERROR) not in h.texts(KIM)
    result = await answer_checkin(h, KIM, [1, 1, 1, 1, 1, 1])
    assert "Your check-in" in result["text"]


async def test_sharing_a_check_in_from_an_earlier_pairing_is_refused_kindly(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    await h.say(ALEX, "/checkin")
    result = await answer_checkin(h, ALEX, [4, 1, 1, 1, 1, 1, 1, 1])
    share = next(b["callback_data"] for row in result["reply_markup"]["inline_keyboard"]
                 for b in row)  # fmt: skip
    await h.say(ALEX, "/unpair")
    await h.press(ALEX, with_button(h, ALEX, "unpair:yes"), "unpair:yes")
    await pair(h, ALEX, KIM)
    kim_before = len(h.tg.inbox(KIM))
    await h.press(ALEX, result, share)
    assert h.tg.callback_answers[-1]["text"] == str(texts.CHECKIN_SHARE_STALE)
    assert "reply_markup" not in (h.tg.message(ALEX, result["message_id"]) or {})
    assert h.tg.inbox(KIM)[kim_before:] == []  # nothing of the old check-in reaches Kim
