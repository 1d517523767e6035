"""Couplet in the browser: two partners side by side, no Telegram account (``make try``).

One process holds the fake Bot API (``fakebot``), the real bot on it (the same Application,
handlers, outbox, sender and rate limiter as production) and an aiohttp app that serves the page
and pushes every change in the two chats to it. Time travel moves the bot's clock, never the
machine's. Production code never imports this package.
"""
