"""Delivery benchmark: ``python -m bench.delivery [--quick]``.

Runs the real bot (``Application``, polling over HTTP, scheduler job, outbox sender) against the
fake Bot API with Telegram's limits enforced, and prints one table. The fake runs in its own
process (``python -m fakebot --control``), as Telegram would, so the bot's process has its core
to itself; the benchmark drives and reads the fake through its control API.

a) a broadcast to 10,000 couples (20,000 prompts: day 2, a day without extras) at the default
   30/s cap: every message the fake received for them, (count - 1) / (last - first) / cap;
   429s after the first second; lost and duplicated messages, per chat: the rows the bot's
   outbox holds for it against what the fake received (plus: everyone got the day's prompt);
   and ERROR records logged by the bot or PTB. The broadcast includes the scheduler ticks that
   fill the outbox (every 0.5 s here, 1,000 partners each);
b) the same at the paid cap (1000/s, ``allow_paid_broadcast``) with fewer couples, on day 1,
   when each partner gets the prompt and the check-in offer: two messages into each chat;
c) while a broadcast runs at 30/s, 200 users send /help, each at a random moment within 20 s
   (10 commands/s, a third of the cap; replies count against the 30/s too, so commands beyond
   the cap would queue whatever the engine): update -> reply latency p50/p99, measured by the
   fake (from the moment the update is available to the moment the reply arrives), with this
   engine and with PTB's stock ``AIORateLimiter``;
d) one scheduler tick with 100,000 couples stored and 1,000 partners due: its time, and the
   peak memory of the process running it (a separate process, so the numbers are its own).

Telegram's limits as the fake enforces them: 30 messages in any sliding second (or the paid
cap), and one message per second into a chat with bursts of up to three ("about one message
per second, short bursts allowed"); the bot's limiter is configured with the same assumptions.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

import aiohttp
from telegram import Update
from telegram.ext import AIORateLimiter

from bench.seed import FIRST_USER, seed_couples
from bot.app import build_application, shutdown, startup
from bot.config import Settings
from bot.context import KEY, Couplet
from bot.delivery.limiter import PriorityRateLimiter
from bot.storage import Database
from scheduler.due import run_tick

COMMAND_USERS = 9_000_000
PER_CHAT_BURST = 3  # the fake's and the limiter's: short bursts into one chat are allowed
COMMANDS_PER_SECOND = 10.0


@dataclass
class Broadcast:
    messages: int  # what the outbox held for the broadcast's users
    rate: float  # achieved messages per second, first to last
    floods_late: int  # 429s answered after the first second
    floods: int
    lost: int
    duplicates: int
    bot_floods: str = ""  # what the bot's limiter made of the 429s it saw
    errors: int = 0  # records logged at ERROR by the bot and PTB during the run
    latencies: list[float] = field(default_factory=list)  # seconds, update -> first reply


class FakeProcess:
    """``python -m fakebot --control`` on a free port, and a client for its control API."""

    def __init__(self) -> None:
        self.url = ""
        self._proc: asyncio.subprocess.Process | None = None
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> FakeProcess:
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "fakebot", "--port", "0", "--control", "--log-level", "ERROR",
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert self._proc.stdout is not None
        line = (await asyncio.wait_for(self._proc.stdout.readline(), 30)).decode()
        if not line.startswith("listening "):
            raise RuntimeError(f"the fake did not start: {line!r}")
        self.url = line.split()[1]
        self._http = aiohttp.ClientSession()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._http is not None:
            await self._http.close()
        if self._proc is not None and self._proc.returncode is None:
            self._proc.terminate()
            await self._proc.wait()

    async def call(self, operation: str, **body: Any) -> Any:
        assert self._http is not None
        async with self._http.post(f"{self.url}/_control/{operation}", json=body) as resp:
            answer = await resp.json()
        if not answer["ok"]:
            raise RuntimeError(f"{operation}: {answer['description']}")
        return answer["result"]


class ErrorCount(logging.Handler):
    """Counts ERROR records (the stock limiter's run logs one traceback per 429) instead of
    printing them; ``main`` keeps the console at CRITICAL."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def settings_for(url: str, db: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": "123456:BENCH",
        "telegram_api_url": url,
        "database_url": f"sqlite:///{db}",
        "scheduler_interval_seconds": 0.5,
        "delivery_per_chat_burst": PER_CHAT_BURST,
        "log_level": "WARNING",
        "_env_file": None,
        **extra,
    }
    return Settings(**values)


async def migrated(db_file: str) -> None:
    db = Database(f"sqlite:///{db_file}")
    await db.open()
    await db.close()


def outbox_state(db_file: str, now: datetime) -> tuple[bool, bool, bool]:
    """(anyone still due, any outbox row not yet settled, any row at all): a read-only peek
    through the partial indexes, cheap enough to poll beside the bot."""
    with contextlib.closing(sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)) as conn:
        due = conn.execute(
            "SELECT 1 FROM users WHERE next_delivery_at <= ? LIMIT 1", (int(now.timestamp()),)
        ).fetchone()
        open_ = conn.execute("SELECT 1 FROM outbox WHERE status = 'pending' LIMIT 1").fetchone()
        any_ = conn.execute("SELECT 1 FROM outbox LIMIT 1").fetchone()
    return due is not None, open_ is not None, any_ is not None


