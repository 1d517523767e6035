"""The test-control API over HTTP, for driving a fake that runs in another process.

``FakeBotApiServer(..., control=True)`` (``python -m fakebot --control``) serves
``POST /_control/<operation>`` with a JSON object body and a JSON answer. The benchmark uses it
to run the fake on its own core: set limits, add users, send commands on a timetable, and read
back what the bot sent. Times are the fake's clock (``time.monotonic`` in its process).

Users are given as ``{"ids": [...]}`` or ``{"first": n, "count": k}`` (ids n .. n+k-1).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from fakebot.telegram import FakeTelegram

Operation = Callable[[FakeTelegram, dict[str, Any]], Any]


def user_ids(body: dict[str, Any]) -> list[int]:
    if "ids" in body:
        return [int(i) for i in body["ids"]]
    first = int(body["first"])
    return list(range(first, first + int(body["count"])))


class Control:
    """The operations; each takes the JSON body and returns something JSON-serialisable."""

    def __init__(self, telegram: FakeTelegram) -> None:
        self.telegram = telegram
        self.asked: dict[int, float] = {}  # user -> when their timed command was enqueued
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, operation: str, body: dict[str, Any]) -> Any:
        handler = getattr(self, f"op_{operation}", None)
        if handler is None:
            raise KeyError(operation)
        return await handler(body)

    async def op_add_users(self, body: dict[str, Any]) -> int:
        ids = user_ids(body)
        name = str(body.get("first_name", "User"))
        for uid in ids:
            self.telegram.add_user(uid, name)
        return len(ids)

    async def op_set_limits(self, body: dict[str, Any]) -> bool:
        self.telegram.set_limits(
            body.get("global_per_second"),
            body.get("per_chat_per_second"),
            body.get("paid_per_second", 1000),
            retry_after=body.get("retry_after"),
            per_chat_burst=int(body.get("per_chat_burst", 1)),
        )
        return True

    async def op_send_commands(self, body: dict[str, Any]) -> int:
        """Each user sends ``/command`` at ``offsets[i]`` seconds from now (in the background)."""
        ids = user_ids(body)
        offsets = [float(o) for o in body.get("offsets", [0.0] * len(ids))]
        if len(offsets) != len(ids):
            raise ValueError("offsets and users differ in length")
        task = asyncio.create_task(self._timetable(ids, offsets, str(body["command"])))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return len(ids)

    async def _timetable(self, ids: list[int], offsets: list[float], command: str) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        for uid, offset in sorted(zip(ids, offsets, strict=True), key=lambda p: p[1]):
            delay = start + offset - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self.asked[uid] = self.telegram.clock()
            self.telegram.send_command(uid, command)

    async def op_progress(self, body: dict[str, Any]) -> dict[str, Any]:
        """Cheap counters to poll while waiting."""
        tg = self.telegram
        return {
            "sent": tg.sent_count,
            "floods": len(tg.flood_times),
            "asked": len(self.asked),
            "counters": dict(tg.counters),
        }

    async def op_report(self, body: dict[str, Any]) -> dict[str, Any]:
        """What the bot sent to these users: every message's time (sorted), split into those
        containing ``marker`` and the others, per user the number of messages and of those
        containing ``marker``, repeated sends, and all 429s so far."""
        tg = self.telegram
        marked_times: list[float] = []
        other_times: list[float] = []
        counts: list[int] = []
        marked: list[int] = []
        duplicates = 0
        marker = body.get("marker")
        for uid in user_ids(body):
            box = tg.inbox(uid)
            hits = [bool(marker) and marker in (m["text"] or "") for m in box]
            marked_times.extend(m["time"] for m, hit in zip(box, hits, strict=True) if hit)
            other_times.extend(m["time"] for m, hit in zip(box, hits, strict=True) if not hit)
            counts.append(len(box))
            marked.append(sum(hits))
            duplicates += len(tg.duplicates(uid))
        return {
            "times": sorted(marked_times + other_times),
            "marked_times": sorted(marked_times),
            "other_times": sorted(other_times),
            "counts": counts,
            "marked": marked,
            "duplicates": duplicates,
            "flood_times": list(tg.flood_times),
        }

    async def op_times(self, body: dict[str, Any]) -> dict[str, list[float]]:
        """Per user: when each message the bot sent there arrived (for finer analysis)."""
        return {str(uid): [m["time"] for m in self.telegram.inbox(uid)] for uid in user_ids(body)}

    async def op_replies(self, body: dict[str, Any]) -> dict[str, float | None]:
        """Per user: seconds from their timed command to the bot's first message after it."""
        out: dict[str, float | None] = {}
        for uid in user_ids(body):
            asked = self.asked.get(uid)
            after = [m["time"] for m in self.telegram.inbox(uid) if asked and m["time"] >= asked]
            out[str(uid)] = (after[0] - asked) if (asked is not None and after) else None
        return out
