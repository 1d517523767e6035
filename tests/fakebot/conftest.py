"""Fixtures for the fake Bot API tests: a FakeTelegram, its HTTP server and PTB bots."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from fakebot import FakeBotApiServer, FakeTelegram, InProcessRequest

TOKEN = "123456:TEST-token"
ANN, BOB = 1001, 1002


@pytest.fixture
def tg() -> FakeTelegram:
    telegram = FakeTelegram()
    telegram.add_user(ANN, "Ann", username="ann")
    telegram.add_user(BOB, "Bob", language_code="de")
    return telegram


@pytest.fixture
async def server(tg: FakeTelegram) -> AsyncIterator[FakeBotApiServer]:
    async with FakeBotApiServer(tg) as srv:
        yield srv


def http_bot(server: FakeBotApiServer, read_timeout: float = 5.0) -> Bot:
    request = HTTPXRequest(read_timeout=read_timeout, connect_timeout=2.0)
    return Bot(TOKEN, base_url=f"{server.url}/bot", request=request)


def local_bot(tg: FakeTelegram, read_timeout: float = 5.0) -> Bot:
    return Bot(
        TOKEN,
        request=InProcessRequest(tg, read_timeout=read_timeout),
        get_updates_request=InProcessRequest(tg, read_timeout=read_timeout),
    )


@pytest.fixture
def make_http_bot() -> Callable[..., Bot]:
    """``make_http_bot(server, read_timeout=...)``: an uninitialised HTTP Bot."""
    return http_bot


@pytest.fixture
def make_local_bot() -> Callable[..., Bot]:
    """``make_local_bot(tg, read_timeout=...)``: an uninitialised in-process Bot."""
    return local_bot


@pytest.fixture(params=["http", "inprocess"])
async def bot(request: pytest.FixtureRequest, tg: FakeTelegram) -> AsyncIterator[Bot]:
    """The same PTB Bot API calls, over HTTP and in-process."""
    if request.param == "http":
        async with FakeBotApiServer(tg) as srv, http_bot(srv) as client:
            yield client
    else:
        async with local_bot(tg) as client:
            yield client
