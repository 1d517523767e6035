"""Delivery benchmark: ``python -m bench.delivery [--quick] [--couples N]``.

Runs the real bot (Application polling over HTTP) against the fake Bot API server with
Telegram's limits enforced, and prints one table:

a) a broadcast at the default cap (30/s): achieved rate / cap, 429s after the first second,
   lost and duplicated prompts;
b) the same at the paid cap (1000/s, ``allow_paid_broadcast``) with fewer couples;
c) 200 users sending /help during a broadcast: update -> reply latency p50/p99, with this
   engine and with PTB's stock ``AIORateLimiter`` (as Couplet used before);
d) one scheduler tick with 100,000 couples stored and 1,000 partners due: its time, and the
   peak memory of the process running it (a separate process, so the numbers are its own).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram.ext import AIORateLimiter

from bench.seed import FIRST_USER, seed_couples
from bot.app import build_application, shutdown, startup
from bot.config import Settings
from bot.context import KEY, Couplet
from bot.storage import Database
from fakebot import FakeBotApiServer, FakeTelegram
from scheduler.due import run_tick

PROMPT = "Day 1 of 30"
COMMAND_USERS = 9_000_000


@dataclass
class Broadcast:
    prompts: int
    rate: float  # achieved messages per second
    floods_late: int  # 429s answered after the first second
    floods: int
    lost: int
    duplicates: int
    latencies: list[float]  # seconds, update -> first reply


def settings_for(url: str, db: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": "123456:BENCH",
        "telegram_api_url": url,
        "database_url": f"sqlite:///{db}",
        "scheduler_interval_seconds": 0.5,
        "log_level": "WARNING",
        "_env_file": None,
        **extra,
    }
    return Settings(**values)


async def migrated(db_file: str) -> None:
    db = Database(f"sqlite:///{db_file}")
    await db.open()
    await db.close()


async def broadcast(
    couples: int, *, cap: float, paid: bool = False, commands: int = 0, stock: bool = False
) -> Broadcast:
    """Seed ``couples`` due now, run the bot until every partner has day 1, measure."""
    with tempfile.TemporaryDirectory() as tmp:
        db_file = f"{tmp}/bench.db"
        await migrated(db_file)
        users = seed_couples(db_file, couples, due_at=datetime.now(UTC) - timedelta(minutes=1))
        tg = FakeTelegram()
        for uid in users:
            tg.add_user(uid, "U")
        askers = [COMMAND_USERS + i for i in range(commands)]
        for uid in askers:
            tg.add_user(uid, "Q")
        if paid:
            tg.set_limits(global_per_second=30, per_chat_per_second=1, paid_per_second=cap)
        else:
            tg.set_limits(global_per_second=cap, per_chat_per_second=1)
        async with FakeBotApiServer(tg) as server:
            extra: dict[str, Any] = {"delivery_paid_broadcast": paid}
            if paid:
                extra["delivery_paid_rate_per_second"] = cap
                extra["delivery_concurrency"] = 256
            else:
                extra["delivery_rate_per_second"] = cap
            app = build_application(
                settings_for(server.url, db_file, **extra),
                rate_limiter=AIORateLimiter(max_retries=0) if stock else None,
            )
            await app.initialize()
            await startup(app)
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            await app.start()
            started = time.monotonic()
            try:
                latencies = await _ask(tg, askers, users) if askers else []
                await tg.wait_until(lambda: _delivered(tg, users) >= len(users), 3600)
                await asyncio.sleep(0.5)  # late duplicates would show up here
            finally:
                await app.updater.stop()
                await app.stop()
                await shutdown(app)
                await app.shutdown()
        times = sorted(m["time"] for u in users for m in tg.inbox(u) if PROMPT in (m["text"] or ""))
        got = {u for u in users if any(PROMPT in (m["text"] or "") for m in tg.inbox(u))}
        first = times[0] if times else started
        span = (times[-1] - first) if len(times) > 1 else 1.0
        return Broadcast(
            prompts=len(users),
            rate=(len(times) - 1) / span if span > 0 else 0.0,
            floods_late=sum(1 for t in tg.flood_times if t > first + 1.0),
            floods=len(tg.flood_times),
            lost=len(users) - len(got),
            duplicates=len(times) - len(got),
            latencies=latencies,
        )


def _delivered(tg: FakeTelegram, users: list[int]) -> int:
    return sum(1 for u in users if any(PROMPT in (m["text"] or "") for m in tg.inbox(u)))


async def _ask(tg: FakeTelegram, askers: list[int], users: list[int]) -> list[float]:
    """Once the broadcast is going, each asker sends /help; time the first reply."""
    await tg.wait_until(lambda: _delivered(tg, users) >= min(len(users) // 10, 50), 600)
    asked: dict[int, float] = {}
    for uid in askers:
        asked[uid] = time.monotonic()
        tg.send_command(uid, "help")
        await asyncio.sleep(0.02)
    await tg.wait_until(lambda: all(tg.inbox(u) for u in askers), 120)
    return [tg.inbox(u)[0]["time"] - asked[u] for u in askers if tg.inbox(u)]


def tick_stats(stored: int, due: int) -> dict[str, float]:
    """Run (d) in a fresh process so its peak memory is its own."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.delivery", "--tick-only", str(stored), str(due)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


