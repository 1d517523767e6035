"""Webhook mode: Telegram (through a load balancer) POSTs each update to one of the instances.

Every request must carry the secret given to ``setWebhook`` in X-Telegram-Bot-Api-Secret-Token;
anything else is refused before its body is read. An update is claimed in the database before
it is processed and marked done after, so when Telegram delivers it again (the first call timed
out, or went to an instance that died) it is processed once: a done update is acknowledged and
skipped; one another instance is still at is answered 503, and Telegram tries again later. The
answer is 200 only once the update's effects are committed.

A claim is short (``CLAIM_SECONDS``) and renewed by a heartbeat every ``RENEW_SECONDS`` while
the update is processed, so a slow update keeps its claim, and the update of an instance that
died (no heartbeat any more) is taken over by the next delivery after ``CLAIM_SECONDS``: Telegram
delivers one update after the other, so until then that update holds up the ones behind it.
``GET /healthz`` (same port) is 200 only while the database answers, so a load balancer stops
routing to an instance that lost it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from datetime import datetime
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot import context as ctx
from bot.context import Couplet
from bot.delivery import replies

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CLAIM_SECONDS = 10.0  # a claim not renewed this long: the instance that held it has died
RENEW_SECONDS = 2.0  # the heartbeat of a claim while its update is processed
KEY = "couplet.webhook"


class WebhookServer:
    def __init__(self, application: Application) -> None:
        self.application = application
        self.couplet: Couplet = application.bot_data[ctx.KEY]
        settings = self.couplet.settings
        if settings.webhook_secret is None:
            raise ValueError("webhook mode needs WEBHOOK_SECRET")
        self._secret = settings.webhook_secret.get_secret_value().encode()
        self.host, self.port, self.path = (
            settings.webhook_host,
            settings.webhook_port,
            settings.webhook_path,
        )
        self._runner: web.AppRunner | None = None
        self.processed = 0
        self.skipped = 0
        self.renewed = 0  # heartbeats that kept a claim

    def app(self) -> web.Application:
        app = web.Application(client_max_size=1 << 20)
        app.router.add_post(self.path, self.update)
        app.router.add_get("/healthz", self.health)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        log.info("webhook: listening on %s:%d%s", self.host, self.port, self.path)

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def health(self, request: web.Request) -> web.Response:
        ok = await self.couplet.db.ping()
        return web.Response(status=200 if ok else 503, text="ok" if ok else "database unreachable")

    async def update(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=403, text="forbidden")
        try:
            data: Any = json.loads(await request.read())
            update = Update.de_json(data, self.application.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400, text="not an update")
        if update is None:
            return web.Response(status=400, text="not an update")
        db, now = self.couplet.db, self.couplet.now()
        async with db.transaction() as tx:
            taken = await tx.updates.claim_update(update.update_id, now, CLAIM_SECONDS)
        if not taken:
            async with db.read() as tx:
                done = await tx.updates.update_processed(update.update_id)
            self.skipped += 1
            log.info("webhook: update %d seen before; skipped", update.update_id)
            return web.Response(status=200 if done else 503)
        heartbeat = asyncio.create_task(self._hold(update.update_id, now))
        try:
            if db.kind == "postgresql":  # several instances: replies go through the leader
                with replies.through_outbox(self.couplet, update.update_id):
                    await self.application.process_update(update)  # errors: the error handler
            else:
                await self.application.process_update(update)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        async with db.transaction() as tx:
            await tx.updates.update_done(update.update_id)
        self.processed += 1
        return web.Response(status=200)

    async def _hold(self, update_id: int, claimed_at: datetime) -> None:
        """Renew the claim on ``update_id`` every ``RENEW_SECONDS`` until cancelled."""
        db = self.couplet.db
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            now = self.couplet.now()
            try:
                async with db.transaction() as tx:
                    held = await tx.updates.renew_claim(update_id, claimed_at, now)
            except Exception:  # the database is away: the claim may lapse; try again
                log.warning("webhook: cannot renew the claim on update %d", update_id)
                continue
            if not held:
                log.warning("webhook: update %d was taken over by another instance", update_id)
                return
            claimed_at = now
            self.renewed += 1
