"""Two bot instances on one PostgreSQL: the waves of ``python -m bench.delivery`` (scenarios
``two-free`` and ``two-paid``, or ``--only pa`` / ``--only pb``).

Two real ``python -m bot`` processes in webhook mode (as ``tests/process/test_two_instances.py``
runs them) share a throwaway schema of the PostgreSQL at ``--pg-url`` (default: the test
server) and send through the project's fake Bot API, which runs in its own process with
Telegram's limits enforced for the whole bot. ``--pg-messages`` messages (20,000 by default:
as many partners, on day 2, one prompt each) are due at the instances' start; the wave is
measured as ``bench.delivery`` measures one process (``measured``, ``wave_rows``: rate from the
first message to the last over the cap set on the fake in the same run, 429s, lost and
duplicated messages), plus each instance's peak memory (VmHWM) and CPU.

The instances elect one sender (the advisory lock, see the README); both run the tick, claiming
disjoint couples. Each instance's log goes to a file (printed if the run fails).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

from bench.delivery import (
    TELEGRAM_PAID_PER_SECOND,
    TELEGRAM_PER_CHAT_BURST,
    TELEGRAM_PER_SECOND,
    FakeProcess,
    measured,
    row,
    wave_rows,
)
from bench.seed import FIRST_USER
from bot.config import Settings
from bot.core.challenge import DAYS
from bot.storage import Database

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_"  # well-formed, never a real one
SECRET = "bench-two-instances"
DAY = 2  # a day without companion messages: one message per partner


@dataclass
class Instance:
    proc: asyncio.subprocess.Process
    port: int
    log: Path

    def stat(self) -> tuple[float, float]:
        """(peak resident memory in MB, CPU seconds so far) from /proc; (0, 0) elsewhere."""
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0, 0.0
        peak = next((int(s.split()[1]) for s in status.splitlines() if s.startswith("VmHWM")), 0)
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return peak / 1024, cpu


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def seed(url: str, couples: int, due_at: datetime) -> list[int]:
    """``couples`` active couples on day ``DAY``, both partners due at ``due_at``."""
    stamp = int(due_at.timestamp())
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "INSERT INTO couples (id, user_a, user_b, status, round, started_at)"
            " SELECT g, $2 + 2 * (g - 1), $2 + 2 * (g - 1) + 1, 'active', 1, $3"
            " FROM generate_series(1, $1) g",
            couples, FIRST_USER, stamp,
        )  # fmt: skip
        await conn.execute(
            "INSERT INTO users (user_id, first_name, timezone, delivery_time, couple_id,"
            " next_day, next_delivery_at, created_at)"
            " SELECT $2 + u, 'U', 'UTC', '20:00', u / 2 + 1, $3, $4, $4"
            " FROM generate_series(0, 2 * $1 - 1) u",
            couples, FIRST_USER, DAY, stamp,
        )  # fmt: skip
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return [FIRST_USER + n for n in range(2 * couples)]


async def state(url: str) -> tuple[bool, bool, bool]:
    """(anyone still due, any outbox row pending, any row at all)."""
    conn = await asyncpg.connect(url)
    try:
        return tuple(  # type: ignore[return-value]
            await conn.fetchrow(
                "SELECT EXISTS (SELECT 1 FROM users WHERE next_delivery_at <= $1),"
                " EXISTS (SELECT 1 FROM outbox WHERE status = 'pending'),"
                " EXISTS (SELECT 1 FROM outbox)",
                int(time.time()),
            )
        )
    finally:
        await conn.close()


async def rows_per_chat(url: str) -> Counter[int]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT chat_id, COUNT(*) FROM outbox GROUP BY chat_id")
    finally:
        await conn.close()
    return Counter({r[0]: r[1] for r in rows})


def child_env(**settings: str) -> dict[str, str]:
    """The environment of a child ``python -m bot``: this one minus any Couplet setting of the
    developer's, the project on the path, a well-formed token, then ``settings``."""
    ours = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in ours}
    env.update(PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", BOT_TOKEN=TOKEN)
    env.update(settings)
    return env


def instance_env(api: str, database: str, port: int, paid: bool) -> dict[str, str]:
    env = child_env(
        TELEGRAM_API_URL=api,
        DATABASE_URL=database,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram/hook",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_HOST="127.0.0.1",
        WEBHOOK_PORT=str(port),
        LOG_LEVEL="WARNING",
    )
    if paid:
        env["DELIVERY_PAID_BROADCAST"] = "true"
    return env


async def start_instance(env: dict[str, str], port: int, log: Path) -> Instance:
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", env=env, cwd=ROOT, stdout=out, stderr=out
        )
    instance = Instance(proc, port, log)
    deadline = time.monotonic() + 60
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if proc.returncode is not None:
                raise RuntimeError(f"instance exited: {tail(log)}")
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                    if resp.status == 200:
                        return instance
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"instance did not come up: {tail(log)}")


