"""The sandbox page in headless Chromium (Playwright with Debian's chromium).

The first test is a newcomer's first two minutes: pair by clicking, answer day 1 in both phones,
see the reveal, jump to day 11, press an inline button. It writes docs/sandbox.png, the
screenshot in the README. The others cover what a chat shows: the command menu, edits, a
deletion, a voice note, settings that move the time bar, and Telegram HTML rendered safely.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sandbox.world import ALEX, SAM
from tests.sandbox.live import LiveSandbox, chromium_or_skip

CHROMIUM = chromium_or_skip()  # without it this module is skipped (and fails under CI=true)

from playwright.sync_api import expect, sync_playwright  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "sandbox.png"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WAIT = 20_000  # ms: the bot paces its messages like Telegram wants (about one per second per chat)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Any) -> Iterator[Any]:
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
    yield launched
    launched.close()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveSandbox]:
    with LiveSandbox(tmp_path / "sandbox", START) as running:
        yield running


class Watched:
    """A page, plus every script error and every request that left the machine."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on(
            "console",
            lambda msg: msg.type == "error" and self.problems.append(f"console: {msg.text}"),
        )
        page.on(
            "request",
            lambda request: (
                not request.url.startswith(("http://127.0.0.1:", "blob:", "data:"))
                and self.problems.append(f"request to {request.url}")
            ),
        )


@pytest.fixture
def watched(browser: Any, live: LiveSandbox) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1240, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(WAIT)
    page.goto(live.url)
    yield Watched(page)
    context.close()


def phone(page: Any, user: int) -> Any:
    return page.locator(f'.phone[data-user="{user}"]')


def bubble(where: Any, text: str) -> Any:
    return where.locator(".bubble", has_text=text)


