"""Persistence: SQLite through aiosqlite behind a small repository interface."""

from bot.storage.db import Database, StorageError, sqlite_path
from bot.storage.repo import MissingRow, Repo

__all__ = ["Database", "MissingRow", "Repo", "StorageError", "sqlite_path"]
