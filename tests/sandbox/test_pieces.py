"""The sandbox's parts: its clock, links, zones, uploads, chat views, static files, isolation."""

from __future__ import annotations

import ast
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from fakebot import FakeTelegram
from sandbox.clock import SimClock
from sandbox.transcript import Transcript
from sandbox.web import STATIC
from sandbox.world import FileStore, SandboxError, deep_link_code, intl_zone

ROOT = Path(__file__).resolve().parents[2]
ANN = 1001
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_the_clock_flows_and_jumps_wall_time_and_limits_time_together() -> None:
    clock = SimClock(START)
    wall, mono = clock.now(), clock.monotonic()
    assert timedelta(0) <= wall - START < timedelta(seconds=1)
    time.sleep(0.05)
    assert clock.now() > wall and clock.monotonic() > mono  # real time flows
    clock.advance_to(START + timedelta(days=1))
    assert timedelta(days=1) <= clock.now() - START < timedelta(days=1, seconds=1)
    assert (
        clock.monotonic() - mono >= 86_400 - 0.01
    )  # the limits' clock jumped with it (float rounding)
    before = clock.now()
    clock.advance_to(START)  # never backwards
    clock.advance(-5)
    assert clock.now() >= before
    assert clock.epoch() == pytest.approx(clock.now().timestamp(), abs=0.01)
    with pytest.raises(ValueError, match="time zone"):
        SimClock(datetime(2026, 3, 2, 9, 0))


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("https://t.me/couplet_sandbox_bot?start=AbC-12_x", "AbC-12_x"),
        ("https://t.me/Couplet_Sandbox_Bot/?start=AbC", "AbC"),
        ("https://telegram.me/couplet_sandbox_bot?start=AbC", "AbC"),
        (
            "https://t.me/share/url?url=https%3A%2F%2Ft.me%2Fcouplet_sandbox_bot%3Fstart%3DAbC"
            "&text=Let%27s",
            "AbC",
        ),
        ("https://t.me/someone_else_bot?start=AbC", None),
        ("https://t.me/couplet_sandbox_bot", None),
        ("https://t.me/couplet_sandbox_bot?start=<script>", None),
        ("https://example.org/couplet_sandbox_bot?start=AbC", None),
        ("javascript:alert(1)", None),
        ("http://[::1", None),
    ],
)
def test_deep_links(url: str, code: str | None) -> None:
    assert deep_link_code(url, "couplet_sandbox_bot") == code


def test_zones_as_the_page_knows_them() -> None:
    assert intl_zone("Europe/Berlin") == "Europe/Berlin"
    assert intl_zone("UTC") == "UTC"
    assert intl_zone("UTC+02:00") == "Etc/GMT-2"  # POSIX signs are inverted
    assert intl_zone("UTC-05:00") == "Etc/GMT+5"
    assert intl_zone("UTC+05:30") is None  # the page uses the fixed offset instead


def test_uploads_are_found_by_every_size_the_fake_names() -> None:
    files = FileStore()
    file_id = files.add("photo", "image/png", b"png")
    assert file_id == "sandbox-photo-1"
    for name in (file_id, f"{file_id}-90", f"{file_id}-320"):
        found = files.get(name)
        assert found is not None and found.data == b"png"
    assert files.get("sandbox-photo-2") is None
    with pytest.raises(SandboxError, match="empty"):
        files.add("photo", "image/png", b"")
    with pytest.raises(SandboxError, match="10 MB"):
        files.add("photo", "image/png", b"x" * (10 * 1024 * 1024 + 1))


@pytest.fixture
def pushed() -> list[dict[str, Any]]:
    return []


@pytest.fixture
def tg(pushed: list[dict[str, Any]]) -> FakeTelegram:
    telegram = FakeTelegram()
    telegram.add_user(ANN, "Ann")
    telegram.add_user(2002, "Outsider")
    telegram.subscribe(Transcript([ANN], pushed.append))
    return telegram


async def send(tg: FakeTelegram, method: str, **params: Any) -> dict[str, Any]:
    status, body = await tg.call(method, {"chat_id": ANN, **params})
    assert status == 200, body
    return body["result"]


