"""Load and validate the content library; fall back to English item by item."""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from prompts.schema import (
    Category,
    CheckinFile,
    CheckinQuestion,
    Prompt,
    PromptFile,
    Recap,
    RecapFile,
    Tip,
    TipFile,
    TopicFile,
    TopicInfo,
)

CONTENT_DIR = Path(__file__).parent
FALLBACK = "en"

M = TypeVar("M", bound=BaseModel)


class ContentError(Exception):
    """A content file is missing or malformed. The message names the file and the field."""


@dataclass(frozen=True)
class Library:
    core: dict[tuple[int, Category], Prompt]
    alternates: dict[tuple[int, Category], Prompt]
    intimacy: dict[int, Prompt]
    tips: list[Tip]
    topics: dict[str, TopicInfo]
    barriers: dict[str, str]
    checkin: list[CheckinQuestion]
    recaps: dict[int, Recap]
    by_id: dict[str, Prompt] = field(default_factory=dict)
    # Prompts no longer sent (reworded into a new id, or moved): a day already answered with one
    # keeps its question in /history and its reveal. Never candidates, never a swap.
    retired: dict[str, Prompt] = field(default_factory=dict)

    def prompt(self, prompt_id: str) -> Prompt | None:
        return self.by_id.get(prompt_id)

    @cached_property
    def tips_by_id(self) -> dict[str, Tip]:
        return {t.id: t for t in self.tips}

    @cached_property
    def checkin_by_id(self) -> dict[str, CheckinQuestion]:
        return {q.id: q for q in self.checkin}


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentError(f"{path}: file is missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{path}: not valid TOML: {exc}") from None


def _read(path: Path, model: type[M]) -> M:
    data = read_toml(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = _field_path(data, err["loc"])
        raise ContentError(f"{path}: {where}: {err['msg']}") from None


def _field_path(data: dict[str, Any], loc: tuple[Any, ...]) -> str:
    """``('prompt', 3, 'text')`` → ``prompt[3] (id=d04-affection).text``."""
    parts: list[str] = []
    node: Any = data
    for step in loc:
        if isinstance(step, int):
            parts[-1] += f"[{step}]"
            node = node[step] if isinstance(node, list) and step < len(node) else None
            if isinstance(node, dict) and "id" in node:
                parts[-1] += f" (id={node['id']})"
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts) or "file"


# Fields that shape the arc and the rules. A translation may leave them out (they come from the
# English item), but if it gives one, it must match: a translation changes words, never structure.
STRUCTURE = frozenset(
    {"day", "step", "category", "depth", "topics", "barriers", "phases", "area", "topic",
     "help_sign", "safety_sign", "surprise", "phase", "tips"}
)  # fmt: skip


def _merged(lang: str, name: str, model: type[M], root: Path) -> M:
    """The English file, each item replaced field by field by the translated item with its id.

    A translated item needs only its id (recaps: its phase) and the fields it translates; every
    other field comes from English, and items a translation lacks stay English. An id English does
    not have, or a structural field that differs from English, stops loading with the file named.
    """
    english = _read(root / FALLBACK / name, model)
    for list_name in model.model_fields:
        keys = Counter(_key(item) for item in getattr(english, list_name))
        twice = [k for k, n in keys.items() if n > 1]
        if twice:
            raise ContentError(
                f"{root / FALLBACK / name}: {list_name} id {twice[0]!r} is used twice"
            )
    path = root / lang / name
    if lang == FALLBACK or not path.exists():
        return english
    data = read_toml(path)
    merged: dict[str, list[Any]] = {}
    for list_name in model.model_fields:
        base: list[Any] = getattr(english, list_name)
        dumped = {_key(item): item.model_dump(mode="json") for item in base}
        translated = data.get(list_name, [])
        if not isinstance(translated, list):
            raise ContentError(f"{path}: {list_name}: expected a list of items")
        overrides: dict[str, dict[str, Any]] = {}
        for index, raw in enumerate(translated):
            where = f"{path}: {list_name}[{index}]"
            if not isinstance(raw, dict):
                raise ContentError(f"{where}: expected a table")
            key = str(raw.get("id", raw.get("phase", "")))
            original = dumped.get(key)
            if original is None:
                raise ContentError(f"{where} (id={key}): no English item has this id")
            if key in overrides:
                raise ContentError(f"{where} (id={key}): translated twice")
            for field_name in sorted(STRUCTURE & raw.keys()):
                if raw[field_name] != original.get(field_name):
                    raise ContentError(
                        f"{where} (id={key}).{field_name}: must match English "
                        f"({original.get(field_name)!r}); a translation changes only the words"
                    )
            overrides[key] = {**original, **raw}
        merged[list_name] = [overrides.get(k, v) for k, v in dumped.items()]
    unknown = sorted(set(data) - set(model.model_fields))
    if unknown:
        raise ContentError(f"{path}: {unknown[0]}: not a section of {name}")
    try:
        return model.model_validate(merged)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ContentError(f"{path}: {_field_path(merged, err['loc'])}: {err['msg']}") from None


