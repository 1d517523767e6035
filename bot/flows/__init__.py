"""Use cases: each runs one transaction over the core rules, storage and the outbox.

Handlers call these and turn the results into replies; the scheduler calls them too. Nothing here
talks to Telegram directly: messages to anyone but the current user go through the outbox.
"""
