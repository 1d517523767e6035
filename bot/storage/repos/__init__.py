"""The repositories, one per aggregate, written once for both backends (see ``bot.storage.sql``)."""
