"""The one-pager: a "meeting at a glance" page drawn from meeting.yaml alone, its SVG
timeline, the filters that place it, and the page budget that keeps it one page."""

from __future__ import annotations

import datetime as dt
import re
from itertools import combinations
from xml.etree import ElementTree

import pytest

from meetdocs import content, formats, pipeline
from meetdocs.errors import BuildError
from meetdocs.filters import em_width, first_clause, year_fraction
from meetdocs.writers import WRITERS

from conftest import DATA, PROJECT
from readback import pdf_fonts, pdf_info, pdf_text, run, squeeze

XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def one_pager(som1_outputs):
    return som1_outputs["som1-2026-one-pager.pdf"]


@pytest.fixture(scope="module")
def meeting():
    known = formats.discover(PROJECT, WRITERS)
    return content.load_meeting(PROJECT, "som1-2026", known)


@pytest.fixture(scope="module")
def html():
    """The one-pager's HTML as the template made it (the SVG is inline in it)."""
    jobs = pipeline.render_html(PROJECT, "som1-2026")
    return next(job.html for job in jobs if job.fmt.name == "one-pager")


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


# --- which meetings get one -----------------------------------------------------------

def test_meetings_without_the_required_facts_are_skipped_with_the_reason():
    known = formats.discover(PROJECT, WRITERS)
    assert known["one-pager"].requires == ("theme", "theme_en", "priorities", "calendar")
    has = {}
    for meeting_id in content.known_meetings(PROJECT):
        meeting = content.load_meeting(PROJECT, meeting_id, known)
        has[meeting_id] = any(d.format_name == "one-pager" for d in meeting.documents)
        reasons = dict(meeting.skipped)
        assert has[meeting_id] != ("one-pager" in reasons)
    assert has == {"fotc-urbanization-2019": False, "som1-2023": True,
                   "som1-2026": True, "som2-2024": False, "som3-2023": False}
    som3 = content.load_meeting(PROJECT, "som3-2023", known)
    assert dict(som3.skipped)["one-pager"] == "meeting.yaml has no theme, theme_en"


def test_a_meeting_without_venue_and_delegation_still_fits_one_page(tmp_path):
    """som1-2023 has neither: the page leaves them out instead of failing."""
    jobs = pipeline.render_html(PROJECT, "som1-2023")
    job = next(job for job in jobs if job.fmt.name == "one-pager")
    pdf = tmp_path / "som1-2023-one-pager.pdf"
    pdf.write_bytes(WRITERS["pdf"](job))
    assert pdf_info(pdf)["Pages"] == "1"
    text = squeeze(pdf_text(pdf))
    assert "棕櫚泉" in text and "DELEGATION" not in text and "VENUE" not in text
    assert "摘錄首句" not in text  # its priorities have no items to condense


def test_delegation_members_follow_the_head(project):
    root = project(withmembers=PROJECT / "content" / "som1-2026")
    meeting_yaml = root / "content" / "withmembers" / "meeting.yaml"
    text = meeting_yaml.read_text(encoding="utf-8")
    meeting_yaml.write_text(text.replace("    role: 資深官員\n", "    role: 資深官員\n"
                                         "  members:\n    - {name: 王大明, title: 科長}\n"),
                            encoding="utf-8")
    jobs = pipeline.render_html(root, "withmembers")
    html = next(job.html for job in jobs if job.fmt.name == "one-pager")
    delegation = html.split('<section class="delegation">')[1]
    assert re.search(r'<span class="role">團長</span><span class="name">孫儉元</span>.*'
                     r'<li><span class="name">王大明</span>科長</li>', delegation, re.S)


# --- the som1-2026 page ---------------------------------------------------------------

def test_som1_2026_is_exactly_one_page(one_pager):
    assert pdf_info(one_pager)["Pages"] == "1"


def test_the_facts_copy_out_of_the_pdf(one_pager, meeting):
    text = squeeze(pdf_text(one_pager))
    for fact in (meeting.name, meeting.name_en, meeting.acronym, meeting.theme,
                 meeting.theme_en, meeting.venue, meeting.venue_en, meeting.city_en,
                 "2026年2月1日至10日", "民國115年2月1日至10日",
                 meeting.delegation.head.name, meeting.delegation.head.title,
                 "優先領域各項摘錄首句"):
        assert squeeze(fact) in text, fact
    for priority in meeting.priorities:
        assert priority.name in text
        assert priority.name_en.upper() in text  # the stylesheet sets it in capitals
        assert squeeze(first_clause(priority.items[0])) in text


