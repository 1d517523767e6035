"""Loading: translations fall back to English per item; malformed files name file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from prompts.loader import CONTENT_DIR, ContentError, load_library
from prompts.schema import Category


def _copy_english(tmp_path: Path) -> Path:
    shutil.copytree(CONTENT_DIR / "en", tmp_path / "en")
    return tmp_path


def test_a_translation_folder_overrides_by_id_and_falls_back_to_english(tmp_path: Path) -> None:
    root = _copy_english(tmp_path)
    (root / "xx").mkdir()
    (root / "xx" / "days.toml").write_text(
        '[[prompt]]\nid = "d01-conversation"\nday = 1\ncategory = "conversation"\ndepth = 1\n'
        'text = "Tag eins. Warum habt ihr euch auf dreißig Tage eingelassen?"\n',
        encoding="utf-8",
    )
    (root / "xx" / "tips.toml").write_text(  # only the words: everything else is English
        '[[tip]]\nid = "tip-reflect-back"\n'
        'text = "Wiederhole in eigenen Worten, was du gehört hast, bevor du antwortest."\n',
        encoding="utf-8",
    )
    (root / "xx" / "topics.toml").write_text(  # one topic label, no barriers: English for the rest
        '[[topic]]\nid = "stress"\nlabel = "Stress"\ndescription = "Wenn der Alltag drückt."\n',
        encoding="utf-8",
    )
    english, translated = load_library("en", root), load_library("xx", root)
    assert translated.core[(1, Category.CONVERSATION)].text.startswith("Tag eins")
    assert translated.core[(1, Category.APPRECIATION)] == english.core[(1, Category.APPRECIATION)]
    assert translated.alternates == english.alternates  # no alternates.toml in xx: all English
    assert len(translated.core) == len(english.core)
    assert translated.prompt("d01-conversation") == translated.core[(1, Category.CONVERSATION)]
    tips = {t.id: t for t in translated.tips}
    assert tips["tip-reflect-back"].text.startswith("Wiederhole")
    english_tip = next(t for t in english.tips if t.id == "tip-reflect-back")
    assert (tips["tip-reflect-back"].topics, tips["tip-reflect-back"].phases) == (
        english_tip.topics,
        english_tip.phases,
    )
    assert [t.id for t in translated.tips] == [t.id for t in english.tips]
    assert translated.checkin == english.checkin
    # topics.toml falls back per item too: every topic and barrier keeps a label
    assert translated.topics["stress"].description == "Wenn der Alltag drückt."
    assert translated.topics.keys() == english.topics.keys()
    assert translated.topics["conflict"] == english.topics["conflict"]
    assert translated.barriers == english.barriers


@pytest.mark.parametrize(
    ("name", "item", "message"),
    [
        ("days.toml", 'id = "d01-conversation"\nday = 2\ntext = "Tag eins, oder?"',
         r"prompt\[0\] \(id=d01-conversation\)\.day: must match English"),
        ("tips.toml", 'id = "tip-reflect-back"\nphases = [2]',
         r"tip\[0\] \(id=tip-reflect-back\)\.phases: must match English"),
        ("checkin.toml", 'id = "q-stress"\nhelp_sign = true',
         r"question\[0\] \(id=q-stress\)\.help_sign: must match English"),
        ("days.toml", 'id = "d12-affection"\nsurprise = false',
         r"prompt\[0\] \(id=d12-affection\)\.surprise: must match English"),
        ("days.toml", 'id = "d01-conversaton"\ntext = "Tippfehler in der ID."',
         r"prompt\[0\] \(id=d01-conversaton\): no English item has this id"),
        ("days.toml", 'id = "d01-conversation"\ntext = "kurz"',
         r"days\.toml: prompt\[0\] \(id=d01-conversation\)\.text: String should have"),
    ],
)  # fmt: skip
def test_a_translation_changes_words_never_structure(
    tmp_path: Path, name: str, item: str, message: str
) -> None:
    root = _copy_english(tmp_path)
    (root / "xx").mkdir()
    table = {"days.toml": "prompt", "tips.toml": "tip", "checkin.toml": "question"}[name]
    (root / "xx" / name).write_text(f"[[{table}]]\n{item}\n", encoding="utf-8")
    with pytest.raises(ContentError, match=message) as caught:
        load_library("xx", root)
    assert str(root / "xx" / name) in str(caught.value)


def test_an_unknown_language_is_all_english(tmp_path: Path) -> None:
    root = _copy_english(tmp_path)
    assert load_library("zz", root).core == load_library("en", root).core


def _break(root: Path, name: str, old: str, new: str) -> None:
    path = root / "en" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "old", "new", "where"),
    [
        ("days.toml", 'category = "conversation"', 'category = "gossip"', "category"),
        ("days.toml", "depth = 1", "depth = 7", "depth"),
        ("tips.toml", 'topics = ["communication"]', 'topics = ["astrology"]', "topics"),
        ("tips.toml", "phases = [1, 3]", "phases = [1, 4]", "phases"),
        ("checkin.toml", 'area = "misunderstandings"', 'area = "moods"', "area"),
        ("topics.toml", 'id = "past-hurt"', 'id = "old-wounds"', "barrier"),
        ("days.toml", "see /safety.", "see the safety page.", "must name /safety"),
    ],
)
def test_a_malformed_file_names_the_file_and_the_field(
    tmp_path: Path, name: str, old: str, new: str, where: str
) -> None:
    root = _copy_english(tmp_path)
    _break(root, name, old, new)
    with pytest.raises(ContentError) as caught:
        load_library("en", root)
    message = str(caught.value)
    assert name in message and where in message


def test_a_prompt_over_400_characters_is_rejected_with_its_id(tmp_path: Path) -> None:
    root = _copy_english(tmp_path)
    _break(root, "days.toml", 'text = "Day one.', 'text = "' + "x" * 400 + " Day one.")
    with pytest.raises(
        ContentError, match=r"days\.toml: prompt\[0\] \(id=d01-conversation\)\.text"
    ):
        load_library("en", root)


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        # a second prompt for a day and category would silently replace the first
        ("days.toml", 'day = 1\ncategory = "appreciation"', 'day = 1\ncategory = "conversation"',
         r"days\.toml: prompts 'd01-conversation' and 'd01-appreciation' are both day 1"),
        ("alternates.toml", "day = 1\n", "step = 1\n",
         r"alternates\.toml: prompt 'a01-conversation' needs a 'day'"),
        ("retired.toml", "day = 14\n", "step = 14\n",
         r"retired\.toml: prompt 'd14-conversation' needs the 'day' it had"),
        ("retired.toml", 'id = "d14-conversation"', 'id = "d14-conversation-2"',
         r"prompt id 'd14-conversation-2' is used twice"),
        ("intimacy.toml", "step = 2", "day = 2",
         r"intimacy\.toml: prompt 'i02' needs a 'step'"),
        ("intimacy.toml", "step = 2", "step = 1",
         r"intimacy\.toml: prompts 'i01' and 'i02' are both step 1"),
        ("tips.toml", 'id = "tip-listen-or-ideas"', 'id = "tip-reflect-back"',
         r"tips\.toml: tip id 'tip-reflect-back' is used twice"),
        ("checkin.toml", '"tip-stress-number"', '"tip-stres-number"',
         r"checkin\.toml: question 'q-stress': no tip with id 'tip-stres-number'"),
    ],
)  # fmt: skip
def test_content_that_would_vanish_or_dangle_stops_loading(
    tmp_path: Path, name: str, old: str, new: str, message: str
) -> None:
    root = _copy_english(tmp_path)
    _break(root, name, old, new)
    with pytest.raises(ContentError, match=message):
        load_library("en", root)


def test_broken_toml_and_missing_files_are_content_errors(tmp_path: Path) -> None:
    root = _copy_english(tmp_path)
    (root / "en" / "recaps.toml").write_text("[[recap]\nphase = ", encoding="utf-8")
    with pytest.raises(ContentError, match=r"recaps\.toml: not valid TOML"):
        load_library("en", root)
    (root / "en" / "recaps.toml").unlink()
    with pytest.raises(ContentError, match=r"recaps\.toml: file is missing"):
        load_library("en", root)
