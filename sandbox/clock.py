"""The sandbox's time: it flows like real time, and time travel jumps it forward."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class SimClock:
    """The bot's wall clock (``now``, also as ``clock()``) and the clock of Telegram's limits.

    Both run at real speed plus every jump, like ``tests/harness.FakeClock``: the fake's flood
    control and the bot's limiter share ``monotonic``, so a burst within one moment meets
    Telegram's limits as it would in production, and a day skipped refills every budget as a real
    day would. Time never goes back; a reset starts a new clock.
    """

    def __init__(self, start: datetime | None = None) -> None:
        origin = start or datetime.now(UTC).replace(second=0, microsecond=0)
        if origin.tzinfo is None:
            raise ValueError("the start of the sandbox's clock needs a time zone")
        self._origin = origin.astimezone(UTC)
        self._origin_mono = time.monotonic()
        self.skipped = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self.skipped

    def now(self) -> datetime:
        return self._origin + timedelta(seconds=self.monotonic() - self._origin_mono)

    __call__ = now

    def epoch(self) -> float:
        """Unix seconds of ``now``: the ``date`` of every message in the fake."""
        return self.now().timestamp()

    def advance(self, seconds: float) -> None:
        if seconds > 0:
            self.skipped += seconds

    def advance_to(self, instant: datetime) -> None:
        """Jump to ``instant`` (no-op if it is not in the future)."""
        self.advance((instant - self.now()).total_seconds())
