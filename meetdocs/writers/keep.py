"""Keep the last characters of each paragraph together (no one-character last line).

A paragraph whose last line holds a single character, or one character and its
punctuation (「作。」), is a runt: the typesetter's rule is that a last line holds at
least two characters.  Before the PDF writer renders the HTML, the end of each
``<p>`` and ``<li>`` — its last two CJK characters (a Latin word counts as one, as it
never breaks), with the punctuation and inline elements such as a note call after
them — is wrapped in ``<span class="keep-end" style="white-space: nowrap">`` (styled where it is made,
so that every format gets it): a line break can then only fall before those characters.

It works on the HTML, not on the layout, so it costs one parse and never a second
layout.  An end that holds anything but text and phrasing elements (a picture, a
block) is left as it is, and so is a document not in Chinese.  The DOCX is not affected (Word keeps no such rule).
"""

from __future__ import annotations

import re

from .justify import CJK

KEEP = 2  # CJK characters on the last line, at least
BLOCKS = ("p", "li")
PHRASING = {"a", "abbr", "b", "cite", "code", "em", "i", "q", "s", "small", "span",
            "strong", "sub", "sup", "u", "mark", "time"}
# A Latin word or number, kept whole.
_WORD = re.compile(r"[0-9A-Za-z\u00c0-\u024f'’.\-]+$")


def last_characters(html: str) -> str:
    """``html`` with the end of each paragraph and list item wrapped in a nowrap span."""
    from lxml import html as lxml_html

    document = lxml_html.document_fromstring(html)
    if not document.get("lang", "").startswith("zh"):
        return html  # the rule is the Chinese typesetter's
    changed = False
    for block in document.iter(*BLOCKS):
        if block.xpath("ancestor::nav"):
            continue  # table-of-contents entries are links with leaders
        changed |= wrap_end(block)
    if not changed:
        return html
    return lxml_html.tostring(document, doctype="<!DOCTYPE html>", encoding="unicode")


def wrap_end(block) -> bool:
    """Wrap the block's end; False when it has no text end to keep together."""
    children, needed = list(block), KEEP
    # Walk back: the text after child i-1 (block.text for i = 0), then child i-1.
    for index in range(len(children), -1, -1):
        cut, needed = split_point(text_before(block, index), needed)
        if cut is not None:
            return wrap(block, index, cut)
        if index == 0:
            return False
        child = children[index - 1]
        if not isinstance(child.tag, str) or child.tag not in PHRASING:
            return False
        if child.tag != "sup":  # a note call is not a character of the text
            needed -= count_units(child.text_content())
        if needed <= 0:
            return wrap(block, index - 1, len(text_before(block, index - 1)))
    return False


def text_before(block, index: int) -> str:
    """The text between child index-1 and child index (before the first: block.text)."""
    return (block.text if index == 0 else block[index - 1].tail) or ""


def wrap(block, index: int, cut: int) -> bool:
    """Move text_before(index)[cut:] and the children from ``index`` on into a span."""
    from lxml import etree

    source = text_before(block, index)
    span = etree.Element("span", {"class": "keep-end", "style": "white-space: nowrap"})
    span.text = source[cut:]
    if index == 0:
        block.text = source[:cut]
    else:
        block[index - 1].tail = source[:cut]
    for child in list(block)[index:]:
        span.append(child)  # moves the child with its tail
    block.insert(index, span)
    return True


def split_point(text: str, needed: int) -> tuple[int | None, int]:
    """Where in ``text`` the kept end starts, counting back ``needed`` units; None
    (and what is still needed) when the text holds fewer."""
    position = len(text)
    while position > 0:
        char = text[position - 1]
        if CJK.match(char) and not is_punctuation(char):
            needed -= 1
            position -= 1
        elif _WORD.search(text[:position]) and char.isalnum():
            position = _WORD.search(text[:position]).start()
            needed -= 1
        else:
            position -= 1
            continue
        if needed <= 0:
            return position, 0
    return None, needed


def count_units(text: str) -> int:
    """How many units (CJK characters, Latin words) ``text`` holds."""
    everything = len(text) + 1
    return everything - split_point(text, everything)[1]


def is_punctuation(char: str) -> bool:
    import unicodedata

    return unicodedata.category(char)[0] in "PZS"
