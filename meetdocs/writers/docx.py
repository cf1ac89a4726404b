"""HTML → DOCX with python-docx, every look taken from the format's reference.docx.

The writer opens ``reference.docx``, empties its body (keeping the section, so page
size, margins and the PAGE-field footer come from it) and walks the HTML with one
handler per element: ``BLOCKS`` for elements that make paragraphs, lists and tables,
``INLINES`` for those that make runs inside them.  The table of both is in
docs/templates.md ("HTML to Word") for template authors; an element in neither list
passes its content through, so nothing is dropped for want of a handler.  The Word
XML that python-docx has no API for is declared in ``docx_xml``.

Whitespace follows HTML: runs of spaces and newlines in text are one space (the
Markdown keeps a source line break between English words as a newline), ``<br>`` is
a line break, and ``<pre>`` keeps its lines and spaces.
"""

from __future__ import annotations

import io
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

import docx
import lxml.html
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.shape import CT_Inline
from docx.shared import Twips
from docx.table import _Cell
from docx.text.run import Run

from .. import files, images, stamps
from ..errors import BuildError, Problem
from ..markdown import join_cjk_breaks, source_line
from ..reference import (CODE_FONT, QUOTE_INDENT, new_list_num,
                         set_fixed_core_properties)
from . import docx_images, docx_xml
from .docx_notes import Footnotes
from .finish import finished_docx

PAGE_BREAK_AFTER = ("page-break",)
LINK_SCHEMES = ("http", "https", "mailto")
LIST_STYLES = {"ol": ("number", "List Number"), "ul": ("bullet", "List Bullet")}
LIST_LEFT, LIST_STEP = 980, 420  # the list styles' indents (reference.py), twips
LIST_CONTINUE = "list continuation"  # a list item's later paragraphs: no number
MAX_LIST_LEVEL = 8  # Word's levels are 0–8
CELL_MARGINS = 216  # twips: Word's default 0.19 cm each side
NOTE_LIST_STEP = 300  # twips, a sub-list's indent in a note (1.5 em of 10 pt)
_SPACES = re.compile(r"[ \t\n\r\f]+")
_ALIGN = re.compile(r"text-align:\s*(left|right|center|justify)")
ALIGNMENTS = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT,
              "center": WD_ALIGN_PARAGRAPH.CENTER,
              "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}


def write(job) -> bytes:
    reference = job.fmt.reference_path(job.folder)
    if reference is None or not reference.is_file():
        raise BuildError([Problem(job.shown, None, "a DOCX needs Word styles: the "
                                  "format has no reference.docx", "'reference: "
                                  "reference.docx' in format.yaml and the file",
                                  str(reference.name) if reference else "none")])
    # The bytes hashed for the build's key (stamps.snapshot), not a second read.
    document = docx.Document(io.BytesIO(stamps.read_bytes(reference)))
    writer = DocxWriter(document, job)
    writer.flow(lxml.html.document_fromstring(job.html).find("body"))
    writer.finish()
    if writer.problems:
        raise BuildError(writer.problems)
    return finished_docx(job, document)  # TOC page numbers, head, ODT: finish.py


# ------------------------------------------------------------------ state


@dataclass(frozen=True)
class Look:
    """How the runs of an inline element look; each handler changes one field."""

    bold: bool = False
    italic: bool = False
    strike: bool = False
    code: bool = False
    vertical: str | None = None  # "superscript" or "subscript"
    style: str | None = None     # a character style (Hyperlink)


@dataclass(frozen=True)
class Place:
    """Where blocks go: the story (body, a cell, a note) and what they look like."""

    story: object                # has add_paragraph(style=)
    part: object                 # the part relationships (links, pictures) go in
    style: str = "Normal"        # the paragraph style of a plain <p> here
    width: int = 0               # twips available to a picture
    quote: int = 0               # blockquote depth
    level: int = 0               # list depth
    in_note: bool = False


