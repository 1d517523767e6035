"""Random traffic from many users, under Telegram's limits: every command is answered, nothing
fails, and Telegram refuses nothing the bot sends."""

from __future__ import annotations

import asyncio
import logging
import random
import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.running import RunningBot, pair_and_start, running_bot

USERS = list(range(5001, 5013))
UPDATES_PER_USER = 25
COMMANDS = [
    ("start", ""), ("start", "not-a-code"), ("start", "A" * 22), ("help", ""), ("today", ""),
    ("progress", ""), ("history", ""), ("history", "99999"), ("tip", ""), ("tip", "stress"),
    ("tip", "no-such-topic"), ("tip", "x" * 300), ("settings", ""), ("time", "25:99"),
    ("time", "8pm"), ("time", ""), ("timezone", "Mars/Olympus"), ("timezone", "UTC+14"),
    ("timezone", "Europe/Berlin"), ("nudge", ""), ("swap", ""), ("skip", ""), ("checkin", ""),
    ("intimacy", "maybe"), ("intimacy", "on"), ("safety", ""), ("pause", ""), ("resume", ""),
    ("unpair", ""), ("delete_my_data", ""), ("frobnicate", "now"), ("start@other_bot", ""),
]  # fmt: skip
BUTTONS = [
    "start_now", "unpair:yes", "unpair:no", "delete:no", "again:yes", "hist:5", "tip:stress",
    "nudge", "swap:1:1", "ci:start", "ci:a:999:0:3", "ci:share:999", "int:on", "int:off",
    "set:time", "time:21:00", "tz:UTC", "pair:accept:AAAAAAAAAAAAAAAAAAAAAA", "gibberish",
]  # fmt: skip


def texts_of(bot: RunningBot, user: int) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in bot.tg.inbox(user)]


async def reply_after(bot: RunningBot, user: int, seen: int) -> None:
    arrived = await bot.tg.wait_until(lambda: len(bot.tg.inbox(user)) > seen, 15)
    assert arrived, f"{user}: no reply; last messages {texts_of(bot, user)[-2:]}"


async def one_user(bot: RunningBot, user: int, rng: random.Random, pairing: dict) -> None:
    for _ in range(UPDATES_PER_USER):
        bot.clock.pause()  # a person takes a moment between two messages
        seen = len(bot.tg.inbox(user))
        roll = rng.random()
        if roll < 0.45:
            command, args = rng.choice(COMMANDS)
            if command == "start" and args == "" and pairing.get("code") and rng.random() < 0.5:
                args = pairing["code"]  # somebody else's real invite
            bot.tg.send_command(user, command, args)
            await reply_after(bot, user, seen)
            if match := re.search(r"start=([\w-]+)", texts_of(bot, user)[-1]):
                pairing["code"] = match.group(1)
        elif roll < 0.65:
            size = rng.choice([1, 40, 4096, 20_000])
            bot.tg.send_text(user, ("💞" if rng.random() < 0.3 else "word ") * (size // 5 + 1))
            await reply_after(bot, user, seen)
        elif roll < 0.75:
            media = rng.choice(["sticker", "photo", "voice", "document"])
            if media == "sticker":
                bot.tg.send_sticker(user)
            elif media == "photo":
                bot.tg.send_photo(user, caption=rng.choice([None, "a caption " * 50]))
            elif media == "voice":
                bot.tg.send_voice(user)
            else:
                bot.tg.send_document(user)
            await reply_after(bot, user, seen)
        elif roll < 0.95 and bot.tg.inbox(user):
            message = rng.choice(bot.tg.inbox(user))
            with_buttons: list[Any] = [
                b["callback_data"]
                for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
                for b in row
                if "callback_data" in b
            ]
            data = rng.choice(with_buttons) if with_buttons and rng.random() < 0.6 else None
            query_id = bot.tg.press_button(user, message, data or rng.choice(BUTTONS), check=False)
            answered = await bot.tg.wait_until(lambda q=query_id: bot.tg.callbacks[q].answered, 15)
            assert answered, f"{user}: button {data} never answered"
        else:
            own = [m for m in bot.tg.chats[user].messages.values() if m["from"]["id"] == user]
            if own and own[-1].get("text"):
                bot.tg.edit_text(user, own[-1]["message_id"], "edited " + own[-1]["text"][:50])


@pytest.mark.parametrize("seed", [1, 2])
async def test_random_updates_from_many_users_are_all_served(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, seed: int
) -> None:
    caplog.set_level(logging.INFO)
    async with running_bot(tmp_path) as bot:
        for user in USERS:
            bot.tg.add_user(user, f"User {user}", None)
        for a, b in zip(USERS[0:8:2], USERS[1:8:2], strict=True):  # four couples, four singles
            await pair_and_start(bot, a, b)
        shared: dict[str, str] = {}
        await asyncio.gather(
            *(one_user(bot, u, random.Random(seed * 1000 + u), shared) for u in USERS)
        )
        await asyncio.sleep(0.5)  # the outbox's last rows (reveals, notices)
        assert bot.tg.refusals == []  # Telegram refused nothing: lengths, edits, answers
        assert bot.tg.counters["429"] == 0
    failures = [
        r.getMessage() + "\n" + logging.Formatter().formatException(r.exc_info)
        if r.exc_info
        else r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR
    ]
    assert failures == []
