"""Every start-up problem ends in one clear line, never a traceback or the token."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from fakebot import FakeBotApiServer, FakeTelegram
from tests.process.botproc import (
    TOKEN,
    BotProcess,
    assert_clean,
    bot_env,
    free_port,
    run_bot,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


class Listener:
    """A TCP port that only counts who connects: proof that nothing touched the network."""

    def __init__(self) -> None:
        self.connections = 0
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> Listener:
        def on_connect(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            self.connections += 1
            w.close()

        self.server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


def only_line(lines: list[str]) -> str:
    assert len(lines) == 1, lines
    assert_clean(lines)
    return lines[0]


@pytest.mark.parametrize(
    ("token", "says"),
    [
        ("123456789:replace-me", "still the placeholder from .env.example"),
        ("123456:ABC-DEF", "does not look like a bot token"),
        (f"{TOKEN} ", "does not look like a bot token"),
    ],
    ids=["placeholder", "malformed", "trailing-space"],
)
async def test_a_token_that_cannot_work_stops_before_any_network(
    tmp_path: Path, token: str, says: str
) -> None:
    async with Listener() as api:
        env = bot_env(tmp_path, BOT_TOKEN=token, TELEGRAM_API_URL=api.url)
        code, lines = await run_bot(env, tmp_path)
    line = only_line(lines)
    assert code == 2
    assert says in line and "BOT_TOKEN" in line and "@BotFather" in line, line
    assert api.connections == 0


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
async def test_a_rejected_token_is_one_line_without_the_token(tmp_path: Path, level: str) -> None:
    async with FakeBotApiServer(FakeTelegram(), token="42:another-bot-entirely") as server:
        env = bot_env(tmp_path, TELEGRAM_API_URL=server.url, LOG_LEVEL=level)
        code, lines = await run_bot(env, tmp_path)
    assert code == 2
    assert_clean(lines)
    fatal = [line for line in lines if line.startswith("couplet:")]
    assert len(fatal) == 1 and "rejected BOT_TOKEN" in fatal[0] and "401" in fatal[0], lines
    if level == "INFO":
        assert lines == fatal


async def test_an_unreachable_api_is_retried_until_it_answers(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = bot_env(tmp_path, TELEGRAM_API_URL=url)
    async with BotProcess(env, tmp_path) as bot:
        await bot.wait_for_line(rf"cannot connect to the Bot API at {url} .*retrying", count=2)
        async with FakeBotApiServer(FakeTelegram(), port=port, token=TOKEN):
            await bot.wait_for_line(r"Couplet is up")
            code, _ = await bot.stop()
    assert code == 0
    assert_clean(bot.lines)
    retries = [line for line in bot.lines if "cannot connect" in line]
    assert all(url in line and "attempt" in line for line in retries), retries


async def test_5xx_at_start_is_retried_with_one_line_per_attempt(tmp_path: Path) -> None:
    tg = FakeTelegram()
    tg.fail_next(2, status=502, method="getMe")
    async with FakeBotApiServer(tg, token=TOKEN) as server:
        env = bot_env(tmp_path, TELEGRAM_API_URL=server.url)
        async with BotProcess(env, tmp_path) as bot:
            await bot.wait_for_line(r"Couplet is up")
            code, _ = await bot.stop()
    assert code == 0
    assert_clean(bot.lines)
    retries = [line for line in bot.lines if "cannot connect" in line]
    assert len(retries) == 2 and all("Bad Gateway" in r for r in retries), bot.lines


def _not_a_database(tmp_path: Path) -> str:
    path = tmp_path / "couplet.db"
    path.write_bytes(os.urandom(8192))
    return f"sqlite:///{path}"


def _folder_is_a_file(tmp_path: Path) -> str:
    (tmp_path / "data").write_text("a file where the folder should be")
    return f"sqlite:///{tmp_path}/data/couplet.db"


def _newer_schema(tmp_path: Path) -> str:
    path = tmp_path / "couplet.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    return f"sqlite:///{path}"


def _read_only_folder(tmp_path: Path) -> str:
    if os.geteuid() == 0:  # root writes into any folder of its own; sysfs refuses root too
        return "sqlite:////sys/couplet-test.db"
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    return f"sqlite:///{folder}/couplet.db"


@pytest.mark.parametrize(
    ("make_url", "says"),
    [
        (_not_a_database, "is not a SQLite database"),
        (_folder_is_a_file, "is a file"),
        (_read_only_folder, "cannot write"),
        (_newer_schema, "schema version 99, newer than this Couplet knows"),
    ],
    ids=["corrupt", "folder-is-a-file", "read-only-folder", "newer-schema"],
)
async def test_an_unusable_database_is_one_line_naming_database_url(
    tmp_path: Path, make_url: object, says: str
) -> None:
    url = make_url(tmp_path)  # type: ignore[operator]
    async with Listener() as api:
        env = bot_env(tmp_path, DATABASE_URL=url, TELEGRAM_API_URL=api.url)
        code, lines = await run_bot(env, tmp_path)
    line = only_line(lines)
    assert code == 2
    assert "DATABASE_URL" in line and says in line, line
    assert api.connections == 0  # the database is checked before the network