class Line:
    """One paragraph being filled with runs, collapsing whitespace as HTML does."""

    def __init__(self, paragraph, parent=None):
        self.paragraph = paragraph
        self.parent = parent if parent is not None else paragraph._p
        self.after_space = True  # at the start, leading spaces go too
        self.used = False
        self._outer: Line | None = None  # the paragraph's line, for a link's line

    def within(self, parent) -> "Line":
        """The same line, writing into ``parent`` (a hyperlink) instead."""
        line = Line(self.paragraph, parent)
        line.after_space, line._outer = self.after_space, self
        return line

    def run(self, text: str = "", look: Look = Look()) -> Run:
        r = self.parent._add_r() if self.parent.tag == qn("w:hyperlink") \
            else self.paragraph._p.add_r()
        run = Run(r, self.paragraph)
        if text:
            run.text = text
        apply_look(run, look)
        self._set_space(False)
        self.used = True
        return run

    def text(self, text: str, look: Look) -> None:
        if "\u2028" in text:  # Word's line separator, pasted: a line break
            for number, part in enumerate(text.split("\u2028")):
                if number:
                    docx_xml.line_break(self.run()._r)
                    self._set_space(True)
                self.text(part, look)
            return
        text = _SPACES.sub(" ", join_cjk_breaks(text))
        if self.after_space:
            text = text.lstrip(" ")
        if text:
            self.run(text, look)
            self._set_space(text.endswith(" "))

    def _set_space(self, value: bool) -> None:
        line = self
        while line is not None:
            line.after_space = value
            line = line._outer


def apply_look(run, look: Look) -> None:
    if look.style:
        run.style = look.style
    elif look.code:
        run.style = "Verbatim Char"
    font = run.font
    if look.code and look.style:
        font.name = CODE_FONT  # code inside a link: the link's style, the code's face
    for name in ("bold", "italic", "strike"):
        if getattr(look, name):
            setattr(font, name, True)
    if look.vertical:
        setattr(font, look.vertical, True)


def end_line(paragraph) -> None:
    """Drop the spaces a paragraph ends with (HTML does not show them)."""
    texts = paragraph._p.findall(".//" + qn("w:t"))
    if texts and texts[-1].text:
        texts[-1].text = texts[-1].text.rstrip(" ")


# ----------------------------------------------------------------- writer