async def _tick_only(stored: int, due: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db_file = f"{tmp}/bench.db"
        await migrated(db_file)
        now = datetime.now(UTC)
        due_couples = due // 2
        seed_couples(db_file, due_couples, due_at=now - timedelta(minutes=1))
        seed_couples(
            db_file,
            stored - due_couples,
            due_at=now + timedelta(hours=12),
            first_couple=due_couples + 1,
            first_user=FIRST_USER + 2 * due_couples,
        )
        app = build_application(settings_for("http://127.0.0.1:9", db_file), run_scheduler=False)
        couplet: Couplet = app.bot_data[KEY]
        await couplet.db.open()
        started = time.perf_counter()
        result = await run_tick(couplet, now)
        busy = time.perf_counter() - started
        started = time.perf_counter()
        await run_tick(couplet, now)
        idle = time.perf_counter() - started
        await couplet.db.close()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"busy_ms": busy * 1000, "idle_ms": idle * 1000,
                          "prompts": result.prompts, "peak_mb": peak_mb}))  # fmt: skip


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def row(name: str, value: str, target: str, ok: bool | None) -> str:
    verdict = "" if ok is None else ("ok" if ok else "MISSED")
    return f"| {name:<46} | {value:>22} | {target:>14} | {verdict:<6} |"


async def run(args: argparse.Namespace) -> None:
    lines = [row("measure", "value", "target", None), "|" + "-" * 48 + "|" + "-" * 24 + "|"
             + "-" * 16 + "|" + "-" * 8 + "|"]  # fmt: skip
    a = await broadcast(args.couples, cap=30)
    ratio = a.rate / 30
    lines += [
        row(f"(a) {a.prompts} prompts at 30/s: rate / cap", f"{a.rate:.2f}/s = {ratio:.3f}",
            ">= 0.95", ratio >= 0.95),
        row("(a) 429s after the first second (all)", f"{a.floods_late} ({a.floods})", "0",
            a.floods_late == 0),
        row("(a) lost / duplicates", f"{a.lost} / {a.duplicates}", "0 / 0",
            a.lost == 0 and a.duplicates == 0),
    ]  # fmt: skip
    b = await broadcast(args.paid_couples, cap=1000, paid=True)
    ratio = b.rate / 1000
    lines += [
        row(f"(b) {b.prompts} prompts at 1000/s paid: rate / cap",
            f"{b.rate:.0f}/s = {ratio:.3f}", ">= 0.9", ratio >= 0.9),
        row("(b) 429s after 1 s / lost / duplicates",
            f"{b.floods_late} / {b.lost} / {b.duplicates}", "0 / 0 / 0",
            b.floods_late == 0 and b.lost == 0 and b.duplicates == 0),
    ]  # fmt: skip
    ours = await broadcast(args.latency_couples, cap=30, commands=args.commands)
    stock = await broadcast(args.latency_couples, cap=30, commands=args.commands, stock=True)
    for name, run_ in (("this engine", ours), ("stock AIORateLimiter", stock)):
        p50, p99 = pct(run_.latencies, 0.5) * 1000, pct(run_.latencies, 0.99) * 1000
        lines.append(
            row(f"(c) {len(run_.latencies)} replies during a broadcast, {name}",
                f"p50 {p50:.0f} / p99 {p99:.0f} ms", "p99 < 250 ms",
                p99 < 250 if name == "this engine" else None)
        )  # fmt: skip
    lines.append(
        row("(c) stock run: broadcast lost / dup / 429s",
            f"{stock.lost} / {stock.duplicates} / {stock.floods}", "", None)
    )  # fmt: skip
    d = tick_stats(args.stored, args.due)
    lines += [
        row(f"(d) tick, {args.stored} couples stored, {d['prompts']:.0f} due",
            f"{d['busy_ms']:.0f} ms ({d['busy_ms'] / 200:.2f}x)", "< 200 ms",
            d["busy_ms"] < 200),
        row("(d) tick with nothing due", f"{d['idle_ms']:.1f} ms", "", None),
        row("(d) peak memory of the tick process", f"{d['peak_mb']:.0f} MB ({d['peak_mb'] / 200:.2f}x)",
            "< 200 MB", d["peak_mb"] < 200),
    ]  # fmt: skip
    print("\n".join(lines))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.delivery", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="a small smoke run (~1 minute)")
    parser.add_argument("--couples", type=int, default=2000, help="(a) couples (10000 = full)")
    parser.add_argument("--paid-couples", type=int, default=5000, help="(b) couples")
    parser.add_argument("--latency-couples", type=int, default=600, help="(c) couples per run")
    parser.add_argument("--commands", type=int, default=200, help="(c) users sending /help")
    parser.add_argument("--stored", type=int, default=100_000, help="(d) couples stored")
    parser.add_argument("--due", type=int, default=1000, help="(d) partners due")
    parser.add_argument("--tick-only", nargs=2, type=int, metavar=("STORED", "DUE"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    if args.tick_only:
        asyncio.run(_tick_only(*args.tick_only))
        return
    if args.quick:
        args.couples, args.paid_couples, args.latency_couples = 150, 1000, 150
        args.commands, args.stored = 50, 10_000
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
