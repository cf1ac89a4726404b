"""Chinese line-breaking rules and text that copies out as written, checked on every
line of every page of every built PDF."""

from __future__ import annotations

import re
import sys

import pytest

from conftest import PROJECT
from meetdocs.pipeline import build_meeting, render_html
from meetdocs.writers.justify import CJK
from readback import pdf_info, pdf_lines, pdf_text, run, squeeze

sys.path.insert(0, str(PROJECT / "scripts"))
import typography  # noqa: E402  (the measurement script's line-box readers)

CLOSING = "，。、；：」』）！？》〉"
OPENING = "「『（《〈"
BLOCKS = ("p", "li", "td", "th", "dt", "dd", "div", "h1", "h2", "h3", "h4", "br",
          "figcaption", "aside", "section", "header", "footer", "tr", "table")
MEETINGS = sorted(p.parent.name for p in (PROJECT / "content").glob("*/meeting.yaml"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("briefings")
    return {meeting: [p for p in build_meeting(PROJECT, meeting, out).files
                      if p.suffix == ".pdf"]
            for meeting in MEETINGS}


@pytest.mark.parametrize("meeting", MEETINGS)
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(built, meeting):
    for pdf in built[meeting]:
        lines = [line for line in pdf_lines(pdf) if line]
        assert len(lines) > 20, pdf.name
        bad = [line for line in lines if line[0] in CLOSING or line[-1] in OPENING]
        assert bad == [], pdf.name


def source_pairs(meeting) -> set[str]:
    """Every "X Y" of two CJK characters with whitespace between them in the text of
    the meeting's documents (their HTML, before layout; two blocks, two table cells
    are apart, and so is the one-pager's name from the title after it, by a margin)."""
    from lxml import html

    pairs = set()
    for job in render_html(PROJECT, meeting):
        root = html.document_fromstring(job.html)
        for block in [*root.iter(*BLOCKS), *root.find_class("name")]:
            block.text, block.tail = " " + (block.text or ""), " " + (block.tail or "")
        text = " ".join(root.text_content().split())
        pairs |= {a + " " + b for a, b in re.findall(f"({CJK.pattern}) +(?=({CJK.pattern}))", text)}
    return pairs


@pytest.mark.parametrize("meeting", MEETINGS)
def test_copied_text_has_no_space_between_cjk_characters_the_source_lacks(built, meeting):
    """Justification spreads CJK characters (justify.py), but text copied out of
    the PDF reads as written (copytext.py): no space between two CJK characters
    or punctuation marks where the source has none."""
    allowed = source_pairs(meeting)
    for pdf in built[meeting]:
        spaced = [line for line in pdf_text(pdf).splitlines()
                  if any(a + " " + b not in allowed for a, b in
                         re.findall(f"({CJK.pattern}) +(?=({CJK.pattern}))", line))]
        assert spaced == [], pdf.name


def test_a_closing_box_never_sits_alone_on_a_mostly_empty_page(built):
    """som2-2024's APEC典藏 box sat alone on a third page, 85 % empty: the pictures
    adapt (html.fit-last, meetdocs/writers/pdf.py) and it joins the text."""
    briefing = next(p for p in built["som2-2024"] if p.name.endswith("-briefing.pdf"))
    assert pdf_info(briefing)["Pages"] == "2"
    last = run("pdftotext", "-enc", "UTF-8", "-f", "2", "-l", "2", str(briefing), "-")
    assert "APEC典藏" in last and "注解" in last and "ExpoMina" in last


def page_words(pdf, page: int) -> list[tuple[str, float, float, float, float]]:
    """(word, xMin, yMin, xMax, yMax) of a page, in pt, as poppler reads them."""
    from lxml import etree

    out = run("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-")
    root = etree.fromstring(out.encode())
    return [(w.text or "", *(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))
            for w in root.iter("{*}word")]


A4_PT = (595.3, 841.9)
MARGINS_PT = (22 * 72 / 25.4, 20 * 72 / 25.4)  # the briefings' top and bottom margins


@pytest.mark.parametrize("meeting", MEETINGS)
def test_no_briefing_ends_on_a_leftover_page(built, meeting):
    """A last page of a briefing holds at least a third of a page (pdf.LEFTOVER_USED):
    som1-2026's third page held a few lines (17 %), and its pictures adapt now."""
    for pdf in built[meeting]:
        pages = int(pdf_info(pdf)["Pages"])
        if "briefing" not in pdf.name or pages < 2:
            continue
        area = A4_PT[1] - sum(MARGINS_PT)
        body = [w for w in page_words(pdf, pages) if MARGINS_PT[0] < w[2] < A4_PT[1] - MARGINS_PT[1]]
        used = (max(w[4] for w in body) - MARGINS_PT[0]) / area
        assert used > 1 / 3, (pdf.name, used)


def test_a_closing_box_split_over_the_columns_of_the_last_page_becomes_a_sidebar(built):
    """som3-2023's 小百科 box started below the text's end and a photo, and went on in
    the second column: it now fills the second column whole, the text's end beside it."""
    briefing = next(p for p in built["som3-2023"] if p.name.endswith("-briefing.pdf"))
    pages = int(pdf_info(briefing)["Pages"])
    words = [w for w in page_words(briefing, pages)
             if MARGINS_PT[0] < w[2] < A4_PT[1] - MARGINS_PT[1]]  # no head, no foot
    middle = A4_PT[0] / 2
    start = next(i for i, w in enumerate(words) if w[0].startswith("APEC小百科"))
    assert any("■" in w[0] for w in words[:start])
    assert all(w[3] < middle for w in words[:start])
    box = words[start:]
    assert all(w[1] > middle for w in box) and "合作。" in "".join(w[0] for w in box)


LATIN = "[A-Za-z0-9]"


def spaced_pairs(text: str) -> set[str]:
    """Each "X Y" with spaces between two CJK characters, or between a CJK
    character and a Latin letter or digit (a seam), in ``text``."""
    pairs = re.findall(f"(?=({CJK.pattern}) +({CJK.pattern}|{LATIN}))", text)
    pairs += re.findall(f"(?=({LATIN}) +({CJK.pattern}))", text)
    return {a + " " + b for a, b in pairs}


def copied(line) -> str:
    """A laid-out line's text as copied: with the rest of a word broken after a
    hyphen moved up (conftest.set_copy_texts), without spaces."""
    return squeeze(getattr(line, "actual_text", None) or typography.line_text(line))


def laid_out_lines(document) -> dict[str, set[str]]:
    """{text as copied: its spaced pairs as laid out} of every line WeasyPrint laid
    out, margin boxes and list markers included: the source's text and what the
    stylesheet generates (page counters 「第 1 頁」, footnote numbers).  An
    ideographic space counts as a space (poppler reads it as one)."""
    from weasyprint.formatting_structure import boxes

    lines = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            if isinstance(box, boxes.LineBox):
                lines.setdefault(copied(box), set()).update(
                    spaced_pairs(typography.line_text(box).replace("\u3000", " ")))
    return lines


def justified_chinese(document) -> set[str]:
    """The text as copied of every justified Chinese line but a paragraph's last
    and one broken inside a word (poppler joins it to the next)."""
    return {copied(line) for lines in typography.paragraphs(document).values()
            for block, line in lines[:-1]
            if block.style["text_align_all"] == "justify"
            and CJK.search(typography.line_text(line)) and not copied(line).endswith("-")}


def assert_copied_text_spaced_as_laid_out(fmt, document, pdf):
    """Each line of the copied text that is one laid-out line has no space between
    two CJK characters or at a CJK–Latin seam where the laid-out line has none:
    the justification's gaps do not copy out as spaces.  (Lines poppler makes of
    two laid-out lines side by side, table cells, are not compared.)"""
    laid_out = laid_out_lines(document)
    checked, added = set(), []
    for line in pdf_text(pdf).splitlines():
        # poppler reads a list item's marker (「•」「（二）」) and its line as one
        line = next((line[i:] for i in range(5) if squeeze(line[i:]) in laid_out), line)
        allowed = laid_out.get(squeeze(line))
        if allowed is not None:
            checked.add(squeeze(line))
            if spaced_pairs(line) - allowed:
                added.append(line)
    assert added == [], fmt
    # nearly every justified Chinese line is compared
    justified = justified_chinese(document)
    assert len(justified & checked) >= 0.9 * len(justified), (fmt, justified - checked)


def assert_broken_words_read_back_whole(fmt, document, pdf):
    """A word the layout hyphenated at a line end copies out whole: its line
    reads with ASCII "-", which poppler drops to join the word (copytext.py)."""
    text = pdf_text(pdf)
    assert [line for line in text.splitlines() if line.endswith("\u2010")] == [], fmt
    # poppler reads a table's cells side by side, line by line; in drawing order
    # (-raw) a cell's lines follow each other, the hyphen left at the line end
    cells = run("pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-").replace("-\n", "")
    words, in_cells = [], []
    for lines in typography.paragraphs(document).values():
        for (block, line), (following_block, following) in zip(lines, lines[1:]):
            first = typography.line_text(line).rstrip()
            if first.endswith("\u2010") and block is following_block:  # same column
                head = re.search(r"[\w.]*(?=\u2010$)", first).group()
                tail = re.match(r"[\w.]*", typography.line_text(following).lstrip()).group()
                (in_cells if block.element_tag in ("td", "th") else words).append(head + tail)
    assert [word for word in words if word not in text] == [], fmt
    assert [word for word in in_cells if word not in cells] == [], fmt
    if fmt in ("briefing", "briefing-en", "delegation-report"):
        assert words, fmt  # hyphens: auto broke some words: the test tests something


@pytest.mark.parametrize("meeting", MEETINGS)
def test_copied_text_has_no_space_the_laid_out_text_lacks(laid_out, meeting):
    for fmt, document, pdf in laid_out[meeting]:
        assert_copied_text_spaced_as_laid_out(fmt, document, pdf)


@pytest.mark.parametrize("meeting", MEETINGS)
def test_hyphen_broken_words_read_back_whole(laid_out, meeting):
    for fmt, document, pdf in laid_out[meeting]:
        assert_broken_words_read_back_whole(fmt, document, pdf)


def test_unusual_content_copies_out_as_laid_out(unusual_laid_out):
    for fmt, document, pdf in unusual_laid_out:
        assert_copied_text_spaced_as_laid_out(fmt, document, pdf)
        assert_broken_words_read_back_whole(fmt, document, pdf)


@pytest.fixture(scope="module")
def loose_lists(tmp_path_factory):
    from conftest import DATA, make_project

    root = tmp_path_factory.mktemp("loose")
    project = make_project(root / "project", {"lists": DATA / "valid" / "loose-lists"})
    return {p.name: p for p in build_meeting(project, "lists", root / "out").files}


def marker_gaps(pdf) -> dict[str, float]:
    """For each word, the gap (pt) from the end of the word before it on its line
    (for a list item's first word: its marker), over all pages."""
    pages = int(pdf_info(pdf)["Pages"])
    gaps = {}
    for page in range(1, pages + 1):
        words = page_words(pdf, page)
        for text, x0, y0, _, y1 in words:
            before = [w[3] for w in words if w[3] <= x0 + 0.5 and w[1] < x0
                      and abs((w[2] + w[4]) / 2 - (y0 + y1) / 2) < 4]
            if before:
                gaps[text[:6]] = x0 - max(before)
    return gaps


@pytest.mark.parametrize("name", ["lists-briefing.pdf", "lists-delegation-report.pdf"])
def test_a_loose_lists_items_start_at_the_marker_as_a_tight_lists_do(loose_lists, name):
    """A blank line between items puts each item's text in a paragraph; the
    format's first-line indent of paragraphs must not push it past the marker."""
    gaps = marker_gaps(loose_lists[name])
    assert {"TightA", "TightC", "LooseA", "LooseB", "LooseC", "LooseD"} <= set(gaps), gaps
    for loose, tight in (("LooseA", "TightA"), ("LooseB", "TightA"),
                         ("LooseC", "TightC"), ("LooseD", "TightC")):
        assert abs(gaps[loose] - gaps[tight]) < 1, (loose, gaps[loose], gaps[tight])
