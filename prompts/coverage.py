"""How complete a translation of the content library is: ``python -m prompts.coverage de``.

The loader falls back to English item by item, so a half-translated library still runs; this
names every field a language still lacks, and ``tests/content`` requires none for a shipped one.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from prompts.loader import CONTENT_DIR, FALLBACK, ContentError, load_library, read_toml

FILES = (
    "days.toml", "alternates.toml", "intimacy.toml", "retired.toml",
    "tips.toml", "topics.toml", "checkin.toml", "recaps.toml",
)  # fmt: skip
# The fields that carry words a reader sees; everything else is structure (ids, days, tags).
WORDS = frozenset(
    {"text", "follow_up", "no_touch", "safety", "label", "description",
     "title", "intro", "few", "reflection", "quiet", "quiet_reflection"}
)  # fmt: skip


def languages(root: Path = CONTENT_DIR) -> list[str]:
    """The translations present: every folder beside ``en`` that holds content files."""
    return sorted(
        p.name
        for p in root.iterdir()
        if p.is_dir() and p.name != FALLBACK and any(p.glob("*.toml"))
    )


def _key(raw: dict[str, Any]) -> str:
    return str(raw.get("id", raw.get("phase", "")))


def untranslated(lang: str, root: Path = CONTENT_DIR) -> list[str]:
    """``file: section id.field`` for every English field with words that ``lang`` lacks."""
    out: list[str] = []
    for name in FILES:
        english = read_toml(root / FALLBACK / name)
        path = root / lang / name
        translated = read_toml(path) if path.exists() else {}
        for section, items in english.items():
            have = {_key(raw): raw for raw in translated.get(section, [])}
            for item in items:
                done = have.get(_key(item), {})
                out += [
                    f"{name}: {section} {_key(item)}.{field}"
                    for field in sorted(WORDS & item.keys())
                    if not str(done.get(field, "")).strip()
                ]
    return out


def main(argv: list[str]) -> int:
    langs = argv or languages()
    failed = False
    for lang in langs:
        try:
            load_library(lang)
        except ContentError as exc:
            print(f"{lang}: {exc}")
            failed = True
            continue
        gaps = untranslated(lang)
        print(f"{lang}: {len(gaps)} fields untranslated")
        for gap in gaps:
            print(f"  {gap}")
        failed = failed or bool(gaps)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
