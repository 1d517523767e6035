"""Webhook delivery, as Telegram does it: each update is POSTed (JSON, with the secret header)
until an instance answers 2xx, retried with backoff otherwise, in order.

``targets`` plays the load balancer in front of several instances: when set, attempts go round
the list (a failed attempt is retried on the next one), instead of to ``setWebhook``'s URL.
``http://`` is allowed for loopback addresses only, as tests need; Telegram itself wants https.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def allowed_url(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "http" and parts.hostname in LOOPBACK


@dataclass
class Attempt:
    update_id: int
    target: str
    status: int  # 0: no answer (refused, timed out)


@dataclass
class WebhookDeliverer:
    """POSTs the fake's pending updates to the webhook, one at a time, in order."""

    updates: Any  # the fake's deque of pending updates
    signal: Any  # notified when an update is added
    url: str = ""
    secret: str = ""
    targets: list[str] = field(default_factory=list)
    timeout: float = 10.0
    first_retry: float = 0.2
    max_retry: float = 3.0
    redeliver: int = 0  # deliver the next n updates once more after their 200 (as Telegram may)
    attempts: list[Attempt] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None
    _turn: Any = field(default_factory=lambda: itertools.count())

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _target(self) -> str:
        if self.targets:
            return self.targets[next(self._turn) % len(self.targets)]
        return self.url

    async def _run(self) -> None:
        async with aiohttp.ClientSession() as session:
            while True:
                while not self.updates:
                    await self.signal.wait(1.0)
                update = self.updates[0]
                delay = self.first_retry
                while not await self._post(session, update):
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self.max_retry)
                if self.redeliver > 0:
                    self.redeliver -= 1
                    await self._post(session, update)
                self.updates.popleft()

    async def _post(self, session: aiohttp.ClientSession, update: dict[str, Any]) -> bool:
        target = self._target()
        status = 0
        try:
            async with session.post(
                target,
                json=update,
                headers={SECRET_HEADER: self.secret} if self.secret else {},
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                status = response.status
        except (aiohttp.ClientError, TimeoutError, OSError):
            status = 0
        self.attempts.append(Attempt(update["update_id"], target, status))
        return 200 <= status < 300
