"""Text that copies out of the PDF as it was written, for WeasyPrint 70.0.

A PDF holds glyphs at positions, not text: a reader's copy (poppler's pdftotext,
most viewers) guesses the spaces from the gaps between glyphs, and reads a gap
wider than about 0.1 em as a word space.  Justified Chinese lines (justify.py)
have such gaps between CJK characters and at the seams between CJK and Latin text,
and ``hyphens: auto`` draws a hyphen (U+2010) that is not in the text.

So each line box is drawn inside a marked-content sequence carrying its text as
replacement text (ISO 32000-1 §14.9.4, ``/Span <</ActualText (…)>> BDC … EMC``):
a reader takes the line's text from there whatever its glyphs' spacing.  The text
is the line's text boxes in order, trailing spaces dropped.  A line that ends with
the hyphen the layout inserted (the ``hyphenate-character``) ends with ASCII
U+002D in its replacement text instead: that is the character poppler looks for to
join a word broken across lines (``Com-`` + ``munity`` copies as ``Community``).

A hyphen written in the source (``Asia-`` at a line end, ``Pacific`` on the next)
keeps its own character, U+002D: poppler joins it and drops it (``AsiaPacific``),
as it did before this module, because a PDF cannot tell it a hyphen is the text's
own; other extractors keep it and the line break.

Lines drawn elsewhere go through the same function (``draw_block_level`` calls it
for every line of a block, list markers, footnotes and the running heads of margin
boxes included), so they get the same treatment.  A line that holds an inline block
(drawn inside the line, with lines of its own) or an ellipsis cut (its drawn text
is not its boxes' text) keeps no replacement text: nested replacement texts would
hide the inner lines, and its glyphs copy out as WeasyPrint draws them.

With WeasyPrint's tagged PDF (``pdf_tags``) each text box is its own marked-content
sequence with an MCID; this one, without MCID, encloses them, which ISO 32000
allows (marked content nests; only MCID sequences may not hold one another).
"""

from __future__ import annotations

from ..errors import SetupError
from .justify import WEASYPRINT_VERSION

_DRAW_INLINE_LEVEL = None


def draw_inline_level(stream, page, box, *args, **kwargs):
    """WeasyPrint's ``draw_inline_level``, inside a marked-content sequence with
    the line's text as ``ActualText`` when ``box`` is a line box."""
    import pydyf
    from weasyprint.formatting_structure import boxes

    text = line_text(box) if isinstance(box, boxes.LineBox) else None
    if not text:
        return _DRAW_INLINE_LEVEL(stream, page, box, *args, **kwargs)
    stream.begin_marked_content(
        'Span', pydyf.Dictionary({'ActualText': pydyf.String(text)}))
    try:
        return _DRAW_INLINE_LEVEL(stream, page, box, *args, **kwargs)
    finally:
        stream.end_marked_content()


def line_text(line) -> str | None:
    """The replacement text of a line box, or None when it should have none."""
    if line.block_ellipsis != 'none' or line.text_overflow != 'clip':
        return None
    pieces = list(texts(line))
    if None in pieces:
        return None
    text = ''.join(pieces).replace('\u00ad', '').rstrip()
    hyphen = last_text_box(line)
    hyphen = hyphen.style['hyphenate_character'] if hyphen is not None else None
    if hyphen and hyphen != '-' and text.endswith(hyphen):
        text = text[:-len(hyphen)] + '-'
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
    """Put ``draw_inline_level`` in place; refuse a WeasyPrint it was not
    written for."""
    if weasyprint.__version__ != WEASYPRINT_VERSION:
        raise SetupError(
            f"WeasyPrint {weasyprint.__version__} is installed; meetdocs carries a "
            f"copy-out patch written for WeasyPrint {WEASYPRINT_VERSION} "
            "(meetdocs/writers/copytext.py) and does not run with another version",
            f"install the pinned version: pip install weasyprint=={WEASYPRINT_VERSION} "
            "(python3 build.py does it from requirements.lock)")
    from weasyprint import draw

    global _DRAW_INLINE_LEVEL
    if _DRAW_INLINE_LEVEL is None:
        _DRAW_INLINE_LEVEL = draw.draw_inline_level
        draw.draw_inline_level = draw_inline_level
