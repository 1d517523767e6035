"""Run the fake Bot API standalone: ``python -m fakebot --port 8081 --token TOKEN``.

``--port 0`` picks a free port; the first line on stdout is always ``listening <url>``.
``--control`` adds the test-control API (``fakebot.control``) for driving it from another process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging

from fakebot.server import FakeBotApiServer
from fakebot.telegram import FakeTelegram

log = logging.getLogger("fakebot")


async def _serve(args: argparse.Namespace) -> None:
    telegram = FakeTelegram(username=args.username)
    for user_id in args.user:
        telegram.add_user(user_id, f"User {user_id}")
    async with FakeBotApiServer(
        telegram,
        host=args.host,
        port=args.port,
        token=args.token,
        access_log=args.access_log,
        control=args.control,
    ) as server:
        print(f"listening {server.url}", flush=True)
        log.info("fake Bot API listening on %s (base_url=%s/bot)", server.url, server.url)
        await _freeze_forever()  # until Ctrl+C


async def _freeze_forever(every: float = 1.0) -> None:
    """Keep what the fake has stored out of the garbage collector's full scans.

    Every message the bot sends is kept, so the heap only grows; a full collection over it
    pauses the server for tens of milliseconds (about 100 ms after 20,000 messages), which
    bunches up the arrival times the rate limits are judged by. Frozen objects are still freed
    by reference counting; only reference cycles alive at a freeze stay for good.
    """
    while True:
        await asyncio.sleep(every)
        gc.freeze()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m fakebot", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=None, help="accept only this bot token")
    parser.add_argument("--username", default="couplet_test_bot")
    parser.add_argument("--user", type=int, action="append", default=[], help="pre-add user")
    parser.add_argument("--access-log", action="store_true")
    parser.add_argument("--control", action="store_true", help="serve POST /_control/<op>")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
