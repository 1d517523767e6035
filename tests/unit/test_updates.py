"""PerChatUpdates: one chat's updates in order, other chats alongside."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update

from bot.updates import PerChatUpdates


def update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, "private")
    return Update(update_id, message=Message(update_id, None, chat))  # type: ignore[arg-type]


async def test_one_chats_updates_run_in_order_and_other_chats_alongside() -> None:
    processor = PerChatUpdates()
    log: list[str] = []
    release = asyncio.Event()

    async def work(name: str, wait: bool = False) -> None:
        log.append(f"{name} starts")
        if wait:
            await release.wait()
        log.append(f"{name} ends")

    tasks = [
        asyncio.create_task(processor.process_update(update(1, 7), work("a1", wait=True))),
        asyncio.create_task(processor.process_update(update(2, 7), work("a2"))),
        asyncio.create_task(processor.process_update(update(3, 8), work("b1"))),
    ]
    await asyncio.sleep(0.01)
    assert log == ["a1 starts", "b1 starts", "b1 ends"]  # a2 waits for a1; chat 8 does not
    release.set()
    await asyncio.gather(*tasks)
    assert log[3:] == ["a1 ends", "a2 starts", "a2 ends"]
    assert processor._locks == {}  # idle chats keep nothing