class DocxWriter:
    def __init__(self, document, job):
        self.doc, self.job = document, job
        self.problems: list[Problem] = []
        self.notes = Footnotes(document)
        self.styles = {style.name for style in document.styles}
        self.page_height, width = text_area(document.sections[-1])
        self.place = Place(document, document.part, width=width)
        self.shape_ids = _largest_shape_id(document)
        _empty_body(document)

    def finish(self):
        set_fixed_core_properties(self.doc)
        core = self.doc.core_properties
        core.title, core.language = self.job.title, "zh-TW"

    def style(self, name: str, fallback: str = "Normal") -> str:
        """``name`` if the reference has it; an older reference.docx may not."""
        return name if name in self.styles else fallback

    @contextmanager
    def at(self, **changes):
        saved, self.place = self.place, replace(self.place, **changes)
        try:
            yield self.place
        finally:
            self.place = saved

    # ------------------------------------------------------------ blocks

    def flow(self, el, first=None):
        """The children of ``el`` as blocks.  Text and inline elements between
        blocks make a paragraph of the place's style, as HTML's anonymous boxes;
        the first of them goes into ``first`` if given (a list item's own line)."""
        line = Line(first) if first is not None else None
        for kind, piece in _pieces(el):
            if kind == "block" and line is not None and line.paragraph is first \
                    and not line.used and _first_paragraph(piece):
                self.inline_content(piece, line, Look())  # <li><p>: the item's line
                kind = "done"
            if kind in ("block", "done"):
                if line is not None:
                    end_line(line.paragraph)
                line = None
                if kind == "block":
                    self.block(piece)
                continue
            if line is None and kind == "text" and not _SPACES.sub("", piece):
                continue  # whitespace between blocks
            if line is None:
                line = Line(self.paragraph(self.place.style))
            if kind == "text":
                line.text(piece, Look())
            else:
                self.inline_element(piece, line, Look())
        if line is not None:
            end_line(line.paragraph)

    def block(self, el):
        if _note_block(el):
            note_list = "note-list" in el.get("class", "").split()
            (DocxWriter.note_list if note_list else DocxWriter.note_paragraph)(self, el)
        else:
            BLOCKS[el.tag](self, el)
        if set(el.get("class", "").split()) & set(PAGE_BREAK_AFTER):
            self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def paragraph(self, style: str):
        if style == LIST_CONTINUE:
            # A list item's later paragraph: indented with the item, no number.
            paragraph = self.place.story.add_paragraph(style=self.style("List Continue"))
            level = self.place.level - 1
            if level or "List Continue" not in self.styles:
                docx_xml.no_first_line_indent(paragraph, LIST_LEFT + LIST_STEP * level)
            return paragraph
        paragraph = self.place.story.add_paragraph(style=self.style(style))
        if self.place.quote > 1:  # the Quote style indents the first level
            docx_xml.no_first_line_indent(paragraph, QUOTE_INDENT * self.place.quote)
        return paragraph

    def filled(self, el, style: str):
        """A paragraph of ``style`` holding ``el``'s inline content."""
        paragraph = self.paragraph(style)
        self.inline_content(el, Line(paragraph), Look())
        end_line(paragraph)
        return paragraph

    def text_block(self, el):  # p, and any class the reference has a style for
        self.filled(el, self.style_for_class(el, self.place.style)
                    if self.place.style != LIST_CONTINUE else LIST_CONTINUE)

    def caption(self, el):
        self.filled(el, "Caption")

    def heading(self, el):
        level = int(el.tag[1])
        paragraph = self.filled(el, f"Heading {level}")
        if "unnumbered" in el.get("class", "").split() and level <= 5:
            # numId 0 switches the style's numbering off for this paragraph only,
            # so 摘要 stays a real Heading 1 (in the TOC, for pandoc, in outline).
            docx_xml.set_num(paragraph, 0, 0)

    def container(self, el):  # section, div, article …: their children
        self.flow(el)

    def listing(self, el):
        kind, style = LIST_STYLES[el.tag]
        level = min(self.place.level, MAX_LIST_LEVEL)
        start = _int(el.get("start"), 1)
        num_id = new_list_num(self.doc, kind, start, level)
        # The text of a level starts one step further in than the level above.
        width = self.place.width - (LIST_STEP if level else LIST_LEFT)
        for item in el.iterchildren("li"):
            paragraph = self.paragraph(style)
            docx_xml.set_num(paragraph, num_id, level)
            with self.at(level=level + 1, style=LIST_CONTINUE, width=width):
                self.flow(item, first=paragraph)

    def quote(self, el):
        with self.at(quote=self.place.quote + 1, style="Quote",
                     width=self.place.width - QUOTE_INDENT):
            self.flow(el)

    def code_block(self, el):
        """Lines kept, one paragraph with line breaks, spaces preserved."""
        paragraph = self.paragraph("Source Code")
        text = el.text_content()
        lines = (text[:-1] if text.endswith("\n") else text).split("\n")
        for number, text in enumerate(lines):
            if number:
                docx_xml.line_break(paragraph.add_run()._r)
            if text:
                docx_xml.preserve_spaces(paragraph.add_run(text)._r)

    def rule(self, el):
        paragraph = self.paragraph("Horizontal Rule")
        if "Horizontal Rule" not in self.styles:
            docx_xml.bottom_border(paragraph)

    def figure(self, el):
        with self.at(style="Figure"):
            self.flow(el)

    def box(self, el):
        with self.at(style="Box Text"):
            self.flow(el)

    def nothing(self, el):  # style, script, template: not content, in the PDF neither
        pass

    def drawing(self, el, line=None, look=None):
        self.problems.append(self.template_problem(
            "<svg", "an inline SVG drawing cannot go in a Word file", "a PNG or "
            "JPEG picture (<img>) for formats that make a DOCX", "<svg>"))

    def nav(self, el):
        if "toc" in el.get("class", "").split():
            self.toc(el)
        else:
            self.flow(el)

    def table(self, el):
        rows = el.findall(".//tr")
        columns = max((len(r.xpath("th|td")) for r in rows), default=0)
        table = _add_table(self.place.story, len(rows), columns, self.place.width)
        table.style = self.doc.styles[self.style("Report Table", "Normal Table")]
        widths = column_widths(rows, columns, self.place.width)
        set_column_widths(table, widths)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row.xpath("th|td")):
                self.cell(table.cell(r, c), cell, widths[c])
            if row.getparent().tag == "thead":
                docx_xml.repeat_header(table.rows[r])

    def cell(self, cell, el, width: int):
        first = cell.paragraphs[0]
        first.style = self.doc.styles[self.style("Table Text")]
        with self.at(story=cell, style="Table Text", width=width - CELL_MARGINS):
            self.flow(el, first=first)
        if (align := _ALIGN.search(el.get("style", ""))):
            for paragraph in cell.paragraphs:
                paragraph.alignment = ALIGNMENTS[align[1]]

    def toc(self, el):
        title = el.find(".//h1")
        if title is not None:
            self.filled(title, "TOC Heading")
        entries = [(int(li.get("class", "toc-1")[-1]), li.text_content().strip())
                   for li in el.iter("li")]
        add_toc_field(self.doc, entries)

    def style_for_class(self, element, default: str) -> str:
        """``class="cover-title"`` → the Word style "Cover Title", if the reference has
        one; classes that only the PDF's CSS knows fall back to ``default``."""
        for cls in element.get("class", "").split():
            name = " ".join(word.capitalize() for word in cls.split("-"))
            if name in self.styles:
                return name
        return default

    # ------------------------------------------------------------ inline

    def inline_content(self, el, line: Line, look: Look):
        if el.text:
            line.text(el.text, look)
        for child in el:
            self.inline_element(child, line, look)
            if child.tail:
                line.text(child.tail, look)

    def inline_element(self, el, line: Line, look: Look):
        if not isinstance(el.tag, str):
            return  # a comment or processing instruction
        INLINES.get(el.tag, DocxWriter.inline_content)(self, el, line, look)

    def bold(self, el, line, look):
        self.inline_content(el, line, replace(look, bold=True))

    def italic(self, el, line, look):
        self.inline_content(el, line, replace(look, italic=True))

    def strike(self, el, line, look):
        self.inline_content(el, line, replace(look, strike=True))

    def code(self, el, line, look):
        text = _SPACES.sub(" ", el.text_content())
        run = line.run(text, replace(look, code=True))
        docx_xml.preserve_spaces(run._r)

    def superscript(self, el, line, look):
        self.inline_content(el, line, replace(look, vertical="superscript"))

    def subscript(self, el, line, look):
        self.inline_content(el, line, replace(look, vertical="subscript"))

    def line_break(self, el, line, look):
        docx_xml.line_break(line.run()._r)
        line.after_space = True

    def anchor(self, el, line, look):
        href = el.get("href", "")
        if "note-again" in el.get("class", "").split():
            self.note_again(href.lstrip("#"), line)
        elif urlsplit(href).scheme.lower() in LINK_SCHEMES:
            r_id = self.place.part.relate_to(href, RT.HYPERLINK, is_external=True)
            link = docx_xml.hyperlink(line.paragraph._p, r_id)
            self.inline_content(el, line.within(link),
                                replace(look, style=self.style("Hyperlink", None)))
        else:  # a link inside the document (#h3): its text
            self.inline_content(el, line, look)

    def span(self, el, line, look):
        if "footnote" in el.get("class", "").split() and not self.place.in_note:
            self.footnote(el, line)
        else:
            self.inline_content(el, line, look)

    def picture(self, el, line, look):
        src = el.get("src", "")
        picture = docx_images.read_picture(self.job.folder, src)
        if isinstance(picture, images.Refusal):
            self.problems.append(self.image_problem(src, picture))
            return
        # Room for the caption under a figure.  Elsewhere the paragraph may be
        # spaced 1.5 lines, and Word multiplies a line's height, picture included.
        figure = self.place.style == "Figure"
        height = self.page_height * 9 // 10 if figure else self.page_height * 6 // 10
        cx, cy = docx_images.fitted_size(picture, self.place.width * 635, height * 635)
        r_id, _ = self.place.part.get_or_add_image(io.BytesIO(picture.data))
        self.shape_ids += 1
        inline = CT_Inline.new_pic_inline(self.shape_ids, r_id, picture.name, cx, cy)
        inline.docPr.set("descr", el.get("alt", ""))  # read aloud by screen readers
        line.run()._r.add_drawing(inline)

    # ---------------------------------------------------------- footnotes

    def footnote(self, el, line):
        note, first = self.notes.call(line.run(), el.get("id"))
        width = self.place.width
        with self.at(story=note, part=self.notes.part, style="Footnote Text",
                     quote=0, level=0, in_note=True, width=width):
            self.flow(el, first=first)

    def note_paragraph(self, el):
        self.filled(el, "Footnote Text")

    def note_list(self, el):
        """Items as paragraphs of the note, numbered or bulleted as text (a note's
        list is short, and its own numbering would be one more list to keep);
        a sub-list inside an item goes one step further in."""
        ordered = el.get("data-list") == "ol"
        number, depth = _int(el.get("data-start"), 1), self.place.level
        for item in el.iterchildren("span"):
            paragraph = self.paragraph("Footnote Text")
            if depth:
                docx_xml.no_first_line_indent(paragraph, NOTE_LIST_STEP * depth)
            Line(paragraph).text(f"{number}. " if ordered else "• ", Look())
            with self.at(level=depth + 1):
                self.flow(item, first=paragraph)
            number += 1

    def note_again(self, html_id: str, line):
        if not self.notes.again(line.run, html_id):
            self.problems.append(self.job.locate(
                html_id, f"a note is called again before it is written: #{html_id}"))

    # ------------------------------------------------------------ problems

    def image_problem(self, src: str, refusal) -> Problem:
        """At the Markdown line naming ``src``, or else at the template that wrote it."""
        line = source_line(self.job.source, (src, unquote(src)), self.job.source_line)
        if line is not None:
            return Problem(self.job.shown, line, refusal.message, refusal.expected,
                           refusal.found)
        return self.template_problem(src, f"{refusal.message} (an <img> the template "
                                     "writes)", refusal.expected, refusal.found)

    def template_problem(self, needle: str, message: str, expected=None, found=None):
        """At the line of the document's template that holds ``needle``, if it does
        (it may come from a file the template includes)."""
        template = _template_file(self.job)
        roots = [self.job.folder, self.job.project / "templates"]
        try:  # only to find the line: a template that cannot be read has none
            text = files.read_inside(template, roots, template).decode("utf-8",
                                                                       "replace")
        except BuildError:
            text = ""
        return Problem(_shown(template, self.job.project),
                       source_line(text, needle, 1) if text else None,
                       message, expected, found)


