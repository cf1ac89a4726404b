"""The English briefing (templates/briefing-en/): its date filters."""

from __future__ import annotations

import datetime as dt

from meetdocs.filters import en_date, en_date_range


# --- the filters ---------------------------------------------------------------

def test_english_dates_put_the_day_first():
    assert en_date(dt.date(2026, 3, 16)) == "16 March 2026"
    assert en_date(dt.date(2026, 2, 1)) == "1 February 2026"


def test_english_date_ranges_use_an_en_dash():
    d = dt.date
    assert en_date_range(d(2026, 2, 1), d(2026, 2, 10)) == "1\u201310 February 2026"
    assert en_date_range(d(2026, 2, 28), d(2026, 3, 3)) == \
        "28 February \u2013 3 March 2026"
    assert en_date_range(d(2026, 12, 28), d(2027, 1, 3)) == \
        "28 December 2026 \u2013 3 January 2027"
    assert en_date_range(d(2026, 7, 23)) == "23 July 2026"
    assert en_date_range(d(2026, 7, 23), d(2026, 7, 23)) == "23 July 2026"
    assert en_date_range(d(2026, 5, 20), d(2026, 5, 23), year=False) == "20\u201323 May"
    # Across a new year the years must stay, or the range would read backwards.
    assert en_date_range(d(2026, 12, 28), d(2027, 1, 3), year=False) == \
        "28 December 2026 \u2013 3 January 2027"
