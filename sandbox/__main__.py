"""``python -m sandbox`` (``make try``): Couplet in the browser, on http://127.0.0.1:8080.

Prints one line with the address once everything is up, then runs until Ctrl-C. No token, no
network: the bot talks to an in-process fake Telegram, and its database lives in a temporary
folder that is deleted on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from datetime import datetime

from aiohttp import web

from bot.logs import configure_logging
from sandbox.web import Sandbox, make_app
from sandbox.world import utc


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description="Couplet in the browser: two partners side by side, no Telegram account.",
    )
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--start",
        type=utc,
        default=None,
        metavar="WHEN",
        help="the simulated time to begin at, e.g. 2026-03-02T09:00Z (default: now)",
    )
    return parser.parse_args(argv)


async def serve(host: str, port: int, start: datetime | None) -> int:
    """Listen first (a busy port fails at once), then start the bot, then print the address."""
    sandbox = Sandbox(start=start)
    runner = web.AppRunner(
        make_app(sandbox), access_log=None, handler_cancellation=True, shutdown_timeout=1.0
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        print(
            f"Couplet sandbox: cannot listen on {host}:{port} ({exc.strerror or exc}); "
            "pick another port, e.g. make try PORT=8081",
            file=sys.stderr,
            flush=True,
        )
        await runner.cleanup()
        return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await sandbox.open()
        bound = runner.addresses[0][1]
        print(f"Couplet sandbox: http://{host}:{bound}", flush=True)
        await stop.wait()
    finally:
        await runner.cleanup()
        await sandbox.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging("WARNING")  # the one line above is all a newcomer needs to see
    return asyncio.run(serve(args.host, args.port, args.start))


if __name__ == "__main__":
    sys.exit(main())
