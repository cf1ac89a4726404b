"""Stage 4: writers turn one semantic HTML document into each output kind.

The registry is keyed by output kind (``format.yaml``'s ``outputs``), so a format
asks for ``[docx, pdf]`` and a new kind is one module and one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import lxml.html

from ..errors import Problem
from ..markdown import source_line
from . import docx, finish, odt, office, pdf

WRITERS = {"pdf": pdf.write, "docx": docx.write, "odt": odt.write}


def prepare(job) -> None:
    """Start what a document's writers will need and that starts slowly: the
    LibreOffice of an ODT (finish.py), which then starts while the PDF renders."""
    if finish.uses_office(job.fmt):
        office.prestart()


@dataclass
class Job:
    """Everything a writer needs for one document of one meeting."""

    project: Path
    folder: Path
    fmt: object
    html: str
    shown: Path
    source: str = ""
    source_line: int = 1
    title: str = ""
    sheet: dict | None = None   # the upload sheet's fields (review/metadata.py)

    @property
    def text(self) -> str:
        return lxml.html.document_fromstring(self.html).text_content()

    def locate(self, needle: str, message: str) -> Problem:
        """A problem at the source line where ``needle`` is written, if it is."""
        return Problem(self.shown, source_line(self.source, needle, self.source_line),
                       message)
