"""Parameter checks that mirror the Bot API's 400 answers."""

from __future__ import annotations

import re
from typing import Any

from fakebot.errors import ApiError, bad_request
from fakebot.html import HtmlParseError, parse_html

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64

_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


def as_int(value: Any) -> int | None:
    """Ints pass; numeric strings (possibly negative) convert; anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def require_int(params: dict[str, Any], name: str) -> int:
    value = params.get(name)
    if value is None or value == "":
        raise bad_request(f"{name} is empty")
    number = as_int(value)
    if number is None:
        raise bad_request(f"invalid {name} specified")
    return number


def utf16_units(text: str) -> int:
    """Telegram's length: UTF-16 code units, so a character outside the BMP (most emoji) is 2."""
    return len(text.encode("utf-16-le")) // 2


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text a user would see; raises "can't parse entities" for invalid HTML."""
    if not parse_mode:
        return text
    mode = parse_mode.lower()
    if mode == "html":
        try:
            return parse_html(text)
        except HtmlParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    if mode in ("markdown", "markdownv2"):
        return text  # Not validated: Couplet uses HTML.
    raise bad_request(f"unsupported parse_mode {parse_mode}")


def message_text(params: dict[str, Any]) -> str:
    """Validate ``text`` + ``parse_mode``; return the visible text.

    Like Telegram, the limit applies to the text after entity parsing, in UTF-16 code units.
    """
    text = params.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("message text is empty")
    shown = visible_text(text, params.get("parse_mode"))
    if not shown.strip():
        raise bad_request("message text is empty")
    if utf16_units(shown) > MAX_TEXT:
        raise bad_request("message is too long")
    return shown


def caption_text(params: dict[str, Any]) -> str | None:
    caption = params.get("caption")
    if caption is None or caption == "":
        return None
    if not isinstance(caption, str):
        raise bad_request("invalid caption")
    shown = visible_text(caption, params.get("parse_mode"))
    if utf16_units(shown) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return shown


def reply_markup(markup: Any) -> dict[str, Any] | None:
    """Validate a reply_markup; only inline keyboards get a deep check."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _inline_keyboard(markup["inline_keyboard"])
    elif not any(k in markup for k in ("keyboard", "remove_keyboard", "force_reply")):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _inline_keyboard(rows: Any) -> None:
    invalid = bad_request("BUTTON_DATA_INVALID")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise invalid
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise invalid
            actions = _BUTTON_ACTIONS.intersection(button)
            if len(actions) != 1:
                raise invalid
            if "callback_data" in actions:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                    raise invalid


def inline_callback_data(markup: dict[str, Any] | None) -> set[str]:
    """All callback_data values on a message's inline keyboard."""
    if not markup:
        return set()
    return {
        button["callback_data"]
        for row in markup.get("inline_keyboard", ())
        for button in row
        if "callback_data" in button
    }


def commands(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list) or len(value) > 100:
        raise bad_request("commands are invalid")
    result = []
    for item in value:
        if not isinstance(item, dict):
            raise bad_request("commands are invalid")
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not _COMMAND_RE.match(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise bad_request("command description is empty")
        result.append({"command": command, "description": description})
    return result


def forbidden_blocked() -> ApiError:
    return ApiError(403, "Forbidden: bot was blocked by the user")
