"""Builders for Bot API objects as plain dicts (the shapes PTB's ``de_json`` expects)."""

from __future__ import annotations

import itertools
from typing import Any

BOT_ID = 777000111
_unique = itertools.count(1)


def bot_user(username: str) -> dict[str, Any]:
    return {
        "id": BOT_ID,
        "is_bot": True,
        "first_name": "Couplet",
        "username": username,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def user(user_id: int, first_name: str, username: str | None, language_code: str) -> dict:
    data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username:
        data["username"] = username
    if language_code:
        data["language_code"] = language_code
    return data


def private_chat(user_data: dict[str, Any]) -> dict[str, Any]:
    chat = {"id": user_data["id"], "type": "private", "first_name": user_data["first_name"]}
    if "username" in user_data:
        chat["username"] = user_data["username"]
    return chat


def utf16_len(text: str) -> int:
    """Telegram measures entity offsets/lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[dict[str, Any]]:
    """A ``bot_command`` entity for a leading "/command[@bot]", as Telegram adds it."""
    if not text.startswith("/") or len(text) < 2 or text[1].isspace():
        return []
    word = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(word)}]


def _unique_id(prefix: str) -> str:
    return f"{prefix}-u{next(_unique)}"


def photo_sizes(file_id: str) -> list[dict[str, Any]]:
    """Telegram sends several sizes, largest last; all share the caller's file_id prefix."""
    return [
        {
            "file_id": f"{file_id}" if width == 1280 else f"{file_id}-{width}",
            "file_unique_id": _unique_id("ph"),
            "width": width,
            "height": width * 3 // 4,
            "file_size": width * 60,
        }
        for width in (90, 320, 1280)
    ]


def voice(file_id: str, duration: int) -> dict[str, Any]:
    return {
        "file_id": file_id,
        "file_unique_id": _unique_id("vo"),
        "duration": duration,
        "mime_type": "audio/ogg",
        "file_size": duration * 4000,
    }


def document(file_id: str, file_name: str, mime_type: str) -> dict[str, Any]:
    return {
        "file_id": file_id,
        "file_unique_id": _unique_id("doc"),
        "file_name": file_name,
        "mime_type": mime_type,
        "file_size": 1024,
    }


def sticker(file_id: str, emoji: str) -> dict[str, Any]:
    return {
        "file_id": file_id,
        "file_unique_id": _unique_id("st"),
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": emoji,
    }


def quoted(message: dict[str, Any]) -> dict[str, Any]:
    """The copy embedded as ``reply_to_message``: Telegram never nests replies deeper."""
    return {key: value for key, value in message.items() if key != "reply_to_message"}
