"""The HTML made to fit the page before the PDF writer renders it: the last
characters of each paragraph kept together, tables too wide for a column marked.

1. No one-character last line.

A paragraph whose last line holds a single character, or one character and its
punctuation (「作。」), is a runt: the typesetter's rule is that a last line holds at
least two characters.  Before the PDF writer renders the HTML, the end of each
``<p>``, ``<li>`` and ``<figcaption>`` — its last two CJK characters (a Latin word counts as one, as it
never breaks), with the punctuation and inline elements such as a note call after
them — is wrapped in ``<span class="keep-end" style="white-space: nowrap">`` (styled where it is made,
so that every format gets it): a line break can then only fall before those characters.

It works on the HTML, not on the layout, so it costs one parse and never a second
layout.  An end that holds anything but text and phrasing elements (a picture, a
block) is left as it is, and so is a document not in Chinese.  The DOCX is not affected (Word keeps no such rule).

2. English words that can be hyphenated.  In Chinese text a line that cannot take
the next English word has that word's width of slack, which inter-character
justification has to spread (justify.py); past 0.1 em a character, text copied out
of the PDF gains spaces between the Chinese characters.  WeasyPrint hyphenates only
under ``hyphens: auto`` and by the element's ``lang``, so each run of English words
in a Chinese ``<p>``, ``<li>`` or ``<figcaption>`` is put in ``<span lang="en">``, which the Chinese
stylesheets hyphenate (``[lang|=en]``).  Only plain words are: a token holding a
digit, ``/``, ``@``, ``_``, ``:`` or a dot inside (a URL, an address, a file name,
a version) is left as it is, and so are code, links and preformatted text.

3. Spaces between Chinese and Latin text of one width.  Pango picks no font for a
space: it stays in the run of the text before it, so a space after a Chinese
character takes the CJK face's space (TW-Kai's is 0.5 em) and one after a Latin
letter the Latin face's (0.25 em in the report), whatever the fonts cover (a
fontconfig rule taking U+0020 out of TW-Kai's character set changes nothing).  A
space that begins a text box has no text before it and takes the first face of
``font-family`` that covers it.  So in a Chinese document each space that follows a
CJK character (or a dash, an ellipsis, a symbol: what a Latin face leaves to the
CJK one) is made to begin a box: it and the Latin text after it, up to the next
such character, go in ``<span class="latin-space">``; at the end of a text before a
``<span lang="en">`` (point 2) it moves into that span.  Spaces in code are left
alone.

4. Wide tables.  A table with more than three columns, or three whose longest row
holds more than ``WIDE_ROW`` em of text (a CJK character is 1 em, a Latin letter about
half), or whose columns cannot be narrower than ``COLUMN_EM`` in all (each as wide
as its longest word, point 6), is put in a ``<div class="wide">``; the briefing's stylesheet lets such a table span
both columns (``column-span: all``).  Decided on the text, as the layout of a column
cannot be asked before it is laid out; the numbers fit a briefing column of about
20 em (84 mm at 10.5 pt), where three short columns still fit.  A cell of at most
``SHORT_CELL`` em is set nowrap, so that a long cell beside it cannot squeeze it
to one character a line; every longer cell wraps.

5. A break after a gloss.  Where a closing bracket is followed at once by a Latin
word or number (「(SEAASR)2026年」), Unicode's line breaking keeps the two together,
so the whole of it goes to the next line and leaves the line above wide open; in a
Chinese document a zero-width space after the bracket (a ``<wbr>``) lets the
line break there; the PDF's copy-out text leaves it out (copytext.py).

6. Long strings.  Text breaks a word only where it cannot fit a line
(``overflow-wrap: break-word``, templates/shared/any-content.css), so a table
column is at least as wide as its longest word and English names wrap whole
("Representative", never "Repre|sentat|ive").  A string no column need hold whole
(a 60-letter word, a long code token: a piece longer than ``LONG_TOKEN``
characters between spaces, hyphens and slashes; a URL or e-mail address longer than
``LONG_TOKEN``, so that a line ending in one is filled, not spread) is put in
``<span class="long-token">``, which may break anywhere (``overflow-wrap:
anywhere``, and in a link ``word-break: break-all``), so its column is sized by the
other cells; its characters all stay in the text layer, in order.  Decided in any
language, after points 1–5 (a kept end never takes in a long string).
"""

from __future__ import annotations

import re

from .justify import CJK

