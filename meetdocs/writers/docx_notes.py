"""Real Word footnotes: the calls in the text, the notes in word/footnotes.xml,
and NOTEREF fields for a note called a second time.

The footnotes part is a story part of its own (``docx_xml.FootnotesPart``): a link or
a picture inside a note is related from it, not from the document.
"""

from __future__ import annotations

from docx.blkcntnr import BlockItemContainer
from docx.oxml.ns import qn

from . import docx_xml


class Footnotes:
    def __init__(self, document):
        self.document = document
        self.part = None  # made with the first note
        self.count = 0
        self.named: dict[str, tuple[int, str]] = {}  # HTML id → number, bookmark

    def _story(self):
        if self.part is None:
            self.part = docx_xml.footnotes_part(self.document)
            # A reference saved by Word may hold notes: keep its separators only.
            for note in self.part.element.findall(qn("w:footnote")):
                if int(note.get(qn("w:id"))) > 0:
                    self.part.element.remove(note)
        return self.part

    def call(self, run, html_id: str | None = None):
        """Make ``run`` the call of a new note; return the note's first paragraph,
        numbered and styled, in a container that takes more paragraphs."""
        part = self._story()
        self.count += 1
        run.style = self.document.styles["Footnote Reference"]
        docx_xml.footnote_reference(run._r, self.count)
        if html_id:
            name = f"_RefNote{self.count}"
            docx_xml.bookmark(run._r.getparent(), run._r, run._r, self.count, name)
            self.named[html_id] = (self.count, name)
        note = BlockItemContainer(docx_xml.new_footnote(part, self.count), self)
        paragraph = note.add_paragraph(style="Footnote Text")
        mark = paragraph.add_run()
        mark.style = self.document.styles["Footnote Reference"]
        docx_xml.footnote_mark(mark._r)
        paragraph.add_run(" ")
        return note, paragraph

    def again(self, new_run, html_id: str) -> bool:
        """A second call of the note ``html_id``: a NOTEREF field showing its number
        (filled in already, so no field update is needed). False if unknown."""
        if html_id not in self.named:
            return False
        number, name = self.named[html_id]
        for kind in ("begin", None, "separate", "result", "end"):
            run = new_run()
            run.style = self.document.styles["Footnote Reference"]
            if kind is None:
                docx_xml.field_code(run._r, f"NOTEREF {name} \\f \\h")
            elif kind == "result":
                run.text = str(number)
            else:
                docx_xml.field_char(run._r, kind)
        return True
