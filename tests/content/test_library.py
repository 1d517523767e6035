"""The content library: completeness, limits, near-duplicates, arc, and the opt-in boundary."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from datetime import UTC, datetime

import pytest

from bot import texts
from bot.core.challenge import phase_of
from bot.flows.messages import prompt_message, recap_text, reveal_messages
from bot.storage.models import Answer, Day, User
from bot.telegram_html import MAX_TEXT, fits
from fakebot.html import parse_html
from prompts.loader import Library, load_library
from prompts.schema import DAYS, Barrier, Category, Prompt, Topic
from prompts.selection import (
    CORE_ROUNDS,
    PLAN_FIRST,
    PLANS,
    candidates,
    prompt_for,
    swap_for,
    tip_pool,
)

NOW = datetime(2026, 3, 2, 20, tzinfo=UTC)
A, C = Category.APPRECIATION, Category.CONVERSATION


@pytest.fixture(scope="module")
def lib() -> Library:
    return load_library()


def _user(user_id: int, name: str) -> User:
    return User(user_id, name, None, "UTC", "20:00", 1, 1, None, None, False)


def test_sizes_match_the_issue(lib: Library) -> None:
    assert len(lib.core) >= 90 and len(lib.alternates) >= 60 and len(lib.tips) >= 60
    assert 5 <= len(lib.checkin) <= 8
    assert set(lib.intimacy) == set(range(1, len(lib.intimacy) + 1))
    assert set(lib.recaps) == {1, 2, 3}


@pytest.mark.parametrize("pool", ["core", "alternates"])
def test_every_day_has_a_prompt_in_every_category(lib: Library, pool: str) -> None:
    prompts = getattr(lib, pool)
    missing = [(d, c.value) for d in range(1, DAYS + 1) for c in Category if (d, c) not in prompts]
    assert not missing, f"{pool} lacks {missing}"
    assert all(p.day == d and p.category == c for (d, c), p in prompts.items())


def test_texts_stay_within_limits(lib: Library) -> None:
    for p in lib.by_id.values():
        assert 10 <= len(p.text) <= 300, p.id
        assert p.follow_up is None or len(p.follow_up) <= 300, p.id
    assert all(len(t.text) <= 600 for t in lib.tips)
    assert all(len(q.text) <= 200 for q in lib.checkin)


def _near_duplicates(items: list[tuple[str, str]], limit: float = 0.8) -> list[tuple[str, str]]:
    """Pairs whose difflib ratio is above ``limit``.

    Comparing every pair character by character takes seconds, so a cheap word-overlap filter
    goes first: two texts above 0.8 character similarity share far more than 40% of their words
    (in this library the closest pair sits at 0.68 with about half its words in common).
    """
    words = [set(re.findall(r"\w+", text.lower())) for _, text in items]
    matcher = difflib.SequenceMatcher(autojunk=False)
    found = []
    for j, (id_b, b) in enumerate(items):
        matcher.set_seq2(b.lower())
        for i, (id_a, a) in enumerate(items[:j]):
            overlap = 2 * len(words[i] & words[j]) / max(1, len(words[i]) + len(words[j]))
            if overlap <= 0.4:
                continue
            matcher.set_seq1(a.lower())
            if matcher.quick_ratio() > limit and matcher.ratio() > limit:
                found.append((id_a, id_b))
    return found


def _sendable(lib: Library) -> list[Prompt]:
    """Every prompt the bot can still send: day prompts and intimacy steps, not retired ones."""
    return [*lib.core.values(), *lib.alternates.values(), *lib.intimacy.values()]


def test_no_duplicate_or_near_duplicate_texts(lib: Library) -> None:
    items = [(p.id, p.text) for p in _sendable(lib)] + [(t.id, t.text) for t in lib.tips]
    exact = [text for text, n in Counter(t for _, t in items).items() if n > 1]
    assert not exact
    assert not _near_duplicates(items)
    ids = [i for i, _ in items]
    assert len(ids) == len(set(ids))


def test_the_near_duplicate_check_catches_a_reworded_copy() -> None:
    a = "What is one small thing your partner did this week that made you smile?"
    b = "What is one small thing your partner did this week that made you laugh?"
    assert _near_duplicates([("a", a), ("b", b), ("c", "Something else entirely, about plans.")])


def test_every_barrier_and_topic_has_tips(lib: Library) -> None:
    assert set(lib.barriers) == {b.value for b in Barrier}
    for barrier in Barrier:
        assert [t for t in lib.tips if barrier in t.barriers], f"no tip for {barrier.value}"
    for topic in Topic:
        assert [t for t in lib.tips if topic in t.topics], f"no tip for {topic.value}"
        assert topic.value in lib.topics
    for phase in (1, 2, 3):
        assert len(tip_pool(lib, phase=phase, topic=None)) >= 10


# What the issue asks the tips to cover beyond the barriers and topics, as words a tip on it uses.
COVERAGE = {
    "active listening": r"say back what you heard|just listen|only listen",
    "'I' statements": r"'i feel|\bi statements?\b|'i' sentences",
    "compromise": r"compromise|middle ground|take turns",
    "honesty": r"honest",
    "respect and kindness": r"kind",
    "external stress": r"stress|work|money|family",
    "mutual hobbies": r"hobby",
    "day trips and getaways": r"day trip|weekend away|night or a weekend",
    "appreciation": r"thank-you|thank you",
    "learning new things about each other": r"ask something new|learn about each other",
    "supporting each other's goals": r"goals",
    "criticism and its antidote": r"criticism attacks the person.*complaint",
    "contempt and its antidote": r"contempt.*antidote.*respect",
    "defensiveness and its antidote": r"defend.*owning even a small part",
    "stonewalling and its antidote": r"shutting down.*come back",
    "bids for connection": r"bids for attention.*turning towards",
    "perpetual problems": r"never get solved.*lasting differences",
    "comparing with other couples": r"comparing yourselves with other couples",
    "past trauma and help of your own": r"counsellor or psychologist of your own",
    "fear of rejection and self-worth": r"rejection.*worth",
}


@pytest.mark.parametrize("subject", sorted(COVERAGE))
def test_tips_cover_the_techniques_and_non_sexual_closeness(lib: Library, subject: str) -> None:
    pattern = re.compile(COVERAGE[subject], re.IGNORECASE)
    assert [t.id for t in lib.tips if pattern.search(t.text)], f"no tip on {subject}"


MERGED = [
    ("tip-one-word-feeling", "tip-feeling-a-day"),
    ("tip-counsellor-stuck", "tip-lt-counsellor"),
    ("tip-stop-charging-interest", "tip-lt-forgive-the-old"),
    ("tip-open-in-steps", "tip-small-truths"),
    ("tip-touch-in-routine", "tip-hello-goodbye"),
    ("tip-hug-space-or-tea", "tip-ask-what-helps"),
]


@pytest.mark.parametrize(("kept", "merged"), MERGED)
def test_near_duplicate_tips_were_merged_into_one(lib: Library, kept: str, merged: str) -> None:
    ids = {t.id for t in lib.tips}
    assert kept in ids and merged not in ids


def test_every_break_in_an_argument_comes_with_a_return(lib: Library) -> None:
    """Pausing and reassuring agree: a break has a time to come back, nobody is told to stay."""
    breaks = [t for t in lib.tips if re.search(r"\b(break|pause)\b", t.text, re.IGNORECASE)]
    assert {"tip-pause-signal", "tip-reassure-and-stay"} <= {t.id for t in breaks}
    for tip in breaks:
        assert re.search(r"come back|coming back|be back", tip.text), tip.id
    for tip in lib.tips:
        assert not re.search(r"stay(ing)? in the room", tip.text), tip.id


def test_money_tips_work_with_separate_money_too(lib: Library) -> None:
    money = [t for t in lib.tips if re.search(r"\bmoney\b", t.text, re.IGNORECASE)]
    assert money
    for tip in money:
        if re.search(r"numbers|budget|account", tip.text):
            assert re.search(r"separate", tip.text), tip.id


def test_long_term_and_long_distance_tips_are_plentiful(lib: Library) -> None:
    for topic in (Topic.LONG_TERM, Topic.LONG_DISTANCE, Topic.STRESS):
        assert len([t for t in lib.tips if topic in t.topics]) >= 5, topic.value


def test_every_check_in_area_has_tips_and_help_signs_exist(lib: Library) -> None:
    assert any(q.help_sign for q in lib.checkin) and not all(q.help_sign for q in lib.checkin)
    for q in lib.checkin:
        assert q.safety_sign or [t for t in lib.tips if q.topic in t.topics], q.id
        assert q.area.value in texts.AREA_NAMES


# --- the arc --------------------------------------------------------------------------------------


def test_round_one_follows_the_designed_plan_with_a_new_prompt_every_day(lib: Library) -> None:
    seen = [prompt_for(lib, 1, day) for day in range(1, DAYS + 1)]
    assert len({p.id for p in seen}) == DAYS
    for day, prompt in enumerate(seen, start=1):
        assert prompt.day == day and prompt.category == PLAN_FIRST[day - 1]
        assert prompt.id in {p.id for p in lib.core.values()}
    mix = [Counter(PLAN_FIRST[start : start + 10]) for start in (0, 10, 20)]
    assert mix[0].most_common(1)[0][0] == Category.CONVERSATION
    assert mix[1].most_common(1)[0][0] == Category.AFFECTION
    assert mix[2].most_common(1)[0][0] == Category.CONVERSATION
    assert all(m[Category.APPRECIATION] >= 2 for m in mix)  # appreciation woven through


def _day_prompts(lib: Library) -> set[str]:
    return {p.id for p in [*lib.core.values(), *lib.alternates.values()]}


def _rounds(lib: Library, rounds: int, *, swap: bool) -> tuple[set[str], set[str]]:
    """What ``rounds`` rounds send (a couple that never swaps) and what /swap offers in them."""
    used: dict[int, set[str]] = {d: set() for d in range(1, DAYS + 1)}
    sent: set[str] = set()
    offered: set[str] = set()
    for round_ in range(1, rounds + 1):
        for day in range(1, DAYS + 1):
            prompt = prompt_for(lib, round_, day, used[day])
            sent.add(prompt.id)
            if swap and (other := swap_for(lib, prompt, used[day] | {prompt.id})):
                offered.add(other.id)
            used[day].add(prompt.id)
    return sent, offered


def test_every_prompt_is_sent_or_offered_within_three_rounds(lib: Library) -> None:
    """Round 1 sends one prompt a day and its /swap offers a second; rounds 2 and 3 do the same
    for the day's other two categories. Nothing in the library waits for a sixth round."""
    sent, offered = _rounds(lib, CORE_ROUNDS, swap=True)
    missing = _day_prompts(lib) - sent - offered
    assert not missing, sorted(missing)
    assert sent == {p.id for p in lib.core.values()}  # rounds 1-3: every core prompt, once
    assert offered == {p.id for p in lib.alternates.values()}  # and every alternate on offer


