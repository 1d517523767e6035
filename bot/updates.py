"""Updates of one chat one after the other, different chats at the same time.

Every reply waits for its chat's share of Telegram's limits (about one message a second after
a short burst). With PTB's default of one update at a time, a user who sends five commands in a
row would hold up everybody else's replies for seconds. Processing every update concurrently
would instead let one partner's answer and its edit, or two taps on one button, race each
other. So updates are serialised per chat (per user where there is no chat) and run
concurrently across chats.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Updates in progress at once, all chats together. Far above what a 30/s bot needs; it only
# bounds memory if a flood of updates arrives while the database is slow.
MAX_CONCURRENT = 512


class PerChatUpdates(BaseUpdateProcessor):
    """Serialises updates that belong to one chat; an idle chat keeps no lock."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[object, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_of(update)
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: the locks go with their last update."""


def _chat_of(update: object) -> object:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
    return ("other", id(update))  # not tied to a chat: nothing to keep in order with
