from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.harness import Harness, start_harness, stop_harness

ALEX, SAM, KIM = 1001, 1002, 1003


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await start_harness(tmp_path)
    harness.tg.add_user(ALEX, "Alex", "alex")
    harness.tg.add_user(SAM, "Sam", "sam")
    harness.tg.add_user(KIM, "Kim <&>", None)
    yield harness
    await stop_harness(harness)
