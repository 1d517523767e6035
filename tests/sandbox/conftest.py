"""Fixtures for the sandbox: its web app in-process, driven over real HTTP by an aiohttp client."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from sandbox.web import Sandbox, make_app
from sandbox.world import ALEX, SAM, World

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning; prompts come at 20:00 UTC


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    box = Sandbox(root=tmp_path / "sandbox", start=START)
    await box.open()
    yield box
    await box.close()


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(make_app(sandbox))) as http:
        yield http


def world_of(sandbox: Sandbox) -> World:
    assert sandbox.world is not None
    return sandbox.world


async def post(client: TestClient, path: str, body: dict[str, Any], status: int = 200) -> Any:
    response = await client.post(path, json=body)
    data = await response.json()
    assert response.status == status, data
    return data


async def chat(client: TestClient, user: int) -> list[dict[str, Any]]:
    state = await (await client.get("/api/state")).json()
    return state["chats"][str(user)]


def shown(view: dict[str, Any]) -> str:
    return view.get("text") or view.get("html") or ""


async def wait_for(
    sandbox: Sandbox, client: TestClient, user: int, needle: str, count: int = 1
) -> list[dict[str, Any]]:
    """Views in ``user``'s chat containing ``needle``, once there are ``count`` (bot pacing)."""
    world = world_of(sandbox)

    def found() -> list[dict[str, Any]]:
        return [v for v in world.transcript.snapshot(user) if needle in shown(v)]

    assert await world.tg.wait_until(lambda: len(found()) >= count, 15), (
        f"{user}: no {needle!r} in {[shown(v)[:60] for v in world.transcript.snapshot(user)]}"
    )
    return found()


async def pair(sandbox: Sandbox, client: TestClient) -> str:
    """Alex sends /start, taps the invite link (it opens in Sam's phone), Sam accepts."""
    await post(client, "/api/say", {"user": ALEX, "text": "/start"})
    [invite] = await wait_for(sandbox, client, ALEX, "?start=")
    link = re.search(r"https://t\.me/\S+", invite["html"]).group(0)  # type: ignore[union-attr]
    opened = await post(client, "/api/open", {"user": ALEX, "url": link})
    assert opened == {"opened_in": SAM}
    [offer] = await wait_for(sandbox, client, SAM, "invited you")
    accept = offer["buttons"][0][0]
    await post(client, "/api/press", {"user": SAM, "id": offer["id"], "data": accept["data"]})
    await wait_for(sandbox, client, ALEX, "accepted your invite")
    return link
