"""Print typography (issue 15), checked on the geometry of rendered lines: justified
columns end flush, no one-character last lines, Latin words read back whole, and
unusual content stays inside its column and page."""

from __future__ import annotations

import re
import sys
import types
from xml.etree import ElementTree

import pytest

from conftest import DATA, PROJECT, make_project
from meetdocs.errors import SetupError
from meetdocs.pipeline import build_meeting
from meetdocs.writers import justify
from readback import pdf_lines, pdf_text, run, squeeze

sys.path.insert(0, str(PROJECT / "scripts"))
import typography  # noqa: E402  (the measurement script's line-box readers)

MEETINGS = sorted(p.parent.name for p in (PROJECT / "content").glob("*/meeting.yaml"))
XHTML = "{http://www.w3.org/1999/xhtml}"


def test_another_weasyprint_version_is_refused():
    with pytest.raises(SetupError, match="written for WeasyPrint 70.0"):
        justify.install(types.SimpleNamespace(__version__="71.0"))


@pytest.mark.parametrize("meeting", MEETINGS)
def test_justified_lines_end_at_the_column_edge_and_no_runts(meeting):
    for job, document in typography.rendered(PROJECT, meeting):
        measured = typography.measure(document)
        assert measured["off"] == 0, (job.fmt.name, measured)
        assert measured["runts"] == [], job.fmt.name
        if job.fmt.name in ("briefing", "delegation-report"):
            assert measured["justified"] > 20


def _lines(pdf):
    root = ElementTree.fromstring(run("pdftotext", "-bbox-layout", str(pdf), "-"))
    for page in root.iter(XHTML + "page"):
        for block in page.iter(XHTML + "block"):
            lines = list(block.iter(XHTML + "line"))
            yield page, lines


@pytest.fixture(scope="module")
def som1(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return {p.name: p for p in build_meeting(PROJECT, "som1-2026", out).files}


def left_short(meeting, fmt):
    """The text of the lines the justification left short on purpose (their slack
    would have spread CJK characters past poppler's word gap), without spaces and
    added hyphens."""
    for job, document in typography.rendered(PROJECT, meeting):
        if job.fmt.name == fmt:
            return {squeeze(typography.line_text(line)).replace("\u2010", "")
                    for lines in typography.paragraphs(document).values()
                    for _, line in lines if getattr(line, "left_short", False)}


def test_glyphs_of_justified_lines_end_flush(som1):
    """On the PDF's own glyph boxes: a line followed by a line that starts at the
    same x (not a new, indented paragraph) ends within 0.5 pt of its column's edge,
    unless the layout left it short on purpose (justify.LATIN_LINE_MAX_EM)."""
    pdf = som1["som1-2026-briefing.pdf"]
    short = left_short("som1-2026", "briefing")
    assert 0 < len(short) < 20
    ends = []
    for _, lines in _lines(pdf):
        for line, following in zip(lines, lines[1:]):
            start, end = float(line.get("xMin")), float(line.get("xMax"))
            text = "".join(word.text or "" for word in line.iter(XHTML + "word"))
            # Same start as the next line, and no wider than a column (not the
            # headline, which is set ragged across both).
            if abs(start - float(following.get("xMin"))) < 0.5 and end - start < 250 \
                    and text.replace("\u2010", "") not in short:
                ends.append(end)
    assert len(ends) > 30
    left = [x for x in ends if x < 300]
    right = [x for x in ends if x >= 300]
    for column in (left, right):
        edge = sorted(column)[len(column) // 2]
        assert [x for x in column if abs(x - edge) > 0.5] == []


def test_latin_words_and_chinese_text_read_back_whole(som1):
    """Justification adds no letter spacing inside an English word, and spreads CJK
    characters less than the 0.1 em poppler reads as a space (the slack of a line
    that could not take the next English word goes to its spaces and to the seams
    between CJK and Latin text, and what they cannot take is left)."""
    text = pdf_text(som1["som1-2026-briefing.pdf"])
    for words in ("Senior Officials", "Plenary", "Asia-Pacific", "Cooperation"):
        assert words in " ".join(text.split()), words
    cjk = "[\u3000-\u9fff\uff00-\uffef]"
    lines = [line for line in text.splitlines() if line.strip()]
    spread = [line for line in lines if re.search(f"{cjk} {cjk}", line)]
    assert spread == []


@pytest.fixture(scope="module")
def unusual(tmp_path_factory):
    root = tmp_path_factory.mktemp("unusual")
    project = make_project(root / "project", {"unusual": DATA / "valid" / "unusual"})
    files = build_meeting(project, "unusual", root / "out").files
    return project, {p.name: p for p in files}


def test_unusual_content_stays_inside_its_page(unusual):
    from weasyprint.formatting_structure import boxes

    project, _ = unusual
    for job, document in typography.rendered(project, "unusual"):
        for page in document.pages:
            area = page._page_box
            right = area.content_box_x() + area.width + 0.5
            bottom = area.content_box_y() + area.height + 0.5
            for box in typography_boxes(area, boxes):
                assert box.position_x + box.margin_width() <= right, (job.fmt.name, box)
                assert box.position_y + box.margin_height() <= bottom, (job.fmt.name, box)


def typography_boxes(page_box, boxes):
    for child in page_box.children:
        if not isinstance(child, boxes.MarginBox):
            for box in child.descendants():
                if isinstance(box, (boxes.TextBox, boxes.ReplacedBox)):
                    yield box


def test_unusual_content_loses_no_text_and_pictures_keep_their_size(unusual):
    _, files = unusual
    for name, path in files.items():
        if not name.endswith(".pdf") or name.endswith("-sheet.pdf"):
            continue  # the report's upload sheet holds no body text
        text = squeeze("".join(pdf_lines(path)))  # per column, not interleaved
        for kept in ("https://www.apec.org/meeting-papers/annual-ministerial-meetings",
                     "very.long.mailbox.name.for.the.secretariat.of.apec.2026@apec-secret"
                     "ariat-example.org.tw", "PneumonoultramicroscopicsilicovolcanoconiosisS",
                     "資深官員會議（SOM）"):
            assert kept in text.replace("‐", ""), (name, kept)
        images = run("pdfimages", "-list", str(path)).splitlines()[2:]
        sizes = {(int(r.split()[3]), int(r.split()[4])): float(r.split()[12]) for r in images}
        assert sizes[(16, 16)] >= 95  # the icon: at least 96 dpi, never blown up
