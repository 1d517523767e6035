"""Delivery benchmark: ``python -m bench.delivery [--quick] [--only NAME ...]``.

Runs the real bot (``Application``, polling over HTTP, scheduler job, outbox sender) against the
fake Bot API with Telegram's limits enforced, and prints one table. The fake runs in its own
process (``python -m fakebot --control``), as Telegram would, so the bot's process has its core
to itself; the benchmark drives and reads the fake through its control API.

Every scenario runs the bot with the shipped settings (``Settings`` defaults: the 30 s scheduler
interval, the 30/s and 1000/s caps, ...). Settings can be changed through the environment, as
for the bot; any setting that differs from its default is printed in the scenario's rows.
Each wave's delivery slot is the moment the bot starts, so the bot's first tick (1 s after
start) finds everyone due. A wave's rate is measured from its first message to its last, as the
fake received them: (messages - 1) / (last - first).

medium   150 couples (300 partners) on day 1, due in the same minute, at the 30/s cap: each
         partner gets day 1's prompt and the check-in offer that comes with it (a companion
         message). Day-1 prompts per second, from the wave's first message to its last prompt,
         over the cap; 429s; lost and duplicated messages; whether every prompt of the wave
         arrived before any companion message; and, while the wave runs, 20 users sending /help
         (in turn, one command every 0.5-1.5 s from the bot's start until the wave is over):
         update -> reply, measured by the fake. The replies share the 30/s with the prompts.
broadcast  (a) 2,000 couples on day 2 (a day without companions) at the 30/s cap: rate / cap;
         429s; lost and duplicated messages, per chat: the rows the bot's outbox holds for it
         against what the fake received (plus: everyone got the day's prompt); ERROR records
         logged by the bot or PTB.
paid     (b) the same at the paid cap (1000/s, ``DELIVERY_PAID_BROADCAST``), 2,000 couples on
         day 1: two messages into each chat; 20 users' /help beside it, as in medium (no target).
latency  (c) while a broadcast of 300 couples runs at 30/s, 200 users send /help, each at a
         random moment within 20 s (10 commands/s, a third of the cap; replies count against
         the 30/s too): update -> reply p50/p99, with this engine and with PTB's stock
         ``AIORateLimiter`` (for comparison; skipped with ``--quick``).
tick     (d) one scheduler tick with 100,000 couples stored and 1,000 partners due: its time,
         and the peak memory of the process running it (a separate process, so the numbers are
         its own).
two-free (pa) two real instances (``python -m bot``, webhook mode) on one PostgreSQL schema send
         a ``--pg-messages`` wave (20,000 by default, one day-2 prompt per partner) at the 30/s
         cap: rate / cap, 429s, lost and duplicated messages, each instance's peak memory
         (``bench/instances.py``; needs the PostgreSQL of ``--pg-url``). About 12 minutes.
two-paid (pb) the same at the 1000/s paid cap.

Every wave also shows where its time went: messages per 10 s since the bot's start, its
busiest second, each scheduler tick that found work (when, how long), and the lag of the bot's
event loop (how late a 10 ms sleep wakes: a stall delays every reply by as much).

``--quick`` runs small sizes, and sets ``DELIVERY_WINDOW_SECONDS=0`` while that setting exists
(printed in the rows), so a smoke run need not wait out the delivery window.

Telegram's limits as the fake enforces them: 30 messages in any sliding second (or the paid
cap), and one message per second into a chat with bursts of up to three ("about one message
per second, short bursts allowed"). Targets are printed next to each number with PASS/FAIL; the
exit status is 0 unless a scenario crashed (a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import logging
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
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
from bot.core.challenge import DAYS
from bot.storage import Database
from scheduler import job
from scheduler.due import run_due

COMMAND_USERS = 9_000_000
TELEGRAM_PER_SECOND = 30  # Telegram's limits, as the fake enforces them
TELEGRAM_PAID_PER_SECOND = 1000
TELEGRAM_PER_CHAT_BURST = 3
COMMANDS_PER_SECOND = 10.0  # (c)
STEADY_ASK_SECONDS = (0.5, 1.5)  # medium wave: the pause between two commands, uniform
# Settings that only say where things are; everything else is compared with its default.
CONNECTION = frozenset({"bot_token", "telegram_api_url", "database_url"})
SCENARIOS = ("medium", "broadcast", "paid", "latency", "tick", "two-free", "two-paid")
ALIASES = {"m": "medium", "a": "broadcast", "b": "paid", "c": "latency", "d": "tick",
           "pa": "two-free", "pb": "two-paid"}  # fmt: skip


@dataclass(frozen=True)
class Tick:
    at: float  # monotonic
    seconds: float
    prompts: int


@contextlib.contextmanager
def timed_ticks() -> Iterator[list[Tick]]:
    """Time every ``run_due`` the scheduler job makes (wraps ``scheduler.job.run_due`` for
    the run); yields the runs that found work."""
    original = getattr(job, "run_due", None)
    ticks: list[Tick] = []
    if original is None:
        yield ticks
        return

    async def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.monotonic()
        result = await original(*args, **kwargs)
        if getattr(result, "total", 1):
            ticks.append(Tick(began, time.monotonic() - began, getattr(result, "prompts", -1)))
        return result

    job.run_due = timed
    try:
        yield ticks
    finally:
        job.run_due = original


@dataclass
class Wave:
    """What one run measured; times are monotonic seconds (the fake's clock and the
    benchmark's are the same system clock)."""

    settings: str  # the settings the run changed, or "shipped defaults"
    started: float  # when the bot started (its first tick runs a second later)
    messages: int  # outbox rows for the wave's users
    times: list[float]  # every message to the wave's users, sorted
    prompt_times: list[float]  # of those, the day's prompts
    other_times: list[float]  # the rest (companions: check-in offers, ...)
    flood_times: list[float]  # every 429 the fake answered
    lost: int
    duplicates: int
    errors: int  # records logged at ERROR by the bot and PTB during the run
    bot_floods: str = ""  # what the bot's limiter made of the 429s it saw
    latencies: list[float | None] = field(default_factory=list)  # per command; None: no reply
    reply_times: list[float] = field(default_factory=list)  # every message to the askers
    lags: list[float] = field(default_factory=list)  # the bot's event loop, see ``LoopLag``
    ticks: list[Tick] = field(default_factory=list)  # the scheduler's runs that found work
    cpu: float = 0.0  # CPU seconds of the bot's process (all its threads), start to settled
    fake_cpu: float | None = None  # the same for the fake's process (Linux only)
    wall: float = 0.0  # seconds from start to settled

    @property
    def floods(self) -> int:
        return len(self.flood_times)

    @property
    def floods_late(self) -> int:
        """429s after the wave's first second."""
        first = self.times[0] if self.times else 0.0
        return sum(1 for t in self.flood_times if t > first + 1.0)

    @property
    def rate(self) -> float:
        return _rate(len(self.times), self.times[0], self.times[-1]) if self.times else 0.0

    @property
    def prompt_rate(self) -> float:
        """Prompts per second from the wave's first message (whatever it is) to its last prompt."""
        if not self.prompt_times:
            return 0.0
        return _rate(len(self.prompt_times), self.times[0], self.prompt_times[-1])

    @property
    def busiest_second(self) -> int:
        """The most messages to the wave's users within any one second."""
        most, start = 0, 0
        for end, t in enumerate(self.times):
            while t - self.times[start] >= 1.0:
                start += 1
            most = max(most, end - start + 1)
        return most

    @property
    def answered(self) -> list[float]:
        return [v for v in self.latencies if v is not None]

    @property
    def step(self) -> int:
        """The timeline's step: 1 s for a wave within 30 s of the start, else 10 s."""
        return 1 if self.times and self.times[-1] - self.started <= 30 else 10

    def timeline(self) -> str:
        """Messages to the wave's users per ``step`` seconds since the bot started."""
        if not self.times:
            return "-"
        buckets = Counter(int((t - self.started) // self.step) for t in self.times)
        return " ".join(str(buckets.get(i, 0)) for i in range(max(buckets) + 1))


class LoopLag:
    """How late a 10 ms sleep wakes up on the bot's event loop: any stall of the loop (a tick
    preparing a wave in one piece, a garbage collection) delays every reply by as much."""

    PERIOD = 0.01

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._probe())

    def stop(self) -> list[float]:
        if self._task is not None:
            self._task.cancel()
        return self.lags

    async def _probe(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.PERIOD)
            self.lags.append(loop.time() - before - self.PERIOD)


def _rate(count: int, first: float, last: float) -> float:
    return (count - 1) / (last - first) if count > 1 and last > first else 0.0


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

    def cpu(self) -> float | None:
        """CPU seconds the fake's process has used so far (from /proc; None elsewhere)."""
        if self._proc is None:
            return None
        try:
            with open(f"/proc/{self._proc.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

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


def settings_for(url: str, db: str, **changed: Any) -> Settings:
    """The shipped settings, pointed at the fake and the benchmark's database."""
    values: dict[str, Any] = {
        "bot_token": "123456:BENCH",
        "telegram_api_url": url,
        "database_url": f"sqlite:///{db}",
        "_env_file": None,
        **changed,
    }
    return Settings(**values)


def changed_settings(settings: Settings) -> dict[str, Any]:
    """The settings that differ from their defaults (connection settings aside)."""
    out = {}
    for name, info in Settings.model_fields.items():
        if name in CONNECTION or info.is_required():
            continue
        value = getattr(settings, name)
        if value != info.get_default(call_default_factory=True):
            out[name.upper()] = value
    return out


def describe(changed: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in changed.items()) or "shipped defaults"


def shipped() -> str:
    """The scheduler and delivery defaults every scenario runs with."""
    names = [n for n in Settings.model_fields if n.startswith(("scheduler_", "delivery_"))]
    return ", ".join(f"{n.upper()}={Settings.model_fields[n].default}" for n in names)


def quick_changes() -> dict[str, Any]:
    """``--quick`` only: no 60 s delivery window, where the Settings still have one, so that a
    smoke run of crowded waves need not wait it out. Printed in the rows like any change."""
    if "delivery_window_seconds" in Settings.model_fields:
        return {"delivery_window_seconds": 0}
    return {}


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


Asking = Callable[[FakeProcess, int, asyncio.Task[None]], Awaitable[list[float | None]]]


async def wave(
    couples: int,
    *,
    day: int,
    paid: bool = False,
    changes: dict[str, Any] | None = None,
    askers: int = 0,
    asking: Asking | None = None,
    stock: bool = False,
) -> Wave:
    """Seed ``couples`` due at the bot's start on ``day``, run the bot until the outbox is
    settled, measure. ``asking(fake, broadcast_size, settled)`` sends the askers' commands while
    the wave runs and returns each command's reply time."""
    changes = dict(changes or {})
    if paid:
        changes["delivery_paid_broadcast"] = True
    with tempfile.TemporaryDirectory() as tmp:
        db_file = f"{tmp}/bench.db"
        await migrated(db_file)
        users = seed_couples(db_file, couples, due_at=datetime.now(UTC), day=day)
        async with FakeProcess() as fake:
            await fake.call("add_users", first=users[0], count=len(users), first_name="U")
            if askers:
                await fake.call("add_users", first=COMMAND_USERS, count=askers, first_name="Q")
            await fake.call("set_limits", global_per_second=TELEGRAM_PER_SECOND,
                            paid_per_second=TELEGRAM_PAID_PER_SECOND, per_chat_per_second=1,
                            per_chat_burst=TELEGRAM_PER_CHAT_BURST)  # fmt: skip
            settings = settings_for(fake.url, db_file, **changes)
            label = describe(changed_settings(settings))
            if stock:
                label += "; rate limiter: PTB's AIORateLimiter(max_retries=0)"
            app = build_application(
                settings, rate_limiter=AIORateLimiter(max_retries=0) if stock else None
            )
            errors = ErrorCount()
            logging.getLogger().addHandler(errors)
            await app.initialize()
            await startup(app, freeze=True)
            assert app.updater is not None
            await app.updater.start_polling(
                poll_interval=0.0, timeout=10, allowed_updates=Update.ALL_TYPES
            )
            started, cpu, fake_cpu = time.monotonic(), time.process_time(), fake.cpu()
            await app.start()
            lag = LoopLag()
            lag.start()
            latencies: list[float | None] = []
            settled = asyncio.create_task(_until_settled(db_file))
            try:
                with timed_ticks() as ticks:
                    if asking is not None:
                        latencies = await asking(fake, len(users), settled)
                    await settled
                    wall, cpu = time.monotonic() - started, time.process_time() - cpu
                    fake_end = fake.cpu()
                    if fake_cpu is not None and fake_end is not None:
                        fake_cpu = fake_end - fake_cpu
                    await asyncio.sleep(0.5)  # late duplicates would show up here
            finally:
                settled.cancel()
                lag.stop()
                await app.updater.stop()
                await app.stop()
                await shutdown(app)
                await app.shutdown()
                logging.getLogger().removeHandler(errors)
            report = await fake.call(
                "report", first=users[0], count=len(users), marker=f"Day {day} of {DAYS}"
            )
            reply_times: list[float] = []
            if askers:
                asked = await fake.call("times", first=COMMAND_USERS, count=askers)
                reply_times = sorted(t for ts in asked.values() for t in ts)
        expected = rows_per_chat(db_file)
    limiter = app.bot.rate_limiter
    chat_floods, global_floods = (
        getattr(limiter, a, None) for a in ("chat_floods", "global_floods")
    )
    return measured(
        report, users, expected,
        settings=label,
        started=started,
        errors=errors.count,
        bot_floods="" if chat_floods is None else f"{chat_floods} chat / {global_floods} global",
        latencies=latencies,
        reply_times=reply_times,
        lags=lag.lags,
        ticks=ticks,
        cpu=cpu,
        fake_cpu=fake_cpu,
        wall=wall,
    )  # fmt: skip


def measured(report: dict[str, Any], users: list[int], expected: Counter[int], **rest: Any) -> Wave:
    """A ``Wave`` from the fake's report on ``users`` and the outbox rows each chat should have
    got (``expected``): lost and duplicated messages per chat, every time and 429."""
    got = dict(zip(users, report["counts"], strict=True))
    prompted = dict(zip(users, report["marked"], strict=True))
    lost = sum(max(0, expected[u] - got[u]) for u in users)
    lost += sum(1 for u in users if not prompted[u] and expected[u] <= got[u])  # no prompt
    extra_sends = sum(max(0, got[u] - expected[u]) for u in users)
    return Wave(
        messages=sum(expected[u] for u in users),
        times=report["times"],
        prompt_times=report["marked_times"],
        other_times=report["other_times"],
        flood_times=report["flood_times"],
        lost=lost,
        duplicates=max(extra_sends, report["duplicates"]),
        **rest,
    )


async def _until_settled(db_file: str, timeout: float = 3600.0) -> None:  # noqa: ASYNC109
    """Until nobody is due and no outbox row is pending (rows parked as failed count as lost)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        due, open_, any_ = await asyncio.to_thread(outbox_state, db_file, datetime.now(UTC))
        if not due and not open_ and any_:
            return
    raise TimeoutError("the wave did not finish")


def burst_asking(commands: int, rng: random.Random) -> Asking:
    """(c): once the broadcast is going, each of ``commands`` users sends /help once, at a
    random moment within ``commands / COMMANDS_PER_SECOND`` seconds."""

    async def ask(fake: FakeProcess, size: int, settled: asyncio.Task[None]) -> list[float | None]:
        started = time.monotonic()
        while (await fake.call("progress"))["sent"] < min(size // 10, 50):
            if time.monotonic() - started > 600 or settled.done():
                raise TimeoutError("the broadcast never got going")
            await asyncio.sleep(0.1)
        spread = commands / COMMANDS_PER_SECOND
        offsets = [rng.uniform(0.0, spread) for _ in range(commands)]
        await fake.call("send_commands", first=COMMAND_USERS, count=commands, command="help",
                        offsets=offsets)  # fmt: skip
        deadline = time.monotonic() + spread + 120
        while True:
            await asyncio.sleep(0.25)
            replies = await fake.call("replies", first=COMMAND_USERS, count=commands)
            if all(v is not None for v in replies.values()) or time.monotonic() > deadline:
                return list(replies.values())

    return ask


def steady_asking(askers: int, rng: random.Random) -> Asking:
    """Medium wave: from the bot's start until the wave is settled, one of ``askers`` users
    (in turn) sends /help every 0.5-1.5 s. A user asks again only after ``askers`` others, so
    its previous reply time can be read first (the fake keeps the last command per user)."""

    async def ask(fake: FakeProcess, size: int, settled: asyncio.Task[None]) -> list[float | None]:
        latencies: list[float | None] = []
        asked: set[int] = set()
        turn = 0
        while not settled.done():
            uid = COMMAND_USERS + turn % askers
            if uid in asked:
                latencies.append((await fake.call("replies", ids=[uid]))[str(uid)])
            await fake.call("send_commands", ids=[uid], command="help")
            asked.add(uid)
            turn += 1
            await asyncio.wait({settled}, timeout=rng.uniform(*STEADY_ASK_SECONDS))
        ids = sorted(asked)
        deadline = time.monotonic() + 30
        while True:  # the last command of each user
            last = await fake.call("replies", ids=ids)
            if all(v is not None for v in last.values()) or time.monotonic() > deadline:
                return latencies + list(last.values())
            await asyncio.sleep(0.1)

    return ask


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
        result = await run_due(couplet, lambda: now)  # what the job runs: chunk after chunk
        busy = time.perf_counter() - started
        started = time.perf_counter()
        await run_due(couplet, lambda: now)
        idle = time.perf_counter() - started
        await couplet.db.close()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"busy_ms": busy * 1000, "idle_ms": idle * 1000,
                          "prompts": result.prompts, "peak_mb": peak_mb}))  # fmt: skip


# -- the table ---------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def row(name: str, value: str, target: str = "", ok: bool | None = None) -> str:
    verdict = "" if ok is None else ("PASS" if ok else "FAIL")
    return f"| {name:<64} | {value:>34} | {target:>12} | {verdict:<4} |"


def header() -> list[str]:
    rule = "|" + "-" * 66 + "|" + "-" * 36 + "|" + "-" * 14 + "|" + "-" * 6 + "|"
    return [row("measure", "value", "target"), rule]


def wave_rows(label: str, what: str, run_: Wave, cap: float, target: float) -> list[str]:
    """Rate over the whole wave, 429s, lost, duplicates, errors, and where the time went."""
    ratio = run_.rate / cap
    span = run_.times[-1] - run_.times[0] if run_.times else 0.0
    return [
        row(f"{label} {what}; settings", run_.settings),
        row(f"{label} {run_.messages} msgs at {cap:.0f}/s: first->last msg, rate / cap",
            f"{run_.rate:.1f}/s = {ratio:.3f}", f">= {target}", ratio >= target),
        *common_rows(label, run_),
        row(f"{label} first msg / last msg, s after the bot's start",
            f"{_since(run_, run_.times, 0)} / {_since(run_, run_.times, -1)} ({span:.1f} s)"),
        row(f"{label} msgs per {run_.step} s since the start", run_.timeline()),
        sender_row(label, run_, cap),
        tick_row(label, run_),
        cpu_row(label, run_),
        lag_row(label, run_),
    ]  # fmt: skip


def common_rows(label: str, run_: Wave) -> list[str]:
    return [
        row(f"{label} 429s (after the first second)",
            f"{run_.floods} ({run_.floods_late})"
            + (f"; limiter: {run_.bot_floods}" if run_.floods and run_.bot_floods else ""),
            "0", run_.floods == 0),
        row(f"{label} lost / duplicates / ERROR records",
            f"{run_.lost} / {run_.duplicates} / {run_.errors}", "0 / 0 / 0",
            run_.lost == 0 and run_.duplicates == 0 and run_.errors == 0),
    ]  # fmt: skip


def tick_row(label: str, run_: Wave) -> str:
    ticks = run_.ticks
    if not ticks:
        return row(f"{label} scheduler ticks that found work", "not measured")
    took = [t.seconds * 1000 for t in ticks]
    when = " ".join(f"{t.at - run_.started:.0f}" for t in ticks)
    return row(
        f"{label} ticks with work: n, prompts max, ms p50 / max; at s",
        f"{len(ticks)}, {max(t.prompts for t in ticks)}, {pct(took, 0.5):.0f} / {max(took):.0f}; "
        f"{when}",
    )


def sender_row(label: str, run_: Wave, cap: float) -> str:
    busiest = run_.busiest_second
    return row(
        f"{label} busiest second of the wave: msgs / cap", f"{busiest} = {busiest / cap:.3f}"
    )


def cpu_row(label: str, run_: Wave) -> str:
    """CPU over wall time, start to settled: a process near 1.00 uses its whole core."""
    wall = run_.wall or float("inf")
    fake = "-" if run_.fake_cpu is None else f"{run_.fake_cpu / wall:.2f}"
    return row(f"{label} CPU/wall, start to settled: bot ({run_.wall:.1f} s) / fake",
               f"{run_.cpu / wall:.2f} / {fake}")  # fmt: skip


def lag_row(label: str, run_: Wave) -> str:
    lags = run_.lags
    return row(
        f"{label} bot's event loop lag (10 ms probe): p99 / max; > 50 ms",
        f"{pct(lags, 0.99) * 1000:.0f} / {max(lags, default=0) * 1000:.0f} ms; "
        f"{sum(1 for v in lags if v > 0.05)}x",
    )


def _since(run_: Wave, times: list[float], index: int) -> str:
    return f"{times[index] - run_.started:.1f}" if times else "-"


def reply_row(label: str, run_: Wave, askers: str, *, judged: bool = True) -> str:
    """Reply times; the target (p99 < 100 ms, every command answered) unless not ``judged``."""
    done = run_.answered
    p50, p99 = pct(done, 0.5) * 1000, pct(done, 0.99) * 1000
    return row(
        f"{label} {askers}: {len(done)}/{len(run_.latencies)} answered, update -> reply",
        f"p50 {p50:.0f} / p99 {p99:.0f} / max {max(done, default=0) * 1000:.0f} ms",
        "p99 < 100 ms" if judged else "",
        bool(done) and p99 < 100 and len(done) == len(run_.latencies) if judged else None,
    )


# -- the scenarios -----------------------------------------------------------------------------


async def medium(args: argparse.Namespace) -> list[str]:
    label, cap = "(m)", float(TELEGRAM_PER_SECOND)
    run_ = await wave(args.medium_couples, day=1, changes=args.changes, askers=args.askers,
                      asking=steady_asking(args.askers, random.Random(args.seed)))  # fmt: skip
    ratio = run_.prompt_rate / cap
    prompts, others = run_.prompt_times, run_.other_times
    before = sum(1 for t in others if prompts and t < prompts[-1])
    first, last = (run_.times[0], prompts[-1]) if prompts else (0.0, 0.0)
    in_span = sum(1 for t in run_.times + run_.reply_times if first <= t <= last)
    order = "yes" if others else "yes (no separate companion msgs)"
    if before:
        order = f"no: {before}/{len(others)} companions before"
    return [
        row(f"{label} medium wave, {args.medium_couples} couples on day 1; settings",
            run_.settings),
        row(f"{label} {len(prompts)} day-1 prompts at {cap:.0f}/s: first msg->last prompt",
            f"{run_.prompt_rate:.1f}/s = {ratio:.3f}", ">= 0.95", ratio >= 0.95),
        row(f"{label} all the wave's prompts before any companion msg", order, "yes",
            before == 0),
        *common_rows(label, run_),
        reply_row(label, run_, f"{args.askers} users' /help"),
        row(f"{label} all sends (replies too) first msg->last prompt / cap",
            f"{_rate(in_span, first, last) / cap:.3f}"),
        row(f"{label} whole wave ({run_.messages} msgs) first->last msg / cap",
            f"{run_.rate:.1f}/s = {run_.rate / cap:.3f}"),
        row(f"{label} first msg / last prompt / last msg, s after start",
            f"{_since(run_, run_.times, 0)} / {_since(run_, prompts, -1)} / "
            f"{_since(run_, run_.times, -1)}"),
        row(f"{label} msgs per {run_.step} s since the start", run_.timeline()),
        sender_row(label, run_, cap),
        tick_row(label, run_),
        cpu_row(label, run_),
        lag_row(label, run_),
    ]  # fmt: skip


async def broadcast(args: argparse.Namespace) -> list[str]:
    run_ = await wave(args.couples, day=2, changes=args.changes)
    what = f"broadcast, {args.couples} couples on day 2"
    return wave_rows("(a)", what, run_, TELEGRAM_PER_SECOND, 0.95)


async def paid(args: argparse.Namespace) -> list[str]:
    asking = steady_asking(args.askers, random.Random(args.seed))
    run_ = await wave(args.paid_couples, day=1, paid=True, changes=args.changes,
                      askers=args.askers, asking=asking)  # fmt: skip
    what = f"paid broadcast, {args.paid_couples} couples on day 1"
    rows = wave_rows("(b)", what, run_, TELEGRAM_PAID_PER_SECOND, 0.95)
    return [*rows, reply_row("(b)", run_, f"{args.askers} users' /help", judged=False)]


async def latency(args: argparse.Namespace) -> list[str]:
    lines = []
    runs = [("this engine", False)] + ([] if args.quick else [("stock AIORateLimiter", True)])
    for name, stock in runs:
        run_ = await wave(args.latency_couples, day=2, changes=args.changes, askers=args.commands,
                          asking=burst_asking(args.commands, random.Random(args.seed)),
                          stock=stock)  # fmt: skip
        label = f"(c) {name}:"
        lines += [
            row(f"(c) {args.latency_couples} couples on day 2, {name}; settings", run_.settings),
            reply_row(label, run_, f"{args.commands} users' /help", judged=not stock),
            row(f"{label} the broadcast's 429s / lost / dup / errors",
                f"{run_.floods} / {run_.lost} / {run_.duplicates} / {run_.errors}"),
            cpu_row(label, run_),
            lag_row(label, run_),
        ]  # fmt: skip
    return lines


async def tick(args: argparse.Namespace) -> list[str]:
    d = await asyncio.to_thread(tick_stats, args.stored, args.due)
    return [
        row(f"(d) tick: {args.stored} couples stored, {d['prompts']:.0f} due",
            f"{d['busy_ms']:.0f} ms", "< 200 ms", d["busy_ms"] < 200),
        row("(d) tick with nothing due", f"{d['idle_ms']:.1f} ms"),
        row("(d) peak memory of the tick process", f"{d['peak_mb']:.0f} MB", "< 200 MB",
            d["peak_mb"] < 200),
    ]  # fmt: skip


async def two_free(args: argparse.Namespace) -> list[str]:
    from bench import instances  # imports this module

    return await instances.free(args)


async def two_paid(args: argparse.Namespace) -> list[str]:
    from bench import instances

    return await instances.paid(args)


RUNNERS: dict[str, Callable[[argparse.Namespace], Awaitable[list[str]]]] = {
    "medium": medium,
    "broadcast": broadcast,
    "paid": paid,
    "latency": latency,
    "tick": tick,
    "two-free": two_free,
    "two-paid": two_paid,
}


async def run(args: argparse.Namespace) -> bool:
    """Print the table row by row, as each scenario finishes; False if one crashed."""

    def show(lines: list[str]) -> None:
        print("\n".join(lines), flush=True)

    show([
        f"Shipped settings: {shipped()}.",
        f"Telegram's limits (the fake): {TELEGRAM_PER_SECOND}/s in any second "
        f"({TELEGRAM_PAID_PER_SECOND}/s paid), 1/s per private chat with bursts of "
        f"{TELEGRAM_PER_CHAT_BURST}.",
        "Each wave is due at the bot's start; its first tick runs 1 s later. Rates: from the "
        "first to the last message, as the fake received them.",
        "",
        *header(),
    ])  # fmt: skip
    ok = True
    for name in args.only or SCENARIOS:
        started = time.monotonic()
        try:
            lines = await RUNNERS[name](args)
        except Exception:
            ok = False
            lines = [row(f"{name}: CRASHED", "see the traceback below")]
            traceback.print_exc()
        show([*lines, row(f"{name}: took", f"{time.monotonic() - started:.0f} s")])
    return ok


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.delivery", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    parser.add_argument("--only", action="append", metavar="NAME",
                        choices=[*SCENARIOS, *ALIASES],
                        help=f"run this scenario only (repeatable): {', '.join(SCENARIOS)} "
                             "(or m, a, b, c, d)")  # fmt: skip
    parser.add_argument("--medium-couples", type=int, default=150, help="medium wave couples")
    parser.add_argument(
        "--askers", type=int, default=20, help="medium and paid waves: users sending /help"
    )
    parser.add_argument("--couples", type=int, default=2000, help="(a) couples")
    parser.add_argument("--paid-couples", type=int, default=2000, help="(b) couples")
    parser.add_argument("--latency-couples", type=int, default=300, help="(c) couples per run")
    parser.add_argument("--commands", type=int, default=200, help="(c) users sending /help")
    parser.add_argument("--stored", type=int, default=100_000, help="(d) couples stored")
    parser.add_argument("--due", type=int, default=1000, help="(d) partners due")
    parser.add_argument(
        "--pg-messages",
        type=int,
        default=20_000,
        help="two-free, two-paid: messages in the wave (one per partner)",
    )
    parser.add_argument(
        "--pg-url",
        default="postgresql://postgres@127.0.0.1:5432/test",
        help="two-free, two-paid: the PostgreSQL server (a schema is made)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed for command timing")
    parser.add_argument("--profile", metavar="FILE",
                        help="write cProfile stats of the bot's process to FILE (pstats)")  # fmt: skip
    parser.add_argument("--tick-only", nargs=2, type=int, metavar=("STORED", "DUE"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    for handler in logging.getLogger().handlers:  # errors are counted per run (``ErrorCount``)
        handler.setLevel(logging.CRITICAL)
    if args.tick_only:
        asyncio.run(_tick_only(*args.tick_only))
        return
    args.only = list(dict.fromkeys(ALIASES.get(n, n) for n in args.only or []))
    args.changes = {}
    if args.quick:
        args.medium_couples, args.couples, args.paid_couples = 40, 100, 250
        args.latency_couples, args.commands, args.stored = 60, 30, 10_000
        args.pg_messages = 1_000
        args.changes = quick_changes()
    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    try:
        ok = asyncio.run(run(args))
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
