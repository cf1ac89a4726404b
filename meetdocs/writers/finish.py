"""The DOCX's last steps, so that a report opens finished, and its ODT.

Run at the end of the DOCX writer on the python-docx document it filled:

1. Page breaks become "page break before" on the paragraph that follows, instead
   of an empty paragraph holding a break: that paragraph lands alone on the next page
   when the text before it fills its page exactly, and the next break then leaves a
   blank page.
2. The running head's TITLE field shows the document's title.
3. For a format that declares ``odt``, LibreOffice (``office.py``) lays the file
   out; the page of every heading goes into our TOC (``toc.py``), and the finished
   file is laid out again until the numbers hold (a number that makes an entry wrap
   could move the headings after it).  The ODT is exported from that last load,
   from our finished DOCX: LibreOffice never writes the DOCX, whose styles and
   numbering stay ours.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from pathlib import Path

from docx.oxml.ns import qn

from ..errors import BuildError, Problem
from ..reference import normalize_zip
from . import office, toc

_LOADS = 4          # layouts of one file before the page numbers must have settled
_odt: dict[str, bytes] = {}   # job key → ODT exported with the DOCX, for odt.write


def uses_office(fmt) -> bool:
    return "odt" in fmt.outputs


def job_key(job) -> str:
    digest = hashlib.sha256(job.html.encode())
    digest.update(f"{job.fmt.name}\0{job.folder}".encode())
    return digest.hexdigest()


def finished_docx(job, document) -> bytes:
    page_breaks_before(document)
    fill_title_fields(document)
    if not uses_office(job.fmt):
        return _bytes(document)
    headings = toc.mark_headings(document)
    matched = toc.entries(document, headings)
    toc.settle(document)
    with tempfile.TemporaryDirectory(prefix="meetdocs-finish-") as temp:
        docx_path, odt_path = Path(temp, "report.docx"), Path(temp, "report.odt")
        pages = None
        for load in range(_LOADS):
            data = _bytes(document)
            docx_path.write_bytes(data)
            answer = office.request(job.shown, load=str(docx_path),
                                    odt=str(odt_path) if load else None)
            if answer["pages"] == pages:
                _odt[job_key(job)] = odt_path.read_bytes()
                return data
            pages = answer["pages"]
            toc.fill(matched, pages)
    raise BuildError([Problem(job.shown, None, "the table of contents' page numbers "
                              f"did not settle in {_LOADS} layouts by LibreOffice")])


def exported_odt(job) -> bytes | None:
    """The ODT that ``finished_docx`` exported for this job, once."""
    return _odt.pop(job_key(job), None)


def _bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return normalize_zip(buffer.getvalue())


def page_breaks_before(document) -> None:
    body = document.element.body
    for paragraph in list(body.iterchildren(qn("w:p"))):
        following = paragraph.getnext()
        if not _only_page_break(paragraph) or following is None \
                or following.tag != qn("w:p"):
            continue
        following.get_or_add_pPr().get_or_add_pageBreakBefore().val = True
        body.remove(paragraph)


def _only_page_break(paragraph) -> bool:
    breaks = [b for b in paragraph.iter(qn("w:br")) if b.get(qn("w:type")) == "page"]
    return len(breaks) == 1 and not toc._text(paragraph)


def fill_title_fields(document) -> None:
    """A TITLE field's result is the core property title (as Word shows it)."""
    title = document.core_properties.title
    for section in document.sections:
        for header in (section.header, section.even_page_header):
            if not header.is_linked_to_previous:
                _set_field_results(header._element, "TITLE", title)


def _set_field_results(element, name: str, value: str) -> None:
    in_field, texts = False, []
    for node in element.iter(qn("w:instrText"), qn("w:fldChar"), qn("w:t")):
        if node.tag == qn("w:instrText") and (node.text or "").split()[:1] == [name]:
            in_field, texts = True, []
        elif node.tag == qn("w:t") and in_field:
            texts.append(node)
        elif node.tag == qn("w:fldChar") and node.get(qn("w:fldCharType")) == "end" \
                and in_field:
            for i, text in enumerate(texts):
                text.text = value if i == 0 else ""
            in_field = False
