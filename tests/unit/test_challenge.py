from datetime import UTC, datetime, timedelta

from bot.core.challenge import (
    Delivered,
    Phase,
    answer_target,
    phase_of,
    progress_bar,
    recap_due_before,
    reveal_ready,
    streak,
)
from bot.core.pairing import Invite as CoreInvite
from bot.core.pairing import InviteProblem, check_invite, new_code

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
GRACE = timedelta(hours=12)


def test_phases_follow_the_ten_day_blocks() -> None:
    assert [phase_of(d) for d in (1, 10, 11, 20, 21, 30)] == [
        Phase.TRUST,
        Phase.TRUST,
        Phase.AFFECTION,
        Phase.AFFECTION,
        Phase.CONFLICT,
        Phase.CONFLICT,
    ]


def test_recap_comes_before_the_first_day_of_the_next_phase() -> None:
    assert recap_due_before(11) == Phase.TRUST
    assert recap_due_before(21) == Phase.AFFECTION
    assert recap_due_before(31) == Phase.CONFLICT
    assert recap_due_before(12) is None and recap_due_before(1) is None


def test_reveal_needs_both_partners() -> None:
    assert not reveal_ready([1], (1, 2))
    assert not reveal_ready([1, 3], (1, 2))
    assert reveal_ready([2, 1], (1, 2))


def test_answer_goes_to_the_newest_open_day() -> None:
    delivered = [
        Delivered(5, NOW - timedelta(hours=1)),
        Delivered(4, NOW - timedelta(days=1)),
    ]
    assert answer_target(delivered, now=NOW, grace=GRACE, revealed=set()) == 5


def test_revealed_newest_day_lets_the_previous_day_take_it_within_grace() -> None:
    delivered = [
        Delivered(5, NOW - timedelta(hours=1)),
        Delivered(4, NOW - timedelta(days=1)),
    ]
    assert answer_target(delivered, now=NOW, grace=GRACE, revealed={5}) == 4
    late = NOW + GRACE
    assert answer_target(delivered, now=late, grace=GRACE, revealed={5}) is None


def test_reply_to_an_old_prompt_targets_that_day_only_within_grace() -> None:
    delivered = [
        Delivered(5, NOW - timedelta(hours=1)),
        Delivered(4, NOW - timedelta(days=1)),
    ]
    assert answer_target(delivered, now=NOW, grace=GRACE, revealed=set(), reply_to_day=4) == 4
    assert (
        answer_target(delivered, now=NOW + GRACE, grace=GRACE, revealed=set(), reply_to_day=4)
        is None
    )
    assert answer_target(delivered, now=NOW, grace=GRACE, revealed={4}, reply_to_day=4) is None


def test_nothing_open_without_deliveries() -> None:
    assert answer_target([], now=NOW, grace=GRACE, revealed=set()) is None


def test_streak_counts_consecutive_revealed_days() -> None:
    assert streak([1, 2, 3, 5, 6], 6) == 2
    assert streak([1, 2, 3], 4) == 3  # today still open: yesterday's streak stands
    assert streak([1, 2], 5) == 0


def test_progress_bar_marks_revealed_open_and_ahead() -> None:
    bar = progress_bar(3, [1, 3])
    assert bar.split(" ")[0] == "●○●·······"
    assert len(bar.replace(" ", "")) == 30


def test_invite_rules() -> None:
    code = new_code()
    assert len(code) >= 16 and code != new_code()
    invite = CoreInvite(code, 1, NOW, NOW + timedelta(days=7))

    def check(user: int = 2, now: datetime = NOW, **kw: bool) -> InviteProblem | None:
        return check_invite(
            invite,
            user_id=user,
            now=now,
            user_paired=kw.get("me", False),
            inviter_paired=kw.get("them", False),
        )

    assert check() is None
    assert check(user=1) == InviteProblem.OWN
    assert check(now=NOW + timedelta(days=7)) == InviteProblem.EXPIRED
    assert check(me=True) == InviteProblem.YOU_PAIRED
    assert check(them=True) == InviteProblem.INVITER_PAIRED
    used = CoreInvite(code, 1, NOW, NOW + timedelta(days=7), used_at=NOW)
    assert (
        check_invite(used, user_id=2, now=NOW, user_paired=False, inviter_paired=False)
        == InviteProblem.USED
    )
    assert (
        check_invite(None, user_id=2, now=NOW, user_paired=False, inviter_paired=False)
        == InviteProblem.UNKNOWN
    )
