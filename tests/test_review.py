"""build.py check and the reviews: each rule against a good and a bad document
(tests/data/review/good, bad), the exact messages at their lines, the build's
warnings and --strict, and the upload sheet."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest

from meetdocs import cli
from meetdocs.errors import BuildError
from meetdocs.pipeline import build_meeting
from meetdocs.review import check_meeting, report_rules, settings
from meetdocs.review.pdfpages import page_count

DATA = Path(__file__).resolve().parent / "data" / "review"
EXPECTED = (DATA / "bad" / "expected.txt").read_text(encoding="utf-8").splitlines()
RULES = ["report-part", "report-appendix", "report-suggestions", "report-summary",
         "report-deadline", "sheet-field", "zh-simplified", "zh-acronym-first-use",
         "zh-acronym-unknown", "zh-acronym-expansion", "zh-brackets",
         "zh-half-width-mark", "zh-doubled-mark", "zh-unbalanced", "zh-roc-year"]


@pytest.fixture
def reviewed(project):
    root = project(**{"review-good": DATA / "good", "review-bad": DATA / "bad"})
    return root, {m: [f for f in check_meeting(root, m) if not f.note]
                  for m in ("review-good", "review-bad")}


def test_every_rule_at_its_line_in_one_run(reviewed):
    assert [str(f) for f in reviewed[1]["review-bad"]] == EXPECTED


@pytest.mark.parametrize("rule", RULES)
def test_rule_good_and_bad(reviewed, rule):
    good, bad = reviewed[1]["review-good"], reviewed[1]["review-bad"]
    assert [f for f in good if f.rule == rule] == []
    expected = [line for line in EXPECTED if f"[{rule}]" in line]
    assert expected, "the bad case breaks this rule"
    assert [str(f) for f in bad if f.rule == rule] == expected


def test_messages_name_rule_expected_found_fix(reviewed):
    line = next(str(f) for f in reviewed[1]["review-bad"] if f.rule == "zh-simplified")
    assert line == ("content/review-bad/delegation-report.md:20: [zh-simplified] "
                    "Simplified characters in Traditional text; expected 這 會 議 討 論 "
                    "續 觀; found 这 会 议 讨 论 续 观; fix: 这 → 這, 会 → 會, 议 → 議, "
                    "讨 → 討, 论 → 論, 续 → 續, 观 → 觀")


def test_traditional_characters_that_opencc_changes_are_not_flagged():
    from meetdocs.review.simplified import simplified

    # 后 (皇后), 台 (平台), 群 (羣 is only OpenCC's variant), 秘 and 峰 are Traditional.
    assert simplified("皇后出席平台會議，群組秘書處高峰會", []) == []
    assert simplified("这是广州会议", []) == [("这", "這"), ("会", "會"), ("议", "議")]
    assert simplified("这是会议", ["这是"]) == [("会", "會"), ("议", "議")]


def test_a_closing_mark_that_closes_nothing():
    from meetdocs.review.source import read
    from meetdocs.review.style_rules import unbalanced

    found = unbalanced(read("前言\n\n「會議』結束）。\n", 5, "r.md"))
    assert [str(f) for f in found] == [
        "r.md:7: [zh-unbalanced] 』 closes nothing open; expected 」 to close 「; "
        "found 』; fix: pair each opening mark with its closing one",
        "r.md:7: [zh-unbalanced] ） closes nothing open; expected 」 to close 「; "
        "found ）; fix: pair each opening mark with its closing one",
        "r.md:7: [zh-unbalanced] 「 is not closed in its paragraph; expected 」; "
        "found none; fix: add 」 where it ends"]


def test_deadline_says_days_left_as_a_note():
    found = report_rules.deadline("r.md", {"trip_end": dt.date(2026, 11, 30),
                                           "report_date": dt.date(2027, 2, 1)},
                                  {"report_date": 9})
    assert [str(f) for f in found] == ["r.md:9: [report-deadline] due 2027-02-28 "
                                      "(three months after the return on 2026-11-30); "
                                      "dated 27 days before it"]
    assert found[0].note


def test_cover_fields_missing():
    found = report_rules.cover("r.md", {"category": "開會", "authors": []},
                               {"category": 2})
    assert [f.message for f in found] == [
        "the cover lacks 服務機關", "the cover lacks 姓名職稱",
        "the cover lacks 派赴國家/地區", "the cover lacks 出國期間",
        "the cover lacks 報告日期"]


def test_taipei_minimum_of_three_suggestions(project):
    root = project(**{"review-good": DATA / "good"})
    path = root / "templates" / "delegation-report" / "format.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "min_suggestions: 1", "min_suggestions: 3"), encoding="utf-8")
    found = [str(f) for f in check_meeting(root, "review-good")
             if f.rule == "report-suggestions"]
    assert found == ["content/review-good/delegation-report.md:34: "
                     "[report-suggestions] 建議 are to be concrete items; expected at "
                     "least 3 items (a heading '### …' or a list item each); found 2; "
                     "fix: write each suggestion as its own heading or list item"]


def test_review_settings_are_checked(project):
    root = project()
    path = root / "templates" / "delegation-report" / "format.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "brackets: full-width", "brackets: wide"), encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        from meetdocs import formats
        from meetdocs.writers import WRITERS
        formats.discover(root, WRITERS)
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1)
                if "brackets: wide" in text)
    assert [str(p) for p in caught.value.problems] == [
        f"templates/delegation-report/format.yaml:{line}: 'review.brackets' is not "
        "valid; expected full-width or half-width, found 'wide'"]
    assert settings.invalid("summary_length", [300, 200]) is not None


def test_check_command_exit_codes(reviewed, monkeypatch, capsys):
    root = reviewed[0]
    monkeypatch.setattr(cli, "PROJECT", root)
    assert cli.main(["check", "review-good", "--strict"]) == 0
    assert cli.main(["check", "review-bad"]) == 0
    assert cli.main(["check", "review-bad", "--strict"]) == 1
    out = capsys.readouterr().out
    assert EXPECTED[0] in out and "[report-deadline] due 2026-09-29" in out


def test_build_warns_and_strict_writes_nothing(reviewed, tmp_path):
    root, out = reviewed[0], tmp_path / "out"
    outcome = build_meeting(root, "review-good", out)
    assert [f for f in outcome.findings if not f.note] == []
    with pytest.raises(BuildError) as caught:
        build_meeting(root, "review-bad", out, strict=True)
    assert [str(p) for p in caught.value.problems] == EXPECTED
    assert not (out / "review-bad").exists()


def test_upload_sheet_beside_the_report(reviewed, tmp_path):
    root, out = reviewed[0], tmp_path / "out"
    build_meeting(root, "review-good", out)
    folder = out / "review-good"
    sheet = json.loads((folder / "review-good-delegation-report-sheet.json").read_text())
    pdf = folder / "review-good-delegation-report.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert sheet["頁數"] == int(info.split("Pages:")[1].split()[0])
    assert sheet["計畫名稱"] == "出席115年APEC觀光部長會議"
    assert sheet["出國人員"] == [{"姓名": "王小明", "服務機關": "交通部觀光署",
                                 "職稱": "科長"}]
    assert sheet["出國期間"] == {"起": "2026-06-23", "迄": "2026-06-29"}
    assert sheet["關鍵詞"] == ["APEC", "觀光部長會議", "永續觀光"]
    assert sheet["附件"] == ["images/photo.png"]
    assert sheet["摘要"].startswith("「亞太經濟合作」")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert "review-good-delegation-report-sheet.pdf" in manifest["files"]
    page = folder / "review-good-delegation-report-sheet.pdf"
    assert page_count(page.read_bytes()) == 1
    text = subprocess.run(["pdftotext", str(page), "-"], capture_output=True,
                          text=True).stdout
    assert "公務出國報告資訊網上傳資料" in text and "交通部觀光署" in text


def test_every_meeting_in_content_passes_strict(capsys):
    assert cli.main(["check", "--all", "--strict"]) == 0


def test_a_link_address_is_not_read_as_text_even_with_parentheses():
    """A Wikipedia-style address x_(y) is not a half-width gloss in the text."""
    from meetdocs.review.source import visible

    assert visible("見[維基](https://example.org/x_(y))與（說明）。") == "見[維基]與（說明）。"
    assert visible('見[官網](https://apec.org "APEC")。') == "見[官網]。"


def test_word_outline_numbering_pasted_with_a_tab_makes_the_headings_checked():
    """壹、⇥目的 as Word's numbering is copied out is a heading for the checks as
    for the build (mdfix.word_heading), at its line; without a tab it is text."""
    from meetdocs.review.source import read

    source = read("壹、\t目的\n本文。\n一、\t會議時間\n（一）\t議題\n一、不是標題\n", 12, "r.md")
    assert [(h.level, h.title, h.number) for h in source.headings] == [
        (1, "目的", 12), (2, "會議時間", 14), (3, "議題", 15)]
