"""One sandbox world: the fake Bot API, the real bot polling it, two partners and a clock.

Nothing is stubbed: the bot is ``bot.app.build_application`` with its handlers, outbox, sender,
rate limiter and scheduler job, exactly as ``python -m bot`` runs it, only its requests go to
the in-process fake instead of the network and its clock is the sandbox's ``SimClock``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from telegram import Update
from telegram.ext import Application

from bot.app import build_application, limiter_from, shutdown, startup
from bot.config import Settings
from bot.context import KEY, Couplet
from bot.core.challenge import DAYS
from bot.core.timeparse import zone
from bot.storage.models import User
from fakebot import ChatEvent, FakeTelegram, InProcessRequest
from sandbox.clock import SimClock
from sandbox.transcript import Push, Transcript
from scheduler.due import run_due

log = logging.getLogger(__name__)

ALEX, SAM = 1001, 1002
DEFAULT_NAMES = ("Alex", "Sam")
BOT_USERNAME = "couplet_sandbox_bot"
# Never sent anywhere: every request goes to the in-process fake.
TOKEN = "1000000000:sandbox-has-no-token"
# Telegram's limits, as the fake enforces them: the sandbox paces like production.
TELEGRAM_LIMITS: dict[str, Any] = {
    "global_per_second": 30,
    "per_chat_per_second": 1,
    "per_chat_burst": 3,
}
STEP = timedelta(minutes=30)  # time travel runs the scheduler at least this often
SETTLE_SECONDS = 20.0  # how long time travel waits for the sender to deliver what became due
MAX_NAME = 32
MAX_TEXT = 4096  # what Telegram accepts in one message from a user
MAX_FILE = 10 * 1024 * 1024
CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")


class SandboxError(Exception):
    """Something the person at the page asked for cannot be done; the message says why."""


@dataclass(frozen=True, slots=True)
class StoredFile:
    content_type: str
    data: bytes


class FileStore:
    """Photos and voice notes sent from the page, by the file_id the fake knows them by."""

    def __init__(self) -> None:
        self._files: dict[str, StoredFile] = {}

    def add(self, kind: str, content_type: str, data: bytes) -> str:
        if not data:
            raise SandboxError("That file is empty.")
        if len(data) > MAX_FILE:
            raise SandboxError("That file is over 10 MB; try a smaller one.")
        file_id = f"sandbox-{kind}-{len(self._files) + 1}"
        self._files[file_id] = StoredFile(content_type, data)
        return file_id

    def get(self, file_id: str) -> StoredFile | None:
        """The fake names a photo's smaller sizes ``<id>-<width>``: all show the one upload."""
        found = self._files.get(file_id)
        if found is None and "-" in file_id:
            found = self._files.get(file_id.rsplit("-", 1)[0])
        return found


def deep_link_code(url: str, bot_username: str) -> str | None:
    """The start code of ``t.me/<bot>?start=<code>``, also inside a ``t.me/share/url`` link."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or parts.hostname not in ("t.me", "telegram.me"):
        return None
    query = parse_qs(parts.query)
    if parts.path.rstrip("/") == "/share/url" and query.get("url"):
        return deep_link_code(query["url"][0], bot_username)
    if parts.path.strip("/").lower() != bot_username.lower():
        return None
    code = (query.get("start") or [""])[0]
    return code if CODE.fullmatch(code) else None


def intl_zone(name: str) -> str | None:
    """The zone as the page's ``Intl.DateTimeFormat`` knows it (``UTC+02:00`` → ``Etc/GMT-2``)."""
    if not name.startswith("UTC") or name == "UTC":
        return name
    sign, hours, minutes = name[3], int(name[4:6]), int(name[7:9])
    if minutes:
        return None  # the page falls back to the fixed offset
    return "UTC" if hours == 0 else f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"


def sandbox_settings(folder: Path) -> Settings:
    return Settings(
        bot_token=TOKEN,
        telegram_api_url="http://telegram.sandbox.invalid",
        database_url=f"sqlite:///{folder}/couplet.db",
        _env_file=None,  # type: ignore[call-arg]
    )


