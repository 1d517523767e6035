"""Pairing through an invite deep link, with every refusal a person can run into."""

from datetime import timedelta

from bot import texts
from tests.conftest import ALEX, KIM, SAM
from tests.handlers.flow import invite_code, pair, with_button
from tests.harness import Harness


async def test_start_greets_and_offers_a_share_button_with_the_deep_link(h: Harness) -> None:
    await h.say(ALEX, "/start")
    welcome, invite = h.tg.inbox(ALEX)[-2:]
    assert "Couplet" in welcome["text"] and "30 days" in welcome["text"]
    code = invite_code(h, ALEX)
    assert f"https://t.me/{h.tg.username}?start={code}" in invite["text"]
    share = invite["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert share.startswith("https://t.me/share/url?url=") and code in share


async def test_start_again_shows_the_same_live_invite(h: Harness) -> None:
    await h.say(ALEX, "/start")
    first = invite_code(h, ALEX)
    await h.say(ALEX, "/start")
    assert invite_code(h, ALEX) == first


async def test_codes_are_long_random_and_url_safe(h: Harness) -> None:
    codes = set()
    for user in (ALEX, SAM, KIM):
        await h.say(user, "/start")
        codes.add(invite_code(h, user))
    assert len(codes) == 3
    assert all(len(c) >= 16 and all(ch.isalnum() or ch in "-_" for ch in c) for c in codes)


async def test_partner_sees_who_invites_and_accepting_pairs_both(h: Harness) -> None:
    await h.say(ALEX, "/start")
    code = invite_code(h, ALEX)
    await h.say(SAM, f"/start {code}")
    assert "<b>Alex</b> invited you" in h.last_text(SAM)
    await h.press(SAM, with_button(h, SAM, f"pair:accept:{code}"), f"pair:accept:{code}")
    assert "You and <b>Alex</b> are paired" in h.last_text(SAM)
    assert "20:00" in h.last_text(SAM)
    assert "<b>Sam</b> accepted your invite" in h.last_text(ALEX)
    await h.say(SAM, "/start")
    assert "paired with <b>Sam</b>" not in h.last_text(SAM)
    assert "paired with <b>Alex</b>" in h.last_text(SAM)


async def test_a_used_code_is_refused(h: Harness) -> None:
    code = await pair(h, ALEX, SAM)
    await h.say(KIM, f"/start {code}")
    assert h.last_text(KIM) == str(texts.INVITE_PROBLEMS["used"])


async def test_own_code_is_refused(h: Harness) -> None:
    await h.say(ALEX, "/start")
    await h.say(ALEX, f"/start {invite_code(h, ALEX)}")
    assert h.last_text(ALEX) == str(texts.INVITE_PROBLEMS["own"])


async def test_unknown_and_malformed_codes_are_refused(h: Harness) -> None:
    await h.say(SAM, "/start AAAAAAAAAAAAAAAAAAAAAA")
    assert h.last_text(SAM) == str(texts.INVITE_PROBLEMS["unknown"])
    await h.say(SAM, "/start <script>")
    assert h.last_text(SAM) == str(texts.INVITE_PROBLEMS["unknown"])


async def test_an_expired_code_is_refused_and_start_makes_a_fresh_one(h: Harness) -> None:
    await h.say(ALEX, "/start")
    old = invite_code(h, ALEX)
    h.clock.advance(days=7, seconds=1)
    await h.say(SAM, f"/start {old}")
    assert h.last_text(SAM) == str(texts.INVITE_PROBLEMS["expired"])
    await h.say(ALEX, "/start")
    assert invite_code(h, ALEX) != old


async def test_accepting_while_either_side_is_paired_is_refused(h: Harness) -> None:
    await h.say(KIM, "/start")
    kim_code = invite_code(h, KIM)
    await pair(h, ALEX, SAM)
    await h.say(SAM, f"/start {kim_code}")
    assert h.last_text(SAM) == str(texts.INVITE_PROBLEMS["you_paired"])


async def test_accept_button_pressed_after_the_inviter_paired_elsewhere(h: Harness) -> None:
    await h.say(ALEX, "/start")
    code = invite_code(h, ALEX)
    await h.say(SAM, f"/start {code}")
    await h.say(KIM, f"/start {code}")
    await h.press(SAM, with_button(h, SAM, f"pair:accept:{code}"), f"pair:accept:{code}")
    await h.press(KIM, with_button(h, KIM, f"pair:accept:{code}"), f"pair:accept:{code}")
    assert h.last_text(KIM) == str(texts.INVITE_PROBLEMS["used"])


async def test_decline_tells_the_inviter_and_keeps_the_link(h: Harness) -> None:
    await h.say(ALEX, "/start")
    code = invite_code(h, ALEX)
    await h.say(SAM, f"/start {code}")
    await h.press(SAM, with_button(h, SAM, f"pair:decline:{code}"), f"pair:decline:{code}")
    assert "said not now" in h.last_text(ALEX)
    await h.say(KIM, f"/start {code}")
    assert "invited you" in h.last_text(KIM)


async def test_day_one_arrives_at_the_next_delivery_time_without_start_now(h: Harness) -> None:
    await pair(h, ALEX, SAM)
    await h.tick()
    assert not any("Day 1 of 30" in t for t in h.texts(SAM))
    await h.walk_to(h.clock.now.replace(hour=20, minute=0) + timedelta(minutes=1))
    assert any("Day 1 of 30" in t for t in h.texts(SAM))
    assert any("Day 1 of 30" in t for t in h.texts(ALEX))


async def test_start_now_sends_day_one_to_both_right_away(h: Harness) -> None:
    await pair(h, ALEX, SAM)
    await h.press(ALEX, with_button(h, ALEX, "start_now"), "start_now")
    await h.tick()
    for user in (ALEX, SAM):  # the prompt, then the check-in offer that travels with it
        prompt, offer = h.texts(user)[-2:]
        assert "Day 1 of 30 · Trust &amp; communication" in prompt
        assert "check-in" in offer
    # Pressing it again does not send day 1 twice.
    await h.press(SAM, with_button(h, SAM, "start_now"), "start_now")
    await h.tick()
    assert sum("Day 1 of 30" in t for t in h.texts(SAM)) == 1
    assert h.last_text(SAM) == str(texts.ALREADY_STARTED)
