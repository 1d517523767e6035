"""Load and validate the content library; fall back to English item by item."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
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

    def prompt(self, prompt_id: str) -> Prompt | None:
        return self.by_id.get(prompt_id)


def _read(path: Path, model: type[M]) -> M:
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentError(f"{path}: file is missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{path}: not valid TOML: {exc}") from None
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


def _merged(lang: str, name: str, model: type[M], root: Path) -> list[M]:
    """The English items, each replaced by the translated item with the same id, if any."""
    base: list[Any] = _items(_read(root / FALLBACK / name, model))
    if lang == FALLBACK or not (root / lang / name).exists():
        return base
    translated = {_key(i): i for i in _items(_read(root / lang / name, model))}
    return [translated.get(_key(i), i) for i in base]


def _items(parsed: BaseModel) -> list[Any]:
    (value,) = [v for v in parsed.__dict__.values() if isinstance(v, list)][:1]
    return value


def _key(item: Any) -> str:
    return str(getattr(item, "id", None) or getattr(item, "phase", ""))


def load_library(lang: str = FALLBACK, root: Path = CONTENT_DIR) -> Library:
    core = _merged(lang, "days.toml", PromptFile, root)
    alternates = _merged(lang, "alternates.toml", PromptFile, root)
    intimacy = _merged(lang, "intimacy.toml", PromptFile, root)
    topic_file = _read(root / FALLBACK / "topics.toml", TopicFile)
    if lang != FALLBACK and (root / lang / "topics.toml").exists():
        topic_file = _read(root / lang / "topics.toml", TopicFile)
    by_id: dict[str, Prompt] = {}
    for prompt in [*core, *alternates, *intimacy]:
        if prompt.id in by_id:
            raise ContentError(f"{root / FALLBACK}: prompt id {prompt.id!r} is used twice")
        by_id[prompt.id] = prompt
    return Library(
        core={(p.day, p.category): p for p in core if p.day},
        alternates={(p.day, p.category): p for p in alternates if p.day},
        intimacy={p.step: p for p in intimacy if p.step},
        tips=_merged(lang, "tips.toml", TipFile, root),
        topics={t.id.value: t for t in topic_file.topic},
        barriers={b.id.value: b.label for b in topic_file.barrier},
        checkin=_merged(lang, "checkin.toml", CheckinFile, root),
        recaps={r.phase: r for r in _merged(lang, "recaps.toml", RecapFile, root)},
        by_id=by_id,
    )
