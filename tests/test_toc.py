"""The DOCX's TOC finished without LibreOffice: bookmarks on the headings, each
entry matched to its heading, page numbers written (and rewritten) as Word does,
and page-break paragraphs turned into page-break-before."""

from __future__ import annotations

import docx
from docx.oxml.ns import qn

from conftest import PROJECT
from meetdocs.writers import finish, toc
from meetdocs.writers.docx import add_toc_field

REFERENCE = PROJECT / "templates" / "delegation-report" / "reference.docx"


def report():
    document = docx.Document(str(REFERENCE))
    add_toc_field(document, [(1, "壹、目的"), (2, "一、時間"), (1, "貳、過程")])
    document.add_paragraph().add_run().add_break(docx.enum.text.WD_BREAK.PAGE)
    for level, text in ((1, "摘要"), (1, "目的"), (2, "時間"), (1, "過程")):
        document.add_paragraph(text, style=f"Heading {level}")
    return document


def test_entries_match_their_headings_by_level_and_text():
    document = report()
    headings = toc.mark_headings(document)
    assert [(level, text) for level, text, _ in headings] == [
        (1, "摘要"), (1, "目的"), (2, "時間"), (1, "過程")]
    names = [name for _, _, name in headings]
    assert len(set(names)) == 4 and all(n.startswith("_Toc") for n in names)
    matched = toc.entries(document, headings)
    # 摘要 is no entry: the first entry 壹、目的 is the second heading.
    assert [name for _, name in matched] == names[1:]


def test_fill_writes_word_style_entries_and_refills_in_place():
    document = report()
    headings = toc.mark_headings(document)
    matched = toc.entries(document, headings)
    toc.fill(matched, {name: 4 for _, _, name in headings})
    toc.fill(matched, {name: 7 for _, _, name in headings})  # a second layout
    for paragraph, name in matched:
        (link,) = paragraph.findall(qn("w:hyperlink"))
        assert link.get(qn("w:anchor")) == name
        texts = [t.text for t in link.iter(qn("w:t"))]
        assert texts[-1] == "7" and len(texts) == 2
        instr = [i.text for i in link.iter(qn("w:instrText"))]
        assert instr == [f" PAGEREF {name} \\h "]
        assert link.find(qn("w:r") + "/" + qn("w:tab")) is not None
    # The TOC field itself still begins in the first entry and ends in the last.
    first, last = matched[0][0], matched[-1][0]
    assert [c.get(qn("w:fldCharType")) for c in first.iterchildren(qn("w:r"))
            for c in c.iter(qn("w:fldChar"))] == ["begin", "separate"]
    assert [c.get(qn("w:fldCharType")) for c in last.iterchildren(qn("w:r"))
            for c in c.iter(qn("w:fldChar"))] == ["end"]


def test_settle_drops_dirty_and_update_on_open():
    document = report()
    assert 'w:dirty="true"' in document.element.body.xml
    toc.settle(document)
    assert "w:dirty" not in document.element.body.xml
    assert document.settings.element.find(qn("w:updateFields")) is None


def test_page_break_paragraph_becomes_page_break_before():
    document = report()
    count = len(document.paragraphs)
    finish.page_breaks_before(document)
    assert len(document.paragraphs) == count - 1
    heading = next(p for p in document.paragraphs if p.text == "摘要")
    assert heading.paragraph_format.page_break_before is True
    assert '<w:br w:type="page"/>' not in document.element.body.xml


def test_title_field_shows_the_title():
    document = report()
    document.core_properties.title = "出國報告的標題"
    finish.fill_title_fields(document)
    header = document.sections[0].header
    assert header.paragraphs[0].text == "出國報告的標題"