async def stop_instance(instance: Instance) -> None:
    if instance.proc.returncode is None:
        instance.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(instance.proc.wait(), 30)
        except TimeoutError:
            instance.proc.kill()
            await instance.proc.wait()


@dataclass
class TwoInstanceRun:
    rows: list[str]
    peaks: list[float]


async def two_instance_wave(
    messages: int, *, paid: bool, url: str = DEFAULT_URL, instances: int = 2
) -> TwoInstanceRun:
    couples = max(1, messages // 2)
    cap = float(TELEGRAM_PAID_PER_SECOND if paid else TELEGRAM_PER_SECOND)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(url)
    await admin.execute(f"CREATE SCHEMA {schema}")
    database = f"{url}?search_path={schema}"
    running: list[Instance] = []
    try:
        db = Database(database)
        await db.open()  # migrate
        await db.close()
        users = await seed(database, couples, datetime.now(UTC))
        with tempfile.TemporaryDirectory() as tmp:
            async with FakeProcess() as fake:
                await fake.call("add_users", first=users[0], count=len(users), first_name="U")
                await fake.call("set_limits", global_per_second=TELEGRAM_PER_SECOND,
                                paid_per_second=TELEGRAM_PAID_PER_SECOND, per_chat_per_second=1,
                                per_chat_burst=TELEGRAM_PER_CHAT_BURST)  # fmt: skip
                started = time.monotonic()
                for n in range(instances):
                    port = free_port()
                    env = instance_env(fake.url, database, port, paid)
                    running.append(await start_instance(env, port, Path(tmp) / f"bot{n}.log"))
                cpu = [i.stat()[1] for i in running]
                fake_cpu = fake.cpu()
                deadline = time.monotonic() + 3600
                while True:
                    await asyncio.sleep(0.5)
                    due, pending, any_ = await state(database)
                    if not due and not pending and any_:
                        break
                    for i in running:
                        if i.proc.returncode is not None:
                            raise RuntimeError(f"instance died: {tail(i.log)}")
                    if time.monotonic() > deadline:
                        raise TimeoutError("the wave did not finish")
                wall = time.monotonic() - started
                await asyncio.sleep(0.5)  # late duplicates would show up here
                stats = [i.stat() for i in running]
                fake_end = fake.cpu()
                for i in running:
                    await stop_instance(i)
                errors = sum(i.log.read_text(errors="replace").count(" ERROR ") for i in running)
                report = await fake.call(
                    "report", first=users[0], count=len(users), marker=f"Day {DAY} of {DAYS}"
                )
        expected = await rows_per_chat(database)
    finally:
        for i in running:
            await stop_instance(i)
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()
    bot_cpu = sum(s[1] for s in stats) - sum(cpu)
    run_ = measured(
        report, users, expected,
        settings=f"{instances} instances, webhook mode, PostgreSQL"
        + (", DELIVERY_PAID_BROADCAST=True" if paid else ""),
        started=started, errors=errors, cpu=bot_cpu, wall=wall,
        fake_cpu=None if fake_cpu is None or fake_end is None else fake_end - fake_cpu,
    )  # fmt: skip
    label = "(pb)" if paid else "(pa)"
    what = f"{instances} instances, {couples} couples on day {DAY}"
    rows = wave_rows(label, what, run_, cap, 0.95 if paid else 0.97)
    rows = [r for r in rows if "ticks" not in r and "event loop" not in r]  # not measured here
    peaks = [s[0] for s in stats]
    rows.append(
        row(f"{label} peak memory (VmHWM) per instance",
            " / ".join(f"{p:.0f} MB" for p in peaks))
    )  # fmt: skip
    return TwoInstanceRun(rows, peaks)


async def free(args: Any) -> list[str]:
    """(a): the wave at the 30/s cap."""
    return (await two_instance_wave(args.pg_messages, paid=False, url=args.pg_url)).rows


async def paid(args: Any) -> list[str]:
    """(b): the wave at the 1000/s paid cap."""
    return (await two_instance_wave(args.pg_messages, paid=True, url=args.pg_url)).rows
