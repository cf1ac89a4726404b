"""Inter-character justification for WeasyPrint 70.0, carried until upstream has it.

WeasyPrint 70.0 justifies only by widening U+0020 and U+00A0
(``layout/inline.py``, ``count_expandable_spaces``), so a justified Chinese line,
which has no spaces, is either left ragged or gets all its slack in the few spaces
around an English word.  CSS Text 3 (§7.2, ``text-justify: auto`` / ``inter-character``)
puts the slack between typographic character units: here, besides the spaces, each
CJK character (ideographs, kana, bopomofo, CJK and full-width punctuation) is a
justification opportunity.  Latin letters never are, so an English word keeps its
letter spacing and reads back from the PDF whole.

The extra width reaches the glyphs the way WeasyPrint already adds justification
to spaces: a Pango letter-spacing attribute on each opportunity when the text is
laid out for drawing (``Layout.set_text(justify=True)``).  Pango puts half of a
character's letter spacing before it and half after, and drops the outer half at
the ends of a layout; each text box is one layout, so a CJK character at either end
of its box counts half.  The gap between two CJK characters is thus the same
everywhere, and each box widens by exactly the spacing the layout counted.

Past ``CJK_MAX_EM`` per character, a line's slack goes to its spaces and to the
seams between CJK and Latin text, where the text box is cut in two
(``cut_at_seams``) or between two text boxes, never to letters inside a word; past
``LATIN_LINE_MAX_EM`` there too, what is left is shared by all of them, so the line
ends flush.  Text copied out of the PDF is not affected by the gaps: copytext.py
gives each line its text as replacement text.

WeasyPrint has no ``text-justify`` property; this applies to every
``text-align: justify`` line, as browsers do for CJK text under ``text-justify: auto``.

Also here, as it concerns the same mixed lines: under a fixed ``line-height`` a text
box is as tall as its first available font says (``split_text_box``), so a line
with a fallback face's glyphs is not taller than the others.

``justify_line`` and ``split_text_box`` keep the names and signatures of the
functions they replace; ``add_justification_spacing`` is 70.0's ``add_word_spacing``
with two more spacings, and ``set_text`` is 70.0's with one block added, so the
change can be offered upstream as it is.  ``install`` refuses any other WeasyPrint
version: the functions are copies of, or wrap, that version's code.
"""

from __future__ import annotations

import re
from math import inf

from ..errors import SetupError

WEASYPRINT_VERSION = "70.0"

# CJK Radicals … CJK Symbols and Punctuation, kana, bopomofo, Hangul compatibility
# jamo … CJK Unified Ideographs (with extension A), compatibility ideographs,
# vertical forms, CJK compatibility forms, full-width forms, the supplementary
# ideograph planes.  Half-width katakana and forms (U+FF61 on) are excluded.
CJK = re.compile("[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
                 "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe10-\ufe1f\ufe30-\ufe4f"
                 "\uff01-\uff60\U00020000-\U0003ffff]")


# A line's slack is spread in three steps, the least visible first.  Up to this
# many em per character it goes to the CJK characters and spaces alike: a tenth of
# an em between ideographs is not seen as a gap.
CJK_MAX_EM = 0.09
# Past that (a line that could not take the next English word), the CJK
# characters keep CJK_MAX_EM and the rest goes to the spaces and to the seams
# between CJK and Latin text, up to this many em each: the places where a reader
# expects a gap, which a wider one does not tear apart.
LATIN_LINE_MAX_EM = 0.5
# Whatever is left then is spread over all of them equally, so every line with an
# opportunity ends flush.  Only a line with none (one Latin word that could not be
# broken) stays short; its line box is marked ``left_short`` for the measurements.
# The spacing does not reach copied text: each line carries its text as written
# (copytext.py), which a reader copies instead of guessing spaces from the gaps.


