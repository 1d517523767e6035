"""/today, /progress, /history, /tip, /help, the 30-day walk, and input that must not crash."""

from datetime import timedelta

from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import texts
from tests.conftest import ALEX, KIM, SAM
from tests.handlers.flow import pair, pair_and_start, with_button
from tests.harness import Harness


async def answer_day(h: Harness, a: str = "yes", b: str = "me too") -> None:
    await h.say(ALEX, a)
    await h.say(SAM, b)


async def next_day(h: Harness) -> None:
    """Move the clock until the next daily prompt (or the closing message) reaches Alex."""
    before = len(h.tg.inbox(ALEX))
    for _ in range(12):
        await h.walk_to(h.clock.now + timedelta(hours=6), step_hours=6)
        if any("of 30 ·" in t for t in h.texts(ALEX)[before:]):
            return
    assert not any("of 30 ·" in t for t in h.texts(ALEX)[before:])


async def test_help_shows_the_essentials_and_a_button_opens_every_command(h: Harness) -> None:
    await h.say(ALEX, "/help")
    essentials = h.last_text(ALEX)
    assert essentials == str(texts.HELP) and len(essentials.splitlines()) <= 10
    for command in ("/today", "/history", "/tip", "/safety"):
        assert command in essentials
    await h.press(ALEX, with_button(h, ALEX, "help:all"), "help:all")
    shown = h.tg.message(ALEX, h.tg.inbox(ALEX)[-1]["message_id"]) or {}
    assert "All commands" in shown["text"] and len(h.texts(ALEX)) == 1  # in place, no new message
    for command in ("/progress", "/pause", "/unpair", "/delete_my_data", "/checkin", "/swap"):
        assert command in shown["text"]
    assert "reply_markup" not in shown  # the button is gone once it did its job
    assert {c["command"] for c in h.tg.commands} >= {"today", "tip", "settings", "help"}