def _key(item: Any) -> str:
    return str(getattr(item, "id", None) or getattr(item, "phase", ""))


def _by_day(prompts: list[Prompt], path: Path) -> dict[tuple[int, Category], Prompt]:
    """Day prompts by (day, category); a step prompt here or a second prompt for a slot is an
    error, not something to drop silently."""
    out: dict[tuple[int, Category], Prompt] = {}
    for prompt in prompts:
        if prompt.day is None:
            raise ContentError(
                f"{path}: prompt {prompt.id!r} needs a 'day' (steps belong in intimacy.toml)"
            )
        key = (prompt.day, prompt.category)
        if key in out:
            raise ContentError(
                f"{path}: prompts {out[key].id!r} and {prompt.id!r} are both day {prompt.day}, "
                f"{prompt.category.value}"
            )
        out[key] = prompt
    return out


def _by_step(prompts: list[Prompt], path: Path) -> dict[int, Prompt]:
    out: dict[int, Prompt] = {}
    for prompt in prompts:
        if prompt.step is None:
            raise ContentError(
                f"{path}: prompt {prompt.id!r} needs a 'step': intimacy prompts never have a day"
            )
        if prompt.step in out:
            first = out[prompt.step].id
            raise ContentError(
                f"{path}: prompts {first!r} and {prompt.id!r} are both step {prompt.step}"
            )
        out[prompt.step] = prompt
    return out


def load_library(lang: str = FALLBACK, root: Path = CONTENT_DIR) -> Library:
    core = _merged(lang, "days.toml", PromptFile, root).prompt
    alternates = _merged(lang, "alternates.toml", PromptFile, root).prompt
    intimacy = _merged(lang, "intimacy.toml", PromptFile, root).prompt
    retired = _merged(lang, "retired.toml", PromptFile, root).prompt
    topic_file = _merged(lang, "topics.toml", TopicFile, root)
    by_id: dict[str, Prompt] = {}
    for prompt in [*core, *alternates, *intimacy, *retired]:
        if prompt.id in by_id:
            raise ContentError(f"{root / FALLBACK}: prompt id {prompt.id!r} is used twice")
        by_id[prompt.id] = prompt
    for prompt in retired:
        if prompt.day is None:
            raise ContentError(
                f"{root / FALLBACK / 'retired.toml'}: prompt {prompt.id!r} needs the 'day' it had"
            )
    tips = _merged(lang, "tips.toml", TipFile, root).tip
    checkin = _merged(lang, "checkin.toml", CheckinFile, root).question
    tip_ids = {t.id for t in tips}
    for question in checkin:
        unknown = [i for i in question.tips if i not in tip_ids]
        if unknown:
            raise ContentError(
                f"{root / FALLBACK / 'checkin.toml'}: question {question.id!r}: "
                f"no tip with id {unknown[0]!r} in tips.toml"
            )
    return Library(
        # Structure always comes from English, so that is where a slot problem lies.
        core=_by_day(core, root / FALLBACK / "days.toml"),
        alternates=_by_day(alternates, root / FALLBACK / "alternates.toml"),
        intimacy=_by_step(intimacy, root / FALLBACK / "intimacy.toml"),
        tips=tips,
        topics={t.id.value: t for t in topic_file.topic},
        barriers={b.id.value: b.label for b in topic_file.barrier},
        checkin=checkin,
        recaps={r.phase: r for r in _merged(lang, "recaps.toml", RecapFile, root).recap},
        by_id=by_id,
        retired={p.id: p for p in retired},
    )
