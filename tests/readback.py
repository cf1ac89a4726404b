"""Read outputs back the way a checker does: poppler, qpdf, LibreOffice, pandoc."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path


def run(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True,
                          cwd=cwd, timeout=300).stdout


def pdf_text(path: Path) -> str:
    return run("pdftotext", "-enc", "UTF-8", str(path), "-")


def squeeze(text: str) -> str:
    """Without any whitespace, nor the hyphen (U+2010, never in the source) that
    hyphens: auto adds at a line end: line breaks of the layout are not the text's."""
    return re.sub(r"\u2010\n|\s+", "", text)


def pdf_fonts(path: Path) -> list[dict]:
    lines = run("pdffonts", str(path)).splitlines()[2:]
    fonts = []
    for line in lines:
        parts = line.split()
        # name, type..., encoding, emb, sub, uni, object, generation
        fonts.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4],
                      "uni": parts[-3]})
    return fonts


def pdf_info(path: Path) -> dict[str, str]:
    info = {}
    for line in run("pdfinfo", str(path)).splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def pdf_json(path: Path) -> dict:
    return json.loads(run("qpdf", "--json", str(path)))


def outline_titles(path: Path) -> list[str]:
    def walk(items):
        for item in items:
            yield item["title"]
            yield from walk(item.get("kids", []))
    return list(walk(pdf_json(path)["outlines"]))


def pdf_lines(path: Path) -> list[str]:
    """The lines as poppler lays them out, one per column line (``-bbox-layout``
    keeps the two columns apart, which plain text mode interleaves)."""
    from xml.etree import ElementTree

    xhtml = "{http://www.w3.org/1999/xhtml}"
    root = ElementTree.fromstring(run("pdftotext", "-bbox-layout", str(path), "-"))
    return ["".join(word.text or "" for word in line.iter(xhtml + "word"))
            for line in root.iter(xhtml + "line")]


def pdf_bbox_lines(path: Path) -> list[tuple[int, float, float, str]]:
    """(page number from 1, xMin, xMax in pt, text without spaces) of each line as
    poppler reads it from the glyphs (``-bbox-layout``)."""
    from xml.etree import ElementTree

    xhtml = "{http://www.w3.org/1999/xhtml}"
    root = ElementTree.fromstring(run("pdftotext", "-bbox-layout", str(path), "-"))
    return [(number, float(line.get("xMin")), float(line.get("xMax")),
             "".join(word.text or "" for word in line.iter(xhtml + "word")))
            for number, page in enumerate(root.iter(xhtml + "page"), 1)
            for line in page.iter(xhtml + "line")]
