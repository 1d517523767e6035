"""Lengths as Telegram counts them, and cutting Telegram HTML into parts that each fit."""

import random
import re

import pytest

from bot.telegram_html import MAX_TEXT, pack, split_html, utf16_units, visible_length
from fakebot.html import parse_html  # the fake's parser is the reference for "what is shown"

WS = re.compile(r"\s+")


def shown(html: str) -> str:
    return parse_html(html)


def assert_split_keeps_everything(original: str, parts: list[str], limit: int) -> None:
    """Every part is valid HTML within the limit, and together they show the whole original
    (cuts drop only whitespace)."""
    for part in parts:
        assert utf16_units(shown(part)) <= limit
        assert shown(part).strip()
    together = "".join(shown(p) for p in parts)
    assert WS.sub("", together) == WS.sub("", shown(original))


@pytest.mark.parametrize(
    ("html", "units"),
    [
        ("hello", 5),
        ("💞", 2),
        ("ж" * 10, 10),
        ("<b>bold</b> <i>it</i>", 7),
        ("&amp;&lt;&gt;&quot;", 4),
        ("&#128158;&#x1F49E;", 4),  # 💞 written as entities: still two units each
        ('<a href="https://e.org/?a=1&amp;b=2">link</a>', 4),  # an attribute is not shown
        ('<span class="tg-spoiler">s</span><tg-emoji emoji-id="5">👍</tg-emoji>', 3),
        ("", 0),
    ],
)
def test_visible_length_counts_utf16_units_after_parsing(html: str, units: int) -> None:
    assert visible_length(html) == units
    assert visible_length(html) == utf16_units(shown(html))


def test_visible_length_agrees_with_the_fake_on_random_html() -> None:
    rng = random.Random(8)
    pieces = ["a", "ж", "💞", " ", "\n", "&amp;", "&lt;", "&#128158;", "👩‍❤️‍👨", "é"]
    for _ in range(200):
        body = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        html = rng.choice(["{}", "<b>{}</b>", "<i>x{}</i> y", "<b><i>{}</i></b>"]).format(body)
        assert visible_length(html) == utf16_units(shown(html))


def test_what_fits_is_left_alone() -> None:
    for text in ("💞" * 2048, "ж" * 4096, "x" * 4096, "<b>" + "x" * 4096 + "</b>", "&amp;" * 4096):
        assert split_html(text) == [text]


@pytest.mark.parametrize(
    ("text", "sizes"),
    [
        ("💞" * 2049, [4096, 2]),
        ("x" * 4097, [4096, 1]),
        ("ж" * 10_000, [4096, 4096, 1808]),
        ("&amp;" * 4097, [4096, 1]),
        ("&#128158;" * 2049, [4096, 2]),
    ],
)
def test_too_long_without_a_space_is_cut_hard_never_inside_a_character_or_entity(
    text: str, sizes: list[int]
) -> None:
    parts = split_html(text)
    assert [visible_length(p) for p in parts] == sizes
    assert "".join(parts) == text  # nothing to drop: every cut is between two whole atoms
    assert_split_keeps_everything(text, parts, MAX_TEXT)


def test_cut_prefers_a_blank_line_then_a_newline_then_a_space() -> None:
    def text(*, blank: bool, line: bool) -> str:
        a = "a" * 2999 + ("\n\n" if blank else "  ")
        b = "b" * 499 + ("\n" if line else " ")
        return a + b + "c" * 499 + " " + "d" * 2000

    assert split_html(text(blank=True, line=True))[0] == "a" * 2999
    assert split_html(text(blank=False, line=True))[0].endswith("b" * 499)
    assert split_html(text(blank=False, line=False))[0].endswith("c" * 499)
    for variant in (text(blank=b, line=n) for b in (True, False) for n in (True, False)):
        assert_split_keeps_everything(variant, split_html(variant), MAX_TEXT)


def test_a_separator_early_in_the_part_is_not_worth_a_tiny_part() -> None:
    text = "a" * 100 + "\n\n" + "b" * 5000
    first, second = split_html(text)
    assert visible_length(first) == MAX_TEXT
    assert_split_keeps_everything(text, [first, second], MAX_TEXT)


def test_tags_open_at_a_cut_are_closed_and_reopened() -> None:
    text = 'Intro <b>bold <a href="https://e.org/?q=1&amp;r=2">' + "word " * 2000 + "</a></b> end"
    parts = split_html(text)
    assert len(parts) == 3
    for part in parts[1:]:
        assert part.startswith('<b><a href="https://e.org/?q=1&amp;r=2">')
    for part in parts[:-1]:
        assert part.endswith("</a></b>")
    assert parts[-1].endswith("</a></b> end")
    assert_split_keeps_everything(text, parts, MAX_TEXT)


def test_an_emoji_sequence_is_not_cut_apart() -> None:
    family = "👩‍❤️‍👨"  # woman, ZWJ, heart, VS16, ZWJ, man: one picture
    text = "x" * 4090 + family + "y" * 10
    first, second = split_html(text)
    assert first == "x" * 4090 and second.startswith(family)
    toned = "x" * 4093 + "👍🏽" + "y"  # a skin tone belongs to its hand
    assert split_html(toned)[1].startswith("👍🏽")


def test_the_first_part_can_have_its_own_budget() -> None:
    parts = split_html("w " * 3000, 4096, first=1000)
    assert visible_length(parts[0]) <= 1000 and visible_length(parts[1]) <= 4096
    assert_split_keeps_everything("w " * 3000, parts, 4096)


def test_random_texts_always_split_into_parts_that_fit_and_keep_everything() -> None:
    rng = random.Random(4096)
    pieces = ["word", " ", "\n", "\n\n", "💞", "ж", "&amp;", "<b>x</b>", "<i>y z</i>", "👍🏽"]
    for limit in (10, 50, 300):
        for _ in range(100):
            body = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 200)))
            text = rng.choice(["{}", "<b>{}</b>", "a <i>{}</i> b"]).format(body)
            if not shown(text).strip():
                continue
            assert_split_keeps_everything(text, split_html(text, limit), limit)


def test_pack_joins_sections_that_fit_into_one_message() -> None:
    assert pack(["<b>Head</b>", "one", "", "two"]) == ["<b>Head</b>\n\none\n\ntwo"]


def test_pack_starts_a_new_message_for_a_section_that_fits_one_on_its_own() -> None:
    head, answer, tail = "Head", "a " * 2000, "b " * 1500
    messages = pack([head, answer, tail])
    assert messages == [f"{head}\n\n{answer}", tail]


def test_pack_cuts_a_section_too_long_for_any_message_and_keeps_the_order() -> None:
    head, mine, theirs, follow = "<b>Head</b>", "💞" * 2048, "ж" * 4096, "<i>follow</i>"
    sections = [head, f"<b>You</b>\n{mine}", f"<b>Sam</b>\n{theirs}", follow]
    messages = pack(sections)
    assert all(visible_length(m) <= MAX_TEXT for m in messages)
    assert messages[0].startswith(f"{head}\n\n<b>You</b>\n💞")  # fills the head's message
    assert any("\n\n<b>Sam</b>\nж" in m for m in messages)
    assert messages[-1].endswith(follow)
    together = WS.sub("", "".join(shown(m) for m in messages))
    assert together == WS.sub("", "".join(shown(s) for s in sections))
