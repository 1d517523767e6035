"""A restart loses nothing: answers, pairing and due prompts survive; missed prompts go out once."""

from pathlib import Path

from bot.storage.migrations import MIGRATIONS
from scheduler.due import run_tick
from scheduler.job import JOB_NAME
from tests.conftest import ALEX, SAM
from tests.handlers.flow import pair, pair_and_start
from tests.harness import Harness, start_harness, stop_harness


async def restart(h: Harness, tmp_path: Path, **clock_move: float) -> Harness:
    await stop_harness(h)
    if clock_move:
        h.clock.advance(**clock_move)
    fresh = await start_harness(tmp_path, tg=h.tg, clock=h.clock)
    fresh.offset = h.offset
    return fresh


def prompts_for(h: Harness, user: int) -> list[str]:
    return [t for t in h.texts(user) if " of 30 · " in t]


async def test_an_answer_given_before_a_restart_is_revealed_after_it(
    h: Harness, tmp_path: Path
) -> None:
    await pair_and_start(h, ALEX, SAM)
    await h.say(ALEX, "before the restart")
    h2 = await restart(h, tmp_path)
    try:
        await h2.say(SAM, "after the restart")
        reveal = next(t for t in h2.texts(SAM) if "You both answered" in t)
        assert "before the restart" in reveal
    finally:
        await stop_harness(h2)


async def test_prompts_missed_while_down_go_out_once_and_the_calendar_goes_on(
    h: Harness, tmp_path: Path
) -> None:
    await pair(h, ALEX, SAM)  # day 1 due today at 20:00 UTC
    h2 = await restart(h, tmp_path, days=3)  # down for three days
    try:
        await h2.tick()
        await h2.tick()
        assert len(prompts_for(h2, ALEX)) == 1 and "Day 1 of 30" in prompts_for(h2, ALEX)[0]
        assert "yesterday's prompt" in prompts_for(h2, ALEX)[0]  # it is days late, and says so
        assert len(prompts_for(h2, SAM)) == 1
        await h2.walk_to(h2.clock.now.replace(hour=20, minute=1))  # tonight: day 2, no flood
        assert len(prompts_for(h2, ALEX)) == 2 and "Day 2 of 30" in prompts_for(h2, ALEX)[-1]
    finally:
        await stop_harness(h2)


async def test_a_pending_outbox_message_is_sent_after_a_restart(h: Harness, tmp_path: Path) -> None:
    await pair(h, ALEX, SAM)
    h.clock.advance(hours=12)
    # The tick commits the due prompts to the outbox; the process dies before sending them.
    result = await run_tick(h.couplet, h.clock())
    assert result.prompts == 2
    before = len(prompts_for(h, ALEX))
    assert before == 0
    h2 = await restart(h, tmp_path)
    try:
        await h2.flush()
        assert len(prompts_for(h2, ALEX)) == before + 1
        await h2.flush()
        assert len(prompts_for(h2, ALEX)) == before + 1
    finally:
        await stop_harness(h2)


async def test_schema_is_versioned_and_migrations_run_once(h: Harness, tmp_path: Path) -> None:
    assert await h.couplet.db.schema_version() == len(MIGRATIONS)
    h2 = await restart(h, tmp_path)
    try:
        assert await h2.couplet.db.schema_version() == len(MIGRATIONS)
        async with h2.couplet.db.conn.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"
        async with h2.couplet.db.conn.execute("PRAGMA foreign_keys") as cur:
            assert (await cur.fetchone())[0] == 1
    finally:
        await stop_harness(h2)


async def test_the_tick_job_runs_late_rather_than_never(tmp_path: Path) -> None:
    from bot.app import build_application
    from tests.harness import make_settings

    application = build_application(make_settings(tmp_path))
    jobs = application.job_queue.scheduler.get_jobs()  # type: ignore[union-attr]
    (job,) = [j for j in jobs if j.name == JOB_NAME]
    assert job.misfire_grace_time is None and job.coalesce is True and job.max_instances == 1
