"""The long-running process: start in order, wait for a stop signal, stop in order.

PTB's ``run_polling`` handles SIGTERM by raising ``SystemExit`` from a signal callback, which
leaves whatever coroutine was running at that moment (start-up, a tick, a send) abandoned
half-way, and it gives up after one failed ``getMe``. Here a signal only sets an event; every
start-up step waits on the network *or* that event, and shutdown runs each step once, in order,
with a time limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application

from bot import context as ctx
from bot.app import REQUESTS_KEY, shutdown, startup
from bot.logs import scrub
from bot.storage import StorageError
from bot.webhook import KEY as WEBHOOK_KEY
from bot.webhook import WebhookServer

log = logging.getLogger(__name__)
T = TypeVar("T")

FIRST_RETRY = 1.0  # seconds; doubles per attempt up to MAX_RETRY
MAX_RETRY = 30.0
STEP_TIMEOUT = 10.0  # each shutdown step gets this long before the next one runs anyway
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stopped(Exception):
    """A stop signal arrived while starting up."""


class Fatal(Exception):
    """Start-up cannot succeed as configured; the message is one line for the operator."""


def fail(message: str) -> None:
    print(f"couplet: {scrub(message)}", file=sys.stderr, flush=True)


async def serve(application: Application, stop: asyncio.Event | None = None) -> int:
    """Run the bot until SIGTERM or SIGINT: 0 after a clean stop, 2 if start-up cannot succeed."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    received: list[str] = []

    def on_signal(sig: signal.Signals) -> None:
        if received:
            log.info("%s: already stopping", sig.name)
            return
        received.append(sig.name)
        log.info("%s received: stopping", sig.name)
        stop.set()

    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, on_signal, sig)
    started: list[str] = []
    code = 0
    try:
        await _start(application, stop, started)
        await stop.wait()
    except Stopped:
        pass
    except Fatal as exc:
        fail(str(exc))
        code = 2
    finally:
        await _stop(application, started)
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)
            signal.signal(sig, signal.SIG_IGN)  # exiting anyway: no default kill on the way out
    if code == 0:
        log.info("stopped")
    return code


async def _start(application: Application, stop: asyncio.Event, started: list[str]) -> None:
    couplet = application.bot_data[ctx.KEY]
    try:
        await couplet.db.open()  # before the network: a bad DATABASE_URL says so at once
    except StorageError as exc:
        raise Fatal(str(exc)) from None
    started.append("db")
    url = couplet.settings.telegram_api_url
    started.append("initialize")  # initialize opens HTTP sessions even when getMe fails
    await _until_connected(application.initialize, url, stop, "connect")
    started.append("startup")  # shutdown() undoes a partial startup() as well
    await _until_done(startup(application, freeze=True), stop)
    settings = couplet.settings
    if settings.webhook_url:
        await _start_webhook(application, stop, started)
    else:
        updater = application.updater
        if updater is None:
            raise RuntimeError("the application was built without an updater")
        await _until_connected(
            lambda: updater.start_polling(
                allowed_updates=Update.ALL_TYPES, error_callback=polling_error(url)
            ),
            url,
            stop,
            "start polling",
        )
        started.append("polling")
    await application.start()
    started.append("application")


async def _start_webhook(application: Application, stop: asyncio.Event, started: list[str]) -> None:
    """Listen first, then tell Telegram where to call (every instance sets the same URL)."""
    settings = application.bot_data[ctx.KEY].settings
    server = WebhookServer(application)
    try:
        await server.start()
    except OSError as exc:
        raise Fatal(
            f"WEBHOOK_HOST/WEBHOOK_PORT: cannot listen on {server.host}:{server.port}"
            f" ({exc.strerror or exc})"
        ) from None
    application.bot_data[WEBHOOK_KEY] = server
    started.append("webhook")
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    await _until_connected(
        lambda: application.bot.set_webhook(
            settings.webhook_url, secret_token=secret, allowed_updates=Update.ALL_TYPES
        ),
        settings.telegram_api_url,
        stop,
        "set the webhook",
    )


async def _until_connected(
    step: Callable[[], Awaitable[object]], url: str, stop: asyncio.Event, what: str
) -> None:
    """Run ``step`` until the Bot API answers, retrying network errors and 5xx with backoff."""
    delay, attempt = FIRST_RETRY, 1
    while True:
        try:
            await _until_done(step(), stop)
            return
        except InvalidToken:
            raise Fatal(
                f"the Bot API at {url} rejected BOT_TOKEN (401 Unauthorized): the token is wrong "
                "or was revoked; copy it again from @BotFather (/mybots → API Token)"
            ) from None
        except NetworkError as exc:  # timeouts, refused connections, DNS, 5xx
            reason = scrub(str(exc)) or type(exc).__name__
            pause = delay * random.uniform(0.8, 1.2)  # jitter: restarted fleets spread out
            log.warning(
                "cannot %s to the Bot API at %s (attempt %d: %s); retrying in %.1f s",
                what, url, attempt, reason, pause,
            )  # fmt: skip
        except TelegramError as exc:
            raise Fatal(f"the Bot API at {url} refused to {what}: {exc}") from None
        if await _wait(stop, pause):
            raise Stopped
        delay, attempt = min(delay * 2, MAX_RETRY), attempt + 1


def polling_error(url: str) -> Callable[[TelegramError], None]:
    """One line per failed ``getUpdates`` while running (PTB's default logs a traceback)."""

    def on_error(exc: TelegramError) -> None:
        log.warning("cannot fetch updates from the Bot API at %s (%s); retrying", url, exc)

    return on_error


async def _until_done(work: Awaitable[T], stop: asyncio.Event) -> T:
    """``work``'s result, or ``Stopped`` as soon as ``stop`` is set (``work`` is cancelled)."""
    task = asyncio.ensure_future(work)
    waiter = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
    raise Stopped


async def _wait(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep, waking early when ``stop`` is set; True if it was."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()


async def _stop(application: Application, started: list[str]) -> None:
    """Undo what ``_start`` did, newest first; each step bounded, none skipped by another."""
    couplet = application.bot_data[ctx.KEY]
    updater = application.updater
    steps: list[tuple[str, Callable[[], Awaitable[object]]]] = []
    if "polling" in started and updater is not None and updater.running:
        steps.append(("polling", updater.stop))
    if "webhook" in started:  # the webhook stays set: the other instances still serve it
        steps.append(("webhook server", application.bot_data[WEBHOOK_KEY].stop))
    if "application" in started and application.running:
        steps.append(("handlers and jobs", application.stop))
    if "startup" in started:
        steps.append(("outbox sender and database", lambda: shutdown(application)))
    if "initialize" in started:
        steps.append(("Bot API session", lambda: _close_http(application)))
    steps.append(("database", couplet.db.close))
    for name, step in steps:
        try:
            await asyncio.wait_for(step(), STEP_TIMEOUT)
        except TimeoutError:
            log.warning("stopping: %s did not finish within %.0f s", name, STEP_TIMEOUT)
        except Exception as exc:
            log.warning("stopping: %s failed: %s", name, exc)


async def _close_http(application: Application) -> None:
    """``Application.shutdown``, plus the HTTP sessions a failed ``initialize`` left open."""
    await application.shutdown()
    for request in application.bot_data.get(REQUESTS_KEY, ()):
        await request.shutdown()
