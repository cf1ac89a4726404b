"""HTML → DOCX with python-docx, every look taken from the format's reference.docx.

The writer opens ``reference.docx``, empties its body (keeping the section, so page
size, margins and the PAGE-field footer come from it) and maps a small, documented
set of HTML elements and classes to Word styles (README, "HTML to Word").  Word
features python-docx has no API for are written as XML here: the pre-filled TOC
field, footnotes, list restarts.
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import docx
import lxml.html
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu

from ..errors import BuildError, Problem
from ..reference import (TEXT_WIDTH, new_list_num, normalize_zip,
                         set_fixed_core_properties)
from .docx_notes import Footnotes

HEADINGS = {f"h{n}": f"Heading {n}" for n in range(1, 6)}
BLOCK_STYLES = {"p": "Normal", "figcaption": "Caption"}
PAGE_BREAK_AFTER = ("page-break",)
RASTER = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff")


def write(job) -> bytes:
    reference = job.fmt.reference_path(job.folder)
    if reference is None or not reference.is_file():
        raise BuildError([Problem(job.shown, None, "a DOCX needs Word styles: the "
                                  "format has no reference.docx", "'reference: "
                                  "reference.docx' in format.yaml and the file",
                                  str(reference.name) if reference else "none")])
    document = docx.Document(str(reference))
    writer = DocxWriter(document, job)
    writer.body(lxml.html.document_fromstring(job.html).find("body"))
    writer.finish()
    if writer.problems:
        raise BuildError(writer.problems)
    buffer = io.BytesIO()
    document.save(buffer)
    return normalize_zip(buffer.getvalue())


def style_for_class(document, element, default: str) -> str:
    """``class="cover-title"`` → the Word style "Cover Title", if the reference has
    one; classes that only the PDF's CSS knows fall back to ``default``."""
    names = {s.name for s in document.styles}
    for cls in element.get("class", "").split():
        name = " ".join(word.capitalize() for word in cls.split("-"))
        if name in names:
            return name
    return default


