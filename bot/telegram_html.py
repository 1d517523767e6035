"""Telegram's message limits, measured the way Telegram measures them, and an HTML-aware splitter.

Telegram counts a message after entity parsing (tags removed, ``&amp;`` one character) in UTF-16
code units, so a character outside the BMP, like most emoji, counts two: 2,048 × "💞" is the
most one message holds. ``split_html`` cuts a longer text into parts that each fit, losing
nothing but the whitespace at the cuts; ``pack`` lays out sections (a heading, an answer, ...)
over as few messages as they fit in.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

MAX_TEXT = 4096  # a message's text
MAX_CAPTION = 1024  # a photo's or voice note's caption

_TOKEN = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*>"  # a tag
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]*);"  # an entity
)
_TAG = re.compile(r"<[^<>]*>")
_JOINERS = frozenset("\u200d\ufe0e\ufe0f\u20e3")  # ZWJ, variation selectors, keycap
_LOOK_BACK = 16  # how far a hard cut moves back to keep an emoji sequence together


def utf16_units(text: str) -> int:
    """The length of plain text as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def visible_length(text: str) -> int:
    """The length of Telegram-HTML ``text`` as Telegram counts it: tags are not shown and an
    entity such as ``&amp;`` is one character."""
    units = 0
    pos = 0
    for match in _TOKEN.finditer(text):
        units += utf16_units(text[pos : match.start()])
        if match.group(2) is None:
            units += utf16_units(html.unescape(match.group()))
        pos = match.end()
    return units + utf16_units(text[pos:])


def fits(text: str, limit: int = MAX_TEXT) -> bool:
    # No character counts more than two units, so most texts need no parsing at all (the
    # scheduler checks every prompt it writes).
    return 2 * len(text) <= limit or visible_length(text) <= limit


@dataclass(frozen=True, slots=True)
class _Atom:
    """One piece a cut may not go through: a character, an entity or a tag."""

    raw: str
    units: int
    opens: str | None = None  # tag name, for a start tag
    closes: str | None = None  # tag name, for an end tag


def _atoms(text: str) -> list[_Atom]:
    atoms: list[_Atom] = []

    def chars(chunk: str) -> None:
        atoms.extend(_Atom(c, 2 if ord(c) > 0xFFFF else 1) for c in chunk)

    pos = 0
    for match in _TOKEN.finditer(text):
        chars(text[pos : match.start()])
        closing, name = match.group(1), match.group(2)
        if name is None:
            atoms.append(_Atom(match.group(), utf16_units(html.unescape(match.group()))))
        elif closing:
            atoms.append(_Atom(match.group(), 0, closes=name.lower()))
        else:
            atoms.append(_Atom(match.group(), 0, opens=name.lower()))
        pos = match.end()
    chars(text[pos:])
    return atoms


def _joined(before: _Atom, after: _Atom) -> bool:
    """Would a cut between these two characters break one emoji or letter apart?"""
    if before.raw == "\u200d" or after.raw in _JOINERS:
        return True
    # A combining mark or a skin tone belongs to the character before it.
    return len(after.raw) == 1 and bool(
        unicodedata.combining(after.raw) or 0x1F3FB <= ord(after.raw) <= 0x1F3FF
    )


def _cut(atoms: list[_Atom], start: int, end: int, limit: int) -> int:
    """Where to end the part ``atoms[start:end]`` (which fits, with more to come): after the last
    blank line, else newline, else space in its second half; else as late as possible."""
    floor = limit // 2
    used = sum(a.units for a in atoms[start:end])
    best: dict[str, int] = {}
    i = end
    while i > start + 1 and used >= floor and "blank" not in best:
        prev = atoms[i - 1].raw
        if prev == "\n" and atoms[i - 2].raw == "\n":
            best.setdefault("blank", i)
        if prev == "\n":
            best.setdefault("line", i)
        elif prev == " ":
            best.setdefault("space", i)
        used -= atoms[i - 1].units
        i -= 1
    for kind in ("blank", "line", "space"):
        if kind in best:
            return best[kind]
    cut = end
    while cut > start + 1 and end - cut < _LOOK_BACK and _joined(atoms[cut - 1], atoms[cut]):
        cut -= 1
    return end if _joined(atoms[cut - 1], atoms[cut]) else cut


def split_html(text: str, limit: int = MAX_TEXT, *, first: int | None = None) -> list[str]:
    """Cut Telegram-HTML ``text`` into parts that each fit ``limit`` (the first part ``first``).

    Cuts prefer a blank line, then a newline, then a space, and never fall inside a tag or an
    entity; a tag open at a cut is closed at the end of one part and opened again at the start
    of the next. Only whitespace at the cuts is dropped.
    """
    budget = limit if first is None else first
    if fits(text, budget):
        return [text]
    if min(budget, limit) < 2:
        raise ValueError("a limit below 2 cannot hold every character")
    atoms = _atoms(text)
    parts: list[str] = []
    stack: list[_Atom] = []  # start tags open where the next part begins
    start = 0
    while start < len(atoms):
        end, used = start, 0
        while end < len(atoms) and used + atoms[end].units <= budget:
            used += atoms[end].units
            end += 1
        cut = end if end == len(atoms) else _cut(atoms, start, end, budget)
        while cut < len(atoms) and atoms[cut].closes:  # an end tag belongs to what it closes
            cut += 1
        while cut - 1 > start and atoms[cut - 1].opens:  # a start tag, to what it opens
            cut -= 1
        opened = list(stack)
        for atom in atoms[start:cut]:
            if atom.opens:
                stack.append(atom)
            elif atom.closes and stack:
                stack.pop()
        body = "".join(a.raw for a in atoms[start:cut]).strip()
        part = "".join(a.raw for a in opened) + body + "".join(f"</{a.opens}>" for a in stack[::-1])
        if not _blank(part):
            parts.append(part)
        start, budget = cut, limit
    return parts


def _blank(text: str) -> bool:
    """Does ``text`` show nothing but whitespace?"""
    return not html.unescape(_TAG.sub("", text)).strip()


def pack(sections: Iterable[str], limit: int = MAX_TEXT, sep: str = "\n\n") -> list[str]:
    """Lay ``sections`` out over as few messages as they fit in, in order, joined by ``sep``.

    A section that fits in one message is never cut: when it does not fit after the ones before,
    it starts a new message. A section too long for any message is cut with ``split_html``, its
    first part filling what is left of the message before (if that is not just a sliver).
    """
    messages: list[str] = []
    current, used = "", 0
    gap = visible_length(sep)
    for section in sections:
        if not section:
            continue
        units = visible_length(section)
        if not current:
            if units <= limit:
                current, used = section, units
                continue
            parts = split_html(section, limit)
        elif used + gap + units <= limit:
            current, used = current + sep + section, used + gap + units
            continue
        elif units <= limit:
            messages.append(current)
            current, used = section, units
            continue
        elif (room := limit - used - gap) >= limit // 4:
            first, *parts = split_html(section, limit, first=room)
            if used + gap + visible_length(first) <= limit:
                messages.append(current + sep + first)
            else:  # the first part came out empty and was dropped
                messages += [current, first]
        else:
            messages.append(current)
            parts = split_html(section, limit)
        messages.extend(parts[:-1])
        current = parts[-1] if parts else ""
        used = visible_length(current)
    if current:
        messages.append(current)
    return messages