def justify_line(context, line, extra_width):
    """Spread ``extra_width`` over the line's spaces, CJK characters and
    CJK–Latin seams."""
    spaces, cjk, seams = count_opportunities(line)
    if not spaces + cjk + seams:
        line.left_short = extra_width > 0.01
        return
    size = line.style['font_size']
    cap, wide = CJK_MAX_EM * size, LATIN_LINE_MAX_EM * size
    spacing = cjk_spacing = extra_width / (spaces + cjk) if spaces + cjk else inf
    seam_spacing = 0
    if cjk and spacing > cap or not spaces + cjk:
        # The CJK characters keep the cap; spaces and seams (the box is cut at
        # them) take the rest up to theirs, and all share what is left.
        cut_at_seams(context, line)
        mark_seams_between_boxes(line)
        spaces, cjk, seams = count_opportunities(line)
        cjk_spacing = min(spacing, cap)
        rest = extra_width - cjk_spacing * cjk
        spacing = min(rest / (spaces + seams), wide) if spaces + seams else 0
        left = rest - spacing * (spaces + seams)
        if left > 0.01:
            share = left / (spaces + cjk + seams)
            spacing, cjk_spacing = spacing + share, cjk_spacing + share
        seam_spacing = spacing
    spacings = spacing, cjk_spacing, seam_spacing
    saved = [(box, box.position_x, box.width, getattr(box, 'pango_layout', None))
             for box in line.descendants()]
    added = add_justification_spacing(context, line, *spacings, 0)
    if abs(added - extra_width) > 0.01:
        # The letter spacing made a space next to a CJK character take another
        # face (Pango itemizes the spaced text anew): the line came out that much
        # wider or narrower whatever the spacing, so all spacings take the
        # difference, and the line is spaced again from where it was.
        for box, position_x, width, layout in saved:
            box.position_x, box.width = position_x, width
            if layout is not None:
                box.pango_layout = layout
        share = (extra_width - added) / (spaces + cjk + (seams if seam_spacing else 0))
        spacings = [value + share if value else 0 for value in spacings]
        add_justification_spacing(context, line, *spacings, 0)


def mark_seams_between_boxes(line):
    """Mark ``seam_after`` a text box that ends where the next text box of the line
    starts with no space between them, one in CJK and the other not (「亞太」 and
    <span lang="en">(Asia-Pacific</span>)."""
    leaves = list(text_leaves(line))
    for box, following in zip(leaves, leaves[1:]):
        if box is not None and following is not None and box.text and \
                following.text and seams(box.text[-1] + following.text[0]):
            box.seam_after = True


def text_leaves(box):
    """The line's text boxes in order, None for anything else in between (an
    image, an inline block), across which no seam is made."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        yield box
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in box.children:
            if child.is_in_normal_flow():
                yield from text_leaves(child)
    else:
        yield None


def count_opportunities(box):
    """(spaces and nbsp, CJK characters, CJK–Latin seams) of a box."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        # TODO (as upstream): remove trailing spaces correctly
        return (box.text.count(' ') + box.text.count('\u00a0'),
                cjk_units(box.text),
                len(seams(box.text)) + getattr(box, 'seam_after', False))
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        counts = [count_opportunities(child) for child in box.children]
        return tuple(sum(c[i] for c in counts) for i in range(3))
    else:
        return 0, 0, 0


def cjk_units(text):
    """The CJK characters of a text box, less half of one at either end: Pango
    gives each its letter spacing half before and half after, and drops the outer
    half at the ends of a layout (a text box), which stay flush."""
    if not text:
        return 0
    ends = (CJK.match(text[0]) is not None) + (CJK.match(text[-1]) is not None)
    return len(CJK.findall(text)) - ends / 2


def seams(text):
    """Indexes where CJK and other text meet, with no space between them."""
    kinds = [None if char.isspace() else bool(CJK.match(char)) for char in text]
    return [i for i in range(1, len(text)) if None not in kinds[i - 1:i + 1]
            and kinds[i - 1] != kinds[i]]


