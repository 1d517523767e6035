"""The SQLite backend: WAL, foreign keys, one writer at a time, migrations at start-up."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.storage.db import Database, newer_schema, sqlite_path
from bot.storage.errors import StorageError
from bot.storage.migrations import MIGRATIONS
from bot.storage.sql import SqliteSql
from bot.storage.tx import Tx


class SqliteDatabase(Database):
    """One aiosqlite connection shared by the bot.

    Every access holds one asyncio lock, so a transaction never interleaves with another
    coroutine's statements on the same connection. Writes use ``BEGIN IMMEDIATE`` so SQLite takes
    the write lock up front instead of failing half-way with SQLITE_BUSY.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = sqlite_path(url)
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        """Connect and migrate (a no-op when open already).

        Raises ``StorageError`` for a path that cannot be written, a file that is not SQLite, or
        a schema newer than this code.
        """
        if self._conn is not None:
            return
        folder = Path(self.path).parent
        try:
            if self.path != ":memory:":
                folder.mkdir(parents=True, exist_ok=True)
            connection = aiosqlite.connect(self.path, isolation_level=None)
            try:
                self._conn = await connection
            except sqlite3.Error:
                # aiosqlite stops its thread without waiting for it: wait here, or the thread may
                # report to an event loop that is gone by then (a traceback after our one line).
                thread = getattr(connection, "_thread", None)
                if thread is not None:
                    await asyncio.to_thread(thread.join, 5)
                raise
            self._conn.row_factory = aiosqlite.Row
            for pragma in (
                "PRAGMA journal_mode=WAL",
                "PRAGMA foreign_keys=ON",
                "PRAGMA synchronous=NORMAL",
                "PRAGMA busy_timeout=5000",
            ):
                await self._conn.execute(pragma)
            await self._migrate()
        except (OSError, sqlite3.Error, StorageError) as exc:
            await self.close()
            raise StorageError(self._explain(exc, folder)) from None

    def _explain(self, exc: BaseException, folder: Path) -> str:
        where = f"DATABASE_URL ({self.url})"
        if isinstance(exc, StorageError):
            return f"{where}: {exc}"
        if isinstance(exc, OSError):
            in_the_way = next((p for p in (folder, *folder.parents) if p.is_file()), None)
            if in_the_way is not None:
                return f"{where}: cannot create the folder {folder}: {in_the_way} is a file"
            reason = exc.strerror or type(exc).__name__
            return f"{where}: cannot create the folder {folder}: {reason}"
        text = str(exc)
        if "not a database" in text or "malformed" in text:
            return f"{where}: {self.path} is not a SQLite database ({text}); restore a backup"
        if "unable to open" in text or "readonly" in text or "read-only" in text:
            return f"{where}: cannot write {self.path} ({text}); check that the folder is writable"
        return f"{where}: {text}"

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
        version = await self.schema_version()
        if version > len(MIGRATIONS):
            raise newer_schema(version, len(MIGRATIONS))
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            # executescript commits on its own; user_version is bumped inside the same script.
            await self.conn.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
            )

    async def schema_version(self) -> int:
        async with self.conn.execute("PRAGMA user_version") as cur:
            (version,) = await cur.fetchone()  # type: ignore[misc]
        return int(version)

    async def ping(self) -> bool:
        if self._conn is None:
            return False
        try:
            async with self._lock:
                await self.conn.execute_fetchall("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            tx = Tx(SqliteSql(self.conn, writable=True))
            try:
                yield tx
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")
        self._committed(tx)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        async with self._lock:
            await self.conn.execute("BEGIN")
            try:
                yield Tx(SqliteSql(self.conn, writable=False))
            finally:
                await self.conn.execute("COMMIT")