def test_a_couple_that_never_swaps_still_gets_every_prompt(lib: Library) -> None:
    sent, _ = _rounds(lib, 2 * CORE_ROUNDS, swap=False)
    assert sent == _day_prompts(lib), sorted(_day_prompts(lib) - sent)


def test_the_three_plans_give_each_day_three_different_categories() -> None:
    for day in range(DAYS):
        assert {plan[day] for plan in PLANS} == set(Category), day + 1


def test_round_one_carries_the_strongest_conflict_skills(lib: Library) -> None:
    """The pause signal, the repair gesture, the 'I'm pulling away' sign and the 'we are okay'
    gesture are sent in the first round, not left for a third."""
    first = {prompt_for(lib, 1, day).id for day in range(1, DAYS + 1)}
    assert {"d22-affection", "d26-affection", "d09-affection", "d21-affection"} <= first


def test_depth_rises_within_each_phase(lib: Library) -> None:
    for start in (1, 11, 21):
        depths = [prompt_for(lib, 1, d).depth for d in range(start, start + 10)]
        assert depths[0] == 1 and max(depths) == 3
        assert sum(depths[:3]) < sum(depths[5:8]), depths


def test_phase_closers_look_back_towards_the_recaps(lib: Library) -> None:
    for day in (10, 20, 30):
        assert phase_of(day) == phase_of(day - 1)
        text = prompt_for(lib, 1, day).text.lower()
        assert re.search(r"look|these ten days|thirty days|this month|last ten", text), text


