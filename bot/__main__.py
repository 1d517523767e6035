"""``python -m bot``: run Couplet in polling mode."""

from __future__ import annotations

import logging
import sys

from telegram import Update

from bot.app import build_application
from bot.config import ConfigError, load_settings
from prompts.loader import ContentError


def configure_logging(level: str) -> None:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level)
    # httpx logs every request URL at INFO, and Bot API URLs carry the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def main() -> int:
    try:
        settings = load_settings()
        configure_logging(settings.log_level)
        application = build_application(settings)
    except (ConfigError, ContentError) as exc:
        print(f"couplet: {exc}", file=sys.stderr)
        return 2
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
