"""What differs between the two backends, in one place: how a statement runs, and the few bits
of SQL that are not portable.

The repositories (``bot/storage/repos/``) are written once in SQL both SQLite and PostgreSQL
understand (``?`` placeholders, ``ON CONFLICT``); an ``Sql`` runs it on one open transaction.
Everything backend-specific — ``lastrowid``, a scalar ``MAX(a, b)``, row locks, ``rowid``,
bulk writes — is a method or an attribute here, so a reader finds every difference by reading
this module.

Bulk writes (``insert_many``, ``update_many``): on PostgreSQL one statement per batch, its
parameters one array per column read back as rows by ``unnest``; ``executemany`` would run the
statement once per row, and that was most of a scheduler tick. SQLite keeps ``executemany``
(one trip to its worker thread; SQLite itself runs in-process).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Protocol

import aiosqlite

Row = Mapping[str, Any]  # aiosqlite.Row and asyncpg.Record both read by name and by position
#: A column of a bulk write: its name and its PostgreSQL type (``("chat_id", "bigint")``).
Column = tuple[str, str]
_NAMED = re.compile(r"(?<!:):([a-z_][a-z0-9_]*)")


class Sql(Protocol):
    """One open transaction's statements. ``?`` placeholders in every statement."""

    #: True in a write transaction; a read-only one never takes row locks.
    writable: bool
    #: The name of a deliveries row's own id (``rowid`` in SQLite, a column in PostgreSQL).
    delivery_rowid: str
    #: Null-safe "differs from" (``IS NOT`` in SQLite before 3.39, ``IS DISTINCT FROM``).
    distinct: str

    async def one(self, sql: str, params: Iterable[Any] = ()) -> Row | None: ...
    async def all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]: ...
    async def run(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement; returns how many rows it changed."""
        ...

    async def many(self, sql: str, rows: Sequence[tuple[Any, ...]]) -> None: ...
    async def insert_many(
        self,
        table: str,
        columns: Sequence[Column],
        rows: Sequence[tuple[Any, ...]],
        *,
        tail: str = "ON CONFLICT DO NOTHING",
    ) -> None:
        """``INSERT INTO table (columns) ... tail`` for every row, in order, as one statement
        where the backend can (the rows' values in ``columns`` order)."""
        ...

    async def update_many(
        self, sql: str, columns: Sequence[Column], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """An ``UPDATE`` run for every row, as one statement where the backend can. ``sql``
        names each row's values ``:name`` (one per column of ``columns``), e.g.
        ``UPDATE t SET a = :a WHERE id = :id``; no column of ``columns`` may share its name with
        a column of the table the statement reads unqualified (PostgreSQL would refuse it as
        ambiguous)."""
        ...

    async def insert_id(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run an ``INSERT`` into a table with an ``id`` key; returns the new row's id."""
        ...

    def greatest(self, a: str, b: str) -> str:
        """SQL for the larger of two values."""
        ...

    def lock(self, skip_locked: bool = False) -> str:
        """A ``SELECT`` suffix that locks the rows read, in a write transaction ("" if the
        backend has a single writer anyway)."""
        ...


class SqliteSql:
    """aiosqlite: one connection, one writer at a time (``BEGIN IMMEDIATE``), so no row locks."""

    delivery_rowid = "rowid"
    distinct = "IS NOT"

    def __init__(self, conn: aiosqlite.Connection, *, writable: bool) -> None:
        self.conn = conn
        self.writable = writable

    # Each helper is one trip to aiosqlite's worker thread (a cursor's fetch and close would be
    # two more): the trips, not SQLite, are most of a short statement's cost.

    async def one(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        rows = await self.conn.execute_fetchall(sql, tuple(params))
        return next(iter(rows), None)

    async def all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        return list(await self.conn.execute_fetchall(sql, tuple(params)))

    async def run(self, sql: str, params: Iterable[Any] = ()) -> int:
        cur = await self.conn.execute(sql, tuple(params))
        return cur.rowcount  # a finished write statement holds nothing: no close needed

    async def many(self, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
        if rows:
            await self.conn.executemany(sql, rows)

    async def insert_many(
        self,
        table: str,
        columns: Sequence[Column],
        rows: Sequence[tuple[Any, ...]],
        *,
        tail: str = "ON CONFLICT DO NOTHING",
    ) -> None:
        # One trip to the worker thread for all rows; SQLite itself is in-process and fast.
        names = ", ".join(name for name, _ in columns)
        await self.many(
            f"INSERT INTO {table} ({names}) VALUES ({marks(len(columns))}) {tail}", rows
        )

    async def update_many(
        self, sql: str, columns: Sequence[Column], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        if rows:  # sqlite3 binds ``:name`` from a mapping
            names = [name for name, _ in columns]
            await self.conn.executemany(sql, [dict(zip(names, row, strict=True)) for row in rows])

    async def insert_id(self, sql: str, params: Iterable[Any] = ()) -> int:
        async with self.conn.execute(sql, tuple(params)) as cur:
            if cur.lastrowid is None:  # SQLite sets it on every successful INSERT
                raise RuntimeError(f"no row id after {sql.split('(')[0]}")
            return cur.lastrowid

    def greatest(self, a: str, b: str) -> str:
        return f"MAX({a}, {b})"  # SQLite's scalar MAX

    def lock(self, skip_locked: bool = False) -> str:
        return ""


_MARK = re.compile(r"\?")


@lru_cache(maxsize=1024)
def numbered(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1, $2, ...`` (no statement here has a ``?`` in a
    string literal)."""
    count = iter(range(1, 100_000))
    return _MARK.sub(lambda _: f"${next(count)}", sql)


def changed(status: str) -> int:
    """Rows changed, from asyncpg's command tag: ``UPDATE 3``, ``INSERT 0 1``, ``DELETE 0``."""
    tail = status.rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else 0


class PostgresSql:
    """asyncpg: one pooled connection inside its transaction; several instances write at once,
    so reads that decide a write lock their rows."""

    delivery_rowid = "id"
    distinct = "IS DISTINCT FROM"

    def __init__(self, conn: Any, *, writable: bool) -> None:  # an asyncpg connection
        self.conn = conn
        self.writable = writable

    async def one(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        return await self.conn.fetchrow(numbered(sql), *params)

    async def all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        return list(await self.conn.fetch(numbered(sql), *params))

    async def run(self, sql: str, params: Iterable[Any] = ()) -> int:
        return changed(await self.conn.execute(numbered(sql), *params))

    async def many(self, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
        if rows:
            await self.conn.executemany(numbered(sql), rows)

    # Bulk writes: one statement whose parameters are one array per column, read back as rows
    # by ``unnest``. ``executemany`` would run the statement once per row (each a round of
    # parse-bind-execute on the server); a tick's chunk writes a few hundred rows.

    async def insert_many(
        self,
        table: str,
        columns: Sequence[Column],
        rows: Sequence[tuple[Any, ...]],
        *,
        tail: str = "ON CONFLICT DO NOTHING",
    ) -> None:
        if not rows:
            return
        names = ", ".join(name for name, _ in columns)
        # WITH ORDINALITY + ORDER BY: identity ids follow the rows' order (a chat's messages).
        await self.conn.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {_unnest(columns, ordered=True)}"
            f" ORDER BY _n {tail}",
            *_arrays(columns, rows),
        )

    async def update_many(
        self, sql: str, columns: Sequence[Column], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        if not rows:
            return
        await self.conn.execute(_update_from(sql, tuple(columns)), *_arrays(columns, rows))

    async def insert_id(self, sql: str, params: Iterable[Any] = ()) -> int:
        return int(await self.conn.fetchval(numbered(f"{sql} RETURNING id"), *params))

    def greatest(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})"

    def lock(self, skip_locked: bool = False) -> str:
        if not self.writable:
            return ""
        # NO KEY UPDATE: rows that only reference the locked one (answers, days) stay writable.
        return " FOR NO KEY UPDATE SKIP LOCKED" if skip_locked else " FOR NO KEY UPDATE"


def _unnest(columns: Sequence[Column], *, ordered: bool = False) -> str:
    arrays = ", ".join(f"${n}::{kind}[]" for n, (_, kind) in enumerate(columns, 1))
    names = ", ".join(name for name, _ in columns)
    if ordered:
        return f"unnest({arrays}) WITH ORDINALITY AS _v({names}, _n)"
    return f"unnest({arrays}) AS _v({names})"


@lru_cache(maxsize=64)
def _update_from(sql: str, columns: tuple[Column, ...]) -> str:
    """``UPDATE t SET a = :a WHERE id = :id`` as ``UPDATE t SET a = _v.a FROM unnest(...) AS
    _v(a, id) WHERE id = _v.id``."""
    head, sep, where = sql.partition(" WHERE ")
    if not sep:
        raise ValueError(f"update_many needs a WHERE clause: {sql}")
    qualified = [_NAMED.sub(r"_v.\1", part) for part in (head, where)]
    return f"{qualified[0]} FROM {_unnest(columns)} WHERE {qualified[1]}"


def _arrays(columns: Sequence[Column], rows: Sequence[tuple[Any, ...]]) -> list[list[Any]]:
    """Rows as one list per column (what ``unnest`` reads back as rows)."""
    if any(len(row) != len(columns) for row in rows):
        raise ValueError(f"rows of {len(columns)} values expected")
    return [list(values) for values in zip(*rows, strict=True)]


def marks(count: int) -> str:
    return ",".join("?" * count)


def keyset(rows: int, columns: int, types: Sequence[str]) -> str:
    """``VALUES`` rows of placeholders; the first row's casts type the whole set (PostgreSQL
    would read untyped parameters as text; SQLite accepts the casts as they are)."""
    first = "(" + ", ".join(f"CAST(? AS {t})" for t in types[:columns]) + ")"
    rest = "(" + ", ".join("?" * columns) + ")"
    return ",".join([first, *[rest] * (rows - 1)])


def chunks(items: list[Any], size: int = 500) -> Iterable[list[Any]]:
    """Keeps each statement well under either backend's limit on bound parameters."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
