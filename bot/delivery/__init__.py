"""The one way out: every message the bot starts on its own goes through the outbox."""

from bot.delivery.outbox import Outgoing, Priority, enqueue

__all__ = ["Outgoing", "Priority", "enqueue"]
