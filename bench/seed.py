"""Seed many paired, active couples straight into a (migrated) database, fast.

Used by the delivery benchmark and the crash test: plain ``sqlite3`` with ``executemany``, so
100,000 couples take about a second.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

FIRST_USER = 10_000_000


def user_ids(couples: int, first_user: int = FIRST_USER) -> list[int]:
    return [first_user + i for i in range(2 * couples)]


def seed_couples(
    path: str,
    couples: int,
    *,
    due_at: datetime | None,
    first_couple: int = 1,
    first_user: int = FIRST_USER,
    day: int = 1,
) -> list[int]:
    """Insert ``couples`` active couples (both partners on ``day``) due at ``due_at``.

    ``due_at=None`` leaves them unscheduled (stored but not due). Returns the user ids.
    """
    due = int(due_at.timestamp()) if due_at else None
    now = int(datetime.now().timestamp())
    users, pairs = [], []
    for i in range(couples):
        couple_id = first_couple + i
        a, b = first_user + 2 * i, first_user + 2 * i + 1
        pairs.append((couple_id, a, b, now))
        for uid in (a, b):
            users.append((uid, f"U{uid}", couple_id, day, due, now))
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO couples (id, user_a, user_b, status, round, started_at)"
            " VALUES (?, ?, ?, 'active', 1, ?)",
            pairs,
        )
        conn.executemany(
            "INSERT INTO users (user_id, first_name, timezone, delivery_time, couple_id,"
            " next_day, next_delivery_at, created_at) VALUES (?, ?, 'UTC', '20:00', ?, ?, ?, ?)",
            users,
        )
    return [u[0] for u in users]
