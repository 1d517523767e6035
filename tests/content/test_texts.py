"""Every message in bot/texts.py: valid Telegram HTML with hostile values, and /help and the
command menu in step with the commands the bot really handles."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator

from telegram.ext import Application, CommandHandler

from bot import texts
from bot.handlers import register
from bot.i18n import Msg
from fakebot.html import parse_html
from prompts.loader import load_library

HOSTILE = '<b>Kim & "Sam"</b>'


def _constants() -> Iterator[tuple[str, str]]:
    """The English source of every catalogue entry (each plural form on its own)."""
    for entry in texts.CATALOGUE:
        if isinstance(entry, Msg):
            yield entry.context, entry.source
        else:
            yield f"{entry.context}[one]", entry.singular
            yield f"{entry.context}[other]", entry.plural


CONSTANTS = dict(_constants())


def test_every_text_is_valid_html_with_escaped_values() -> None:
    checked = 0
    for name, template in CONSTANTS.items():
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        rendered = template.format(**{f: texts.esc(HOSTILE) for f in fields})
        try:
            plain = parse_html(rendered)  # raises on anything Telegram would reject
        except ValueError as exc:
            raise AssertionError(f"texts.{name}: {exc}") from None
        if fields:  # the value arrives as the user wrote it, not as markup
            assert HOSTILE in plain, name
        checked += 1
    assert checked > 150  # really walked the module


def _registered_commands() -> set[str]:
    app = Application.builder().token("123:TEST").build()
    register(app)
    return {
        command
        for handlers in app.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }


def _commands_in(text: str) -> set[str]:
    return set(re.findall(r"(?<![<\w])/([a-z_]+)", text))


def test_help_and_the_menu_cover_the_commands_the_bot_handles() -> None:
    registered = _registered_commands()
    in_help = _commands_in(str(texts.HELP_ALL))
    assert in_help == registered - {"help"}, in_help ^ registered
    essentials = _commands_in(str(texts.HELP))
    assert essentials < in_help and {"start", "today", "safety"} <= essentials
    assert len(str(texts.HELP).splitlines()) < len(str(texts.HELP_ALL).splitlines()) / 2
    menu = [command for command, _ in texts.COMMANDS]
    assert len(menu) == len(set(menu)) and set(menu) <= registered
    assert {"tip", "swap", "checkin", "intimacy", "safety"} <= set(menu)
    for command, description in texts.COMMANDS:  # Telegram's limits for setMyCommands
        assert re.fullmatch(r"[a-z0-9_]{1,32}", command)
        assert 1 <= len(str(description)) <= 256 and "<" not in str(description)


def test_the_check_in_offer_counts_the_real_questions() -> None:
    words = ["five", "six", "seven", "eight"]
    count = len(load_library().checkin)
    for text in (
        str(texts.CHECKIN_OFFER),
        str(texts.CHECKIN_OFFER_AGAIN),
        str(texts.CHECKIN_OFFER_LAST),
    ):
        named = [w for w in words if w in text.lower()]
        assert named in ([], [words[count - 5]]), text


def test_nothing_presents_itself_as_therapy() -> None:
    claims = re.compile(r"\b(our|my) (therapy|therapist|treatment)|\bI am a (therapist|counsellor)")
    for name, text in CONSTANTS.items():
        assert not claims.search(text), name
    assert "not therapy" in str(texts.SAFETY)


def test_messages_that_end_something_are_kind_and_say_where_to_turn() -> None:
    for text in (str(texts.UNPAIRED_PARTNER), str(texts.DELETED_PARTNER)):
        assert "/safety" in text and "gently" in text and "/start" in text
    assert "someone else" not in str(texts.INVITE_PROBLEMS["inviter_paired"])
    assert "can't be used" in str(texts.INVITE_PROBLEMS["inviter_paired"])
    assert "{partner}" in str(texts.SWAP_REFUSED["answered_partner"])
    assert "{partner}" in str(texts.EDIT_TOO_LATE) and "stays with you" not in str(
        texts.EDIT_TOO_LATE
    )
