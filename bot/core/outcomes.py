"""What happened, as typed facts: flows decide them, ``bot/texts.py`` words them.

They live here, beside the rules and apart from the flows, so the message catalogue can key its
texts by them (every member has its text; a test checks) without importing the flows.
"""

from __future__ import annotations

from enum import StrEnum


class PartnerNews(StrEnum):
    """What one partner did that the other is told about (``flows.messages.partner_news``)."""

    PAUSED = "paused"
    RESUMED = "resumed"
    UNPAIRED = "unpaired"
    DELETED = "deleted"
    AGAIN = "again"  # another round
    BLOCKED = "blocked"  # blocked the bot
    NUDGED = "nudged"
    DECLINED = "declined"  # opened the invite and said not now
    INTIMACY_ACTIVE = "intimacy_active"  # opted in second: the track runs
    INTIMACY_PAUSED = "intimacy_paused"  # left the track


class NudgeReason(StrEnum):
    SENT = "sent"
    NOT_PAIRED = "not_paired"
    NO_PROMPT = "no_prompt"
    ANSWER_FIRST = "answer_first"
    PARTNER_ANSWERED = "partner_answered"
    ALREADY = "already"


class SwapRefusal(StrEnum):
    """Why a swap was refused."""

    NOT_PAIRED = "not_paired"
    NO_PROMPT = "no_prompt"
    STALE = "stale"
    NONE = "none"  # no other prompt to swap to
    REVEALED = "revealed"
    ANSWERED_YOU = "answered_you"
    ANSWERED_PARTNER = "answered_partner"
    SWAPPED = "swapped"
