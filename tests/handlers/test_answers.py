"""Answers are private until both partners answered; then both see the pair."""

from datetime import timedelta

from bot import texts
from tests.conftest import ALEX, KIM, SAM
from tests.handlers.flow import pair, pair_and_start, with_button
from tests.harness import Harness


def prompt_message(h: Harness, user: int, day: int) -> dict:
    return next(m for m in h.tg.inbox(user) if f"Day {day} of 30" in (m.get("text") or ""))


async def test_first_answer_is_saved_and_kept_from_the_partner(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    before = len(h.tg.inbox(SAM))
    await h.say(ALEX, "I loved our walk <3 & the rain")
    assert "Saved your answer for day 1" in h.last_text(ALEX)
    assert "Sam" in h.last_text(ALEX)
    assert len(h.tg.inbox(SAM)) == before  # nothing reaches Sam yet
    assert not any("walk" in t for t in h.texts(SAM))


async def test_second_answer_reveals_both_side_by_side_to_both(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    await h.say(ALEX, "I loved our walk <3 & the rain")
    await h.say(SAM, "Your laugh at breakfast")
    for me, mine, theirs, name in (
        (ALEX, "I loved our walk &lt;3 &amp; the rain", "Your laugh at breakfast", "Sam"),
        (SAM, "Your laugh at breakfast", "I loved our walk &lt;3 &amp; the rain", "Alex"),
    ):
        reveal = next(t for t in h.texts(me) if "You both answered" in t)
        assert f"<b>You</b>\n{mine}" in reveal
        assert f"<b>{name}</b>\n{theirs}" in reveal
    assert any("both answered day 1" in t for t in h.texts(SAM))


async def test_resending_before_the_reveal_updates_the_answer(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    await h.say(ALEX, "first thought")
    await h.say(ALEX, "better thought")
    assert "Updated your answer for day 1" in h.last_text(ALEX)
    await h.say(SAM, "mine")
    reveal = next(t for t in h.texts(SAM) if "You both answered" in t)
    assert "better thought" in reveal and "first thought" not in reveal


async def test_editing_the_message_before_the_reveal_updates_it_after_not(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    sent = await h.say(ALEX, "tpyo")
    h.tg.edit_text(ALEX, sent["message_id"], "typo fixed")
    await h.pump()
    assert "Updated your answer for day 1" in h.last_text(ALEX)
    await h.say(SAM, "ok")
    assert "typo fixed" in next(t for t in h.texts(SAM) if "You both answered" in t)
    h.tg.edit_text(ALEX, sent["message_id"], "sneaky change")
    await h.pump()
    assert "already revealed" in h.last_text(ALEX)
    assert "Sam has seen it as you first sent it" in h.last_text(ALEX)  # says what happens


async def test_voice_and_photo_answers_are_revealed_with_the_media(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    h.tg.send_voice(ALEX, file_id="voice-abc")
    h.tg.send_photo(SAM, file_id="photo-xyz", caption="us at the lake")
    await h.pump()
    sam_inbox = h.tg.inbox(SAM)
    assert any(m.get("voice") == "voice-abc" or "voice-abc" in str(m) for m in sam_inbox)
    alex_inbox = h.tg.inbox(ALEX)
    assert any("photo-xyz" in str(m) for m in alex_inbox)
    reveal = next(t for t in h.texts(ALEX) if "You both answered" in t)
    assert "voice note" in reveal and "us at the lake" in reveal


async def test_reply_to_yesterdays_prompt_answers_yesterday_within_grace(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    # Started Monday 09:00; day 2 comes Tuesday 20:00 (never two prompts on one local date).
    await h.walk_to(h.clock.now + timedelta(hours=35, minutes=1))
    assert any("Day 2 of 30" in t for t in h.texts(ALEX))
    day1 = prompt_message(h, ALEX, 1)
    await h.say(ALEX, "late but here", reply_to=day1["message_id"])
    assert "day 1" in h.last_text(ALEX)
    await h.say(ALEX, "for today")
    assert "day 2" in h.last_text(ALEX)


async def test_after_the_grace_period_yesterday_is_closed(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    await h.walk_to(h.clock.now + timedelta(hours=35, minutes=1))
    h.clock.advance(hours=12)
    day1 = prompt_message(h, ALEX, 1)
    await h.say(ALEX, "too late?", reply_to=day1["message_id"])
    assert "no open prompt" in h.last_text(ALEX)


async def test_text_before_pairing_or_before_any_prompt_gets_a_kind_answer(h: Harness) -> None:
    await h.say(KIM, "hello?")
    assert h.last_text(KIM) == str(texts.NOT_PAIRED)
    await pair(h, ALEX, SAM)
    await h.say(ALEX, "is it on?")
    assert "no open prompt" in h.last_text(ALEX) and "20:00" in h.last_text(ALEX)


async def test_one_reminder_a_few_hours_later_only_to_who_has_not_answered(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    await h.say(ALEX, "done")
    await h.walk_to(h.clock.now + timedelta(hours=5))
    reminders_sam = [t for t in h.texts(SAM) if "gentle reminder" in t]
    reminders_alex = [t for t in h.texts(ALEX) if "gentle reminder" in t]
    assert len(reminders_sam) == 1 and not reminders_alex
    await h.walk_to(h.clock.now + timedelta(hours=5))
    assert len([t for t in h.texts(SAM) if "gentle reminder" in t]) == 1


async def test_nudge_once_a_day_and_only_after_answering(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    await h.say(ALEX, "/nudge")
    assert "answer today's prompt first" in h.last_text(ALEX)
    await h.say(ALEX, "my answer")
    await h.press(ALEX, with_button(h, ALEX, "nudge"), "nudge")
    assert "Nudge sent" in h.last_text(ALEX)
    assert "<b>Alex</b> has answered day 1" in h.last_text(SAM)
    await h.say(ALEX, "/nudge")
    assert "already nudged" in h.last_text(ALEX)
    assert sum("has answered day 1" in t for t in h.texts(SAM)) == 1


async def test_long_answers_are_revealed_within_telegrams_limit(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    await h.say(ALEX, "a" * 4096)
    await h.say(SAM, "<" * 4000)  # escapes to 16,000 characters of HTML
    for user in (ALEX, SAM):
        reveal_parts = [m for m in h.tg.inbox(user) if "You both answered" in (m.get("text") or "")]
        assert reveal_parts
        assert all(len(m.get("text") or "") <= 4096 * 5 for m in h.tg.inbox(user))
    assert h.couplet.sender is not None
    async with h.couplet.db.read() as tx:
        counts = await tx.outbox.outbox_counts()
    assert counts.get("dropped", 0) == 0 and counts.get("pending", 0) == 0


async def test_the_tick_itself_skips_reminders_for_stored_answers(h: Harness) -> None:
    # The answer flow clears its reminder; the tick still checks, in case an answer got stored
    # some other way (or the two raced): a reminder after answering would feel careless.
    await pair_and_start(h, ALEX, SAM)
    async with h.couplet.db.transaction() as tx:
        couple = await tx.couples.couple((await tx.users.user(ALEX)).couple_id)  # type: ignore[union-attr]
        assert couple is not None
        await tx.days.save_answer(couple.id, couple.round, 1, SAM, kind="text", text="hi",
                               file_id=None, message_id=None, now=h.clock())  # fmt: skip
    await h.walk_to(h.clock.now + timedelta(hours=5))
    assert [t for t in h.texts(ALEX) if "gentle reminder" in t]
    assert not [t for t in h.texts(SAM) if "gentle reminder" in t]
