"""Done means: 30 days with a moving clock, fresh phase-appropriate prompts, relevant tips, the
check-in on days 1, 15 and 30, and no intimacy prompt unless both partners opted in (and, when
both did, the track's steps in order, paused while either is out)."""

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
from tests.handlers.test_content_features import answer_checkin, next_day
from tests.harness import Harness, start_harness, stop_harness


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await start_harness(tmp_path)
    harness.tg.add_user(ALEX, "Alex", "alex")
    harness.tg.add_user(SAM, "Sam", "sam")
    yield harness
    await stop_harness(harness)


async def test_thirty_days_fresh_prompts_relevant_tips_checkins_and_no_unconsented_intimacy(
    h: Harness,
) -> None:
    library = h.couplet.library
    tips_by_text = {texts.esc(t.text): t for t in library.tips}
    core_by_text = {texts.esc(p.text): p for p in library.core.values()}
    step_texts = [texts.esc(p.text) for p in library.intimacy.values()]
    offers: dict[int, list[int]] = {ALEX: [], SAM: []}
    track_offers: dict[int, list[int]] = {ALEX: [], SAM: []}
    seen_prompts: list[str] = []
    focus: list[str] = []
    checkin_scores = {
        1: [1, 2, 1, 1, 1, 5, 4, 1],  # stress and arguments weigh most
        15: [1, 1, 1, 1, 3, 1, 1, 1],  # later only touch needs care
        30: [1, 1, 1, 1, 1, 1, 1, 1],  # and then nothing does
    }
    await pair_and_start(h, ALEX, SAM)
    before = {ALEX: 0, SAM: 0}
    for day in range(1, 31):
        for user in (ALEX, SAM):
            new = h.texts(user)[before[user] :]
            fresh = h.tg.inbox(user)[before[user] :]
            if any("ci:start" in str(m.get("reply_markup")) for m in fresh):  # the offer's button
                offers[user].append(day)
            if any("optional extra" in t for t in new):
                track_offers[user].append(day)
            before[user] = len(h.texts(user))
        prompt = next(t for t in reversed(h.texts(ALEX)) if f"Day {day} of 30 ·" in t)
        assert str(texts.PHASE_NAMES[phase_of(day)]) in prompt
        assert f"<i>{texts.CATEGORY_NAMES[PLAN_FIRST[day - 1].value]}</i>" in prompt
        body = prompt.split("\n\n")[1]
        # the day's own prompt from the designed arc: right day (so right phase), right category
        chosen = core_by_text[body]
        assert (chosen.day, chosen.category) == (day, PLAN_FIRST[day - 1]), (day, chosen.id)
        seen_prompts.append(body)
        assert body in next(t for t in reversed(h.texts(SAM)) if f"Day {day} of 30 ·" in t)
        if day in checkin_scores:  # Alex takes each offered check-in through the offer's button
            await h.press(ALEX, with_button(h, ALEX, "ci:start"), "ci:start")
            result = await answer_checkin(h, ALEX, checkin_scores[day])
            answered = dict(zip((q.id for q in library.checkin), checkin_scores[day], strict=True))
            focus = focus_topics(library, answered)
            assert focus == {1: ["stress", "conflict"], 15: ["affection"], 30: []}[day]
            assert ("Since your last check-in" in result["text"]) == (day > 1)
        if day == 11:  # Alex says yes to the intimacy track; Sam never does
            await h.press(ALEX, with_button(h, ALEX, "int:on"), "int:on")
        await h.say(ALEX, "/tip")
        head, rest = h.last_text(ALEX).split("\n", 1)
        tip = tips_by_text[rest.split("\n\n")[0]]
        assert phase_of(day) in tip.phases or set(focus) & set(tip.topics), (day, tip.id)
        assert any(library.topics[t].label in head for t in tip.topics)
        await h.say(ALEX, f"alex {day}")
        await h.say(SAM, f"sam {day}")
        if day < 30:
            await next_day(h)
    assert len(set(seen_prompts)) == 30
    assert offers == {ALEX: [1, 15, 30], SAM: [1, 15, 30]}
    everything = "\n".join(h.texts(ALEX) + h.texts(SAM))
    assert not any(step in everything for step in step_texts)
    assert track_offers == {ALEX: [11], SAM: [11]}  # mentioned once, after day 10
    assert everything.count("optional extra") == 2
    # Sam never opted in: the one mention is all Sam ever hears of the track, nothing of Alex's
    assert [t for t in h.texts(SAM) if "intimacy" in t.lower()] == [
        texts.INTIMACY_OFFER.format(partner="Alex")
    ]
    recaps = [t for t in h.texts(SAM) if "To reflect on together" in t]
    assert len(recaps) == 3


async def test_the_intimacy_track_runs_its_three_stages_only_while_both_are_in(
    h: Harness,
) -> None:
    library = h.couplet.library
    steps = {texts.esc(p.text): s for s, p in library.intimacy.items()}
    await pair_and_start(h, ALEX, SAM)
    for _ in range(10):
        await next_day(h)
    await h.press(SAM, with_button(h, SAM, "int:on"), "int:on")
    await h.press(ALEX, with_button(h, ALEX, "int:on"), "int:on")
    received: dict[int, dict[int, list[int]]] = {ALEX: {}, SAM: {}}
    for day in range(12, 31):
        before = {user: len(h.texts(user)) for user in (ALEX, SAM)}
        await next_day(h)
        for user in (ALEX, SAM):
            got = [
                n for text in h.texts(user)[before[user] :] for t, n in steps.items() if t in text
            ]
            if got:
                received[user][day] = got
        if day == 20:  # Sam leaves quietly; Alex is told the track is paused, not who or why
            await h.say(SAM, "/intimacy off")
            assert h.last_text(ALEX) == str(texts.INTIMACY_PAUSED)
        if day == 23:  # and later comes back
            await h.say(SAM, "/intimacy on")
            assert "You're both in" in h.last_text(ALEX)
    # one step a day while both are in, in order, none while paused, picking up where it stopped
    expected = {d: [d - 11] for d in range(12, 21)} | {d: [d - 14] for d in range(24, 30)}
    assert received[ALEX] == received[SAM] == expected
    stages = [library.intimacy[n[0]].phase for n in expected.values()]
    assert stages == sorted(stages) and set(stages) == {1, 2, 3}
    # where to turn for pain, a mismatch in desire or not being able to talk: at the start, at
    # the end, and in /intimacy; not with every step
    last = texts.esc(library.intimacy[len(library.intimacy)].text)
    for user in (ALEX, SAM):
        steps = [t for t in h.texts(user) if "Intimacy track · step" in t]
        assert [str(texts.INTIMACY_HELP) in t for t in steps] == [last in t for t in steps]
        assert any(last in t for t in steps)
        assert any(str(texts.INTIMACY_ACTIVE) in t for t in h.texts(user))
    await h.say(SAM, "/intimacy")
    assert str(texts.INTIMACY_HELP) in h.last_text(SAM) and "sex hurts" in str(texts.INTIMACY_HELP)
