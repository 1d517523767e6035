"""``InProcessRequest``: PTB's network layer short-circuited straight into a FakeTelegram."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from fakebot.telegram import FakeTelegram


class InProcessRequest(BaseRequest):
    """A ``BaseRequest`` that answers from a ``FakeTelegram`` without HTTP.

    PTB's ``BaseRequest.post`` turns the (status, JSON bytes) we return into results or
    ``RetryAfter``/``Forbidden``/``BadRequest``/... exactly as for real HTTP answers.
    Injected timeouts become ``TimedOut`` once ``read_timeout`` elapses.
    """

    def __init__(self, telegram: FakeTelegram, read_timeout: float | None = 5.0) -> None:
        self.telegram = telegram
        self._read_timeout = read_timeout

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:
            return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'
        api_method = url.rstrip("/").rsplit("/", 1)[-1]
        # ``parameters`` are plain Python values (PTB objects already ``to_dict``-ed);
        # ``json_parameters`` would be the string form HTTPXRequest puts in the form body.
        params = request_data.parameters if request_data is not None else {}
        timeout = self._read_timeout if read_timeout is self.DEFAULT_NONE else read_timeout
        status, body, delay = await self.telegram.call_with_delay(api_method, dict(params))
        if delay:
            if timeout is not None and delay >= timeout:
                await asyncio.sleep(timeout)
                raise TimedOut("Timed out")
            await asyncio.sleep(delay)
        return status, json.dumps(body).encode()
