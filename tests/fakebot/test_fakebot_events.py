"""Chat events: what a client (the sandbox page) needs to show a chat as it changes."""

from __future__ import annotations

import logging

import pytest
from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from fakebot import ChatEvent, FakeTelegram

ANN, BOB = 1001, 1002  # added by the ``tg`` fixture
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes")]])


@pytest.fixture
def events(tg: FakeTelegram) -> list[ChatEvent]:
    seen: list[ChatEvent] = []
    tg.subscribe(seen.append)
    return seen


async def test_a_sent_message_comes_with_the_html_it_was_sent_as(
    bot: Bot, tg: FakeTelegram, events: list[ChatEvent]
) -> None:
    sent = await bot.send_message(ANN, "<b>Day 1</b> &amp; more", reply_markup=KEYBOARD,
                                  parse_mode=ParseMode.HTML)  # fmt: skip
    [event] = events
    assert (event.kind, event.chat_id, event.message_id) == ("message", ANN, sent.message_id)
    assert event.message is not None and event.message["text"] == "Day 1 & more"
    assert event.message["reply_markup"] == KEYBOARD.to_dict()
    assert (event.params["text"], event.params["parse_mode"]) == ("<b>Day 1</b> &amp; more", "HTML")


async def test_refused_sends_emit_nothing(
    bot: Bot, tg: FakeTelegram, events: list[ChatEvent]
) -> None:
    tg.block(ANN)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(ANN, "hello?")
    with pytest.raises(BadRequest, match="parse"):
        await bot.send_message(BOB, "<b>unclosed", parse_mode=ParseMode.HTML)
    assert events == []


async def test_edits_deletions_and_button_answers(
    bot: Bot, tg: FakeTelegram, events: list[ChatEvent]
) -> None:
    sent = await bot.send_message(ANN, "Pick one", reply_markup=KEYBOARD)
    await bot.edit_message_text("<i>Picked</i>", chat_id=ANN, message_id=sent.message_id,
                                parse_mode=ParseMode.HTML)  # fmt: skip
    query_id = tg.press_button(ANN, tg.last(ANN) or {}, "yes", check=False)
    await bot.answer_callback_query(query_id, text="Noted ✓", show_alert=True)
    await bot.send_chat_action(ANN, "typing")
    await bot.delete_message(ANN, sent.message_id)

    kinds = [(e.kind, e.chat_id, e.message_id) for e in events]
    assert kinds == [
        ("message", ANN, sent.message_id),
        ("edit", ANN, sent.message_id),
        ("callback_answer", ANN, sent.message_id),
        ("chat_action", ANN, None),
        ("delete", ANN, sent.message_id),
    ]
    edit, answer, action, deletion = events[1:]
    assert edit.message is not None and edit.message["text"] == "Picked"
    assert "reply_markup" not in edit.message  # an edit without a keyboard removes it
    assert edit.params["text"] == "<i>Picked</i>"
    assert (answer.params["text"], answer.params["show_alert"]) == ("Noted ✓", True)
    assert action.params["action"] == "typing"
    assert deletion.message is not None and deletion.message["text"] == "Picked"
    assert tg.message(ANN, sent.message_id) is None


async def test_what_the_user_does_is_an_event_too(
    tg: FakeTelegram, events: list[ChatEvent]
) -> None:
    written = tg.send_text(ANN, "my answer")
    photo = tg.send_photo(BOB, "photo-7", caption="look")
    edited = tg.edit_text(ANN, written["message_id"], "my better answer")
    assert [(e.kind, e.chat_id, e.message_id) for e in events] == [
        ("message", ANN, written["message_id"]),
        ("message", BOB, photo["message_id"]),
        ("edit", ANN, written["message_id"]),
    ]
    assert events[0].message == written and events[0].params == {}
    assert events[1].message is not None and events[1].message["caption"] == "look"
    assert events[2].message == edited and edited["text"] == "my better answer"


async def test_command_menu_changes(bot: Bot, tg: FakeTelegram, events: list[ChatEvent]) -> None:
    await bot.set_my_commands([BotCommand("today", "Today's prompt")])
    await bot.delete_my_commands()
    assert [(e.kind, e.chat_id) for e in events] == [("commands", None), ("commands", None)]


async def test_unsubscribe_and_a_failing_listener(
    bot: Bot, tg: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[ChatEvent] = []

    def broken(event: ChatEvent) -> None:
        raise RuntimeError("listener bug")

    tg.subscribe(broken)
    stop = tg.subscribe(seen.append)
    with caplog.at_level(logging.ERROR, logger="fakebot.state"):
        first = await bot.send_message(ANN, "one")  # the call succeeds all the same
    assert first.text == "one" and len(seen) == 1
    assert "a message listener failed" in caplog.text
    stop()
    stop()  # twice is harmless
    await bot.send_message(ANN, "two")
    assert len(seen) == 1 and len(tg.inbox(ANN)) == 2


async def test_messages_are_dated_by_the_wall_clock() -> None:
    moments = iter([1_800_000_000.7, 1_800_086_400.2])
    tg = FakeTelegram(wall_clock=lambda: next(moments))
    tg.add_user(ANN, "Ann")
    written = tg.send_text(ANN, "hi")
    status, body = await tg.call("sendMessage", {"chat_id": ANN, "text": "a day later"})
    assert status == 200
    assert (written["date"], body["result"]["date"]) == (1_800_000_000, 1_800_086_400)


async def test_a_voice_note_sent_again_by_file_id_keeps_its_length(
    bot: Bot, tg: FakeTelegram
) -> None:
    tg.send_voice(ANN, "voice-from-ann", duration=7)
    again = await bot.send_voice(BOB, "voice-from-ann")
    told = await bot.send_voice(BOB, "voice-from-ann", duration=2)
    unknown = await bot.send_voice(BOB, "voice-never-seen")
    seconds = [
        (tg.message(BOB, sent.message_id) or {})["voice"]["duration"]
        for sent in (again, told, unknown)
    ]
    assert seconds == [7, 2, 0]
