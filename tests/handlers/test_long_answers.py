"""Answers as long as Telegram lets a user send reach both partners whole, in messages that fit."""

import re
from datetime import timedelta
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.handlers.common import reply, show_in_place
from bot.telegram_html import MAX_TEXT, utf16_units
from tests.conftest import ALEX, SAM
from tests.handlers.flow import pair_and_start
from tests.harness import Harness

WS = re.compile(r"\s+")

# A realistic Cyrillic answer of exactly 4,096 UTF-16 units (the most a client lets one send).
CYRILLIC = ("Я помню тот вечер у реки, когда мы смеялись до слёз и никуда не спешили. " * 60)[:4096]
LOREM = ("I still think about the evening by the river when we laughed until we cried. " * 60)[
    :4096
]
MAXIMAL = {
    "emoji": ("💞" * 2048, "💗" * 2048),
    "cyrillic": (CYRILLIC, "ж" * 4096),
    "ascii": (LOREM, "x" * 4096),
}


def flat(text: str) -> str:
    """Cuts between messages drop only whitespace: compare without it."""
    return WS.sub("", text)


def reveal_records(h: Harness, user: int) -> list[dict[str, Any]]:
    """Everything the bot sent ``user`` from the start of the day's reveal on."""
    inbox = h.tg.inbox(user)
    starts = [i for i, r in enumerate(inbox) if "You both answered" in (r["plain_text"] or "")]
    assert starts, f"no reveal reached {user}"
    return inbox[starts[0] :]


def assert_shown_whole(h: Harness, user: int, mine: str, partner: str, theirs: str) -> None:
    records = reveal_records(h, user)
    for record in records:
        assert utf16_units(record["plain_text"] or "") <= MAX_TEXT
    shown = flat("".join(r["plain_text"] or "" for r in records))
    you_at = shown.find(flat("You" + mine))
    partner_at = shown.find(flat(partner + theirs))
    assert you_at > 0, f"{user} does not see their own answer whole"
    assert partner_at > you_at, f"{user} does not see {partner}'s answer whole, after their own"


async def assert_nothing_refused(h: Harness) -> None:
    assert h.tg.counters["400"] == 0
    async with h.couplet.db.read() as tx:
        counts = await tx.outbox.outbox_counts()
    assert set(counts) <= {"sent"}, counts  # nothing dropped, failed or stuck


@pytest.mark.parametrize("script", MAXIMAL, ids=list(MAXIMAL))
async def test_two_maximum_length_answers_reach_both_partners_whole(
    h: Harness, script: str
) -> None:
    alex_says, sam_says = MAXIMAL[script]
    assert utf16_units(alex_says) == utf16_units(sam_says) == 4096
    await pair_and_start(h, ALEX, SAM)
    await h.say(ALEX, alex_says)
    await h.say(SAM, sam_says)
    assert_shown_whole(h, ALEX, alex_says, "Sam", sam_says)
    assert_shown_whole(h, SAM, sam_says, "Alex", alex_says)
    for user in (ALEX, SAM):
        assert 2 <= len(reveal_records(h, user)) <= 3  # split, but not into slivers
    assert h.tg.duplicates() == []
    await assert_nothing_refused(h)


async def test_a_long_answer_next_to_a_short_one_is_revealed_to_both(h: Harness) -> None:
    """The issue's case: 2,048 × "💞" next to "short" used to be dropped as too long."""
    await pair_and_start(h, ALEX, SAM)
    await h.say(ALEX, "💞" * 2048)
    await h.say(SAM, "short")
    assert any("both answered day 1" in t for t in h.texts(SAM))
    assert_shown_whole(h, ALEX, "💞" * 2048, "Sam", "short")
    assert_shown_whole(h, SAM, "short", "Alex", "💞" * 2048)
    await assert_nothing_refused(h)


async def test_answers_full_of_markup_characters_are_shown_whole(h: Harness) -> None:
    """Escaping makes "<&>" five characters of HTML, but Telegram counts the one it shows."""
    await pair_and_start(h, ALEX, SAM)
    await h.say(ALEX, "<&>" * 1365 + "<")
    await h.say(SAM, "&" * 4096)
    assert_shown_whole(h, ALEX, "<&>" * 1365 + "<", "Sam", "&" * 4096)
    assert_shown_whole(h, SAM, "&" * 4096, "Alex", "<&>" * 1365 + "<")
    await assert_nothing_refused(h)


async def test_media_answers_with_the_longest_captions_are_revealed_whole(h: Harness) -> None:
    caption = "💞" * 512  # 1,024 units: the longest caption a client lets one send
    await pair_and_start(h, ALEX, SAM)
    h.tg.send_photo(ALEX, file_id="photo-long", caption=caption)
    await h.pump()
    await h.say(SAM, "ж" * 4096)
    assert_shown_whole(h, ALEX, "📷 photo\n" + caption, "Sam", "ж" * 4096)
    assert_shown_whole(h, SAM, "ж" * 4096, "Alex", "📷 photo (below)\n" + caption)
    photos = [r for r in reveal_records(h, SAM) if r["method"] == "sendPhoto"]
    assert [r["photo"] for r in photos] == ["photo-long"]
    assert utf16_units(photos[0]["plain_text"]) <= 1024
    await assert_nothing_refused(h)


# --- /history shows every answer whole ---------------------------------------------------------


