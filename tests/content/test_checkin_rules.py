"""The self-check's pure rules: which areas need care, movement, counselling, tip focus."""

from __future__ import annotations

import pytest

from prompts.checkin import care_areas, focus_topics, next_index, slot_of_day, summarise
from prompts.loader import Library, load_library
from prompts.schema import CheckinQuestion


@pytest.fixture(scope="module")
def lib() -> Library:
    return load_library()


def _scores(lib: Library, **by_area: int) -> dict[str, int]:
    return {q.id: by_area.get(q.area.value.replace("-", "_"), 1) for q in lib.checkin}


def test_slots_follow_days_1_15_and_30() -> None:
    assert [slot_of_day(d) for d in (1, 14, 15, 29, 30, 31)] == [1, 1, 2, 2, 3, 3]


def test_the_highest_areas_come_first_each_with_its_own_tip(lib: Library) -> None:
    summary = summarise(lib, _scores(lib, stress=5, distance=4, conflict=3), None, 1)
    assert [a.question.area.value for a in summary.areas] == ["stress", "distance", "conflict"]
    tips = [a.tip for a in summary.areas]
    assert all(t is not None for t in tips) and len({t.id for t in tips if t}) == 3
    for area in summary.areas:
        assert area.tip is not None and area.question.topic in area.tip.topics
    assert not summary.steady and summary.moved is None


def test_two_areas_when_the_third_is_fine_and_steady_when_all_are_low(lib: Library) -> None:
    summary = summarise(lib, _scores(lib, stress=2, touch=2), None, 2)
    assert len(summary.areas) == 2 and summary.steady
    assert not summary.counselling


def test_counselling_only_for_high_help_signs(lib: Library) -> None:
    help_q = next(q for q in lib.checkin if q.help_sign)
    plain_q = next(q for q in lib.checkin if not q.help_sign)
    base = {q.id: 1 for q in lib.checkin}
    assert summarise(lib, {**base, help_q.id: 4}, None, 1).counselling
    assert not summarise(lib, {**base, help_q.id: 3}, None, 1).counselling
    assert not summarise(lib, {**base, plain_q.id: 5}, None, 1).counselling


def test_movement_compares_with_the_previous_check_in(lib: Library) -> None:
    before = _scores(lib, stress=4, touch=2)
    after = _scores(lib, stress=2, touch=3)
    moved = {m.question.area.value: m for m in summarise(lib, after, before, 2).moved or []}
    assert moved["stress"].direction == "lighter" and moved["touch"].direction == "heavier"
    areas = [q for q in lib.checkin if not q.safety_sign]
    assert moved["conflict"].direction == "same" and len(moved) == len(areas)


def test_focus_topics_and_next_question(lib: Library) -> None:
    assert focus_topics(lib, None) == []
    assert focus_topics(lib, _scores(lib)) == []  # nothing needs care: no focus
    assert focus_topics(lib, _scores(lib, stress=5)) == ["stress"]
    first = lib.checkin[0]
    assert next_index(lib.checkin, {}) == 0
    assert next_index(lib.checkin, {first.id: 3}) == 1
    assert next_index(lib.checkin, _scores(lib)) is None


def test_the_questions_cover_the_signs_and_the_help_signs_of_the_issue(lib: Library) -> None:
    areas = {q.area.value for q in lib.checkin}
    signs = {"misunderstandings", "expressing-emotions", "avoided-conversations", "distance",
             "touch", "stress"}  # fmt: skip
    assert signs <= areas
    # persistent conflict, disconnected most of the time, avoiding closeness altogether, unable
    # to talk about needs: each is a question whose high score suggests counselling
    help_areas = {q.area.value for q in lib.checkin if q.help_sign}
    assert help_areas == {"conflict", "distance", "touch", "avoided-conversations"}
    for question in lib.checkin:
        base = {q.id: 1 for q in lib.checkin}
        assert summarise(lib, {**base, question.id: 5}, None, 1).counselling == question.help_sign
    assert help_areas.isdisjoint(q.area.value for q in lib.checkin if q.safety_sign)


def test_each_area_gets_its_own_fitting_tip_and_a_new_one_each_check_in(lib: Library) -> None:
    tips = {t.id: t for t in lib.tips}
    for question in (q for q in lib.checkin if not q.safety_sign):
        assert len(set(question.tips)) >= 3, question.id
        assert all(question.topic in tips[i].topics for i in question.tips), question.id
        scores = {q.id: 5 if q.id == question.id else 1 for q in lib.checkin}
        picked = []
        for phase in (1, 2, 3):  # the day-1, day-15 and day-30 check-ins
            area = summarise(lib, scores, None, phase).areas[0]
            assert area.question == question and area.tip is not None
            assert area.tip.id in question.tips
            picked.append(area.tip.id)
        assert len(set(picked)) == 3, (question.id, picked)
    touch = next(q for q in lib.checkin if q.area.value == "touch")
    first = summarise(lib, {q.id: 5 if q == touch else 1 for q in lib.checkin}, None, 1)
    assert "touch" in (first.areas[0].tip.text if first.areas[0].tip else "").lower()


# --- the safety sign ------------------------------------------------------------------------------


def _safety_sign(lib: Library) -> CheckinQuestion:
    return next(q for q in lib.checkin if q.safety_sign)


def test_there_is_a_private_item_about_holding_back_for_fear_of_the_partner(lib: Library) -> None:
    signs = [q for q in lib.checkin if q.safety_sign]
    assert len(signs) == 1 and "worry how my partner will react" in signs[0].text
    assert not signs[0].tips and signs[0].topic is None


@pytest.mark.parametrize("score", [4, 5])
def test_a_high_safety_sign_points_to_safety_not_to_counselling(lib: Library, score: int) -> None:
    sign = _safety_sign(lib)
    everything_heavy = {q.id: 5 for q in lib.checkin}  # recurring arguments, distance, ...
    summary = summarise(lib, {**everything_heavy, sign.id: score}, everything_heavy, 3)
    assert summary.safety and not summary.counselling
    assert sign not in [a.question for a in summary.areas]
    assert sign not in [m.question for m in summary.moved or []]
    low = summarise(lib, {**everything_heavy, sign.id: 3}, None, 3)
    assert not low.safety and low.counselling


def test_the_safety_sign_never_becomes_an_area_or_a_tip_focus(lib: Library) -> None:
    sign = _safety_sign(lib)
    only_it = {q.id: 5 if q == sign else 1 for q in lib.checkin}
    summary = summarise(lib, only_it, None, 1)
    assert sign not in [a.question for a in summary.areas] and summary.safety
    assert focus_topics(lib, only_it) == []
    assert sign not in [q for q, _ in care_areas(lib.checkin, only_it)]
