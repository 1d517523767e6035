"""Builds the PTB ``Application``: settings, storage, content, handlers, scheduler, outbox."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from datetime import datetime

from telegram import Bot, BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import NetworkError
from telegram.ext import Application, BaseRateLimiter, Defaults

from bot import context as ctx
from bot import handlers, i18n, texts
from bot.config import Settings
from bot.context import Couplet
from bot.delivery.limiter import PriorityRateLimiter
from bot.delivery.sender import OutboxSender
from bot.delivery.transport import AiohttpRequest, env_proxy
from bot.flows import lifecycle
from bot.storage import Database
from bot.updates import PerChatUpdates
from prompts.loader import Library, load_library
from scheduler import retention
from scheduler.job import schedule

log = logging.getLogger(__name__)
REQUESTS_KEY = "couplet.requests"


def build_application(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = ctx.utc_now,
    library: Library | None = None,
    rate_limiter: BaseRateLimiter | None = None,
    request: object | None = None,
    run_scheduler: bool = True,
) -> Application:
    """The whole bot, ready for ``bot.runner.serve`` (or ``initialize``/``start`` in tests).

    Content is validated here, every shipped language's, so a malformed file stops start-up
    before anything connects.
    """
    i18n.load_content()
    couplet = Couplet(
        settings=settings,
        db=Database(settings.database_url),
        library=library or load_library(),
        clock=clock,
    )
    api = settings.telegram_api_url
    builder = (
        Application.builder()
        .token(settings.bot_token.get_secret_value())
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(rate_limiter or limiter_from(settings))
        .concurrent_updates(PerChatUpdates())
    )
    if request is not None:
        requests = (request, request)
    else:  # aiohttp: a fraction of httpx's CPU per call (see bot/delivery/transport.py)
        pool = settings.delivery_concurrency + 64  # the sender's requests plus handler replies
        proxy = env_proxy(api)
        requests = (AiohttpRequest(pool, proxy=proxy), AiohttpRequest(1, proxy=proxy))
    builder = builder.request(requests[0]).get_updates_request(requests[1])  # type: ignore[arg-type]
    application = builder.build()
    application.bot_data[ctx.KEY] = couplet
    application.bot_data[REQUESTS_KEY] = requests  # closed by the runner after a failed start
    handlers.register(application)
    if run_scheduler:
        schedule(application, settings.scheduler_interval_seconds)
        retention.schedule(application)
    return application


def limiter_from(
    settings: Settings, *, clock: Callable[[], float] | None = None
) -> PriorityRateLimiter:
    """Telegram's send limits as configured: every call the bot makes goes through it.

    ``clock`` (monotonic seconds) is for tests whose clock jumps ahead by hours.
    """
    return PriorityRateLimiter(
        per_second=settings.delivery_rate_per_second,
        paid_per_second=settings.delivery_paid_rate_per_second,
        per_chat_per_second=settings.delivery_per_chat_per_second,
        per_chat_burst=settings.delivery_per_chat_burst,
        clock=clock,
    )


async def announce(bot: Bot) -> None:
    """The command menu and the bot's descriptions, once per shipped language (English also as
    the default for every language Couplet does not ship)."""
    for language in i18n.shipped():
        code = None if language == i18n.DEFAULT else i18n.telegram_code(language)
        with i18n.use(language):
            commands = [BotCommand(c, str(d)) for c, d in texts.COMMANDS]
            description, short = str(texts.DESCRIPTION), str(texts.SHORT_DESCRIPTION)
        await bot.set_my_commands(commands, language_code=code)
        await bot.set_my_description(description, language_code=code)
        await bot.set_my_short_description(short, language_code=code)


async def startup(
    application: Application, *, start_sender: bool = True, freeze: bool = False
) -> None:
    """Open storage, announce the commands, and start the outbox sender (after ``initialize``).

    ``freeze`` (for the long-running process, not for tests): move everything loaded so far
    (modules, PTB, the content library) out of the garbage collector's way. A full collection
    otherwise scans it all again, a 60-80 ms pause of the event loop each time, which delays
    sends and replies mid-broadcast.
    """
    couplet: Couplet = application.bot_data[ctx.KEY]
    await couplet.db.open()
    i18n.log_missing()
    try:
        await announce(application.bot)
    except NetworkError as exc:  # the menu is a nicety: never a reason not to start
        log.warning("could not set the command menu (%s); carrying on without it", exc)

    async def on_gone(chat_id: int) -> None:
        await lifecycle.gone(couplet, chat_id)

    settings = couplet.settings
    couplet.sender = OutboxSender(
        couplet.db,
        application.bot,
        couplet.clock,
        on_gone,
        concurrency=settings.delivery_concurrency,
        paid_broadcast=settings.delivery_paid_broadcast,
    )
    couplet.db.on_enqueued = couplet.sender.wake  # after every commit that queued messages
    # A chat's burst refills in burst/rate seconds, Telegram's global window in one second.
    couplet.db.takeover_pause = max(
        1.0, settings.delivery_per_chat_burst / settings.delivery_per_chat_per_second
    )
    if start_sender:
        await couplet.sender.start()
    if freeze:
        gc.collect()
        gc.freeze()
    log.info("Couplet is up as @%s", application.bot.username)


async def shutdown(application: Application) -> None:
    couplet: Couplet = application.bot_data[ctx.KEY]
    if couplet.sender is not None:
        await couplet.sender.stop()
    await couplet.db.close()