def write_png(path: Path, width: int = 480, height: int = 360) -> Path:
    """A small warm gradient, as a photo picked from disk."""
    rows = b"".join(
        b"\x00"
        + bytes(
            channel
            for x in range(width)
            for channel in (240 - x * 60 // width, 150 + y * 70 // height, 110 + x * 90 // width)
        )
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


def answer(where: Any, text: str) -> None:
    box = where.locator("textarea")
    box.fill(text)
    box.press("Enter")


def test_pair_answer_reveal_and_walk_to_day_11(watched: Watched, tmp_path: Path) -> None:
    page = watched.page
    alex, sam = phone(page, ALEX), phone(page, SAM)
    expect(page.locator("#coach")).to_contain_text("Tap Start in Alex's phone")

    # Pairing, as in Telegram: Alex starts the bot, and the invite link he would send to Sam
    # opens the invite in Sam's phone.
    alex.get_by_role("button", name="Start", exact=True).click()
    expect(bubble(alex, "Hi Alex!")).to_be_visible()
    alex.locator(".bubble a.link", has_text="?start=").click()
    expect(sam.locator(".row.out .bubble", has_text="/start")).to_be_visible()
    expect(bubble(sam, "Alex invited you")).to_be_visible()
    expect(bubble(alex, "your own invite link")).to_have_count(0)
    sam.get_by_role("button", name="💞 Accept").click()
    expect(bubble(sam, "You and Alex are paired!")).to_be_visible()
    expect(bubble(alex, "Sam accepted your invite!")).to_be_visible()  # through the outbox
    expect(sam.get_by_role("button", name="💞 Accept")).to_have_count(0)  # the keyboard is gone

    # Sam lives an hour ahead: settings work from the chat, and the time bar follows.
    answer(sam, "/timezone Europe/Berlin")
    expect(bubble(sam, "your time zone is Europe/Berlin")).to_be_visible()
    expect(page.locator(f'.clock[data-user="{SAM}"] .clock-date')).to_contain_text("Europe/Berlin")

    # Day 1, answered in both phones: text in Alex's, a photo from disk in Sam's.
    alex.get_by_role("button", name="▶️ Start now").click()
    for who in (alex, sam):
        expect(bubble(who, "Day 1 of 30 · Trust & communication")).to_be_visible()
    answer(alex, "When you made coffee without asking, the morning I was so tired.")
    expect(bubble(alex, "Saved your answer for day 1")).to_be_visible()
    sam.locator("input.file").set_input_files(str(write_png(tmp_path / "walk.png")))
    sam.locator(".caption").fill("Our walk home in the rain")
    sam.get_by_role("button", name="Send", exact=True).click()
    for who in (alex, sam):
        reveal = bubble(who, "You both answered")
        expect(reveal).to_be_visible()
        expect(reveal.locator("strong", has_text="Day 1 · You both answered")).to_be_visible()
    expect(bubble(sam, "When you made coffee without asking")).to_have_count(1)  # in the reveal
    photo = alex.locator(".row.in img.photo")
    expect(photo).to_be_visible()  # Sam's photo, revealed to Alex
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 480", arg=photo.element_handle()
    )

    # Time travel: ten days on, the affection phase begins.
    page.fill("#goto-day", "11")
    page.get_by_role("button", name="Go", exact=True).click()
    for who in (alex, sam):
        expect(bubble(who, "Day 11 of 30 · Affection & closeness")).to_be_visible()
    expect(page.locator(".journey-label")).to_contain_text("Day 11 of 30 · Affection & closeness")
    expect(page.locator(f'.clock[data-user="{ALEX}"] .clock-date')).to_contain_text("Thu 12 Mar")

    # An inline button: swap day 11's prompt for another, for both of them.
    day_11 = alex.locator(".row", has=page.locator(".bubble", has_text="Day 11 of 30"))
    day_11.get_by_role("button", name="🔀 Swap this prompt").click()
    expect(bubble(alex, "Swapped ✓")).to_be_visible()
    expect(bubble(sam, "Today's prompt was swapped")).to_be_visible()
    expect(day_11.get_by_role("button", name="🔀 Swap this prompt")).to_have_count(0)

    answer(alex, "A long hug in the kitchen. I noticed my shoulders drop.")
    answer(sam, "That you hold my hand first when we cross the street.")
    for who in (alex, sam):
        expect(bubble(who, "Day 11 · You both answered")).to_be_visible()

    page.mouse.move(0, 0)
    page.wait_for_function(  # toasts gone, faded out and all
        """() => [...document.querySelectorAll(".toast, .page-toast")]
            .every((el) => getComputedStyle(el).opacity === "0")""",
        timeout=8_000,
    )
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert watched.problems == []


def test_menu_edits_deletion_voice_and_settings(watched: Watched, live: LiveSandbox) -> None:
    page = watched.page
    alex, sam = phone(page, ALEX), phone(page, SAM)
    world = live.world

    async def pair_and_start() -> None:
        world.say(ALEX, "/start")
        link = await world.tg.wait_for_text(ALEX, "?start=")
        code = re.search(r"start=([\w-]+)", link["text"]).group(1)  # type: ignore[union-attr]
        world.open_link(ALEX, f"https://t.me/{world.tg.username}?start={code}")
        offer = await world.tg.wait_for_text(SAM, "invited you")
        world.press(SAM, offer["message_id"], f"pair:accept:{code}")
        await world.tg.wait_for_text(ALEX, "accepted your invite")
        await world.travel("next")

    live.run(pair_and_start())
    for who in (alex, sam):
        expect(bubble(who, "Day 1 of 30")).to_be_visible()

    # The "/" menu lists what the bot announced with setMyCommands.
    alex.get_by_role("button", name="Commands").click()
    item = alex.get_by_role("menuitem", name=re.compile(r"^\/progress"))
    expect(item).to_contain_text("Your day, phase and streak")
    expect(alex.get_by_role("menuitem")).to_have_count(len(world.tg.commands))
    item.click()
    progress = bubble(alex, "Day 1 of 30 ·").last
    expect(progress.locator("code")).to_be_visible()  # <code> rendered, not shown as text

    # Editing an answer: the bubble says "edited", and the bot takes the new version.
    answer(alex, "first thoughts")
    expect(bubble(alex, "Saved your answer for day 1")).to_be_visible()
    mine = alex.locator(".row.out", has_text="first thoughts")
    mine.hover()
    mine.get_by_role("button", name="Edit").click()
    expect(alex.locator(".compose-bar")).to_contain_text("Edit message")
    answer(alex, "better thoughts")
    edited = alex.locator(".row.out", has_text="better thoughts")
    expect(edited.locator(".meta .edited")).to_have_text("edited")
    expect(bubble(alex, "Updated your answer for day 1")).to_be_visible()

    # A voice note from a browser without a microphone: a stand-in recording goes instead.
    sam.get_by_role("button", name="Record a voice note").click()
    expect(sam.locator(".row.out .voice")).to_be_visible()
    expect(bubble(sam, "You both answered")).to_be_visible()
    voice = alex.locator(".row.in .voice")
    expect(voice).to_be_visible()  # Sam's voice note, revealed to Alex
    url = live.run(_voice_url(live))
    fetched = page.request.get(live.url + url)
    assert fetched.status == 200 and fetched.headers["content-type"] == "audio/wav"

    # The bot edits a message in place (a check-in question), then deletes it.
    alex.locator(".row", has_text="A private check-in").get_by_role(
        "button", name="🪞 Start check-in"
    ).click()
    question = alex.locator(".row", has=page.locator(".bubble", has_text="Check-in · 1 of"))
    expect(question).to_be_visible()
    message_id = int(question.get_attribute("data-id") or 0)
    question.get_by_role("button", name="4", exact=True).click()
    same = alex.locator(f'.row[data-id="{message_id}"]')
    expect(same).to_contain_text("Check-in · 2 of")
    expect(same.locator(".meta .edited")).to_have_text("edited")
    live.run(world.app.bot.delete_message(ALEX, message_id))
    expect(same).to_have_count(0)  # gone without a trace, as in Telegram

    # Settings from the chat move the time bar: Sam moves to Tokyo.
    answer(sam, "/timezone Asia/Tokyo")
    expect(bubble(sam, "your time zone is Asia/Tokyo")).to_be_visible()
    sams_clock = page.locator(f'.clock[data-user="{SAM}"]')
    expect(sams_clock.locator(".clock-date")).to_contain_text("Asia/Tokyo")
    expect(sam.locator(".owner-zone")).to_have_text("Asia/Tokyo")
    alex_time = page.locator(f'.clock[data-user="{ALEX}"] .clock-time').inner_text()
    assert sams_clock.locator(".clock-time").inner_text() == _plus_hours(alex_time, 9)

    # Names are editable.
    name = sam.locator(".owner-name")
    name.fill("Kim")
    name.press("Enter")
    expect(sams_clock.locator(".clock-name")).to_have_text("Kim")

    # Reset asks once more, then starts over: empty chats, a fresh bot, the names kept.
    page.get_by_role("button", name="Reset").click()
    page.get_by_role("button", name="Sure? Tap again").click()
    for who in (alex, sam):
        expect(who.get_by_role("button", name="Start", exact=True)).to_be_visible()
        expect(who.locator(".row")).to_have_count(0)
    expect(sams_clock.locator(".clock-name")).to_have_text("Kim")
    expect(page.locator("#coach")).to_contain_text("Tap Start in Alex's phone")
    assert live.world is not world
    assert watched.problems == []


async def _voice_url(live: LiveSandbox) -> str:
    views = live.world.transcript.snapshot(ALEX)
    return next(v["media"]["url"] for v in views if v["media"] and v["media"]["kind"] == "voice")


def _plus_hours(clock: str, hours: int) -> str:
    hour, minute = clock.split(":")
    return f"{(int(hour) + hours) % 24:02d}:{minute}"


def test_a_voice_note_recorded_with_a_microphone(playwright: Any, live: LiveSandbox) -> None:
    """MediaRecorder with Chromium's fake microphone: record, stop, and it is Sam's answer."""
    fake_microphone = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=fake_microphone)
    try:
        context = browser.new_context(viewport={"width": 1240, "height": 1000})
        context.grant_permissions(["microphone"])
        watched = Watched(context.new_page())
        page = watched.page
        page.set_default_timeout(WAIT)
        page.goto(live.url)
        sam = phone(page, SAM)
        sam.get_by_role("button", name="Start", exact=True).click()
        expect(bubble(sam, "Hi Sam!")).to_be_visible()
        sam.get_by_role("button", name="Record a voice note").click()
        expect(sam.locator(".recording .rec-time")).to_have_text(re.compile(r"0:0[1-9]"))
        sam.get_by_role("button", name="Send the voice note").click()
        recorded = sam.locator(".row.out .voice")
        expect(recorded).to_be_visible()
        expect(recorded.locator(".voice-time")).to_have_text(re.compile(r"0:0[1-9]"))
        expect(bubble(sam, "not paired yet")).to_be_visible()  # the bot read it as an answer
        expect(sam.locator(".toast.shown")).to_have_count(0)  # no stand-in was needed
        views = live.run(_snapshot(live, SAM))
        [voice] = [v["media"] for v in views if v["media"]]
        fetched = page.request.get(live.url + voice["url"])
        assert fetched.status == 200 and fetched.headers["content-type"].startswith("audio/")
        assert len(fetched.body()) > 1000  # a real recording, not an empty blob
        assert watched.problems == []
    finally:
        browser.close()


