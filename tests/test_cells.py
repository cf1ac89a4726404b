"""Table cells of the PDFs (issue 15), checked on the rendered geometry and the text
layer: an English word of a cell is broken only at a hyphenation point, with a
visible hyphen; a string longer than any word (a URL, an address, a 60-letter
word) breaks inside its column; nothing leaves its cell, its column or the page,
and nothing is lost from the text."""

from __future__ import annotations

import re

import pytest

from conftest import DATA, make_project, render_pdfs
from meetdocs.writers import pagefit, pdf
from readback import run, squeeze
PT = 0.75  # CSS px → pt

# What tests/data/valid/cells puts in its cells, beside ordinary words.
LONG = ["https://www.trade.gov.tw/English/Pages/Detail.aspx?nodeID=1455"
        "&pid=a_very_long_parameter_value_without_any_breaks",
        "secretariat.of.the.delegation.2026@foreign-affairs-example.gov.pg",
        "PneumonoultramicroscopicsilicovolcanoconiosisSupercalifragil"]
LATIN = re.compile("[A-Za-z0-9]")


@pytest.fixture(scope="module")
def cells_laid_out(tmp_path_factory) -> list[tuple]:
    root = tmp_path_factory.mktemp("cells")
    project = make_project(root / "project", {"cells": DATA / "valid" / "cells"})
    return render_pdfs(project, "cells", root)


def cell_boxes(document):
    """(page box, cell box, [line boxes]) of every table cell, page by page."""
    for page in document.pages:
        yield from cell_boxes_of(page)


def cell_boxes_of(page):
    from weasyprint.formatting_structure import boxes

    for box in page._page_box.descendants():
        if isinstance(box, boxes.TableCellBox):
            lines = [line for line in box.descendants() if isinstance(line, boxes.LineBox)]
            yield page._page_box, box, lines


def text_of(cell) -> str:
    """The text of a cell's element (an ElementTree element), spaces collapsed,
    without the zero-width spaces the writer puts in addresses (break points)."""
    return " ".join("".join(cell.element.itertext()).replace("\u200b", "").split())


def line_text(line) -> str:
    from weasyprint.formatting_structure import boxes

    return "".join(box.text for box in line.descendants() if isinstance(box, boxes.TextBox))


def words_broken_without_hyphen(document) -> list[tuple[str, str]]:
    """(the line's end, the next line's start) of each break of a cell's lines
    between two Latin letters of its text where the line ends with no hyphen,
    unless the letters belong to a string longer than any word (pagefit.is_long)."""
    broken = []
    for _, cell, lines in cell_boxes(document):
        source = text_of(cell)
        long = [token for token in pagefit._TOKEN.findall(source) if pagefit.is_long(token)]
        at = 0
        for line in lines:
            text = " ".join(line_text(line).replace("\u200b", "").split())
            found = source.find(text.removesuffix("\u2010"), at)
            assert found >= 0, (source, text)  # the lines are the cell's text, in order
            at = found + len(text.removesuffix("\u2010"))
            if not text.endswith("\u2010") and LATIN.match(source[at - 1:at]) and \
                    LATIN.match(source[at:at + 1]):
                start = source.rfind(" ", 0, at) + 1
                word = source[start:(source + " ").find(" ", at)]
                if not any(word in token or token in word for token in long):
                    broken.append((source[start:at], source[at:at + 10]))
    return broken


def outside(document) -> list[str]:
    """Text boxes of cells past their cell's content box, cells past the page area,
    and tables past the block that holds them (pdf.overflowing_tables)."""
    from weasyprint.formatting_structure import boxes

    found = [f"table {index}" for index in pdf.overflowing_tables(document)]
    for page, cell, _ in cell_boxes(document):
        if cell.border_box_x() + cell.border_width() > \
                page.content_box_x() + page.width + 0.5:
            found.append(f"cell {text_of(cell)[:20]}")
        right = cell.content_box_x() + cell.width + 0.5
        found += [box.text for box in cell.descendants()
                  if isinstance(box, boxes.TextBox) and box.text.strip()
                  and box.position_x + box.width > right]
    return found


def test_english_words_in_cells_break_only_at_a_hyphen(cells_laid_out, unusual_laid_out):
    """On main, overflow-wrap: anywhere sized columns by one character:
    "Repre|sentat|ive", "Jonatha|n"."""
    for fmt, document, _ in [*cells_laid_out, *unusual_laid_out]:
        assert words_broken_without_hyphen(document) == [], fmt