def _pieces(el):
    """(kind, text-or-element) of ``el``'s content in order: "text", "inline", "block"."""
    if el.text:
        yield "text", el.text
    for child in el:
        if isinstance(child.tag, str):
            is_block = child.tag in BLOCKS or _note_block(child)
            yield ("block" if is_block else "inline"), child
        if child.tail:
            yield "text", child.tail


def _first_paragraph(el) -> bool:
    return el.tag == "p" or (_note_block(el) and "note-p" in el.get("class", ""))


def _note_block(el) -> bool:
    classes = el.get("class", "").split()
    return el.tag == "span" and ("note-p" in classes or "note-list" in classes)


def _add_table(story, rows: int, columns: int, width: int):
    if isinstance(story, docx.document.Document):
        return story.add_table(rows, columns)
    if isinstance(story, _Cell):  # a table in a cell takes the cell's width
        return story.add_table(rows, columns)
    return story.add_table(rows, columns, Twips(width))  # a note


def _int(value, default: int) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return default


def _template_file(job) -> Path:
    own = job.folder / "templates" / job.fmt.name / job.fmt.template
    return own if own.is_file() else job.fmt.folder / job.fmt.template


def _shown(path: Path, project: Path):
    try:
        return path.relative_to(project)
    except ValueError:
        return path


