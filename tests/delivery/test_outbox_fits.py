"""The outbox never holds a row Telegram would refuse as too long: long messages become several."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.delivery.outbox import Outgoing, Priority, enqueue, enqueue_many
from bot.telegram_html import utf16_units
from tests.harness import Harness, start_harness, stop_harness

ANN, BEN = 2001, 2002
MARKUP = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await start_harness(tmp_path)
    harness.tg.add_user(ANN, "Ann")
    harness.tg.add_user(BEN, "Ben")
    yield harness
    await stop_harness(harness)


def message(key: str, chat_id: int, text: str, **kw: object) -> Outgoing:
    return Outgoing(key=key, chat_id=chat_id, kind="notice", text=text, reply_markup=MARKUP,
                    priority=Priority.PARTNER, **kw)  # type: ignore[arg-type]  # fmt: skip


async def keys(h: Harness) -> list[str]:
    async with h.couplet.db.read() as tx:
        rows = await tx.sql.conn.execute_fetchall("SELECT key FROM outbox ORDER BY id")
    return [row[0] for row in rows]


async def test_a_long_message_becomes_several_rows_with_stable_keys(h: Harness) -> None:
    text = "<i>" + "💞" * 5000 + "</i>"
    now = h.clock()
    async with h.couplet.db.transaction() as tx:
        assert await enqueue(tx, message("long", ANN, text), now)
        assert not await enqueue(tx, message("long", ANN, text), now)  # same message: no-op
    async with h.couplet.db.transaction() as tx:
        await enqueue_many(tx, [message("batch", BEN, "ж" * 9000)], now)
        await enqueue_many(tx, [message("batch", BEN, "ж" * 9000)], now)
    assert await keys(h) == ["long", "long#2", "long#3", "batch", "batch#2", "batch#3"]
    await h.flush()
    for chat, total in ((ANN, "💞" * 5000), (BEN, "ж" * 9000)):
        sent = h.tg.inbox(chat)
        assert len(sent) == 3
        assert all(utf16_units(r["plain_text"]) <= 4096 for r in sent)
        assert "".join(r["plain_text"] for r in sent) == total
        assert [r["reply_markup"] is not None for r in sent] == [False, False, True]
    assert h.tg.counters["400"] == 0


async def test_a_long_caption_keeps_what_fits_on_the_photo_and_the_rest_follows(
    h: Harness,
) -> None:
    caption = "<b>" + "ж" * 3000 + "</b>"
    photo = message("pic", ANN, caption, method="sendPhoto", media="photo-1")
    async with h.couplet.db.transaction() as tx:
        await enqueue(tx, photo, h.clock())
    await h.flush()
    first, second = h.tg.inbox(ANN)
    assert first["method"] == "sendPhoto" and first["photo"] == "photo-1"
    assert utf16_units(first["plain_text"]) == 1024 and first["reply_markup"] is None
    assert second["method"] == "sendMessage" and second["reply_markup"] is not None
    assert first["plain_text"] + second["plain_text"] == "ж" * 3000
    assert h.tg.counters["400"] == 0


async def test_what_fits_is_one_row_as_before(h: Harness) -> None:
    async with h.couplet.db.transaction() as tx:
        await enqueue(tx, message("short", ANN, "💞" * 2048), h.clock())
        await enqueue(tx, message("cap", ANN, "💞" * 512, method="sendPhoto", media="p"), h.clock())
    assert await keys(h) == ["short", "cap"]
    await h.flush()
    assert [r["reply_markup"] is not None for r in h.tg.inbox(ANN)] == [True, True]
