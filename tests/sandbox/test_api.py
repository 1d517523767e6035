"""The sandbox's API over HTTP: pairing by link, answers, media, edits, names, time travel, reset."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from aiohttp.test_utils import TestClient

from bot.delivery.limiter import PriorityRateLimiter
from sandbox.web import Sandbox
from sandbox.world import ALEX, SAM
from tests.sandbox.conftest import START, chat, pair, post, shown, wait_for, world_of

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # the sandbox stores bytes; it never decodes them
OGG = b"OggS" + b"\x00" * 60


def upload(folder: Path, name: str, data: bytes) -> BinaryIO:
    """A file as a form field (aiohttp guesses its content type from the name)."""
    path = folder / name
    path.write_bytes(data)
    return path.open("rb")


def at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


async def test_the_invite_link_tapped_in_alexs_phone_opens_in_sams(
    sandbox: Sandbox, client: TestClient
) -> None:
    await pair(sandbox, client)
    sams = await chat(client, SAM)
    assert sams[0]["out"] and sams[0]["text"] == "/start" and sams[0]["deep_link"]
    assert "Alex</b> invited you" in sams[1]["html"]
    alexs = [shown(v) for v in await chat(client, ALEX)]
    assert not any("your own invite" in text for text in alexs)  # not opened in Alex's phone
    # Sam accepted: the invite lost its buttons (an edit of the keyboard only: not "edited").
    offer = sams[1]
    assert offer["buttons"] == [] and offer["edited"] is False
    people = {p["id"]: p for p in (await (await client.get("/api/state")).json())["people"]}
    assert people[ALEX]["status"] == people[SAM]["status"] == "active"
    assert at(people[ALEX]["next_prompt"]) == START.replace(hour=20)


async def test_other_links_do_not_open_a_phone(client: TestClient) -> None:
    for url in ("https://example.org/?start=abc", "https://t.me/other_bot?start=abc12345"):
        assert await post(client, "/api/open", {"user": ALEX, "url": url}) == {"opened_in": None}
    assert await chat(client, SAM) == []


async def test_next_prompt_runs_the_tick_and_the_real_sender_delivers_it(
    sandbox: Sandbox, client: TestClient
) -> None:
    await pair(sandbox, client)
    world = world_of(sandbox)
    limiter = world.app.bot.rate_limiter
    assert isinstance(limiter, PriorityRateLimiter)
    granted = limiter.granted

    answer = await post(client, "/api/time", {"action": "next"})
    assert answer["message"] == "Day 1 has arrived."
    now = at(answer["now"])
    assert START.replace(hour=20) <= now < START.replace(hour=20, minute=1)
    for user in (ALEX, SAM):
        [prompt] = await wait_for(sandbox, client, user, "Day 1 of 30")
        assert at(prompt["date"]) >= START.replace(hour=20)  # dated by the bot's clock
        assert prompt["buttons"][0][0]["data"] == "swap:1:1"
    assert limiter.granted > granted  # the prompts went through the bot's own pacing
    assert world.tg.counters["429"] == 0


async def test_an_hour_and_a_day_move_the_bots_clock_not_the_machines(
    sandbox: Sandbox, client: TestClient
) -> None:
    await pair(sandbox, client)
    await post(client, "/api/time", {"action": "next"})  # day 1 at 20:00
    hour = await post(client, "/api/time", {"action": "hour"})
    assert hour["message"] == "One hour later."
    assert (
        timedelta(hours=1)
        <= at(hour["now"]) - START.replace(hour=20)
        < timedelta(hours=1, minutes=1)
    )

    await post(client, "/api/time", {"action": "day"})  # through the night and day 2's prompt
    for user in (ALEX, SAM):
        await wait_for(sandbox, client, user, "gentle reminder")  # 4 h after the unanswered prompt
        await wait_for(sandbox, client, user, "Day 2 of 30")
    people = (await (await client.get("/api/state")).json())["people"]
    assert [p["day"] for p in people] == [2, 2]


async def test_jump_to_day_11_arrives_in_the_affection_phase(
    sandbox: Sandbox, client: TestClient
) -> None:
    await pair(sandbox, client)
    answer = await post(client, "/api/time", {"action": "goto", "day": 11})
    assert answer["message"] == "Day 11 has arrived."
    assert at(answer["now"]).date() == (START + timedelta(days=10)).date()
    for user in (ALEX, SAM):
        [prompt] = await wait_for(sandbox, client, user, "Day 11 of 30")
        assert "Affection" in prompt["html"]
        for day in range(1, 11):  # every day on the way was delivered, in order
            await wait_for(sandbox, client, user, f"Day {day} of 30")
        await wait_for(sandbox, client, user, "Ten days of listening")  # the phase recap
    refused = await post(client, "/api/time", {"action": "goto", "day": 5}, status=400)
    assert refused["error"] == "You're on day 11 already. Reset starts over."
    assert world_of(sandbox).tg.counters["429"] == 0


async def test_time_travel_before_pairing_says_what_to_do(client: TestClient) -> None:
    for body in ({"action": "next"}, {"action": "goto", "day": 3}):
        refused = await post(client, "/api/time", body, status=400)
        assert refused["error"].startswith("Nothing is scheduled yet: pair Alex and Sam first")
    assert (await post(client, "/api/time", {"action": "goto", "day": 31}, status=400))["error"]
    assert (await post(client, "/api/time", {"action": "back"}, status=400))["error"]
    later = await post(client, "/api/time", {"action": "day"})  # time itself still moves
    assert at(later["now"]) - START >= timedelta(days=1)


async def test_answers_are_revealed_in_both_phones(sandbox: Sandbox, client: TestClient) -> None:
    await pair(sandbox, client)
    await post(client, "/api/time", {"action": "next"})
    await post(client, "/api/say", {"user": ALEX, "text": "Your <laugh> & your patience"})
    await wait_for(sandbox, client, ALEX, "Saved your answer for day 1")
    await post(client, "/api/say", {"user": SAM, "text": "The way you listen"})
    for user in (ALEX, SAM):
        [reveal] = await wait_for(sandbox, client, user, "You both answered")
        assert "Your &lt;laugh&gt; &amp; your patience" in reveal["html"]  # escaped, as sent
        assert "The way you listen" in reveal["html"]
    mine = next(v for v in await chat(client, ALEX) if v["out"] and "patience" in v["text"])
    assert mine["text"] == "Your <laugh> & your patience"  # the user's own text is plain


async def test_a_photo_from_disk_and_a_voice_note_are_answers(
    sandbox: Sandbox, client: TestClient, tmp_path: Path
) -> None:
    await pair(sandbox, client)
    await post(client, "/api/time", {"action": "next"})
    photo = await client.post(
        "/api/photo",
        data={
            "user": str(ALEX),
            "caption": "our kitchen",
            "file": upload(tmp_path, "kitchen.png", PNG),
        },
    )
    assert photo.status == 200, await photo.text()
    [mine] = [v for v in await chat(client, ALEX) if v["out"] and v["media"]]
    assert mine["media"]["kind"] == "photo" and mine["text"] == "our kitchen"
    served = await client.get(mine["media"]["url"])
    assert served.status == 200 and await served.read() == PNG
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    await wait_for(sandbox, client, ALEX, "Saved your answer for day 1")

    form = {"user": str(SAM), "duration": "4", "file": upload(tmp_path, "voice.ogg", OGG)}
    voice = await client.post("/api/voice", data=form)
    assert voice.status == 200, await voice.text()
    await wait_for(sandbox, client, SAM, "You both answered")
    # Sam's reveal carries Alex's photo, served from the same upload.
    await wait_for(sandbox, client, SAM, "Alex's answer for day 1")
    media = next(v for v in await chat(client, SAM) if not v["out"] and v["media"])
    assert media["media"]["kind"] == "photo"
    assert await (await client.get(media["media"]["url"])).read() == PNG
    sams_voice = next(v for v in await chat(client, SAM) if v["out"] and v["media"])
    assert sams_voice["media"] == {
        "kind": "voice",
        "url": sams_voice["media"]["url"],
        "duration": 4,
    }
    [alexs_copy] = [
        v for v in await wait_for(sandbox, client, ALEX, "Sam's answer for day 1") if v["media"]
    ]
    assert alexs_copy["media"]["kind"] == "voice"

    not_a_photo = await client.post(
        "/api/photo", data={"user": str(ALEX), "file": upload(tmp_path, "voice.ogg", OGG)}
    )
    assert not_a_photo.status == 400
    assert "isn't a picture" in (await not_a_photo.json())["error"]


async def test_editing_an_answer_marks_it_edited_and_the_bot_notices(
    sandbox: Sandbox, client: TestClient
) -> None:
    await pair(sandbox, client)
    await post(client, "/api/time", {"action": "next"})
    sent = await post(client, "/api/say", {"user": ALEX, "text": "first try"})
    await wait_for(sandbox, client, ALEX, "Saved your answer")
    await post(client, "/api/edit", {"user": ALEX, "id": sent["id"], "text": "better words"})
    await wait_for(sandbox, client, ALEX, "Updated your answer for day 1")
    mine = next(v for v in await chat(client, ALEX) if v["id"] == sent["id"])
    assert (mine["text"], mine["edited"]) == ("better words", True)
    bots = [v for v in await chat(client, ALEX) if not v["out"]]
    refused = await post(
        client, "/api/edit", {"user": ALEX, "id": bots[0]["id"], "text": "x"}, status=400
    )
    assert refused["error"] == "Only your own text messages can be edited."


async def test_a_bots_text_edit_is_marked_edited(sandbox: Sandbox, client: TestClient) -> None:
    await pair(sandbox, client)
    await post(client, "/api/time", {"action": "next"})
    [offer] = [v for v in await wait_for(sandbox, client, ALEX, "private check-in")]
    await post(client, "/api/press", {"user": ALEX, "id": offer["id"], "data": "ci:start"})
    [question] = await wait_for(sandbox, client, ALEX, "Check-in · 1 of")
    await post(
        client,
        "/api/press",
        {"user": ALEX, "id": question["id"], "data": question["buttons"][0][2]["data"]},
    )
    [edited] = await wait_for(sandbox, client, ALEX, "Check-in · 2 of")
    assert edited["id"] == question["id"] and edited["edited"] is True
    assert "<b>Check-in · 2 of" in edited["html"]  # the HTML of the edit, not plain text


async def test_a_button_that_is_gone_is_refused_kindly(client: TestClient) -> None:
    refused = await post(client, "/api/press", {"user": ALEX, "id": 99, "data": "x"}, status=400)
    assert refused["error"] == "That button is no longer there."


async def test_names_are_editable_and_the_bot_uses_them(
    sandbox: Sandbox, client: TestClient
) -> None:
    await post(client, "/api/name", {"user": ALEX, "name": "  Robin  "})
    state = await (await client.get("/api/state")).json()
    assert state["people"][0]["name"] == "Robin"
    await post(client, "/api/say", {"user": ALEX, "text": "/start"})
    await wait_for(sandbox, client, ALEX, "Hi Robin!")
    for bad in ("", "x" * 33):
        refused = await post(client, "/api/name", {"user": ALEX, "name": bad}, status=400)
        assert "between 1 and 32" in refused["error"]


async def test_settings_change_the_zone_in_the_time_bar(
    sandbox: Sandbox, client: TestClient
) -> None:
    await pair(sandbox, client)
    await post(client, "/api/say", {"user": SAM, "text": "/timezone Asia/Tokyo"})
    await wait_for(sandbox, client, SAM, "your time zone is")
    world = world_of(sandbox)

    async def sams_zone() -> str:
        return (await world.people())[1]["zone"]

    assert await sams_zone() == "Asia/Tokyo"
    people = (await (await client.get("/api/state")).json())["people"]
    assert (people[1]["intl_zone"], people[1]["offset_minutes"]) == ("Asia/Tokyo", 540)


async def test_reset_starts_over_with_the_same_names(sandbox: Sandbox, client: TestClient) -> None:
    await post(client, "/api/name", {"user": SAM, "name": "Kim"})
    await pair(sandbox, client)
    before = world_of(sandbox)
    assert before.folder.exists()
    await post(client, "/api/reset", {})
    after = world_of(sandbox)
    assert after is not before and not before.folder.exists()
    state = await (await client.get("/api/state")).json()
    assert state["chats"] == {str(ALEX): [], str(SAM): []}
    assert [p["name"] for p in state["people"]] == ["Alex", "Kim"]
    assert [p["status"] for p in state["people"]] == ["new", "new"]
    assert at(state["now"]) - START < timedelta(minutes=1)


async def test_the_page_is_pushed_each_change(sandbox: Sandbox, client: TestClient) -> None:
    response = await client.get("/api/events")
    assert response.headers["Content-Type"] == "text/event-stream"

    async def next_event() -> dict:
        while True:
            line = (await asyncio.wait_for(response.content.readline(), 10)).decode()
            if line.startswith("data: "):
                return json.loads(line[6:])

    first = await next_event()
    assert first["type"] == "state" and first["commands"]  # the menu from setMyCommands
    await post(client, "/api/say", {"user": ALEX, "text": "/help"})
    seen = [await next_event() for _ in range(2)]
    assert [(e["type"], e["chat"], e["message"]["out"]) for e in seen] == [
        ("message", ALEX, True),
        ("message", ALEX, False),
    ]
    assert "<b>Couplet</b>" in seen[1]["message"]["html"]
    await post(client, "/api/reset", {})
    while (event := await next_event())["type"] != "state":
        pass
    assert event["chats"][str(ALEX)] == []
    response.close()


async def test_bad_requests_get_one_kind_line(client: TestClient) -> None:
    cases = [
        ({"user": 1234, "text": "hi"}, "There are two phones here: Alex's and Sam's."),
        ({"user": ALEX, "text": "   "}, "Type something first."),
        (
            {"user": ALEX, "text": "x" * 4097},
            "Telegram takes up to 4,096 characters in one message.",
        ),
        ({"user": "alex", "text": "hi"}, "The request needs a number for 'user'."),
        ({"user": ALEX}, "The request needs text for 'text'."),
    ]
    for body, message in cases:
        assert (await post(client, "/api/say", body, status=400))["error"] == message
    raw = await client.post(
        "/api/say", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert raw.status == 400 and (await raw.json())["error"] == "The request body isn't JSON."
    photo = await client.post("/api/photo", data={"user": str(ALEX)})
    assert (await photo.json())["error"] == "Pick a file to send."


async def test_only_the_sandboxs_own_page_may_post(client: TestClient) -> None:
    foreign = await client.post(
        "/api/say", json={"user": ALEX, "text": "hi"}, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status == 403
    assert await chat(client, ALEX) == []
    origin = f"http://{client.host}:{client.port}"
    same = await client.post(
        "/api/say", json={"user": ALEX, "text": "hi"}, headers={"Origin": origin}
    )
    assert same.status == 200


async def test_thirty_days_in_a_few_clicks_end_with_the_finale(
    sandbox: Sandbox, client: TestClient
) -> None:
    await pair(sandbox, client)
    assert (await post(client, "/api/time", {"action": "goto", "day": 30}))["message"] == (
        "Day 30 has arrived."
    )
    finale = await post(client, "/api/time", {"action": "next"})
    assert finale["message"] == "The 30 days are complete 🎉"
    for user in (ALEX, SAM):
        [done] = await wait_for(sandbox, client, user, "You did it: 30 days together")
        assert [b["data"] for b in done["buttons"][0]] == ["again:yes", "again:no"]
        views = await chat(client, user)
        offers = [
            v for v in views if any(b.get("data") == "ci:start" for r in v["buttons"] for b in r)
        ]
        assert len(offers) == 3  # the check-in on days 1, 15 and 30
        assert any("intimacy track" in shown(v) for v in views)  # the opt-in offer
        assert sum("To reflect on together" in shown(v) for v in views) >= 2  # a recap per phase
    people = (await (await client.get("/api/state")).json())["people"]
    assert [(p["status"], p["day"], p["next_prompt"]) for p in people] == [
        ("complete", 30, None)
    ] * 2
    refused = await post(client, "/api/time", {"action": "next"}, status=400)
    assert refused["error"] == "Nothing is scheduled: the challenge is paused or complete."
    assert world_of(sandbox).tg.counters["429"] == 0


async def test_a_zones_offset_is_the_one_at_the_simulated_time(tmp_path: Path) -> None:
    """Berlin is UTC+2 in July, whatever the machine's own date says."""
    box = Sandbox(root=tmp_path / "summer", start=datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    await box.open()
    try:
        world = world_of(box)
        world.say(SAM, "/timezone Europe/Berlin")
        await world.tg.wait_for_text(SAM, "your time zone is")
        offsets = [p["offset_minutes"] for p in await world.people()]
        assert offsets == [0, 120]
        world.clock.advance_to(
            datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
        )  # after the clocks went back
        assert [p["offset_minutes"] for p in await world.people()] == [0, 60]
    finally:
        await box.close()
