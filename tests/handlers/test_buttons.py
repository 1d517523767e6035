"""Every callback query is answered exactly once; an edit that changes nothing is not sent."""

from __future__ import annotations

from typing import Any

import pytest

from bot import texts
from bot.flows import lifecycle as lifecycle_flow
from fakebot.state import CallbackState
from tests.conftest import ALEX, KIM, SAM
from tests.handlers.flow import pair, pair_and_start, with_button
from tests.harness import Harness


def answers_to(h: Harness, query_id: str) -> int:
    return 1 if h.tg.callbacks[query_id].answered else 0


async def press(h: Harness, user: int, message: dict[str, Any], data: str) -> str:
    h.clock.pause()
    query_id = h.tg.press_button(user, message, data, check=False)
    await h.pump()
    return query_id


@pytest.mark.parametrize(
    "data", ["start_now", "unpair:yes", "delete:yes", "pair:accept:AAAAAAAAAAAA"]
)
async def test_a_strangers_button_is_answered_and_changes_nothing_for_the_couple(
    h: Harness, data: str
) -> None:
    await pair_and_start(h, ALEX, SAM)
    await h.say(KIM, "/help")
    calls = h.tg.counters["answerCallbackQuery"]
    query_id = await press(h, KIM, h.tg.inbox(KIM)[-1], data)
    assert h.tg.callbacks[query_id].answered
    assert h.tg.counters["answerCallbackQuery"] == calls + 1  # once, and accepted
    await h.say(ALEX, "/today")
    assert "Day 1 of 30" in h.last_text(ALEX)  # the couple is as it was
    assert "Sorry, something went wrong" not in "\n".join(h.texts(KIM))


async def test_start_now_after_the_partner_unpaired_says_not_paired(h: Harness) -> None:
    await pair(h, ALEX, SAM)
    start = with_button(h, SAM, "start_now")
    await h.say(ALEX, "/unpair")
    await h.press(ALEX, with_button(h, ALEX, "unpair:yes"), "unpair:yes")
    await h.press(SAM, start, "start_now")
    assert h.last_text(SAM) == str(texts.NOT_PAIRED)


async def test_a_button_no_longer_on_its_message_is_answered_quietly(h: Harness) -> None:
    await h.say(KIM, "/help")
    query_id = await press(h, KIM, h.tg.inbox(KIM)[-1], "unpair:yes")  # not on that message
    assert h.tg.callbacks[query_id].answered
    assert h.texts(KIM)[-1] == h.texts(KIM)[0]  # nothing was sent


async def test_a_button_pressed_twice_answers_twice_and_edits_once(h: Harness) -> None:
    await pair(h, ALEX, SAM)
    await h.say(ALEX, "/unpair")
    message = with_button(h, ALEX, "unpair:no")
    first = await press(h, ALEX, message, "unpair:no")
    edits = h.tg.counters["editMessageReplyMarkup"]
    second = await press(h, ALEX, message, "unpair:no")  # the markup is gone: nothing to edit
    assert h.tg.callbacks[first].answered and h.tg.callbacks[second].answered
    assert h.tg.counters["editMessageReplyMarkup"] == edits


async def test_a_failing_button_handler_answers_its_query_once_and_apologises(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await pair(h, ALEX, SAM)
    await h.say(ALEX, "/unpair")

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(lifecycle_flow, "unpair", broken)
    calls = h.tg.counters["answerCallbackQuery"]
    query_id = await press(h, ALEX, with_button(h, ALEX, "unpair:yes"), "unpair:yes")
    assert answers_to(h, query_id) == 1
    assert h.tg.counters["answerCallbackQuery"] == calls + 1  # the error handler did not repeat it
    assert h.last_text(ALEX) == str(texts.ERROR)


async def test_a_button_on_someone_elses_private_chat_is_refused_kindly(h: Harness) -> None:
    await pair(h, ALEX, SAM)
    await h.say(ALEX, "/unpair")
    message = with_button(h, ALEX, "unpair:yes")
    sam_inbox = len(h.tg.inbox(SAM))
    h.tg.callbacks["777"] = CallbackState(KIM, ALEX, message["message_id"], "unpair:yes")
    h.tg.enqueue_update(
        "callback_query",
        {
            "id": "777",
            "from": {"id": KIM, "is_bot": False, "first_name": "Kim"},
            "message": h.tg.chats[ALEX].messages[message["message_id"]],
            "chat_instance": "1",
            "data": "unpair:yes",
        },
    )
    await h.pump()
    assert h.tg.callbacks["777"].answered
    async with h.couplet.db.read() as tx:
        alex = await tx.users.user(ALEX)
        couple = await tx.couples.couple(alex.couple_id if alex else None)
    assert couple is not None and couple.is_live  # nothing ran for the stranger
    assert len(h.tg.inbox(SAM)) == sam_inbox  # and the partner was told nothing