async def _snapshot(live: LiveSandbox, user: int) -> list[dict[str, Any]]:
    return live.world.transcript.snapshot(user)


HOSTILE = (
    "<b>bold</b> <i>italic</i> <u>under</u> <s>gone</s> <code>x = 1</code> "
    '<a href="https://example.org">site</a> <a href="javascript:alert(1)">js</a> '
    '<tg-spoiler>secret</tg-spoiler> <span class="tg-spoiler">also</span> '
    '<blockquote>quoted</blockquote> <pre><code class="language-py">print(1)</code></pre> '
    '<img src="/nope" onerror="window.pwned = 1"><script>window.pwned = 2</script>'
    '<b onclick="window.pwned = 3">click</b> /today and https://t.me/x?start=abc.'
)


def test_telegram_html_is_rendered_with_only_the_allowed_tags(watched: Watched) -> None:
    page = watched.page
    result = page.evaluate(
        """async (html) => {
            const { renderHtml } = await import("/static/render.js");
            const box = document.createElement("div");
            box.append(renderHtml(html, {}));
            document.body.append(box);
            await new Promise((r) => setTimeout(r, 200));
            const tags = [...box.querySelectorAll("*")].map((e) => e.tagName.toLowerCase());
            const attrs = [...box.querySelectorAll("*")].flatMap((e) => e.getAttributeNames());
            return {
                tags, attrs, text: box.textContent, pwned: window.pwned ?? null,
                links: [...box.querySelectorAll("a")].map((a) => [a.className, a.getAttribute("href")]),
                spoilers: box.querySelectorAll(".spoiler").length,
                lang: box.querySelector("pre")?.dataset.lang ?? null,
            };
        }""",
        HOSTILE,
    )
    assert result["pwned"] is None
    assert "img" not in result["tags"] and "script" not in result["tags"]
    assert set(result["tags"]) <= {
        "strong",
        "em",
        "u",
        "s",
        "code",
        "a",
        "span",
        "blockquote",
        "pre",
    }
    assert not [a for a in result["attrs"] if a.startswith("on") or a in ("src", "style")]
    assert result["links"] == [
        ["link", "https://example.org"],
        ["command", "#"],
        ["link", "https://t.me/x?start=abc"],  # found in plain text, the full stop left out
    ]
    assert "js" in result["text"] and "click" in result["text"]  # refused tags keep their text
    assert result["spoilers"] == 2 and result["lang"] == "py"
    # Parsing the hostile handlers makes the page's own CSP report them (and block them too).
    assert [p for p in watched.problems if "Content Security Policy" not in p] == []
