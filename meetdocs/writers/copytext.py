"""Text that copies out of the PDF as it was written, for WeasyPrint 70.0.

A PDF holds glyphs at positions, not text: a reader's copy (poppler's pdftotext,
most viewers) guesses the spaces from the gaps between glyphs, and reads a gap
wider than about 0.1 em as a word space.  Justified Chinese lines (justify.py)
have such gaps between CJK characters and at the seams between CJK and Latin text,
and ``hyphens: auto`` draws a hyphen (U+2010) that is not in the text.

So a line box whose glyphs would not copy out as its text is drawn inside a
marked-content sequence carrying its text as replacement text (ISO 32000-1
§14.9.4, ``/Span <</ActualText (…)>> BDC … EMC``): a reader takes the line's text
from there whatever its glyphs' spacing.  Those are the lines the justification
spaced, and the lines broken inside a word.  The text is the line's text boxes in
order, trailing spaces made one.  A line that ends with the hyphen the layout
inserted (the ``hyphenate-character``) ends with ASCII U+002D in its replacement
text instead: that is the character poppler looks for to join a word broken
across lines (``Com-`` + ``munity`` copies as ``Community``).

A line that ends with a hyphen written in the source (``Anti-`` at a line end,
``Corruption`` on the next) is another case: poppler would join it the same way
and drop the hyphen (``AntiCorruption``, as WeasyPrint's own PDFs copy), and with
any other character the word would copy out in two.  So the rest of the word (the
next line's leading run of characters that are neither spaces nor CJK, with the
punctuation after it: 「Pacific，」) moves up into this line's replacement text,
and out of the next one's: the copy reads ``Anti-Corruption`` / ``and
Transparency``, whatever the extractor, as long as it reads replacement text.
This is done for the lines of one block as it is drawn (``draw_block_level``); a
word broken across columns or pages stays in two, as poppler keeps it anyway (the
lines are in two blocks of its text).

Other lines (headings, table cells, ragged text, code) keep no replacement text:
their glyphs copy out as they are, and poppler still gives each word its own box
(a line's replacement text is one word to it).  Lines drawn elsewhere go through
the same functions (``draw_block_level`` calls ``draw_inline_level`` for every line
of a block: list markers, footnotes, the running heads of margin boxes).  A line
that holds an inline block (drawn inside the line, with lines of its own) or an
ellipsis cut (its drawn text is not its boxes' text) never has replacement text:
nested replacement texts would hide the inner lines.

With WeasyPrint's tagged PDF (``pdf_tags``) each text box is its own marked-content
sequence with an MCID; this one, without MCID, encloses them, which ISO 32000
allows (marked content nests; only MCID sequences may not hold one another).
"""

from __future__ import annotations

import re
import unicodedata

from .justify import CJK, require_version

_DRAW_INLINE_LEVEL = _DRAW_BLOCK_LEVEL = None


def draw_block_level(page, stream, blocks_and_cells):
    """WeasyPrint's ``draw_block_level``, with the replacement text of each line
    of the blocks set first (the original calls this again for nested blocks)."""
    from weasyprint.formatting_structure import boxes

    for block in blocks_and_cells:
        if block.children and isinstance(block.children[-1], boxes.LineBox):
            set_actual_texts(block.children)
    return _DRAW_BLOCK_LEVEL(page, stream, blocks_and_cells)


def draw_inline_level(stream, page, box, *args, **kwargs):
    """WeasyPrint's ``draw_inline_level``, inside a marked-content sequence with
    the line's replacement text as ``ActualText`` when ``box`` is a line box that
    has one."""
    import pydyf
    from weasyprint.formatting_structure import boxes

    text = None
    if isinstance(box, boxes.LineBox):
        if not hasattr(box, 'actual_text'):
            set_actual_texts([box])
        text = box.actual_text
    if text is None:
        return _DRAW_INLINE_LEVEL(stream, page, box, *args, **kwargs)
    # An empty text too: the line's glyphs (a word moved up) copy out as nothing.
    stream.begin_marked_content(
        'Span', pydyf.Dictionary({'ActualText': pydyf.String(text)}))
    try:
        return _DRAW_INLINE_LEVEL(stream, page, box, *args, **kwargs)
    finally:
        stream.end_marked_content()


