"""Every outbox idempotency key and message ref, built and parsed in one place.

A key names one message so that producing it twice is a no-op (``outbox.key`` is unique); a
ref says which couple (and day) a sent message belongs to, so a reply to it can be matched to
its day and a couple's erasure finds its pending rows. The strings are stored: their shapes
must never change, or an upgraded bot would send again what an older one had queued.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class RefKind(StrEnum):
    DAY = "day"  # c12:r1:d5 — a prompt, reminder or reveal of one day
    NOTICE = "notice"  # c12:notice — about the couple, no particular day
    INTIMACY = "int"  # c12:int — an intimacy-track step (replies to it are not answers)


@dataclass(frozen=True, slots=True)
class Ref:
    couple_id: int
    kind: RefKind
    round: int | None = None
    day: int | None = None

    def __str__(self) -> str:
        if self.kind is RefKind.DAY:
            return f"c{self.couple_id}:r{self.round}:d{self.day}"
        return f"c{self.couple_id}:{self.kind.value}"


_REF = re.compile(r"c(\d+):(?:r(\d+):d(\d+)|(notice|int))")


def day_ref(couple_id: int, round_: int, day: int) -> str:
    return str(Ref(couple_id, RefKind.DAY, round_, day))


def couple_ref(couple_id: int) -> str:
    return str(Ref(couple_id, RefKind.NOTICE))


def intimacy_ref(couple_id: int) -> str:
    return str(Ref(couple_id, RefKind.INTIMACY))


def parse_ref(ref: str | None) -> Ref | None:
    match = _REF.fullmatch(ref or "")
    if match is None:
        return None
    couple, round_, day, kind = match.groups()
    if kind is None:
        return Ref(int(couple), RefKind.DAY, int(round_), int(day))
    return Ref(int(couple), RefKind(kind))


def parse_day_ref(ref: str | None) -> tuple[int, int, int] | None:
    """``(couple, round, day)`` of a day ref; None for any other ref."""
    parsed = parse_ref(ref)
    if parsed is None or parsed.kind is not RefKind.DAY:
        return None
    return parsed.couple_id, parsed.round, parsed.day  # type: ignore[return-value]


def ref_couple(ref: str | None) -> int | None:
    """The couple a ref belongs to (stored next to the row, so erasing a couple finds it)."""
    parsed = parse_ref(ref)
    return parsed.couple_id if parsed else None


# --- idempotency keys: one function per message kind ----------------------------------------


def prompt_key(user_id: int, couple_id: int, round_: int, day: int) -> str:
    return f"prompt:{user_id}:{couple_id}:{round_}:{day}"


def reminder_key(user_id: int, couple_id: int, round_: int, day: int) -> str:
    return f"reminder:{user_id}:{couple_id}:{round_}:{day}"


def reveal_key(couple_id: int, round_: int, day: int, recipient: int, part: str) -> str:
    """``part``: ``text``, ``text2``, ... or ``media``."""
    return f"reveal:{couple_id}:{round_}:{day}:{recipient}:{part}"


def recap_key(couple_id: int, round_: int, phase: int, user_id: int) -> str:
    return f"recap:{couple_id}:{round_}:{phase}:{user_id}"


def complete_key(couple_id: int, round_: int, user_id: int) -> str:
    return f"complete:{couple_id}:{round_}:{user_id}"


def swap_key(couple_id: int, round_: int, day: int, user_id: int) -> str:
    return f"swap:{couple_id}:{round_}:{day}:{user_id}"


def nudge_key(couple_id: int, round_: int, day: int, from_user: int) -> str:
    return f"nudge:{couple_id}:{round_}:{day}:{from_user}"


def paired_key(couple_id: int, inviter: int) -> str:
    return f"paired:{couple_id}:{inviter}"


def declined_key(code: str, user_id: int) -> str:
    return f"declined:{code}:{user_id}"


def pause_key(couple_id: int, at: int) -> str:
    return f"pause:{couple_id}:{at}"


def resume_key(couple_id: int, at: int) -> str:
    return f"resume:{couple_id}:{at}"


def unpair_key(couple_id: int) -> str:
    return f"unpair:{couple_id}"


def deleted_key(couple_id: int, user_id: int) -> str:
    return f"deleted:{couple_id}:{user_id}"


def again_key(couple_id: int, round_: int) -> str:
    return f"again:{couple_id}:{round_}"


def gone_key(couple_id: int, user_id: int) -> str:
    return f"gone:{couple_id}:{user_id}"


def checkin_offer_key(user_id: int, couple_id: int, round_: int, day: int) -> str:
    return f"checkin-offer:{user_id}:{couple_id}:{round_}:{day}"


def checkin_shared_key(checkin_id: int, recipient: int) -> str:
    return f"checkin-shared:{checkin_id}:{recipient}"


def checkin_invite_key(couple_id: int, round_: int, slot: int, author: int) -> str:
    return f"checkin-invite:{couple_id}:{round_}:{slot}:{author}"


def intimacy_offer_key(user_id: int, couple_id: int) -> str:
    return f"intimacy-offer:{user_id}:{couple_id}"


def intimacy_step_key(user_id: int, couple_id: int, step: int) -> str:
    return f"intimacy:{user_id}:{couple_id}:{step}"


def intimacy_on_key(couple_id: int, at: int) -> str:
    return f"intimacy-on:{couple_id}:{at}"


def intimacy_off_key(couple_id: int, at: int) -> str:
    return f"intimacy-off:{couple_id}:{at}"


def part_key(key: str, part: int) -> str:
    """The key of a long message's ``part``-th row (2, 3, ...): ``<key>#2``."""
    return f"{key}#{part}"


def reply_key(update_id: int, n: int) -> str:
    """A handler's ``n``-th reply to one update (1, 2, ...), queued in webhook mode."""
    return f"reply:{update_id}:{n}"
