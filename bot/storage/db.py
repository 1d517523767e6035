"""The SQLite connection: WAL, foreign keys, one writer at a time, migrations at start-up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.storage.migrations import MIGRATIONS
from bot.storage.repo import Repo


def sqlite_path(url: str) -> str:
    """``sqlite:///data/couplet.db`` → ``data/couplet.db``; ``sqlite:///:memory:`` → ``:memory:``."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        raise ValueError(f"DATABASE_URL must start with {prefix!r}, got {url.split(':', 1)[0]!r}")
    return url[len(prefix) :] or ":memory:"


class Database:
    """One aiosqlite connection shared by the bot.

    Every access holds one asyncio lock, so a transaction never interleaves with another
    coroutine's statements on the same connection. Writes use ``BEGIN IMMEDIATE`` so SQLite takes
    the write lock up front instead of failing half-way with SQLITE_BUSY.
    """

    def __init__(self, url: str) -> None:
        self.path = sqlite_path(url)
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = await aiosqlite.connect(self.path, isolation_level=None)
        self._conn.row_factory = aiosqlite.Row
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA busy_timeout=5000",
        ):
            await self._conn.execute(pragma)
        await self._migrate()

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("database is not open")
        return self._conn

    async def _migrate(self) -> None:
        async with self.conn.execute("PRAGMA user_version") as cur:
            (version,) = await cur.fetchone()  # type: ignore[misc]
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            # executescript commits on its own; user_version is bumped inside the same script.
            await self.conn.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
            )

    async def schema_version(self) -> int:
        async with self.conn.execute("PRAGMA user_version") as cur:
            (version,) = await cur.fetchone()  # type: ignore[misc]
        return int(version)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repo]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield Repo(self.conn)
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Repo]:
        """Reads that see one consistent snapshot."""
        async with self._lock:
            await self.conn.execute("BEGIN")
            try:
                yield Repo(self.conn)
            finally:
                await self.conn.execute("COMMIT")
