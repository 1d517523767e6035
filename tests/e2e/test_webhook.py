"""Webhook mode end to end: the fake Bot API POSTs updates to the bot's own HTTP server."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot import webhook
from bot.app import build_application, limiter_from, shutdown, startup
from bot.context import KEY, Couplet
from bot.runner import _start_webhook
from bot.webhook import CLAIM_SECONDS, SECRET_HEADER, WebhookServer
from bot.webhook import KEY as WEBHOOK_KEY
from fakebot import FakeBotApiServer, FakeTelegram
from tests.conftest import ALEX
from tests.harness import FakeClock, make_settings, telegram

SECRET = "s3cret-for-tests_only"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Hooked:
    tg: FakeTelegram
    couplet: Couplet
    server: WebhookServer
    url: str
    clock: FakeClock


@asynccontextmanager
async def webhook_bot(tmp_path: Path, **settings: Any) -> AsyncIterator[Hooked]:
    clock = FakeClock()
    tg = telegram(clock)
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    async with FakeBotApiServer(tg) as api:
        config = make_settings(
            tmp_path, telegram_api_url=api.url, scheduler_interval_seconds=0.1,
            webhook_url=url, webhook_secret=SECRET, webhook_host="127.0.0.1",
            webhook_port=port, **settings,
        )  # fmt: skip
        application = build_application(
            config, clock=clock, rate_limiter=limiter_from(config, clock=clock.monotonic)
        )
        await application.initialize()
        await startup(application)
        started: list[str] = []
        await _start_webhook(application, asyncio.Event(), started)
        await application.start()
        server = application.bot_data[WEBHOOK_KEY]
        try:
            yield Hooked(tg, application.bot_data[KEY], server, url, clock)
        finally:
            await tg.webhooks.stop()
            await server.stop()
            await application.stop()
            await shutdown(application)
            await application.shutdown()
    assert tg.counters["429"] == 0


async def test_updates_arrive_by_webhook_and_only_with_the_secret(tmp_path: Path) -> None:
    async with webhook_bot(tmp_path) as bot:
        assert bot.tg.webhook_url == bot.url and bot.tg.webhooks.secret == SECRET
        bot.tg.add_user(ALEX, "Alex", "alex")
        bot.tg.send_command(ALEX, "start")
        await bot.tg.wait_for(ALEX, 1, timeout=10)
        update = {"update_id": 999, "message": {"message_id": 1, "date": 0, "text": "/start",
                  "chat": {"id": ALEX, "type": "private"}, "from": {"id": ALEX,
                  "is_bot": False, "first_name": "Alex"}}}  # fmt: skip
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {SECRET_HEADER: "wrong"}):
                async with session.post(bot.url, json=update, headers=headers) as response:
                    assert response.status == 403
            health = bot.url.replace("/telegram/hook", "/healthz")
            async with session.get(health) as response:
                assert response.status == 200
            await bot.couplet.db.close()
            async with session.get(health) as response:
                assert response.status == 503  # the load balancer routes elsewhere
        await bot.couplet.db.open()
        assert bot.server.processed == 1  # the forged ones never reached a handler


async def test_a_redelivered_update_is_processed_once(tmp_path: Path) -> None:
    async with webhook_bot(tmp_path) as bot:
        bot.tg.add_user(ALEX, "Alex", "alex")
        bot.tg.webhooks.redeliver = 1  # Telegram sends the update again after its 200
        bot.tg.send_command(ALEX, "start")
        await bot.tg.wait_until(lambda: bot.server.skipped == 1, timeout=10)
        await asyncio.sleep(0.3)
        assert bot.server.processed == 1
        assert bot.tg.inbox(ALEX) and bot.tg.duplicates(ALEX) == []  # one welcome, not two
        statuses = [a.status for a in bot.tg.webhooks.attempts]
        assert statuses == [200, 200]


async def test_a_failed_delivery_is_retried_on_the_next_instance(tmp_path: Path) -> None:
    async with webhook_bot(tmp_path) as bot:
        bot.tg.add_user(ALEX, "Alex", "alex")
        dead = f"http://127.0.0.1:{free_port()}/telegram/hook"  # an instance that is down
        bot.tg.webhooks.targets = [dead, bot.url]
        bot.tg.send_command(ALEX, "start")
        await bot.tg.wait_until(lambda: len(bot.tg.webhooks.attempts) == 2, timeout=10)
        assert bot.tg.inbox(ALEX)
        assert [(a.target, a.status) for a in bot.tg.webhooks.attempts] == [
            (dead, 0), (bot.url, 200)
        ]  # fmt: skip


async def test_a_dead_instances_claim_is_taken_over_after_claim_seconds(tmp_path: Path) -> None:
    """Another instance claimed the update and died: answered 503 while its claim is fresh,
    processed here once the claim has gone CLAIM_SECONDS without a heartbeat."""
    async with webhook_bot(tmp_path) as bot:
        bot.tg.add_user(ALEX, "Alex", "alex")
        bot.tg.webhooks.first_retry = bot.tg.webhooks.max_retry = 0.05
        async with bot.couplet.db.transaction() as tx:  # the dead instance's claim
            assert await tx.updates.claim_update(1, bot.couplet.now(), CLAIM_SECONDS)  # 1st id
        bot.tg.send_command(ALEX, "start")
        await bot.tg.wait_until(lambda: len(bot.tg.webhooks.attempts) >= 3, timeout=10)
        assert not bot.tg.inbox(ALEX) and bot.server.processed == 0
        assert {a.status for a in bot.tg.webhooks.attempts} == {503}
        bot.clock.advance(seconds=CLAIM_SECONDS + 1)
        await bot.tg.wait_until(lambda: bot.server.processed == 1, timeout=10)
        await bot.tg.wait_until(lambda: bot.tg.webhooks.attempts[-1].status == 200, timeout=10)
        assert bot.tg.inbox(ALEX)


async def test_a_slow_update_keeps_its_claim_by_heartbeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While an update is processed its claim is renewed, so another instance (here: a claim
    made as another instance would, at a later time) does not take it over."""
    monkeypatch.setattr(webhook, "RENEW_SECONDS", 0.01)
    async with webhook_bot(tmp_path) as bot:
        bot.tg.add_user(ALEX, "Alex", "alex")
        release = asyncio.Event()
        entered = asyncio.Event()
        process = bot.server.application.process_update

        async def slow(update: object) -> None:
            entered.set()
            await release.wait()
            await process(update)  # type: ignore[arg-type]

        monkeypatch.setattr(bot.server.application, "process_update", slow)
        bot.tg.send_command(ALEX, "start")
        await asyncio.wait_for(entered.wait(), 10)
        bot.clock.advance(seconds=CLAIM_SECONDS * 3)
        await bot.tg.wait_until(lambda: bot.server.renewed >= 2, timeout=10)  # renewed since
        async with bot.couplet.db.transaction() as tx:
            rows = await tx.sql.all("SELECT update_id FROM processed_updates WHERE done = 0")
            [update_id] = [r["update_id"] for r in rows]
            stolen = await tx.updates.claim_update(update_id, bot.couplet.now(), CLAIM_SECONDS)
        release.set()
        await bot.tg.wait_until(lambda: bot.server.processed == 1, timeout=10)
        assert stolen is False and bot.tg.inbox(ALEX)
