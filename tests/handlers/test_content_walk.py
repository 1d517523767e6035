"""Done means: 30 days with a moving clock, fresh phase-appropriate prompts, relevant tips, the
check-in on days 1, 15 and 30, and no intimacy prompt unless both partners opted in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import texts
from bot.core.challenge import phase_of
from prompts.checkin import focus_topics
from prompts.selection import PLAN_FIRST
from tests.conftest import ALEX, SAM
from tests.handlers.flow import pair_and_start, with_button
from tests.handlers.test_content_features import FAST, answer_checkin, next_day
from tests.harness import Harness, start_harness, stop_harness


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await start_harness(tmp_path, **FAST)
    harness.tg.add_user(ALEX, "Alex", "alex")
    harness.tg.add_user(SAM, "Sam", "sam")
    yield harness
    await stop_harness(harness)


async def test_thirty_days_fresh_prompts_relevant_tips_checkins_and_no_unconsented_intimacy(
    h: Harness,
) -> None:
    library = h.couplet.library
    tips_by_text = {texts.esc(t.text): t for t in library.tips}
    step_texts = [texts.esc(p.text) for p in library.intimacy.values()]
    offers: dict[int, list[int]] = {ALEX: [], SAM: []}
    seen_prompts: list[str] = []
    focus: list[str] = []
    await pair_and_start(h, ALEX, SAM)
    before = {ALEX: 0, SAM: 0}
    for day in range(1, 31):
        for user in (ALEX, SAM):
            new = h.texts(user)[before[user] :]
            if any("private check-in" in t for t in new):
                offers[user].append(day)
            before[user] = len(h.texts(user))
        prompt = next(t for t in reversed(h.texts(ALEX)) if f"Day {day} of 30 ·" in t)
        assert texts.PHASE_NAMES[phase_of(day)] in prompt
        assert f"<i>{texts.CATEGORY_NAMES[PLAN_FIRST[day - 1].value]}</i>" in prompt
        body = prompt.split("\n\n")[1]
        seen_prompts.append(body)
        assert body in next(t for t in reversed(h.texts(SAM)) if f"Day {day} of 30 ·" in t)
        if day == 1:  # Alex takes the first check-in: stress and arguments weigh most
            await h.press(ALEX, with_button(h, ALEX, "ci:start"), "ci:start")
            scores = [1, 2, 1, 1, 1, 5, 4]
            await answer_checkin(h, ALEX, scores)
            answered = dict(zip((q.id for q in library.checkin), scores, strict=True))
            focus = focus_topics(library, answered)
            assert focus == ["stress", "conflict"]
        if day == 11:  # Alex says yes to the intimacy track; Sam never does
            await h.press(ALEX, with_button(h, ALEX, "int:on"), "int:on")
        await h.say(ALEX, "/tip")
        tip = tips_by_text[h.last_text(ALEX).split("\n", 1)[1].split("\n\n")[0]]
        assert phase_of(day) in tip.phases or set(focus) & set(tip.topics), (day, tip.id)
        await h.say(ALEX, f"alex {day}")
        await h.say(SAM, f"sam {day}")
        if day < 30:
            await next_day(h)
    assert len(set(seen_prompts)) == 30
    assert offers == {ALEX: [1, 15, 30], SAM: [1, 15, 30]}
    everything = "\n".join(h.texts(ALEX) + h.texts(SAM))
    assert not any(step in everything for step in step_texts)
    assert everything.count("optional extra") == 2  # mentioned once to each partner
    recaps = [t for t in h.texts(SAM) if "To reflect on together" in t]
    assert len(recaps) == 3
