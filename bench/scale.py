"""``python -m bench.scale``: the scheduler tick on PostgreSQL with many couples stored.

Seeds a throwaway schema on the PostgreSQL of ``--url`` (default: the test server,
127.0.0.1:5432, database ``test``) server-side with ``generate_series``: ``--couples``
couples stored (1,000,000 by default), ``--due`` partners due now, the rest due in 12 hours.
Then times ``run_due`` as the job runs it, with the tick's process peak memory, and drops the
schema. Prints one line per number. About a minute on a 2-core machine.

``--repeat N`` (default 5) runs the same tick N times, putting the due partners back between
runs (their days, deliveries and outbox rows deleted, the tables vacuumed): the first run is a
fresh process's first tick (statements not yet prepared on the pool's connection), the others
what a running instance's tick costs. Each run is printed, then the median: on a shared
machine one run can be twice the others.

The two-instance waves (20,000 messages at 30/s and at 1000/s) are in ``python -m
bench.delivery --only two-free --only two-paid`` (``bench/instances.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from bench.delivery import settings_for
from bot.app import build_application
from bot.context import KEY, Couplet
from bot.storage import Database
from scheduler.due import run_due

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


async def seed(url: str, couples: int, due: int, now: datetime) -> None:
    """Couples 1..``couples``; the first ``due // 2`` couples' partners are due at ``now``."""
    stamp, later = int(now.timestamp()), int((now + timedelta(hours=12)).timestamp())
    due_couples = due // 2
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "INSERT INTO couples (id, user_a, user_b, status, round, started_at)"
            " SELECT g, 2 * g, 2 * g + 1, 'active', 1, $2 FROM generate_series(1, $1) g",
            couples, stamp,
        )  # fmt: skip
        await conn.execute(
            "INSERT INTO users (user_id, first_name, timezone, delivery_time, couple_id,"
            " next_day, next_delivery_at, created_at)"
            " SELECT u, 'U', 'UTC', '20:00', u / 2, 1,"
            " CASE WHEN u / 2 <= $2 THEN $3 - 60 ELSE $4 END, $3"
            " FROM generate_series(2, 2 * $1 + 1) u",
            couples, due_couples, stamp, later,
        )  # fmt: skip
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def reset(url: str, due: int, now: datetime) -> None:
    """The first ``due`` partners due again, as before the tick (``seed`` left them so)."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DELETE FROM outbox; DELETE FROM deliveries; DELETE FROM days")
        await conn.execute(
            "UPDATE users SET next_day = 1, last_slot_at = NULL, next_delivery_at = $1"
            " WHERE couple_id <= $2",
            int(now.timestamp()) - 60, due // 2,
        )  # fmt: skip
        for table in ("users", "outbox", "deliveries", "days"):
            await conn.execute(f"VACUUM ANALYZE {table}")
    finally:
        await conn.close()


async def tick(url: str, couples: int, due: int, repeat: int = 1) -> None:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(url)
    await admin.execute(f"CREATE SCHEMA {schema}")
    database_url = f"{url}?search_path={schema}"
    try:
        db = Database(database_url)
        await db.open()  # migrate
        await db.close()
        now = datetime.now(UTC)
        started = time.perf_counter()
        await seed(database_url, couples, due, now)
        print(f"seeded {couples:,} couples ({due:,} partners due) in"
              f" {time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
        settings = settings_for("http://127.0.0.1:9", "unused", database_url=database_url)
        app = build_application(settings, run_scheduler=False)
        couplet: Couplet = app.bot_data[KEY]
        await couplet.db.open()
        runs: list[float] = []
        try:
            for n in range(max(1, repeat)):
                if n:
                    await reset(database_url, due, now)
                started = time.perf_counter()
                result = await run_due(couplet, lambda: now)  # what the job runs: chunk by chunk
                runs.append(time.perf_counter() - started)
            busy = statistics.median(runs)
            started = time.perf_counter()
            await run_due(couplet, lambda: now)
            idle = time.perf_counter() - started
        finally:
            await couplet.db.close()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"tick, {couples:,} couples stored, {due:,} due, each run:"
            f" {' '.join(f'{r * 1000:.0f}' for r in runs)} ms (first: a fresh process)"
        )
        print(f"tick, {couples:,} couples stored, {due:,} due: {busy * 1000:.0f} ms median"
              f" of {len(runs)} ({result.prompts} prompts; target < 200 ms)")  # fmt: skip
        print(f"tick with nothing due: {idle * 1000:.1f} ms")
        print(f"peak memory of the tick process: {peak:.0f} MB")
    finally:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--url", default=DEFAULT_URL, help="PostgreSQL server (a schema is made)")
    parser.add_argument("--couples", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1_000, help="partners due now")
    parser.add_argument("--repeat", type=int, default=5, help="ticks timed (median printed)")
    args = parser.parse_args()
    asyncio.run(tick(args.url, args.couples, args.due, args.repeat))


if __name__ == "__main__":
    main()