async def test_today_shows_the_prompt_and_who_answered(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    await h.say(ALEX, "/today")
    assert "Day 1 of 30" in h.last_text(ALEX) and "Neither of you" in h.last_text(ALEX)
    await h.say(SAM, "answer")
    await h.say(ALEX, "/today")
    assert "Sam has answered ✓ · your turn!" in h.last_text(ALEX)


async def test_progress_shows_day_phase_streak_and_bar(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    await answer_day(h)
    await next_day(h)
    await answer_day(h)
    await h.say(ALEX, "/progress")
    text = h.last_text(ALEX)
    assert "Day 2 of 30" in text and "Trust &amp; communication" in text
    assert "streak: 2" in text and "●●········" in text


async def test_a_full_30_day_walk_with_recaps_completion_and_a_new_round(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    prompts_seen = []
    for day in range(1, 31):
        prompt = next(t for t in reversed(h.texts(ALEX)) if f"Day {day} of 30" in t)
        prompts_seen.append(prompt.split("\n\n")[1])
        if day == 11:
            assert "Affection &amp; closeness" in prompt
        if day == 21:
            assert "Conflict &amp; compromise" in prompt
        await answer_day(h, f"alex {day}", f"sam {day}")
        if day < 30:
            await next_day(h)
    assert len(set(prompts_seen)) == 30
    recaps = [t for t in h.texts(SAM) if "To reflect on together" in t]
    assert len(recaps) == 3  # each quotes its own ten days, Sam's line first as "You"
    for phase, recap in enumerate(recaps):
        days = range(phase * 10 + 1, phase * 10 + 11)
        assert all(f"<b>You:</b> “sam {d}”\n<b>Alex:</b> “alex {d}”" in recap for d in days)
        assert "of 10" not in recap
    assert any("30 days together" in t for t in h.texts(ALEX))
    await next_day(h)
    assert not any("Day 31" in t for t in h.texts(ALEX))
    await h.say(SAM, "/progress")
    assert "streak: 30" in h.last_text(SAM)
    await h.press(ALEX, with_button(h, ALEX, "again:yes"), "again:yes")
    assert h.last_text(ALEX) == str(texts.AGAIN_STARTED)
    await next_day(h)
    round2 = next(t for t in reversed(h.texts(SAM)) if "Day 1 of 30" in t).split("\n\n")[1]
    assert round2 != prompts_seen[0]


async def test_history_pages_newest_first_grouped_by_phase(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    for day in range(1, 7):
        await answer_day(h, f"alex-{day}", f"sam & {day}")
        await next_day(h)
    await h.say(ALEX, "/history")
    first = h.tg.inbox(ALEX)[-1]
    assert "page 1 of 2" in first["text"] and "Trust &amp; communication" in first["text"]
    assert first["text"].index("Day 6") < first["text"].index("Day 3")
    assert "<b>Sam:</b> sam &amp; 6" in first["text"]
    await h.press(ALEX, first, "hist:4")
    page2 = h.tg.message(ALEX, first["message_id"])
    assert "page 2 of 2" in page2["text"] and "Day 1" in page2["text"]
    # the page message was deleted meanwhile: the next page comes as a new message, no apology
    h.tg.press_button(ALEX, page2, "hist:0")
    del h.tg.chats[ALEX].messages[first["message_id"]]
    await h.pump()
    assert "page 1 of 2" in h.last_text(ALEX) and str(texts.ERROR) not in h.texts(ALEX)


async def test_history_before_any_reveal(h: Harness) -> None:
    await pair(h, ALEX, SAM)
    await h.say(SAM, "/history")
    assert h.last_text(SAM) == str(texts.HISTORY_EMPTY)


async def test_tip_works_before_pairing_and_does_not_repeat_until_used_up(h: Harness) -> None:
    pool = [t for t in h.couplet.library.tips if "conflict" in t.topics]
    seen = []
    for _ in range(len(pool)):
        await h.say(KIM, "/tip conflict")
        seen.append(h.last_text(KIM))
    assert len(set(seen)) == len(pool)
    assert all("Tip · " in s for s in seen)
    await h.say(KIM, "/tip conflict")
    assert "starting over" in h.last_text(KIM)


async def test_tip_without_topic_fits_the_phase_and_offers_topics(h: Harness) -> None:
    await h.say(KIM, "/tip")
    message = h.tg.inbox(KIM)[-1]
    tip_text, hint = message["text"].split("\n", 1)[1].split("\n\n")
    phase1 = {t.text for t in h.couplet.library.tips if 1 in t.phases}
    assert any(texts.esc(t) == tip_text for t in phase1)
    assert hint == str(texts.TIP_MORE).strip()
    buttons = [
        b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row
    ]
    assert buttons == [f"tip:{topic}" for topic in h.couplet.library.topics]
    await h.press(KIM, message, "tip:stress")
    stress = {texts.esc(t.text) for t in h.couplet.library.tips if "stress" in t.topics}
    assert "Tip · Stress" in h.last_text(KIM)
    assert h.last_text(KIM).split("\n", 1)[1] in stress


async def test_unknown_tip_topic_lists_the_topics(h: Harness) -> None:
    await h.say(KIM, "/tip <astrology>")
    assert "&lt;astrology&gt;" in h.last_text(KIM)


async def test_unknown_commands_stickers_and_documents_get_kind_answers(h: Harness) -> None:
    await h.say(ALEX, "/dance")
    assert h.last_text(ALEX) == texts.UNKNOWN_COMMAND.format(command="/dance")
    h.tg.send_sticker(ALEX)
    await h.pump()
    assert h.last_text(ALEX) == str(texts.UNSUPPORTED)
    h.tg.send_document(ALEX)
    await h.pump()
    assert h.last_text(ALEX) == str(texts.UNSUPPORTED)


async def test_stale_and_forged_buttons_do_not_crash(h: Harness) -> None:
    await pair_and_start(h, ALEX, SAM)
    # The keyboard on Alex's notice is still there; Sam's was removed when pressed.
    await h.press(ALEX, with_button(h, ALEX, "start_now"), "start_now")
    assert h.last_text(ALEX) == str(texts.ALREADY_STARTED)
    h.tg.press_button(ALEX, h.tg.inbox(ALEX)[-1], "again:yes", check=False)
    h.tg.press_button(ALEX, h.tg.inbox(ALEX)[-1], "pair:accept:zzzzzzzzzzzz", check=False)
    h.tg.press_button(ALEX, h.tg.inbox(ALEX)[-1], "hist:abc", check=False)
    h.tg.press_button(ALEX, h.tg.inbox(ALEX)[-1], "time:99:99", check=False)
    await h.pump()
    assert str(texts.ERROR) not in h.texts(ALEX)
    assert any(a for a in h.tg.callback_answers)


async def test_a_failing_handler_logs_and_tells_the_user_without_a_trace(
    h: Harness, caplog
) -> None:  # type: ignore[no-untyped-def]
    async def boom(update, context):  # type: ignore[no-untyped-def]
        raise RuntimeError("kaboom")

    h.app.add_handler(CommandHandler("boom", boom), group=-2)
    await h.say(ALEX, "/boom")
    assert str(texts.ERROR) in h.texts(ALEX)
    assert not any("kaboom" in t or "Traceback" in t for t in h.texts(ALEX))
    assert any("handler failed" in r.message for r in caplog.records)
    assert all("TEST-TOKEN" not in r.getMessage() for r in caplog.records)


async def test_a_button_handler_failing_after_answering_still_apologises(h: Harness) -> None:
    async def boom(update, context):  # type: ignore[no-untyped-def]
        await update.callback_query.answer()
        raise RuntimeError("kaboom")

    h.app.add_handler(CallbackQueryHandler(boom, pattern="^boom$"), group=-2)
    await h.say(ALEX, "/help")
    h.tg.press_button(ALEX, h.tg.inbox(ALEX)[-1], "boom", check=False)
    await h.pump()
    assert h.last_text(ALEX) == str(texts.ERROR)
