"""Run the fake Bot API standalone: ``python -m fakebot --port 8081 --token TOKEN``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from fakebot.server import FakeBotApiServer
from fakebot.telegram import FakeTelegram

log = logging.getLogger("fakebot")


async def _serve(args: argparse.Namespace) -> None:
    telegram = FakeTelegram(username=args.username)
    for user_id in args.user:
        telegram.add_user(user_id, f"User {user_id}")
    async with FakeBotApiServer(
        telegram, host=args.host, port=args.port, token=args.token, access_log=args.access_log
    ) as server:
        log.info("fake Bot API listening on %s (base_url=%s/bot)", server.url, server.url)
        await asyncio.Event().wait()  # until Ctrl+C


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m fakebot", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=None, help="accept only this bot token")
    parser.add_argument("--username", default="couplet_test_bot")
    parser.add_argument("--user", type=int, action="append", default=[], help="pre-add user")
    parser.add_argument("--access-log", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
