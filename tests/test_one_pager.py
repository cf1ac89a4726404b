"""The one-pager: a "meeting at a glance" page drawn from meeting.yaml alone, its SVG
timeline, the filters that place it, and the page budget that keeps it one page."""

from __future__ import annotations

import datetime as dt

import pytest

from meetdocs.filters import em_width, first_clause, year_fraction


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