class DocxWriter:
    def __init__(self, document, job):
        self.doc, self.job = document, job
        self.problems: list[Problem] = []
        self.notes = Footnotes(document)
        self._empty_body()

    def _empty_body(self):
        body = self.doc.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)

    def finish(self):
        self.notes.save()
        set_fixed_core_properties(self.doc)
        core = self.doc.core_properties
        core.title, core.language = self.job.title, "zh-TW"

    # ---------------------------------------------------------------- blocks

    def body(self, element):
        for child in element:
            self.block(child)

    def block(self, el):
        tag, classes = el.tag, el.get("class", "").split()
        if tag in HEADINGS:
            paragraph = self.paragraph(el, HEADINGS[tag])
            if "unnumbered" in classes:
                # numId 0 switches the style's numbering off for this paragraph only,
                # so 摘要 stays a real Heading 1 (in the TOC, for pandoc, in outline).
                set_num(paragraph, 0, 0)
        elif tag in BLOCK_STYLES:
            self.paragraph(el, style_for_class(self.doc, el, BLOCK_STYLES[tag]))
        elif tag in ("ul", "ol"):
            self.listing(el, 0)
        elif tag == "table":
            self.table(el)
        elif tag == "figure":
            self.figure(el)
        elif tag == "aside":
            for child in el:
                self.paragraph(child, "Box Text")
        elif tag == "nav" and "toc" in classes:
            self.toc(el)
        else:  # section, article, div, header: their children carry the content
            self.body(el)
        if set(classes) & set(PAGE_BREAK_AFTER):
            self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def paragraph(self, el, style):
        paragraph = self.doc.add_paragraph(style=style)
        self.inline(paragraph, el)
        return paragraph

    def listing(self, el, level):
        kind = "number" if el.tag == "ol" else "bullet"
        num_id = new_list_num(self.doc, kind)
        for item in el.findall("li"):
            paragraph = self.doc.add_paragraph(
                style="List Number" if kind == "number" else "List Bullet")
            set_num(paragraph, num_id, level)
            self.inline(paragraph, item, skip=("ul", "ol"))
            for nested in item:
                if nested.tag in ("ul", "ol"):
                    self.listing(nested, level + 1)

    def table(self, el):
        rows = el.findall(".//tr")
        columns = max((len(r.findall("th")) + len(r.findall("td")) for r in rows),
                      default=0)
        table = self.doc.add_table(rows=len(rows), cols=columns)
        table.style = self.doc.styles["Report Table"]
        for r, row in enumerate(rows):
            for c, cell in enumerate(row.xpath("th|td")):
                paragraph = table.cell(r, c).paragraphs[0]
                paragraph.style = self.doc.styles["Table Text"]
                self.inline(paragraph, cell)
            if row.getparent().tag == "thead":
                mark_header_row(table.rows[r])
        set_column_widths(table, rows, columns)

    def figure(self, el):
        for img in el.iter("img"):
            path = self.image_path(img.get("src", ""))
            if path is not None:
                paragraph = self.doc.add_paragraph(style="Figure")
                paragraph.add_run().add_picture(str(path), width=Emu(TEXT_WIDTH * 635))
        for caption in el.iter("figcaption"):
            self.paragraph(caption, "Caption")

    def image_path(self, src) -> Path | None:
        path = (self.job.folder / unquote(src)).resolve()
        if path.suffix.lower() not in RASTER:
            self.problems.append(self.job.locate(src, f"the image {src} cannot go in a "
                                                 "Word file; use PNG or JPEG"))
            return None
        return path

    def toc(self, el):
        title = el.find(".//h1")
        if title is not None:
            self.paragraph(title, "TOC Heading")
        entries = [(int(li.get("class", "toc-1")[-1]), li.text_content().strip())
                   for li in el.iter("li")]
        add_toc_field(self.doc, entries)

    # ---------------------------------------------------------------- inline

    def inline(self, paragraph, el, bold=False, italic=False, skip=()):
        if el.text:
            self.run(paragraph, el.text, bold, italic)
        for child in el:
            if child.tag in skip:
                pass
            elif child.tag == "span" and "footnote" in child.get("class", ""):
                self.notes.reference(paragraph, child.text_content())
            elif child.tag == "br":
                paragraph.add_run().add_break()
            else:
                self.inline(paragraph, child, bold or child.tag in ("strong", "b"),
                            italic or child.tag in ("em", "i"))
            if child.tail:
                self.run(paragraph, child.tail, bold, italic)

    @staticmethod
    def run(paragraph, text, bold, italic):
        run = paragraph.add_run(text)
        if bold:
            run.bold = True
        if italic:
            run.italic = True


def display_width(text: str) -> int:
    """Columns of text, a Chinese character counting as two Latin ones."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text.strip())


def set_column_widths(table, rows, columns: int):
    """Share the text width by each column's longest text (clamped), so a date
    column stays narrow instead of wrapping one character per line."""
    if not columns:
        return
    longest = [4] * columns
    for row in rows:
        for c, cell in enumerate(row.xpath("th|td")):
            # + 4 for the cell margins
            longest[c] = max(longest[c], min(display_width(cell.text_content()) + 4, 48))
    table.autofit = False
    for c, length in enumerate(longest):
        width = Emu(TEXT_WIDTH * 635 * length // sum(longest))
        table.columns[c].width = width  # the grid, which LibreOffice follows
        for cell in table.columns[c].cells:  # the cells, which Word follows
            cell.width = width


def set_num(paragraph, num_id: int, level: int):
    ppr = paragraph._p.get_or_add_pPr()
    num_pr = ppr.get_or_add_numPr()
    if num_id:  # numId 0 (numbering off) takes no level
        num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


def mark_header_row(row):
    """Repeat the header row on every page, as Word's "Repeat Header Rows"."""
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    tr_pr.append(header)


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
