"""The sandbox on a real port for a browser, its event loop in a thread of the test process.

``LiveSandbox.run(coro)`` runs a coroutine in that loop, so a test can also act as the bot or
look at the world directly while the browser clicks.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiohttp import web

from sandbox.web import Sandbox, make_app
from sandbox.world import World

T = TypeVar("T")
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
INSTALL = "sudo apt-get install chromium"


def chromium_or_skip() -> Path:
    """Debian's chromium for Playwright, or skip the calling test module in one line.

    In CI (CI=true) a missing browser fails the run instead: the browser test must run there.
    """
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "the playwright package is missing (make test installs it from the dev extras)"
    else:
        missing = "" if CHROMIUM.exists() else f"no Chromium at {CHROMIUM}: {INSTALL}"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser test: {missing}", pytrace=False)
        pytest.skip(f"browser test: {missing}", allow_module_level=True)
    return CHROMIUM


class LiveSandbox:
    def __init__(self, root: Path, start: datetime) -> None:
        self.sandbox = Sandbox(root=root, start=start)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="sandbox", daemon=True)
        self._runner: web.AppRunner | None = None
        self.url = ""

    def run(self, work: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    @property
    def world(self) -> World:
        world = self.sandbox.world
        assert world is not None
        return world

    def __enter__(self) -> LiveSandbox:
        self._thread.start()
        self.run(self._open())
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.run(self._close())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
            self.loop.close()

    async def _open(self) -> None:
        await self.sandbox.open()
        self._runner = web.AppRunner(
            make_app(self.sandbox), access_log=None, handler_cancellation=True, shutdown_timeout=1
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def _close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        await self.sandbox.close()
