"""Print typography (issue 15), checked on the geometry of rendered lines: justified
columns end flush, no one-character last lines, Latin words read back whole, and
unusual content stays inside its column and page."""

from __future__ import annotations

import re
import sys
import types

import pytest

from conftest import DATA, MEETINGS, PROJECT, make_project
from meetdocs.errors import SetupError
from meetdocs.pipeline import build_meeting
from meetdocs.writers import copytext, justify, linesplit
from readback import pdf_bbox_lines, pdf_lines, pdf_text, run, squeeze

sys.path.insert(0, str(PROJECT / "scripts"))
import typography  # noqa: E402  (the measurement script's line-box readers)


@pytest.mark.parametrize("module", [justify, copytext, linesplit])
def test_another_weasyprint_version_is_refused(module):
    with pytest.raises(SetupError, match="written for WeasyPrint 70.0"):
        module.install(types.SimpleNamespace(__version__="71.0"))


@pytest.mark.parametrize("meeting", MEETINGS)
def test_justified_lines_end_at_the_column_edge_and_no_runts(laid_out, meeting):
    """On WeasyPrint's line boxes: every justified line but a paragraph's last ends
    at its column's edge, none is left short, and no paragraph ends with a runt."""
    for fmt, document, _ in laid_out[meeting]:
        measured = typography.measure(document)
        assert measured["off"] == 0, (fmt, measured)
        assert measured["latin_short"] == 0, (fmt, measured)
        assert measured["runts"] == [], fmt
        if fmt in ("briefing", "delegation-report"):
            assert measured["justified"] > 20


def test_unusual_content_leaves_short_only_lines_with_nothing_to_widen(unusual_laid_out):
    """A line of one unbreakable Latin string (a URL cut at the column edge) has no
    space, CJK character or seam to widen; every other justified line ends flush."""
    for fmt, document, _ in unusual_laid_out:
        assert typography.measure(document)["off"] == 0, fmt
        short = [line for lines in typography.paragraphs(document).values()
                 for _, line in lines if getattr(line, "left_short", False)]
        assert short, fmt  # the corpus has such lines (URLs, e-mail addresses)
        for line in short:
            assert justify.count_opportunities(line) == (0, 0, 0), \
                typography.line_text(line)


def justified_line_ends(document):
    """{(page number, text without spaces): [right edge of the column in pt]} of
    every justified line but a paragraph's last, from WeasyPrint's line boxes
    (less those with nothing to widen, see the test above)."""
    from weasyprint.formatting_structure import boxes

    page_of = {id(box): number for number, page in enumerate(document.pages, 1)
               for box in page._page_box.descendants()
               if isinstance(box, boxes.BlockContainerBox)}
    ends = {}
    for lines in typography.paragraphs(document).values():
        for block, line in lines[:-1]:
            # as copied (conftest.set_copy_texts)
            text = same_text(getattr(line, "actual_text", None) or typography.line_text(line))
            if block.style["text_align_all"] == "justify" and text and \
                    not getattr(line, "left_short", False):  # nothing to widen
                key = (page_of[id(block)], text)
                ends.setdefault(key, []).append(
                    (block.content_box_x() + block.width) * typography.PT)
    return ends


def same_text(text):
    """Text compared between line boxes and poppler: no spaces, and the hyphen of
    a broken word as either writes it."""
    return squeeze(text).replace("\u2010", "-")


def assert_glyphs_end_flush(fmt, document, pdf):
    """On the PDF's own glyph boxes (poppler): each justified line but a paragraph's
    last ends within 0.5 pt of its column's edge."""
    expected = justified_line_ends(document)
    found, off = 0, []
    for page, _, x_max, text in pdf_bbox_lines(pdf):
        text = same_text(text)
        # poppler reads a list item's marker (「（二）」) and its line as one line
        edges = expected.get((page, text)) or next(
            (edges for (number, line), edges in expected.items()
             if number == page and len(line) > 5 and text.endswith(line)), None)
        if edges:
            found += 1
            if min(abs(x_max - edge) for edge in edges) > 0.5:
                off.append((page, round(x_max - max(edges), 1), text))
    assert off == [], fmt
    # poppler reads (nearly) every laid-out line as one line
    assert found >= 0.9 * sum(map(len, expected.values())), fmt


@pytest.mark.parametrize("meeting", MEETINGS)
def test_glyphs_of_justified_lines_end_flush(laid_out, meeting):
    for fmt, document, pdf in laid_out[meeting]:
        assert_glyphs_end_flush(fmt, document, pdf)


def test_glyphs_of_unusual_content_end_flush(unusual_laid_out):
    for fmt, document, pdf in unusual_laid_out:
        assert_glyphs_end_flush(fmt, document, pdf)


@pytest.fixture(scope="module")
def som1(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return {p.name: p for p in build_meeting(PROJECT, "som1-2026", out).files}


def test_latin_words_and_chinese_text_read_back_whole(som1):
    """Justification adds no letter spacing inside an English word, and the gaps
    it puts between CJK characters do not reach the copied text (copytext.py)."""
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


def test_unusual_content_stays_inside_its_page(unusual_laid_out):
    from weasyprint.formatting_structure import boxes

    for fmt, document, _ in unusual_laid_out:
        for page in document.pages:
            area = page._page_box
            right = area.content_box_x() + area.width + 0.5
            bottom = area.content_box_y() + area.height + 0.5
            for box in typography_boxes(area, boxes):
                assert box.position_x + box.margin_width() <= right, (fmt, box)
                assert box.position_y + box.margin_height() <= bottom, (fmt, box)


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
        # per column, not interleaved; a word broken at a line end by the layout
        # reads back with ASCII "-" (copytext.py), one broken after its own "-"
        # (a URL) too: either way, the text is there
        lines = "\n".join(pdf_lines(path))
        text = squeeze(lines) + "|" + squeeze(lines.replace("-\n", ""))
        for kept in ("https://www.apec.org/meeting-papers/annual-ministerial-meetings",
                     "very.long.mailbox.name.for.the.secretariat.of.apec.2026@apec-secret"
                     "ariat-example.org.tw", "PneumonoultramicroscopicsilicovolcanoconiosisS",
                     "資深官員會議（SOM）"):
            assert kept in text, (name, kept)
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
