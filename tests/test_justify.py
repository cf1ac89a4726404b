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


# The unusual corpus's table row taller than a page (its 120 sentences, numbered).
TALL_ROW = [f"第{n}句：亞太經濟合作會議推動區域經濟整合與永續成長。" for n in range(1, 121)]
# Each format's page margins in mm (top, right, bottom, left): its @page rule.
MARGINS_MM = {"briefing": (22, 20, 20, 20), "delegation-report": (25, 28, 25, 28)}
MM = 72 / 25.4


def body_words(pdf, fmt: str):
    """Per page, the words in the page area (not the running head and foot) in the
    order they are drawn, which is the order of the text (``-raw``), with their
    left and top in pt; every one of them inside the page's margins."""
    from lxml import etree

    top, right, bottom, left = (m * MM for m in MARGINS_MM[fmt])
    root = etree.fromstring(run("pdftotext", "-raw", "-bbox", str(pdf), "-").encode())
    for page in root.iter("{*}page"):
        width, height = float(page.get("width")), float(page.get("height"))
        words = []
        for word in page.iter("{*}word"):
            x0, y0, x1, y1 = (float(word.get(k)) for k in ("xMin", "yMin", "xMax", "yMax"))
            if top < (y0 + y1) / 2 < height - bottom:
                assert left - 1 <= x0 and x1 <= width - right + 1, (pdf.name, word.text)
                words.append((word.text or "", x0, y0))
        yield words


@pytest.mark.parametrize("fmt", ["briefing", "delegation-report"])
def test_a_row_taller_than_a_page_splits_where_it_stands_and_loses_no_text(unusual, fmt):
    """``tr { break-inside: avoid }`` keeps rows whole; a row taller than a page (or
    a briefing column) splits inside itself, starts right below the row before it
    (pdf.tall_rows) rather than leave that page empty, and every sentence of it is
    inside the page area, in order, in the text layer."""
    _, files = unusual
    words = list(body_words(files[f"unusual-{fmt}.pdf"], fmt))
    pages = ["".join(text for text, *_ in page).replace("\u2010", "")
             .replace("項目說明", "") for page in words]  # the head row, repeated
    text = "".join(pages)
    at = [text.find(sentence) for sentence in TALL_ROW]
    assert -1 not in at and at == sorted(at), [s for s, i in zip(TALL_ROW, at) if i < 0]
    first = next(n for n, page in enumerate(pages) if TALL_ROW[0] in page)
    last = next(n for n, page in enumerate(pages) if TALL_ROW[-1] in page)
    assert last > first  # split over pages
    # The row starts right below the row before it, in the same column.
    row_before = next(((x, y) for text, x, y in words[first] if text == "第一列"), None)
    row = next((x, y) for text, x, y in words[first] if text == "很長的一列")
    assert row_before is not None, "the tall row left the page of the row before it"
    assert abs(row[0] - row_before[0]) < 1 and 0 < row[1] - row_before[1] < 40


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


def test_the_closing_box_of_the_unusual_corpus_never_sits_alone(unusual):
    """The report's 小百科 box sat alone on a 13th page, 90 % empty: its pictures
    adapt (html.fit-last, pdf.adapted) and the box ends the page of the last text."""
    _, files = unusual
    for name in ("unusual-briefing.pdf", "unusual-delegation-report.pdf"):
        pages = int(run("pdfinfo", str(files[name])).split("Pages:")[1].split()[0])
        last = squeeze(run("pdftotext", "-enc", "UTF-8", "-f", str(pages), "-l",
                           str(pages), str(files[name]), "-"))
        assert "APEC小百科" in last and "本段為最後一段" in last, name
