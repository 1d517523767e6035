"""Handler replies through the outbox, for several webhook instances on one PostgreSQL.

Telegram's limits (30 messages a second in all, about one a second per chat) hold for the
bot, not for each instance, and only the elected leader paces its sends against them (see
``Database.lead``). So while an instance serves an update in webhook mode on PostgreSQL, the
messages its handlers send are queued as outbox rows of DIRECT priority instead of sent: the
leader, woken by the commit's ``NOTIFY``, sends them first, through the one limiter that sees
every send of the bot. The key names the update and the reply's place among its replies, so an
update processed again (an instance died half-way) queues nothing twice.

Edits and callback answers still go straight out: Telegram does not count them as sends, and a
callback answer must come back while the client's spinner turns.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from bot import keys
from bot.context import Couplet
from bot.delivery.limiter import Priority
from bot.delivery.outbox import Outgoing, enqueue
from bot.storage.models import MessageKind


@dataclass
class Route:
    couplet: Couplet
    update_id: int
    _count: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    async def send(self, chat_id: int, parts: list[str], markup: dict | None) -> None:
        """Queue ``parts`` in order (each split again if too long); ``markup`` on the last."""
        now = self.couplet.now()
        async with self.couplet.db.transaction() as tx:
            for n, text in enumerate(parts, 1):
                await enqueue(
                    tx,
                    Outgoing(
                        key=keys.reply_key(self.update_id, next(self._count)),
                        chat_id=chat_id,
                        kind=MessageKind.REPLY,
                        text=text,
                        reply_markup=markup if n == len(parts) else None,
                        priority=Priority.DIRECT,
                    ),
                    now,
                )


_route: ContextVar[Route | None] = ContextVar("couplet_reply_route", default=None)


def current() -> Route | None:
    """The route of the update being served, if its replies go through the outbox."""
    return _route.get()


@contextmanager
def through_outbox(couplet: Couplet, update_id: int) -> Iterator[None]:
    """Handlers run inside this block queue their replies (see the module's docstring)."""
    token = _route.set(Route(couplet, update_id))
    try:
        yield
    finally:
        _route.reset(token)
