"""The HTTP front end: body encodings, tokens, routing, and a real PTB Application."""

from __future__ import annotations

import json
from collections.abc import Callable

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import EndPointNotFound
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from fakebot import FakeBotApiServer, FakeTelegram, InProcessRequest

ANN = 1001  # added by the ``tg`` fixture
TOKEN = "123456:TEST-token"


@pytest.mark.parametrize("text", ["[1, 2] not json", "[1, 2]", '{"a": 1}', "true", "12345"])
async def test_free_text_survives_form_decoding(
    server: FakeBotApiServer, tg: FakeTelegram, make_http_bot: Callable[..., Bot], text: str
) -> None:
    async with make_http_bot(server) as bot:
        sent = await bot.send_message(ANN, text)
    assert sent.text == text
    assert tg.last(ANN)["text"] == text


async def test_json_get_and_form_bodies(server: FakeBotApiServer, tg: FakeTelegram) -> None:
    base = f"{server.url}/bot{TOKEN}"
    keyboard = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{base}/sendMessage",
            json={"chat_id": str(ANN), "text": "json", "reply_markup": keyboard},
        ) as resp:
            assert resp.status == 200 and (await resp.json())["result"]["text"] == "json"
        form = {
            "chat_id": str(ANN),
            "text": "form",
            "reply_markup": json.dumps(keyboard),
            "protect_content": "true",
        }
        async with http.post(f"{base}/SENDMESSAGE", data=form) as resp:  # case-insensitive
            assert resp.status == 200
        multipart = aiohttp.FormData(form)
        multipart.add_field("photo", b"\x89PNG", filename="pic.png")
        async with http.post(f"{base}/sendPhoto", data=multipart) as resp:
            assert resp.status == 200
        async with http.get(f"{base}/sendMessage", params={"chat_id": ANN, "text": "q"}) as resp:
            assert resp.status == 200
        async with http.get(f"{base}/noSuchMethod") as resp:
            assert resp.status == 404 and (await resp.json())["description"] == "Not Found"
        async with http.get(f"{server.url}/file/bot{TOKEN}/photos/x.jpg") as resp:
            assert resp.status == 404
    texts = [(r["text"], r["reply_markup"], r["protect_content"]) for r in tg.inbox(ANN)]
    assert texts[:2] == [("json", keyboard, False), ("form", keyboard, True)]
    assert tg.inbox(ANN)[2]["photo"] == "upload:pic.png"
    assert tg.inbox(ANN)[3]["text"] == "q"


async def test_token_is_checked_when_given(tg: FakeTelegram) -> None:
    async with FakeBotApiServer(tg, token=TOKEN) as server, aiohttp.ClientSession() as http:
        async with http.get(f"{server.url}/bot1:wrong/getMe") as resp:
            assert resp.status == 401 and (await resp.json())["description"] == "Unauthorized"
        async with http.get(f"{server.url}/bot{TOKEN}/getMe") as resp:
            assert resp.status == 200


async def test_unknown_method_via_ptb(bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": ANN})


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(f"Welcome, {update.effective_user.first_name}!")


async def _pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer("ok")
    await update.callback_query.edit_message_text(f"You chose {update.callback_query.data}")


def _application(builder_setup: Callable) -> Application:
    builder = Application.builder().token(TOKEN)
    app = builder_setup(builder).build()
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(CallbackQueryHandler(_pressed))
    return app


@pytest.mark.parametrize("transport", ["http", "inprocess"])
async def test_application_polling_end_to_end(
    server: FakeBotApiServer, tg: FakeTelegram, transport: str
) -> None:
    if transport == "http":
        app = _application(lambda b: b.base_url(f"{server.url}/bot"))
    else:
        app = _application(
            lambda b: b.request(InProcessRequest(tg)).get_updates_request(InProcessRequest(tg))
        )
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=5)
        try:
            tg.send_text(ANN, "/start@couplet_test_bot")
            welcome = await tg.wait_for_text(ANN, "Welcome, Ann!", timeout=3)
            assert welcome["reply_to_message_id"] is None

            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
            await app.bot.send_message(ANN, "Pick", reply_markup=keyboard)
            tg.press_button(ANN, tg.last(ANN), "a")
            await tg.wait_for(ANN, count=2)
            assert await tg.wait_until(lambda: tg.edits, timeout=3)
            assert tg.callback_answers[0]["text"] == "ok"
            assert tg.message(ANN, tg.last(ANN)["message_id"])["text"] == "You chose a"
        finally:
            await app.updater.stop()
            await app.stop()
    assert len(tg.updates) == 0  # PTB confirmed everything on shutdown
