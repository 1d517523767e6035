"""The message catalogue in every shipped language: complete, the same placeholders as English,
Telegram HTML that parses with hostile values, plural forms complete; and the English fallback
for a single missing string."""

from __future__ import annotations

import logging
import string
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from bot import i18n, texts
from bot.catalogue import template
from bot.i18n import Msg, Plural
from fakebot.html import parse_html

HOSTILE = '<b>Kim & "Sam"</b>'
TRANSLATED = [lang for lang in i18n.shipped() if lang != i18n.DEFAULT]


# Every CLDR plural category of the shipped languages: Spanish and Portuguese have a "many" form
# that only whole millions take ("1000000 de días").
SAMPLE_COUNTS = (0, 1, 2, 3, 5, 11, 21, 22, 25, 101, 111, 1_000_000)


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def _forms(language: str, entry: Msg | Plural) -> list[str]:
    """What a reader sees for ``entry``, straight from the .po (every plural form)."""
    catalog = i18n.read_catalog(language)
    msgid = entry.source if isinstance(entry, Msg) else (entry.singular, entry.plural)
    found = catalog.get(msgid, context=entry.context)
    assert found is not None and not found.fuzzy, f"{language}: {entry.context} not translated"
    strings = [found.string] if isinstance(found.string, str) else list(found.string)
    assert all(strings), f"{language}: {entry.context} has an empty form"
    return strings


def test_russian_and_english_ship() -> None:
    assert {"en", "ru"} <= set(i18n.shipped())


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_entry_translated_with_the_english_placeholders(language: str) -> None:
    for entry in texts.CATALOGUE:
        english = entry.source if isinstance(entry, Msg) else entry.plural
        for form in _forms(language, entry):
            assert _fields(form) == _fields(english), f"{language}: {entry.context}: {form!r}"
    assert i18n.missing(language, texts.CATALOGUE) == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_translation_is_telegram_html_and_escapes_its_values(language: str) -> None:
    for entry in texts.CATALOGUE:
        for form in _forms(language, entry):
            fields = _fields(form)
            rendered = form.format(**{f: texts.esc(HOSTILE) for f in fields})
            try:
                plain = parse_html(rendered)  # raises on tags Telegram rejects or unbalanced ones
            except ValueError as exc:
                raise AssertionError(f"{language}: {entry.context}: {exc}") from None
            if fields - {"n"}:
                assert HOSTILE in plain, f"{language}: {entry.context}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_plural_forms_complete_and_chosen_by_the_language_rules(language: str) -> None:
    locale = Locale.parse(language, sep="-")
    plurals = [e for e in texts.CATALOGUE if isinstance(e, Plural)]
    assert plurals, "the catalogue has plural entries"
    for entry in plurals:
        forms = _forms(language, entry)
        assert len(forms) == i18n.read_catalog(language).num_plurals, entry.context
        assert len(set(forms)) == len(forms), f"{language}: {entry.context}: repeated forms"
        # every CLDR category the language uses is reachable and shows the number
        for n in SAMPLE_COUNTS:
            with i18n.use(language):
                text = entry.format(n=n)
            assert str(n) in text and text in [f.format(n=n) for f in forms]
    assert len({locale.plural_form(n) for n in [*range(200), *SAMPLE_COUNTS]}) == len(forms)


def test_russian_days_are_counted_the_russian_way() -> None:
    with i18n.use("ru"):
        counted = [texts.DAYS_COUNT.format(n=n) for n in (1, 2, 5, 11, 21, 22, 25)]
    assert counted == ["1 день", "2 дня", "5 дней", "11 дней", "21 день", "22 дня", "25 дней"]
    with i18n.use("en"):
        assert [texts.DAYS_COUNT.format(n=n) for n in (1, 2)] == ["1 day", "2 days"]


def test_the_template_is_in_step_with_the_texts() -> None:
    """bot/locales/messages.pot is what translators and Weblate read: `make messages` after an
    edit to bot/texts.py keeps it (and every .po) current."""
    fresh = {(m.context, m.id) for m in template() if m.id}
    on_disk = {(m.context, m.id) for m in i18n.read_template() if m.id}
    assert fresh == on_disk, "run `make messages`"


def test_one_missing_string_falls_back_to_english_and_is_named_at_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # a catalogue that translates every entry but one (and has one more only as a fuzzy guess)
    russian = i18n.read_catalog("ru")
    partial = Catalog(locale="ru")
    for message in russian:
        if message.id and message.context not in ("NOT_PAIRED", "CANCELLED"):
            partial.add(message.id, message.string, context=message.context)
    partial.add(texts.CANCELLED.source, "Ладно", context="CANCELLED", flags=("fuzzy",))
    folder = tmp_path / "ru" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.po").open("wb") as fh:
        write_po(fh, partial)
    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    i18n.translations.cache_clear()
    try:
        with i18n.use("ru"):
            assert str(texts.NOT_PAIRED) == texts.NOT_PAIRED.source  # English, this one alone
            assert str(texts.CANCELLED) == texts.CANCELLED.source  # a fuzzy guess is not used
            assert str(texts.UNPAIRED).startswith("Пара завершена")
        with caplog.at_level(logging.WARNING, logger="bot.i18n"):
            i18n.log_missing()
    finally:
        i18n.translations.cache_clear()
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("catalogue")]
    assert len(lines) == 1 and "ru" in lines[0]
    assert "NOT_PAIRED" in lines[0] and "CANCELLED" in lines[0] and "UNPAIRED" not in lines[0]


@pytest.mark.parametrize(
    ("code", "language"),
    [("ru", "ru"), ("ru-RU", "ru"), ("RU", "ru"), ("en-GB", "en"), ("xx", "en"), (None, "en"),
     ("", "en")],
)  # fmt: skip
def test_telegram_language_codes_map_to_a_shipped_language(code: str | None, language: str) -> None:
    assert i18n.resolve(code) == language


def test_portuguese_variants_map_to_brazilian_once_it_ships(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(i18n, "shipped", lambda: ["en", "ru", "pt-BR"])
    assert [i18n.resolve(c) for c in ("pt-br", "pt", "pt-PT", "pt_BR")] == ["pt-BR"] * 4
    assert i18n.telegram_code("pt-BR") == "pt"


def test_dates_in_the_readers_locale() -> None:
    instant = datetime(2026, 12, 8, 19, 14, tzinfo=UTC)
    berlin = ZoneInfo("Europe/Berlin")
    assert i18n.format_instant(instant, berlin, "ru") == "вт, 8 дек., 20:14"
    assert i18n.format_instant(instant, berlin, "en") == "Tue, Dec 8, 20:14"
    assert i18n.format_instant(instant, berlin, "de") == "Di., 8. Dez., 20:14"
    assert i18n.format_instant(instant, berlin, "es") == "mar, 8 dic, 20:14"


def test_ukrainian_days_are_counted_the_ukrainian_way() -> None:
    with i18n.use("uk"):
        counted = [texts.DAYS_COUNT.format(n=n) for n in (1, 2, 5, 11, 21, 22)]
    assert counted == ["1 день", "2 дні", "5 днів", "11 днів", "21 день", "22 дні"]
