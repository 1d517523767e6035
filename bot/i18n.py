"""The message catalogue: which languages ship, which one a reader reads, and rendering in it.

``bot/texts.py`` is the English source: every constant there becomes a ``Msg`` (or ``Plural``)
keyed by its name, which is the gettext context (``msgctxt``) in ``bot/locales/<lang>/...po``;
the English text is the ``msgid``. Rendering happens here and only here: ``Msg.format`` and
``str(msg)`` look the text up in the locale of the current reader (a context variable, set once
per update by the gatekeeper, and around every message built for someone else with ``reading``).
A string a catalogue lacks falls back to English for that string alone.

The content library (prompts, tips, check-in, recaps, topics) is rendered the same way: flows
choose items from one library (the structure is the same in every language), and the message
builders turn an item into the reader's words with ``localized`` (``prompts/<lang>/``, English
item by item where a translation lacks one).

The ``.po`` files are read at start-up and compiled in memory with Babel (no ``.mo`` to build or
to keep in step); ``python -m bot.catalogue`` rewrites the template and updates the catalogues.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, tzinfo
from enum import StrEnum
from gettext import GNUTranslations, NullTranslations
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar, cast

from babel import Locale
from babel.dates import format_skeleton
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from prompts.coverage import untranslated
from prompts.loader import Library, load_library
from prompts.schema import CheckinQuestion, Prompt, Recap, Tip, TopicInfo

if TYPE_CHECKING:
    from bot.storage.models import User

log = logging.getLogger(__name__)

LOCALES = Path(__file__).parent / "locales"
DOMAIN = "messages"
DEFAULT = "en"
# Each language named in itself, in the order the /language buttons show them. A language ships
# once its catalogue exists (bot/locales/<dir>/LC_MESSAGES/messages.po); English always does.
NATIVE_NAMES = {
    "en": "English",
    "ru": "Русский",
    "uk": "Українська",
    "es": "Español",
    "de": "Deutsch",
    "pt-BR": "Português (Brasil)",
}
# Telegram sends IETF tags ("pt-br", "en-gb", "ru"); the first subtag picks the nearest we have.
BY_PRIMARY = {"pt": "pt-BR"}


def catalogue_dir(language: str) -> Path:
    """``pt-BR`` → ``bot/locales/pt_BR`` (gettext's spelling)."""
    return LOCALES / str(Locale.parse(language, sep="-")) / "LC_MESSAGES"


def shipped() -> list[str]:
    return [lang for lang in NATIVE_NAMES if lang == DEFAULT or catalogue_dir(lang).is_dir()]


def resolve(language_code: str | None) -> str:
    """Telegram's ``language_code`` → a shipped language (English for one we do not ship)."""
    if not language_code:
        return DEFAULT
    by_lower = {lang.lower(): lang for lang in shipped()}
    code = language_code.replace("_", "-").lower()
    if code in by_lower:
        return by_lower[code]
    primary = code.split("-")[0]
    return by_lower.get(BY_PRIMARY.get(primary, primary).lower(), DEFAULT)


def telegram_code(language: str) -> str:
    """The two-letter code Telegram's ``setMyCommands`` takes (``pt-BR`` → ``pt``)."""
    return language.split("-")[0]


@functools.cache
def translations(language: str) -> NullTranslations:
    """The language's catalogue, compiled in memory (English: the source texts themselves)."""
    if language == DEFAULT:
        return NullTranslations()
    po = catalogue_dir(language) / f"{DOMAIN}.po"
    if not po.exists():
        return NullTranslations()
    return GNUTranslations(BytesIO(compile_po(read_catalog(language))))


def read_catalog(language: str) -> Catalog:
    with (catalogue_dir(language) / f"{DOMAIN}.po").open("rb") as fh:
        return read_po(fh, locale=str(Locale.parse(language, sep="-")))


def read_template() -> Catalog:
    with (LOCALES / f"{DOMAIN}.pot").open("rb") as fh:
        return read_po(fh)


def compile_po(catalog: Catalog) -> bytes:
    out = BytesIO()
    write_mo(out, catalog)  # fuzzy and empty entries are left out: those fall back to English
    return out.getvalue()


# --- the reader -----------------------------------------------------------------------------

_reader: ContextVar[str] = ContextVar("couplet_language", default=DEFAULT)


def current() -> str:
    return _reader.get()


def set_current(language: str | None) -> None:
    """The reader of this update (the gatekeeper calls it once per update)."""
    _reader.set(language or DEFAULT)


@contextmanager
def use(language: str | None) -> Iterator[None]:
    token = _reader.set(language or DEFAULT)
    try:
        yield
    finally:
        _reader.reset(token)


@contextmanager
def reading(user: User | None) -> Iterator[None]:
    """Render for ``user``: every message built for someone else is built inside this."""
    with use(user.language if user is not None else None):
        yield


P = ParamSpec("P")
R = TypeVar("R")


def renders_for(param: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A message builder renders in the language of its argument ``param`` (the recipient)."""

    def decorate(build: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(build)
        # Where the recipient sits among positional arguments (binding the whole signature on
        # every call costs more than building the message: a tick builds thousands).
        names = list(signature.parameters)
        positional = signature.parameters[param].kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        )
        position = names.index(param) if positional else len(names) + 1_000_000

        @functools.wraps(build)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            recipient = args[position] if position < len(args) else kwargs[param]
            with reading(recipient):  # type: ignore[arg-type]
                return build(*args, **kwargs)

        return wrapper

    return decorate


# --- messages -------------------------------------------------------------------------------


class Msg:
    """One catalogue entry: English source text, rendered in the current reader's language.

    Deliberately not a ``str``: a message that reaches Telegram without passing through
    ``format``/``str`` would silently be English, so that fails loudly instead.
    """

    __slots__ = ("context", "source")

    def __init__(self, context: str, source: str) -> None:
        self.context, self.source = context, source

    def text(self, language: str | None = None) -> str:
        return translations(language or current()).pgettext(self.context, self.source)

    def format(self, *args: object, **values: object) -> str:
        return self.text().format(*args, **values)

    def __str__(self) -> str:
        return self.text()

    def __format__(self, spec: str) -> str:
        return format(self.text(), spec)

    def __add__(self, other: object) -> str:
        return self.text() + str(other)

    def __radd__(self, other: object) -> str:
        return str(other) + self.text()

    def __repr__(self) -> str:
        return f"Msg({self.context!r})"


class Plural:
    """A message with plural forms; ``format(n=...)`` picks the form by the language's rules."""

    __slots__ = ("context", "plural", "singular")

    def __init__(self, singular: str, plural: str) -> None:
        self.context, self.singular, self.plural = "", singular, plural

    def text(self, n: int, language: str | None = None) -> str:
        return translations(language or current()).npgettext(
            self.context, self.singular, self.plural, n
        )

    def format(self, *, n: int, **values: object) -> str:
        return self.text(n).format(n=n, **values)

    def __repr__(self) -> str:
        return f"Plural({self.context!r})"


def _key_name(key: object) -> str:
    if isinstance(key, StrEnum):
        return key.value
    return str(getattr(key, "name", key))


def entries(namespace: dict[str, object]) -> list[Msg | Plural]:
    """Turn a texts module's UPPERCASE constants into catalogue entries, in place.

    Strings become ``Msg`` keyed by name, dicts of strings ``Msg`` keyed ``NAME.key`` (a StrEnum
    key by its value, another enum by its member name), the
    command list ``(command, Msg)`` pairs keyed ``COMMANDS.command``; ``Plural``s get their name.
    """
    found: list[Msg | Plural] = []

    def make(context: str, value: str) -> Msg:
        found.append(msg := Msg(context, value))
        return msg

    for name, value in list(namespace.items()):
        if not name.isupper():
            continue
        if isinstance(value, str):
            namespace[name] = make(name, value)
        elif isinstance(value, Plural):
            value.context = name
            found.append(value)
        elif isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            namespace[name] = {k: make(f"{name}.{_key_name(k)}", v) for k, v in value.items()}
        elif isinstance(value, list) and all(isinstance(v, tuple) for v in value):
            namespace[name] = [(c, make(f"{name}.{c}", d)) for c, d in value]
    return found


def missing(language: str, catalogue: list[Msg | Plural]) -> list[str]:
    """The entries ``language`` does not translate (absent, empty or fuzzy in its .po)."""
    if language == DEFAULT:
        return []
    po = read_catalog(language)
    out = []
    for entry in catalogue:
        msgid = entry.source if isinstance(entry, Msg) else (entry.singular, entry.plural)
        found = po.get(msgid, context=entry.context)
        strings = found.string if found is not None else ""
        if isinstance(strings, str):
            strings = (strings,)
        if found is None or found.fuzzy or not all(strings):
            out.append(entry.context)
    return out


def log_missing() -> None:
    """At start-up: one line per shipped language that lacks some strings or content items
    (English there)."""
    from bot import texts

    for language in shipped():
        gaps = missing(language, texts.CATALOGUE)
        if gaps:
            log.warning(
                "catalogue %s: %d strings fall back to English: %s",
                language, len(gaps), ", ".join(gaps),
            )  # fmt: skip
        if language != DEFAULT and (items := content_gaps(language)):
            log.warning(
                "content %s: %d fields fall back to English: %s",
                language, len(items), ", ".join(items[:10]) + (" …" if len(items) > 10 else ""),
            )  # fmt: skip


# --- content --------------------------------------------------------------------------------

Item = TypeVar("Item", Prompt, Tip, CheckinQuestion, Recap, TopicInfo)


@functools.cache
def library(language: str) -> Library:
    """The content library in ``language`` (``prompts/<language>/``), English where a
    translation lacks an item."""
    return load_library(language if language in NATIVE_NAMES else DEFAULT)


@functools.cache
def content_gaps(language: str) -> list[str]:
    """What ``language``'s content lacks (read once: every start-up in a process logs it)."""
    return untranslated(language)


def load_content() -> None:
    """Read every shipped language's content now, so a malformed file stops start-up."""
    for language in shipped():
        library(language)


def localized(item: Item, language: str | None = None) -> Item:
    """The same content item in the reader's words (``item`` itself where none is found)."""
    lib = library(language or current())
    found: object
    if isinstance(item, Prompt):
        found = lib.by_id.get(item.id)
    elif isinstance(item, Tip):
        found = lib.tips_by_id.get(item.id)
    elif isinstance(item, CheckinQuestion):
        found = lib.checkin_by_id.get(item.id)
    elif isinstance(item, Recap):
        found = lib.recaps.get(item.phase)
    else:
        found = lib.topics.get(item.id.value)
    return cast("Item", found) if found is not None else item


# --- dates ----------------------------------------------------------------------------------


def format_instant(instant: datetime, zone: tzinfo, language: str | None = None) -> str:
    """An instant as the reader reads it: 'Tue, Dec 8, 20:14', '8 дек., 20:14'."""
    locale = Locale.parse(language or current(), sep="-")
    local = instant.astimezone(zone)
    date = format_skeleton("MMMEd", local, locale=locale)
    clock = format_skeleton("Hm", local, locale=locale)
    return locale.datetime_formats["medium"].format(clock, date)