def rows_per_chat(db_file: str) -> Counter[int]:
    with contextlib.closing(sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)) as conn:
        return Counter(
            dict(conn.execute("SELECT chat_id, COUNT(*) FROM outbox GROUP BY chat_id").fetchall())
        )


async def broadcast(
    couples: int,
    *,
    cap: float,
    day: int = 2,
    paid: bool = False,
    commands: int = 0,
    stock: bool = False,
    seed: int = 1,
) -> Broadcast:
    """Seed ``couples`` due now on ``day``, run the bot until the outbox is empty, measure."""
    with tempfile.TemporaryDirectory() as tmp:
        db_file = f"{tmp}/bench.db"
        await migrated(db_file)
        users = seed_couples(
            db_file, couples, due_at=datetime.now(UTC) - timedelta(minutes=1), day=day
        )
        async with FakeProcess() as fake:
            await fake.call("add_users", first=users[0], count=len(users), first_name="U")
            if commands:
                await fake.call("add_users", first=COMMAND_USERS, count=commands, first_name="Q")
            limits: dict[str, Any] = {"per_chat_per_second": 1, "per_chat_burst": PER_CHAT_BURST}
            if paid:
                await fake.call("set_limits", global_per_second=30, paid_per_second=cap, **limits)
            else:
                await fake.call("set_limits", global_per_second=cap, **limits)
            extra: dict[str, Any] = {"delivery_paid_broadcast": paid}
            if paid:
                extra["delivery_paid_rate_per_second"] = cap
            else:
                extra["delivery_rate_per_second"] = cap
            app = build_application(
                settings_for(fake.url, db_file, **extra),
                rate_limiter=AIORateLimiter(max_retries=0) if stock else None,
            )
            errors = ErrorCount()
            logging.getLogger().addHandler(errors)
            await app.initialize()
            await startup(app, freeze=True)
            assert app.updater is not None
            await app.updater.start_polling(
                poll_interval=0.0, timeout=10, allowed_updates=Update.ALL_TYPES
            )
            await app.start()
            replies: dict[str, float | None] = {}
            try:
                if commands:
                    replies = await _ask(fake, commands, len(users), random.Random(seed))
                await _until_settled(db_file)
                await asyncio.sleep(0.5)  # late duplicates would show up here
            finally:
                await app.updater.stop()
                await app.stop()
                await shutdown(app)
                await app.shutdown()
                logging.getLogger().removeHandler(errors)
            report = await fake.call(
                "report", first=users[0], count=len(users), marker=f"Day {day} of 30"
            )
        expected = rows_per_chat(db_file)
    limiter = app.bot.rate_limiter
    times: list[float] = report["times"]
    first = times[0] if times else 0.0
    span = (times[-1] - first) if len(times) > 1 else 0.0
    got = dict(zip(users, report["counts"], strict=True))
    prompted = dict(zip(users, report["marked"], strict=True))
    lost = sum(max(0, expected[u] - got[u]) for u in users)
    lost += sum(1 for u in users if not prompted[u] and expected[u] <= got[u])  # no prompt
    extra_sends = sum(max(0, got[u] - expected[u]) for u in users)
    return Broadcast(
        messages=sum(expected[u] for u in users),
        rate=(len(times) - 1) / span if span > 0 else 0.0,
        floods_late=sum(1 for t in report["flood_times"] if t > first + 1.0),
        floods=len(report["flood_times"]),
        lost=lost,
        duplicates=max(extra_sends, report["duplicates"]),
        bot_floods=(
            f"{limiter.chat_floods} chat / {limiter.global_floods} global"
            if isinstance(limiter, PriorityRateLimiter)
            else ""
        ),
        latencies=[v for v in replies.values() if v is not None],
        errors=errors.count,
    )


