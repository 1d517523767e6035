"""Telegram HTML validation (parse_mode=HTML)."""

from __future__ import annotations

import pytest

from fakebot.html import HtmlParseError, parse_html


@pytest.mark.parametrize(
    ("markup", "visible"),
    [
        ("<b>bold <i>both</i></b> plain", "bold both plain"),
        ("<strong>a</strong><em>b</em><u>c</u><ins>d</ins><s>e</s><strike>f</strike>", "abcdef"),
        ('<a href="https://t.me/x">link</a>', "link"),
        ('<span class="tg-spoiler">hidden</span><tg-spoiler>too</tg-spoiler>', "hiddentoo"),
        ('<pre><code class="language-python">x = 1</code></pre>', "x = 1"),
        ("<blockquote expandable>quote</blockquote>", "quote"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
        ("a &lt; b &amp;&amp; c &gt; d &quot;q&quot; &#33; &#x41;", 'a < b && c > d "q" ! A'),
        ("1 > 0", "1 > 0"),
        ("<B>case</B>", "case"),
    ],
)
def test_valid_html_returns_visible_text(markup: str, visible: str) -> None:
    assert parse_html(markup) == visible


@pytest.mark.parametrize(
    ("markup", "fragment"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag"),
        ("<b", "Unclosed start tag"),
        ("fish & chips", "Unsupported HTML entity"),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;"'),
        ("<a>no href</a>", 'Tag "a" must have attribute "href"'),
        ("<span>x</span>", "tg-spoiler"),
        ("é<x>", "at byte offset 2"),  # offsets are in UTF-8 bytes, like tdlib
    ],
)
def test_invalid_html_is_rejected(markup: str, fragment: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(markup)
    assert fragment in str(caught.value)
