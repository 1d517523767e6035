"""Logging set-up that never lets the bot token reach a log line."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

REDACTED = "<token>"
_installed: set[str] = set()


def configure_logging(level: str, *, secrets: Iterable[str] = ()) -> None:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level)
    logging.getLogger().setLevel(level)
    # httpx logs every request URL at INFO, and Bot API URLs carry the token.
    for noisy in ("httpx", "httpcore", "apscheduler", "aiosqlite"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    redact(secrets)


def redact(secrets: Iterable[str]) -> None:
    """Rewrite every log record that contains a secret, before any handler sees it.

    Done in the record factory rather than a handler filter because libraries log from many
    loggers (PTB logs the Bot API URL at DEBUG) and handlers may be added later (pytest, Sentry).
    """
    new = {s for s in secrets if s and len(s) >= 8} - _installed
    if not new:
        return
    _installed.update(new)
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call: leave it to logging's own error path
            return record
        if any(secret in message for secret in new):
            for secret in new:
                message = message.replace(secret, REDACTED)
            record.msg, record.args = message, ()
        return record

    logging.setLogRecordFactory(factory)