def test_every_calendar_event_is_labelled_in_the_figure(one_pager, meeting):
    labels = squeeze("".join(word.text for word in timeline_words(one_pager)))
    for event in meeting.calendar:
        assert squeeze(f"{event.acronym}{event.city}") in labels, event.acronym
    assert "1月" in labels and "12月" in labels and "JAN" in labels


def test_no_two_labels_of_the_figure_overlap(one_pager):
    months_end = month_row_bottom(one_pager)
    boxes = [word for word in timeline_words(one_pager)
             if float(word.get("yMin")) > months_end]
    assert len(boxes) >= 2 * 13  # acronym and city of each event
    for a, b in combinations(boxes, 2):
        assert not overlap(a, b), (a.text, b.text)


def test_events_are_placed_at_their_dates(html):
    """Millimetres on a 180 mm year: months are 15 mm wide."""
    svg = html[html.index("<svg"):html.index("</svg>")]
    # SOM1: 1–10 February, a bar from 15 mm, 10/28 of a month long.
    assert re.search(r'<g class="event current">\s*<rect class="bar"\s+x="15.0" '
                     r'y="[\d.]+" width="5.36"', svg)
    # FSMM, August only: a dashed bar over the whole eighth month.
    assert re.search(r'<rect class="month-only"\s+x="105.0" y="[\d.]+" width="15.0"', svg)
    # TELMIN 12, one day (23 July): a diamond, centred on the day.
    day = re.search(r'<path class="day" d="M ([\d.]+) ', svg)
    assert float(day[1]) == pytest.approx((6 + 22.5 / 31) / 12 * 180, abs=0.01)


def test_only_the_current_meeting_is_highlighted(html):
    assert html.count('<g class="event current">') == 1
    current = html.split('<g class="event current">')[1].split("</g>")[0]
    assert ">SOM1</tspan>" in current


def test_fonts_are_embedded_subsets(one_pager):
    fonts = pdf_fonts(one_pager)
    assert fonts and all(f["emb"] == "yes" and f["sub"] == "yes" for f in fonts)
    assert {f["name"].split("+")[1] for f in fonts} == {
        "Noto-Sans-CJK-TC", "Noto-Sans-CJK-TC-Bold"}


# --- the page budget ------------------------------------------------------------------

def test_a_meeting_too_long_for_one_page_fails_and_says_by_how_much(project):
    root = project(big=PROJECT / "content" / "som1-2026")
    for document in (root / "content" / "big").glob("*.md"):
        document.unlink()  # only the one-pager is rendered
    message = over_budget(root, 15)
    assert re.fullmatch(r"content/big/meeting\.yaml: the one-pager runs 2 pages, its "
                        r"budget is 1: about \d+ mm too long; expected shorter "
                        r"content, or a larger 'pages' in "
                        r"templates/one-pager/format\.yaml", message), message
    assert not list((root / "output").glob("**/*.pdf"))
    # Events on one day take a row each: five more are five rows of 6 mm more.
    more = over_budget(root, 5)
    assert mm_over(more) - mm_over(message) == pytest.approx(30, abs=2)


def over_budget(root, events: int) -> str:
    """Add events on 1 December to the meeting 'big'; the build's error message."""
    meeting_yaml = root / "content" / "big" / "meeting.yaml"
    extra = "".join(f"  - {{name: 測試會議, acronym: T{n}, start: 2026-12-01, "
                    f"city: 臺北}}\n" for n in range(events))
    meeting_yaml.write_text(meeting_yaml.read_text(encoding="utf-8") + extra,
                            encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        pipeline.build_meeting(root, "big", root / "output")
    return str(caught.value)


def mm_over(message: str) -> int:
    return int(re.search(r"about (\d+) mm too long", message)[1])


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


# --- reading the figure back ----------------------------------------------------------

def page_words(pdf):
    root = ElementTree.fromstring(run("pdftotext", "-bbox", str(pdf), "-"))
    return list(root.iter(XHTML + "word"))


def timeline_words(pdf):
    """The words between the calendar's heading and the delegation's."""
    words = page_words(pdf)
    top = next(float(w.get("yMax")) for w in words if w.text == "CALENDAR")
    bottom = next(float(w.get("yMin")) for w in words if w.text == "我國代表團")
    return [w for w in words if top < float(w.get("yMin")) < bottom]


def month_row_bottom(pdf) -> float:
    return max(float(w.get("yMax")) for w in page_words(pdf) if w.text == "JAN")


def overlap(a, b) -> bool:
    def box(w):
        return [float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")]
    (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = box(a), box(b)
    return ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1
