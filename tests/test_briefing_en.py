"""The English briefing (templates/briefing-en/): its date filters, and the PDF of
som1-2026 and of a test meeting read back with poppler and qpdf."""

from __future__ import annotations

import datetime as dt
import re
from xml.etree import ElementTree

import pytest

from conftest import DATA, PROJECT, make_project
from meetdocs.content import load_meeting
from meetdocs.filters import en_date, en_date_range
from meetdocs.formats import discover
from meetdocs.pipeline import build_meeting
from meetdocs.writers import WRITERS
from readback import outline_titles, pdf_fonts, pdf_info, pdf_lines, pdf_text, run, squeeze

SOURCE = PROJECT / "content" / "som1-2026" / "briefing-en.md"
MM = 72 / 25.4
# The page box of templates/briefing-en/style.css: A4, margins 22 mm at the top and
# 20 mm elsewhere, columns 7 mm apart.
LEFT, RIGHT, TOP, BOTTOM = 20 * MM, (210 - 20) * MM, 22 * MM, (297 - 20) * MM
GUTTER = (LEFT + (RIGHT - LEFT - 7 * MM) / 2, LEFT + (RIGHT - LEFT + 7 * MM) / 2)


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


# --- reading the PDF back ------------------------------------------------------

def unhyphenate(text: str) -> str:
    """The text as written: hyphens: auto adds U+2010 at a line end, a character
    the Markdown never uses, so removing it with the break restores each word."""
    return re.sub(r"\s+", " ", re.sub("\u2010\n", "", text))


def page_words(path) -> list[list[tuple[float, float, float]]]:
    """Each page's words as (xMin, xMax, yMin), from poppler's bounding boxes (a
    word is a line's replacement text, which poppler does not split)."""
    xhtml = "{http://www.w3.org/1999/xhtml}"
    root = ElementTree.fromstring(run("pdftotext", "-bbox-layout", str(path), "-"))
    return [[tuple(float(w.get(k)) for k in ("xMin", "xMax", "yMin"))
             for w in page.iter(xhtml + "word")] for page in root.iter(xhtml + "page")]


@pytest.fixture(scope="module")
def briefing(som1_outputs):
    return som1_outputs["som1-2026-briefing-en.pdf"]


@pytest.fixture(scope="module")
def meeting():
    return load_meeting(PROJECT, "som1-2026", discover(PROJECT, WRITERS))


@pytest.fixture(scope="module")
def features(tmp_path_factory):
    """The test meeting of tests/data/valid/english: numbered list, note, boxes."""
    root = make_project(tmp_path_factory.mktemp("english"),
                        {"english": DATA / "valid" / "english"})
    outcome = build_meeting(root, "english", root / "output")
    return next(p for p in outcome.files if p.suffix == ".pdf")


def test_sentences_copy_out_of_the_pdf_intact(briefing):
    text = unhyphenate(pdf_text(briefing))
    for sentence in ("China is hosting Asia-Pacific Economic Cooperation (APEC) in "
                     "2026, its third time as host, after 2001 and 2014.",
                     "Whether that meeting can produce a joint statement agreed by "
                     "all APEC members remains to be seen, particularly on content "
                     "concerning the state of global trade."):
        assert sentence in SOURCE.read_text(encoding="utf-8")
        assert sentence in text
    # Hyphenation is on, and the words it breaks copy out whole: a broken line
    # reads with ASCII "-" (copytext.py), which poppler drops to join the word.
    assert "\u2010" not in SOURCE.read_text(encoding="utf-8")
    assert "\u2010" not in pdf_text(briefing)
    assert len([line for line in pdf_lines(briefing) if re.search("[a-z]-$", line)]) >= 5


def test_words_with_ligatures_extract_as_letters(briefing):
    text = unhyphenate(pdf_text(briefing))
    assert not re.search("[\ufb00-\ufb06]", text)
    body = SOURCE.read_text(encoding="utf-8").split("---", 2)[2]
    words = set(re.findall(r"\w*(?:fi|fl|ff)\w*", body))
    assert {"financing", "confirmed", "affect", "Officials"} <= words
    missing = [w for w in words if not re.search(rf"\b{w}\b", text)]
    assert missing == []