KEEP = 2  # CJK characters on the last line, at least
LATIN_KEPT = 12  # a Latin word up to this long is kept with what follows it
WIDE_COLUMNS, WIDE_ROW = 3, 40
SHORT_CELL = 5  # em: a cell this short (日期, 2月9日) is not broken
# A column is at least as wide as its longest unbreakable piece (point 6), plus its
# cell's padding and border (about 1 em in every format); past COLUMN_EM in all,
# the table cannot fit a briefing column of about 20 em and goes wide.
CELL_PADDING_EM, COLUMN_EM = 1, 20
# Characters: the longest words of ordinary English text have about 20 letters
# ("internationalization", "Telecommunications" 18); a longer piece without a
# place to break is a URL, an address, code or a made-up word, which may break
# anywhere (point 6) rather than size its table column.
LONG_TOKEN = 20
LONG = "long-token"
# A run of characters between spaces and CJK characters (a line breaks at either) ...
_TOKEN = re.compile(rf"[^\s{CJK.pattern[1:-1]}]+")
# ... and its pieces, where a line may break anyway: after a hyphen or a slash.
_PIECE = re.compile(r"[^-/\u2010]*[-/\u2010]?")
BLOCKS = ("p", "li", "figcaption")
PHRASING = {"a", "abbr", "b", "cite", "code", "em", "i", "q", "s", "small", "span",
            "strong", "sub", "sup", "u", "mark", "time"}
# Elements the kept end may start inside: cut in two, each half prints the same.
SPLITTABLE = {"a", "b", "cite", "code", "em", "i", "mark", "q", "s", "small", "strong",
              "u"}
# A plain English word, with the punctuation around it: hyphenated in Chinese text.
_ENGLISH = re.compile(r"[(\[“‘\"']*[A-Za-z][A-Za-z'’\-]*[A-Za-z][)\]”’\"',.;:!?]*")
# A run of them, separated by single spaces, not touching other Latin characters.
_ENGLISH_RUN = re.compile(rf"(?<![^\s\u2e80-\uffff])(?:{_ENGLISH.pattern})"
                          rf"(?: (?:{_ENGLISH.pattern}))*(?![^\s\u2e80-\uffff])")
NO_HYPHENS = {"a", "code", "kbd", "pre", "samp", "var", "tt", "script", "style"}
# A Latin word or number, kept whole.
_WORD = re.compile(r"[0-9A-Za-z\u00c0-\u024f'’.\-]+$")


def prepare(html: str) -> str:
    """``html`` with paragraph ends kept together and wide tables marked."""
    from lxml import html as lxml_html

    document = lxml_html.document_fromstring(html)
    changed = mark_wide_tables(document)
    if document.get("lang", "").startswith("zh"):  # the Chinese typesetter's rule
        for block in document.iter(*BLOCKS):
            if not block.xpath("ancestor::nav"):  # TOC entries: links with leaders
                changed |= wrap_end(block)
        for block in document.iter(*BLOCKS):
            changed |= mark_english(block)
        changed |= latin_spaces(document.body)
        for block in document.iter(*BLOCKS):
            changed |= break_after_glosses(block)
    if document.find("body") is not None:  # last: point 6
        changed |= mark_long(document.body)
    if not changed:
        return html
    return lxml_html.tostring(document, doctype="<!DOCTYPE html>", encoding="unicode")


FIT_LAST = "fit-last"  # on the root: pictures smaller, see pdf.adapted


def root_class(html: str, name: str) -> str:
    """``html`` with ``name`` added to its root element's classes."""
    from lxml import html as lxml_html

    document = lxml_html.document_fromstring(html)
    document.set("class", " ".join([*(document.get("class") or "").split(), name]))
    return lxml_html.tostring(document, doctype="<!DOCTYPE html>", encoding="unicode")


def start_column(html: str, index: int) -> str | None:
    """``html`` with its ``index``-th ``aside`` starting a column
    (pdf.adapted); None unless that aside closes its container, with nothing
    but other asides after it: only a closing box becomes a sidebar."""
    from lxml import html as lxml_html

    document = lxml_html.document_fromstring(html)
    asides = list(document.iter("aside"))
    if index >= len(asides) or any(
            sibling.tag != "aside" for sibling in asides[index].itersiblings()):
        return None
    add_style(asides[index], "break-before: column")
    return lxml_html.tostring(document, doctype="<!DOCTYPE html>", encoding="unicode")


