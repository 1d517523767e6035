"""``python -m bot``: run Couplet in polling mode until SIGTERM or SIGINT.

Exit status: 0 after a stop signal, 2 for a setting, content file or database that needs
fixing (one line on stderr says which and why).
"""

from __future__ import annotations

import signal
import sys


def _stop_while_loading(signum: int, frame: object) -> None:
    """A stop signal before the event loop runs: nothing is open yet, so just leave."""
    print(f"couplet: stopped ({signal.Signals(signum).name}) while starting", file=sys.stderr)
    raise SystemExit(0)


# Installed before the heavy imports below (a second or so): a supervisor's SIGTERM that early
# should still end in a clean exit, not in the default kill.
for _sig in (signal.SIGTERM, signal.SIGINT):
    signal.signal(_sig, _stop_while_loading)

import asyncio  # noqa: E402

from bot.app import build_application  # noqa: E402
from bot.config import ConfigError, load_settings  # noqa: E402
from bot.logs import configure_logging  # noqa: E402
from bot.runner import fail, serve  # noqa: E402
from prompts.loader import ContentError  # noqa: E402


def main() -> int:
    try:
        settings = load_settings()
        configure_logging(settings.log_level, secrets=[settings.bot_token.get_secret_value()])
        application = build_application(settings)
    except (ConfigError, ContentError) as exc:
        fail(str(exc))
        return 2
    return asyncio.run(serve(application))


if __name__ == "__main__":
    sys.exit(main())
