"""The private self-check: pure rules for scoring, comparing and picking tips.

Each statement is answered 1-5, where 5 means the sign of a barrier is strongly present. The areas
that most need care are the highest-scoring ones; a tip for each comes from the question's own list.

A safety sign ("I hold back because I worry how my partner will react") is none of that: it is
never an area to work on together, never in the movement list, never in what a partner sees when
both share. Scored high, it points to /safety, and the couples-counselling hint stays away.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from prompts.loader import Library
from prompts.schema import CheckinQuestion, Tip

SCALE = range(1, 6)
OFFER_DAYS = {1: 1, 15: 2, 30: 3}  # challenge day → check-in slot
CARE_FROM = 3  # a score from here on counts as "needs care"
HELP_FROM = 4  # a help-sign question scored this high suggests counselling (a safety sign: /safety)


def slot_of_day(day: int) -> int:
    """Which of the three check-ins (day 1, 15, 30) a check-in taken on ``day`` belongs to."""
    if day >= 30:
        return 3
    return 2 if day >= 15 else 1


@dataclass(frozen=True)
class AreaCare:
    question: CheckinQuestion
    score: int
    tip: Tip | None


@dataclass(frozen=True)
class Movement:
    question: CheckinQuestion
    before: int
    after: int

    @property
    def direction(self) -> str:
        if self.after < self.before:
            return "lighter"
        return "heavier" if self.after > self.before else "same"


@dataclass(frozen=True)
class Summary:
    areas: list[AreaCare]
    steady: bool  # nothing scored high enough to count as needing care
    moved: list[Movement] | None  # None: no earlier check-in to compare with
    counselling: bool  # suggest couples counselling (never together with ``safety``)
    safety: bool = False  # a safety sign scored high: point to /safety, privately


def next_index(questions: list[CheckinQuestion], scores: Mapping[str, int]) -> int | None:
    """The first unanswered question, or None when all are answered."""
    return next((i for i, q in enumerate(questions) if q.id not in scores), None)


def care_areas(
    questions: list[CheckinQuestion], scores: Mapping[str, int]
) -> list[tuple[CheckinQuestion, int]]:
    """The two areas with the highest scores, and a third if it also needs care (ties: file order).
    Safety signs are never areas."""
    ranked = sorted(
        ((q, scores[q.id]) for q in questions if q.id in scores and not q.safety_sign),
        key=lambda qs: -qs[1],
    )
    chosen = ranked[:2]
    if len(ranked) > 2 and ranked[2][1] >= CARE_FROM:
        chosen.append(ranked[2])
    return chosen


def tip_for_area(
    library: Library, question: CheckinQuestion, phase: int, taken: set[str]
) -> Tip | None:
    """The question's own tips, starting with the one for this ``phase`` (so the day-1, 15 and
    30 check-ins each suggest something new); then any tip on its topic, this phase's first."""
    if question.topic is None or not question.tips:
        return None
    by_id = {t.id: t for t in library.tips}
    start = (phase - 1) % len(question.tips)
    curated = [by_id[i] for i in question.tips[start:] + question.tips[:start] if i in by_id]
    on_topic = [t for t in library.tips if question.topic in t.topics]
    in_phase = [t for t in on_topic if phase in t.phases]
    return next((t for t in [*curated, *in_phase, *on_topic] if t.id not in taken), None)


def summarise(
    library: Library,
    scores: Mapping[str, int],
    previous: Mapping[str, int] | None,
    phase: int,
) -> Summary:
    questions = library.checkin
    taken: set[str] = set()
    areas = []
    for question, score in care_areas(questions, scores):
        tip = tip_for_area(library, question, phase, taken)
        if tip is not None:
            taken.add(tip.id)
        areas.append(AreaCare(question, score, tip))
    moved = None
    if previous is not None:
        moved = [
            Movement(q, previous[q.id], scores[q.id])
            for q in questions
            if q.id in previous and q.id in scores and not q.safety_sign
        ]
    safety = any(q.safety_sign and scores.get(q.id, 0) >= HELP_FROM for q in questions)
    return Summary(
        areas=areas,
        steady=all(a.score < CARE_FROM for a in areas),
        moved=moved,
        counselling=not safety
        and any(q.help_sign and scores.get(q.id, 0) >= HELP_FROM for q in questions),
        safety=safety,
    )


def focus_topics(library: Library, scores: Mapping[str, int] | None) -> list[str]:
    """The tip topics of the areas that need care in a check-in (for `/tip` without a topic)."""
    if not scores:
        return []
    topics: list[str] = []
    for question, score in care_areas(library.checkin, scores):
        if score >= CARE_FROM and question.topic and question.topic.value not in topics:
            topics.append(question.topic.value)
    return topics