def test_each_phase_opens_deliberately(lib: Library) -> None:
    """Days 1, 11 and 21 of the designed round say that something begins."""
    for day in (1, 11, 21):
        text = prompt_for(lib, 1, day).text.lower()
        assert re.search(r"day one|new phase|last phase|starts today|begins", text), (day, text)


def test_later_rounds_are_fresh_as_long_as_the_library_allows(lib: Library) -> None:
    used: dict[int, set[str]] = {d: set() for d in range(1, DAYS + 1)}
    for round_ in range(1, 7):
        for day in range(1, DAYS + 1):
            prompt = prompt_for(lib, round_, day, used[day])
            assert prompt.id not in used[day], (round_, day)
            assert prompt.day == day
            used[day].add(prompt.id)


def test_swap_gives_the_same_day_and_category(lib: Library) -> None:
    for day in range(1, DAYS + 1):
        for round_ in (1, 2, 3):
            current = prompt_for(lib, round_, day)
            other = swap_for(lib, current)
            assert other is not None and other.id != current.id
            assert (other.day, other.category) == (current.day, current.category)


def test_intimacy_prompts_are_unreachable_outside_the_track(lib: Library) -> None:
    intimacy_ids = {p.id for p in lib.intimacy.values()}
    assert intimacy_ids and all(p.step is not None and p.day is None for p in lib.intimacy.values())
    assert not intimacy_ids & {p.id for p in lib.core.values()}
    assert not intimacy_ids & {p.id for p in lib.alternates.values()}
    everything = set(lib.by_id)
    for round_ in range(1, 8):
        for day in range(1, DAYS + 1):
            assert not intimacy_ids & {p.id for p in candidates(lib, round_, day)}
            for used in (set(), everything - intimacy_ids, everything):
                picked = prompt_for(lib, round_, day, used)
                assert picked.id not in intimacy_ids
                swapped = swap_for(lib, picked, used)
                assert swapped is None or swapped.id not in intimacy_ids
    for prompt in lib.intimacy.values():
        assert swap_for(lib, prompt) is None


