"""The operator's outbox report: counts, parked rows and why, never a message body."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.delivery.outbox import Outgoing, enqueue
from bot.report import outbox_report
from bot.storage import Database

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def test_the_report_counts_rows_and_lists_failed_ones_without_bodies(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/couplet.db"
    db = Database(url)
    await db.open()
    async with db.transaction() as tx:
        for n in range(3):
            await enqueue(tx, Outgoing(key=f"k{n}", chat_id=7, kind="reveal",
                                         text=f"a private answer {n}"), NOW)  # fmt: skip
        await tx.outbox.finish(2, "failed", "Bad Gateway")
        await tx.outbox.mark_sent(1, 55, NOW)
    await db.close()
    report = await outbox_report(url)
    assert report.splitlines()[0] == "outbox: 1 pending · 1 sent · 1 failed · 0 dropped"
    assert "#2 reveal to chat 7" in report and "Bad Gateway" in report
    assert "private answer" not in report


def test_the_report_refuses_a_missing_database_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/nowhere.db"}
    env.pop("BOT_TOKEN", None)  # the report does not need the token
    done = subprocess.run([sys.executable, "-m", "bot.report"], env=env, cwd=tmp_path,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip() == f"couplet: no database at {tmp_path}/nowhere.db (DATABASE_URL)"
    assert not (tmp_path / "nowhere.db").exists()
