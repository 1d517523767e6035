"""The two chats as the page shows them, kept up to date from the fake's chat events.

A message becomes a small JSON-able *view*: who sent it, when, its text (the bot's as the HTML it
was sent in, the user's as plain text), media, inline keyboard, the message it replies to, and
whether it was edited. The page renders views; it never sees Bot API internals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from fakebot import ChatEvent
from fakebot.objects import BOT_ID

View = dict[str, Any]
Push = Callable[[dict[str, Any]], None]

SNIPPET = 90  # characters of a replied-to message shown above a reply
MEDIA_NAMES = {"photo": "Photo", "voice": "Voice message", "document": "File", "sticker": "Sticker"}


def file_url(file_id: str | None) -> str | None:
    return f"/files/{file_id}" if file_id else None


def _source_html(params: dict[str, Any], field: str, visible: str | None) -> str | None:
    """The bot's text as the page should render it: the HTML it sent, or escaped plain text."""
    raw = params.get(field)
    if isinstance(raw, str) and str(params.get("parse_mode") or "").upper() == "HTML":
        return raw
    return escape(visible, quote=False) if visible is not None else None


def _media(message: dict[str, Any]) -> dict[str, Any] | None:
    if message.get("photo"):
        largest = message["photo"][-1]
        return {
            "kind": "photo",
            "url": file_url(largest["file_id"]),
            "width": largest.get("width"),
            "height": largest.get("height"),
        }
    if message.get("voice"):
        voice = message["voice"]
        return {"kind": "voice", "url": file_url(voice["file_id"]), "duration": voice["duration"]}
    if message.get("document"):
        doc = message["document"]
        return {"kind": "document", "url": file_url(doc["file_id"]), "name": doc.get("file_name")}
    if message.get("sticker"):
        return {"kind": "sticker", "emoji": message["sticker"].get("emoji") or "🙂"}
    return None


def _buttons(message: dict[str, Any]) -> list[list[dict[str, str]]]:
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    rows = []
    for row in keyboard:
        out = []
        for button in row:
            entry = {"text": str(button.get("text", ""))}
            if "callback_data" in button:
                entry["data"] = str(button["callback_data"])
            elif "url" in button:
                entry["url"] = str(button["url"])
            out.append(entry)
        rows.append(out)
    return rows


def _snippet(message: dict[str, Any]) -> str:
    text = message.get("text") or message.get("caption")
    if not text:
        media = _media(message)
        return MEDIA_NAMES.get(media["kind"], "Message") if media else "Message"
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"


def make_view(message: dict[str, Any], params: dict[str, Any], before: View | None) -> View:
    """A view of ``message`` as stored by the fake; ``params`` of the call that made it."""
    from_bot = message.get("from", {}).get("id") == BOT_ID
    view: View = {
        "id": message["message_id"],
        "date": message["date"],
        "out": not from_bot,  # the phone's owner wrote it: a bubble on the right
        "edited": bool(before and before["edited"]),
        "media": _media(message),
        "buttons": _buttons(message),
        "reply_to": None,
    }
    quoted = message.get("reply_to_message")
    if quoted:
        view["reply_to"] = {
            "id": quoted["message_id"],
            "bot": quoted.get("from", {}).get("id") == BOT_ID,
            "snippet": _snippet(quoted),
        }
    field = "text" if "text" in message else "caption"
    if from_bot and before is not None and field not in params:
        view["html"] = before.get("html")  # a keyboard-only edit keeps the text as it was
    elif from_bot:
        view["html"] = _source_html(params, field, message.get(field))
    else:
        view["text"] = message.get(field)
    return view


class Transcript:
    """Views of the chats in ``chat_ids``, fed by ``FakeTelegram.subscribe(transcript)``.

    ``push`` receives one event dict per change, ready for the page (see ``web.py``).
    """

    def __init__(self, chat_ids: Iterable[int], push: Push) -> None:
        self.chats: dict[int, dict[int, View]] = {chat_id: {} for chat_id in chat_ids}
        self.push = push
        self._deep_links: set[tuple[int, str]] = set()

    def snapshot(self, chat_id: int) -> list[View]:
        return list(self.chats.get(chat_id, {}).values())

    def expect_deep_link(self, chat_id: int, text: str) -> None:
        """The next ``text`` in ``chat_id`` comes from a t.me link: shown as "/start", like Telegram."""
        self._deep_links.add((chat_id, text))

    def __call__(self, event: ChatEvent) -> None:
        if event.kind == "commands":
            return  # the sandbox reads the menu from the fake and pushes it (see world.py)
        chat = self.chats.get(event.chat_id or 0)
        if chat is None:
            return
        chat_id = event.chat_id
        if event.kind in ("message", "edit") and event.message is not None:
            before = chat.get(event.message["message_id"])
            view = make_view(event.message, event.params, before)
            if event.kind == "edit" and _text_changed(event, view, before):
                view["edited"] = True
            if view["out"]:
                self._mark_deep_link(chat_id or 0, view, before)
            chat[view["id"]] = view
            self.push({"type": event.kind, "chat": chat_id, "message": view})
        elif event.kind == "delete" and event.message_id is not None:
            chat.pop(event.message_id, None)
            self.push({"type": "delete", "chat": chat_id, "id": event.message_id})
        elif event.kind == "callback_answer" and event.params.get("text"):
            self.push(
                {
                    "type": "toast",
                    "chat": chat_id,
                    "text": str(event.params["text"]),
                    "alert": str(event.params.get("show_alert")).lower() in ("true", "1"),
                }
            )
        elif event.kind == "chat_action":
            self.push({"type": "action", "chat": chat_id, "action": event.params.get("action")})

    def _mark_deep_link(self, chat_id: int, view: View, before: View | None) -> None:
        if (chat_id, view.get("text")) in self._deep_links:
            self._deep_links.discard((chat_id, view["text"]))
        elif not (before and before.get("deep_link")):
            return
        view["text"], view["deep_link"] = "/start", True


def _text_changed(event: ChatEvent, view: View, before: View | None) -> bool:
    """Telegram marks a message "edited" when its text or caption changed, not its keyboard."""
    if view["out"]:
        return before is None or view.get("text") != before.get("text")
    return "text" in event.params or "caption" in event.params
