"""Every element the HTML can hold reaches the DOCX as the right Word element: the
writer fed tests/data/docx/elements/elements.html, read back with python-docx, its
XML, the strict checker and LibreOffice."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree
from PIL import Image

from meetdocs import formats, images, officecheck
from meetdocs.errors import BuildError
from meetdocs.pipeline import build_meeting
from meetdocs.reference import PAGE_HEIGHT, MARGIN_TB
from meetdocs.writers import WRITERS, Job
from meetdocs.writers import docx as docx_writer
from meetdocs.writers.docx_images import read_picture
from readback import pdf_text, run, squeeze

PROJECT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
ELEMENTS = DATA / "docx" / "elements"
# The team's strict checker lives beside the project (../shared), or beside the
# folder of worktrees.
DOCXVALS = [PROJECT / up / "shared" / "tools" / "docxval" / "validate_docx.py"
            for up in ("..", "../..")]
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R, "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"}
EMU = 9525  # per pixel at 96 dpi


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    fmt = formats.discover(PROJECT, WRITERS)["delegation-report"]
    html = (ELEMENTS / "elements.html").read_text(encoding="utf-8")
    job = Job(PROJECT, ELEMENTS, fmt, html, Path("elements.html"), "", 1, "元素")
    path = tmp_path_factory.mktemp("docx") / "elements.docx"
    path.write_bytes(docx_writer.write(job))
    return path


@pytest.fixture(scope="module")
def document(built):
    return docx.Document(str(built))


def xml(path: Path, name: str):
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name))


def rels(path: Path, name: str) -> dict[str, tuple[str, str]]:
    root = xml(path, name)
    return {rel.get("Id"): (rel.get("Target"), rel.get("TargetMode"))
            for rel in root}


def paragraph(document, text: str):
    return next(p for p in document.paragraphs if text in p.text)


def links(root) -> list[tuple[str, str, str]]:
    """(r:id, text, run style) of each w:hyperlink."""
    return [(link.get(f"{{{R}}}id"), "".join(link.itertext()),
             link.find("w:r/w:rPr/w:rStyle", NS).get(f"{{{W}}}val"))
            for link in root.iter(f"{{{W}}}hyperlink")]


def test_the_strict_checker_passes(built):
    checker = next((path for path in DOCXVALS if path.is_file()), None)
    assert checker, "the shared docxval checker belongs in ../shared/tools/docxval"
    result = subprocess.run([sys.executable, str(checker), str(built)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_office_file_check_passes(built):
    # External relationships only for the links, fields only NOTEREF (officecheck).
    assert officecheck.check(built.read_bytes(), built.name) == []


def test_links_in_the_body_are_hyperlinks_to_their_address(built):
    targets = rels(built, "word/_rels/document.xml.rels")
    found = {text: (targets[r_id], style)
             for r_id, text, style in links(xml(built, "word/document.xml"))}
    assert found["APEC網站"] == (("https://www.apec.org/meeting", "External"), "Hyperlink")
    assert found["info@apec.org"][0] == ("mailto:info@apec.org", "External")


def test_a_link_in_a_footnote_is_related_from_the_footnotes_part(built):
    targets = rels(built, "word/_rels/footnotes.xml.rels")
    notes = xml(built, "word/footnotes.xml")
    [(r_id, text, style)] = links(notes)
    assert text == "注內連結" and style == "Hyperlink"
    assert targets[r_id] == ("https://example.org/note", "External")
    # So is a picture in a note.
    [blip] = notes.iter(f"{{{NS['a']}}}blip")
    assert targets[blip.get(f"{{{R}}}embed")][0] == "media/image1.png"


def test_a_newline_between_english_words_is_a_space_and_br_a_break(document):
    sentence = paragraph(document, "Senior Officials")
    assert "The Senior Officials met in Guangzhou." in sentence.text
    assert sentence._p.find(".//w:br", NS) is None
    lines = paragraph(document, "第一行")
    assert lines.text.startswith("第一行\n第二行\n第三行")  # br, U+2028
    assert "，又有兩段之註" in paragraph(document, "本段有註").text  # CJK break joined


def test_all_six_heading_levels(document):
    styles = {p.style.name: p.text for p in document.paragraphs
              if p.style.name.startswith("Heading")}
    assert styles == {"Heading 1": "第一章", "Heading 2": "第二節", "Heading 3": "第三",
                      "Heading 4": "第四", "Heading 5": "第五", "Heading 6": "第六層標題"}
    outline = document.styles["Heading 6"].element.find("w:pPr/w:outlineLvl", NS)
    assert outline.get(qn("w:val")) == "5"


def drawings(element) -> list[tuple[int, int]]:
    return [(int(e.get("cx")), int(e.get("cy")))
            for e in element.iter(f"{{{NS['wp']}}}extent")]


def test_pictures_in_a_sentence_a_list_item_and_a_cell(document):
    sentence = paragraph(document, "在句中")
    assert drawings(sentence._p) == [(16 * EMU, 16 * EMU)]
    assert sentence._p.find(".//wp:docPr", NS).get("descr") == "icon"  # alt text
    item = paragraph(document, "更深一層")
    assert item.style.name == "List Bullet" and drawings(item._p) == [(320 * EMU,
                                                                        200 * EMU)]
    cell = document.tables[0].rows[1].cells[2].paragraphs[0]
    assert cell.text == "1,000" and drawings(cell._p) == [(16 * EMU, 16 * EMU)]


def test_a_tall_picture_fits_the_page_height_keeping_its_aspect(document):
    [figure] = [p for p in document.paragraphs if p.style.name == "Figure"
                and drawings(p._p) and drawings(p._p)[0][1] > drawings(p._p)[0][0] * 5]
    [(cx, cy)] = drawings(figure._p)
    text_height = (PAGE_HEIGHT - 2 * MARGIN_TB) * 635
    assert cy <= text_height and cy < 2000 * EMU
    assert abs(cx * 10 - cy) <= 10  # 200 × 2000


def test_an_exif_turned_photo_is_embedded_upright(built, document):
    [figure] = [p for p in document.paragraphs if p.style.name == "Figure"
                and drawings(p._p) == [(40 * EMU, 60 * EMU)]]
    r_id = figure._p.find(".//a:blip", NS).get(f"{{{R}}}embed")
    with Image.open(io.BytesIO(document.part.related_parts[r_id].blob)) as image:
        assert image.size == (40, 60)
        assert image.getexif().get(0x0112, 1) == 1  # no second turn by a reader
        red, blue = image.convert("RGB").getpixel((20, 5)), image.getpixel((20, 55))
    assert red[0] > 200 and red[2] < 60 and blue[2] > 200 and blue[0] < 60


def test_code_spans_and_blocks_keep_their_spaces_in_code_styles(document):
    [code] = [r for r in paragraph(document, "程式碼").runs
              if r.style.name == "Verbatim Char"]
    assert code.text == "print( 1 )"  # spaces collapse, as the PDF shows them
    block = paragraph(document, "def f(x):")
    assert block.style.name == "Source Code"
    assert block.text == "def f(x):\n    return  x  # 兩個空格\n\nend"
    assert document.styles["Source Code"].font.name == "Noto Sans Mono CJK TC"


def test_quotes_in_the_quote_style_nested_ones_further_in(document):
    first, second = paragraph(document, "引文第一層"), paragraph(document, "引文第二層")
    assert first.style.name == second.style.name == "Quote"
    assert second.paragraph_format.left_indent > document.styles[
        "Quote"].paragraph_format.left_indent


def test_a_rule_is_a_bottom_border_and_del_is_struck(document):
    rules = [p for p in document.paragraphs if p.style.name == "Horizontal Rule"]
    assert len(rules) == 1
    border = document.styles["Horizontal Rule"].element.find("w:pPr/w:pBdr/w:bottom", NS)
    assert border.get(qn("w:val")) == "single"
    struck = [r.text for r in paragraph(document, "刪除線").runs if r.font.strike]
    assert struck == ["刪除線", "舊文"]


def test_table_cells_keep_their_alignment(document):
    aligned = [c.paragraphs[0].alignment for c in document.tables[0].rows[1].cells]
    assert [a.name if a is not None else None for a in aligned] == [
        "LEFT", "CENTER", "RIGHT"]


def numbering_of(document, p):
    num_pr = p._p.pPr.numPr
    return num_pr.numId.val, num_pr.ilvl.val


def test_an_ordered_list_starts_at_its_start_and_nested_lists_go_deeper(document):
    third = paragraph(document, "第三項")
    num_id, level = numbering_of(document, third)
    numbering = document.part.numbering_part.element
    override = numbering.num_having_numId(num_id).find("w:lvlOverride", NS)
    assert level == 0 and override.get(qn("w:ilvl")) == "0"
    assert override.find("w:startOverride", NS).get(qn("w:val")) == "3"
    more = paragraph(document, "第三項的補充")  # a second paragraph of the item
    assert more.style.name == "List Continue" and more._p.pPr.numPr is None
    assert numbering_of(document, paragraph(document, "巢狀一"))[1] == 1
    assert numbering_of(document, paragraph(document, "更深一層"))[1] == 2


def footnote_paragraphs(built) -> dict[str, list[str]]:
    notes = {}
    for note in xml(built, "word/footnotes.xml").findall("w:footnote", NS):
        notes[note.get(f"{{{W}}}id")] = ["".join(p.itertext()).strip()
                                         for p in note.findall("w:p", NS)]
    return notes


def test_every_block_of_a_footnote_is_its_own_paragraph(built):
    notes = footnote_paragraphs(built)
    assert notes["2"] == ["註的第一段。", "註的第二段。"]
    assert notes["3"] == ["註前言：", "3. 第三項", "4. 第四項", "• 子項"]
    sub_item = xml(built, "word/footnotes.xml").xpath(
        "//w:footnote[@w:id='3']/w:p[4]/w:pPr/w:ind/@w:left", namespaces=NS)
    assert sub_item == ["300"]  # a sub-list goes further in


def test_a_note_called_again_is_a_noteref_to_a_bookmark_on_its_first_call(built):
    body = xml(built, "word/document.xml")
    # The note's bookmark; the headings' _Toc bookmarks are the TOC's (toc.py).
    start = next(b for b in body.iterfind(".//w:bookmarkStart", NS)
                 if not b.get(f"{{{W}}}name").startswith("_Toc"))
    name = start.get(f"{{{W}}}name")
    assert start.getnext().find("w:footnoteReference", NS).get(f"{{{W}}}id") == "1"
    codes = [t.text for t in body.iter(f"{{{W}}}instrText") if "NOTEREF" in t.text]
    assert codes == [f" NOTEREF {name} \\f \\h "]
    result = [r for r in body.iter(f"{{{W}}}r")
              if r.find("w:t", NS) is not None and r.find("w:t", NS).text == "1"]
    assert result and result[0].find("w:rPr/w:rStyle", NS).get(f"{{{W}}}val") \
        == "FootnoteReference"


def test_libreoffice_shows_the_list_start_the_note_numbers_and_the_pictures(
        built, tmp_path):
    assert shutil.which("soffice"), "LibreOffice is installed by `build.py test`"
    run("soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
        "--convert-to", "pdf", "--outdir", str(tmp_path), str(built))
    pdf = tmp_path / "elements.pdf"
    text = squeeze(pdf_text(pdf))
    for shown in ("（三）第三項", "（四）第四項", "再引第一註1", "註的第二段",
                  "4.第四項", "第六層標題", "引文第二層"):
        assert shown in text
    listing = run("pdfimages", "-list", str(pdf)).splitlines()[2:]
    sizes = {(int(line.split()[3]), int(line.split()[4])) for line in listing}
    assert {(16, 16), (200, 2000), (320, 200), (40, 60)} <= sizes


# ------------------------------------------------------- pictures from outside


def test_a_picture_a_template_writes_from_outside_fails_the_build(project, tmp_path):
    outside = tmp_path / "secret.png"
    Image.new("RGB", (8, 8)).save(outside)
    root = project(hidden=DATA / "invalid" / "template-hidden-image")
    template = root / "content/hidden/templates/delegation-report/document.html.j2"
    template.write_text(template.read_text().replace("/abs/path/photo.png", str(outside)))
    with pytest.raises(BuildError) as caught:
        build_meeting(root, "hidden", root / "output")
    message = str(caught.value)
    assert "content/hidden/templates/delegation-report/document.html.j2:3:" in message
    assert "not a file in the meeting folder" in message and str(outside) in message
    assert not list((root / "output").rglob("*.docx"))  # nothing published


@pytest.mark.parametrize("src, why", [
    ("/etc/hostname", "not a file in the meeting folder"),
    ("file:///etc/hostname", "not a file in the meeting folder"),
    ("http://example.org/a.png", "not a file in the meeting folder"),
    ("../template-hidden-image/images/icon.png", "not a file in the meeting folder"),
    ("images/missing.png", "does not exist"),
    ("images/link.png", "symbolic link"),
    ("images/text.png", "is not a PNG image"),
])
def test_read_picture_refuses(tmp_path, src, why):
    folder = tmp_path / "meeting"
    shutil.copytree(DATA / "invalid" / "template-hidden-image", folder)
    os.symlink(folder / "images" / "icon.png", folder / "images" / "link.png")
    (folder / "images" / "text.png").write_text("not a picture")
    refusal = read_picture(folder, src)
    assert isinstance(refusal, images.Refusal) and why in refusal.message


def test_read_picture_refuses_a_linked_folder(tmp_path):
    folder = tmp_path / "meeting"
    (folder).mkdir()
    os.symlink(DATA / "docx" / "elements" / "images", folder / "images")
    assert "symbolic link" in read_picture(folder, "images/icon.png").message
    assert read_picture(DATA / "docx" / "elements", "images/icon.png").width == 16


def test_pandoc_reads_the_elements_back_as_their_kinds(built):
    assert shutil.which("pandoc"), "pandoc is installed by `build.py test`"
    markdown = run("pandoc", "-f", "docx", "-t", "markdown", str(built))
    for kind in ("[APEC網站](https://www.apec.org/meeting)", "<info@apec.org>",
                 "###### 第六層標題", "`print( 1 )`", "~~刪除線~~",
                 "    def f(x):\n        return  x  # 兩個空格", "> > 引文第二層。",
                 "[注內連結](https://example.org/note)",
                 "註的第一段。\n\n    註的第二段。"):
        assert kind in markdown
