"""``AiohttpRequest`` against the fake's HTTP server: bodies, uploads, and how failures map."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.delivery.transport import AiohttpRequest, JsonBody, env_proxy, with_field
from fakebot import FakeBotApiServer, FakeTelegram

TOKEN = "123456:TEST-token"
ANN = 1001

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
async def served() -> AsyncIterator[tuple[FakeTelegram, FakeBotApiServer]]:
    tg = FakeTelegram()
    tg.add_user(ANN, "Ann")
    async with FakeBotApiServer(tg) as server:
        yield tg, server


def bot_for(url: str, **kw: float) -> Bot:
    return Bot(TOKEN, base_url=f"{url}/bot", request=AiohttpRequest(4, **kw))


async def test_calls_send_json_and_uploads_send_multipart(
    served: tuple[FakeTelegram, FakeBotApiServer],
) -> None:
    tg, server = served
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="y")]])
    async with bot_for(server.url) as bot:
        sent = await bot.send_message(ANN, "<b>hi</b> ü", parse_mode="HTML", reply_markup=keyboard)
        await bot.send_photo(ANN, InputFile(b"\x89PNG", filename="pic.png"), caption="look")
    assert sent.text == "hi ü" and sent.reply_markup == keyboard
    first, photo = tg.inbox(ANN)
    assert first["text"] == "<b>hi</b> ü" and first["reply_markup"] == keyboard.to_dict()
    assert photo["photo"] == "upload:pic.png" and photo["caption"] == "look"


async def test_a_ready_json_body_goes_as_it_is(
    served: tuple[FakeTelegram, FakeBotApiServer],
) -> None:
    tg, server = served
    text = with_field(json.dumps({"chat_id": ANN, "text": "stored"}), "protect_content", True)
    async with bot_for(server.url) as bot:
        result = await bot.request.post(f"{bot.base_url}/sendMessage", JsonBody(text))
    assert result["text"] == "stored"  # type: ignore[index]
    assert tg.last(ANN)["protect_content"] is True  # type: ignore[index]
    assert JsonBody(text).json_parameters == {
        "chat_id": str(ANN),
        "text": "stored",
        "protect_content": "true",
    }


async def test_failures_map_to_ptb_errors(served: tuple[FakeTelegram, FakeBotApiServer]) -> None:
    tg, server = served
    tg.set_limits(global_per_second=None, per_chat_per_second=1, retry_after=3)
    async with bot_for(server.url, read_timeout=0.2) as bot:
        await bot.send_message(ANN, "one")
        with pytest.raises(RetryAfter):
            await bot.send_message(ANN, "two")
        tg.clear_limits()
        tg.timeout_next(1, delay=2.0, method="sendMessage")
        with pytest.raises(TimedOut):
            await bot.send_message(ANN, "slow")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest(1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()


def test_with_field_adds_one_field_to_a_json_object() -> None:
    assert json.loads(with_field('{"a": 1}', "b", True)) == {"a": 1, "b": True}
    assert json.loads(with_field("{}", "b", "x")) == {"b": "x"}
    with pytest.raises(ValueError, match="JSON object"):
        with_field("[1]", "b", 1)


def test_the_environments_proxy_is_used_unless_the_host_is_exempt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("https_proxy", "http_proxy", "no_proxy", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    assert env_proxy("https://api.telegram.org") == "http://proxy.example:3128"
    assert env_proxy("http://127.0.0.1:8081") is None  # exempt, and no http proxy anyway
    assert env_proxy("https://localhost:8443") is None