def test_meeting_facts_come_from_the_english_fields_of_meeting_yaml(briefing, meeting):
    text = unhyphenate(pdf_text(briefing))
    dates = en_date_range(meeting.start, meeting.end)
    assert dates == "1\u201310 February 2026"
    # Written nowhere in the Markdown: only the template can have put it there.
    assert dates not in SOURCE.read_text(encoding="utf-8")
    for fact in (dates, meeting.theme_en, meeting.city_en, meeting.venue_en,
                 meeting.host_economy_en, meeting.name_en.replace("'", "\u2019"),
                 " · ".join(p.name_en for p in meeting.priorities)):
        assert fact in text
    assert "16 March 2026" in text  # the article's date, in the masthead


def test_optional_facts_are_left_out_and_dates_may_span_two_months(features):
    text = unhyphenate(pdf_text(features))
    assert "28 April \u2013 16 May 2024" in text
    assert "Arequipa, Peru" in text
    assert "Theme" not in text and "Priorities" not in text


def test_numbered_lists_notes_and_boxes_are_english(features):
    raw = pdf_text(features)
    text = unhyphenate(raw)
    assert "(1) education, with more persons" in text
    assert "(3) labor and social protection" in text
    assert "APEC Glossary" in text and "From the APEC Archive" in text
    # The note becomes a page footnote called 1, not the Chinese 注1.
    assert "Detroit Principles.1 They set targets" in text
    assert "1. The Detroit Principles were a key policy outcome" in text
    assert not re.search("[注（）一二三]", raw)


def test_metadata_is_english(briefing):
    info = pdf_info(briefing)
    assert info["Title"].startswith("APEC 2026 Takes \u201cBuilding an Asia-Pacific")
    assert info["Author"] == "Wang Chi-hsuan"  # names romanised, as the centre's English pages
    assert info["Subject"].startswith("China has made")
    assert info["Tagged"] == "yes" and info["Page size"].endswith("(A4)")
    assert '"/Lang": "u:en-US"' in run("qpdf", "--json", "--json-key=qpdf",
                                        str(briefing))
    titles = outline_titles(briefing)
    assert titles[0] == info["Title"]
    assert {"Openness", "Innovation", "Cooperation"} <= set(titles)


def test_latin_and_cjk_fonts_are_embedded_as_subsets(briefing, features):
    fonts = pdf_fonts(briefing)
    names = {f["name"].split("+")[1] for f in fonts}
    assert {"Noto-Serif", "Noto-Sans", "Noto-Sans-Bold"} <= names
    assert "Sun Chien-yuan" in " ".join(pdf_text(briefing).split())  # romanised
    # Chinese left in an English text (the test meeting's byline) comes from the
    # CJK fallback face.
    fallback = pdf_fonts(features)
    assert "王薊暄" in pdf_text(features)
    assert "Noto-Sans-CJK-TC" in {f["name"].split("+")[1] for f in fallback}
    assert all(f["emb"] == f["sub"] == f["uni"] == "yes" for f in fonts + fallback)


def test_pages_headers_and_footers(briefing, meeting):
    pages = int(pdf_info(briefing)["Pages"])
    assert 2 <= pages <= 4
    for number in range(1, pages + 1):
        text = run("pdftotext", "-f", str(number), "-l", str(number), "-enc",
                   "UTF-8", str(briefing), "-")
        assert f"Page {number} of {pages}" in text
        # The running header starts on page 2; the masthead is page 1's.
        assert ("APEC 2026 First Senior Officials\u2019 Meeting" in text) == (number > 1)
        # No page is only a header and a footer.
        assert len(squeeze(text)) > 400


def test_no_line_runs_into_the_margin_or_the_gutter(briefing):
    pages = page_words(briefing)
    for number, words in enumerate(pages, start=1):
        assert words
        assert all(LEFT - 0.5 <= x0 and x1 <= RIGHT + 0.5 for x0, x1, _ in words), number
        # Between the running header and the footer, pages after the first (whose
        # headline spans the page) are two columns: no word may reach the gutter.
        body = [w for w in words if TOP <= w[2] <= BOTTOM]
        if number > 1:
            # poppler reads each line as one word: the line's ActualText (copytext.py)
            assert len(body) > 40
            assert [w for w in body if w[1] > GUTTER[0] + 0.5
                    and w[0] < GUTTER[1] - 0.5] == [], number
