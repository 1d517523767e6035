"""Persistence: SQLite (aiosqlite) or PostgreSQL (asyncpg) behind per-aggregate repositories."""

from bot.storage.db import Database, sqlite_path
from bot.storage.errors import MissingRow, StorageError
from bot.storage.ports import Transaction

__all__ = ["Database", "MissingRow", "StorageError", "Transaction", "sqlite_path"]
