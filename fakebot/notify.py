"""A cheap "something changed" broadcast for asyncio waiters."""

from __future__ import annotations

import asyncio


class Signal:
    """Waiters sleep until the next ``notify()``; notifying with no waiters costs nothing.

    A fresh Event is created per waiting round, so the object never binds to a stale loop.
    """

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def notify(self) -> None:
        event = self._event
        if event is not None:
            self._event = None
            event.set()

    async def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for a notify; return whether one happened."""
        if seconds <= 0:
            return False
        if self._event is None:
            self._event = asyncio.Event()
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            return False
        return True
