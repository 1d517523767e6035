"""The database a ``DATABASE_URL`` names: SQLite (``sqlite:///…``) or PostgreSQL
(``postgresql://…``), each with its own versioned migrations, behind one interface."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from bot.storage.errors import StorageError
from bot.storage.tx import Tx

SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")


def sqlite_path(url: str) -> str:
    """``sqlite:///data/couplet.db`` → ``data/couplet.db``; ``sqlite:///:memory:`` → ``:memory:``."""
    if not url.startswith(SQLITE_PREFIX):
        raise ValueError(
            f"DATABASE_URL must start with {SQLITE_PREFIX!r}, got {url.split(':', 1)[0]!r}"
        )
    return url[len(SQLITE_PREFIX) :] or ":memory:"


def is_postgres(url: str) -> bool:
    return url.startswith(POSTGRES_PREFIXES)


def newer_schema(version: int, known: int) -> StorageError:
    return StorageError(
        f"the database has schema version {version}, newer than this Couplet knows"
        f" ({known}): run the newer Couplet, or restore a backup taken before the upgrade"
    )


class Database(ABC):
    """``Database(url)`` opens the backend the URL names (see ``SqliteDatabase``,
    ``PostgresDatabase``). ``transaction()`` and ``read()`` hand out a ``Tx``."""

    url: str
    #: Called after a commit that added outbox rows (the sender's ``wake``).
    on_enqueued: Callable[[], None] | None = None
    #: Seconds a new sending leader waits before its first send: what the previous one sent
    #: just before it died still counts in Telegram's windows, which this limiter never saw.
    takeover_pause: float = 0.0

    def __new__(cls, url: str) -> Database:
        if cls is Database:
            if is_postgres(url):
                from bot.storage.postgres import PostgresDatabase

                cls = PostgresDatabase
            else:
                from bot.storage.sqlite import SqliteDatabase

                cls = SqliteDatabase
        return super().__new__(cls)

    @property
    def kind(self) -> str:
        return "postgresql" if is_postgres(self.url) else "sqlite"

    @abstractmethod
    async def open(self) -> None:
        """Connect and migrate (a no-op when open already); ``StorageError`` if it cannot."""

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def schema_version(self) -> int: ...

    @abstractmethod
    async def ping(self) -> bool:
        """Is the database reachable right now? (for ``/healthz``)"""

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        """A write transaction: committed when the block ends, rolled back if it raises."""

    @abstractmethod
    def read(self) -> AbstractAsyncContextManager[Tx]:
        """Reads that see one consistent snapshot."""

    async def lead(self) -> bool:
        """May this instance send the outbox now? One sender at a time keeps Telegram's limits
        for the whole bot (see the README); SQLite has one process, so always yes."""
        return True

    async def resign(self) -> None:
        """Give up sending (at stop), so another instance takes over at once."""
        return None  # nothing held on SQLite

    def _committed(self, tx: Tx) -> None:
        if tx.enqueued and self.on_enqueued is not None:
            self.on_enqueued()
