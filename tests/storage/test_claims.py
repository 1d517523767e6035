"""Several instances on one PostgreSQL: what one transaction claimed, another skips."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.app import build_application
from bot.context import KEY, Couplet
from bot.flows import pairing
from bot.storage import Database
from tests.harness import make_settings
from tests.pg import fresh_schema

NOW = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)


@pytest.fixture
async def pg() -> AsyncIterator[Database]:
    async with fresh_schema() as url:
        db = Database(url)
        await db.open()
        yield db
        await db.close()


async def seed(db: Database, couples: int) -> None:
    async with db.transaction() as tx:
        for n in range(couples):
            a, b = 2 * n + 1, 2 * n + 2
            for uid in (a, b):
                await tx.users.upsert_user(
                    uid, "U", None, timezone="UTC", delivery_time="20:00", now=NOW
                )
            couple = await tx.couples.create_couple(a, b, NOW)
            for uid in (a, b):
                await tx.users.join_couple(uid, couple, NOW - timedelta(minutes=n))


async def test_two_ticks_claim_disjoint_couples_whole(pg: Database) -> None:
    await seed(pg, 6)
    first_claimed = asyncio.Event()
    release = asyncio.Event()
    claims: dict[str, list[int]] = {}

    async def tick(name: str, limit: int) -> None:
        async with pg.transaction() as tx:
            users = await tx.users.due_users(NOW, limit)
            claims[name] = sorted(u.user_id for u in users)
            if name == "one":
                first_claimed.set()
                await release.wait()

    one = asyncio.create_task(tick("one", 4))
    await first_claimed.wait()
    await tick("two", 100)  # runs while "one" still holds its claim
    release.set()
    await one
    assert len(claims["one"]) == 4 and set(claims["one"]).isdisjoint(claims["two"])
    assert len(claims["two"]) == 8  # the rest, not blocked by the first claim
    for claimed in claims.values():  # whole couples: both partners, or neither
        assert set(Counter((u + 1) // 2 for u in claimed).values()) == {2}


async def test_a_locked_couple_makes_a_flow_wait_not_fail(pg: Database) -> None:
    await seed(pg, 1)
    order: list[str] = []
    held = asyncio.Event()

    async def tick() -> None:
        async with pg.transaction() as tx:
            await tx.users.due_users(NOW, 10)
            held.set()
            await asyncio.sleep(0.3)
            order.append("tick done")

    async def flow() -> None:
        await held.wait()
        async with pg.transaction() as tx:
            await tx.couples.couple(1, lock=True)
            order.append("flow has the couple")

    await asyncio.gather(tick(), flow())
    assert order == ["tick done", "flow has the couple"]


async def test_one_sender_at_a_time_and_the_next_takes_over() -> None:
    async with fresh_schema() as url:
        one, two = Database(url), Database(url)
        await one.open()
        await two.open()
        try:
            assert await one.lead() is True
            assert await one.lead() is True  # still held
            assert await two.lead() is False
            await one.resign()  # as when it stops, or its session dies with it
            assert await two.lead() is True
            assert await one.lead() is False
        finally:
            await one.close()
            await two.close()


async def test_a_row_queued_by_one_instance_wakes_the_others_at_commit() -> None:
    async with fresh_schema() as url:
        sender, other = Database(url), Database(url)
        await sender.open()
        await other.open()
        woken = asyncio.Event()
        sender.on_enqueued = woken.set  # the sending leader's wake
        try:
            async with other.transaction() as tx:
                await tx.outbox.enqueue(
                    key="k1", chat_id=1, kind="notice", method="sendMessage", payload="{}",
                    priority=0, not_before=NOW, ref=None, now=NOW,
                )  # fmt: skip
                await asyncio.sleep(0.3)
                assert not woken.is_set()  # not before the commit
            await asyncio.wait_for(woken.wait(), 30)  # generous; it takes milliseconds
        finally:
            await other.close()
            await sender.close()


async def test_a_new_leader_waits_only_what_remains_of_the_window() -> None:
    """The takeover pause counts from the last leader's heartbeat: the whole pause right after
    a leader stopped or died, nothing on a first start or long after the last leader."""
    async with fresh_schema() as url:
        one, two = Database(url), Database(url)
        await one.open()
        await two.open()
        one.takeover_pause = two.takeover_pause = 0.0
        try:
            conn = await asyncpg.connect(url)
            try:
                two.takeover_pause = 60.0
                assert await two.pause_needed(conn) == 0.0  # no leader ever sent here
                assert await one.lead() is True  # beats at once
                await one.resign()  # a clean stop beats once more
                assert await two.pause_needed(conn) > 30.0  # the window is still open
                await conn.execute(
                    "UPDATE sender_beat SET at = clock_timestamp() - '1 hour'::interval"
                )
                assert await two.pause_needed(conn) == 0.0  # long after: no wait
                await conn.execute(
                    "UPDATE sender_beat SET at = clock_timestamp() - '59 s'::interval"
                )
                assert 0.0 < await two.pause_needed(conn) < 30.0  # only what remains
            finally:
                await conn.close()
        finally:
            await one.close()
            await two.close()


async def test_users_are_locked_in_id_order_so_crossing_flows_wait_not_deadlock(
    pg: Database,
) -> None:
    """Two flows locking the same two partners (two crossing invite acceptances): whatever
    order each names them in, both take them lowest id first, so the second waits for the
    first and holds nothing meanwhile, instead of holding one and deadlocking on the other."""
    await seed(pg, 1)  # users 1 and 2
    holding, release = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with pg.transaction() as tx:
            await tx.users.lock_users([1])
            holding.set()
            await release.wait()

    async def second() -> None:
        await holding.wait()
        async with pg.transaction() as tx:
            await tx.users.lock_users([2, 1])  # named high first: still takes 1 first

    one, two = asyncio.create_task(first()), asyncio.create_task(second())
    conn = await asyncpg.connect(pg.url)  # type: ignore[attr-defined]
    try:
        for _ in range(600):  # until the second flow waits for a row lock (no timing asserted)
            if await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE '%ORDER BY user_id FOR NO KEY UPDATE'"
            ):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the second flow never waited")
        async with conn.transaction():  # the second flow holds nothing while it waits
            row = await conn.fetchrow("SELECT 1 FROM users WHERE user_id = 2 FOR UPDATE NOWAIT")
        assert row is not None
    finally:
        await conn.close()
        release.set()
        await asyncio.gather(one, two)


async def test_start_now_takes_the_couple_before_the_partners(tmp_path: Path) -> None:
    """A flow that holds the couple (the tick, a pause) makes "start now" wait for it before
    it touches either partner's row: the lock order every flow keeps, so none deadlocks."""
    async with fresh_schema() as url:
        app = build_application(make_settings(tmp_path, database_url=url), run_scheduler=False)
        couplet: Couplet = app.bot_data[KEY]
        await couplet.db.open()
        try:
            async with couplet.db.transaction() as tx:
                for uid in (1, 2):
                    await tx.users.upsert_user(
                        uid, "U", None, timezone="UTC", delivery_time="20:00", now=NOW
                    )
                couple = await tx.couples.create_couple(1, 2, NOW)
                for uid in (1, 2):
                    await tx.users.join_couple(uid, couple, NOW + timedelta(days=1))
            holding, release = asyncio.Event(), asyncio.Event()

            async def other_flow() -> None:
                async with couplet.db.transaction() as tx:
                    await tx.couples.couple(couple, lock=True)
                    holding.set()
                    await release.wait()

            other = asyncio.create_task(other_flow())
            await holding.wait()
            started = asyncio.create_task(pairing.start_now(couplet, 1))
            conn = await asyncpg.connect(url)
            try:
                for _ in range(600):  # until "start now" waits for a lock (no timing asserted)
                    if await conn.fetchval(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        " AND query LIKE '%FROM couples WHERE id = $1 FOR NO KEY UPDATE'"
                    ):
                        break
                    assert not started.done(), "start now went ahead without the couple"
                    await asyncio.sleep(0.05)
                else:
                    raise AssertionError("start now never waited for the couple")
                async with conn.transaction():  # it holds neither partner meanwhile
                    rows = await conn.fetch(
                        "SELECT user_id FROM users WHERE user_id IN (1, 2) FOR UPDATE NOWAIT"
                    )
                assert len(rows) == 2
            finally:
                await conn.close()
                release.set()
                await other
            assert await started == pairing.StartNow.STARTED
        finally:
            await couplet.db.close()