def test_intimacy_steps_follow_three_stages(lib: Library) -> None:
    phases = [lib.intimacy[s].phase for s in sorted(lib.intimacy)]
    assert phases == sorted(phases) and set(phases) == {1, 2, 3}


def test_intimacy_steps_are_things_to_talk_about_not_questions_to_answer(lib: Library) -> None:
    """The bot says a step needs no reply, so no step asks a question waiting for one ('Apart?'
    or 'Not ready yet?' only open an alternative)."""
    question = re.compile(
        r"(?:^|[.!:]\s+)(what|how|where|which|when|why|who|is|are|do|does|did|could|would|can"
        r"|anything|was|were)\b[^.!?]*\?",
        re.IGNORECASE,
    )
    assert question.search("To start: where and when do you feel most relaxed?")
    for step, prompt in lib.intimacy.items():
        for text in (prompt.text, prompt.follow_up or "", prompt.no_touch or ""):
            assert not question.search(text), (step, text)


def test_intimacy_limits_and_saying_no_come_before_any_closeness_task(lib: Library) -> None:
    def step_of(pattern: str) -> int:
        return next(s for s, p in lib.intimacy.items() if re.search(pattern, p.text))

    first_touch = min(s for s, p in lib.intimacy.items() if p.no_touch)
    assert step_of(r"off the table") < first_touch
    assert step_of(r"'not tonight'") < first_touch
    assert step_of(r"check in with each other") < first_touch


# --- rendering through the real builders ----------------------------------------------------------


def test_every_prompt_and_tip_renders_as_valid_telegram_html(lib: Library) -> None:
    alex, kim = _user(1, "Alex"), _user(2, "Kim <&>")
    answers = {
        1: Answer(1, 1, 1, 1, "text", "a & b <3", None, 1),
        2: Answer(1, 1, 1, 2, "text", "<i>not a tag", None, 2),
    }
    rendered = []
    for prompt in lib.by_id.values():
        day = prompt.day or 11
        rendered.append(prompt_message(alex, kim, 1, 1, day, prompt, late=True).text)
        rendered += [m.text for m in reveal_messages(alex, kim, answers, 1, 1, day, prompt)]
        rendered.append(texts.REMINDER.format(day=day, text=texts.esc(prompt.text)))
    for step, prompt in lib.intimacy.items():
        rendered.append(
            texts.INTIMACY_STEP.format(step=step, total=15, text=texts.esc(prompt.text))
        )
    for tip in lib.tips:
        label = lib.topics[tip.topics[0]].label
        rendered.append(texts.TIP.format(topic=texts.esc(label), text=texts.esc(tip.text)))
    for text in rendered:
        assert text is not None and fits(text, MAX_TEXT)
        parse_html(text)  # raises on anything Telegram would reject


