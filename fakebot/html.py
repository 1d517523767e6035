"""A strict subset of Telegram's HTML parse mode, enough to catch what Telegram would reject.

Telegram parses ``parse_mode=HTML`` text with tdlib; the error texts below follow tdlib's
wording ("Unsupported start tag ... at byte offset N").  The fake is deliberately a bit
stricter than Telegram about ``&``: a bare ampersand is rejected so bots learn to escape it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "tg-spoiler",
        "span",
        "blockquote",
        "tg-emoji",
    }
)

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_TAG_RE = re.compile(r"<(/?)([a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
_ATTR_RE = re.compile(r"""\s*([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


class HtmlParseError(ValueError):
    """Raised with the text Telegram puts after "Bad Request: can't parse entities: "."""


@dataclass(slots=True)
class _Open:
    name: str
    offset: int


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, index: int) -> tuple[str, int]:
    """Decode the entity starting at ``text[index] == '&'``; return (char, chars consumed)."""
    match = _ENTITY_RE.match(text, index)
    if match is None:
        raise HtmlParseError(
            f"Unsupported HTML entity at byte offset {_byte_offset(text, index)}; "
            "use &amp; for a literal '&'"
        )
    dec, hexa, name = match.groups()
    if name is not None:
        char = _NAMED_ENTITIES.get(name)
        if char is None:
            raise HtmlParseError(
                f'Unsupported HTML entity "&{name};" at byte offset {_byte_offset(text, index)}'
            )
    else:
        code = int(dec) if dec is not None else int(hexa, 16)
        char = chr(code) if 0 < code <= 0x10FFFF else "\ufffd"
    return char, match.end() - index


def _check_attributes(name: str, raw: str, text: str, index: int) -> None:
    attrs: dict[str, str] = {}
    for match in _ATTR_RE.finditer(raw):
        if match.group(1):
            value = next((g for g in match.group(2, 3, 4) if g is not None), "")
            attrs[match.group(1).lower()] = value
    where = f"at byte offset {_byte_offset(text, index)}"
    if name == "a" and "href" not in attrs:
        raise HtmlParseError(f'Tag "a" must have attribute "href" {where}')
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" {where}')
    if name == "tg-emoji" and "emoji-id" not in attrs:
        raise HtmlParseError(f'Tag "tg-emoji" must have attribute "emoji-id" {where}')


def parse_html(text: str) -> str:
    """Validate Telegram HTML and return the visible text (tags removed, entities decoded).

    Raises:
        HtmlParseError: with a tdlib-like description when Telegram would reject the text.
    """
    out: list[str] = []
    stack: list[_Open] = []
    i = 0
    n = len(text)
    while i < n:
        # Copy plain runs in one slice: keeps long texts cheap.
        j = i
        while j < n and text[j] not in "<&>":
            j += 1
        if j > i:
            out.append(text[i:j])
            i = j
            if i >= n:
                break
        char = text[i]
        if char == ">":
            out.append(">")  # Telegram tolerates a bare '>'.
            i += 1
        elif char == "&":
            decoded, used = _decode_entity(text, i)
            out.append(decoded)
            i += used
        else:
            i = _consume_tag(text, i, stack)
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return "".join(out)


def _consume_tag(text: str, i: int, stack: list[_Open]) -> int:
    """Handle the tag starting at ``text[i] == '<'`` and return the index after it."""
    match = _TAG_RE.match(text, i)
    offset = _byte_offset(text, i)
    if match is None:
        # Mirrors tdlib: "a < b" yields an empty tag name, "<b" without ">" an unclosed tag.
        following = text[i + 1 : i + 2]
        if following and (following.isalnum() or following == "/"):
            raise HtmlParseError(f"Unclosed start tag at byte offset {offset}")
        raise HtmlParseError(f'Unsupported start tag "" at byte offset {offset}')
    closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
    if closing:
        if not stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {offset}")
        top = stack.pop()
        if name != top.name:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {offset}, expected "</{top.name}>", '
                f'found "</{name}>"'
            )
        return match.end()
    if name not in ALLOWED_TAGS:
        raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
    _check_attributes(name, attrs, text, i)
    stack.append(_Open(name, offset))
    return match.end()
