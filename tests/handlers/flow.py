"""Shared steps for handler tests: pairing two partners through the real handlers."""

from __future__ import annotations

import re
from typing import Any

from tests.harness import Harness

CODE = re.compile(r"start=([A-Za-z0-9_-]+)")


def invite_code(h: Harness, user_id: int) -> str:
    for message in reversed(h.tg.inbox(user_id)):
        if match := CODE.search(message.get("text") or ""):
            return match.group(1)
    raise AssertionError(f"no invite link in {h.texts(user_id)}")


def with_button(h: Harness, user_id: int, data: str) -> dict[str, Any]:
    for message in reversed(h.tg.inbox(user_id)):
        markup = message.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            if any(b.get("callback_data") == data for b in row):
                return message
    raise AssertionError(f"no button {data!r} for {user_id}: {h.texts(user_id)}")


async def pair(h: Harness, inviter: int, partner: int) -> str:
    await h.say(inviter, "/start")
    code = invite_code(h, inviter)
    await h.say(partner, f"/start {code}")
    await h.press(partner, with_button(h, partner, f"pair:accept:{code}"), f"pair:accept:{code}")
    return code


async def pair_and_start(h: Harness, a: int, b: int) -> None:
    await pair(h, a, b)
    await h.press(b, with_button(h, b, "start_now"), "start_now")
    await h.tick()
