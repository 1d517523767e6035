"""The page and its API (aiohttp). Every change in the two chats is pushed to the page over SSE.

``GET /api/events`` starts with a ``state`` event (everything, to draw from scratch) and then
sends one event per change: ``message``, ``edit``, ``delete``, ``toast``, ``action``,
``commands``, ``people`` and ``clock``; after a reset, a new ``state``.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from sandbox.world import DEFAULT_NAMES, MAX_FILE, SandboxError, World

STATIC = Path(__file__).with_name("static")
SANDBOX: web.AppKey[Sandbox] = web.AppKey("sandbox")
KEEP_ALIVE = 15.0  # seconds between SSE comments on a quiet stream
CSP = (
    "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
    "style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class Sandbox:
    """The current world, the pages listening to it, and starting over."""

    def __init__(self, *, root: Path | None = None, start: datetime | None = None) -> None:
        self._root = root
        self._own_root = root is None
        self.start_at = start
        self.world: World | None = None
        self._names: tuple[str, str] = DEFAULT_NAMES
        self._listeners: set[asyncio.Queue[str]] = set()
        self._lock = asyncio.Lock()
        self._worlds = 0

    async def open(self) -> None:
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix="couplet-sandbox-"))
        await self._new_world()

    async def close(self) -> None:
        async with self._lock:
            if self.world is not None:
                world, self.world = self.world, None
                await world.stop()
        if self._own_root and self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)

    async def _new_world(self) -> None:
        if self._root is None:
            raise RuntimeError("Sandbox.open() first")
        self._worlds += 1
        world = World(
            self._root / f"world-{self._worlds}",
            self.broadcast,
            names=self._names,
            start=self.start_at,
        )
        await world.start()
        self.world = world

    async def reset(self) -> None:
        """A fresh database, fake and bot; the names stay as they were edited."""
        async with self._lock:
            old, self.world = self.world, None
            if old is not None:
                self._names = (old.name(old.ids[0]), old.name(old.ids[1]))
                await old.stop()
            await self._new_world()
            if self.world is not None:
                self.broadcast(await self.world.snapshot())

    # -- server-sent events ----------------------------------------------------------------

    def listen(self) -> asyncio.Queue[str]:
        queue: asyncio.Queue[str] = asyncio.Queue()
        self._listeners.add(queue)
        return queue

    def unlisten(self, queue: asyncio.Queue[str]) -> None:
        self._listeners.discard(queue)

    def broadcast(self, event: dict[str, Any]) -> None:
        data = _encode(event)
        for queue in self._listeners:
            queue.put_nowait(data)

    @staticmethod
    def send_to(queue: asyncio.Queue[str], event: dict[str, Any]) -> None:
        queue.put_nowait(_encode(event))


def _encode(event: dict[str, Any]) -> str:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


# -- request helpers ---------------------------------------------------------------------------


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _int(body: Any, name: str, *, optional: bool = False) -> int | None:
    value = body.get(name) if hasattr(body, "get") else None
    if value in (None, "") and optional:
        return None
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SandboxError(f"The request needs a number for {name!r}.") from None


def _required_int(body: Any, name: str) -> int:
    value = _int(body, name)
    if value is None:
        raise SandboxError(f"The request needs a number for {name!r}.")
    return value


def _str(body: Any, name: str) -> str:
    value = body.get(name) if hasattr(body, "get") else None
    if not isinstance(value, str):
        raise SandboxError(f"The request needs text for {name!r}.")
    return value


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise SandboxError("The request body isn't JSON.") from None
    if not isinstance(body, dict):
        raise SandboxError("The request body should be a JSON object.")
    return body


async def _upload(request: web.Request) -> tuple[Any, bytes, str]:
    form = await request.post()
    upload = form.get("file")
    if not isinstance(upload, web.FileField):
        raise SandboxError("Pick a file to send.")
    data = upload.file.read(MAX_FILE + 1)
    return form, data, upload.content_type or "application/octet-stream"


Handler = Callable[[World, web.Request], Awaitable[dict[str, Any] | None]]


def api(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The world the request acts on, and a kind one-line error for anything the page got wrong."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        world = request.app[SANDBOX].world
        if world is None:
            return _error(503, "Starting over… try again in a moment.")
        try:
            result = await handler(world, request)
        except SandboxError as exc:
            return _error(400, str(exc))
        return web.json_response(result if result is not None else {"ok": True})

    return wrapped


# -- the API -----------------------------------------------------------------------------------


@api
async def say(world: World, request: web.Request) -> dict[str, Any]:
    body = await _json(request)
    sent = world.say(
        _required_int(body, "user"), _str(body, "text"), _int(body, "reply_to", optional=True)
    )
    return {"id": sent["message_id"]}


@api
async def edit(world: World, request: web.Request) -> None:
    body = await _json(request)
    world.edit(_required_int(body, "user"), _required_int(body, "id"), _str(body, "text"))


@api
async def press(world: World, request: web.Request) -> None:
    body = await _json(request)
    world.press(_required_int(body, "user"), _required_int(body, "id"), _str(body, "data"))


@api
async def open_link(world: World, request: web.Request) -> dict[str, Any]:
    body = await _json(request)
    return {"opened_in": world.open_link(_required_int(body, "user"), _str(body, "url"))}


@api
async def photo(world: World, request: web.Request) -> dict[str, Any]:
    form, data, content_type = await _upload(request)
    caption = form.get("caption")
    sent = world.photo(
        _required_int(form, "user"),
        data,
        content_type,
        caption if isinstance(caption, str) else None,
        _int(form, "reply_to", optional=True),
    )
    return {"id": sent["message_id"]}


@api
async def voice(world: World, request: web.Request) -> dict[str, Any]:
    form, data, content_type = await _upload(request)
    duration = _int(form, "duration", optional=True) or 1
    sent = world.voice(
        _required_int(form, "user"),
        data,
        content_type,
        duration,
        _int(form, "reply_to", optional=True),
    )
    return {"id": sent["message_id"]}


@api
async def travel(world: World, request: web.Request) -> dict[str, Any]:
    body = await _json(request)
    message = await world.travel(_str(body, "action"), _int(body, "day", optional=True))
    return {"message": message, "now": world.clock.epoch()}


@api
async def rename(world: World, request: web.Request) -> None:
    body = await _json(request)
    world.rename(_required_int(body, "user"), _str(body, "name"))
    await world.push_people(force=True)


@api
async def state(world: World, request: web.Request) -> dict[str, Any]:
    return await world.snapshot()


async def reset(request: web.Request) -> web.Response:
    await request.app[SANDBOX].reset()
    return web.json_response({"ok": True})


async def files(request: web.Request) -> web.StreamResponse:
    world = request.app[SANDBOX].world
    found = world.files.get(request.match_info["file_id"]) if world else None
    if found is None:
        raise web.HTTPNotFound()
    return web.Response(
        body=found.data,
        content_type=found.content_type,
        headers={
            "Cache-Control": "private, max-age=3600",
            "Content-Security-Policy": "sandbox",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def events(request: web.Request) -> web.StreamResponse:
    sandbox = request.app[SANDBOX]
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    queue = sandbox.listen()
    try:
        await response.write(b"retry: 1000\n\n")
        if sandbox.world is not None:
            sandbox.send_to(queue, await sandbox.world.snapshot())
        while True:
            try:
                data = await asyncio.wait_for(queue.get(), KEEP_ALIVE)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            await response.write(b"data: " + data.encode() + b"\n\n")
    except ConnectionResetError:
        pass  # the page went away
    finally:
        sandbox.unlisten(queue)
    return response


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


@web.middleware
async def guard(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Only this page may change the sandbox (no cross-site POSTs), and nothing loads from afar."""
    origin = request.headers.get("Origin")
    if request.method == "POST" and origin and origin != f"{request.scheme}://{request.host}":
        return _error(403, "Only the sandbox's own page can do that.")
    response = await handler(request)
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


def make_app(sandbox: Sandbox) -> web.Application:
    app = web.Application(client_max_size=MAX_FILE + 64 * 1024, middlewares=[guard])
    app[SANDBOX] = sandbox
    app.router.add_get("/", index)
    app.router.add_static("/static", STATIC, append_version=False)
    app.router.add_get("/api/state", state)
    app.router.add_get("/api/events", events)
    app.router.add_get("/files/{file_id}", files)
    for name, handler in {
        "say": say,
        "edit": edit,
        "press": press,
        "open": open_link,
        "photo": photo,
        "voice": voice,
        "time": travel,
        "name": rename,
        "reset": reset,
    }.items():
        app.router.add_post(f"/api/{name}", handler)
    return app
