"""Which prompt a couple gets on a day, and which tip a partner sees next.

The arc is data: each day names the category of its prompt, and the mix follows the phase (days
1-10 lean on conversation and appreciation, 11-20 on affection, 21-30 on conversation again with
appreciation woven through). A second round takes the other core prompts of the same days, so
"start again" is fresh; later rounds use the alternates.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from prompts.loader import Library
from prompts.schema import Category, Prompt, Tip

A, F, C = Category.APPRECIATION, Category.AFFECTION, Category.CONVERSATION

# Round 1, day by day. Per phase: 1 → C5 A3 F2, 2 → F5 A2 C3, 3 → C5 A3 F2.
PLAN_FIRST: tuple[Category, ...] = (
    C, A, C, F, C, A, C, F, A, C,
    F, A, F, C, F, F, A, C, F, C,
    C, A, C, F, C, A, C, F, A, C,
)  # fmt: skip
# Round 2 gives each day a different category from round 1 with the same phase mix where it can.
PLAN_SECOND: tuple[Category, ...] = (
    A, C, F, C, A, C, F, C, C, A,
    C, F, A, F, A, C, F, F, C, F,
    A, C, F, C, A, C, F, C, C, A,
)  # fmt: skip


def planned_category(round_: int, day: int) -> Category:
    plan = PLAN_FIRST if round_ % 2 == 1 else PLAN_SECOND
    return plan[day - 1]


def prompt_for(library: Library, round_: int, day: int) -> Prompt:
    """The prompt both partners answer on ``day`` of ``round_``."""
    category = planned_category(round_, day)
    pools = (
        [library.core, library.alternates] if round_ <= 2 else [library.alternates, library.core]
    )
    for pool in pools:
        if (day, category) in pool:
            return pool[(day, category)]
    for pool in pools:  # a translation or custom library may leave gaps: any category of the day
        for other in Category:
            if (day, other) in pool:
                return pool[(day, other)]
    raise LookupError(f"no prompt for day {day}")


def tip_pool(library: Library, *, phase: int, topic: str | None) -> list[Tip]:
    if topic:
        return [t for t in library.tips if topic in t.topics]
    in_phase = [t for t in library.tips if phase in t.phases]
    return in_phase or list(library.tips)


def pick_tip(
    pool: list[Tip], seen: Iterable[str], rng: random.Random | None = None
) -> tuple[Tip, bool]:
    """A tip from ``pool`` not seen yet; when all were seen, start over. Returns (tip, restarted)."""
    if not pool:
        raise LookupError("no tips in this pool")
    seen_ids = set(seen)
    fresh = [t for t in pool if t.id not in seen_ids]
    restarted = not fresh
    return (rng or random).choice(fresh or pool), restarted
