"""The PostgreSQL backend (asyncpg): a connection pool, one pooled connection per transaction.

Several bot instances may share the database. A transaction that decides on what it read locks
those rows (``Sql.lock``: the couple a flow changes, the due partners a tick claims), so two
instances never produce the same message; everything else is ordinary READ COMMITTED.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from bot.storage.db import Database, newer_schema
from bot.storage.errors import StorageError
from bot.storage.pg_migrations import PG_MIGRATIONS
from bot.storage.sql import PostgresSql
from bot.storage.tx import Tx

MIGRATION_LOCK = 0x436F75706C6574  # "Couplet": instances starting together migrate one by one
SENDER_LOCK = 0x436F7570  # "Coup": with the schema, the key of the one instance that sends
# Advisory locks belong to the whole database: two deployments in different schemas of one
# database (or parallel test runs) must not share a sender, so the key names the schema too.
SENDER_LOCK_SQL = "SELECT pg_try_advisory_lock($1::int, hashtext(current_schema()))"


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    head, sep, tail = url.partition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, credentials = head.partition("//")
    return f"{scheme}//{credentials.split(':', 1)[0]}:***@{tail}"


class PostgresDatabase(Database):
    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 10) -> None:
        self.url = url
        self._pool: Any = None
        self._sizes = (min_size, max_size)
        self._leader: Any = None  # the connection holding SENDER_LOCK while this one sends

    async def open(self) -> None:
        if self._pool is not None:
            return
        try:
            self._pool = await asyncpg.create_pool(
                self.url.replace("postgres://", "postgresql://", 1),
                min_size=self._sizes[0],
                max_size=self._sizes[1],
                command_timeout=60,
            )
            await self._migrate()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, StorageError) as exc:
            await self.close()
            raise StorageError(f"DATABASE_URL ({redact(self.url)}): {exc}") from None

    async def lead(self) -> bool:
        """Hold the sender lock on a connection of its own: a session-level advisory lock, so
        an instance that dies (or loses the database) frees it and another takes over."""
        if self._leader is not None and not self._leader.is_closed():
            return True
        self._leader = None
        try:
            conn = await asyncpg.connect(self.url.replace("postgres://", "postgresql://", 1))
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False
        try:
            if await conn.fetchval(SENDER_LOCK_SQL, SENDER_LOCK):
                self._leader = conn
                return True
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            pass
        await conn.close()
        return False

    async def resign(self) -> None:
        if self._leader is not None:
            conn, self._leader = self._leader, None
            await conn.close()  # closing the session releases the lock

    async def close(self) -> None:
        await self.resign()
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    @property
    def pool(self) -> Any:
        if self._pool is None:
            raise RuntimeError("database is not open")
        return self._pool

    async def _migrate(self) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            try:
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
                )
                version = await conn.fetchval("SELECT MAX(version) FROM schema_version") or 0
                if version > len(PG_MIGRATIONS):
                    raise newer_schema(version, len(PG_MIGRATIONS))
                for number, script in enumerate(PG_MIGRATIONS[version:], start=version + 1):
                    async with conn.transaction():
                        await conn.execute(script)
                        await conn.execute("DELETE FROM schema_version")
                        await conn.execute("INSERT INTO schema_version VALUES ($1)", number)
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)

    async def schema_version(self) -> int:
        async with self.pool.acquire() as conn:
            return int(await conn.fetchval("SELECT MAX(version) FROM schema_version") or 0)

    async def ping(self) -> bool:
        if self._pool is None:
            return False
        try:
            async with self._pool.acquire(timeout=2) as conn:
                await conn.fetchval("SELECT 1")
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False
        return True

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        async with self.pool.acquire() as conn, conn.transaction():
            tx = Tx(PostgresSql(conn, writable=True))
            yield tx
        self._committed(tx)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        pool = self.pool
        async with (
            pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            yield Tx(PostgresSql(conn, writable=False))
