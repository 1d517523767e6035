"""The in-memory world the fake Bot API works on: users, chats, messages, updates."""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fakebot import objects
from fakebot.errors import bad_request
from fakebot.faults import FaultPlan
from fakebot.limits import RateLimiter
from fakebot.notify import Signal
from fakebot.validation import as_int
from fakebot.webhooks import WebhookDeliverer

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ChatState:
    """One chat: its Bot API Chat dict, live messages and what the bot sent there."""

    chat: dict[str, Any]
    next_message_id: int = 1
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    inbox: list[dict[str, Any]] = field(default_factory=list)

    def take_message_id(self) -> int:
        """Message ids are per chat and shared by user and bot messages, as in Telegram."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass(frozen=True, slots=True)
class ChatEvent:
    """Something a Telegram client would show as it happens (see ``TelegramState.subscribe``).

    ``kind`` is one of:

    - ``"message"``: a new message in ``chat_id``, from the bot or from the user;
    - ``"edit"``: ``message`` was edited (text, caption or keyboard), by the bot or the user;
    - ``"delete"``: message ``message_id`` was deleted (``message`` is the last version);
    - ``"callback_answer"``: the bot answered a button press (``params``: text, show_alert);
    - ``"chat_action"``: the bot shows "typing…" or the like (``params``: action);
    - ``"commands"``: the bot changed its command menu (``setMyCommands``/``deleteMyCommands``).

    ``params`` are the Bot API parameters of the call that caused it (so a client can render
    the ``text`` in its ``parse_mode``); they are empty for what the user did.
    """

    kind: str
    chat_id: int | None
    message_id: int | None = None
    message: dict[str, Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)


ChatListener = Callable[[ChatEvent], None]


@dataclass(slots=True)
class CallbackState:
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False


class TelegramState:
    """Shared state; the Bot API methods and the test-control API both work on it."""

    def __init__(
        self,
        *,
        username: str = "couplet_test_bot",
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.bot: dict[str, Any] = objects.bot_user(username)
        self.clock = clock  # for rate limits and the times recorded in inbox/edits
        self.wall_clock = wall_clock  # Unix seconds, for the ``date`` of messages
        self._listeners: list[ChatListener] = []
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, ChatState] = {}
        self.blocked: set[int] = set()
        self.updates: deque[dict[str, Any]] = deque()
        self._next_update_id = 1
        self.update_signal = Signal()
        self.activity = Signal()  # notified after every successful Bot API call
        self.callbacks: dict[str, CallbackState] = {}
        self.callback_answers: list[dict[str, Any]] = []
        self.commands_by_scope: dict[tuple[str, str], list[dict[str, str]]] = {}
        # setMyDescription / setMyShortDescription: ("description" | "short", language_code)
        self.descriptions: dict[tuple[str, str], str] = {}
        self.left_chats: list[int] = []
        self.chat_actions: list[dict[str, Any]] = []
        self.edits: list[dict[str, Any]] = []
        self.deleted: list[dict[str, Any]] = []
        self.menu_buttons: dict[int | None, Any] = {}
        self.voice_durations: dict[str, int] = {}  # file_id -> seconds, as users sent them
        self.counters: Counter[str] = Counter()
        self.limiter: RateLimiter | None = None
        self.faults = FaultPlan()
        self.sent_count = 0
        self.webhook_url = ""
        self.webhooks = WebhookDeliverer(self.updates, self.update_signal)

    @property
    def username(self) -> str:
        return self.bot["username"]

    def chat_state(self, chat_id: Any) -> ChatState:
        """The chat for a chat_id param (int or numeric string) or 400 "chat not found"."""
        number = as_int(chat_id)
        state = self.chats.get(number) if number is not None else None
        if state is None:
            if chat_id is None or chat_id == "":
                raise bad_request("chat_id is empty")
            raise bad_request("chat not found")
        return state

    def enqueue_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self.updates.append(update)
        self.update_signal.notify()
        return update

    def now_date(self) -> int:
        return int(self.wall_clock())

    def subscribe(self, listener: ChatListener) -> Callable[[], None]:
        """Call ``listener`` with a ``ChatEvent`` after each visible change; returns unsubscribe.

        Listeners run synchronously inside the call that made the change, after it took effect.
        A listener that raises is logged and does not affect the call or the other listeners.
        """
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def emit(
        self,
        kind: str,
        chat_id: int | None,
        message: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        message_id: int | None = None,
    ) -> None:
        if not self._listeners:
            return
        if message_id is None and message is not None:
            message_id = message.get("message_id")
        event = ChatEvent(kind, chat_id, message_id, message, dict(params or {}))
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("fakebot: a %s listener failed", kind)
