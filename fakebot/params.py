"""Decoding Bot API parameters that arrive as strings (query string, form data)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

# PTB JSON-encodes every non-string value; only these fields hold objects/arrays.
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "reply_parameters",
        "link_preview_options",
        "commands",
        "allowed_updates",
        "scope",
        "menu_button",
    }
)
INT_FIELDS = frozenset(
    {
        "chat_id",
        "user_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "from_chat_id",
        "duration",
        "cache_time",
        "reply_to_message_id",
        "message_thread_id",
    }
)
# Boolean parameter names in the Bot API follow these prefixes (disable_notification,
# protect_content, allow_paid_broadcast, show_alert, drop_pending_updates, is_personal, ...).
_BOOL_RE = re.compile(
    r"^(disable_|protect_|allow_|show_|drop_|is_|has_|can_|supports_|only_|revoke_|hide_)"
)


def decode_value(name: str, value: str) -> Any:
    """Decode one string parameter; free text (text, caption, data...) is left untouched."""
    if name in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value  # let the method report it as invalid
    if name in INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value
    if value in ("true", "false") and _BOOL_RE.match(name):
        return value == "true"
    return value


def decode_params(items: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Decode (name, value) pairs; non-string values (JSON bodies, uploads) pass through."""
    return {
        name: decode_value(name, value) if isinstance(value, str) else value
        for name, value in items
    }
