"""Which tip `/tip` shows: the topic asked for, or the phase plus what the self-check named."""

from __future__ import annotations

import random

import pytest

from prompts.loader import Library, load_library
from prompts.selection import pick_tip, tip_pool


@pytest.fixture(scope="module")
def lib() -> Library:
    return load_library()


def test_a_topic_narrows_the_pool_to_that_topic(lib: Library) -> None:
    for topic in lib.topics:
        pool = tip_pool(lib, phase=1, topic=topic)
        assert pool and all(topic in t.topics for t in pool)


def test_without_a_topic_the_pool_is_the_phase_plus_the_focus_topics(lib: Library) -> None:
    pool = tip_pool(lib, phase=2, topic=None, focus=["conflict"])
    assert {t.id for t in pool} == {
        t.id for t in lib.tips if 2 in t.phases or "conflict" in t.topics
    }
    assert any(2 not in t.phases for t in pool)  # focus tips from other phases are in reach


def test_tips_on_the_focus_topics_and_in_the_phase_come_first(lib: Library) -> None:
    pool = tip_pool(lib, phase=2, topic=None, focus=["conflict"])
    best = {t.id for t in pool if "conflict" in t.topics and 2 in t.phases}
    assert best and len(best) < len(pool)
    rng, seen, picked = random.Random(3), set[str](), []
    for _ in range(len(pool)):
        tip, restarted = pick_tip(pool, seen, rng, ["conflict"], phase=2)
        assert not restarted and tip.id not in seen
        seen.add(tip.id)
        picked.append(tip.id)
    assert set(picked[: len(best)]) == best
    # after the best fits, the phase gets its share: not every remaining conflict tip comes first
    rest = picked[len(best) :]
    phase_only = {t.id for t in pool if "conflict" not in t.topics}
    first_half = rest[: len(rest) // 2]
    assert phase_only & set(first_half)
    tip, restarted = pick_tip(pool, seen, rng, ["conflict"], phase=2)
    assert restarted and tip.id in {t.id for t in pool}


def test_no_focus_means_any_unseen_tip_of_the_phase(lib: Library) -> None:
    pool = tip_pool(lib, phase=3, topic=None)
    rng = random.Random(1)
    tip, restarted = pick_tip(pool, [], rng, [], phase=3)
    assert 3 in tip.phases and not restarted
    with pytest.raises(LookupError):
        pick_tip([], [])