async def _until_settled(db_file: str, timeout: float = 3600.0) -> None:  # noqa: ASYNC109
    """Until nobody is due and no outbox row is pending (rows parked as failed count as lost)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        due, open_, any_ = await asyncio.to_thread(outbox_state, db_file, datetime.now(UTC))
        if not due and not open_ and any_:
            return
    raise TimeoutError("the broadcast did not finish")


async def _ask(
    fake: FakeProcess, commands: int, broadcast_size: int, rng: random.Random
) -> dict[str, float | None]:
    """Once the broadcast is going, each asker sends /help at a random moment; time replies."""
    started = time.monotonic()
    while (await fake.call("progress"))["sent"] < min(broadcast_size // 10, 50):
        if time.monotonic() - started > 600:
            raise TimeoutError("the broadcast never got going")
        await asyncio.sleep(0.1)
    spread = commands / COMMANDS_PER_SECOND
    offsets = [rng.uniform(0.0, spread) for _ in range(commands)]
    await fake.call("send_commands", first=COMMAND_USERS, count=commands, command="help",
                    offsets=offsets)  # fmt: skip
    deadline = time.monotonic() + spread + 120
    while True:
        await asyncio.sleep(0.25)
        replies: dict[str, float | None] = await fake.call(
            "replies", first=COMMAND_USERS, count=commands
        )
        if all(v is not None for v in replies.values()) or time.monotonic() > deadline:
            return replies


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
    return f"| {name:<60} | {value:>24} | {target:>14} | {verdict:<6} |"


def header() -> list[str]:
    rule = "|" + "-" * 62 + "|" + "-" * 26 + "|" + "-" * 16 + "|" + "-" * 8 + "|"
    return [row("measure", "value", "target", None), rule]


def broadcast_rows(label: str, what: str, run_: Broadcast, cap: float, target: float) -> list[str]:
    ratio = run_.rate / cap
    clean = run_.floods_late == 0 and run_.lost == 0 and run_.duplicates == 0
    return [
        row(f"{label} {what}: {run_.messages} msgs at {cap:.0f}/s, rate/cap",
            f"{run_.rate:.1f}/s = {ratio:.3f}", f">= {target}", ratio >= target),
        row(f"{label} 429s after 1 s (all) / lost / dup / errors",
            f"{run_.floods_late} ({run_.floods}) / {run_.lost} / {run_.duplicates} / {run_.errors}",
            "0 / 0 / 0 / 0", clean and run_.errors == 0),
    ]  # fmt: skip


async def run(args: argparse.Namespace) -> None:
    def show(lines: list[str]) -> None:
        print("\n".join(lines), flush=True)  # row by row, as each part finishes

    show(header())
    if args.only in (None, "a"):
        a = await broadcast(args.couples, cap=30)
        show(broadcast_rows("(a)", f"{args.couples} couples", a, 30, 0.95))
    if args.only in (None, "b"):
        b = await broadcast(args.paid_couples, cap=1000, paid=True, day=1)
        show(broadcast_rows("(b)", f"{args.paid_couples} couples, day 1, paid", b, 1000, 0.9))
    if args.only in (None, "c"):
        await latency_rows(args, show)
    if args.only in (None, "d"):
        d = tick_stats(args.stored, args.due)
        show([
            row(f"(d) tick: {args.stored} couples stored, {d['prompts']:.0f} due",
                f"{d['busy_ms']:.0f} ms ({d['busy_ms'] / 200:.2f}x)", "< 200 ms",
                d["busy_ms"] < 200),
            row("(d) tick with nothing due", f"{d['idle_ms']:.1f} ms", "", None),
            row("(d) peak memory of the tick process",
                f"{d['peak_mb']:.0f} MB ({d['peak_mb'] / 200:.2f}x)", "< 200 MB",
                d["peak_mb"] < 200),
        ])  # fmt: skip


async def latency_rows(args: argparse.Namespace, show: Callable[[list[str]], None]) -> None:
    ours = await broadcast(args.latency_couples, cap=30, commands=args.commands)
    stock = await broadcast(args.latency_couples, cap=30, commands=args.commands, stock=True)
    for name, run_ in (("this engine", ours), ("stock AIORateLimiter", stock)):
        p50, p99 = pct(run_.latencies, 0.5) * 1000, pct(run_.latencies, 0.99) * 1000
        show([
            row(f"(c) {len(run_.latencies)}/{args.commands} replies, {name}",
                f"p50 {p50:.0f} / p99 {p99:.0f} ms", "p99 < 250 ms",
                p99 < 250 and len(run_.latencies) == args.commands
                if name == "this engine" else None)
        ])  # fmt: skip
    show([
        row("(c) beside them, ours: lost / dup / 429s / errors",
            f"{ours.lost} / {ours.duplicates} / {ours.floods} / {ours.errors}", "", None),
        row("(c) beside them, stock: lost / dup / 429s / errors",
            f"{stock.lost} / {stock.duplicates} / {stock.floods} / {stock.errors}", "", None),
    ])  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.delivery", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="a small smoke run (~1 minute)")
    parser.add_argument("--couples", type=int, default=10_000, help="(a) couples")
    parser.add_argument("--paid-couples", type=int, default=5000, help="(b) couples")
    parser.add_argument("--latency-couples", type=int, default=300, help="(c) couples per run")
    parser.add_argument("--commands", type=int, default=200, help="(c) users sending /help")
    parser.add_argument("--stored", type=int, default=100_000, help="(d) couples stored")
    parser.add_argument("--due", type=int, default=1000, help="(d) partners due")
    parser.add_argument("--only", choices=["a", "b", "c", "d"], help="run one part only")
    parser.add_argument("--tick-only", nargs=2, type=int, metavar=("STORED", "DUE"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    for handler in logging.getLogger().handlers:  # errors are counted per run (``ErrorCount``)
        handler.setLevel(logging.CRITICAL)
    if args.tick_only:
        asyncio.run(_tick_only(*args.tick_only))
        return
    if args.quick:
        args.couples, args.paid_couples, args.latency_couples = 150, 1000, 100
        args.commands, args.stored = 50, 10_000
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