# A line ending with a hyphen of the source after a letter or digit, and the run
# of the next line's text that completes the word.
SOURCE_HYPHEN = re.compile(r'[^\W_]-$')
WORD_REST = re.compile(rf'[^\s{CJK.pattern[1:-1]}]+')


def set_actual_texts(lines) -> None:
    """Set ``actual_text`` on each line box of a block: its replacement text, with
    the rest of a word broken after a source hyphen moved up from the lines after
    it, or None for a line that copies out as it is."""
    texts = [line_text(line) for line in lines]
    wanted = [text is not None and (spaced(line) or hyphenated(line, text))
              for line, text in zip(lines, texts)]
    for i, text in enumerate(texts):
        following = i + 1
        while text and SOURCE_HYPHEN.search(text) and following < len(texts) \
                and texts[following]:
            rest = WORD_REST.match(texts[following])
            if rest is None:
                break
            end = rest.end()
            while end < len(texts[following]) and \
                    unicodedata.category(texts[following][end]) in ('Pe', 'Pf', 'Po'):
                end += 1  # punctuation closing the word goes with it (「Pacific，」)
            text += texts[following][:end]
            texts[following] = texts[following][end:].lstrip()
            wanted[i] = wanted[following] = True
            if texts[following]:
                break
            following += 1  # the whole line moved up: the word may go on below
        texts[i] = text
    for line, text, want in zip(lines, texts, wanted):
        line.actual_text = with_ascii_hyphen(line, text) if want else None


def spaced(line) -> bool:
    """Whether the justification widened anything on the line (justify.py)."""
    from weasyprint.formatting_structure import boxes

    return any(box.justification_spacing or getattr(
        getattr(box, 'pango_layout', None), 'cjk_justification_spacing', 0)
        for box in line.descendants() if isinstance(box, boxes.TextBox))


def hyphenated(line, text) -> bool:
    """Whether the line ends with the hyphen the layout inserted."""
    return with_ascii_hyphen(line, text) != text


def line_text(line) -> str | None:
    """The text of a line box as drawn, or None when it should have no
    replacement text."""
    if line.block_ellipsis != 'none' or line.text_overflow != 'clip':
        return None
    pieces = list(texts(line))
    if None in pieces:
        return None
    # A soft hyphen and a <wbr>'s zero-width space (pagefit) are break points,
    # not text.
    text = ''.join(pieces).replace('\u00ad', '').replace('\u200b', '')
    # Trailing spaces are drawn as glyphs (a list marker's 「(1) 」): one stays, so
    # that the text does not run into what follows on the same baseline.
    return text.rstrip() + ' ' if text.rstrip() != text else text


def with_ascii_hyphen(line, text):
    """``text`` ending with U+002D instead of the hyphen the layout inserted at
    the end of ``line`` (its ``hyphenate-character``)."""
    box = last_text_box(line)
    hyphen = box.style['hyphenate_character'] if box is not None else None
    if text and hyphen and hyphen != '-' and text.endswith(hyphen):
        return text[:-len(hyphen)] + '-'
    return text


def texts(box):
    """The text of each text box drawn for ``box``, in the order
    ``draw_inline_level`` draws them, None for an inline block (a stacking
    context drawn in the line)."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        yield box.text
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in box.children:
            yield from texts(child)
    elif not isinstance(box, boxes.Box):
        yield None  # a StackingContext: an inline block, drawn in the line


def last_text_box(box):
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        return box
    for child in reversed(getattr(box, 'children', [])):
        found = last_text_box(child)
        if found is not None:
            return found
    return None


def install(weasyprint) -> None:
    """Put ``draw_block_level`` and ``draw_inline_level`` in place; refuse a
    WeasyPrint they were not written for."""
    require_version(weasyprint, "copy-out patch", __name__)
    from weasyprint import draw

    global _DRAW_INLINE_LEVEL, _DRAW_BLOCK_LEVEL
    if _DRAW_INLINE_LEVEL is None:
        _DRAW_INLINE_LEVEL = draw.draw_inline_level
        draw.draw_inline_level = draw_inline_level
        _DRAW_BLOCK_LEVEL = draw.draw_block_level
        draw.draw_block_level = draw_block_level
