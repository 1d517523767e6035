"""``FakeBotApiServer``: serves a ``FakeTelegram`` over HTTP like api.telegram.org."""

from __future__ import annotations

import asyncio
import json
import logging
from types import TracebackType
from typing import Any

from aiohttp import web

from fakebot.control import Control
from fakebot.errors import error_envelope
from fakebot.params import decode_params
from fakebot.telegram import FakeTelegram

log = logging.getLogger(__name__)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class FakeBotApiServer:
    """HTTP front end: ``/bot<token>/<method>`` → ``FakeTelegram.call``.

    Use ``async with FakeBotApiServer(telegram) as server`` and point PTB at
    ``base_url=f"{server.url}/bot"``. With ``control=True`` it also serves the test-control
    API at ``POST /_control/<operation>`` (see ``fakebot.control``).
    """

    def __init__(
        self,
        telegram: FakeTelegram,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        token: str | None = None,
        access_log: bool = False,
        control: bool = False,
    ) -> None:
        self.telegram = telegram
        self.host = host
        self.port = port
        self.token = token
        self._access_log = access_log
        self._runner: web.AppRunner | None = None
        self.control = Control(telegram) if control else None

    @property
    def url(self) -> str:
        if self._runner is None:
            raise RuntimeError("server is not started")
        return f"http://{self.host}:{self.port}"

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_route("*", "/file/bot{token}/{path:.*}", self._handle_file)
        if self.control is not None:
            app.router.add_post("/_control/{operation}", self._handle_control)
        return app

    async def start(self) -> None:
        runner = web.AppRunner(
            self.make_app(),
            access_log=log if self._access_log else None,
            handler_cancellation=True,  # drop long polls when the client goes away
            shutdown_timeout=0.5,  # don't wait a minute for hanging long polls on stop
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = runner.addresses[0][1]  # the real port when port=0

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> FakeBotApiServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- handlers ----------------------------------------------------------------------

    def _reply(self, status: int, body: dict[str, Any]) -> web.Response:
        return web.json_response(body, status=status, dumps=_dumps)

    async def _handle_method(self, request: web.Request) -> web.Response:
        if self.token is not None and request.match_info["token"] != self.token:
            return self._reply(401, error_envelope(401, "Unauthorized"))
        try:
            params = await self._read_params(request)
        except ValueError as exc:
            return self._reply(400, error_envelope(400, f"Bad Request: {exc}"))
        status, body, delay = await self.telegram.call_with_delay(
            request.match_info["method"], params
        )
        if delay:
            await asyncio.sleep(delay)
        return self._reply(status, body)

    async def _handle_control(self, request: web.Request) -> web.Response:
        if self.control is None:  # the route exists only with control=True
            return self._reply(404, {"ok": False, "description": "the control API is off"})
        try:
            body = await request.json() if request.can_read_body else {}
            result = await self.control.run(request.match_info["operation"], body)
        except KeyError as exc:
            return self._reply(404, {"ok": False, "description": f"unknown: {exc}"})
        except (ValueError, TypeError) as exc:
            return self._reply(400, {"ok": False, "description": str(exc)})
        return self._reply(200, {"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        return self._reply(404, error_envelope(404, "Not Found"))

    @staticmethod
    async def _read_params(request: web.Request) -> dict[str, Any]:
        items: list[tuple[str, Any]] = list(request.query.items())
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if not isinstance(body, dict):
                    raise ValueError("JSON body must be an object")
                items.extend(body.items())
            else:
                form = await request.post()
                for name, value in form.items():
                    if isinstance(value, web.FileField):
                        value = f"upload:{value.filename}"  # uploads are recorded by name
                    items.append((name, value))
        return decode_params(items)
