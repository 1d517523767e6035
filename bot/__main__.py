"""``python -m bot``: run Couplet in polling mode."""

from __future__ import annotations

import sys

from telegram import Update

from bot.app import build_application
from bot.config import ConfigError, load_settings
from bot.logs import configure_logging
from prompts.loader import ContentError


def main() -> int:
    try:
        settings = load_settings()
        configure_logging(settings.log_level, secrets=[settings.bot_token.get_secret_value()])
        application = build_application(settings)
    except (ConfigError, ContentError) as exc:
        print(f"couplet: {exc}", file=sys.stderr)
        return 2
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
