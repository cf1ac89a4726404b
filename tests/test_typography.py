"""Chinese line-breaking rules and text that copies out as written, checked on every
line of every page of every built PDF."""

from __future__ import annotations

import re

import pytest

from conftest import PROJECT
from meetdocs.pipeline import build_meeting, render_html
from meetdocs.writers.justify import CJK
from readback import pdf_info, pdf_lines, pdf_text, run

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
    """Justification spreads CJK characters by less than poppler's word gap (0.1 em),
    so text copied out of the PDF reads as written: no space between two CJK
    characters or punctuation marks where the source has none."""
    allowed = source_pairs(meeting)
    for pdf in built[meeting]:
        spaced = [line for line in pdf_text(pdf).splitlines()
                  if any(a + " " + b not in allowed for a, b in
                         re.findall(f"({CJK.pattern}) +(?=({CJK.pattern}))", line))]
        assert spaced == [], pdf.name


def test_a_closing_box_never_sits_alone_on_a_mostly_empty_page(built):
    """som2-2024's APEC典藏 box sat alone on a third page, 85 % empty: the pictures
    adapt (html.fit-closing, meetdocs/writers/pdf.py) and it joins the text."""
    briefing = next(p for p in built["som2-2024"] if p.name.endswith("-briefing.pdf"))
    assert pdf_info(briefing)["Pages"] == "2"
    last = run("pdftotext", "-enc", "UTF-8", "-f", "2", "-l", "2", str(briefing), "-")
    assert "APEC典藏" in last and "注解" in last and "ExpoMina" in last
