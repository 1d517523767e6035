"""One open transaction, handing out a repository per aggregate (``tx.users``, ``tx.outbox``...)."""

from __future__ import annotations

from bot.storage.repos.checkins import Checkins
from bot.storage.repos.couples import Couples
from bot.storage.repos.days import Days
from bot.storage.repos.extras import Groups, Intimacy, Tips, Updates
from bot.storage.repos.outbox import Outbox
from bot.storage.repos.retention import Retention
from bot.storage.repos.users import Users
from bot.storage.sql import Sql


class Tx:
    """The repositories of one transaction, bound to its connection.

    ``enqueued`` records the outbox keys this transaction added; the database wakes the sender
    once it has committed them (see ``Database.on_enqueued``), so no flow has to remember to.
    """

    def __init__(self, sql: Sql) -> None:
        self.sql = sql
        self.enqueued: list[str] = []
        self.users = Users(sql)
        self.couples = Couples(sql)
        self.days = Days(sql)
        self.checkins = Checkins(sql)
        self.tips = Tips(sql)
        self.intimacy = Intimacy(sql)
        self.groups = Groups(sql)
        self.outbox = Outbox(sql, self.enqueued)
        self.retention = Retention(sql)
        self.updates = Updates(sql)