def test_everything_stays_inside_its_cell_column_and_page(cells_laid_out,
                                                          unusual_laid_out):
    for fmt, document, _ in [*cells_laid_out, *unusual_laid_out]:
        assert outside(document) == [], fmt


def pdf_words(path) -> list[list[tuple[str, float, float, float, float]]]:
    """Per page, (text, xMin, yMin, xMax, yMax in pt) of each word of the text
    layer (poppler)."""
    from lxml import etree

    root = etree.fromstring(run("pdftotext", "-bbox", str(path), "-").encode())
    return [[(word.text or "", *(float(word.get(k)) for k in
                                 ("xMin", "yMin", "xMax", "yMax")))
             for word in page.iter("{*}word")] for page in root.iter("{*}page")]


def cell_text_layer(page_words, cell) -> str:
    """The words of the text layer whose middle lies in the cell, line by line, with
    no spaces nor hyphens."""
    left, top = cell.border_box_x() * PT, cell.border_box_y() * PT
    right, bottom = left + cell.border_width() * PT, top + cell.border_height() * PT
    inside = [(round(y0), x0, text) for text, x0, y0, x1, y1 in page_words
              if left < (x0 + x1) / 2 < right and top < (y0 + y1) / 2 < bottom]
    return unhyphenated("".join(text for *_, text in sorted(inside)))


def unhyphenated(text: str) -> str:
    """Without spaces and hyphens: poppler reads hyphenation's U+2010 as either."""
    return re.sub("[\u2010-]", "", squeeze(text))


def test_long_strings_break_in_their_column_and_read_back_whole(cells_laid_out):
    """The URL, the address and the 60-letter word are broken across lines of their
    cell (they are wider than it), and the text layer holds every character of
    every cell, in order, inside that cell."""
    for fmt, document, path in cells_laid_out:
        words = pdf_words(path)
        for number, page in enumerate(document.pages):
            for _, cell, _ in cell_boxes_of(page):
                assert cell_text_layer(words[number], cell) == unhyphenated(text_of(cell)), fmt
        split = {string for _, cell, lines in cell_boxes(document) if len(lines) > 1
                 for string in LONG if text_of(cell) == string}
        assert split == set(LONG), fmt
        # poppler reads a table row by row in its reading order, in drawing order
        # (-raw) cell by cell: each string whole
        text = unhyphenated(run("pdftotext", "-raw", str(path), "-"))
        assert [string for string in LONG if unhyphenated(string) not in text] == [], fmt


def test_a_table_too_wide_for_the_page_hyphenates_and_chinese_cells_are_unchanged(
        cells_laid_out):
    """The ten long words side by side pass the page even one a line: in a Chinese
    document that table is hyphenated (a visible hyphen at each break), the
    others are not; and the
    Chinese cells break between characters as before."""
    for fmt, document, _ in cells_laid_out:
        table_class = {id(cell): table.get("class") or ""
                       for table in pdf._elements(document.pages[0], "table")
                       for cell in table.iter()}
        hyphenated = {table_class[id(cell.element)]
                      for _, cell, lines in cell_boxes(document)
                      if any(line_text(line).rstrip().endswith("\u2010") for line in lines)}
        if fmt != "briefing-en":  # which hyphenates every English word
            assert hyphenated == {pagefit.SQUEEZE[0]}, fmt
        chinese = [lines for _, cell, lines in cell_boxes(document)
                   if text_of(cell) == "數位經濟與電信工作小組之代表"]
        assert chinese and all("".join(map(line_text, lines)) == "數位經濟與電信工作小組之代表"
                               for lines in chinese), fmt


def test_a_table_too_wide_even_hyphenated_breaks_anywhere():
    """Twelve columns of 16-digit numbers (nothing to hyphenate) pass an A4 page
    side by side: the second squeeze lets the cells break anywhere, and the
    table is then inside the page."""
    from weasyprint import CSS, HTML

    from conftest import PROJECT

    css = CSS(filename=str(PROJECT / "templates" / "shared" / "any-content.css"))
    row = "".join(f"<td>{n:016d}</td>" for n in range(12))
    html = pagefit.prepare(f'<html lang="en"><body><table><tr>{row}</tr></table>'
                           "</body></html>")
    renders = []

    def render(text):
        renders.append(text)
        return HTML(string=text).render(stylesheets=[css])

    document = pdf.adapted(render, html, False)
    assert len(renders) == 1 + len(pagefit.SQUEEZE)
    table = pdf._elements(document.pages[0], "table")[0]
    assert table.get("class").split() == list(pagefit.SQUEEZE)
    assert outside(document) == []
    assert pdf.overflowing_tables(HTML(string=html).render(stylesheets=[css])) == [0]
