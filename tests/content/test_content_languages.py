"""The content library in every shipped language: complete, the same structure as English, and
each item rendered in its reader's words; the texts keyed by the flows' enums cover every member."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from bot import i18n, keyboards, texts
from bot.core.outcomes import NudgeReason, PartnerNews, SwapRefusal
from bot.core.pairing import InviteProblem
from bot.core.timeparse import parse_timezone
from bot.flows.messages import PARTNER_NEWS
from prompts.coverage import WORDS, languages, untranslated
from prompts.loader import CONTENT_DIR, load_library
from prompts.schema import Area, Category

TRANSLATED = [lang for lang in i18n.shipped() if lang != i18n.DEFAULT]
ENGLISH = load_library()


def test_every_shipped_language_has_its_content() -> None:
    assert set(TRANSLATED) == {"ru", "uk", "es", "de", "pt-BR"}
    assert set(languages()) == set(TRANSLATED)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_content_item_is_translated(language: str) -> None:
    assert untranslated(language) == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_translation_changes_the_words_and_keeps_the_arc(language: str) -> None:
    lib = i18n.library(language)
    assert lib.core.keys() == ENGLISH.core.keys()
    for (day, category), prompt in lib.core.items():
        english = ENGLISH.core[(day, category)]
        assert (prompt.id, prompt.depth, prompt.surprise) == (
            english.id, english.depth, english.surprise
        )  # fmt: skip
        assert prompt.text != english.text, f"{language}: {prompt.id} is still English"
        assert (prompt.safety is None) == (english.safety is None), prompt.id
        assert (prompt.no_touch is None) == (english.no_touch is None), prompt.id
    assert [t.id for t in lib.tips] == [t.id for t in ENGLISH.tips]
    assert [q.id for q in lib.checkin] == [q.id for q in ENGLISH.checkin]
    assert all("/safety" in p.safety for p in lib.by_id.values() if p.safety)


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_item_is_rendered_in_its_readers_words(language: str) -> None:
    prompt, tip, question = (
        ENGLISH.core[(1, Category.CONVERSATION)],
        ENGLISH.tips[0],
        ENGLISH.checkin[0],
    )
    lib = i18n.library(language)
    with i18n.use(language):
        assert i18n.localized(prompt).text == lib.core[(1, Category.CONVERSATION)].text
        assert i18n.localized(tip).text == lib.tips[0].text
        assert i18n.localized(question).text == lib.checkin[0].text
        assert i18n.localized(ENGLISH.recaps[2]).title == lib.recaps[2].title
        assert i18n.localized(ENGLISH.topics["trust"]).label == lib.topics["trust"].label
    assert i18n.localized(prompt, language) == lib.by_id[prompt.id]  # a language given outright
    with i18n.use("en"):
        assert i18n.localized(prompt) == prompt


def test_an_item_no_library_knows_renders_as_it_is() -> None:
    stranger = ENGLISH.core[(1, Category.CONVERSATION)].model_copy(update={"id": "not-shipped"})
    with i18n.use("ru"):
        assert i18n.localized(stranger) is stranger


def test_a_missing_field_is_named_and_falls_back_to_english_alone(tmp_path: Path) -> None:
    root = tmp_path / "prompts"
    shutil.copytree(CONTENT_DIR / "en", root / "en")
    shutil.copytree(CONTENT_DIR / "ru", root / "ru")
    days = root / "ru" / "days.toml"
    text = days.read_text(encoding="utf-8")
    # drop the follow-up of day 1's conversation prompt, and one whole tip
    head, rest = text.split('id = "d01-conversation"', 1)
    item, tail = rest.split("[[prompt]]", 1)
    item = "\n".join(line for line in item.splitlines() if not line.startswith("follow_up"))
    days.write_text(head + 'id = "d01-conversation"' + item + "\n\n[[prompt]]" + tail, "utf-8")
    (root / "ru" / "tips.toml").write_text("", encoding="utf-8")

    gaps = untranslated("ru", root)
    assert "days.toml: prompt d01-conversation.follow_up" in gaps
    assert "days.toml: prompt d01-conversation.text" not in gaps
    assert len([g for g in gaps if g.startswith("tips.toml")]) == len(ENGLISH.tips)
    lib = load_library("ru", root)
    english = ENGLISH.core[(1, Category.CONVERSATION)]
    assert lib.core[(1, Category.CONVERSATION)].follow_up == english.follow_up
    assert lib.core[(1, Category.CONVERSATION)].text != english.text
    assert lib.tips == ENGLISH.tips


def test_untranslated_content_is_named_at_start_up(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(
        i18n, "untranslated", lambda lang: ["tips.toml: tip x.text"] * (lang == "de")
    )
    i18n.content_gaps.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="bot.i18n"):
            i18n.log_missing()
    finally:
        i18n.content_gaps.cache_clear()
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("content")]
    assert lines == ["content de: 1 fields fall back to English: tips.toml: tip x.text"]


def test_the_word_fields_are_the_schemas_text_fields() -> None:
    """A new text field in the schema must be added to WORDS, or coverage would miss it."""
    from prompts import schema

    text_fields = {
        name
        for model in (schema.Prompt, schema.Tip, schema.TopicInfo, schema.BarrierInfo,
                      schema.CheckinQuestion, schema.Recap)
        for name, info in model.model_fields.items()
        if info.annotation in (str, str | None) and name != "id"
    }  # fmt: skip
    assert text_fields == WORDS


@pytest.mark.parametrize(
    ("mapping", "members"),
    [
        (texts.INVITE_PROBLEMS, set(InviteProblem)),
        (texts.SWAP_REFUSED, set(SwapRefusal)),
        (texts.NUDGE_REASONS, set(NudgeReason) - {NudgeReason.SENT, NudgeReason.ALREADY}),
        (texts.AREA_NAMES, set(Area)),
        (texts.CATEGORY_NAMES, set(Category)),
        (PARTNER_NEWS, set(PartnerNews)),
    ],
    ids=["invite", "swap", "nudge", "area", "category", "partner-news"],
)
def test_every_outcome_has_its_words(mapping: dict[object, i18n.Msg], members: set[object]) -> None:
    assert set(mapping) == members


@pytest.mark.parametrize("language", i18n.shipped())
def test_the_zone_picker_names_each_zone_in_the_readers_language(language: str) -> None:
    with i18n.use(language):
        rows = keyboards.pick_zone().inline_keyboard
    buttons = [b for row in rows for b in row]
    assert 10 <= len(buttons) <= keyboards.ZONE_PICKER_SIZE + 1 and buttons[-1].text == "UTC"
    for button in buttons:
        assert parse_timezone(button.callback_data.removeprefix("tz:")) is not None
    labels = [b.text for b in buttons]
    assert len(set(labels)) == len(labels)
    near = keyboards.NEAR_ZONES.get(language, [])
    assert [b.callback_data for b in buttons[: len(near)]] == [f"tz:{z}" for z in near]


def test_zone_labels_are_the_readers_city_names() -> None:
    assert keyboards.zone_label("Europe/Berlin", "ru") == "Берлин"
    assert keyboards.zone_label("America/New_York", "es") == "Nueva York"
    assert keyboards.zone_label("Asia/Kolkata", "de") == "Indien"  # a country, not "Kalkutta"
