"""The test-control API: simulated users, reading what the bot sent, and overhead."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import Bot, MessageEntity, Update

from fakebot import FakeTelegram

ANN, BOB = 1001, 1002  # added by the ``tg`` fixture

# Reading Voice.duration as an int warns in PTB 22 (it becomes a timedelta in v23).
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def _updates(tg: FakeTelegram) -> list[Update]:
    status, body = await tg.call("getUpdates", {"timeout": 0})
    assert status == 200
    bot = Bot("1:x")
    return [Update.de_json(data, bot) for data in body["result"]]


async def test_incoming_messages_parse_in_ptb(tg: FakeTelegram) -> None:
    tg.send_text(ANN, "/start@couplet_test_bot now")
    tg.send_command(BOB, "/help")
    tg.send_photo(ANN, "photo-9", caption="look")
    tg.send_voice(ANN, "voice-9", duration=5, reply_to=1)
    tg.send_sticker(ANN)
    tg.send_document(ANN, "doc-1")
    edited = tg.edit_text(ANN, 1, "plain now")
    tg.group_text(-500, BOB, "hello group", chat_type="supergroup", title="Us")
    tg.channel_post(-1009, "news")

    start, help_, photo, voice, sticker, document, edit, group, post = await _updates(tg)
    entity = start.message.entities[0]
    assert entity.type == MessageEntity.BOT_COMMAND and entity.length == len(
        "/start@couplet_test_bot"
    )
    assert help_.message.text == "/help" and help_.message.from_user.language_code == "de"
    assert photo.message.photo[-1].file_id == "photo-9" and photo.message.caption == "look"
    assert voice.message.voice.duration == 5 and voice.message.reply_to_message.message_id == 1
    assert sticker.message.sticker is not None
    assert document.message.document.file_id == "doc-1"
    assert edit.edited_message.text == "plain now" and edit.edited_message.entities == ()
    assert edited["message_id"] == 1
    assert group.message.chat.type == "supergroup" and group.message.chat.title == "Us"
    assert post.channel_post.text == "news" and post.channel_post.sender_chat.id == -1009
    # Message ids continue per chat across kinds of message.
    assert [u.message.message_id for u in (start, photo, voice, sticker, document)] == [
        1,
        2,
        3,
        4,
        5,
    ]


async def test_unknown_users_and_messages_fail_loudly(tg: FakeTelegram) -> None:
    with pytest.raises(KeyError, match="add_user"):
        tg.send_text(4242, "hi")
    with pytest.raises(KeyError):
        tg.send_text(ANN, "re", reply_to=77)
    status, body = await tg.call("sendMessage", {"chat_id": ANN, "text": "menu"})
    assert status == 200
    with pytest.raises(ValueError, match="no button"):
        tg.press_button(ANN, body["result"], "x")
    with pytest.raises(KeyError):
        tg.press_button(BOB, body["result"], "x", check=False)  # not Bob's chat


async def test_call_envelopes(tg: FakeTelegram) -> None:
    assert await tg.call("nope", {}) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    tg.set_limits(None, 1, retry_after=3)
    assert (await tg.call("sendmessage", {"chat_id": str(ANN), "text": "a"}))[0] == 200
    assert await tg.call("sendMessage", {"chat_id": ANN, "text": "b"}) == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 3",
            "parameters": {"retry_after": 3},
        },
    )


async def test_wait_for_and_wait_for_text(tg: FakeTelegram) -> None:
    async def bot_sends() -> None:
        for text in ("one", "<b>two</b>"):
            await asyncio.sleep(0.01)
            await tg.call("sendMessage", {"chat_id": ANN, "text": text, "parse_mode": "HTML"})

    task = asyncio.create_task(bot_sends())
    record = await tg.wait_for_text(ANN, "two", timeout=2)
    assert record["text"] == "<b>two</b>"
    assert [r["plain_text"] for r in await tg.wait_for(ANN, count=2)] == ["one", "two"]
    await task
    with pytest.raises(TimeoutError, match=r"\['one', '<b>two</b>'\]"):
        await tg.wait_for(ANN, count=3, timeout=0.05)
    with pytest.raises(TimeoutError):
        await tg.wait_for_text(BOB, "never", timeout=0.05)


async def test_overhead_with_20k_chats() -> None:
    """Guards the benchmark use: sends must stay O(1) with many chats and limits on."""
    tg = FakeTelegram()
    for user_id in range(1, 20_001):
        tg.add_user(user_id, "U")
    tg.set_limits(global_per_second=1_000_000, per_chat_per_second=1)
    started = time.perf_counter()
    for user_id in range(1, 20_001):
        status, _ = await tg.call("sendMessage", {"chat_id": user_id, "text": "Day 1 prompt"})
        assert status == 200
    elapsed = time.perf_counter() - started
    assert tg.sent_count == 20_000 and tg.duplicates() == []
    assert elapsed < 5, f"20k sends took {elapsed:.2f}s"