def add_justification_spacing(context, box, spacing, cjk_spacing, seam_spacing,
                              x_advance):
    """WeasyPrint 70.0's ``add_word_spacing``, with a second spacing for CJK
    characters, kept on the box and on its Pango layout for drawing, and a third
    at CJK–Latin seams, where the text box is cut in two to make the gap.  A box
    widens by what its spaced layout measures, which is what is drawn."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.line_break import create_layout, line_size

    if isinstance(box, boxes.TextBox):
        box.justification_spacing = spacing
        box.position_x += x_advance
        spaces, cjk, _ = count_opportunities(box)
        if spaces or cjk:
            layout = create_layout(
                box.text, box.style, context, max_width=None,
                justification_spacing=box.justification_spacing)
            # Measured, not counted: a spaced text may be shaped with another
            # face for its spaces (see justify_line).
            layout.cjk_justification_spacing = cjk_spacing
            layout.set_text(box.text, justify=True)
            extra_space = line_size(
                layout.get_first_line()[0], box.style)[0] - box.width
            layout.deactivate()
            x_advance += extra_space
            box.width += extra_space
            box.pango_layout = layout
        if getattr(box, 'seam_after', False):
            x_advance += seam_spacing
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        previous_x_advance = x_advance
        children = box.children
        if box.style['direction'] == 'rtl':
            children = children[::-1]
        for child in children:
            if child.is_in_normal_flow():
                x_advance = add_justification_spacing(
                    context, child, spacing, cjk_spacing, seam_spacing,
                    x_advance)
        box.width += x_advance - previous_x_advance
    else:
        # Atomic inline-level box
        box.translate(x_advance, 0)
    return x_advance


def cut_at_seams(context, box):
    """Cut each text box of the line at its CJK–Latin seams into one box per run,
    each with its own layout; all but the last of a run are marked ``seam_after``.
    The last takes what rounding leaves, so the runs end where the box ended."""
    from weasyprint.formatting_structure import boxes

    children = []
    for child in box.children:
        if isinstance(child, (boxes.LineBox, boxes.InlineBox)):
            cut_at_seams(context, child)
        points = seams(child.text) if isinstance(child, boxes.TextBox) else []
        if points and child.style['direction'] != 'rtl':
            children.extend(_runs(context, child, points))
        else:
            children.append(child)
    box.children = children


def _runs(context, child, points):
    from weasyprint.text.line_break import create_layout, line_size

    x, parts = child.position_x, []
    for start, end in zip([0] + points, points + [len(child.text)]):
        part = child.copy_with_text(child.text[start:end])
        layout = create_layout(part.text, part.style, context, None, 0)
        part.width = line_size(layout.get_first_line()[0], part.style)[0]
        part.position_x, part.seam_after = x, True
        layout.deactivate()
        part.pango_layout = layout
        x += part.width
        parts.append(part)
    parts[-1].seam_after = False
    parts[-1].width += child.position_x + child.width - x
    return parts


def set_text(self, text, justify=False):
    """WeasyPrint 70.0's ``Layout.set_text``, plus letter spacing on CJK characters
    when the text is laid out justified (the block marked below)."""
    from weasyprint.text.ffi import TO_UNITS, ffi, pango, unicode_to_char_p

    index = text.find('\n')
    if index != -1:
        # Keep only the first line plus one character, we don't need more
        text = text[:index+2]
    self.text = text
    text, bytestring = unicode_to_char_p(text)
    pango.pango_layout_set_text(self.layout, text, -1)

    word_spacing = self.style['word_spacing']
    if justify:
        # Justification is needed when drawing text but is useless during
        # layout, when it can be ignored.
        word_spacing += self.justification_spacing

    letter_spacing = self.style['letter_spacing']
    if letter_spacing == 'normal':
        letter_spacing = 0

    word_breaking = (
        self.style['overflow_wrap'] in ('anywhere', 'break-word'))

    if self.text and (word_spacing or letter_spacing or word_breaking or (
            justify and getattr(self, 'cjk_justification_spacing', 0))):
        attr_list = pango.pango_layout_get_attributes(self.layout)
        if attr_list == ffi.NULL:
            attr_list = ffi.gc(
                pango.pango_attr_list_new(),
                pango.pango_attr_list_unref)

        def add_attr(start, end, spacing):
            attr = pango.pango_attr_letter_spacing_new(spacing)
            attr.start_index, attr.end_index = start, end
            pango.pango_attr_list_change(attr_list, attr)

        if letter_spacing:
            letter_spacing = int(letter_spacing * TO_UNITS)
            add_attr(0, len(bytestring), letter_spacing)

        if word_spacing:
            if bytestring == b' ':
                # We need more than one space to set word spacing
                self.text = ' \u200b'  # Space + zero-width space
                text, bytestring = unicode_to_char_p(self.text)
                pango.pango_layout_set_text(self.layout, text, -1)

            space_spacing = int(word_spacing * TO_UNITS + letter_spacing)
            # Pango gives only half of word-spacing on boundaries
            boundary_positions = (0, len(bytestring) - 1)
            for match in re.finditer(' |\u00a0'.encode(), bytestring):
                factor = 1 + (match.start() in boundary_positions)
                add_attr(match.start(), match.end(), factor * space_spacing)

        # Added: inter-character justification.  Each CJK character gets the
        # justification spacing as letter spacing, which Pango splits half before
        # and half after it (and drops at the ends of the text, see cjk_units).
        cjk_spacing = getattr(self, 'cjk_justification_spacing', 0)
        if justify and cjk_spacing:
            spacing = int(cjk_spacing * TO_UNITS + letter_spacing)
            for start, end in cjk_byte_ranges(self.text):
                add_attr(start, end, spacing)

        if word_breaking:
            attr = pango.pango_attr_insert_hyphens_new(False)
            attr.start_index, attr.end_index = 0, len(bytestring)
            pango.pango_attr_list_change(attr_list, attr)

        pango.pango_layout_set_attributes(self.layout, attr_list)

    # Tabs width
    if b'\t' in bytestring:
        self.set_tabs()


def cjk_byte_ranges(text: str):
    """(start, end) UTF-8 byte offsets of each CJK character of ``text``."""
    position, byte = 0, 0
    for match in CJK.finditer(text):
        byte += len(text[position:match.start()].encode())
        size = len(match.group().encode())
        yield byte, byte + size
        position, byte = match.end(), byte + size


def split_text_box(context, box, available_width, skip, is_line_start=True):
    """WeasyPrint 70.0's ``split_text_box``, then, under a fixed ``line-height``,
    the box's layout bounds from its first available font, as browsers do (CSS
    Inline 3): a line whose glyphs come from a fallback face (the report's Latin
    face next to TW-Kai) is then as tall as any other, not 24.5 pt here and 26.3
    there."""
    from weasyprint.text.line_break import strut

    new_box, resume, preserved_line_break = _SPLIT_TEXT_BOX(
        context, box, available_width, skip, is_line_start)
    if new_box is not None and new_box.style['line_height'] != 'normal':
        line_height, baseline = strut(new_box.style)
        new_box.margin_top = new_box.margin_bottom = 0
        new_box.height, new_box.baseline = line_height, baseline
    return new_box, resume, preserved_line_break


_SPLIT_TEXT_BOX = None


def require_version(weasyprint, patch: str, module: str) -> None:
    """Refuse a WeasyPrint other than the one the patches are copies of."""
    if weasyprint.__version__ != WEASYPRINT_VERSION:
        raise SetupError(
            f"WeasyPrint {weasyprint.__version__} is installed; meetdocs carries a "
            f"{patch} written for WeasyPrint {WEASYPRINT_VERSION} "
            f"({module.replace('.', '/')}.py) and does not run with another version",
            f"install the pinned version: pip install weasyprint=={WEASYPRINT_VERSION} "
            "(python3 build.py does it from requirements.lock)")


def install(weasyprint) -> None:
    """Put the functions in place; refuse a WeasyPrint they were not written for."""
    require_version(weasyprint, "justification patch", __name__)
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    inline.justify_line = justify_line
    global _SPLIT_TEXT_BOX
    if _SPLIT_TEXT_BOX is None:
        _SPLIT_TEXT_BOX = inline.split_text_box
        inline.split_text_box = split_text_box
    line_break.Layout.set_text = set_text
