"""Line splitting in linear time for long Chinese text, for WeasyPrint 70.0.

To find where the first line of a text ends, WeasyPrint 70.0's ``split_first_line``
(``text/line_break.py``) lays out with Pango only a short prefix of the text when it
can: as many characters as could fill the width four times over.  When the width is
under four em (a table cell's min-content width is measured at width 0; a narrow
column), it takes the text up to its first space instead, and Chinese has no
spaces: every call lays out the whole rest of the text.  The min-content width of
a table cell splits the cell's text into all its lines, one call per line, so a
cell of 3,000 Chinese characters took 3,000 layouts of up to 3,000 characters:
about 30 s for each time WeasyPrint sizes that table (several times per render).

``split_first_line`` here gives WeasyPrint the same kind of prefix in that case,
``PREFIX`` characters, growing fourfold while it is not enough.  A prefix is
enough on the condition 70.0 itself sets for its own prefixes: its first line ends
before the prefix does, and what follows that line in the prefix holds another
break opportunity (step #3 looks for the next word there, step #4 hyphenates it).
Line breaking looks only at the characters around a break, so that line is the
one the whole text gives; with a prefix that is not enough, the result is the
original's on a longer prefix, at worst on the whole text.  The rendered pages are
byte-identical with and without it (tests/test_linesplit.py).
"""

from __future__ import annotations

from .justify import require_version

# Characters laid out first: many lines at a width under four em, and short
# enough that each layout is cheap.
PREFIX = 64

_SPLIT_FIRST_LINE = _NEXT_BREAK = None  # WeasyPrint's, set by install


def split_first_line(text, style, context, max_width, justification_spacing,
                     is_line_start=True, minimum=False):
    """70.0's ``split_first_line`` on the shortest prefix of ``text`` (``PREFIX``
    characters, then four times as many, …) that gives the same first line."""
    size = PREFIX
    while _wants_prefix(text, style, max_width, size):
        result = _SPLIT_FIRST_LINE(text[:size], style, context, max_width,
                                   justification_spacing, is_line_start, minimum)
        if _enough(text[:size], result[2], style):
            return result
        size *= 4
    return _SPLIT_FIRST_LINE(text, style, context, max_width, justification_spacing,
                             is_line_start, minimum)


def _wants_prefix(text, style, max_width, size) -> bool:
    """The case 70.0 lays out the whole text for: a width under four em, wrapping
    text, and no space in the first ``size`` characters; the text is longer."""
    return (len(text) > size and max_width is not None and style['font_size']
            and style['font_size'] * 4 > max_width
            and style['white_space'] in ('normal', 'pre-wrap', 'pre-line')
            and ' ' not in text[:size])


def _enough(prefix: str, resume_index, style) -> bool:
    """The prefix's first line ends inside it and is followed there by another
    break opportunity."""
    if resume_index is None:
        return False
    rest = prefix.encode()[resume_index:].decode(errors="ignore")
    return _NEXT_BREAK(rest, style['lang']) is not None


def install(weasyprint) -> None:
    """Put ``split_first_line`` where WeasyPrint's layout calls it."""
    require_version(weasyprint, "line-splitting patch", __name__)
    from weasyprint.layout import inline, preferred
    from weasyprint.text import line_break

    global _SPLIT_FIRST_LINE, _NEXT_BREAK
    if _SPLIT_FIRST_LINE is None:
        _SPLIT_FIRST_LINE = line_break.split_first_line
        _NEXT_BREAK = line_break.get_next_break_point_from_text
        inline.split_first_line = preferred.split_first_line = split_first_line
