"""The four newsletter briefings: boxes, lists, notes, figures and the closing mark
come out of each PDF as the seeds have them."""

from __future__ import annotations

import pytest

from conftest import PROJECT
from meetdocs.pipeline import build_meeting
from readback import pdf_info, pdf_text, run, squeeze


@pytest.fixture(scope="module")
def text(tmp_path_factory):
    out = tmp_path_factory.mktemp("newsletters")
    pdfs = {m: next(p for p in build_meeting(PROJECT, m, out).files
                    if p.name.endswith('-briefing.pdf'))
            for m in ("som1-2023", "som3-2023", "som2-2024")}
    return {m: pdf_text(p) for m, p in pdfs.items()} | {"_pdfs": pdfs}


def test_numbered_list_gets_chinese_markers_one_to_ten(text):
    flat = squeeze(text["som1-2023"])
    assert "（一）永續性與包容性的貿易；" in flat
    assert "（十）為經濟領袖盤點" in flat
    # The item whole in the order of the content stream (what copying and screen
    # readers get): poppler's layout order reads the item's second line, at the
    # top of page 2 beside the APEC典藏 box, as a block of its own.
    raw = run("pdftotext", "-raw", "-enc", "UTF-8", str(text["_pdfs"]["som1-2023"]), "-")
    assert "為經濟領袖盤點2023年執行邁向永續與包容經濟之行動。" in squeeze(raw)


def test_boxes_keep_their_titles(text):
    assert "APEC典藏" in text["som1-2023"] and "APEC典藏" in text["som2-2024"]
    assert "APEC小百科" in text["som3-2023"]


def test_note_call_and_notes_section(text):
    flat = squeeze(text["som2-2024"])
    assert "(下稱「底特律準則」)注1保持一致" in flat.replace("，下稱", "(下稱") or \
        "「底特律準則」)注1保持一致" in flat
    assert "注解注1：「底特律準則」為2023年美國主辦APEC的年度重要產出政策文件" in flat


def test_captions_end_with_their_credit_and_the_article_with_the_mark(text):
    assert "（圖／APEC官網）" in squeeze(text["som3-2023"]) or \
        "(圖/APEC官網)" in squeeze(text["som3-2023"])
    assert "■" in text["som3-2023"]


@pytest.mark.parametrize("meeting", ["som1-2023", "som3-2023", "som2-2024"])
def test_each_pdf_is_valid_tagged_and_titled(text, meeting):
    pdf = text["_pdfs"][meeting]
    assert "No syntax or stream encoding errors found" in run("qpdf", "--check", str(pdf))
    info = pdf_info(pdf)
    assert info["Tagged"] == "yes" and info["Author"] == "王薊暄"
    assert info["Title"]