def split_rows(html: str, indexes: list[int]) -> str:
    """``html`` with the table rows of these indexes (document order) free to
    split where they stand (pdf.adapted): a row taller than a page splits
    anyway, and moved first to the next column or page, it would leave the rest
    of this one empty."""
    from lxml import html as lxml_html

    document = lxml_html.document_fromstring(html)
    rows = list(document.iter("tr"))
    for index in indexes:
        add_style(rows[index], "break-inside: auto")
    return lxml_html.tostring(document, doctype="<!DOCTYPE html>", encoding="unicode")


# A table wider than its column or page with its words whole (pdf.adapted):
# first its English words hyphenate, then its cells break anywhere.
SQUEEZE = ("squeeze-hyphens", "squeeze-anywhere")


def squeeze_tables(html: str, indexes: list[int], level: int) -> str:
    """``html`` with the tables of these indexes (document order) given the class
    ``SQUEEZE[level]`` (templates/shared/any-content.css); at the first level the
    English runs of their cells are put in ``<span lang="en">`` as in paragraphs
    (point 2), which the stylesheet hyphenates."""
    from lxml import html as lxml_html

    document = lxml_html.document_fromstring(html)
    tables = list(document.iter("table"))
    for index in indexes:
        table = tables[index]
        table.set("class", " ".join([*(table.get("class") or "").split(), SQUEEZE[level]]))
        if level == 0 and not document.get("lang", "").startswith("en"):
            for cell in table.xpath(".//th|.//td"):
                mark_english(cell)
    return lxml_html.tostring(document, doctype="<!DOCTYPE html>", encoding="unicode")


def add_style(element, declaration: str) -> None:
    style = element.get("style", "").strip().rstrip(";")
    element.set("style", f"{style}; {declaration}" if style else declaration)


def mark_wide_tables(document) -> bool:
    marked = False
    for table in list(document.iter("table")):
        rows = table.xpath(".//tr")
        for cell in table.xpath(".//th|.//td"):
            if text_em(cell.text_content()) <= SHORT_CELL:
                cell.set("style", "white-space: nowrap")
        columns = max((len(row.xpath("./th|./td")) for row in rows), default=0)
        longest = max((text_em(row.text_content()) for row in rows), default=0)
        if columns > WIDE_COLUMNS or (columns == WIDE_COLUMNS and longest > WIDE_ROW) \
                or min_table_em(rows) > COLUMN_EM:
            # In a div: WeasyPrint reads column-span on a block, not a table.
            table.addprevious(wrapper := table.makeelement("div", {"class": "wide"}))
            wrapper.append(table)
            marked = True
    return marked


def min_table_em(rows) -> float:
    """About the narrowest the table can be laid out, in em: each column as wide
    as its longest piece of text that may not break (point 6), plus padding."""
    widths: dict[int, float] = {}
    for row in rows:
        for column, cell in enumerate(row.xpath("./th|./td")):
            widths[column] = max(widths.get(column, 0), min_cell_em(cell))
    return sum(width + CELL_PADDING_EM for width in widths.values())


def min_cell_em(cell) -> float:
    """The width in em of a cell's longest piece that may not break: all of it when
    it is short enough to be kept on one line (mark_wide_tables), else its longest
    word or piece of one, a CJK character being one piece; a long string (is_long)
    breaks anywhere (mark_long) and holds none."""
    text = cell.text_content()
    if text_em(text) <= SHORT_CELL:
        return text_em(text)
    pieces = [piece for token in _TOKEN.findall(text) if not is_long(token)
              for piece in _PIECE.findall(token)]
    return max([text_em(piece) for piece in pieces] + [1.0 if CJK.search(text) else 0])


def mark_long(element) -> bool:
    """Put each string of ``element``'s text with a piece longer than LONG_TOKEN
    characters in ``<span class="long-token">`` (point 6), not in preformatted text
    (which breaks anywhere already); True if any was."""
    return each_text(element, lambda e: e.tag in {"pre", "script", "style"} or
                     LONG in (e.get("class") or "").split(), _long_slot)


# A web or e-mail address: it breaks anywhere once it is longer than a word, not
# only at its slashes and hyphens, so the line before it is not left to be spread
# over the gaps of a few characters when its next piece does not fit.
ADDRESS_KEPT = 3
_ADDRESS = re.compile(r"[a-z][a-z0-9+.-]*://|www\.|[^@\s]@[^@\s]+\.", re.I)


