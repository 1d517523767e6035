"""Guards that used to be ``assert``s (which vanish under ``python -O``) are real checks now.

An update the bot cannot serve (no sender) is dropped quietly; a flow whose user row is missing
raises ``MissingRow``, which the error handler logs and apologises for. ``ruff check`` (rule S101)
keeps new asserts out of the bot.
"""

import logging
from typing import Any

import pytest
from telegram import Update

from bot.flows import pairing, reading, settings
from bot.storage import MissingRow
from fakebot.objects import command_entities
from tests.conftest import ALEX, SAM
from tests.handlers.flow import pair_and_start
from tests.harness import Harness

# Every handler that acts for the sender: with no sender there is nobody to act for.
NEEDS_A_SENDER = [
    "/start",
    "/start abcdefgh12",
    "/today",
    "/progress",
    "/history",
    "/tip",
    "/nudge",
    "/settings",
    "/time 08:00",
    "/timezone Europe/Berlin",
    "/pause",
    "/resume",
    "/unpair",
    "/swap",
    "/checkin",
    "/intimacy",
    "/intimacy on",
    "an answer to today's prompt",
]


def senderless(update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    """A private-chat message without ``from``, as Telegram never sends but the API allows."""
    message: dict[str, Any] = {
        "message_id": 10_000 + update_id,
        "date": 1_700_000_000,
        "chat": {"id": chat_id, "type": "private", "first_name": "Alex"},
        "text": text,
    }
    if entities := command_entities(text):
        message["entities"] = entities
    return {"update_id": update_id, "message": message}


@pytest.mark.parametrize("text", NEEDS_A_SENDER)
async def test_a_message_without_a_sender_gets_no_reply_and_no_error(
    h: Harness, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    await pair_and_start(h, ALEX, SAM)  # a live couple, so every handler has work it could do
    before = len(h.tg.inbox(ALEX))
    caplog.clear()
    update = Update.de_json(senderless(900_001, ALEX, text), h.app.bot)
    await h.app.process_update(update)
    await h.flush()
    assert h.tg.inbox(ALEX)[before:] == []  # no reply, and no apology either
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


NOBODY = 4040  # no row: the gatekeeper never saw this user


@pytest.mark.parametrize(
    "call",
    [
        lambda app: pairing.start(app, NOBODY),
        lambda app: pairing.open_invite(app, NOBODY, "abcdefgh12"),
        lambda app: pairing.accept(app, NOBODY, "abcdefgh12"),
        lambda app: settings.view(app, NOBODY),
        lambda app: settings.update(app, NOBODY, delivery_time="08:00"),
        lambda app: reading.status(app, NOBODY),
        lambda app: reading.tip(app, NOBODY, None),
    ],
    ids=["start", "open_invite", "accept", "settings", "set_time", "status", "tip"],
)
async def test_a_flow_missing_its_user_row_raises_a_named_error(h: Harness, call: Any) -> None:
    with pytest.raises(MissingRow, match=f"no row for user {NOBODY}"):
        await call(h.couplet)
