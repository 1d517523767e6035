"""Bot API behaviour as PTB sees it, over HTTP and in-process (``bot`` is parametrised)."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from fakebot import FakeTelegram

ANN, BOB = 1001, 1002  # added by the ``tg`` fixture

KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Yes", callback_data="answer:yes")],
        [InlineKeyboardButton("Site", url="https://example.org")],
    ]
)


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.first_name, me.username) == (
        777000111,
        True,
        "Couplet",
        "couplet_test_bot",
    )
    assert me.can_join_groups is True


async def test_send_message_lands_in_inbox_with_markup(bot: Bot, tg: FakeTelegram) -> None:
    sent = await bot.send_message(
        ANN,
        "<b>Day 1</b> — hello",
        parse_mode=ParseMode.HTML,
        reply_markup=KEYBOARD,
        disable_notification=True,
    )
    assert sent.text == "Day 1 — hello"  # Telegram returns the visible text
    assert sent.from_user.id == 777000111 and sent.chat.id == ANN
    assert sent.reply_markup == KEYBOARD

    record = tg.last(ANN)
    assert record is not None
    assert record["method"] == "sendMessage"
    assert record["message_id"] == sent.message_id
    assert record["text"] == "<b>Day 1</b> — hello"
    assert record["plain_text"] == "Day 1 — hello"
    assert record["parse_mode"] == "HTML"
    assert record["disable_notification"] is True
    assert record["reply_markup"] == KEYBOARD.to_dict()
    assert tg.inbox(BOB) == []
    assert tg.sent_count == 1


async def test_message_ids_are_per_chat_and_shared_with_user(bot: Bot, tg: FakeTelegram) -> None:
    incoming = tg.send_text(ANN, "hi")
    reply = await bot.send_message(ANN, "hello", reply_parameters=ReplyParameters(1))
    other = await bot.send_message(BOB, "hey")
    assert (incoming["message_id"], reply.message_id, other.message_id) == (1, 2, 1)
    assert reply.reply_to_message is not None and reply.reply_to_message.text == "hi"
    assert tg.last(ANN)["reply_to_message_id"] == 1
    with pytest.raises(BadRequest, match="replied not found"):
        await bot.send_message(ANN, "x", reply_parameters=ReplyParameters(99))


async def test_unknown_chat_is_bad_request(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "hello?")


async def test_blocked_user_is_forbidden(bot: Bot, tg: FakeTelegram) -> None:
    tg.block(ANN)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ANN, "still there?")
    assert tg.inbox(ANN) == [] and tg.counters["403"] == 1
    tg.unblock(ANN)
    await bot.send_message(ANN, "welcome back")
    assert len(tg.inbox(ANN)) == 1


async def test_html_validation(bot: Bot, tg: FakeTelegram) -> None:
    await bot.send_message(ANN, "<b>a <i>b</i> <u>c</u></b>", parse_mode=ParseMode.HTML)
    await bot.send_message(ANN, "a &lt; b", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(ANN, "a < b", parse_mode=ParseMode.HTML)
    await bot.send_message(ANN, "a < b")  # no parse_mode: anything goes
    assert [r["plain_text"] for r in tg.inbox(ANN)] == ["a b c", "a < b", "a < b"]


async def test_length_limits(bot: Bot, tg: FakeTelegram) -> None:
    await bot.send_message(ANN, "x" * 4096)
    # Limits count visible characters, so markup does not count.
    await bot.send_message(ANN, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ANN, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(ANN, "   ")
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(ANN, "photo-1", caption="c" * 1025)
    assert len(tg.inbox(ANN)) == 2


async def test_lengths_count_utf16_units_of_the_visible_text(bot: Bot, tg: FakeTelegram) -> None:
    # Telegram counts UTF-16 code units: "💞" lies outside the BMP and counts 2, "ж" counts 1.
    await bot.send_message(ANN, "💞" * 2048)
    await bot.send_message(ANN, "ж" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ANN, "💞" * 2049)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ANN, "💞" * 2048 + "x")
    # After entity parsing: tags count nothing, "&amp;" counts one, "&#128158;" (💞) two.
    await bot.send_message(ANN, "<i>" + "&amp;" * 4096 + "</i>", parse_mode=ParseMode.HTML)
    await bot.send_message(ANN, "&#128158;" * 2048, parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ANN, "&amp;" * 4097, parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ANN, "&#128158;" * 2048 + ".", parse_mode=ParseMode.HTML)
    await bot.send_photo(ANN, "photo-1", caption="<b>" + "💞" * 512 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(ANN, "photo-1", caption="💞" * 513)
    assert len(tg.inbox(ANN)) == 5
    assert tg.counters["400"] == 5  # every refusal is counted


async def test_photo_and_voice(bot: Bot, tg: FakeTelegram) -> None:
    photo = await bot.send_photo(ANN, "photo-abc", caption="<i>us</i>", parse_mode="HTML")
    voice = await bot.send_voice(ANN, "voice-xyz", caption="listen")
    assert photo.photo[-1].file_id == "photo-abc" and photo.caption == "us"
    assert voice.voice.file_id == "voice-xyz"
    first, second = tg.inbox(ANN)
    assert (first["method"], first["photo"], first["caption"]) == (
        "sendPhoto",
        "photo-abc",
        "<i>us</i>",
    )
    assert (second["method"], second["voice"]) == ("sendVoice", "voice-xyz")


async def test_callback_data_is_validated(bot: Bot) -> None:
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(ANN, "pick", reply_markup=too_long)
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 64)]])
    await bot.send_message(ANN, "pick", reply_markup=ok)


async def test_get_updates_long_poll_and_offset(bot: Bot, tg: FakeTelegram) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    assert not poll.done()  # it is really waiting
    tg.send_command(ANN, "start", "ref42")
    updates = await asyncio.wait_for(poll, 2)
    assert len(updates) == 1
    message = updates[0].message
    assert message.text == "/start ref42"
    assert message.from_user.id == ANN and message.chat.type == "private"
    assert message.parse_entities() == {message.entities[0]: "/start"}

    tg.send_text(ANN, "second")
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [updates[0].update_id, updates[0].update_id + 1]
    confirmed = await bot.get_updates(offset=again[-1].update_id + 1, timeout=0)
    assert confirmed == () and len(tg.updates) == 0


async def test_callback_press_and_answer(bot: Bot, tg: FakeTelegram) -> None:
    sent = await bot.send_message(ANN, "Ready?", reply_markup=KEYBOARD)
    query_id = tg.press_button(ANN, tg.last(ANN), "answer:yes")
    (update,) = await bot.get_updates(timeout=1)
    query = update.callback_query
    assert query.id == query_id and query.data == "answer:yes"
    assert query.from_user.id == ANN
    assert query.message.message_id == sent.message_id and query.message.text == "Ready?"

    assert await bot.answer_callback_query(query_id, text="Saved")
    assert tg.callback_answers[-1]["text"] == "Saved"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("nope")


async def test_edit_message(bot: Bot, tg: FakeTelegram) -> None:
    sent = await bot.send_message(ANN, "v1", reply_markup=KEYBOARD)
    edited = await bot.edit_message_text("v2", ANN, sent.message_id, reply_markup=KEYBOARD)
    assert edited.text == "v2" and edited.edit_date is not None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("v2", ANN, sent.message_id, reply_markup=KEYBOARD)
    # Like Telegram: editing text without reply_markup drops the keyboard.
    await bot.edit_message_text("v3", ANN, sent.message_id)
    assert "reply_markup" not in tg.message(ANN, sent.message_id)
    await bot.edit_message_reply_markup(ANN, sent.message_id, reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", ANN, 999)
    assert [e["method"] for e in tg.edits] == [
        "editMessageText",
        "editMessageText",
        "editMessageReplyMarkup",
    ]
    assert tg.inbox(ANN)[0]["text"] == "v1"  # the inbox keeps what was sent


async def test_misc_methods(bot: Bot, tg: FakeTelegram) -> None:
    await bot.set_my_commands([("start", "Begin"), ("help", "Help")])
    assert tg.commands == [
        {"command": "start", "description": "Begin"},
        {"command": "help", "description": "Help"},
    ]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    await bot.delete_my_commands()
    assert tg.commands == []
    assert await bot.send_chat_action(ANN, "typing")
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""
    sent = await bot.send_message(ANN, "bye")
    assert await bot.delete_message(ANN, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ANN, sent.message_id)
    tg.group_text(-100, ANN, "hi all")
    assert await bot.leave_chat(-100)
    assert tg.left_chats == [-100]
    assert await bot.set_chat_menu_button()
