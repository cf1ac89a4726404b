"""The number of pages of a PDF the build has just written, from its bytes.

WeasyPrint (through pydyf) writes PDF 1.7 with compressed object streams, so the
page tree's ``/Count`` sits inside a Flate stream.  The root of the page tree has
the largest ``/Count`` of all ``/Type /Pages`` objects; every stream is inflated and
searched.  No PDF library is needed for one number.
"""

from __future__ import annotations

import re
import zlib

_STREAM = re.compile(rb"stream\r?\n")
_PAGES = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?"
                    rb"/Type\s*/Pages\b")


def page_count(pdf: bytes) -> int | None:
    counts = [int(a or b) for a, b in _PAGES.findall(pdf)]
    for match in _STREAM.finditer(pdf):
        try:
            data = zlib.decompressobj().decompress(pdf[match.end():match.end() + 2**24])
        except zlib.error:
            continue   # not a Flate stream (an image, a font)
        counts += [int(a or b) for a, b in _PAGES.findall(data)]
    return max(counts) if counts else None
