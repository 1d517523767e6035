"""``python -m bot.report``: the outbox at a glance, for the operator (never message bodies).

Rows that failed after every retry stay in the outbox as ``failed`` and are retried when the
bot starts; this shows how many there are and why they failed. It needs only ``DATABASE_URL``.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from pydantic_settings import BaseSettings

from bot.config import Settings
from bot.storage import Database
from bot.storage.db import is_postgres, sqlite_path
from bot.storage.models import from_ts

STATUSES = ("pending", "sent", "failed", "dropped")


class StorageSettings(BaseSettings):
    """The one setting the report needs, read like the bot reads it (environment, ``.env``)."""

    model_config = Settings.model_config
    database_url: str = Settings.model_fields["database_url"].default


async def outbox_report(database_url: str, limit: int = 50) -> str:
    db = Database(database_url)
    await db.open()
    try:
        async with db.read() as tx:
            counts = await tx.outbox.outbox_counts()
            failed = await tx.outbox.failed_rows(limit)
    finally:
        await db.close()
    lines = ["outbox: " + " · ".join(f"{counts.get(s, 0)} {s}" for s in STATUSES)]
    if failed:
        lines.append("failed rows (retried when the bot starts):")
        for row in failed:
            created = from_ts(row["created_at"])
            lines.append(
                f"  #{row['id']} {row['kind']} to chat {row['chat_id']}, created"
                f" {created:%Y-%m-%d %H:%M} UTC, {row['attempts']} attempts:"
                f" {row['last_error'] or 'no error recorded'}"
            )
        if counts.get("failed", 0) > len(failed):
            lines.append(f"  … and {counts['failed'] - len(failed)} more")
    return "\n".join(lines)


def main() -> int:
    url = StorageSettings().database_url
    path = url if is_postgres(url) else sqlite_path(url)
    if not is_postgres(url) and path != ":memory:" and not Path(path).exists():
        print(f"couplet: no database at {path} (DATABASE_URL)", file=sys.stderr)
        return 2
    print(asyncio.run(outbox_report(url)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
