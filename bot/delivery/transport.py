"""``AiohttpRequest``: PTB's network layer on aiohttp instead of httpx.

PTB's stock ``HTTPXRequest`` costs about 2.5-3.5 ms of CPU per Bot API call here (httpcore scans
its whole connection pool on every request and, without ``sniffio`` installed, retries a failing
import each time), which caps one process at a few hundred sends per second. The same calls
over aiohttp cost about 0.4 ms. Parameters go as one JSON body (the Bot API accepts
``application/json``), uploads as ``multipart/form-data``. Errors map as in PTB's own request
classes: a timeout becomes ``TimedOut``, any other transport failure ``NetworkError``; HTTP
statuses are PTB's business.
"""

from __future__ import annotations

import json
import ssl
import urllib.parse
import urllib.request
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

JSON_HEADERS = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """One ``aiohttp.ClientSession`` with up to ``connection_pool_size`` open connections."""

    def __init__(
        self,
        connection_pool_size: int = 256,
        *,
        proxy: str | None = None,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._proxy = proxy
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        """Like httpx (PTB's default): certifi's CA bundle; ``proxy`` for every call."""
        if self._session is None or self._session.closed:
            tls = _tls_context()
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0, ssl=tls)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets none; saves ~20% per call
                proxy=self._proxy,
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

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
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        body: aiohttp.FormData | bytes | None = None
        headers = None
        if isinstance(request_data, JsonBody):
            body, headers = request_data.text.encode(), JSON_HEADERS
        elif files and request_data is not None:  # files come only with request data
            body = aiohttp.FormData(request_data.json_parameters)
            for name, (filename, content, mimetype) in files.items():
                body.add_field(name, content, filename=filename, content_type=mimetype)
        elif request_data is not None:  # one JSON body: cheaper than a form of JSON strings
            body = json.dumps(request_data.parameters, ensure_ascii=False).encode()
            headers = JSON_HEADERS
        read = _value(read_timeout, self._read_timeout)
        write = _value(write_timeout, self._media_write_timeout if files else self._write_timeout)
        connect = _value(connect_timeout, self._connect_timeout)
        pool = _value(pool_timeout, self._pool_timeout)
        # aiohttp has no write timeout of its own: the read timeout starts once the request is
        # written, so a stuck write is bounded by connect + write + read at most.
        total = None if None in (read, write, connect) else read + write + connect + (pool or 0.0)
        timeout = aiohttp.ClientTimeout(
            total=total,
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as resp:
                return resp.status, await resp.read()
        except TimeoutError as exc:  # aiohttp's timeouts included
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


class JsonBody(RequestData):
    """A request whose body is ready-made JSON text, such as an outbox row's payload.

    ``AiohttpRequest`` sends the text as it is; any other ``BaseRequest`` reads the parameters.
    """

    __slots__ = ("_decoded", "text")

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self._decoded: dict[str, Any] | None = None

    @property
    def parameters(self) -> dict[str, Any]:
        if self._decoded is None:
            self._decoded = json.loads(self.text)
        return self._decoded

    @property
    def json_parameters(self) -> dict[str, str]:
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in self.parameters.items()}

    @property
    def multipart_data(self) -> dict[str, Any]:
        return {}


def with_field(text: str, name: str, value: Any) -> str:
    """Add one field to the JSON object ``text`` (which has none of that name)."""
    head = text.rstrip()
    if not head.endswith("}"):
        raise ValueError("not a JSON object")
    separator = "" if head[:-1].rstrip().endswith("{") else ","
    return f"{head[:-1]}{separator}{json.dumps(name)}:{json.dumps(value)}}}"


def env_proxy(url: str) -> str | None:
    """The proxy the environment (``HTTPS_PROXY``, ``NO_PROXY``, ...) sets for ``url``, as httpx
    would use it. Resolved once: aiohttp's ``trust_env`` looks it up on every call, which
    cost a third of the throughput."""
    parts = urllib.parse.urlsplit(url)
    if parts.hostname is None or urllib.request.proxy_bypass(parts.hostname):
        return None
    return urllib.request.getproxies().get(parts.scheme)


def _tls_context() -> ssl.SSLContext:
    try:
        import certifi  # installed with httpx, which PTB requires
    except ImportError:  # pragma: no cover
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


def _value(given: Any, default: float | None) -> float | None:
    return default if isinstance(given, DefaultValue) else given