def test_markup_characters_in_content_are_escaped() -> None:
    tricky = Prompt(id="x", day=1, category=Category.CONVERSATION, depth=1,
                    text="Tom & Jerry <3 or <b>bold</b>?", follow_up="A & B > C")  # fmt: skip
    alex, sam = _user(1, "Alex"), _user(2, "Sam")
    message = prompt_message(alex, sam, 1, 1, 1, tricky, late=False)
    assert message.text is not None and "Tom &amp; Jerry &lt;3" in message.text
    assert "Tom & Jerry <3 or <b>bold</b>?" in parse_html(message.text)


def test_wording_is_inclusive_and_never_claims_to_be_therapy(lib: Library) -> None:
    gendered = re.compile(
        r"\b(he|she|his|her|hers|him|husband|wife|boyfriend|girlfriend|therapy|therapist)\b",
        re.IGNORECASE,
    )
    items = [*lib.by_id.values(), *lib.tips, *lib.checkin]
    for item in items:
        for text in (item.text, getattr(item, "follow_up", None) or ""):
            assert not gendered.search(text), (item.id, text)


# --- what a couple actually meets: touch, surprises, the clock, access, who reads -----------------

TOUCH = re.compile(
    r"\b(hugs?|hold(ing)? hands|cuddl\w*|massage|shoulder rub|kiss\w*|touch(es|ing)?|hand on"
    r"|head on a shoulder|lying together)\b",
    re.IGNORECASE,
)
# Prompts that ask about touch, or list it among other choices, without asking anyone for it.
TALKS_ABOUT_TOUCH = {
    "d01-affection", "d04-affection", "d11-conversation", "d16-conversation", "d21-affection",
    "a11-conversation", "a16-conversation", "d28-affection", "i11",
}  # fmt: skip


def test_every_touch_task_has_a_no_touch_version(lib: Library) -> None:
    touching = {p.id for p in _sendable(lib) if TOUCH.search(p.text)}
    assert touching >= {"d11-affection", "d17-affection", "a11-affection", "i08", "i12"}
    for prompt in _sendable(lib):
        if prompt.id in touching and prompt.id not in TALKS_ABOUT_TOUCH:
            assert prompt.no_touch, f"{prompt.id} asks for touch with no way round it"
    assert touching >= TALKS_ABOUT_TOUCH  # the list names only prompts that mention touch


def test_touch_preferences_come_before_the_first_touch_task(lib: Library) -> None:
    """Day 11 asks which touch each of you likes; no round-1 prompt asked for touch before."""
    first = [prompt_for(lib, 1, day) for day in range(1, DAYS + 1)]
    asks = [p.day for p in first if re.search(r"touch puts you (most )?at ease", p.text)]
    tasks = [p.day or 0 for p in first if p.no_touch]
    assert asks == [11] and tasks and min(tasks) > 11, (asks, tasks)


SURPRISE = re.compile(
    r"surprise (your|them)|\bhide\b|without announcing|out of the blue|(keep|kept) [\w ]{0,20}secret"
    r"|quietly take|stumble on|come across",
    re.IGNORECASE,
)
GIVES_IT_AWAY = re.compile(
    r"what did you (choose|pick|write|send|do|make|buy|hide|include|leave)\b|where is it"
    r"|where (did you|you) (hide|put|left)|what you wrote|share what|tell us",
    re.IGNORECASE,
)


