"""``python -m bench.erase``: how long ``/delete_my_data`` holds the write lock as data grows.

Seeds ``--couples`` active couples (each partner with a delivered prompt in the outbox and a
delivery record, as after a day of use), then erases ``--samples`` users spread over the id
range through the real flow and prints the median and worst time per erase.

    .venv/bin/python -m bench.erase --couples 100000 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from bench.seed import FIRST_USER, seed_couples
from bot.config import Settings
from bot.context import Couplet
from bot.flows import lifecycle
from bot.storage import Database
from prompts.loader import load_library


def seed_history(path: str, couples: int) -> None:
    """One sent prompt and one delivery record per partner, as the tick leaves them."""
    now = int(datetime.now(UTC).timestamp())
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.executemany(
            "INSERT INTO outbox (key, chat_id, kind, method, payload, priority, not_before,"
            " status, ref, message_id, created_at, sent_at)"
            " VALUES (?, ?, 'prompt', 'sendMessage', '', 2, ?, 'sent', ?, 1, ?, ?)",
            (
                (f"prompt:{uid}:{c}:1:1", uid, now, f"c{c}:r1:d1", now, now)
                for c in range(1, couples + 1)
                for uid in (FIRST_USER + 2 * (c - 1), FIRST_USER + 2 * (c - 1) + 1)
            ),
        )
        conn.executemany(
            "INSERT INTO deliveries (user_id, couple_id, round, day, slot_at, delivered_at)"
            " VALUES (?, ?, 1, 1, ?, ?)",
            (
                (uid, c, now, now)
                for c in range(1, couples + 1)
                for uid in (FIRST_USER + 2 * (c - 1), FIRST_USER + 2 * (c - 1) + 1)
            ),
        )


async def measure(couples: int, samples: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/erase.db"
        db = Database(f"sqlite:///{path}")
        await db.open()  # migrate
        await db.close()
        seed_couples(path, couples, due_at=datetime.now(UTC) + timedelta(hours=1))
        seed_history(path, couples)
        settings = Settings(bot_token="1:bench", database_url=f"sqlite:///{path}", _env_file=None)  # type: ignore[call-arg]
        app = Couplet(settings=settings, db=Database(settings.database_url), library=load_library())
        await app.db.open()
        try:
            step = max(1, couples // samples)
            times = []
            for i in range(samples):
                user = FIRST_USER + 2 * ((i * step) % couples)
                started = time.perf_counter()
                result = await lifecycle.delete_data(app, user)
                times.append((time.perf_counter() - started) * 1000)
                assert result.ok
        finally:
            await app.db.close()
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.erase", description=__doc__)
    parser.add_argument("--couples", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    print("| couples stored | /delete_my_data median | worst |")
    print("| --- | --- | --- |")
    for couples in args.couples:
        median, worst = asyncio.run(measure(couples, args.samples))
        print(f"| {couples:,} | {median:.1f} ms | {worst:.1f} ms |", flush=True)


if __name__ == "__main__":
    main()
