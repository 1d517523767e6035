from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import Database
from tests.pg import fresh_schema


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """An open, migrated, empty database of each backend."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path}/contract.db")
        await database.open()
        yield database
        await database.close()
        return
    async with fresh_schema() as url:
        database = Database(url)
        await database.open()
        yield database
        await database.close()
