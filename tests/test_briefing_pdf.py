"""The briefing PDF of som1-2026, read back with poppler and qpdf."""

from __future__ import annotations

import re

import pytest

from conftest import PROJECT
from meetdocs.content import load_meeting
from meetdocs.formats import discover
from meetdocs.writers import WRITERS
from readback import outline_titles, pdf_fonts, pdf_info, pdf_json, pdf_text, run, squeeze

PRIORITIES = ["「開放」(Openness)", "「創新」(Innovation)", "「合作」(Cooperation)"]


@pytest.fixture(scope="module")
def briefing(som1_outputs):
    return som1_outputs["som1-2026-briefing.pdf"]


def test_theme_and_priorities_come_out_of_the_pdf_intact(briefing):
    text = pdf_text(briefing)
    assert "打造繁榮共享的亞太社群" in text
    flat = squeeze(text)
    assert squeeze("(Building an Asia-Pacific Community to Prosper Together)") in flat
    for priority in PRIORITIES:
        assert priority in flat
    # The briefing's list items are meeting.yaml's priorities, with each acronym
    # spelled out at its first use (the style review asks for it; the one-pager
    # keeps the short form); every item comes out whole either way.
    meeting = load_meeting(PROJECT, "som1-2026", discover(PROJECT, WRITERS))
    items = [item for p in meeting.priorities for item in p.items]
    listed = [line[2:] for line in (PROJECT / "content" / "som1-2026" / "briefing.md")
              .read_text(encoding="utf-8").splitlines() if line.startswith("- ")]
    assert len(listed) >= len(items)
    # In the order of the content stream (what copying and screen readers get):
    # pdftotext's layout order joins the last lines of two columns into one row.
    # An item may run on into the next column or page: the list's bullets and the
    # running head and foot are left out.
    # A word the layout broke reads with ASCII "-" at the line end (copytext.py),
    # which -raw does not join as the default mode does.
    raw = run("pdftotext", "-raw", "-enc", "UTF-8", str(briefing), "-").splitlines()
    stream = squeeze(re.sub("(?<=[a-z])-\n(?=[a-z])", "", "\n".join(
        line for line in raw if line.strip() != "•"
        and not line.startswith(("APEC研究中心電子報", "第 ")))))
    for item in listed[:len(items)]:
        assert squeeze(item) in stream


def test_no_spaces_are_inserted_between_chinese_characters(briefing):
    text = pdf_text(briefing)
    assert "亞太 社群" not in text and "資深 官員" not in text
    assert "第三度舉辦APEC。中國設定2026" in text.replace("\n", "")


def test_cjk_fonts_are_embedded_as_subsets(briefing):
    fonts = pdf_fonts(briefing)
    cjk = [f for f in fonts if "CJK" in f["name"]]
    assert {f["name"].split("+")[1] for f in cjk} >= {"Noto-Serif-CJK-TC",
                                                      "Noto-Sans-CJK-TC"}
    assert all(f["emb"] == f["sub"] == f["uni"] == "yes" for f in fonts)
    assert all("+" in f["name"] for f in fonts)


def test_metadata_language_and_page_footer(briefing):
    info = pdf_info(briefing)
    assert info["Title"].startswith("2026 APEC主題設定為「打造繁榮共享的亞太社群」")
    assert info["Author"] == "王薊暄"
    assert "三項優先領域" in info["Subject"]
    assert info["Page size"].endswith("(A4)")
    pages = int(info["Pages"])
    assert f"第 1 頁／共 {pages} 頁" in pdf_text(briefing)
    catalog = run("qpdf", "--show-object=trailer", str(briefing))
    assert "/Root" in catalog
    assert '"/Lang": "u:zh-Hant"' in run("qpdf", "--json", "--json-key=qpdf",
                                          str(briefing))


def test_bookmarks_follow_the_headings(briefing):
    titles = outline_titles(briefing)
    assert titles[0].startswith("2026 APEC主題設定為")
    assert "三項優先領域設定工作" in titles
    assert "「開放」" in titles and "APEC 情勢亦可能受國際情勢丕變" in titles


def test_pdf_is_structurally_valid(briefing):
    assert "No syntax or stream encoding errors found" in run("qpdf", "--check",
                                                             str(briefing))
    assert pdf_json(briefing)["qpdf"][0]["jsonversion"] >= 2


def test_two_builds_give_the_same_bytes(som1_outputs, tmp_path):
    from meetdocs.pipeline import build_meeting

    again = {p.name: p for p in build_meeting(PROJECT, "som1-2026", tmp_path).files}
    for name, path in som1_outputs.items():
        assert again[name].read_bytes() == path.read_bytes(), name
