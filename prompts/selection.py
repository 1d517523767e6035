"""Which prompt a couple gets on a day, and which tip a partner sees next.

The arc is data: each day names the category of its prompt, and the mix follows the phase (days
1-10 lean on conversation and appreciation, 11-20 on affection, 21-30 on conversation again with
appreciation woven through).

Every prompt in the library is reachable. Each day has one core and one alternate prompt per
category. Rounds 1, 2 and 3 each send the core prompt of a different category of the day (round
1 the strongest sequence), and /swap trades it for the alternate of the same category; so within
three rounds every prompt was sent or on offer. From round 4 the alternates come first, in the
same cycle, and after that whatever this couple has not had yet.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable

from prompts.loader import Library
from prompts.schema import Category, Prompt, Tip

A, F, C = Category.APPRECIATION, Category.AFFECTION, Category.CONVERSATION

# Round 1, day by day: the designed arc. Per phase: 1 → C5 A2 F3, 2 → F5 C3 A2, 3 → C5 F3 A2.
PLAN_FIRST: tuple[Category, ...] = (
    C, A, F, C, C, A, C, F, F, C,
    C, F, A, F, F, C, F, A, F, C,
    F, F, A, C, C, F, C, C, A, C,
)  # fmt: skip
# Rounds 2 and 3 take the two categories round 1 left on each day, so the three rounds together
# send every core prompt once: for each day, the three plans name three different categories.
PLAN_SECOND: tuple[Category, ...] = (
    A, C, C, F, A, C, F, C, C, A,
    F, C, C, A, C, F, A, C, C, F,
    C, A, C, F, A, C, A, F, C, A,
)  # fmt: skip
PLAN_THIRD: tuple[Category, ...] = (
    F, F, A, A, F, F, A, A, A, F,
    A, A, F, C, A, A, C, F, A, A,
    A, C, F, A, F, A, F, A, F, F,
)  # fmt: skip
PLANS = (PLAN_FIRST, PLAN_SECOND, PLAN_THIRD)
CORE_ROUNDS = len(PLANS)  # rounds that send core prompts first; later rounds, alternates first


def planned_category(round_: int, day: int) -> Category:
    return PLANS[(round_ - 1) % len(PLANS)][day - 1]


def candidates(library: Library, round_: int, day: int) -> list[Prompt]:
    """Every day prompt for ``day`` in the order ``round_`` prefers them.

    The planned category comes first (core before alternates in rounds 1-3, the other way round
    later), then the day's other categories. Intimacy-track prompts are never candidates.
    """
    planned = planned_category(round_, day)
    pools = (
        [library.core, library.alternates]
        if round_ <= CORE_ROUNDS
        else [library.alternates, library.core]
    )
    order = [planned, *(c for c in Category if c is not planned)]
    return [pool[(day, c)] for c in order for pool in pools if (day, c) in pool]


def prompt_for(
    library: Library, round_: int, day: int, used: Collection[str] = frozenset()
) -> Prompt:
    """The prompt both partners answer on ``day`` of ``round_``.

    Round 1 follows the designed arc. ``used`` holds the prompt ids this couple already had on
    this day (earlier rounds, swaps), so "start again" stays fresh for as long as the library can.
    A translation or custom library may leave gaps: then any category of the day will do.
    """
    options = candidates(library, round_, day)
    if not options:
        raise LookupError(f"no prompt for day {day}")
    return next((p for p in options if p.id not in used), options[0])


def swap_for(
    library: Library, current: Prompt, used: Collection[str] = frozenset()
) -> Prompt | None:
    """Another prompt for the same day and category as ``current`` (fresh ones first), if any."""
    if current.day is None:
        return None
    key = (current.day, current.category)
    options = [
        p for p in (library.alternates.get(key), library.core.get(key)) if p and p.id != current.id
    ]
    return next((p for p in options if p.id not in used), options[0] if options else None)


def tip_pool(
    library: Library, *, phase: int, topic: str | None, focus: Collection[str] = ()
) -> list[Tip]:
    """Tips for ``topic``; without one, the phase's tips plus those on the ``focus`` topics."""
    if topic:
        return [t for t in library.tips if topic in t.topics]
    pool = [t for t in library.tips if phase in t.phases or set(focus) & set(t.topics)]
    return pool or list(library.tips)


def pick_tip(
    pool: list[Tip],
    seen: Iterable[str],
    rng: random.Random | None = None,
    focus: Collection[str] = (),
    phase: int | None = None,
) -> tuple[Tip, bool]:
    """A tip from ``pool`` not seen yet; when all were seen, start over. Returns (tip, restarted).

    Tips that fit both the ``focus`` topics (from the self-check) and the current ``phase`` come
    first; after those, any fresh tip in the pool, so the phase keeps its share instead of the
    focus topics crowding it out until every one of them was shown.
    """
    if not pool:
        raise LookupError("no tips in this pool")
    seen_ids = set(seen)
    fresh = [t for t in pool if t.id not in seen_ids]
    restarted = not fresh
    options = fresh or pool
    best = [
        t for t in options if set(focus) & set(t.topics) and (phase is None or phase in t.phases)
    ]
    return (rng or random).choice(best or options), restarted


def intimacy_step(library: Library, step: int) -> Prompt | None:
    """Step ``step`` of the opt-in track (1-based), or None once the track is complete."""
    return library.intimacy.get(step)
