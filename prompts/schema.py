"""Pydantic schema of the content files under ``prompts/<lang>/``.

Every file is TOML. The loader validates each file against these models at start-up, so a typo in
content stops the bot with the file and the field named, instead of surfacing mid-challenge.
The length limits leave room for translations (German or Russian run a third longer than
English); tests/content keep the English texts themselves short.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

DAYS = 30
PHASE_LENGTH = 10

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=48)]


class Category(StrEnum):
    APPRECIATION = "appreciation"
    AFFECTION = "affection"
    CONVERSATION = "conversation"


class Topic(StrEnum):
    """What `/tip <topic>` narrows by (user-facing)."""

    COMMUNICATION = "communication"
    TRUST = "trust"
    AFFECTION = "affection"
    CONFLICT = "conflict"
    STRESS = "stress"
    QUALITY_TIME = "quality-time"
    LONG_DISTANCE = "long-distance"
    LONG_TERM = "long-term"


class Barrier(StrEnum):
    """The twelve emotional barriers to intimacy described in the source material."""

    FEAR_OF_VULNERABILITY = "fear-of-vulnerability"
    PAST_HURT = "past-hurt"
    POOR_COMMUNICATION = "poor-communication"
    RESENTMENT = "resentment"
    FEAR_OF_REJECTION = "fear-of-rejection"
    EMOTIONAL_UNAVAILABILITY = "emotional-unavailability"
    UNREALISTIC_EXPECTATIONS = "unrealistic-expectations"
    LITTLE_QUALITY_TIME = "little-quality-time"
    FEAR_OF_CONFLICT = "fear-of-conflict"
    BURNOUT = "burnout"
    COMPARISON = "comparison"
    LITTLE_AFFECTION = "little-affection"


class Area(StrEnum):
    """Areas a self-check question measures (signs of an emotional barrier)."""

    MISUNDERSTANDINGS = "misunderstandings"
    EXPRESSING_EMOTIONS = "expressing-emotions"
    AVOIDED_CONVERSATIONS = "avoided-conversations"
    DISTANCE = "distance"
    TOUCH = "touch"
    STRESS = "stress"
    CONFLICT = "conflict"
    NEEDS = "needs"
    HOLDING_BACK = "holding-back"


def phase_of_day(day: int) -> int:
    return (day - 1) // PHASE_LENGTH + 1


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Prompt(_Item):
    """One prompt. Core and alternate prompts carry ``day``; intimacy-track prompts carry ``step``.

    ``no_touch``: the same task without touch, for couples apart and for anyone who would rather
    not be touched that day (every task that asks for touch has one). ``surprise``: a task meant
    to surprise the partner; its text never asks the answerer to give the surprise away, since
    the partner reads the answer. ``safety``: a short line shown with the prompt on the days
    where a couples exercise can be the wrong tool; it names /safety.
    """

    id: Id
    day: int | None = Field(default=None, ge=1, le=DAYS)
    step: int | None = Field(default=None, ge=1, le=30)
    category: Category
    depth: int = Field(ge=1, le=3)
    text: str = Field(min_length=10, max_length=400)
    follow_up: str | None = Field(default=None, min_length=5, max_length=400)
    no_touch: str | None = Field(default=None, min_length=10, max_length=280)
    surprise: bool = False
    safety: str | None = Field(default=None, min_length=10, max_length=340)

    @model_validator(mode="after")
    def _day_or_step(self) -> Prompt:
        if (self.day is None) == (self.step is None):
            raise ValueError("a prompt needs exactly one of 'day' or 'step'")
        if self.safety is not None and "/safety" not in self.safety:
            raise ValueError("a safety line must name /safety")
        return self

    @property
    def phase(self) -> int:
        if self.day is not None:
            return phase_of_day(self.day)
        return min(3, (self.step - 1) // 5 + 1)  # type: ignore[operator]


class Tip(_Item):
    id: Id
    topics: list[Topic] = Field(min_length=1)
    barriers: list[Barrier] = Field(default_factory=list)
    phases: list[Annotated[int, Field(ge=1, le=3)]] = Field(min_length=1)
    text: str = Field(min_length=20, max_length=800)


class TopicInfo(_Item):
    id: Topic
    label: str = Field(min_length=2, max_length=40)
    description: str = Field(min_length=5, max_length=180)


class BarrierInfo(_Item):
    id: Barrier
    label: str = Field(min_length=2, max_length=64)


class CheckinQuestion(_Item):
    """A statement answered on a 1-5 scale, where 5 means the sign is strongly present.

    ``tips``: the tip ids that answer this sign best, one per check-in phase in turn (day 1, 15,
    30), so a result names a tip that fits the area and changes from one check-in to the next.

    ``safety_sign``: a statement about feeling unsafe with the partner. It is never an area to
    work on together, never shared with the partner, and a high score points to /safety rather
    than to couples counselling; so it has no topic and no tips.
    """

    id: Id
    area: Area
    text: str = Field(min_length=10, max_length=280)
    help_sign: bool = False
    safety_sign: bool = False
    topic: Topic | None = None
    tips: list[Id] = Field(default_factory=list)

    @model_validator(mode="after")
    def _tips_unless_safety(self) -> CheckinQuestion:
        if self.safety_sign:
            if self.topic is not None or self.tips or self.help_sign:
                raise ValueError("a safety sign has no topic, no tips and no help_sign")
        elif self.topic is None or len(self.tips) < 3:
            raise ValueError("a question needs a topic and at least 3 tips")
        return self


class Recap(_Item):
    """The words around a phase recap; its body is the couple's own revealed answers.

    ``intro`` leads into the quotes; ``few`` replaces it when only a day or two were revealed;
    ``quiet`` and ``quiet_reflection`` make the whole recap when none were. None of them counts
    days: a recap is never a grade. The reflection must not ask what the closing days ask.
    """

    phase: int = Field(ge=1, le=3)
    title: str = Field(min_length=3, max_length=80)
    intro: str = Field(min_length=10, max_length=300)
    few: str = Field(min_length=10, max_length=300)
    reflection: str = Field(min_length=10, max_length=300)
    quiet: str = Field(min_length=10, max_length=400)
    quiet_reflection: str = Field(min_length=10, max_length=300)


class PromptFile(_Item):
    prompt: list[Prompt]


class TipFile(_Item):
    tip: list[Tip]


class TopicFile(_Item):
    topic: list[TopicInfo]
    barrier: list[BarrierInfo]


class CheckinFile(_Item):
    question: list[CheckinQuestion]


class RecapFile(_Item):
    recap: list[Recap]
