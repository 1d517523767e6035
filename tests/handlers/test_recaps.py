"""Phase recaps are the couple's own: the days they revealed, in order, a short line from each of
them, one question; a kind word, never a score, when they revealed little or nothing."""

from __future__ import annotations

import re

from bot import texts
from tests.conftest import ALEX, SAM
from tests.handlers.flow import pair_and_start
from tests.handlers.test_content_features import next_day
from tests.harness import Harness

LONG = (
    "I liked that you asked about my day before telling me about yours, and that you waited "
    "for the whole story instead of jumping in with advice halfway through, which is new"
)


def recaps(h: Harness, user: int) -> list[str]:
    return [t for t in h.texts(user) if "To reflect on together" in t]


def html(text: str) -> str:
    return texts.esc(text)


async def test_the_recap_quotes_both_answers_of_each_revealed_day_in_order(h: Harness) -> None:
    library = h.couplet.library
    await pair_and_start(h, ALEX, SAM)
    for day in range(1, 11):
        if day == 4:  # a day neither of them got round to
            await next_day(h)
            continue
        await h.say(ALEX, LONG if day == 2 else f"alex\non day {day}")
        if day == 6:
            h.tg.send_voice(SAM, file_id="voice-6")
            await h.pump()
        else:
            await h.say(SAM, f"sam & {day}")
        if day < 10:
            await next_day(h)
    # day 10 revealed: the recap follows the reveal, the same evening
    (alex,) = recaps(h, ALEX)
    (sam,) = recaps(h, SAM)
    recap = library.recaps[1]
    assert alex.startswith(f"<b>{recap.title}</b>\n{html(recap.intro)}")
    assert alex.endswith(html(recap.reflection))
    days = [int(d) for d in re.findall(r"<b>Day (\d+)</b>", alex)]
    assert days == [1, 2, 3, 5, 6, 7, 8, 9, 10]  # every revealed day, in order, none other
    assert "<b>You:</b> “alex on day 7”" in alex and "<b>Sam:</b> “sam &amp; 7”" in alex
    assert "<b>You:</b> “sam &amp; 7”" in sam and "<b>Alex:</b> “alex on day 7”" in sam
    assert "<b>Sam:</b> 🎙 voice note" in alex  # a voice note is named, never quoted
    quoted = re.search(r"<b>Day 2</b>.*\n<b>You:</b> “(.+)”", alex)
    assert quoted and quoted.group(1).endswith("…") and len(quoted.group(1)) <= 90
    assert LONG.startswith(quoted.group(1)[:-1])  # clipped at a word, not rewritten
    first = library.prompt("d01-conversation")
    assert first is not None and html(first.text[:40]) in alex  # each day names its prompt
    assert not re.search(r"\bof 10\b|revealed \d", alex)  # no score
    # the recap went out once, though the scheduler builds it again before day 11
    await next_day(h)
    assert len(recaps(h, ALEX)) == 1 and len(recaps(h, SAM)) == 1


async def test_few_or_no_revealed_days_get_a_kind_recap_without_a_count(h: Harness) -> None:
    library = h.couplet.library
    await pair_and_start(h, ALEX, SAM)
    for day in range(1, 21):
        if day == 3:
            await h.say(ALEX, "a quiet yes")
            await h.say(SAM, "me too")
        await next_day(h)
    # phase 1: one day revealed; phase 2: none. Each recap came before the next phase began.
    few, quiet = recaps(h, ALEX)
    assert html(library.recaps[1].few) in few and html(library.recaps[1].intro) not in few
    assert re.findall(r"<b>Day (\d+)</b>", few) == ["3"] and "“a quiet yes”" in few
    assert quiet == texts.RECAP_QUIET.format(
        title=html(library.recaps[2].title),
        quiet=html(library.recaps[2].quiet),
        reflection=html(library.recaps[2].quiet_reflection),
    )
    for text in (few, quiet):
        assert not re.search(r"\d+ of \d+|revealed|missed", text), text
    # day 21 opens the conflict phase with its safety line, in the prompt and in /today
    await h.say(SAM, "/today")
    today = h.last_text(SAM)
    assert "Day 21 of 30" in today and "🛟" in today and "/safety" in today
