"""Retention keeps what the couple's history needs and removes delivered bookkeeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.storage import Database
from bot.storage.models import Delivery, to_ts
from scheduler.retention import prune

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ALEX, SAM = 1001, 1002


async def test_prune_removes_old_delivered_rows_and_keeps_history(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/couplet.db")
    await db.open()
    start = NOW - timedelta(days=20)
    async with db.transaction() as tx:
        for uid in (ALEX, SAM):
            await tx.users.upsert_user(
                uid, "U", None, timezone="UTC", delivery_time="20:00", now=start
            )
        couple = await tx.couples.create_couple(ALEX, SAM, start)
        for day in range(1, 21):  # one prompt a day for 20 days, answered and revealed
            at = start + timedelta(days=day - 1)
            await tx.days.add_days([(couple, 1, day, f"p{day}")])
            await tx.days.mark_revealed(couple, 1, day, at)
            for uid in (ALEX, SAM):
                await tx.days.add_deliveries([Delivery(uid, couple, 1, day, at, at, None, None)])
                await tx.days.save_answer(couple, 1, day, uid, kind="text", text=f"answer {day}",
                                       file_id=None, message_id=day, now=at)  # fmt: skip
                for status in ("sent", "dropped", "pending", "failed"):
                    key = f"{status}:{uid}:{day}"
                    await tx.outbox.enqueue(key=key, chat_id=uid, kind="prompt", method="sendMessage",
                                       payload="{}", priority=2, not_before=at, ref=None, now=at)  # fmt: skip
                    await tx.sql.conn.execute(
                        "UPDATE outbox SET status = ? WHERE key = ?", (status, key)
                    )
        # Sam paused long ago: his couple's latest records are old, and must stay.
        await tx.days.add_deliveries([Delivery(SAM, couple, 2, 1, start, start, None, None)])
        await tx.days.add_deliveries([Delivery(SAM, couple, 2, 2, start, start, None, None)])

    pruned = await prune(db, NOW, days=7, batch=5)  # small batches: the cursor pages through
    cutoff = to_ts(NOW - timedelta(days=7))

    again = await prune(db, NOW, days=7)
    async with db.read() as tx:
        outbox = await tx.sql.all("SELECT status, created_at FROM outbox")
        deliveries = await tx.sql.all("SELECT user_id, round, day, delivered_at FROM deliveries")
        answers = await tx.sql.all("SELECT COUNT(*) AS n FROM answers")
        revealed = await tx.days.revealed_days(couple, 1)
    await db.close()

    old = [r for r in outbox if r["created_at"] < cutoff]
    assert {r["status"] for r in old} == {"pending", "failed"}  # never settled: kept
    recent = [r for r in outbox if r["created_at"] >= cutoff]
    assert {r["status"] for r in recent} == {"sent", "dropped", "pending", "failed"}
    assert pruned.outbox == 2 * 2 * sum(
        1 for d in range(1, 21) if to_ts(start + timedelta(days=d - 1)) < cutoff
    )

    kept = {(r["user_id"], r["round"], r["day"]) for r in deliveries}
    for uid in (ALEX, SAM):
        assert {d for u, r, d in kept if u == uid and r == 1} == set(
            range(14, 21)
        )  # the last 7 days
    assert {(SAM, 2, 1), (SAM, 2, 2)} <= kept  # the latest two of a round stay, however old
    assert pruned.deliveries == 2 * 13
    assert (again.outbox, again.deliveries) == (0, 0)
    assert answers[0]["n"] == 40 and revealed == list(range(1, 21))  # history untouched