def test_no_prompt_asks_to_give_a_surprise_away(lib: Library) -> None:
    """The partner reads every answer, so a surprise task asks for something else instead."""
    marked = {p.id for p in _sendable(lib) if p.surprise}
    assert {"a12-affection", "d12-affection", "d18-affection"} <= marked
    for prompt in _sendable(lib):
        if SURPRISE.search(prompt.text):
            assert prompt.surprise, f"{prompt.id} is a surprise: mark it"
        if prompt.surprise:
            for text in (prompt.text, prompt.follow_up or ""):
                assert not GIVES_IT_AWAY.search(text), (prompt.id, text)


def test_a_surprise_prompt_reminds_the_answerer_not_to_spoil_it(lib: Library) -> None:
    alex, kim = _user(1, "Alex"), _user(2, "Kim")
    surprise = lib.prompt("a12-affection")
    plain = lib.prompt("d01-conversation")
    assert surprise is not None and plain is not None
    text = prompt_message(alex, kim, 1, 1, 12, surprise, late=False).text or ""
    assert "Kim reads your answer" in text and "surprise" in text
    assert "🤫" not in (prompt_message(alex, kim, 1, 1, 1, plain, late=False).text or "")


DOES_TODAY = re.compile(
    r"\b(do|make|take|plan|share|send|give|go|spend|offer|cook|write|hide|surprise|hold|mark)\b"
    r"[^.?!]*\btoday\b(?! or tomorrow)",
    re.IGNORECASE,
)


def test_tasks_leave_time_to_do_them(lib: Library) -> None:
    """Prompts arrive in the evening (20:00 by default): a task says 'today or tomorrow', the
    next day or two, or tonight, never 'today' alone."""
    assert DOES_TODAY.search("Share a breakfast, lunch or coffee today with no screens")
    for prompt in _sendable(lib):
        for text in (prompt.text, prompt.follow_up or ""):
            assert not DOES_TODAY.search(text), (prompt.id, text)


MOVING = re.compile(r"\b(walk|walks|walking|bike|cycling|hike|hiking|jog|jogging|day trip)\b", re.I)
SEATED = re.compile(r"wheel|bench|\bsit\b|sitting|drive|\bbus\b|sofa|chair|whatever suits", re.I)


def test_walks_and_trips_come_with_a_way_to_do_them_seated(lib: Library) -> None:
    items = [(p.id, p.text) for p in _sendable(lib)] + [(t.id, t.text) for t in lib.tips]
    moving = [(i, text) for i, text in items if MOVING.search(text)]
    assert any(i == "d14-affection" for i, _ in moving)  # the check sees the walks
    for item_id, text in moving:
        assert SEATED.search(text), (item_id, text)


def test_no_prompt_suggests_anyone_but_the_partner_reads_the_answer(lib: Library) -> None:
    staff = re.compile(
        r"\btell us\b|\b(share|write|say|report back|tell them|tell \w+)( \w+)? here\b"
        r"|\bnot only here\b|\bhere, tell\b",
        re.IGNORECASE,
    )
    for prompt in _sendable(lib):
        for text in (prompt.text, prompt.follow_up or ""):
            assert not staff.search(text), (prompt.id, text)
    footer = prompt_message(
        _user(1, "Alex"), _user(2, "Kim"), 1, 1, 1, lib.core[(1, C)], late=False
    )
    assert "Only Kim sees your answer" in (footer.text or "")


def test_appreciation_prompts_do_not_keep_returning_to_what_goes_unthanked(lib: Library) -> None:
    unthanked = re.compile(
        r"unnoticed|never (properly )?thank|rarely get credit|ever thank|never mentioned"
        r"|did not notice|quietly grateful",
        re.IGNORECASE,
    )
    appreciation = [p for p in _sendable(lib) if p.category is Category.APPRECIATION]
    same_idea = [p.id for p in appreciation if unthanked.search(p.text)]
    assert len(same_idea) <= 1, same_idea


def test_the_home_you_grew_up_in_is_asked_about_gently(lib: Library) -> None:
    """Childhood homes can hold violence: such a prompt offers a way out, and one about how
    disagreements went there is rated deep and sits late, under the day's safety line."""
    about_home = [p for p in _sendable(lib) if re.search(r"home you grew up in", p.text)]
    assert len(about_home) >= 2
    for prompt in about_home:
        assert re.search(r"don't need to|only what you choose", prompt.text), prompt.id
        if re.search(r"disagree|argu", prompt.text):
            assert prompt.depth == 3 and prompt.safety and (prompt.day or 0) >= 27, prompt.id


