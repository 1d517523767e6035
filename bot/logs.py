"""Logging that never lets the bot token, or what partners write, reach a log line.

Two layers, both installed by ``configure_logging``:

* A **record factory** rewrites every record as it is created, before any handler (ours,
  pytest's, a Sentry one added later) sees it: the token is replaced in the message, in the
  exception text and in the stack, and the Bot API calls and updates that
  python-telegram-bot logs at DEBUG are reduced to ids, kinds and lengths.
* A **formatter** on the console handler redacts the finished line once more, tracebacks
  included, so a secret that slipped past the record (a handler formatting ``exc_info``
  itself) still never reaches the output.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any

REDACTED = "<token>"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_secrets: set[str] = set()
_installed = False

# PTB's DEBUG lines that carry a raw body as a plain string (everything else it logs is
# summarised by type: dicts, lists and Telegram objects).
_BODY_TEMPLATES = frozenset({'Can not load invalid JSON data: "%s"', "Webhook received data: %s"})
# String values that describe a message without being part of what someone wrote.
_KIND_KEYS = frozenset(
    {"parse_mode", "type", "status", "mime_type", "method", "kind", "allowed_updates"}
)
_MAX_ITEMS = 10
_MAX_DEPTH = 4


def configure_logging(level: str, *, secrets: Iterable[str] = ()) -> None:
    """Console logging at ``level`` with every secret in ``secrets`` redacted."""
    root = logging.getLogger()
    if not root.handlers:  # like basicConfig: keep handlers someone (pytest) installed
        handler = logging.StreamHandler()
        handler.setFormatter(RedactingFormatter(FORMAT))
        root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Bot API URLs carry the token.
    for noisy in ("httpx", "httpcore", "apscheduler", "aiosqlite"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.captureWarnings(True)  # warnings go through the redaction too
    redact(secrets)


def redact(secrets: Iterable[str]) -> None:
    """Add secrets to redact from every log record, exception hook and formatted line."""
    global _installed
    _secrets.update(s for s in secrets if s and len(s) >= 8)
    if _installed:
        return
    _installed = True
    logging.setLogRecordFactory(_factory(logging.getLogRecordFactory()))
    sys.excepthook = _redacting_excepthook(sys.excepthook)
    threading.excepthook = _redacting_thread_hook(threading.excepthook)


def scrub(text: str) -> str:
    """``text`` with every registered secret replaced by ``<token>``."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


class RedactingFormatter(logging.Formatter):
    """A formatter whose whole output, tracebacks included, is scrubbed of secrets."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))

    def formatException(self, ei: Any) -> str:
        return scrub(super().formatException(ei))


def _factory(previous: Any) -> Any:
    formatter = logging.Formatter()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = previous(*args, **kwargs)
        if record.name.startswith("telegram") and isinstance(record.args, tuple) and record.args:
            record.args = _summarise_args(record.msg, record.args)
        if not _secrets:
            return record
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call: leave it to logging's own error path
            return record
        clean = scrub(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            text = formatter.formatException(record.exc_info)
            clean = scrub(text)
            if clean != text:
                record.exc_text = clean  # formatters use a ready exc_text as it is
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return record

    return factory


def _summarise_args(template: object, args: tuple[Any, ...]) -> tuple[Any, ...]:
    body = template in _BODY_TEMPLATES
    return tuple(
        describe(a) if body or not isinstance(a, str | int | float | bool | None) else a
        for a in args
    )


def describe(value: Any, key: str | None = None, depth: int = 0) -> str:
    """A value as ids, kinds and lengths: numbers stay, text becomes ``<12 chars>``.

    Telegram objects, request parameters and API results are walked; keys are kept, so what
    kind of thing it was (``text``, ``voice``, ``callback_query``) still shows.
    """
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict) and not isinstance(value, Mapping):
        try:
            value = to_dict()
        except Exception:
            return type(value).__name__
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    if isinstance(value, str):
        return value if key in _KIND_KEYS and len(value) <= 32 else f"<{len(value)} chars>"
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if isinstance(value, Mapping):
        if depth >= _MAX_DEPTH:
            return f"{{{len(value)} keys}}"
        items = [f"{k}: {describe(v, str(k), depth + 1)}" for k, v in value.items()]
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple | set | frozenset):
        seq = list(value)
        shown = [describe(v, key, depth + 1) for v in seq[:_MAX_ITEMS]]
        if len(seq) > _MAX_ITEMS:
            shown.append(f"… {len(seq) - _MAX_ITEMS} more")
        return "[" + ", ".join(shown) + "]"
    return type(value).__name__


def _redacting_excepthook(previous: Any) -> Any:
    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if not _secrets:
            previous(kind, exc, tb)
            return
        sys.stderr.write(scrub("".join(traceback.format_exception(kind, exc, tb))))

    return hook


def _redacting_thread_hook(previous: Any) -> Any:
    def hook(args: threading.ExceptHookArgs) -> None:
        if not _secrets or args.exc_type is SystemExit:
            previous(args)
            return
        text = "".join(
            traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)
        )
        sys.stderr.write(scrub(f"Exception in thread {getattr(args.thread, 'name', '?')}:\n{text}"))

    return hook
