"""The Bot API methods the fake implements, as handlers over ``TelegramState``."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable
from typing import Any

from fakebot import objects, validation
from fakebot.errors import ApiError, bad_request
from fakebot.state import ChatState, TelegramState
from fakebot.validation import as_int, require_int
from fakebot.webhooks import allowed_url

Handler = Callable[[dict[str, Any]], Any | Awaitable[Any]]

# Methods that create messages: these are rate limited and counted as deliveries.
SEND_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendVoice", "sendDocument", "sendSticker", "copyMessage"}
)
EDIT_METHODS = frozenset({"editMessageText", "editMessageCaption", "editMessageReplyMarkup"})
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
_CONTENT_KEYS = ("text", "photo", "voice", "document", "sticker", "caption")


def flag(value: Any) -> bool:
    """Bot API booleans: True from JSON, "true" from form data."""
    return value is True or value == "true" or value == 1


def _as_float(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


class BotApiMethods(TelegramState):
    """Bot API handlers. Each takes the decoded params and returns the ``result`` value."""

    def method_table(self) -> dict[str, Handler]:
        """Canonical method name -> handler."""
        return {
            "getMe": lambda p: self.bot,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendVoice": self._send_voice,
            "sendDocument": self._send_document,
            "copyMessage": self._copy_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "deleteMessage": self._delete_message,
            "sendChatAction": self._send_chat_action,
            "leaveChat": self._leave_chat,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "setMyDescription": lambda p: self._set_description("description", p, 512),
            "setMyShortDescription": lambda p: self._set_description("short", p, 120),
            "setMyName": lambda p: True,
            "close": lambda p: True,
            "logOut": lambda p: True,
        }

    # -- updates & webhook -------------------------------------------------------------

    async def _get_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = as_int(p.get("offset")) or 0
        limit = min(max(as_int(p.get("limit")) or 100, 1), 100)
        timeout = max(_as_float(p.get("timeout"), 0.0), 0.0)
        updates = self.updates
        if offset > 0:
            while updates and updates[0]["update_id"] < offset:
                updates.popleft()  # confirmed
        elif offset < 0:
            while len(updates) > -offset:
                updates.popleft()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not updates:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await self.update_signal.wait(remaining)
        return list(itertools.islice(updates, limit))

    def _set_webhook(self, p: dict[str, Any]) -> bool:
        url = str(p.get("url") or "")
        if not url:
            return self._delete_webhook(p)
        if not allowed_url(url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        self.webhooks.url, self.webhooks.secret = url, str(p.get("secret_token") or "")
        if flag(p.get("drop_pending_updates")):
            self.updates.clear()
        self.webhooks.start()
        return True

    def _delete_webhook(self, p: dict[str, Any]) -> bool:
        self.webhook_url = ""
        self.webhooks.url = ""
        if flag(p.get("drop_pending_updates")):
            self.updates.clear()
        return True

    def _get_webhook_info(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }

    # -- commands & menu ---------------------------------------------------------------

    @staticmethod
    def _scope_key(p: dict[str, Any]) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), p.get("language_code") or ""

    def _set_my_commands(self, p: dict[str, Any]) -> bool:
        self.commands_by_scope[self._scope_key(p)] = validation.commands(p.get("commands"))
        self.emit("commands", None, params=p)
        return True

    def _set_description(self, kind: str, p: dict[str, Any], limit: int) -> bool:
        field = "description" if kind == "description" else "short_description"
        text = str(p.get(field) or "")
        if len(text) > limit:
            raise bad_request(f"{field} is too long")
        self.descriptions[(kind, str(p.get("language_code") or ""))] = text
        return True

    def _get_my_commands(self, p: dict[str, Any]) -> list[dict[str, str]]:
        return list(self.commands_by_scope.get(self._scope_key(p), []))

    def _delete_my_commands(self, p: dict[str, Any]) -> bool:
        self.commands_by_scope.pop(self._scope_key(p), None)
        self.emit("commands", None, params=p)
        return True

    def _set_chat_menu_button(self, p: dict[str, Any]) -> bool:
        self.menu_buttons[as_int(p.get("chat_id"))] = p.get("menu_button") or {"type": "default"}
        return True

    def _get_chat_menu_button(self, p: dict[str, Any]) -> Any:
        return self.menu_buttons.get(as_int(p.get("chat_id")), {"type": "default"})

    # -- sending -----------------------------------------------------------------------

    def _send_message(self, p: dict[str, Any]) -> dict[str, Any]:
        state = self.chat_state(p.get("chat_id"))
        shown = validation.message_text(p)
        return self._deliver("sendMessage", p, state, {"text": shown}, shown=shown)

    def _send_photo(self, p: dict[str, Any]) -> dict[str, Any]:
        state = self.chat_state(p.get("chat_id"))
        file_id = self._file_param(p, "photo")
        caption = validation.caption_text(p)
        content: dict[str, Any] = {"photo": objects.photo_sizes(file_id)}
        return self._deliver_media("sendPhoto", p, state, content, caption, photo=file_id)

    def _send_voice(self, p: dict[str, Any]) -> dict[str, Any]:
        state = self.chat_state(p.get("chat_id"))
        file_id = self._file_param(p, "voice")
        caption = validation.caption_text(p)
        # Sent again by file_id, a voice note keeps the length Telegram knows it by.
        duration = as_int(p.get("duration")) or self.voice_durations.get(file_id, 0)
        content = {"voice": objects.voice(file_id, duration)}
        return self._deliver_media("sendVoice", p, state, content, caption, voice=file_id)

    def _send_document(self, p: dict[str, Any]) -> dict[str, Any]:
        state = self.chat_state(p.get("chat_id"))
        file_id = self._file_param(p, "document")
        caption = validation.caption_text(p)
        content = {"document": objects.document(file_id, "document", "application/octet-stream")}
        return self._deliver_media("sendDocument", p, state, content, caption, document=file_id)

    def _copy_message(self, p: dict[str, Any]) -> dict[str, int]:
        state = self.chat_state(p.get("chat_id"))
        source_chat = self.chat_state(p.get("from_chat_id"))
        source = source_chat.messages.get(require_int(p, "message_id"))
        if source is None:
            raise bad_request("message to copy not found")
        content = {key: source[key] for key in _CONTENT_KEYS if key in source}
        if "caption" in p:
            caption = validation.caption_text(p)
            content.pop("caption", None)
            if caption is not None:
                content["caption"] = caption
        message = self._deliver(
            "copyMessage", p, state, content, shown=content.get("text", content.get("caption"))
        )
        return {"message_id": message["message_id"]}

    @staticmethod
    def _file_param(p: dict[str, Any], name: str) -> str:
        value = p.get(name)
        if not isinstance(value, str) or not value:
            raise bad_request(f"there is no {name} in the request")
        return value

    def _deliver_media(
        self,
        method: str,
        p: dict[str, Any],
        state: ChatState,
        content: dict[str, Any],
        caption: str | None,
        **files: str,
    ) -> dict[str, Any]:
        if caption is not None:
            content["caption"] = caption
        return self._deliver(method, p, state, content, shown=caption, files=files)

    def _deliver(
        self,
        method: str,
        p: dict[str, Any],
        state: ChatState,
        content: dict[str, Any],
        *,
        shown: str | None,
        files: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Checks shared by all sends, then the point of no return: record the message."""
        markup = validation.reply_markup(p.get("reply_markup"))
        reply_to = self._reply_target(state, p)
        self._check_not_blocked(state)
        now = self.clock()
        paid = flag(p.get("allow_paid_broadcast"))
        if self.limiter is not None:
            retry_after = self.limiter.acquire(state.chat["id"], now, paid=paid)
            if retry_after is not None:
                raise ApiError(
                    429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
                )

        message_id = state.take_message_id()
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": self.bot,
            "chat": state.chat,
            "date": self.now_date(),
            **content,
        }
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # Telegram echoes only inline keyboards.
        if reply_to is not None:
            message["reply_to_message"] = objects.quoted(reply_to)
        state.messages[message_id] = message

        files = files or {}
        state.inbox.append(
            {
                "method": method,
                "chat_id": state.chat["id"],
                "message_id": message_id,
                "text": p.get("text") if method == "sendMessage" else content.get("text"),
                "caption": p.get("caption") if "caption" in p else content.get("caption"),
                "plain_text": shown,
                "photo": files.get("photo"),
                "voice": files.get("voice"),
                "document": files.get("document"),
                "parse_mode": p.get("parse_mode"),
                "reply_markup": markup,
                "reply_to_message_id": reply_to["message_id"] if reply_to else None,
                "link_preview_options": p.get("link_preview_options"),
                "disable_notification": flag(p.get("disable_notification")),
                "protect_content": flag(p.get("protect_content")),
                "allow_paid_broadcast": paid,
                "time": now,
                "seq": self.sent_count,  # global delivery order across chats
            }
        )
        self.sent_count += 1
        self.emit("message", state.chat["id"], message, p)
        return message

    def _reply_target(self, state: ChatState, p: dict[str, Any]) -> dict[str, Any] | None:
        params = p.get("reply_parameters")
        if isinstance(params, dict):
            message_id = as_int(params.get("message_id"))
            allow_missing = flag(params.get("allow_sending_without_reply"))
        else:
            message_id = as_int(p.get("reply_to_message_id"))
            allow_missing = flag(p.get("allow_sending_without_reply"))
        if message_id is None:
            return None
        target = state.messages.get(message_id)
        if target is None and not allow_missing:
            raise bad_request("message to be replied not found")
        return target

    def _check_not_blocked(self, state: ChatState) -> None:
        if state.chat["type"] == "private" and state.chat["id"] in self.blocked:
            raise validation.forbidden_blocked()

    # -- editing & deleting ------------------------------------------------------------

    def _edit_target(self, p: dict[str, Any]) -> tuple[ChatState, dict[str, Any]]:
        if p.get("inline_message_id"):
            raise bad_request("message to edit not found")  # inline mode is not faked
        state = self.chat_state(p.get("chat_id"))
        message = state.messages.get(as_int(p.get("message_id")) or 0)
        if message is None:
            raise bad_request("message to edit not found")
        if message.get("from", {}).get("id") != self.bot["id"]:
            raise bad_request("message can't be edited")
        self._check_not_blocked(state)
        return state, message

    def _edit_message_text(self, p: dict[str, Any]) -> dict[str, Any]:
        state, message = self._edit_target(p)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        shown = validation.message_text(p)
        markup = validation.reply_markup(p.get("reply_markup"))
        return self._apply_edit("editMessageText", p, state, message, {"text": shown}, markup)

    def _edit_message_caption(self, p: dict[str, Any]) -> dict[str, Any]:
        state, message = self._edit_target(p)
        if "text" in message:
            raise bad_request("there is no caption in the message to edit")
        caption = validation.caption_text(p)
        markup = validation.reply_markup(p.get("reply_markup"))
        return self._apply_edit(
            "editMessageCaption", p, state, message, {"caption": caption}, markup
        )

    def _edit_message_reply_markup(self, p: dict[str, Any]) -> dict[str, Any]:
        state, message = self._edit_target(p)
        markup = validation.reply_markup(p.get("reply_markup"))
        return self._apply_edit("editMessageReplyMarkup", p, state, message, {}, markup)

    def _apply_edit(
        self,
        method: str,
        p: dict[str, Any],
        state: ChatState,
        message: dict[str, Any],
        changes: dict[str, Any],
        markup: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """Replace (never mutate) the stored message; omitting reply_markup removes it."""
        keyboard = markup if markup is not None and "inline_keyboard" in markup else None
        if keyboard == message.get("reply_markup") and all(
            message.get(key) == value for key, value in changes.items()
        ):
            raise bad_request(_NOT_MODIFIED)
        edited = {**message, **changes, "edit_date": self.now_date()}
        edited = {key: value for key, value in edited.items() if value is not None}
        edited.pop("reply_markup", None)
        if keyboard is not None:
            edited["reply_markup"] = keyboard
        state.messages[message["message_id"]] = edited
        self.edits.append(
            {
                "method": method,
                "chat_id": state.chat["id"],
                "message_id": message["message_id"],
                "text": p.get("text"),
                "caption": p.get("caption"),
                "parse_mode": p.get("parse_mode"),
                "reply_markup": markup,
                "time": self.clock(),
            }
        )
        self.emit("edit", state.chat["id"], edited, p)
        return edited

    def _delete_message(self, p: dict[str, Any]) -> bool:
        state = self.chat_state(p.get("chat_id"))
        message_id = require_int(p, "message_id")
        gone = state.messages.pop(message_id, None)
        if gone is None:
            raise bad_request("message to delete not found")
        self.deleted.append(
            {"chat_id": state.chat["id"], "message_id": message_id, "time": self.clock()}
        )
        self.emit("delete", state.chat["id"], gone, p, message_id=message_id)
        return True

    # -- misc ----------------------------------------------------------------------------

    def _answer_callback_query(self, p: dict[str, Any]) -> bool:
        query_id = str(p.get("callback_query_id") or "")
        query = self.callbacks.get(query_id)
        if query is None or query.answered:
            raise bad_request(_QUERY_INVALID)
        query.answered = True
        self.callback_answers.append(
            {
                "callback_query_id": query_id,
                "user_id": query.user_id,
                "chat_id": query.chat_id,
                "message_id": query.message_id,
                "data": query.data,
                "text": p.get("text"),
                "show_alert": flag(p.get("show_alert")),
                "url": p.get("url"),
                "cache_time": as_int(p.get("cache_time")),
                "time": self.clock(),
            }
        )
        self.emit("callback_answer", query.chat_id, params=p, message_id=query.message_id)
        return True

    def _send_chat_action(self, p: dict[str, Any]) -> bool:
        state = self.chat_state(p.get("chat_id"))
        self._check_not_blocked(state)
        self.chat_actions.append(
            {"chat_id": state.chat["id"], "action": p.get("action"), "time": self.clock()}
        )
        self.emit("chat_action", state.chat["id"], params=p)
        return True

    def _leave_chat(self, p: dict[str, Any]) -> bool:
        state = self.chat_state(p.get("chat_id"))
        self.left_chats.append(state.chat["id"])
        return True
