"""Per-user writes find their rows by index: no statement they run scans a big table."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.erase import seed_history
from bench.seed import FIRST_USER, seed_couples
from bot.context import Couplet
from bot.flows import lifecycle
from bot.storage import Database
from prompts.loader import load_library
from tests.harness import make_settings

COUPLES = 200
TABLES = (
    "users", "couples", "invites", "days", "deliveries", "answers", "outbox", "tip_views",
    "swaps", "checkins", "intimacy_optin", "intimacy_sent",
)  # fmt: skip
SCAN = re.compile(rf"\bSCAN ({'|'.join(TABLES)})\b")


def plan(conn: sqlite3.Connection, sql: str, params: tuple[object, ...] = ()) -> str:
    return "\n".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Couplet]:
    settings = make_settings(tmp_path)
    db = Database(settings.database_url)
    await db.open()
    await db.close()
    seed_couples(db.path, COUPLES, due_at=datetime.now(UTC) + timedelta(hours=1))
    seed_history(db.path, COUPLES)
    app = Couplet(settings=settings, db=db, library=load_library())
    await db.open()
    yield app
    await db.close()


async def test_foreign_key_actions_use_an_index(tmp_path: Path) -> None:
    """SQLite looks up the child rows of every deleted parent: without an index, a full scan."""
    db = Database(f"sqlite:///{tmp_path}/plans.db")
    await db.open()
    await db.close()
    with sqlite3.connect(db.path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        checked = 0
        for table in tables:
            for fk in conn.execute(f"PRAGMA foreign_key_list({table})").fetchall():
                column = fk[3]
                found = plan(conn, f"SELECT 1 FROM {table} WHERE {column} = ?", (1,))
                assert not SCAN.search(found), f"{table}.{column}: {found}"
                checked += 1
    assert checked >= 15  # every child column of the schema was looked at


async def statements_of(app: Couplet, work: object) -> list[str]:
    """The SQL ``work`` (a coroutine) runs, as SQLite executed it."""
    seen: list[str] = []
    await app.db.conn.set_trace_callback(seen.append)
    try:
        await work  # type: ignore[misc]
    finally:
        await app.db.conn.set_trace_callback(None)
    return [s for s in seen if re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", s, re.I)]


@pytest.mark.parametrize("flow", ["delete_data", "unpair", "pause", "gone"])
async def test_per_user_writes_scan_no_big_table(app: Couplet, flow: str) -> None:
    user = FIRST_USER + 2 * (COUPLES // 2)
    statements = await statements_of(app, getattr(lifecycle, flow)(app, user))
    assert len(statements) >= 3, statements  # the flow really ran
    with sqlite3.connect(app.db.path) as conn:
        for sql in statements:
            found = plan(conn, sql)
            assert not SCAN.search(found), f"{sql}\n{found}"
    if flow == "delete_data":
        assert any(s.startswith("DELETE FROM users") for s in statements)
