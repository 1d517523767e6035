"""The control API over HTTP (``POST /_control/<op>``), for a fake running in another process."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from fakebot import FakeBotApiServer, FakeTelegram

TOKEN = "123456:TEST-token"


async def control(http: aiohttp.ClientSession, url: str, op: str, **body: Any) -> Any:
    async with http.post(f"{url}/_control/{op}", json=body) as resp:
        answer = await resp.json()
        assert resp.status == 200, answer
    return answer["result"]


async def send(http: aiohttp.ClientSession, url: str, chat_id: int, text: str) -> int:
    async with http.post(
        f"{url}/bot{TOKEN}/sendMessage", json={"chat_id": chat_id, "text": text}
    ) as r:
        return r.status


async def test_users_limits_commands_and_reports_over_http() -> None:
    tg = FakeTelegram()
    async with FakeBotApiServer(tg, control=True) as server, aiohttp.ClientSession() as http:
        url = server.url
        assert await control(http, url, "add_users", first=10, count=3, first_name="U") == 3
        assert await control(http, url, "add_users", ids=[99]) == 1
        assert await control(http, url, "set_limits", global_per_second=None,
                             per_chat_per_second=1, per_chat_burst=2)  # fmt: skip
        assert [await send(http, url, 10, f"m{i}") for i in range(3)] == [200, 200, 429]
        assert await send(http, url, 11, "Day 1 of 30") == 200

        assert await control(http, url, "send_commands", ids=[12, 99], command="help",
                             offsets=[0.0, 0.05]) == 2  # fmt: skip
        await tg.wait_until(lambda: len(tg.updates) == 2, 2)
        assert [u["message"]["text"] for u in tg.updates] == ["/help", "/help"]
        assert (await control(http, url, "replies", ids=[12, 99])) == {"12": None, "99": None}
        assert await send(http, url, 12, "help text") == 200
        replies = await control(http, url, "replies", ids=[12, 99])
        assert replies["12"] is not None and replies["12"] >= 0 and replies["99"] is None

        report = await control(http, url, "report", first=10, count=3, marker="Day 1")
        assert report["counts"] == [2, 1, 1] and report["marked"] == [0, 1, 0]
        assert len(report["times"]) == 4 and report["times"] == sorted(report["times"])
        assert len(report["marked_times"]) == 1 and len(report["other_times"]) == 3
        assert sorted(report["marked_times"] + report["other_times"]) == report["times"]
        assert report["marked_times"][0] == (await control(http, url, "times", ids=[11]))["11"][0]
        assert report["duplicates"] == 0 and len(report["flood_times"]) == 1
        progress = await control(http, url, "progress")
        assert progress["sent"] == 4 and progress["floods"] == 1 and progress["asked"] == 2
        times = await control(http, url, "times", ids=[10])
        assert times["10"] == report["times"][:2]


async def post(url: str, op: str, body: dict[str, Any]) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.post(f"{url}/_control/{op}", json=body) as r:
        return r.status, await r.text()


@pytest.mark.parametrize(
    ("op", "body", "status"),
    [("nope", {}, 404), ("send_commands", {"ids": [1], "command": "x", "offsets": []}, 400)],
)
async def test_bad_control_calls_say_what_is_wrong(op: str, body: dict, status: int) -> None:
    async with FakeBotApiServer(FakeTelegram(), control=True) as server:
        got, answer = await post(server.url, op, body)
    assert got == status and json.loads(answer)["ok"] is False


async def test_control_is_off_unless_asked_for() -> None:
    async with FakeBotApiServer(FakeTelegram()) as server:
        got, _ = await post(server.url, "progress", {})
    assert got == 404
