"""Telegram-like flood control: a global sliding window plus a minimum gap per chat.

Everything is O(1) amortised per request so the fake stays cheap in the 20k-chat benchmark.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field


@dataclass(slots=True)
class _Window:
    """At most ``capacity`` events in any sliding ``span``-second window."""

    capacity: int
    span: float = 1.0
    times: deque[float] = field(default_factory=deque)

    def wait_time(self, now: float) -> float:
        """Seconds until one more event fits (0 when it fits now); drops expired events."""
        times = self.times
        while times and now - times[0] >= self.span:
            times.popleft()
        if len(times) < self.capacity:
            return 0.0
        return times[0] + self.span - now

    def record(self, now: float) -> None:
        self.times.append(now)


class RateLimiter:
    """Decides whether a send may go through; rejected sends are not recorded."""

    def __init__(
        self,
        global_per_second: float | None,
        per_chat_per_second: float | None,
        paid_per_second: float | None = 1000,
        retry_after: int | None = None,
        per_chat_burst: int = 1,
    ) -> None:
        self.global_per_second = global_per_second
        self.per_chat_per_second = per_chat_per_second
        self.paid_per_second = paid_per_second
        self.retry_after = retry_after
        self._global = self._window(global_per_second)
        self._paid = self._window(paid_per_second)
        self._chat_gap = 1.0 / per_chat_per_second if per_chat_per_second else None
        # Per chat: a minimum gap on average, with ``per_chat_burst`` sends allowed at once
        # (GCRA: the chat's theoretical arrival time may run ahead of now by burst-1 gaps).
        self._chat_slack = (max(1, per_chat_burst) - 1) * (self._chat_gap or 0.0)
        self._chat_tat: dict[int, float] = {}

    @staticmethod
    def _window(rate: float | None) -> _Window | None:
        if not rate:
            return None
        # Sub-1/s rates (e.g. 20 per minute) become 1 event per 1/rate seconds.
        if rate < 1:
            return _Window(capacity=1, span=1.0 / rate)
        return _Window(capacity=int(rate))

    def acquire(self, chat_id: int, now: float, *, paid: bool = False) -> int | None:
        """Return None and count the send if allowed, else the retry_after to answer with."""
        wait = 0.0
        window = self._paid if paid else self._global
        if window is not None:
            wait = window.wait_time(now)
        if self._chat_gap is not None:
            tat = self._chat_tat.get(chat_id)
            if tat is not None:
                wait = max(wait, tat - self._chat_slack - now)
        if wait > 0:
            if self.retry_after is not None:
                return self.retry_after
            return max(1, math.ceil(wait))
        if window is not None:
            window.record(now)
        if self._chat_gap is not None:
            self._chat_tat[chat_id] = max(self._chat_tat.get(chat_id, now), now) + self._chat_gap
        return None
