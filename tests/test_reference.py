"""Tests for meetdocs.reference: the reference.docx style sheet."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from lxml import etree

from meetdocs.reference import build_reference_docx, list_num_ids, new_list_num

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}

PARAGRAPH_STYLES = [
    "Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Heading 4",
    "Heading 5", "Caption", "TOC Heading", "TOC 1", "TOC 2", "TOC 3", "Footnote Text",
    "List Bullet", "List Number", "Cover Title", "Cover Field", "Table Text",
    "Box Text", "Unnumbered Heading", "Figure", "Heading 6", "Source Code", "Quote",
    "Horizontal Rule", "List Continue",
]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ref") / "reference.docx"
    build_reference_docx(path)
    return path


@pytest.fixture()
def document(reference):
    return docx.Document(str(reference))


def part_xml(path: Path, name: str):
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name))


def wval(element, attr: str = "val"):
    return element.get(qn(f"w:{attr}"))


def style_el(document, name: str):
    return document.styles[name].element


# ------------------------------------------------------------------------- styles


@pytest.mark.parametrize("name", PARAGRAPH_STYLES)
def test_paragraph_style_exists(document, name):
    assert document.styles[name].type == WD_STYLE_TYPE.PARAGRAPH


def test_character_and_table_styles_exist(document):
    footnote_ref = document.styles["Footnote Reference"]
    assert footnote_ref.type == WD_STYLE_TYPE.CHARACTER
    assert footnote_ref.element.xpath("w:rPr/w:vertAlign/@w:val") == ["superscript"]
    assert document.styles["Report Table"].type == WD_STYLE_TYPE.TABLE


def assert_fonts_and_lang(rpr):
    fonts = rpr.find(qn("w:rFonts"))
    assert fonts is not None
    assert wval(fonts, "eastAsia") == "標楷體"
    assert wval(fonts, "ascii") == wval(fonts, "hAnsi") == "Times New Roman"
    assert wval(rpr.find(qn("w:lang")), "eastAsia") == "zh-TW"


def test_doc_defaults_fonts_and_language(reference):
    styles = part_xml(reference, "word/styles.xml")
    rpr = styles.find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    assert_fonts_and_lang(rpr)
    assert wval(rpr.find(qn("w:sz"))) == "28"


ALL_DEFINED = [*PARAGRAPH_STYLES, "Footnote Reference", "Report Table", "Hyperlink",
               "Verbatim Char"]


CODE_STYLES = ("Source Code", "Verbatim Char")


@pytest.mark.parametrize("name", ALL_DEFINED)
def test_every_defined_style_has_fonts_and_language(document, name):
    rpr = style_el(document, name).find(qn("w:rPr"))
    if name in CODE_STYLES:  # code: the PDF's monospace face for every script
        fonts = rpr.find(qn("w:rFonts"))
        assert wval(fonts, "ascii") == wval(fonts, "eastAsia") == "Noto Sans Mono CJK TC"
    else:
        assert_fonts_and_lang(rpr)


def test_styles_of_the_smaller_elements(document):
    assert document.styles["Hyperlink"].type == WD_STYLE_TYPE.CHARACTER
    assert document.styles["Verbatim Char"].type == WD_STYLE_TYPE.CHARACTER
    link = style_el(document, "Hyperlink").rPr
    assert wval(link.find(qn("w:u"))) == "single" and link.find(qn("w:color")) is not None
    assert style_el(document, "Horizontal Rule").xpath(
        "w:pPr/w:pBdr/w:bottom/@w:val") == ["single"]
    assert style_el(document, "Heading 6").pPr.numPr is None  # not numbered
    quote = document.styles["Quote"].paragraph_format
    assert quote.left_indent.twips == 567 and quote.alignment == 3  # JUSTIFY
    code = document.styles["Source Code"].paragraph_format
    assert code.alignment == 0 and code.first_line_indent in (None, 0)


def test_lists_have_nine_levels(document):
    for kind, num_id in list_num_ids(document).items():
        levels = abstract_for(document, num_id).findall("w:lvl", NS)
        assert [int(wval(lvl, "ilvl")) for lvl in levels] == list(range(9))


def test_a_list_can_start_at_any_number_on_any_level(document):
    numbering = document.part.numbering_part.element
    num = numbering.num_having_numId(new_list_num(document, "number", 3, 2))
    assert num.xpath("w:lvlOverride[@w:ilvl='2']/w:startOverride/@w:val") == ["3"]


def test_no_theme_fonts_left_anywhere(reference):
    styles = part_xml(reference, "word/styles.xml")
    for fonts in styles.iter(qn("w:rFonts")):
        themed = [k for k in fonts.attrib if "theme" in k.lower()]
        assert not themed, etree.tostring(fonts)


def test_normal_body_text(document):
    ppr = style_el(document, "Normal").pPr
    assert wval(ppr.find(qn("w:ind")), "firstLineChars") == "200"
    assert wval(ppr.find(qn("w:spacing")), "line") == "360"
    assert document.styles["Normal"].font.size.pt == 14


@pytest.mark.parametrize("level,size", [(1, 18), (2, 16), (3, 14), (4, 14), (5, 14)])
def test_heading_look(document, level, size):
    style = document.styles[f"Heading {level}"]
    assert style.style_id == f"Heading{level}"
    assert style.font.bold and style.font.size.pt == size
    assert style.paragraph_format.keep_with_next
    ppr = style.element.pPr
    assert wval(ppr.find(qn("w:outlineLvl"))) == str(level - 1)
    assert wval(ppr.find(qn("w:ind")), "firstLineChars") == "0"
    assert_fonts_and_lang(style.element.find(qn("w:rPr")))


def test_heading1_no_page_break_before(document):
    assert document.styles["Heading 1"].paragraph_format.page_break_before is False


def test_unnumbered_heading_is_level0_without_number(document):
    ppr = style_el(document, "Unnumbered Heading").pPr
    assert wval(ppr.find(qn("w:outlineLvl"))) == "0"
    assert ppr.numPr is None
    assert document.styles["Unnumbered Heading"].base_style.name == "Normal"


@pytest.mark.parametrize("name", [
    "Table Text", "Figure", "Caption", "Box Text", "TOC Heading", "TOC 1", "Title",
    "Subtitle", "Cover Title", "Cover Field", "Footnote Text", "Header", "Footer"])
def test_no_first_line_indent(document, name):
    ind = style_el(document, name).pPr.find(qn("w:ind"))
    assert wval(ind, "firstLineChars") == "0" and wval(ind, "firstLine") == "0"


def test_toc_heading_not_numbered_nor_in_toc(document):
    ppr = style_el(document, "TOC Heading").pPr
    assert ppr.numPr is None
    assert document.styles["TOC Heading"].base_style.name == "Normal"
    assert wval(ppr.find(qn("w:outlineLvl"))) == "9"


@pytest.mark.parametrize("name", ["Title", "Subtitle", "Cover Title", "Figure",
                                  "Caption", "TOC Heading", "Footer"])
def test_centered(document, name):
    assert document.styles[name].paragraph_format.alignment == 1  # CENTER


def test_figure_centered_keep_with_next(document):
    fmt = document.styles["Figure"].paragraph_format
    assert fmt.keep_with_next and fmt.alignment == 1  # CENTER


def test_box_text_bordered_and_shaded(document):
    ppr = style_el(document, "Box Text").pPr
    sides = [child.tag.split("}")[1] for child in ppr.find(qn("w:pBdr"))]
    assert sides == ["top", "left", "bottom", "right"]
    assert wval(ppr.find(qn("w:shd")), "fill") == "F2F2F2"


def test_report_table_style(document):
    element = style_el(document, "Report Table")
    borders = element.find("w:tblPr/w:tblBorders", NS)
    assert [b.tag.split("}")[1] for b in borders] == [
        "top", "left", "bottom", "right", "insideH", "insideV"]
    assert {(wval(b), wval(b, "sz")) for b in borders} == {("single", "4")}
    first_row = element.find("w:tblStylePr[@w:type='firstRow']", NS)
    assert first_row.find("w:rPr/w:b", NS) is not None
    assert wval(first_row.find("w:tcPr/w:shd", NS), "fill") == "D9D9D9"
    ind = element.find("w:pPr/w:ind", NS)
    assert wval(ind, "firstLineChars") == "0" and wval(ind, "firstLine") == "0"


# ---------------------------------------------------------------------- numbering


def abstract_for(document, num_id: int):
    numbering = document.part.numbering_part.element
    num = numbering.num_having_numId(num_id)
    abstract_id = num.abstractNumId.val
    return numbering.find(f"w:abstractNum[@w:abstractNumId='{abstract_id}']", NS)


def test_headings_share_one_multilevel_list(document):
    num_ids = set()
    for level in range(1, 6):
        num_pr = style_el(document, f"Heading {level}").pPr.numPr
        assert num_pr is not None, f"Heading {level} has no numPr"
        assert num_pr.ilvl.val == level - 1
        num_ids.add(num_pr.numId.val)
    assert len(num_ids) == 1
    abstract = abstract_for(document, num_ids.pop())
    assert wval(abstract.find(qn("w:multiLevelType"))) == "multilevel"


def test_heading_level_formats(document):
    num_id = style_el(document, "Heading 1").pPr.numPr.numId.val
    abstract = abstract_for(document, num_id)
    expected = [
        ("ideographLegalTraditional", "%1、", "nothing"),
        ("taiwaneseCountingThousand", "%2、", "nothing"),
        ("taiwaneseCountingThousand", "（%3）", "nothing"),
        ("decimal", "%4.", None),
        ("decimal", "（%5）", None),
    ]
    for ilvl, (fmt, text, suffix) in enumerate(expected):
        lvl = abstract.find(f"w:lvl[@w:ilvl='{ilvl}']", NS)
        assert wval(lvl.find(qn("w:numFmt"))) == fmt
        assert wval(lvl.find(qn("w:lvlText"))) == text
        assert wval(lvl.find(qn("w:pStyle"))) == f"Heading{ilvl + 1}"
        if suffix:
            assert wval(lvl.find(qn("w:suff"))) == suffix
        assert wval(lvl.find("w:pPr/w:ind", NS), "hanging") is not None


def test_list_styles_numbered(document):
    ids = list_num_ids(document)
    assert set(ids) == {"bullet", "number"} and ids["bullet"] != ids["number"]
    bullet = abstract_for(document, ids["bullet"]).find("w:lvl[@w:ilvl='0']", NS)
    assert wval(bullet.find(qn("w:numFmt"))) == "bullet"
    assert wval(bullet.find(qn("w:lvlText"))) == "•"
    number = abstract_for(document, ids["number"]).find("w:lvl[@w:ilvl='0']", NS)
    assert wval(number.find(qn("w:numFmt"))) == "taiwaneseCountingThousand"
    assert wval(number.find(qn("w:lvlText"))) == "（%1）"


def test_new_list_num_restarts(document):
    ids = list_num_ids(document)
    first, second = new_list_num(document, "number"), new_list_num(document, "number")
    assert len({first, second, ids["bullet"], ids["number"]}) == 4
    numbering = document.part.numbering_part.element
    num = numbering.num_having_numId(first)
    style_num = numbering.num_having_numId(ids["number"])
    assert num.abstractNumId.val == style_num.abstractNumId.val
    assert num.xpath("w:lvlOverride[@w:ilvl='0']/w:startOverride/@w:val") == ["1"]
    # abstractNum elements must all precede num elements (schema order).
    tags = [child.tag.split("}")[1] for child in numbering]
    assert tags.index("num") > max(i for i, t in enumerate(tags) if t == "abstractNum")


def test_list_num_ids_rejects_unnumbered_style(document):
    document.styles["List Bullet"].element.pPr.remove(
        document.styles["List Bullet"].element.pPr.numPr)
    with pytest.raises(KeyError):
        list_num_ids(document)


# ------------------------------------------------------- page, footer, settings, core


def test_page_setup(document):
    assert len(document.sections) == 1
    section = document.sections[0]
    assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)
    assert abs(section.top_margin.cm - 2.5) < 0.01
    assert abs(section.bottom_margin.cm - 2.5) < 0.01
    assert abs(section.left_margin.cm - 3) < 0.01
    assert abs(section.right_margin.cm - 3) < 0.01


def test_body_is_empty_but_keeps_section(document):
    body = document.element.body
    assert [child.tag for child in body] == [qn("w:sectPr")]


def test_footer_has_page_field(document):
    footer = document.sections[0].footer
    assert not footer.is_linked_to_previous
    (paragraph,) = footer.paragraphs
    assert paragraph.style.name == "Footer"
    assert document.styles["Footer"].paragraph_format.alignment == 1  # CENTER
    p = paragraph._p
    assert [wval(f, "fldCharType") for f in p.iter(qn("w:fldChar"))] == [
        "begin", "separate", "end"] * 2
    assert [i.text.strip() for i in p.iter(qn("w:instrText"))] == ["PAGE", "NUMPAGES"]
    assert paragraph.text == "第 1 頁／共 1 頁"  # the fields' results until updated


def test_running_head_is_title_field_not_on_cover(document):
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert not section.header.is_linked_to_previous
    (paragraph,) = section.header.paragraphs
    assert paragraph.style.name == "Header"
    assert [i.text.strip() for i in paragraph._p.iter(qn("w:instrText"))] == ["TITLE"]
    assert not "".join(p.text for p in section.first_page_header.paragraphs)


def test_font_table_names_tw_kai_for_biaukai(reference):
    fonts = part_xml(reference, "word/fontTable.xml")
    (kai,) = [f for f in fonts.findall(qn("w:font")) if wval(f, "name") == "標楷體"]
    assert wval(kai.find(qn("w:altName"))) == "TW-Kai"
    assert wval(kai.find(qn("w:charset"))) == "88"


def test_settings(reference):
    settings = part_xml(reference, "word/settings.xml")
    assert wval(settings.find(qn("w:updateFields"))) == "true"
    lang = settings.find(qn("w:themeFontLang"))
    assert (wval(lang), wval(lang, "eastAsia")) == ("en-US", "zh-TW")
    # updateFields must sit before w:compat in CT_Settings order.
    tags = [child.tag for child in settings]
    assert tags.index(qn("w:updateFields")) < tags.index(qn("w:compat"))
    # LibreOffice would spread a line ended by <br> across a justified paragraph.
    assert settings.find("w:compat/w:doNotExpandShiftReturn", NS) is not None


def test_core_properties(document):
    core = document.core_properties
    assert core.title == "" and core.author == "" and core.last_modified_by == ""
    assert core.revision == 1
    assert core.created.isoformat().startswith("2026-01-01T00:00:00")
    assert core.modified == core.created


def test_stale_template_parts_dropped(reference):
    names = zipfile.ZipFile(reference).namelist()
    assert "word/stylesWithEffects.xml" not in names
    assert not [n for n in names if "thumbnail" in n]


def test_two_builds_identical(reference, tmp_path):
    again = tmp_path / "again.docx"
    build_reference_docx(again)
    with zipfile.ZipFile(reference) as one, zipfile.ZipFile(again) as two:
        assert one.namelist() == two.namelist()
        for name in ("word/styles.xml", "word/numbering.xml", "word/settings.xml",
                     "word/document.xml"):
            assert one.read(name) == two.read(name), name
        assert {i.date_time for i in two.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert reference.read_bytes() == again.read_bytes()


# -------------------------------------------------------------------- LibreOffice


def soffice_pdf(source: Path, outdir: Path) -> Path:
    profile = outdir / "lo-profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", "pdf", "--outdir", str(outdir), str(source)],
        check=True, capture_output=True, timeout=300)
    pdf = outdir / (source.stem + ".pdf")
    assert pdf.exists() and pdf.stat().st_size > 0
    return pdf


needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                   reason="LibreOffice (soffice) not installed")


@needs_soffice
def test_libreoffice_opens_reference(reference, tmp_path):
    soffice_pdf(reference, tmp_path)


@needs_soffice
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_heading_number_renders(reference, tmp_path):
    document = docx.Document(str(reference))
    document.add_paragraph("議程", style="Heading 2")
    source = tmp_path / "agenda.docx"
    document.save(str(source))
    pdf = soffice_pdf(source, tmp_path)
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "一、議程" in text
