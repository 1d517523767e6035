"""A fake Telegram Bot API for Couplet's tests and benchmarks.

- ``FakeTelegram``: in-memory Bot API state + test-control API (no HTTP).
- ``FakeBotApiServer``: serves it over HTTP for PTB's real ``HTTPXRequest``.
- ``InProcessRequest``: PTB ``BaseRequest`` routing calls straight into it.
- ``ChatEvent``: what ``FakeTelegram.subscribe`` listeners receive as chats change.
"""

from fakebot.request import InProcessRequest
from fakebot.server import FakeBotApiServer
from fakebot.state import ChatEvent
from fakebot.telegram import FakeTelegram

__all__ = ["ChatEvent", "FakeBotApiServer", "FakeTelegram", "InProcessRequest"]
