"""Bare addresses → links, the way Typora, VS Code and GitHub show them.

GitHub's "extended autolinks" (GFM spec, section 6.9) make a link of an address
typed without ``<…>``: ``https://…`` and ``http://…`` as typed, ``www.…`` with
``http://`` in front, and an e-mail address with ``mailto:``.  Authors paste such
addresses into their reports and expect a link in every output.

``pymdownx.magiclink`` does the same for English, but Chinese text follows an
address without a space: it took 「https://www.apec.org/2026。以及」 whole.  Here an
address ends, besides where GFM ends it:

- at a wide character (CJK ideographs, kana, Hangul, U+3000–U+303F, full-width
  forms U+FF00–U+FFEF) and at General Punctuation (U+2000–U+206F: the curly
  quotes, dashes and ellipsis of Chinese text): none of them is ever part of an
  address a browser copies, so 「請見https://x.org，或」 links ``https://x.org``;
- at ``>`` and ``"`` too (RFC 3986 allows neither): raw HTML is printed as text
  here, so ``<a href="https://x.org">`` must not link ``https://x.org">``.

GFM's rules kept: an address ends at whitespace and ``<``; a trailing ``?!.,:*_~'"``
is left out, and so is a trailing ``)`` (or ``]``) without its opening partner
(``(https://x.org).`` links ``https://x.org``, Wikipedia's ``…/APEC_(組織)`` is kept
whole when the brackets balance) and a trailing entity-like ``&amp;``.  An address
may follow Chinese text directly (「詳見https://x.org」) but not a Latin letter or
digit, so ``xhttps://`` or the middle of another address is never taken.

The processor runs after code spans, links, ``<…>`` autolinks and images have been
taken out of the text, so an address in those is left alone, and never inside a
link's text (``ANCESTOR_EXCLUDES``).  The link is a plain ``<a href>`` with the
address as typed as its text: every writer already makes its own kind of link of
that (a PDF link annotation, a DOCX hyperlink relationship, an ODT ``text:a``), and
``markdown.MarkdownJob.link`` checks its scheme like any other.  An e-mail address
is not hidden in character entities (Python-Markdown's own habit), which would
leak into Word's text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import util
from markdown.inlinepatterns import InlineProcessor

# Characters that end an address (see the docstring); control characters include
# Python-Markdown's placeholders (STX … ETX) for code, links and escapes.
_STOP = ("\\s<>\"\x00-\x1f\x7f\u2000-\u206f\u2e80-\u303f\u3040-\ua4cf"
         "\uac00-\ud7af\uf900-\ufaff\ufe10-\ufe6f\uff00-\uffef\U00020000-\U0003ffff")
_DOMAIN = r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*"
# Not in the middle of a word or of another address (an ftp:// one, a query).  An
# e-mail address starts where its run of name characters starts, so that a long run
# is read once, not once from each of its characters.
_START = r"(?<![A-Za-z0-9/.@+=%&?#-])"
_MAIL_START = r"(?<![A-Za-z0-9/.@+=%&?#_-])"
# (?i): GFM reads HTTPS:// and WWW. too.
BARE_ADDRESS = (
    "(?i)" + _START + r"(?P<url>(?:https?://|(?P<www>www\.))" + _DOMAIN + f"[^{_STOP}]*)"
    "|" + _MAIL_START +
    r"(?P<mail>(?:mailto:)?[A-Za-z0-9._+-]+@[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+)")
_TRAILING = "?!.,:*_~'\""
_CLOSING = {")": "(", "]": "["}
_HOST = re.compile(r"(?:https?://|www\.)[A-Za-z0-9_-]", re.I)


def trim(url: str) -> str:
    """The address without what ends the sentence around it (GFM's path rules).
    Counted once and cut by index: an address of a million dots takes no longer."""
    end, closed = len(url), {char: url.count(char) for char in _CLOSING}
    opened = {char: url.count(_CLOSING[char]) for char in _CLOSING}
    while end:
        last = url[end - 1]
        if last in _TRAILING:
            end -= 1
        elif last in _CLOSING and opened[last] < closed[last]:
            end, closed[last] = end - 1, closed[last] - 1
        elif last == ";" and (entity := _entity_start(url, end)) is not None:
            end = entity
        else:
            break
    return url[:end]


def _entity_start(url: str, end: int) -> int | None:
    """Where an entity-like ``&name;`` ending at ``end`` starts, if one does."""
    amp = url.rfind("&", 0, end)
    name = url[amp + 1:end - 1]
    return amp if amp >= 0 and name.isascii() and name.isalnum() else None


def href(typed: str, www: bool = False, mail: bool = False) -> str:
    """Where the address typed leads: GFM gives ``www.`` addresses http."""
    if mail:
        return typed if typed.lower().startswith("mailto:") else "mailto:" + typed
    return "http://" + typed if www else typed


class BareAddressProcessor(InlineProcessor):
    """``https://…``, ``www.…`` and ``name@host.org`` in running text → ``<a>``."""

    ANCESTOR_EXCLUDES = ("a",)

    def handleMatch(self, m, data):
        if m["mail"]:
            typed = m["mail"]
            if typed[-1] in "-_":  # GFM: not an e-mail address
                return None, None, None
        else:
            typed = trim(m["url"])
            if not _HOST.match(typed):
                return None, None, None  # nothing left but the scheme
        anchor = etree.Element("a", {"href": href(typed, bool(m["www"]), bool(m["mail"]))})
        anchor.text = util.AtomicString(typed)
        return anchor, m.start(0), m.start(0) + len(typed)
