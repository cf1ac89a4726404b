"""ODT beside the DOCX: LibreOffice's export of our finished DOCX, made reproducible.

The ODT comes out of the same LibreOffice load that confirmed the TOC's page
numbers (``finish.py``), so it holds the same cover, outline-numbered headings
(壹、 一、 （一）), TOC, footnotes, tables and pictures as the DOCX.  What LibreOffice
writes differently on every run is fixed here: zip timestamps, the dates and
editing statistics in meta.xml, the view settings, and generated names.
"""

from __future__ import annotations

from . import docx, finish


def write(job) -> bytes:
    data = finish.exported_odt(job)
    if data is None:  # a format without docx in its outputs, or docx written elsewhere
        docx.write(job)
        data = finish.exported_odt(job)
    return data