def _empty_body(document):
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _largest_shape_id(document) -> int:
    """Picture ids (wp:docPr) must be unique in the package; a reference's header
    may hold a logo."""
    largest = 0
    for part in document.part.package.iter_parts():
        element = getattr(part, "_element", None)
        if element is not None:
            ids = element.xpath("//*[local-name()='docPr']/@id")
            largest = max([largest, *(int(i) for i in ids if i.isdigit())])
    return largest


def text_area(section) -> tuple[int, int]:
    """Height and width of the text on the page, in twips (A4 by default)."""
    def twips(value, default: int) -> int:
        return value // 635 if value is not None else default
    height = twips(section.page_height, 16838) - twips(section.top_margin, 1417) \
        - twips(section.bottom_margin, 1417)
    width = twips(section.page_width, 11906) - twips(section.left_margin, 1701) \
        - twips(section.right_margin, 1701)
    return height, width


def display_width(text: str) -> int:
    """Columns of text, a Chinese character counting as two Latin ones."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text.strip())


def column_widths(rows, columns: int, width: int) -> list[int]:
    """Share ``width`` (twips) by each column's longest text (clamped), so a date
    column stays narrow instead of wrapping one character per line."""
    longest = [4] * columns
    for row in rows:
        for c, cell in enumerate(row.xpath("th|td")):
            # + 4 for the cell margins
            longest[c] = max(longest[c], min(display_width(cell.text_content()) + 4, 48))
    return [width * length // sum(longest) for length in longest]


def set_column_widths(table, widths: list[int]):
    table.autofit = False
    for c, width in enumerate(widths):
        table.columns[c].width = Twips(width)  # the grid, which LibreOffice follows
        for cell in table.columns[c].cells:  # the cells, which Word follows
            cell.width = Twips(width)


BLOCKS = {
    **{f"h{n}": DocxWriter.heading for n in range(1, 7)},
    "p": DocxWriter.text_block, "figcaption": DocxWriter.caption,
    "ul": DocxWriter.listing, "ol": DocxWriter.listing,
    "blockquote": DocxWriter.quote, "pre": DocxWriter.code_block,
    "hr": DocxWriter.rule, "table": DocxWriter.table, "figure": DocxWriter.figure,
    "aside": DocxWriter.box, "nav": DocxWriter.nav, "svg": DocxWriter.drawing,
    **{tag: DocxWriter.nothing for tag in ("style", "script", "template", "head")},
    **{tag: DocxWriter.container for tag in (
        "body", "section", "article", "div", "header", "footer", "main", "dl", "dd",
        "dt", "address", "details", "summary")},
}
INLINES = {
    "strong": DocxWriter.bold, "b": DocxWriter.bold,
    "em": DocxWriter.italic, "i": DocxWriter.italic,
    "del": DocxWriter.strike, "s": DocxWriter.strike,
    "code": DocxWriter.code, "kbd": DocxWriter.code, "samp": DocxWriter.code,
    "sup": DocxWriter.superscript, "sub": DocxWriter.subscript,
    "a": DocxWriter.anchor, "br": DocxWriter.line_break, "img": DocxWriter.picture,
    "span": DocxWriter.span, "svg": DocxWriter.drawing,
}


def _field_run(kind: str, text: str | None = None):
    run = OxmlElement("w:r")
    if kind == "instr":
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = text
        run.append(instr)
    else:
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            char.set(qn("w:dirty"), "true")  # Word recomputes page numbers on open
        run.append(char)
    return run


def add_toc_field(document, entries: list[tuple[int, str]]):
    """A real TOC field, already filled with the headings so it is not empty
    before Word (or LibreOffice) updates it."""
    entries = entries or [(1, "")]
    paragraphs = []
    for level, text in entries:
        paragraph = document.add_paragraph(style=f"TOC {min(level, 3)}")
        paragraph.add_run(text)
        paragraphs.append(paragraph)
    first, last = paragraphs[0]._p, paragraphs[-1]._p
    anchor = first.find(qn("w:pPr"))
    for run in (_field_run("begin"), _field_run("instr", ' TOC \\o "1-3" \\h \\z \\u '),
                _field_run("separate")):
        anchor.addnext(run)
        anchor = run
    last.append(_field_run("end"))
