"""The 30-day arc: days, phases, answer windows, reveals, streaks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum

DAYS = 30
PHASE_LENGTH = 10
RECAP_DAYS = (10, 20, 30)


class Phase(IntEnum):
    TRUST = 1
    AFFECTION = 2
    CONFLICT = 3


def phase_of(day: int) -> Phase:
    """Days 1-10 trust, 11-20 affection, 21-30 conflict. Days beyond the range clamp."""
    day = min(max(day, 1), DAYS)
    return Phase((day - 1) // PHASE_LENGTH + 1)


def recap_due_before(day: int) -> Phase | None:
    """The phase whose recap belongs before delivering ``day`` (day 11 → phase 1, day 31 → 3)."""
    if day - 1 in RECAP_DAYS:
        return phase_of(day - 1)
    return None


def is_finished(next_day: int) -> bool:
    return next_day > DAYS


@dataclass(frozen=True, slots=True)
class Delivered:
    """One day's prompt as it reached one partner."""

    day: int
    delivered_at: datetime


def answer_target(
    delivered: list[Delivered],
    *,
    now: datetime,
    grace: timedelta,
    revealed: set[int],
    reply_to_day: int | None = None,
) -> int | None:
    """Which day an incoming answer belongs to, or ``None`` if nothing is open.

    ``delivered`` lists this partner's deliveries, newest first. A reply to a prompt message names
    its day; otherwise the newest day takes it unless it is already revealed, in which case the
    day before may still take it during the grace period after the newer day arrived.
    A day that is revealed is closed: the pair is already shown.
    """
    if not delivered:
        return None
    by_day = {d.day: d for d in delivered}
    if reply_to_day is not None:
        return reply_to_day if is_open(reply_to_day, by_day, now, grace, revealed) else None
    for entry in delivered[:2]:
        if is_open(entry.day, by_day, now, grace, revealed):
            return entry.day
    return None


def is_open(
    day: int, by_day: dict[int, Delivered], now: datetime, grace: timedelta, revealed: set[int]
) -> bool:
    """A day takes answers until it is revealed, and until ``grace`` after the next day arrived."""
    if day not in by_day or day in revealed:
        return False
    newer = by_day.get(day + 1)
    return newer is None or now < newer.delivered_at + grace


def reveal_ready(answered_by: Iterable[int], partners: tuple[int, int]) -> bool:
    """A day is revealed once both partners have answered it, never before."""
    got = set(answered_by)
    return all(p in got for p in partners)


def streak(revealed_days: Iterable[int], current_day: int) -> int:
    """Consecutive revealed days ending at the current day (or the day before, if today is still open)."""
    days = set(revealed_days)
    day = current_day if current_day in days else current_day - 1
    count = 0
    while day >= 1 and day in days:
        count += 1
        day -= 1
    return count


def progress_bar(current_day: int, revealed_days: Iterable[int]) -> str:
    """30 cells in three groups of ten: ● revealed, ○ past or today without reveal, · still ahead."""
    days = set(revealed_days)
    cells = []
    for day in range(1, DAYS + 1):
        cells.append("●" if day in days else "○" if day <= current_day else "·")
    return " ".join("".join(cells[i : i + PHASE_LENGTH]) for i in range(0, DAYS, PHASE_LENGTH))
