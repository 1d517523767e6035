"""``FakeTelegram``: the in-memory Bot API plus the control API tests drive it with."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from typing import Any

from fakebot import objects
from fakebot.errors import ApiError, Envelope, error_envelope, ok_envelope
from fakebot.faults import Fault
from fakebot.limits import RateLimiter
from fakebot.methods import EDIT_METHODS, SEND_METHODS, BotApiMethods
from fakebot.state import CallbackState, ChatState
from fakebot.validation import inline_callback_data

_callback_ids = itertools.count(4_000_000_000_001)


class FakeTelegram(BotApiMethods):
    """In-memory Telegram for one bot. No HTTP: see ``FakeBotApiServer``/``InProcessRequest``."""

    def __init__(
        self,
        *,
        username: str = "couplet_test_bot",
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """``clock`` drives flood control (monotonic seconds); ``wall_clock`` dates messages."""
        super().__init__(username=username, clock=clock, wall_clock=wall_clock)
        self.flood_times: list[float] = []  # when each 429 was answered (fake clock)
        self.refusals: list[tuple[str, str]] = []  # (method, description) of every 400 answered
        table = self.method_table()
        self._methods = {name.lower(): (name, handler) for name, handler in table.items()}

    # == Bot API entry point ==============================================================

    async def call(self, method: str, params: dict[str, Any]) -> tuple[int, Envelope]:
        """Run one Bot API method; return (HTTP status, JSON envelope)."""
        status, envelope, delay = await self.call_with_delay(method, params)
        if delay:
            await asyncio.sleep(delay)
        return status, envelope

    async def call_with_delay(
        self, method: str, params: dict[str, Any]
    ) -> tuple[int, Envelope, float]:
        """Like ``call`` but hands an injected response delay back instead of sleeping.

        Transports use it to sleep *outside* the state logic, so the outcome (including
        "not delivered") is fixed before the client gives up waiting.
        """
        entry = self._methods.get(method.lower())
        if entry is None:
            self.counters["404"] += 1
            return 404, error_envelope(404, "Not Found"), 0.0
        name, handler = entry
        self.counters[name] += 1
        fault = self.faults.decide(name.lower()) if self.faults.armed else None
        if fault is not None and not fault.deliver:
            return (*self._fault_answer(fault), fault.delay)
        try:
            result = handler(params)
            if name == "getUpdates":
                result = await result
        except ApiError as exc:
            if exc.status in (400, 403, 429):
                self.counters[str(exc.status)] += 1
            if exc.status == 400:
                self.refusals.append((name, exc.description))
            if exc.status == 429:
                self.flood_times.append(self.clock())
            return exc.status, exc.envelope(), 0.0
        self.activity.notify()
        if fault is not None:  # timeout after delivery: the response is lost
            return (*self._fault_answer(fault), fault.delay)
        return 200, ok_envelope(result), 0.0

    def _fault_answer(self, fault: Fault) -> tuple[int, Envelope]:
        if fault.kind == "timeout":
            self.counters["timeouts"] += 1
            return 504, error_envelope(504, "Gateway Timeout")
        self.counters["5xx"] += 1
        return fault.status, error_envelope(fault.status, fault.description)

    # == Control: rate limits and faults =================================================

    def set_limits(
        self,
        global_per_second: float | None,
        per_chat_per_second: float | None,
        paid_per_second: float | None = 1000,
        *,
        retry_after: int | None = None,
        per_chat_burst: int = 1,
    ) -> None:
        """Enable Telegram-like flood control on sending methods (``None`` = unlimited).

        ``retry_after`` fixes the advertised wait; by default it is the real wait rounded
        up to whole seconds (at least 1). ``per_chat_burst`` sends may go to one chat at once.
        """
        if global_per_second is None and per_chat_per_second is None and paid_per_second is None:
            self.limiter = None
            return
        self.limiter = RateLimiter(
            global_per_second, per_chat_per_second, paid_per_second, retry_after, per_chat_burst
        )

    def clear_limits(self) -> None:
        self.limiter = None

    def fail_next(self, n: int = 1, status: int = 500, method: str | None = None) -> None:
        """The next ``n`` matching calls answer ``status`` (5xx) and change nothing.

        ``method=None`` matches any method except getUpdates (name it to fail polling).
        """
        self.faults.add(Fault("error", status=status), n, method)

    def timeout_next(
        self,
        n: int = 1,
        delay: float = 10.0,
        method: str | None = None,
        *,
        deliver: bool = False,
    ) -> None:
        """The next ``n`` matching calls answer only after ``delay`` seconds (504).

        By default nothing is applied; ``deliver=True`` applies the call first, modelling
        a response lost on the way back (the classic cause of duplicate sends).
        """
        self.faults.add(Fault("timeout", status=504, delay=delay, deliver=deliver), n, method)

    def set_fault_rates(
        self,
        error_rate: float = 0.0,
        timeout_rate: float = 0.0,
        seed: int = 1,
        timeout_delay: float = 10.0,
        methods: frozenset[str] | set[str] | None = None,
    ) -> None:
        """Seeded random 500s/timeouts, by default on sending and editing methods only."""
        chosen = methods if methods is not None else SEND_METHODS | EDIT_METHODS
        self.faults.set_rates(
            error_rate, timeout_rate, seed, timeout_delay, frozenset(m.lower() for m in chosen)
        )

    def clear_faults(self) -> None:
        self.faults.clear()

    # == Control: users and chats ========================================================

    def add_user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        language_code: str = "en",
    ) -> dict[str, Any]:
        """Create a user who has started the bot (so their private chat exists)."""
        user = objects.user(user_id, first_name, username, language_code)
        self.users[user_id] = user
        if user_id not in self.chats:
            self.chats[user_id] = ChatState(objects.private_chat(user))
        return user

    def add_chat(self, chat_id: int, chat_type: str = "group", title: str = "Friends") -> dict:
        """Make a group/supergroup/channel known (done implicitly by group_text/channel_post)."""
        state = self.chats.get(chat_id)
        if state is None:
            state = ChatState({"id": chat_id, "type": chat_type, "title": title})
            self.chats[chat_id] = state
        return state.chat

    def block(self, user_id: int) -> None:
        self.blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self.blocked.discard(user_id)

    # == Control: incoming updates (each returns the Message dict it created) ============

    def _user(self, user_id: int) -> dict[str, Any]:
        try:
            return self.users[user_id]
        except KeyError:
            raise KeyError(f"unknown user {user_id}: call add_user() first") from None

    def _incoming(
        self,
        chat_id: int,
        sender: dict[str, Any] | None,
        content: dict[str, Any],
        reply_to: int | None,
        kind: str = "message",
    ) -> dict[str, Any]:
        state = self.chats[chat_id]
        message: dict[str, Any] = {
            "message_id": state.take_message_id(),
            "date": self.now_date(),
            "chat": state.chat,
        }
        if sender is not None:
            message["from"] = sender
        else:
            message["sender_chat"] = state.chat
        message.update(content)
        if reply_to is not None:
            target = state.messages.get(reply_to)
            if target is None:
                raise KeyError(f"no message {reply_to} in chat {chat_id} to reply to")
            message["reply_to_message"] = objects.quoted(target)
        state.messages[message["message_id"]] = message
        self.enqueue_update(kind, message)
        self.emit("message", chat_id, message)
        return message

    @staticmethod
    def _text_content(text: str) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        entities = objects.command_entities(text)
        if entities:
            content["entities"] = entities
        return content

    def send_text(self, user_id: int, text: str, *, reply_to: int | None = None) -> dict:
        """The user writes to the bot; a leading "/cmd" gets a bot_command entity."""
        user = self._user(user_id)
        return self._incoming(user_id, user, self._text_content(text), reply_to)

    def send_command(self, user_id: int, command: str, args: str = "") -> dict[str, Any]:
        text = "/" + command.lstrip("/")
        return self.send_text(user_id, f"{text} {args}" if args else text)

    def send_sticker(self, user_id: int, file_id: str = "sticker-1", emoji: str = "😀") -> dict:
        user = self._user(user_id)
        return self._incoming(user_id, user, {"sticker": objects.sticker(file_id, emoji)}, None)

    def send_photo(
        self,
        user_id: int,
        file_id: str = "photo-1",
        caption: str | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        content: dict[str, Any] = {"photo": objects.photo_sizes(file_id)}
        if caption:
            content["caption"] = caption
        return self._incoming(user_id, self._user(user_id), content, reply_to)

    def send_voice(
        self,
        user_id: int,
        file_id: str = "voice-1",
        duration: int = 3,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        content = {"voice": objects.voice(file_id, duration)}
        self.voice_durations[file_id] = duration
        return self._incoming(user_id, self._user(user_id), content, reply_to)

    def send_document(
        self,
        user_id: int,
        file_id: str = "document-1",
        file_name: str = "file.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
    ) -> dict[str, Any]:
        content: dict[str, Any] = {"document": objects.document(file_id, file_name, mime_type)}
        if caption:
            content["caption"] = caption
        return self._incoming(user_id, self._user(user_id), content, None)

    def edit_text(self, user_id: int, message_id: int, new_text: str) -> dict[str, Any]:
        """The user edits one of their own messages → an ``edited_message`` update."""
        state = self.chats[user_id]
        original = state.messages.get(message_id)
        if original is None or original.get("from", {}).get("id") != user_id:
            raise KeyError(f"user {user_id} has no message {message_id} to edit")
        edited = {key: value for key, value in original.items() if key != "entities"}
        edited.update(self._text_content(new_text), edit_date=self.now_date())
        state.messages[message_id] = edited
        self.enqueue_update("edited_message", edited)
        self.emit("edit", user_id, edited)
        return edited

    def press_button(
        self, user_id: int, message: dict[str, Any], data: str, *, check: bool = True
    ) -> str:
        """The user presses an inline button on a bot message; returns the callback query id.

        ``message`` may be an inbox record or a Message dict.  With ``check`` the data must
        be on the message's current keyboard, as a real client can only press those.
        """
        user = self._user(user_id)
        chat_id = message["chat_id"] if "chat_id" in message else message["chat"]["id"]
        state = self.chats.get(chat_id)
        current = state.messages.get(message["message_id"]) if state else None
        if current is None or current.get("from", {}).get("id") != self.bot["id"]:
            raise KeyError(f"the bot has no message {message['message_id']} in chat {chat_id}")
        if state.chat["type"] == "private" and chat_id != user_id:
            raise KeyError(f"message {message['message_id']} was not sent to user {user_id}")
        if check and data not in inline_callback_data(current.get("reply_markup")):
            raise ValueError(f"no button with callback_data {data!r} on that message")
        query_id = str(next(_callback_ids))
        self.callbacks[query_id] = CallbackState(user_id, chat_id, current["message_id"], data)
        query = {
            "id": query_id,
            "from": user,
            "message": current,
            "chat_instance": str(chat_id),
            "data": data,
        }
        self.enqueue_update("callback_query", query)
        return query_id

    def group_text(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        chat_type: str = "group",
        title: str = "Friends",
        *,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """A user writes in a group/supergroup (created on first use)."""
        user = self._user(user_id)
        self.add_chat(chat_id, chat_type, title)
        return self._incoming(chat_id, user, self._text_content(text), reply_to)

    def channel_post(self, chat_id: int, text: str, title: str = "Channel") -> dict[str, Any]:
        self.add_chat(chat_id, "channel", title)
        return self._incoming(chat_id, None, {"text": text}, None, kind="channel_post")

    # == Control: reading what the bot did ===============================================

    def inbox(self, chat_id: int) -> list[dict[str, Any]]:
        """Every message the bot sent to the chat, in order (edits are in ``edits``)."""
        state = self.chats.get(chat_id)
        return list(state.inbox) if state else []

    def last(self, chat_id: int) -> dict[str, Any] | None:
        state = self.chats.get(chat_id)
        return state.inbox[-1] if state and state.inbox else None

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The current Message dict (after edits), or None if unknown/deleted."""
        state = self.chats.get(chat_id)
        return state.messages.get(message_id) if state else None

    async def wait_for(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - public API
    ) -> list[dict[str, Any]]:
        """Wait until the bot has sent at least ``count`` messages to the chat."""
        if count <= 0:
            return self.inbox(chat_id)

        def ready() -> list[dict[str, Any]] | None:
            box = self.inbox(chat_id)
            return box if len(box) >= count else None

        found = await self.wait_until(ready, timeout)
        if found is None:
            raise TimeoutError(
                f"chat {chat_id}: wanted {count} message(s) within {timeout}s, "
                f"got {self._texts(chat_id)}"
            )
        return found

    async def wait_for_text(
        self,
        chat_id: int,
        contains: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - public API
    ) -> dict[str, Any]:
        """The first sent message whose raw or visible text/caption contains ``contains``."""

        def ready() -> dict[str, Any] | None:
            for record in self.inbox(chat_id):
                for value in (record["text"], record["caption"], record["plain_text"]):
                    if value and contains in value:
                        return record
            return None

        found = await self.wait_until(ready, timeout)
        if found is None:
            raise TimeoutError(
                f"chat {chat_id}: no message containing {contains!r} within {timeout}s, "
                f"got {self._texts(chat_id)}"
            )
        return found

    async def wait_until(
        self,
        probe: Callable[[], Any],
        timeout: float = 5.0,  # noqa: ASYNC109 - public API
    ) -> Any:
        """Re-run ``probe`` after each Bot API call until it returns something truthy.

        Returns that value, or the last (falsy) one when ``timeout`` runs out.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = probe()
            remaining = deadline - loop.time()
            if result or remaining <= 0:
                return result
            await self.activity.wait(remaining)

    def _texts(self, chat_id: int) -> list[str | None]:
        return [r["text"] or r["caption"] or r["method"] for r in self.inbox(chat_id)]

    @property
    def commands(self) -> list[dict[str, str]]:
        """Commands stored by setMyCommands for the default scope and language."""
        return list(self.commands_by_scope.get(('{"type": "default"}', ""), []))

    def duplicates(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Second and later sends of the same method + text/caption (+ file) to one chat."""
        chat_ids = [chat_id] if chat_id is not None else list(self.chats)
        repeats = []
        for cid in chat_ids:
            seen: set[tuple[Any, ...]] = set()
            for record in self.inbox(cid):
                key = (
                    record["method"],
                    record["text"],
                    record["caption"],
                    record["photo"],
                    record["voice"],
                    record["document"],
                )
                if key in seen:
                    repeats.append(record)
                seen.add(key)
        return repeats
