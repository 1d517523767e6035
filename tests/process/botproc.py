"""A real ``python -m bot`` process, its stderr read line by line while it runs."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sys
import time
from pathlib import Path

from bench.instances import ROOT as ROOT  # the process tests' too
from bench.instances import TOKEN, child_env
from bench.instances import free_port as free_port  # the process tests' too

TOKEN_SECRET = TOKEN.split(":", 1)[1]
PATIENCE = 60.0  # generous: a noisy 2-core machine


def bot_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The environment minus any Couplet setting of the developer's, plus ``settings``."""
    return child_env(
        **{"DATABASE_URL": f"sqlite:///{tmp_path}/couplet.db", "LOG_LEVEL": "INFO", **settings}
    )


class BotProcess:
    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd = env, cwd
        self.lines: list[str] = []
        self.proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._new = asyncio.Event()

    async def __aenter__(self) -> BotProcess:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", env=self.env, cwd=self.cwd,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        if self._reader is not None:
            await self._reader

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        async for raw in self.proc.stdout:
            self.lines.append(raw.decode(errors="replace").rstrip("\n"))
            self._new.set()

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    async def wait_for_line(self, pattern: str, count: int = 1, within: float = PATIENCE) -> None:
        """Until ``count`` lines match ``pattern`` (a regular expression)."""
        deadline = time.monotonic() + within
        while sum(1 for line in self.lines if re.search(pattern, line)) < count:
            remaining = deadline - time.monotonic()
            assert self.proc is not None
            ended = (
                self.proc.returncode is not None
                and self._reader is not None
                and self._reader.done()
            )
            if remaining <= 0 or ended:
                raise AssertionError(f"no line matching {pattern!r} in:\n{self.output}")
            self._new.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new.wait(), min(remaining, 0.5))

    async def exit_code(self, within: float = PATIENCE) -> int:
        assert self.proc is not None
        code = await asyncio.wait_for(self.proc.wait(), within)
        assert self._reader is not None
        await self._reader
        return code

    async def stop(self, sig: signal.Signals = signal.SIGTERM) -> tuple[int, float]:
        """Send ``sig``; the exit status and the seconds until the process was gone."""
        assert self.proc is not None
        sent = time.monotonic()
        self.proc.send_signal(sig)
        code = await self.exit_code()
        return code, time.monotonic() - sent


async def run_bot(env: dict[str, str], cwd: Path) -> tuple[int, list[str]]:
    """Run the bot to its end (for start-ups that must fail): exit status and output lines."""
    async with BotProcess(env, cwd) as bot:
        code = await bot.exit_code()
    return code, bot.lines


def assert_clean(lines: list[str]) -> None:
    """No traceback, no token, none of asyncio's leak warnings."""
    text = "\n".join(lines)
    assert "Traceback" not in text, text
    assert TOKEN_SECRET not in text and TOKEN not in text, text
    for leak in ("never awaited", "Unclosed", "Task was destroyed", "Exception ignored"):
        assert leak not in text, text
