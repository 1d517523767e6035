"""Why a request was refused: the typed facts flows return and ``bot/texts.py`` words.

They live here, beside the rules and apart from the flows, so the message catalogue can key its
texts by them (every member has its text; a test checks) without importing the flows.
"""

from __future__ import annotations

from enum import StrEnum


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