def is_long(token: str) -> bool:
    """Whether a token (no space, no CJK) has a piece too long for any word, or is
    an address longer than one."""
    return any(len(piece) > LONG_TOKEN for piece in _PIECE.findall(token)) or \
        (len(token) > LONG_TOKEN and bool(_ADDRESS.search(token)))


def breakable_address(token: str) -> str:
    """An address with a break after each character: WeasyPrint 70 breaks inside a
    string (``overflow-wrap``, ``word-break: break-all``) only when none of its
    break points fits, so a URL went down at its first slash that did not fit and
    left the line before it spread wide.  The zero-width spaces stay out of the
    copied text (copytext.py, and poppler drops them).  The first and last
    ``ADDRESS_KEPT`` characters stay together: no line holds one letter of it."""
    if not _ADDRESS.search(token):
        return token
    head, middle, tail = token[:ADDRESS_KEPT], token[ADDRESS_KEPT:-ADDRESS_KEPT], \
        token[-ADDRESS_KEPT:]
    return head + "".join(BREAK + char for char in middle) + BREAK + tail


def _long_slot(element, index: int) -> bool:
    from lxml import etree

    text = text_before(element, index)
    tokens = [match for match in _TOKEN.finditer(text) if is_long(match.group())]
    if not tokens:
        return False
    _set_slot(element, index, text[:tokens[0].start()])
    for number, match in enumerate(tokens):
        span = etree.Element("span", {"class": LONG})
        end = tokens[number + 1].start() if number + 1 < len(tokens) else len(text)
        span.text, span.tail = breakable_address(match.group()), text[match.end():end]
        element.insert(index + number, span)
    return True


def mark_english(element) -> bool:
    """Put the runs of plain English words in ``element``'s own text and its
    children's (not in code, links, or an element that already has a lang) in
    ``<span lang="en">``; True if any was."""
    return each_text(element, lambda e: e.tag in NO_HYPHENS or e.get("lang"),
                     _english_slot)


def _english_slot(element, index: int) -> bool:
    from lxml import etree

    return _spans_into(element, index, text_before(element, index), etree)


def _spans_into(element, index: int, text: str, etree) -> bool:
    """Put ``text`` back at child position ``index`` (element.text for 0, else the
    tail of the child before), its English runs in spans."""
    pieces, last = [], 0
    for match in _ENGLISH_RUN.finditer(text):
        if not re.search("[A-Za-z]{6}", match.group()):
            continue  # nothing WeasyPrint would hyphenate (hyphenate-limit-chars 6)
        pieces.append((text[last:match.start()], match.group()))
        last = match.end()
    before = pieces[0][0] if pieces else text
    if index == 0:
        element.text = before
    else:
        element[index - 1].tail = before
    for position, (_, words) in enumerate(pieces):
        following = pieces[position + 1][0] if position + 1 < len(pieces) else text[last:]
        span = etree.Element("span", {"lang": "en"})
        span.text, span.tail = words, following
        element.insert(index + position, span)
    return bool(pieces)


# A character a Latin face does not set (CJK, and dashes, ellipses, symbols, which
# fall to the CJK face too): a space after it would take that face's width.
_NOT_LATIN = r"[^\s\x00-\u024f\u2010\u2018-\u201d]"
# One or more spaces after such a character, and the Latin text after them.
_SPACE_AFTER_CJK = re.compile(rf"(?<={_NOT_LATIN})[ \t\n\r\u00a0]+(?:(?!{_NOT_LATIN}).)*",
                              re.DOTALL)
LATIN_SPACE = "latin-space"


def each_text(element, skipped, visit) -> bool:
    """Call ``visit(parent, index)`` for each text of ``element`` and its
    descendants (index 0 for a parent's own text, else the tail of its child
    before; see text_before), children first, never inside an element for which
    ``skipped(element)`` is true; True if any call returned True.  ``visit`` may
    insert elements at ``index``."""
    if not isinstance(element.tag, str) or skipped(element):
        return False
    changed = False
    for child in list(element):
        changed |= each_text(child, skipped, visit)
        changed |= visit(element, element.index(child) + 1)
    return visit(element, 0) or changed


def latin_spaces(element) -> bool:
    """Make each space after a CJK character in ``element`` begin a text box (point 3);
    True if any was moved."""
    return each_text(element, lambda e: e.tag in NO_HYPHENS - {"a"}, _space_slot)


