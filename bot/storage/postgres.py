"""The PostgreSQL backend (asyncpg): a connection pool, one pooled connection per transaction.

Several bot instances may share the database. A transaction that decides on what it read locks
those rows (``Sql.lock``: the couple a flow changes, the due partners a tick claims), so two
instances never produce the same message; everything else is ordinary READ COMMITTED.

One instance sends the outbox: the one holding a session-level advisory lock (``lead``). While
it leads it writes a heartbeat (``sender_beat``), so the next leader waits only what remains of
Telegram's window after the last one was alive.

A transaction that queued outbox rows also runs ``NOTIFY``, which PostgreSQL delivers at commit
to every instance listening (``LISTEN`` on a connection of its own): the sending leader wakes
at once for a row another instance queued, instead of at its next poll.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
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
BEAT_SECONDS = 0.5  # how often the sending leader records that it is alive (``sender_beat``)
BEAT_SQL = (
    "INSERT INTO sender_beat (id, at) VALUES (1, clock_timestamp())"
    " ON CONFLICT (id) DO UPDATE SET at = excluded.at"
)
SINCE_BEAT_SQL = "SELECT EXTRACT(EPOCH FROM clock_timestamp() - at)::float8 FROM sender_beat"
CHANNEL = "couplet_outbox"  # + the schema: tests share one database, one schema each
ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)
log = logging.getLogger(__name__)


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
        self._beat: asyncio.Task[None] | None = None  # the leader's heartbeat (``sender_beat``)
        self._listener: Any = None  # the connection LISTENing for rows queued anywhere
        self._channel = CHANNEL
        self._id = uuid.uuid4().hex  # the NOTIFY payload: this instance's own are skipped

    def _dsn(self) -> str:
        return self.url.replace("postgres://", "postgresql://", 1)

    async def open(self) -> None:
        if self._pool is not None:
            return
        try:
            self._pool = await asyncpg.create_pool(
                self._dsn(),
                min_size=self._sizes[0],
                max_size=self._sizes[1],
                command_timeout=60,
            )
            await self._migrate()
            async with self._pool.acquire() as conn:
                self._channel = f"{CHANNEL}_{await conn.fetchval('SELECT current_schema()')}"
            await self.listen()
        except (*ERRORS, StorageError) as exc:
            await self.close()
            raise StorageError(f"DATABASE_URL ({redact(self.url)}): {exc}") from None

    async def listen(self) -> None:
        """(Re)open the connection that hears other instances' commits (a no-op while open)."""
        if self._listener is not None and not self._listener.is_closed():
            return
        self._listener = None
        try:
            conn = await asyncpg.connect(self._dsn())
            await conn.add_listener(self._channel, self._notified)
        except ERRORS as exc:
            log.warning("cannot listen for queued messages (%s); polling instead", exc)
            return
        self._listener = conn

    def _notified(self, conn: object, pid: int, channel: str, payload: str) -> None:
        if payload != self._id and self.on_enqueued is not None:  # ours: woken at commit
            self.on_enqueued()

    async def lead(self) -> bool:
        """Hold the sender lock on a connection of its own: a session-level advisory lock, so
        an instance that dies (or loses the database) frees it and another takes over.

        The session of a killed process ends as soon as its socket closes (the kernel closes
        it), so the lock is free within milliseconds; a follower asks again every poll (1 s).

        A new leader waits what remains of ``takeover_pause`` after the previous leader was last
        alive (its heartbeat in ``sender_beat``, on the database's clock): nothing after a start
        long after the last stop, the whole pause right after a leader died.
        """
        await self.listen()
        if self._leader is not None and not self._leader.is_closed():
            return True
        self._leader = None
        try:
            conn = await asyncpg.connect(self._dsn())
        except ERRORS:
            return False
        try:
            if await conn.fetchval(SENDER_LOCK_SQL, SENDER_LOCK):
                self._leader = conn
                pause = await self.pause_needed(conn)
                log.info("outbox: this instance sends now (after %.1f s)", pause)
                await asyncio.sleep(pause)
                await conn.execute(BEAT_SQL)
                self._beat = asyncio.create_task(self._heartbeat(conn), name="sender-beat")
                return not conn.is_closed()
        except ERRORS:
            pass
        await conn.close()
        return False

    async def pause_needed(self, conn: Any) -> float:
        """Seconds a leader starting now waits: ``takeover_pause`` minus the time since the
        last leader's heartbeat (plus one beat: it may have sent just before dying)."""
        if self.takeover_pause <= 0:
            return 0.0
        since = await conn.fetchval(SINCE_BEAT_SQL)
        if since is None:  # no leader ever sent here
            return 0.0
        return max(0.0, min(self.takeover_pause, self.takeover_pause - since + BEAT_SECONDS))

    async def _heartbeat(self, conn: Any) -> None:
        while True:
            await asyncio.sleep(BEAT_SECONDS)
            try:
                await conn.execute(BEAT_SQL)
            except ERRORS:
                return  # the session is gone: so is the lock; ``lead`` notices

    async def resign(self) -> None:
        if self._beat is not None:
            beat, self._beat = self._beat, None
            beat.cancel()
            with suppress(asyncio.CancelledError):
                await beat
        if self._leader is not None:
            conn, self._leader = self._leader, None
            with suppress(*ERRORS):
                await conn.execute(BEAT_SQL)  # what it sent last counts for the next leader
            await conn.close()  # closing the session releases the lock

    async def close(self) -> None:
        await self.resign()
        if self._listener is not None:
            conn, self._listener = self._listener, None
            with suppress(*ERRORS):
                await conn.close()
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
            if tx.enqueued:  # delivered at commit, to every instance (this one included)
                await conn.execute("SELECT pg_notify($1, $2)", self._channel, self._id)
        self._committed(tx)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        pool = self.pool
        async with (
            pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            yield Tx(PostgresSql(conn, writable=False))
