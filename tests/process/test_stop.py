"""SIGTERM and SIGINT stop a real ``python -m bot`` within 5 s at any moment, with exit 0."""

from __future__ import annotations

import signal
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.seed import seed_couples
from bot.storage import Database
from fakebot import FakeBotApiServer, FakeTelegram
from tests.process.botproc import TOKEN, BotProcess, assert_clean, bot_env, free_port

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

CONCURRENCY = 16


def assert_stopped(lines: list[str], sig: signal.Signals, code: int, seconds: float) -> None:
    assert code == 0, "\n".join(lines)
    assert seconds < 5, f"took {seconds:.1f} s to stop"
    assert_clean(lines)
    said = [line for line in lines if sig.name in line]
    assert len(said) == 1 and "stopping" in said[0], lines
    assert lines[-1].endswith("stopped"), lines
    assert not [line for line in lines if " ERROR " in line or " CRITICAL " in line], lines


async def test_sigterm_during_start_up_retries(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    async with BotProcess(bot_env(tmp_path, TELEGRAM_API_URL=url), tmp_path) as bot:
        await bot.wait_for_line("cannot connect to the Bot API", count=2)
        code, seconds = await bot.stop()
    assert_stopped(bot.lines, signal.SIGTERM, code, seconds)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_a_stop_signal_right_after_start_up(tmp_path: Path, sig: signal.Signals) -> None:
    async with FakeBotApiServer(FakeTelegram(), token=TOKEN) as server:
        env = bot_env(tmp_path, TELEGRAM_API_URL=server.url)
        async with BotProcess(env, tmp_path) as bot:
            await bot.wait_for_line("Couplet is up")  # the first getUpdates is on its way
            code, seconds = await bot.stop(sig)
    assert_stopped(bot.lines, sig, code, seconds)


async def test_sigterm_mid_wave_leaves_the_rest_to_the_outbox(tmp_path: Path) -> None:
    db_file = tmp_path / "couplet.db"
    db = Database(f"sqlite:///{db_file}")
    await db.open()
    await db.close()
    users = seed_couples(str(db_file), 1500, due_at=datetime.now(UTC) - timedelta(minutes=1))
    tg = FakeTelegram()
    for uid in users:
        tg.add_user(uid, f"U{uid}")
    tg.set_limits(global_per_second=30, per_chat_per_second=1, per_chat_burst=3)

    def delivered() -> int:
        return sum(len(tg.inbox(u)) for u in users)

    async with FakeBotApiServer(tg, token=TOKEN) as server:
        env = bot_env(
            tmp_path,
            TELEGRAM_API_URL=server.url,
            SCHEDULER_INTERVAL_SECONDS="0.5",
            DELIVERY_CONCURRENCY=str(CONCURRENCY),
        )
        async with BotProcess(env, tmp_path) as bot:
            assert await tg.wait_until(lambda: delivered() >= 40, 60), bot.output
            code, seconds = await bot.stop()
        received = delivered()
    assert_stopped(bot.lines, signal.SIGTERM, code, seconds)
    with sqlite3.connect(db_file) as conn:  # closed cleanly, the rest waits in the outbox
        (check,) = conn.execute("PRAGMA integrity_check").fetchone()
        counts = dict(conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status"))
    assert check == "ok"
    assert set(counts) <= {"sent", "pending"}, counts
    assert counts.get("pending", 0) > 0, "the wave was over before the signal: nothing tested"
    # Every message Telegram got is recorded as sent, but for the sends cut short in flight.
    assert counts["sent"] <= received <= counts["sent"] + CONCURRENCY, (counts, received)
