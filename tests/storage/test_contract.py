"""The storage contract: every repository behaviour, on SQLite and on PostgreSQL alike.

Each test runs once per backend (the ``db`` fixture in conftest.py); a behaviour that holds on
one and not the other fails here, not in production.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import keys
from bot.storage import Database, MissingRow, Transaction
from bot.storage.models import CoupleStatus, Delivery, MessageKind, OutboxStatus

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ALEX, SAM, KIM = 7_000_000_001, 7_000_000_002, 7_000_000_003  # beyond 32 bits, like Telegram's


async def users(tx: Transaction, *ids: int) -> None:
    for uid in ids:
        await tx.users.upsert_user(
            uid, f"U{uid}", None, timezone="UTC", delivery_time="20:00", now=NOW
        )


async def paired(db: Database) -> int:
    async with db.transaction() as tx:
        await users(tx, ALEX, SAM)
        couple = await tx.couples.create_couple(ALEX, SAM, NOW)
        for uid in (ALEX, SAM):
            await tx.users.join_couple(uid, couple, NOW + timedelta(hours=1))
    return couple


async def put(tx: Transaction, key: str, chat: int = ALEX, **kw: object) -> bool:
    values: dict[str, object] = {
        "kind": MessageKind.PROMPT, "method": "sendMessage", "payload": '{"text": "hi"}',
        "priority": 2, "not_before": NOW, "ref": None, "now": NOW,
    }  # fmt: skip
    values.update(kw)
    return await tx.outbox.enqueue(key=key, chat_id=chat, **values)  # type: ignore[arg-type]


# --- users ---------------------------------------------------------------------------------


async def test_users_upsert_keeps_schedule_and_updates_names(db: Database) -> None:
    async with db.transaction() as tx:
        first = await tx.users.upsert_user(
            ALEX, "Alex", "alex", timezone="Europe/Berlin", delivery_time="08:30", now=NOW
        )
        await tx.users.set_blocked(ALEX, True)
        again = await tx.users.upsert_user(
            ALEX, "Alexandra", None, timezone="UTC", delivery_time="20:00", now=NOW
        )
    assert (first.first_name, first.username, first.timezone) == ("Alex", "alex", "Europe/Berlin")
    assert (again.first_name, again.username) == ("Alexandra", None)
    assert (again.timezone, again.delivery_time) == ("Europe/Berlin", "08:30")  # kept
    assert not again.blocked  # writing to the bot again unblocks
    assert again.next_day == 1 and again.couple_id is None


async def test_users_language_unset_then_stored_and_kept_by_upsert(db: Database) -> None:
    async with db.transaction() as tx:
        await users(tx, ALEX, SAM)
        assert (await tx.users.require_user(ALEX)).language is None
        await tx.users.set_language(ALEX, "ru")
        await users(tx, ALEX)  # a later update with a new name keeps the choice
        found = await tx.users.users_by_id([ALEX, SAM])
    assert found[ALEX].language == "ru" and found[SAM].language is None


async def test_users_missing_row_and_bulk_lookup(db: Database) -> None:
    async with db.transaction() as tx:
        await users(tx, ALEX, SAM)
        assert await tx.users.user(KIM) is None
        with pytest.raises(MissingRow):
            await tx.users.require_user(KIM)
        found = await tx.users.users_by_id([ALEX, SAM, KIM, ALEX])
    assert set(found) == {ALEX, SAM}


async def test_users_schedule_advance_and_due(db: Database) -> None:
    couple = await paired(db)
    async with db.transaction() as tx:
        await tx.users.set_schedule(ALEX, timezone="Asia/Tokyo", next_delivery_at=NOW)
        await tx.users.set_schedule(SAM, delivery_time="07:00", next_delivery_at=None)
        due = await tx.users.due_users(NOW, 10)
        await tx.users.advance(ALEX, next_day=2, slot_at=NOW, next_delivery_at=NOW + timedelta(1))
        await tx.users.advance_many([(SAM, 5, None, NOW - timedelta(hours=1))])
        alex, sam = await tx.users.require_user(ALEX), await tx.users.require_user(SAM)
        later = await tx.users.due_users(NOW, 10)
    assert [u.user_id for u in due] == [ALEX]
    assert (alex.timezone, alex.next_day, alex.last_slot_at) == ("Asia/Tokyo", 2, NOW)
    assert alex.couple_id == couple and alex.next_delivery_at == NOW + timedelta(1)
    assert (sam.delivery_time, sam.next_day, sam.last_slot_at) == ("07:00", 5, None)
    assert [u.user_id for u in later] == [SAM]  # oldest due first; Alex moved on


async def test_users_leave_restart_block_and_delete(db: Database) -> None:
    couple = await paired(db)
    async with db.transaction() as tx:
        await put(tx, "p:1", ALEX)
        await tx.users.advance(SAM, next_day=9, slot_at=NOW, next_delivery_at=None)
        await tx.users.restart_round(SAM, NOW + timedelta(hours=2))
        await tx.users.leave_couple(ALEX)
        assert await tx.users.set_blocked(SAM, True) is True
        assert await tx.users.set_blocked(SAM, True) is False
        await tx.users.delete_user(ALEX)
        sam = await tx.users.require_user(SAM)
        assert await tx.users.user(ALEX) is None
        assert await tx.outbox.outbox_counts() == {}
    assert (sam.next_day, sam.next_delivery_at, sam.blocked) == (1, NOW + timedelta(hours=2), True)
    assert sam.couple_id == couple


# --- couples and invites -------------------------------------------------------------------


async def test_couples_status_rounds_and_lookup(db: Database) -> None:
    couple = await paired(db)
    async with db.transaction() as tx:
        made = await tx.couples.couple(couple, lock=True)
        await tx.couples.set_couple_status(couple, CoupleStatus.PAUSED, paused_by=SAM, now=NOW)
        paused = await tx.couples.couple(couple)
        assert await tx.couples.next_round(couple) == 2
        again = await tx.couples.couple(couple)
        by_id = await tx.couples.couples_by_id([couple, couple + 99])
        assert await tx.couples.couple(None) is None
        assert await tx.couples.couples_of(SAM) == [couple]
        assert await tx.couples.couples_of(KIM) == []
    assert made and made.partners == (ALEX, SAM) and made.status is CoupleStatus.ACTIVE
    assert made.started_at == NOW and made.is_live
    assert paused and paused.status is CoupleStatus.PAUSED and paused.paused_by == SAM
    assert again and (again.status, again.round, again.paused_by) == (CoupleStatus.ACTIVE, 2, None)
    assert list(by_id) == [couple]


async def test_deleting_a_couple_drops_only_its_pending_rows(db: Database) -> None:
    couple = await paired(db)
    async with db.transaction() as tx:
        await users(tx, KIM)
        other = await tx.couples.create_couple(ALEX, KIM, NOW)
        await put(tx, "mine", ALEX, ref=keys.day_ref(couple, 1, 1))
        await put(tx, "notice", SAM, ref=keys.couple_ref(couple))
        await put(tx, "theirs", ALEX, ref=keys.couple_ref(other))
        await put(tx, "plain", ALEX)
        await tx.couples.delete_couple(couple)
        left = await tx.sql.all("SELECT key FROM outbox ORDER BY key")
        assert await tx.couples.couple(couple) is None
        alex = await tx.users.require_user(ALEX)
    assert [r["key"] for r in left] == ["plain", "theirs"]
    assert alex.couple_id is None  # ON DELETE SET NULL


async def test_invites(db: Database) -> None:
    async with db.transaction() as tx:
        await users(tx, ALEX, SAM)
        made = await tx.couples.create_invite("ABC", ALEX, NOW, NOW + timedelta(days=1))
        live = await tx.couples.live_invite(ALEX, NOW)
        assert await tx.couples.live_invite(ALEX, NOW + timedelta(days=2)) is None
        assert await tx.couples.use_invite("ABC", SAM, NOW) is True
        assert await tx.couples.use_invite("ABC", SAM, NOW) is False
        used = await tx.couples.invite("ABC")
        await tx.couples.create_invite("DEF", ALEX, NOW, NOW + timedelta(days=1))
        await tx.couples.drop_open_invites(ALEX)
        assert await tx.couples.invite("DEF") is None
        assert await tx.couples.invite("ABC") is not None  # used ones stay
    assert live == made and used and used.used_at == NOW


# --- days, deliveries, answers -------------------------------------------------------------


async def test_days_keep_their_first_prompt_and_reveal_once(db: Database) -> None:
    couple = await paired(db)
    async with db.transaction() as tx:
        await tx.days.add_days([(couple, 1, 1, "a"), (couple, 1, 2, "b")])
        await tx.days.add_days([(couple, 1, 1, "other")])
        assert await tx.days.mark_revealed(couple, 1, 1, NOW) is True
        assert await tx.days.mark_revealed(couple, 1, 1, NOW) is False
        day = await tx.days.day(couple, 1, 1)
        found = await tx.days.days_by_key([(couple, 1, 1), (couple, 1, 2), (couple, 1, 3)])
        assert await tx.days.revealed_days(couple, 1) == [1]
        assert await tx.days.day(couple, 2, 1) is None
    assert day and day.prompt_id == "a" and day.revealed_at == NOW
    assert {k: d.prompt_id for k, d in found.items()} == {(couple, 1, 1): "a", (couple, 1, 2): "b"}


async def test_swaps_once_per_day_and_used_prompts(db: Database) -> None:
    couple = await paired(db)
    async with db.transaction() as tx:
        await tx.days.add_days([(couple, 1, 4, "p1"), (couple, 2, 4, "p2")])
        assert await tx.days.record_swap(couple, 2, 4, ALEX, "p2", "p3", NOW) is True
        assert await tx.days.record_swap(couple, 2, 4, SAM, "p3", "p4", NOW) is False
        await tx.days.set_day_prompt(couple, 2, 4, "p3")
        used = await tx.days.used_prompts(couple, 4)
        day = await tx.days.day(couple, 2, 4)
    assert used == {"p1", "p2", "p3"} and day and day.prompt_id == "p3"


async def test_deliveries_reminders_and_nudges(db: Database) -> None:
    couple = await paired(db)
    rows = [Delivery(ALEX, couple, 1, d, NOW, NOW, NOW + timedelta(hours=d), None) for d in (1, 2)]
    async with db.transaction() as tx:
        await tx.days.add_deliveries(rows)
        await tx.days.add_deliveries(rows)  # again: no-op
        latest = await tx.days.deliveries(ALEX, couple, 1, limit=1)
        due = await tx.days.due_reminders(NOW + timedelta(hours=1), 10)
        await tx.days.clear_reminder(ALEX, couple, 1, 1)
        await tx.days.clear_reminders([rows[1]])
        assert await tx.days.due_reminders(NOW + timedelta(days=1), 10) == []
        assert await tx.days.mark_nudged(ALEX, couple, 1, 2, NOW) is True
        assert await tx.days.mark_nudged(ALEX, couple, 1, 2, NOW) is False
        one = await tx.days.delivery(ALEX, couple, 1, 2)
        assert await tx.days.delivery(SAM, couple, 1, 2) is None
    assert [d.day for d in latest] == [2]
    assert [(d.day, d.remind_at) for d in due] == [(1, NOW + timedelta(hours=1))]
    assert one and one.nudged_at == NOW and one.remind_at is None and one.slot_at == NOW


async def test_answers_insert_replace_and_lookups(db: Database) -> None:
    couple = await paired(db)
    async with db.transaction() as tx:
        await tx.days.add_days([(couple, 1, 1, "a")])
        first = await tx.days.save_answer(couple, 1, 1, ALEX, kind="text", text="yes",
                                          file_id=None, message_id=10, now=NOW)  # fmt: skip
        second = await tx.days.save_answer(couple, 1, 1, ALEX, kind="photo", text=None,
                                           file_id="F", message_id=11, now=NOW)  # fmt: skip
        await tx.days.save_answer(couple, 1, 1, SAM, kind="voice", text=None, file_id="V",
                                  message_id=12, now=NOW)  # fmt: skip
        mine = await tx.days.answer(couple, 1, 1, ALEX)
        by_message = await tx.days.answer_by_message(SAM, 12)
        both = await tx.days.answers(couple, 1, 1)
        answered = await tx.days.answered([(couple, 1, 1, ALEX), (couple, 1, 2, ALEX)])
        await tx.days.mark_revealed(couple, 1, 1, NOW)
        page, total = await tx.days.revealed_page(couple, 0, 5)
    assert (first, second) == (False, True)
    assert mine and (mine.kind, mine.file_id, mine.message_id) == ("photo", "F", 11)
    assert by_message and by_message.user_id == SAM
    assert set(both) == {ALEX, SAM} and answered == {(couple, 1, 1, ALEX)}
    assert total == 1 and page[0][0].day == 1 and set(page[0][1]) == {ALEX, SAM}


# --- check-ins -----------------------------------------------------------------------------


async def test_checkins(db: Database) -> None:
    couple = await paired(db)
    async with db.transaction() as tx:
        made = await tx.checkins.create_checkin(ALEX, couple, 1, 1, NOW)
        assert await tx.checkins.open_checkin(ALEX) == made
        await tx.checkins.save_checkin_scores(made.id, {"q2": 4, "q1": 5}, NOW)
        assert await tx.checkins.open_checkin(ALEX) is None
        await tx.checkins.share_checkin(made.id, NOW)
        await tx.checkins.share_checkin(made.id, NOW + timedelta(1))  # the first time stays
        later = await tx.checkins.create_checkin(ALEX, None, 0, 0, NOW)
        await tx.checkins.save_checkin_scores(later.id, {"q1": 1}, NOW + timedelta(2))
        done = await tx.checkins.finished_checkins(ALEX)
        slot = await tx.checkins.latest_checkin_in_slot(ALEX, couple, 1, 1)
        assert await tx.checkins.checkin(later.id + 100) is None
    assert made.scores == {} and made.finished_at is None
    assert [c.id for c in done] == [later.id, made.id]
    assert slot and slot.scores == {"q1": 5, "q2": 4} and slot.shared_at == NOW


# --- tips, intimacy, groups ----------------------------------------------------------------


async def test_tips_intimacy_and_groups(db: Database) -> None:
    couple = await paired(db)
    async with db.transaction() as tx:
        await tx.tips.record_tip(ALEX, "t1", NOW)
        await tx.tips.record_tip(ALEX, "t1", NOW + timedelta(1))
        await tx.tips.record_tip(ALEX, "t2", NOW)
        await tx.tips.forget_tips(ALEX, ["t2"])
        assert await tx.tips.seen_tips(ALEX) == {"t1"}
        assert await tx.intimacy.set_intimacy(couple, ALEX, False, NOW) is False  # nothing new
        assert await tx.intimacy.set_intimacy(couple, ALEX, True, NOW) is True
        assert await tx.intimacy.set_intimacy(couple, ALEX, True, NOW) is False
        await tx.intimacy.set_intimacy(couple, SAM, True, NOW)
        assert await tx.intimacy.set_intimacy(couple, SAM, False, NOW) is True
        assert await tx.intimacy.intimacy_opted_in(couple) == {ALEX}
        assert await tx.intimacy.intimacy_opted_in_many([couple, 999]) == {couple: {ALEX}}
        assert await tx.intimacy.intimacy_steps_sent(couple, ALEX) == 0
        assert await tx.intimacy.record_intimacy_step(couple, ALEX, 1, NOW) is True
        assert await tx.intimacy.record_intimacy_step(couple, ALEX, 1, NOW) is False
        await tx.intimacy.record_intimacy_step(couple, ALEX, 2, NOW)
        assert await tx.intimacy.intimacy_steps_sent(couple, ALEX) == 2
        assert await tx.groups.note_group(-100123, NOW) is True
        assert await tx.groups.note_group(-100123, NOW) is False


# --- outbox --------------------------------------------------------------------------------


async def test_outbox_enqueue_is_idempotent_and_recorded(db: Database) -> None:
    woken: list[int] = []
    db.on_enqueued = lambda: woken.append(1)
    async with db.transaction() as tx:
        assert await put(tx, "k1") is True
        assert await put(tx, "k1") is False
        await tx.outbox.enqueue_many(
            [("k2", SAM, MessageKind.REVEAL, "sendMessage", "{}", 1, 0, None, 0),
             ("k1", SAM, MessageKind.REVEAL, "sendMessage", "{}", 1, 0, None, 0)]
        )  # fmt: skip
        recorded = list(tx.enqueued)
    async with db.transaction() as tx:
        await tx.outbox.outbox_counts()  # enqueued nothing: no wake
    async with db.read() as tx:
        rows = await tx.outbox.pending(NOW, 10)
    assert recorded[:1] == ["k1"] and "k2" in recorded
    assert woken == [1]
    assert [(r.key, r.kind) for r in rows] == [("k2", MessageKind.REVEAL), ("k1", "prompt")]


async def test_bulk_writes_keep_order_skip_duplicates_and_carry_nulls(db: Database) -> None:
    """The tick's bulk writes (one statement per table on PostgreSQL): rows go in in the order
    given (a chat's messages keep their order), a key seen before or twice in one batch is
    skipped, None values stay NULL, and an empty batch is a no-op."""
    couple = await paired(db)
    keys_ = [f"m{n:03d}" for n in range(250, 0, -1)]  # not in key order
    rows = [(k, ALEX, MessageKind.PROMPT, "sendMessage", "{}", 2, 0, None, 0) for k in keys_]
    async with db.transaction() as tx:
        await tx.outbox.enqueue_many([])
        await tx.outbox.enqueue_many([*rows, rows[0]])
        await tx.outbox.enqueue_many(
            [(keys_[1], SAM, MessageKind.REVEAL, "sendMessage", "{}", 0, 0, "c1:r1:d1", 0)]
        )
        await tx.days.add_days([])
        await tx.days.add_days([(couple, 1, d, f"p{d}") for d in (3, 1, 2)] + [(couple, 1, 1, "x")])
        await tx.days.add_deliveries(
            [Delivery(uid, couple, 1, 1, NOW, NOW, None, None) for uid in (ALEX, SAM)]
        )
        await tx.users.advance_many([])
        await tx.users.advance(SAM, next_day=2, slot_at=NOW, next_delivery_at=None)
        await tx.users.advance_many([(ALEX, 7, NOW, NOW + timedelta(days=1)), (SAM, 3, None, NOW)])
        pending = await tx.outbox.pending(NOW, 1000)
        days = await tx.days.days_by_key([(couple, 1, d) for d in (1, 2, 3)])
        reminders = await tx.days.due_reminders(NOW + timedelta(days=30), 10)
        alex, sam = await tx.users.require_user(ALEX), await tx.users.require_user(SAM)
        await tx.outbox.mark_sent_many([(r.id, 1000 + n) for n, r in enumerate(pending[:200])], NOW)
        counts = await tx.outbox.outbox_counts()
        refs = [await tx.outbox.sent_ref(ALEX, 1000 + n) for n in (0, 199)]
    assert [r.key for r in pending] == keys_  # same priority and time: in the order given
    assert all(r.chat_id == ALEX and r.ref is None for r in pending)
    assert {k: d.prompt_id for k, d in days.items()} == {
        (couple, 1, 1): "p1", (couple, 1, 2): "p2", (couple, 1, 3): "p3"
    }  # fmt: skip
    assert reminders == []  # remind_at NULL: never due
    assert (alex.next_day, alex.last_slot_at, alex.next_delivery_at) == (
        7, NOW, NOW + timedelta(days=1)
    )  # fmt: skip
    assert (sam.next_day, sam.last_slot_at, sam.next_delivery_at) == (3, NOW, NOW)  # slot kept
    assert counts == {"sent": 200, "pending": 50}
    assert refs == [None, None]


async def test_outbox_order_and_due(db: Database) -> None:
    async with db.transaction() as tx:
        await put(tx, "later", not_before=NOW + timedelta(minutes=1))
        await put(tx, "low", priority=3)
        await put(tx, "high", priority=0)
        await put(tx, "mid-b", priority=2)
        assert await tx.outbox.has_pending(MessageKind.PROMPT, NOW) is True
        assert await tx.outbox.has_pending(MessageKind.REMINDER, NOW) is False
        rows = await tx.outbox.pending(NOW, 10)
        first_two = await tx.outbox.pending(NOW, 2)
    assert [r.key for r in rows] == ["high", "mid-b", "low"]
    assert [r.key for r in first_two] == ["high", "mid-b"]
    assert rows[0].not_before == NOW and rows[0].attempts == 0 and rows[0].ref is None


async def test_outbox_sent_rows_lose_their_body_and_keep_their_ref(db: Database) -> None:
    async with db.transaction() as tx:
        await put(tx, "a", ref="c1:r1:d1", payload='{"text": "secret"}')
        await put(tx, "b", payload='{"text": "secret"}')
        a, b = await tx.outbox.pending(NOW, 10)
        await tx.outbox.mark_sent(a.id, 501, NOW)
        await tx.outbox.mark_sent_many([(b.id, None)], NOW)
        assert await tx.outbox.sent_ref(ALEX, 501) == "c1:r1:d1"
        assert await tx.outbox.sent_ref(ALEX, 502) is None
        bodies = await tx.sql.all("SELECT payload FROM outbox")
        counts = await tx.outbox.outbox_counts()
    assert {r["payload"] for r in bodies} == {""}
    assert counts == {"sent": 2}


async def test_outbox_retry_paths(db: Database) -> None:
    async with db.transaction() as tx:
        for key in ("r", "behind", "f", "d", "w"):
            await put(tx, key)
        await put(tx, "elsewhere", SAM)
        r, behind, f, d, _, _ = await tx.outbox.pending(NOW, 10)
        await tx.outbox.reschedule(r.id, NOW + timedelta(seconds=30), 2, "x" * 900)
        await tx.outbox.defer([behind.id], NOW + timedelta(seconds=30))
        await tx.outbox.defer([behind.id], NOW + timedelta(seconds=5))  # never earlier
        await tx.outbox.finish(f.id, OutboxStatus.FAILED, "boom")
        await tx.outbox.finish(d.id, OutboxStatus.DROPPED, "bad request")
        assert await tx.outbox.withdraw("w", "swapped") is True
        assert await tx.outbox.withdraw("w", "swapped") is False
        due_now = [x.key for x in await tx.outbox.pending(NOW, 10)]
        later = await tx.outbox.pending(NOW + timedelta(seconds=30), 10)
        failed = await tx.outbox.failed_rows()
        assert await tx.outbox.drop_pending_for(SAM, "blocked") == 1
        assert await tx.outbox.retry_failed(NOW) == 1
        counts = await tx.outbox.outbox_counts()
    assert due_now == ["elsewhere"]
    assert [(x.key, x.attempts) for x in later] == [("elsewhere", 0), ("r", 2), ("behind", 0)]
    assert [(x["kind"], x["last_error"]) for x in failed] == [("prompt", "boom")]
    assert counts == {"pending": 3, "dropped": 3}


# --- retention -----------------------------------------------------------------------------


async def test_retention_pages_and_prunes(db: Database) -> None:
    couple = await paired(db)
    async with db.transaction() as tx:
        for n in range(5):
            await put(tx, f"o{n}", now=NOW + timedelta(seconds=n))
        rows = await tx.outbox.pending(NOW + timedelta(1), 10)
        await tx.outbox.mark_sent_many([(r.id, None) for r in rows[:3]], NOW)
        await tx.days.add_deliveries(
            [Delivery(ALEX, couple, 1, d, NOW, NOW + timedelta(seconds=d), None, None)
             for d in range(1, 6)]
        )  # fmt: skip
    before = int((NOW + timedelta(hours=1)).timestamp())
    async with db.transaction() as tx:
        page = await tx.retention.old_outbox_rows(before, (-1, -1), 2)
        rest = await tx.retention.old_outbox_rows(before, page[-1], 10)
        gone = await tx.retention.prune_outbox([i for _, i in page + rest])
        old = await tx.retention.old_deliveries(before, (-1, -1), 10)
        pruned = await tx.retention.prune_deliveries([i for _, i in old])
        kept = await tx.days.deliveries(ALEX, couple, 1, limit=10)
    assert len(page) == 2 and len(rest) == 3 and page[-1] < rest[0]
    assert gone == 3  # the sent ones; pending rows stay
    assert len(old) == 5 and pruned == 3
    assert [d.day for d in kept] == [5, 4]


# --- transactions ---------------------------------------------------------------------------


async def test_update_claims_are_short_renewed_by_their_holder_and_taken_over(
    db: Database,
) -> None:
    """A claim lapses ``stale_after`` seconds after its holder last renewed it: a live holder
    keeps it, a holder that stopped renewing (it died) loses it to the next claim, and a done
    update is never claimed again."""
    at = NOW.__add__
    async with db.transaction() as tx:
        assert await tx.updates.claim_update(1, NOW, 10) is True  # instance A
        assert await tx.updates.claim_update(1, at(timedelta(seconds=5)), 10) is False  # B
        assert await tx.updates.renew_claim(1, NOW, at(timedelta(seconds=8))) is True  # A lives
        assert await tx.updates.claim_update(1, at(timedelta(seconds=15)), 10) is False
        assert await tx.updates.renew_claim(1, at(timedelta(seconds=8)), at(timedelta(seconds=10)))
        # A stops renewing (it died): 10 s after its last heartbeat B takes the update over.
        assert await tx.updates.claim_update(1, at(timedelta(seconds=19)), 10) is False
        assert await tx.updates.claim_update(1, at(timedelta(seconds=21)), 10) is True
        # A's late heartbeat does not take it back; B's own does.
        assert (
            await tx.updates.renew_claim(1, at(timedelta(seconds=10)), at(timedelta(seconds=22)))
            is False
        )
        assert await tx.updates.renew_claim(1, at(timedelta(seconds=21)), at(timedelta(seconds=23)))
        await tx.updates.update_done(1)
        assert (
            await tx.updates.renew_claim(1, at(timedelta(seconds=23)), at(timedelta(seconds=24)))
            is False
        )
        assert await tx.updates.claim_update(1, at(timedelta(hours=1)), 10) is False
        assert await tx.updates.update_processed(1) is True


async def test_a_failed_transaction_leaves_nothing(db: Database) -> None:
    woken: list[int] = []
    db.on_enqueued = lambda: woken.append(1)
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await users(tx, ALEX)
            await put(tx, "k")
            raise RuntimeError("boom")
    async with db.read() as tx:
        assert await tx.users.user(ALEX) is None
        assert await tx.outbox.outbox_counts() == {}
    assert woken == []


async def test_schema_version_is_the_last_migration(db: Database) -> None:
    from bot.storage.migrations import MIGRATIONS
    from bot.storage.pg_migrations import PG_MIGRATIONS

    assert len(MIGRATIONS) == len(PG_MIGRATIONS)  # version N means the same on both
    assert await db.schema_version() == len(MIGRATIONS)
    assert await db.ping() is True