def long_answer(who: str, day: int, filler: str) -> str:
    """An answer of exactly 4,096 UTF-16 units that names its author and day."""
    head = f"{who}{day} "
    return head + filler * ((4096 - len(head)) // utf16_units(filler))


async def answer_days(h: Harness, answers: dict[int, tuple[str, str]]) -> None:
    await pair_and_start(h, ALEX, SAM)
    for day in sorted(answers):
        alex_says, sam_says = answers[day]
        await h.say(ALEX, alex_says)
        await h.say(SAM, sam_says)
        before = len(h.tg.inbox(ALEX))
        while not any(f"Day {day + 1} of 30" in t for t in h.texts(ALEX)[before:]):
            await h.walk_to(h.clock.now + timedelta(hours=6), step_hours=6)


def assert_page_whole(
    records: list[dict[str, Any]], answers: dict[int, tuple[str, str]], days: list[int]
) -> None:
    """The page shows each day's two answers whole, newest day first, buttons under the last."""
    shown = flat("".join(r["plain_text"] or "" for r in records))
    at = [shown.find(flat(f"Day{day}·")) for day in days]
    assert all(a >= 0 for a in at) and at == sorted(at), f"days {days} not all there, in order"
    for day, start in zip(days, at, strict=True):
        alex_says, sam_says = answers[day]
        you = shown.find(flat(f"You:{alex_says}"), start)
        assert you > start, f"day {day}: Alex's answer is not shown whole"
        assert shown.find(flat(f"Sam:{sam_says}"), you) > you, f"day {day}: Sam's, not whole"
    assert all(r["reply_markup"] is None for r in records[:-1])
    assert records[-1]["reply_markup"] is not None


async def test_history_shows_long_answers_whole_over_several_messages(h: Harness) -> None:
    answers = {day: (f"alex short {day}", f"sam short {day}") for day in (1, 2, 3, 5)}
    answers |= {
        day: (long_answer("alex", day, "ж"), long_answer("sam", day, "💗")) for day in (4, 6)
    }
    await answer_days(h, answers)
    before = len(h.tg.inbox(ALEX))
    await h.say(ALEX, "/history")
    page1 = h.tg.inbox(ALEX)[before:]
    assert len(page1) > 1 and "page 1 of 2" in page1[0]["plain_text"]
    assert_page_whole(page1, answers, [6, 5, 4, 3])
    # Page 2 fits one message: it replaces the pressed one in place.
    await h.press(ALEX, page1[-1], "hist:4")
    assert len(h.tg.inbox(ALEX)) == before + len(page1)
    edited = h.tg.message(ALEX, page1[-1]["message_id"])
    assert "page 2 of 2" in edited["text"] and "alex short 1" in edited["text"]
    # Page 1 does not fit one message: it comes again as new messages, the pressed one stays.
    await h.press(ALEX, edited, "hist:0")
    again = h.tg.inbox(ALEX)[before + len(page1) :]
    assert [r["plain_text"] for r in again] == [r["plain_text"] for r in page1]
    assert_page_whole(again, answers, [6, 5, 4, 3])
    assert "page 2 of 2" in h.tg.message(ALEX, edited["message_id"])["text"]
    await assert_nothing_refused(h)


# --- the safety net: nothing a handler sends can exceed the limit -------------------------------

BUTTON = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])


async def next_update(h: Harness) -> Update:
    """Take the update the fake holds next, as the harness's polling would."""
    status, body = await h.tg.call("getUpdates", {"offset": h.offset, "timeout": 0})
    assert status == 200 and body["result"], body
    raw = body["result"][0]
    h.offset = raw["update_id"] + 1
    return Update.de_json(raw, h.app.bot)


async def test_a_reply_too_long_for_one_message_goes_out_as_several(h: Harness) -> None:
    h.tg.send_text(ALEX, "hello")
    update = await next_update(h)
    text = "<b>" + "ж" * 5000 + "</b> " + "💞" * 2000
    await reply(update, text, reply_markup=BUTTON)
    sent = h.tg.inbox(ALEX)
    assert len(sent) == 3
    assert "".join(r["plain_text"] for r in sent) == "ж" * 5000 + " " + "💞" * 2000
    assert [r["reply_markup"] is not None for r in sent] == [False, False, True]
    await assert_nothing_refused(h)


async def test_an_edit_in_place_that_would_not_fit_comes_as_new_messages(h: Harness) -> None:
    pressed = await h.app.bot.send_message(ALEX, "pick", reply_markup=BUTTON)
    record = {"chat_id": ALEX, "message_id": pressed.message_id}
    h.tg.press_button(ALEX, record, "go")
    update = await next_update(h)
    assert update.callback_query is not None
    await show_in_place(update.callback_query, update, "ж" * 9000, BUTTON)
    assert h.tg.message(ALEX, pressed.message_id)["text"] == "pick"  # not edited
    new = h.tg.inbox(ALEX)[1:]
    assert [utf16_units(r["plain_text"]) for r in new] == [4096, 4096, 808]
    assert [r["reply_markup"] is not None for r in new] == [False, False, True]
    await show_in_place(update.callback_query, update, "ж" * 4096, BUTTON)  # this one fits
    assert h.tg.message(ALEX, pressed.message_id)["text"] == "ж" * 4096
    assert len(h.tg.inbox(ALEX)) == 4
    await assert_nothing_refused(h)