class World:
    """The bot and two partners, Alex (1001) and Sam (1002), in a fresh database under ``folder``.

    ``push`` receives every change the page should show (see ``Transcript`` and ``people``).
    """

    def __init__(
        self,
        folder: Path,
        push: Push,
        *,
        names: tuple[str, str] = DEFAULT_NAMES,
        start: datetime | None = None,
    ) -> None:
        self.folder = folder
        self.push = push
        self.clock = SimClock(start)
        self.ids = (ALEX, SAM)
        self.tg = FakeTelegram(
            username=BOT_USERNAME, clock=self.clock.monotonic, wall_clock=self.clock.epoch
        )
        self.tg.set_limits(**TELEGRAM_LIMITS)
        for user_id, name in zip(self.ids, names, strict=True):
            self.tg.add_user(user_id, name, name.lower())
        self.files = FileStore()
        self.transcript = Transcript(self.ids, push)
        self.tg.subscribe(self.transcript)
        self.tg.subscribe(self._on_event)
        self.settings = sandbox_settings(folder)
        self.app: Application = build_application(
            self.settings,
            clock=self.clock,
            rate_limiter=limiter_from(self.settings, clock=self.clock.monotonic),
            request=InProcessRequest(self.tg),
            run_scheduler=True,
        )
        self._travel = asyncio.Lock()
        self._people: list[dict[str, Any]] = []
        self._refresh: asyncio.Task[None] | None = None
        self._started: list[str] = []

    @property
    def couplet(self) -> Couplet:
        return self.app.bot_data[KEY]

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the bot as ``python -m bot`` does: storage, command menu, sender, polling, jobs."""
        self.folder.mkdir(parents=True, exist_ok=True)
        await self.app.initialize()
        self._started.append("initialize")
        await startup(self.app, start_sender=True)
        self._started.append("startup")
        updater = self.app.updater
        if updater is None:
            raise RuntimeError("the application was built without an updater")
        await updater.start_polling(poll_interval=0.0, timeout=10, allowed_updates=Update.ALL_TYPES)
        self._started.append("polling")
        await self.app.start()
        self._started.append("application")
        self._people = await self.people()

    async def stop(self) -> None:
        """Stop everything that started, newest first, then delete the world's database."""
        if self._refresh is not None:
            self._refresh.cancel()
        steps: list[tuple[str, Callable[[], Any]]] = []
        if "polling" in self._started and self.app.updater is not None:
            steps.append(("polling", self.app.updater.stop))
        if "application" in self._started:
            steps.append(("application", self.app.stop))
        if "startup" in self._started:
            steps.append(("sender and database", lambda: shutdown(self.app)))
        if "initialize" in self._started:
            steps.append(("bot", self.app.shutdown))
        for name, step in steps:
            try:
                await asyncio.wait_for(step(), 10)
            except Exception as exc:  # stopping anyway: say what did not stop cleanly
                log.warning("sandbox: stopping the %s failed: %s", name, exc)
        self._started.clear()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- what the page shows ---------------------------------------------------------------

    def name(self, user_id: int) -> str:
        return str(self.tg.users[user_id]["first_name"])

    def partner_of(self, user_id: int) -> int:
        self._check_user(user_id)
        return SAM if user_id == ALEX else ALEX

    async def snapshot(self) -> dict[str, Any]:
        """Everything the page needs to draw itself from scratch."""
        return {
            "type": "state",
            "now": self.clock.epoch(),
            "bot": {"name": self.tg.bot["first_name"], "username": self.tg.username},
            "people": await self.people(),
            "chats": {str(uid): self.transcript.snapshot(uid) for uid in self.ids},
            "commands": self.tg.commands,
        }

    async def people(self) -> list[dict[str, Any]]:
        """Each partner as the time bar shows them: name, zone, day, next prompt, status."""
        async with self.couplet.db.read() as tx:
            rows = {uid: await tx.users.user(uid) for uid in self.ids}
            couples = {uid: await tx.couples.couple(u.couple_id) for uid, u in rows.items() if u}
        out = []
        for uid in self.ids:
            user, couple = rows[uid], couples.get(uid)
            zone_name = user.timezone if user else self.settings.default_timezone
            offset = self.clock.now().astimezone(zone(zone_name)).utcoffset() or timedelta()
            status = "new" if user is None else "single"
            day = 0
            if couple is not None and couple.status != "ended" and user is not None:
                status = couple.status
                day = min(DAYS, max(0, user.next_day - 1))
                if user.next_day > DAYS and user.next_delivery_at is None:
                    status = "complete"
            out.append(
                {
                    "id": uid,
                    "name": self.name(uid),
                    "zone": zone_name,
                    "intl_zone": intl_zone(zone_name),
                    "offset_minutes": int(offset.total_seconds() // 60),
                    "day": day,
                    "next_prompt": user.next_delivery_at.timestamp()
                    if user and user.next_delivery_at
                    else None,
                    "status": status,
                }
            )
        return out

    def _on_event(self, event: ChatEvent) -> None:
        if event.kind == "commands":
            self.push({"type": "commands", "commands": self.tg.commands})
        elif event.kind in ("message", "edit") and (self._refresh is None or self._refresh.done()):
            self._refresh = asyncio.get_running_loop().create_task(self._refresh_people())

    async def _refresh_people(self) -> None:
        """After the bot said something, settings, day or pairing may have changed."""
        await asyncio.sleep(0.05)
        await self.push_people()

    async def push_people(self, *, force: bool = False) -> None:
        people = await self.people()
        if force or people != self._people:
            self._people = people
            self.push({"type": "people", "people": people})

    # -- what the partners do --------------------------------------------------------------

    def _check_user(self, user_id: int) -> None:
        if user_id not in self.ids:
            raise SandboxError("There are two phones here: Alex's and Sam's.")

    def say(self, user_id: int, text: str, reply_to: int | None = None) -> dict[str, Any]:
        self._check_user(user_id)
        text = text.strip()
        if not text:
            raise SandboxError("Type something first.")
        if len(text) > MAX_TEXT:
            raise SandboxError("Telegram takes up to 4,096 characters in one message.")
        return self.tg.send_text(user_id, text, reply_to=self._reply_target(user_id, reply_to))

    def _reply_target(self, user_id: int, reply_to: int | None) -> int | None:
        if reply_to is not None and self.tg.message(user_id, reply_to) is None:
            raise SandboxError("The message you are replying to is gone.")
        return reply_to

    def edit(self, user_id: int, message_id: int, text: str) -> dict[str, Any]:
        self._check_user(user_id)
        text = text.strip()
        if not text or len(text) > MAX_TEXT:
            raise SandboxError("An edited message needs between 1 and 4,096 characters.")
        try:
            return self.tg.edit_text(user_id, message_id, text)
        except KeyError:
            raise SandboxError("Only your own text messages can be edited.") from None

    def press(self, user_id: int, message_id: int, data: str) -> None:
        self._check_user(user_id)
        try:
            self.tg.press_button(user_id, {"chat_id": user_id, "message_id": message_id}, data)
        except (KeyError, ValueError):
            raise SandboxError("That button is no longer there.") from None

    def photo(
        self,
        user_id: int,
        data: bytes,
        content_type: str,
        caption: str | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        self._check_user(user_id)
        if not content_type.startswith("image/"):
            raise SandboxError("That isn't a picture: pick a photo (JPEG, PNG, WebP...).")
        file_id = self.files.add("photo", content_type, data)
        caption = (caption or "").strip()[:1024] or None
        return self.tg.send_photo(
            user_id, file_id, caption=caption, reply_to=self._reply_target(user_id, reply_to)
        )

    def voice(
        self,
        user_id: int,
        data: bytes,
        content_type: str,
        duration: int,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        self._check_user(user_id)
        if not content_type.startswith(("audio/", "video/webm")):
            raise SandboxError("That isn't a recording: a voice note is audio.")
        file_id = self.files.add("voice", content_type, data)
        return self.tg.send_voice(
            user_id,
            file_id,
            duration=max(1, min(duration, 3600)),
            reply_to=self._reply_target(user_id, reply_to),
        )

    def open_link(self, user_id: int, url: str) -> int | None:
        """A t.me invite link tapped in one phone opens in the other: it was meant for them.

        Returns the phone it opened in, or None when it is not a link to this bot.
        """
        target = self.partner_of(user_id)
        code = deep_link_code(url, self.tg.username)
        if code is None:
            return None
        text = f"/start {code}"
        self.transcript.expect_deep_link(target, text)
        self.tg.send_text(target, text)
        return target

    def rename(self, user_id: int, name: str) -> None:
        """The partner's Telegram name; the bot picks it up with their next message."""
        self._check_user(user_id)
        name = " ".join(name.split())
        if not 1 <= len(name) <= MAX_NAME:
            raise SandboxError(f"A name needs between 1 and {MAX_NAME} characters.")
        self.tg.users[user_id] = {**self.tg.users[user_id], "first_name": name}
        chat = self.tg.chats[user_id]
        chat.chat = {**chat.chat, "first_name": name}

    # -- time travel -----------------------------------------------------------------------

    async def travel(self, action: str, day: int | None = None) -> str:
        """Move the bot's clock and run the scheduler on the way; returns a line for the page."""
        async with self._travel:
            try:
                if action == "hour":
                    await self._walk(until=self.clock.now() + timedelta(hours=1))
                    message = "One hour later."
                elif action == "day":
                    await self._walk(until=self.clock.now() + timedelta(days=1))
                    message = "One day later."
                elif action == "next":
                    message = await self._next_prompt()
                elif action == "goto" and day is not None:
                    message = await self._goto(day)
                else:
                    raise SandboxError("Pick +1 hour, +1 day, next prompt or a day to jump to.")
            finally:
                self.push({"type": "clock", "now": self.clock.epoch()})
                await self.push_people(force=True)
            return message

    async def _users(self) -> dict[int, User | None]:
        async with self.couplet.db.read() as tx:
            return {uid: await tx.users.user(uid) for uid in self.ids}

    @staticmethod
    def _scheduled(users: dict[int, User | None]) -> list[User]:
        return [u for u in users.values() if u is not None and u.next_delivery_at is not None]

    async def _next_prompt(self) -> str:
        before = await self._users()
        scheduled = self._scheduled(before)
        if not scheduled:
            return self._nothing_scheduled(before)
        target = min(u.next_delivery_at for u in scheduled if u.next_delivery_at)
        await self._walk(until=max(target, self.clock.now()))
        after = await self._users()
        arrived = [
            b.next_day
            for uid, b in before.items()
            if b is not None and (a := after[uid]) is not None and a.next_day > b.next_day
        ]
        finished = any(
            b is not None and (a := after[uid]) is not None and a.next_day > DAYS
            and a.next_delivery_at is None
            for uid, b in before.items()
        )  # fmt: skip
        if not arrived:
            return "The 30 days are complete 🎉" if finished else "Nothing arrived: is it paused?"
        day = min(arrived)
        return "The 30 days are complete 🎉" if day > DAYS else f"Day {day} has arrived."

    async def _goto(self, day: int) -> str:
        if not 1 <= day <= DAYS:
            raise SandboxError(f"Pick a day from 1 to {DAYS}.")
        users = await self._users()
        scheduled = self._scheduled(users)
        if not scheduled:
            return self._nothing_scheduled(users)
        current = min(u.next_day for u in scheduled) - 1
        if current >= day:
            raise SandboxError(f"You're on day {current} already. Reset starts over.")

        def arrived(users: dict[int, User | None]) -> bool:
            waiting = self._scheduled(users)
            return not waiting or all(u.next_day > day for u in waiting)

        await self._walk(until=self.clock.now() + timedelta(days=day - current + 2), done=arrived)
        users = await self._users()
        if not all(u.next_day > day for u in self._scheduled(users)):
            return "Time moved on, but the challenge is paused: /resume picks it up."
        return f"Day {day} has arrived."

    def _nothing_scheduled(self, users: dict[int, User | None]) -> str:
        if all(u is None or u.couple_id is None for u in users.values()):
            raise SandboxError(
                f"Nothing is scheduled yet: pair {self.name(ALEX)} and {self.name(SAM)} first "
                f"(send /start in {self.name(ALEX)}'s phone)."
            )
        raise SandboxError("Nothing is scheduled: the challenge is paused or complete.")

    async def _walk(
        self,
        *,
        until: datetime,
        done: Callable[[dict[int, User | None]], bool] | None = None,
    ) -> None:
        """Move the clock to ``until`` (or until ``done``), as if the scheduler ran all along.

        It stops at every partner's next delivery and at least every ``STEP``, runs the tick
        there, and waits for the sender to deliver what became due before moving on, so each
        message is dated the moment it would have arrived.
        """
        while True:
            users = await self._users()
            now = self.clock.now()
            if now >= until or (done is not None and done(users)):
                return
            upcoming = [
                u.next_delivery_at
                for u in self._scheduled(users)
                if u.next_delivery_at is not None and u.next_delivery_at > now
            ]
            self.clock.advance_to(min([until, now + STEP, *upcoming]))
            result = await run_due(self.couplet, self.clock)
            if result.total:
                await self.settle()

    async def settle(self, timeout: float = SETTLE_SECONDS) -> bool:  # noqa: ASYNC109
        """Wait until the outbox holds nothing due (sent and recorded); False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            async with self.couplet.db.read() as tx:
                if not await tx.outbox.pending(self.clock.now(), 1):
                    return True
            await self.tg.activity.wait(0.05)  # the next Bot API call, or a moment
        log.warning("sandbox: the outbox still holds due messages after %.0f s", timeout)
        return False


def utc(text: str) -> datetime:
    """``--start`` values: ISO 8601, ``Z`` allowed; naive times are UTC."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)
