"""The one-pager: a "meeting at a glance" page drawn from meeting.yaml alone, its SVG
timeline, the filters that place it, and the page budget that keeps it one page."""

from __future__ import annotations

import datetime as dt

import pytest

from meetdocs import pipeline
from meetdocs.errors import BuildError
from meetdocs.filters import em_width, first_clause, year_fraction

from conftest import DATA


# --- filters --------------------------------------------------------------------------

def test_year_fraction_draws_twelve_equal_months():
    assert year_fraction(dt.date(2026, 1, 1)) == 0
    assert year_fraction(dt.date(2026, 12, 31), end=True) == 1
    assert year_fraction(dt.date(2026, 2, 1)) == pytest.approx(1 / 12)
    # 15 February: 14 of February's 28 days have passed, half of the second month.
    assert year_fraction(dt.date(2026, 2, 15)) == pytest.approx(1.5 / 12)
    assert year_fraction(dt.date(2024, 2, 29), end=True) == pytest.approx(2 / 12)


def test_em_width_counts_chinese_wider_than_latin():
    assert em_width("廣州") == 2
    assert em_width("SOM1 廣州") == pytest.approx(3 * 0.8 + 0.6 + 0.3 + 2)
    assert em_width("") == 0


def test_first_clause_stops_at_the_first_pause_outside_brackets():
    assert first_clause("推動FTAAP集體行動，深化政策對話。") == "推動FTAAP集體行動"
    assert first_clause("婦女與經濟論壇（WEF）：於5月15-16日在上海召開") == "婦女與經濟論壇（WEF）"
    assert first_clause("召開「甲，乙」會議；其後") == "召開「甲，乙」會議"
    assert first_clause("推動制定2025年後服務業路徑圖。") == "推動制定2025年後服務業路徑圖"
    assert first_clause("沒有停頓的一句") == "沒有停頓的一句"


# --- the page budget ------------------------------------------------------------------

def test_the_overflow_is_measured_from_the_layout(project):
    """A format whose page is filled exactly, then 40 mm more."""
    root = project(minimal=DATA / "valid" / "minimal")
    (root / "content" / "minimal" / "briefing.md").unlink()
    tall = root / "templates" / "tall"
    tall.mkdir()
    (tall / "format.yaml").write_text(
        "title: tall\nsource: meeting\npages: 1\noutputs: [pdf]\n"
        "fonts: [Noto Sans CJK TC]\n", encoding="utf-8")
    (tall / "document.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block title %}高{% endblock %}'
        '{% block content %}<div class="full">頁</div><div class="more">多</div>'
        "{% endblock %}", encoding="utf-8")
    (tall / "style.css").write_text(
        "@page { size: A4; margin: 10mm }  body { margin: 0 }\n"
        ".full { height: 277mm }  .more { height: 40mm }\n", encoding="utf-8")
    with pytest.raises(BuildError, match="the tall runs 2 pages, its budget is 1: "
                                         "about 40 mm too long"):
        pipeline.build_meeting(root, "minimal", root / "output")