def test_no_phase_opens_with_a_deep_prompt(lib: Library) -> None:
    for prompt in [*lib.core.values(), *lib.alternates.values()]:
        day = prompt.day or 0
        if (day - 1) % 10 < 3:
            assert prompt.depth < 3, prompt.id


# --- safety where it matters ----------------------------------------------------------------------

SAFETY_DAYS = (21, 24, 27, 28)


def test_the_conflict_days_carry_a_safety_line_in_their_data(lib: Library) -> None:
    """Whichever prompt a couple gets on days 21, 24, 27 and 28 (any round, any swap), it comes
    with a line naming /safety, kept in the prompt's data so that translators see it."""
    alex, kim = _user(1, "Alex"), _user(2, "Kim")
    for day in SAFETY_DAYS:
        for pool in (lib.core, lib.alternates):
            for category in Category:
                prompt = pool[(day, category)]
                assert prompt.safety and "/safety" in prompt.safety, prompt.id
                sent = prompt_message(alex, kim, 1, 1, day, prompt, late=False).text or ""
                assert texts.esc(prompt.safety) in sent and "🛟" in sent
    quiet = prompt_message(alex, kim, 1, 1, 2, lib.core[(2, A)], late=False).text or ""
    assert "/safety" not in quiet


def test_the_argument_prompt_is_not_for_someone_afraid_of_their_partner(lib: Library) -> None:
    prompt = lib.prompt("d28-conversation")
    assert prompt is not None and prompt.safety
    assert re.search(r"not about being afraid of your partner", prompt.safety)


# --- retired prompts -------------------------------------------------------------------------------


def test_retired_prompts_keep_their_words_but_are_never_sent(lib: Library) -> None:
    assert lib.retired, "nothing retired: the check below would pass on anything"
    sendable = {p.id for p in _sendable(lib)}
    for prompt_id, prompt in lib.retired.items():
        assert lib.prompt(prompt_id) == prompt and prompt_id not in sendable
        for round_ in range(1, 8):
            assert prompt_id not in {p.id for p in candidates(lib, round_, prompt.day or 1)}
        swapped = swap_for(lib, prompt)  # a day stored with it can still be swapped
        assert swapped is not None and swapped.id not in lib.retired


# --- recaps ----------------------------------------------------------------------------------------

KEEP = re.compile(r"\b(what|which|one thing|name)\b[^.?!]*\b(keep|carry)\b", re.IGNORECASE)


def test_the_closing_days_ask_what_to_keep_once(lib: Library) -> None:
    """Days 10, 20 and 30 end with the phase recap the same evening: between whichever prompt
    the day brings and the recap's question, 'what will you keep?' is asked at most once."""
    assert KEEP.search("Which gesture would you like to keep as a habit?")
    for day in (10, 20, 30):
        recap = lib.recaps[(day - 1) // 10 + 1]
        for reflection in (recap.reflection, recap.quiet_reflection):
            assert not KEEP.search(reflection), (day, reflection)
        for prompt in (pool[(day, c)] for pool in (lib.core, lib.alternates) for c in Category):
            asks = [t for t in (prompt.text, prompt.follow_up or "") if KEEP.search(t)]
            assert len(asks) <= 1, (prompt.id, asks)


def test_a_recap_of_ten_long_days_still_fits_one_message(lib: Library) -> None:
    """The recap is stored under one key and built twice (after the reveal, and again before the
    next phase): it must always be a single message, so its lines shrink to fit."""
    alex = _user(1, "A" * 64)
    kim = _user(2, "🌊" * 64)
    answer = "😀 " * 2000
    revealed = [
        (
            Day(1, 1, d, prompt_for(lib, 1, d).id, NOW),
            {
                1: Answer(1, 1, d, 1, "text", answer, None, d),
                2: Answer(1, 1, d, 2, "text", "<&>" * 1000, None, d),
            },
        )
        for d in range(1, 11)
    ]
    text = recap_text(lib, alex, kim, 1, revealed)
    assert text is not None and fits(text, MAX_TEXT)
    assert text.count("<b>Day ") == 10 and "&lt;&amp;&gt;" in text
    parse_html(text)
