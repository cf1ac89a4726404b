"""The delegation report of som1-2026 as DOCX, read by python-docx, its XML,
LibreOffice and pandoc; and its PDF twin."""

from __future__ import annotations

import shutil
import zipfile

import docx
import pytest

from readback import pdf_text, run, squeeze

CHAPTERS = ["摘要", "目的", "會議議程", "會議過程", "心得與建議", "附錄"]


@pytest.fixture(scope="module")
def report(som1_outputs):
    return som1_outputs["som1-2026-delegation-report.docx"]


def part(path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode("utf-8")


def test_headings_are_real_heading_styles_in_report_order(report):
    document = docx.Document(str(report))
    level1 = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert level1 == CHAPTERS
    level2 = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert level2[:2] == ["會議時間及地點", "議程"]
    # The numbers come from Word's numbering, not from typed text.
    assert not any(p.text.startswith(("壹、", "一、")) for p in document.paragraphs
                   if p.style.name.startswith("Heading"))


def test_agenda_is_a_real_table_with_the_reference_style(report):
    document = docx.Document(str(report))
    table = document.tables[0]
    assert table.style.name == "Report Table"
    assert [c.text for c in table.rows[0].cells] == ["日期", "會議"]
    assert table.rows[-1].cells[0].text == "2月10日"
    assert "SOM1 Plenary" in table.rows[-1].cells[1].text
    assert "<w:tblHeader/>" in part(report, "word/document.xml")


def test_east_asian_font_and_language_are_set_in_the_styles(report):
    styles = part(report, "word/styles.xml")
    assert 'w:eastAsia="標楷體"' in styles
    assert 'w:eastAsia="zh-TW"' in styles
    document = docx.Document(str(report))
    normal = document.styles["Normal"].element
    assert normal.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "標楷體"


def test_fields_numbering_and_footnotes_are_in_the_xml(report):
    body = part(report, "word/document.xml")
    assert 'TOC \\o "1-3"' in body and "壹、目的" in body  # pre-filled TOC
    footers = [n for n in zipfile.ZipFile(report).namelist() if "footer" in n]
    assert any(" PAGE " in part(report, n) for n in footers)
    numbering = part(report, "word/numbering.xml")
    assert 'w:val="ideographLegalTraditional"' in numbering
    notes = part(report, "word/footnotes.xml")
    assert "中國曾於2001年（民國90年）及2014年（民國103年）主辦APEC" in notes
    assert "<w:footnoteReference w:id=\"1\"/>" in body


def test_libreoffice_converts_it_and_renders_the_numbers(report, tmp_path):
    assert shutil.which("soffice"), "LibreOffice is installed by `build.py test`"
    run("soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
        "--convert-to", "pdf", "--outdir", str(tmp_path), str(report))
    text = pdf_text(tmp_path / (report.stem + ".pdf"))
    for label in ("壹、目的", "貳、會議議程", "一、會議時間及地點", "（一）開放"):
        assert label in text
    assert "出國報告（出國類別：開會）" in text


def test_pandoc_reads_back_headings_table_and_footnote(report):
    assert shutil.which("pandoc"), "pandoc is installed by `build.py test`"
    markdown = run("pandoc", "-t", "markdown", str(report))
    for chapter in CHAPTERS[1:]:
        assert f"# {chapter}\n" in markdown
    assert "## 議程" in markdown and "日期" in markdown
    assert "[^1]:" in markdown


def test_report_pdf_has_cover_numbered_headings_and_toc(som1_outputs):
    text = pdf_text(som1_outputs["som1-2026-delegation-report.pdf"])
    assert "出國報告（出國類別：開會）" in text
    assert "出國期間：115年1月31日至115年2月11日" in text
    flat = squeeze(text)
    assert "目次" in flat and "壹、目的" in flat and "（一）開放" in flat


def test_seed_004_report_keeps_every_part_agenda_and_photos(fotc_outputs):
    report = fotc_outputs["fotc-urbanization-2019-delegation-report.docx"]
    document = docx.Document(str(report))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == CHAPTERS
    level2 = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert level2[:4] == ["城鎮化議題主席之友會議背景資料", "城鎮化議題主席之友會議議程",
                          "中國大陸提案", "我國提案"]
    assert "會議結論" in level2 and ["心得", "建議"] == level2[-3:-1]
    agenda = document.tables[0]
    assert [c.text for c in agenda.rows[0].cells] == ["時間", "議程"]
    cells = [row.cells[1].text for row in agenda.rows]
    assert "4.2.1 提案：SMART 住宅推動策略" in cells
    assert agenda.rows[1].cells[0].text == "19:00 – 19:10"
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions == ["照片 1 提案報告團隊合照", "照片 2 本次會議我方提案簡報計畫構想示意"]
    assert len(document.inline_shapes) == 2
    assert all(shape.width > docx.shared.Cm(14) for shape in document.inline_shapes)


def test_seed_004_report_pdf_numbers_the_five_principles(fotc_outputs):
    text = squeeze(pdf_text(fotc_outputs["fotc-urbanization-2019-delegation-report.pdf"]))
    assert "（一）永續促進（Sustainability）" in text
    assert "（五）科技運用（Technology）" in text
    assert "108年5月13日下午7時整至8時30分" in text.replace(" ", "")
    assert "壹、目的" in text and "伍、附錄" in text
