"""No token in any log line or traceback; no partner's words in the log at any level."""

from __future__ import annotations

import io
import logging
import sys

import pytest
from telegram import Chat, Message, Update, User

from bot.logs import REDACTED, RedactingFormatter, describe, redact

SECRET = "777000:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsecret"


@pytest.fixture(autouse=True)
def secret() -> None:
    redact([SECRET])


def raise_with_token() -> None:
    url = f"https://api.telegram.org/bot{SECRET}/getMe"
    raise RuntimeError(f"The token `{SECRET}` was rejected calling {url}")


def test_a_traceback_carrying_the_token_is_redacted_in_the_record(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = logging.getLogger("couplet.test")
    try:
        raise_with_token()
    except RuntimeError:
        log.exception("start-up failed for %s", SECRET)
    assert "Traceback" in caplog.text and "RuntimeError" in caplog.text
    assert SECRET not in caplog.text and REDACTED in caplog.text
    (record,) = caplog.records
    assert record.exc_text is not None and SECRET not in record.exc_text


def test_the_formatter_redacts_a_traceback_however_the_record_was_made() -> None:
    try:
        raise_with_token()
    except RuntimeError:
        exc_info = sys.exc_info()
    # Built by hand, past the record factory: only the formatter stands in the way.
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed: %s", (SECRET,), exc_info)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(RedactingFormatter("%(levelname)s %(message)s"))
    handler.handle(record)
    text = out.getvalue()
    assert "Traceback" in text and text.count(REDACTED) >= 3
    assert SECRET not in text
    assert "777000:AAH" not in text  # not even a prefix of it


def test_an_uncaught_exception_prints_without_the_token(capsys: pytest.CaptureFixture) -> None:
    try:
        raise_with_token()
    except RuntimeError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    err = capsys.readouterr().err
    assert "Traceback" in err and SECRET not in err and REDACTED in err


def test_telegram_objects_and_bodies_are_logged_as_ids_kinds_and_lengths(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    words = "I loved the way you laughed"
    message = Message(
        42,
        None,
        Chat(1001, "private"),
        from_user=User(1001, "Alex", False),
        text=words,  # type: ignore[arg-type]
    )
    logging.getLogger("telegram.ext.Application").debug("Processing update %s", Update(7, message))
    logging.getLogger("telegram.Bot").debug(
        "Calling Bot API endpoint `%s` with parameters `%s`",
        "sendMessage",
        {"chat_id": 1002, "text": words, "parse_mode": "HTML"},
    )
    logging.getLogger("telegram.request").error('Can not load invalid JSON data: "%s"', words)
    assert words not in caplog.text
    assert "sendMessage" in caplog.text and "chat_id: 1002" in caplog.text
    assert f"text: <{len(words)} chars>" in caplog.text and "parse_mode: HTML" in caplog.text
    assert "update_id: 7" in caplog.text and "message_id: 42" in caplog.text


def test_describe_keeps_numbers_and_kinds_and_hides_words() -> None:
    text = describe(
        {
            "ok": True,
            "result": [
                {"update_id": 3, "message": {"voice": {"file_id": "abc"}, "caption": "hi you"}}
            ],
        }
    )
    assert "update_id: 3" in text and "voice" in text and "caption: <6 chars>" in text
    assert "hi you" not in text and "abc" not in text
    many = describe(list(range(25)))
    assert "… 15 more" in many
