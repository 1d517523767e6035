"""The challenge rules as plain functions and data: no Telegram, no database, no wall clock."""
