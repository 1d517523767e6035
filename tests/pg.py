"""A throwaway PostgreSQL schema per test, on the server the machine runs (or skip, or fail in CI).

The server: ``TEST_POSTGRES_URL`` if set, else 127.0.0.1:5432, database ``test``, user
``postgres`` (then ``root``), trust authentication. Each test gets its own schema, dropped after.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

CANDIDATES = (
    "postgresql://postgres@127.0.0.1:5432/test",
    "postgresql://root@127.0.0.1:5432/test",
)
HOW = (
    "PostgreSQL half skipped: no server at 127.0.0.1:5432 (database test, user postgres, trust"
    " auth); start one or set TEST_POSTGRES_URL to run it (CI=true makes this a failure)"
)
_found: list[str | None] = []


async def server_url() -> str | None:
    """The first server that answers, or None (looked up once per test session)."""
    if _found:
        return _found[0]
    for url in [u for u in (os.environ.get("TEST_POSTGRES_URL"),) if u] or list(CANDIDATES):
        try:
            conn = await asyncpg.connect(url, timeout=3)
        except (OSError, TimeoutError, asyncpg.PostgresError):
            continue
        await conn.close()
        _found.append(url)
        return url
    _found.append(None)
    return None


async def require_server() -> str:
    url = await server_url()
    if url is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and no PostgreSQL: {HOW}", pytrace=False)
        pytest.skip(HOW)
    return url


@asynccontextmanager
async def fresh_schema() -> AsyncIterator[str]:
    """A ``DATABASE_URL`` whose tables live in a new, empty schema; dropped afterwards."""
    base = await require_server()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    conn = await asyncpg.connect(base)
    try:
        await conn.execute(f"CREATE SCHEMA {schema}")
    finally:
        await conn.close()
    try:
        yield f"{base}?search_path={schema}"
    finally:
        conn = await asyncpg.connect(base)
        try:
            await conn.execute(f"DROP SCHEMA {schema} CASCADE")
        finally:
            await conn.close()
