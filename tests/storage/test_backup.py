"""``python -m bot.backup``: a consistent copy while the bot holds the database open."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.seed import seed_couples
from bot.storage import Database
from bot.storage.migrations import MIGRATIONS
from tests.process.botproc import ROOT


async def run_backup(tmp_path: Path, *args: str, db: str = "couplet.db") -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite:///{tmp_path}/{db}")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.backup", *args, cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_a_backup_while_the_bot_writes_is_complete_and_consistent(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/couplet.db")
    await db.open()  # open like the running bot: WAL, with writes not yet checkpointed
    seed_couples(db.path, 500, due_at=datetime.now(UTC) + timedelta(hours=1))
    async with db.transaction() as tx:
        await tx.users.set_schedule(10_000_000, timezone="Europe/Berlin", next_delivery_at=None)
    assert await asyncio.to_thread(os.path.getsize, f"{db.path}-wal") > 0  # not checkpointed
    code, out, err = await run_backup(tmp_path)
    await db.close()
    assert code == 0, err
    (line,) = out.splitlines()
    target = Path(line.split()[1])
    assert target.parent == tmp_path / "backups" and f"schema version {len(MIGRATIONS)}" in line
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT COUNT(*) FROM couples").fetchone() == (500,)
        assert copy.execute("SELECT COUNT(*) FROM users").fetchone() == (1000,)
        tz = copy.execute("SELECT timezone FROM users WHERE user_id = 10000000").fetchone()
        assert tz == ("Europe/Berlin",)  # the last commit, still only in the WAL, is there
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert not list((tmp_path / "backups").glob(".*partial"))


async def test_the_copy_restores_and_the_bot_opens_it(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/couplet.db")
    await db.open()
    await db.close()
    seed_couples(db.path, 3, due_at=None)
    code, _, err = await run_backup(tmp_path, str(tmp_path / "copy.db"))
    assert code == 0, err
    restored = Database(f"sqlite:///{tmp_path}/copy.db")
    await restored.open()
    assert await restored.schema_version() == len(MIGRATIONS)
    async with restored.read() as tx:
        assert await tx.users.user(10_000_000) is not None
    await restored.close()


async def test_no_database_is_one_line(tmp_path: Path) -> None:
    code, out, err = await run_backup(tmp_path, db="missing.db")
    assert code == 2 and not out
    (line,) = err.splitlines()
    assert "no database" in line and "DATABASE_URL" in line
    assert not (tmp_path / "missing.db").exists()