async def test_views_keep_the_bots_html_and_the_users_plain_text(
    tg: FakeTelegram, pushed: list[dict[str, Any]]
) -> None:
    tg.send_text(ANN, "a <b> that is text")
    keyboard = {
        "inline_keyboard": [
            [{"text": "Yes", "callback_data": "y"}, {"text": "Site", "url": "https://example.org"}]
        ]
    }
    await send(tg, "sendMessage", text="<b>Day 1</b> &amp; <tg-spoiler>more</tg-spoiler>",
               parse_mode="HTML", reply_markup=keyboard, reply_parameters={"message_id": 1})  # fmt: skip
    await send(tg, "sendMessage", text="no <parse mode>")
    mine, bots, plain = (event["message"] for event in pushed)
    assert (mine["out"], mine["text"]) == (True, "a <b> that is text")
    assert (bots["out"], bots["html"]) == (
        False,
        "<b>Day 1</b> &amp; <tg-spoiler>more</tg-spoiler>",
    )
    assert bots["buttons"] == [
        [{"text": "Yes", "data": "y"}, {"text": "Site", "url": "https://example.org"}]
    ]
    assert bots["reply_to"] == {"id": 1, "bot": False, "snippet": "a <b> that is text"}
    assert plain["html"] == "no &lt;parse mode&gt;"  # shown as the text it is


async def test_edits_deletions_and_button_answers_as_telegram_shows_them(
    tg: FakeTelegram, pushed: list[dict[str, Any]]
) -> None:
    keyboard = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    sent = await send(
        tg, "sendMessage", text="<i>Pick</i>", parse_mode="HTML", reply_markup=keyboard
    )
    await send(tg, "editMessageReplyMarkup", message_id=sent["message_id"])
    after_keyboard = pushed[-1]["message"]
    assert (after_keyboard["html"], after_keyboard["buttons"]) == ("<i>Pick</i>", [])
    assert after_keyboard["edited"] is False  # a keyboard change is not an "edited" message
    await send(
        tg,
        "editMessageText",
        message_id=sent["message_id"],
        text="<b>Picked</b>",
        parse_mode="HTML",
    )
    assert (pushed[-1]["type"], pushed[-1]["message"]["html"], pushed[-1]["message"]["edited"]) == (
        "edit", "<b>Picked</b>", True,
    )  # fmt: skip
    query = tg.press_button(
        ANN, {"chat_id": ANN, "message_id": sent["message_id"]}, "go", check=False
    )
    await tg.call(
        "answerCallbackQuery", {"callback_query_id": query, "text": "Done ✓", "show_alert": True}
    )
    assert pushed[-1] == {"type": "toast", "chat": ANN, "text": "Done ✓", "alert": True}
    await send(tg, "deleteMessage", message_id=sent["message_id"])
    assert pushed[-1] == {"type": "delete", "chat": ANN, "id": sent["message_id"]}


async def test_only_the_sandboxs_chats_are_shown(
    tg: FakeTelegram, pushed: list[dict[str, Any]]
) -> None:
    tg.send_text(2002, "hello")
    assert pushed == []


async def test_a_deep_link_start_shows_as_start_like_in_telegram(
    pushed: list[dict[str, Any]],
) -> None:
    tg = FakeTelegram()
    tg.add_user(ANN, "Ann")
    transcript = Transcript([ANN], pushed.append)
    tg.subscribe(transcript)
    transcript.expect_deep_link(ANN, "/start AbC123")
    tg.send_text(ANN, "/start AbC123")
    tg.send_text(ANN, "/start AbC123")  # typed by hand the second time: shown as typed
    first, second = (event["message"] for event in pushed)
    assert (first["text"], first.get("deep_link")) == ("/start", True)
    assert (second["text"], second.get("deep_link")) == ("/start AbC123", None)


def test_nothing_on_the_page_comes_from_elsewhere() -> None:
    """No CDN, no web font, no remote script or image: every asset is a file in the package."""
    remote = re.compile(
        r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import|from\s+["'](?:https?:)?//"""
    )
    names = sorted(p.name for p in STATIC.iterdir())
    assert names == ["app.js", "index.html", "render.js", "style.css"]
    for path in STATIC.iterdir():
        assert not remote.search(path.read_text()), path.name


async def test_the_page_and_its_files_are_served_with_a_strict_policy(client: Any) -> None:
    page = await client.get("/")
    assert page.status == 200 and "<title>Couplet sandbox</title>" in await page.text()
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    for name, kind in (("app.js", "javascript"), ("render.js", "javascript"), ("style.css", "css")):
        asset = await client.get(f"/static/{name}")
        assert asset.status == 200 and kind in asset.headers["Content-Type"], name
    assert (await client.get("/files/nothing")).status == 404


def test_pyproject_ships_the_page_as_package_data() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert '"sandbox*"' in text and 'sandbox = ["static/*"]' in text


def test_production_code_never_imports_the_sandbox() -> None:
    offenders = []
    for folder in ("bot", "scheduler", "prompts", "fakebot"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                offenders += [
                    f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] == "sandbox"
                ]
    assert offenders == []
