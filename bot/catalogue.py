"""Keep the catalogues in step with bot/texts.py: ``python -m bot.catalogue`` (``make messages``).

Writes the template ``bot/locales/messages.pot`` from ``texts.CATALOGUE`` (each entry's name is
its ``msgctxt``, the English text its ``msgid``), then updates every language's ``messages.po``
against it the way ``pybabel update`` does: new entries come in empty, changed English marks a
translation fuzzy (shown in English until a translator confirms it), removed ones go. Then it
prints what each language still lacks. A new language starts with ``pybabel init`` (README).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from bot import i18n, texts

FIXED = datetime(2026, 1, 1, tzinfo=UTC)  # a stable header: the template changes with the texts


def template() -> Catalog:
    catalog = Catalog(project="Couplet", creation_date=FIXED, revision_date=FIXED)
    for entry in texts.CATALOGUE:
        msgid = entry.source if isinstance(entry, i18n.Msg) else (entry.singular, entry.plural)
        catalog.add(msgid, context=entry.context, flags=("python-brace-format",))
    return catalog


def write(catalog: Catalog, path: object) -> None:
    with open(path, "wb") as fh:  # type: ignore[call-overload]
        write_po(fh, catalog, width=100, ignore_obsolete=True)


def main() -> int:
    pot = template()
    i18n.LOCALES.mkdir(exist_ok=True)
    write(pot, i18n.LOCALES / f"{i18n.DOMAIN}.pot")
    for language in i18n.shipped():
        if language == i18n.DEFAULT:
            continue
        catalog = i18n.read_catalog(language)
        catalog.update(pot, update_creation_date=False)
        write(catalog, i18n.catalogue_dir(language) / f"{i18n.DOMAIN}.po")
        gaps = i18n.missing(language, texts.CATALOGUE)
        print(f"{language}: {len(texts.CATALOGUE) - len(gaps)}/{len(texts.CATALOGUE)} translated")
        for name in gaps:
            print(f"  missing: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
