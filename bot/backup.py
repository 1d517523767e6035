"""``python -m bot.backup [FILE]``: a consistent copy of the database, safe while the bot runs.

Uses SQLite's online backup API in one step: in WAL mode that is one read transaction, which
never blocks the bot's writes and sees one committed state. The copy is written to a temporary
file and renamed, so a backup that is interrupted never leaves a half-written file behind. By
default it goes to ``backups/couplet-<UTC time>.db`` next to the database (``/data/backups`` in
the Docker image). It needs only ``DATABASE_URL``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.report import StorageSettings
from bot.storage.db import is_postgres, sqlite_path


def default_target(database: Path, now: datetime) -> Path:
    return database.parent / "backups" / f"couplet-{now:%Y%m%d-%H%M%S}.db"


def backup(database: Path, target: Path) -> int:
    """Copy ``database`` to ``target``; returns the schema version of the copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with (
            contextlib.closing(sqlite3.connect(database, timeout=30)) as source,
            contextlib.closing(sqlite3.connect(partial)) as copy,
        ):
            source.backup(copy)  # all pages in one step: one consistent snapshot
            (check,) = copy.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise sqlite3.DatabaseError(f"the copy failed its check: {check}")
            (version,) = copy.execute("PRAGMA user_version").fetchone()
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return int(version)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.backup", description=__doc__)
    parser.add_argument("file", nargs="?", help="where to write the copy (default: see above)")
    args = parser.parse_args(argv)
    url = StorageSettings().database_url
    if is_postgres(url):
        print(
            "couplet: DATABASE_URL is PostgreSQL: back it up with pg_dump (see the README)",
            file=sys.stderr,
        )
        return 2
    try:
        path = sqlite_path(url)
    except ValueError as exc:
        print(f"couplet: {exc}", file=sys.stderr)
        return 2
    database = Path(path)
    if path == ":memory:" or not database.is_file():
        print(f"couplet: no database at {path} to back up (DATABASE_URL)", file=sys.stderr)
        return 2
    target = Path(args.file) if args.file else default_target(database, datetime.now(UTC))
    try:
        version = backup(database, target)
    except (OSError, sqlite3.Error) as exc:
        print(
            f"couplet: backup of {path} (DATABASE_URL) to {target} failed: {exc}", file=sys.stderr
        )
        return 2
    size = target.stat().st_size / 1_000_000
    print(f"backup: {target} ({size:.1f} MB, schema version {version})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
