"""SIGKILL a real ``python -m bot`` in the middle of a broadcast, start it again, count inboxes."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.seed import seed_couples
from bot.storage import Database
from fakebot import FakeBotApiServer, FakeTelegram

COUPLES = 150
CONCURRENCY = 16
RATE = 150


def prompts_by_user(tg: FakeTelegram, users: list[int]) -> Counter[int]:
    return Counter(
        {u: sum(1 for m in tg.inbox(u) if "Day 1 of 30" in (m["text"] or "")) for u in users}
    )


async def start_bot(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
async def test_a_killed_broadcast_resumes_after_restart_nothing_lost(tmp_path: Path) -> None:
    db_file = tmp_path / "couplet.db"
    db = Database(f"sqlite:///{db_file}")
    await db.open()  # migrate
    await db.close()
    users = seed_couples(str(db_file), COUPLES, due_at=datetime.now(UTC) - timedelta(minutes=5))
    tg = FakeTelegram()
    for uid in users:
        tg.add_user(uid, f"U{uid}")
    tg.set_limits(global_per_second=RATE, per_chat_per_second=1, per_chat_burst=3)
    async with FakeBotApiServer(tg) as server:
        env = {
            **os.environ,
            "BOT_TOKEN": "123456:CRASH-TEST-well-formed-35-chars-xyz",
            "TELEGRAM_API_URL": server.url,
            "DATABASE_URL": f"sqlite:///{db_file}",
            "SCHEDULER_INTERVAL_SECONDS": "0.2",
            "DELIVERY_RATE_PER_SECOND": str(RATE),
            "DELIVERY_CONCURRENCY": str(CONCURRENCY),
            "LOG_LEVEL": "WARNING",
        }
        bot = await start_bot(env, tmp_path)
        try:
            mid = await tg.wait_until(lambda: sum(prompts_by_user(tg, users).values()) >= 100, 30)
            assert mid, "the broadcast never got going"
            bot.send_signal(signal.SIGKILL)
            await bot.wait()
            at_kill = sum(prompts_by_user(tg, users).values())
            assert at_kill < len(users), "killed too late to test anything"

            bot = await start_bot(env, tmp_path)
            done = await tg.wait_until(lambda: min(prompts_by_user(tg, users).values()) >= 1, 30)
            assert done, "some users never got their prompt"
            await asyncio.sleep(0.5)  # anything still trickling in counts as a duplicate too
        finally:
            if bot.returncode is None:
                bot.send_signal(signal.SIGTERM)
                await asyncio.wait_for(bot.wait(), 15)
    counts = prompts_by_user(tg, users)
    duplicates = sum(n - 1 for n in counts.values())
    assert all(n >= 1 for n in counts.values())  # nobody lost
    # Only messages in flight at the kill can repeat: requests out (at most CONCURRENCY) plus
    # confirmations not yet recorded (about RATE x 0.05 s).
    assert duplicates <= CONCURRENCY + RATE // 20 + 1, duplicates