def _space_slot(element, index: int) -> bool:
    """The same for the text at child position ``index`` (see text_before)."""
    from lxml import etree

    text = text_before(element, index)
    matches = list(_SPACE_AFTER_CJK.finditer(text))
    following = element[index] if index < len(element) else None
    if matches and matches[-1].end() == len(text) and not matches[-1].group().strip():
        # Spaces before the next element: into it if it is an English run,
        # alone in a span before any other inline element, left at a block's end.
        last = matches.pop()
        if following is not None and following.tag == "span" and \
                following.get("lang") == "en":
            following.text = last.group() + (following.text or "")
            text = text[:last.start()]
        elif following is not None and following.tag in PHRASING | {"img", "sup", "sub"}:
            matches.append(last)
    if not matches:
        return text != text_before(element, index) and _set_slot(element, index, text)
    _set_slot(element, index, text[:matches[0].start()])
    for number, match in enumerate(matches):
        span = etree.Element("span", {"class": LATIN_SPACE})
        end = matches[number + 1].start() if number + 1 < len(matches) else len(text)
        span.text, span.tail = match.group(), text[match.end():end]
        element.insert(index + number, span)
    return True


def _set_slot(element, index: int, text: str) -> bool:
    if index == 0:
        element.text = text
    else:
        element[index - 1].tail = text
    return True


# A Latin gloss's closing bracket followed at once by a Latin word or number
# (「議程》(SEAASR)2026-2030年」): UAX 14 keeps the two together (LB30, written for
# "(s)he"), so the whole "(SEAASR)2026-2030" goes down a line and the line above
# is spread wide.  In Chinese text the bracket ends a gloss: a line may break after it.
_GLOSS_END = re.compile(r"(?<=[)\]])(?=[0-9A-Za-z])")
BREAK = "\u200b"


def break_after_glosses(element) -> bool:
    """Put a zero-width space (what ``<wbr>`` stands for) after each closing
    bracket of ``element``'s text that a Latin word or number follows (point 5);
    True if any was put."""
    return each_text(element, lambda e: e.tag in NO_HYPHENS, _break_slot)


def _break_slot(element, index: int) -> bool:
    text = text_before(element, index)
    broken = _GLOSS_END.sub(BREAK, text)
    return broken != text and _set_slot(element, index, broken)


def text_em(text: str) -> float:
    """Rough width of a text in em: CJK characters 1, others 0.5."""
    text = " ".join(text.split())
    cjk = len(CJK.findall(text))
    return cjk + (len(text) - cjk) * 0.5


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
        if child.tag == "sup" or "footnote" in (child.get("class") or ""):
            continue  # a note call or a page footnote is not the paragraph's text
        units = count_units(child.text_content())
        if units == 0 and long_word_end(child.text_content()):
            # A link that is a URL or an address breaks where it stands (as the
            # same text outside a link does, see split_point): keep what follows.
            follows = text_before(block, index).strip() or index < len(children)
            return wrap(block, index, 0) if follows else False
        if units > needed and len(child) == 0 and child.tag in SPLITTABLE:
            # The kept end starts inside this element: cut it in two.
            cut, _ = split_point(child.text or "", needed)
            if cut is None:
                return False
            return wrap(block, split_element(child, cut), 0)
        if units > KEEP + 2:
            return False  # too long to keep whole on one line
        needed -= units
        if needed <= 0:
            return wrap(block, index - 1, len(text_before(block, index - 1)))
    return False


def long_word_end(text: str) -> bool:
    """``text`` ends in a Latin word longer than ``LATIN_KEPT`` (a URL, an address)."""
    word = _WORD.search(text.rstrip())
    return word is not None and len(word[0]) > LATIN_KEPT


def split_element(element, cut: int) -> int:
    """Cut a text-only element at ``cut`` into two of the same kind; the index of
    the second, which has the first's attributes but its id."""
    second = element.makeelement(element.tag, {k: v for k, v in element.attrib.items()
                                               if k != "id"})
    second.text, element.text = element.text[cut:], element.text[:cut]
    second.tail, element.tail = element.tail, None
    element.addnext(second)
    return element.getparent().index(second)


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
        elif char.isalnum():
            # A Latin word or number ends the count: a last line holding one is
            # no runt.  A long one (a URL, an address) stays outside the span,
            # where it can still break.
            word = _WORD.search(text[:position])
            start = word.start() if word else position - 1
            if position - start <= LATIN_KEPT:
                return start, 0
            return (position, 0) if text[position:].strip() else (None, needed)
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

