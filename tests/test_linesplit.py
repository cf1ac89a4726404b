"""Line splitting in linear time (meetdocs/writers/linesplit.py): the same pages as
WeasyPrint 70.0's own ``split_first_line``, with work that grows with the text, not
with its square."""

from __future__ import annotations

import pytest

from meetdocs.writers import linesplit, pdf

SENTENCE = "亞太經濟合作會議（APEC）推動區域經濟整合，見https://www.apec.org/meeting-papers。"
# A table whose cells are sized at width 0 (min-content) and laid out at a few em;
# a narrow block; Chinese with Latin words, a long URL, punctuation at line ends.
PAGE = """<html lang="zh-Hant"><style>
@page {{ size: A5 }} body {{ font-size: 10pt; text-align: justify }}
td {{ border: 1px solid }} .narrow {{ width: 2.5em }} .url {{ overflow-wrap: anywhere }}
</style><body>
<table><tr><td>{cell}</td><td>短</td><td class="url">{url}</td><td>第二欄 second column</td>
<td>三</td><td>四</td><td>五</td><td>{cell}</td></tr></table>
<div class="narrow">{cell}</div><p>{cell}</p></body></html>"""


@pytest.fixture(autouse=True, scope="module")
def patched():
    pdf.import_weasyprint()  # once: it would put back the counting fixture's patch


def render(cell: str) -> bytes:
    import weasyprint

    url = "https://www.example.org/" + "path-segment/" * 12
    return weasyprint.HTML(string=PAGE.format(cell=cell, url=url)).write_pdf()


@pytest.fixture
def laid_out_chars(monkeypatch):
    """Counts the characters given to Pango to lay out."""
    from weasyprint.text import line_break

    set_text, count = line_break.Layout.set_text, [0]

    def counting(layout, text, *args, **kwargs):
        count[0] += len(text)
        return set_text(layout, text, *args, **kwargs)

    monkeypatch.setattr(line_break.Layout, "set_text", counting)
    return count


def test_the_pages_are_the_ones_weasyprint_lays_out(monkeypatch):
    from weasyprint.layout import inline, preferred

    cell = SENTENCE * 12
    patched = render(cell)
    monkeypatch.setattr(inline, "split_first_line", linesplit._SPLIT_FIRST_LINE)
    monkeypatch.setattr(preferred, "split_first_line", linesplit._SPLIT_FIRST_LINE)
    assert render(cell) == patched


def test_the_work_grows_with_the_text_not_its_square(laid_out_chars):
    render(SENTENCE * 10)
    short = laid_out_chars[0]
    laid_out_chars[0] = 0
    render(SENTENCE * 40)
    # Four times the text: four times the characters laid out (sixteen without
    # the patch, where every line of a cell lays out the rest of the cell).
    assert laid_out_chars[0] < 5 * short, (short, laid_out_chars[0])
