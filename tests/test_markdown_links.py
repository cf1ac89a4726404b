"""Bare addresses in Markdown become links (meetdocs/mdlinks.py): where each one
ends, and what is never one.  The whole pipeline's outputs are checked by the
conformance case 41 (tests/test_conformance.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from meetdocs.markdown import to_html
from meetdocs.mdlinks import trim
from meetdocs.model import Document


def html(body: str, tmp_path: Path) -> str:
    document = Document(tmp_path / "briefing.md", "briefing", {}, body, 5)
    job = to_html(document, tmp_path, Path("briefing.md"))
    assert job.problems == []
    return job.html.removeprefix("<p>").removesuffix("</p>")


def link(href: str, text: str | None = None) -> str:
    return f'<a href="{href}">{text or href}</a>'


def test_an_address_ends_where_chinese_text_or_full_width_punctuation_starts(tmp_path):
    # What pymdownx.magiclink took whole: 「…/2026。以及」 and 「www.mofa.gov.tw，或」.
    assert html("請見 https://www.apec.org/meeting-papers/2026。以及 www.mofa.gov.tw，或",
                tmp_path) == (
        f'請見 {link("https://www.apec.org/meeting-papers/2026")}。以及 '
        f'{link("http://www.mofa.gov.tw", "www.mofa.gov.tw")}，或')
    assert html("詳見https://x.org/a（附件）", tmp_path) == \
        f'詳見{link("https://x.org/a")}（附件）'
    assert html("網址:https://x.org；", tmp_path) == f'網址:{link("https://x.org")}；'
    assert html("“https://x.org/a”…", tmp_path) == f'“{link("https://x.org/a")}”…'
    assert html("見「https://x.org」", tmp_path) == f'見「{link("https://x.org")}」'


@pytest.mark.parametrize("typed, address", [
    ("https://x.org.", "https://x.org"),
    ("https://x.org/a?!.,:*_~'", "https://x.org/a"),
    ("https://x.org/a_(b)).", "https://x.org/a_(b)"),
    ("https://x.org/a[1]]", "https://x.org/a[1]"),
    ("https://x.org/?q=a&amp;", "https://x.org/?q=a"),
    ("https://x.org/?q=a&b;", "https://x.org/?q=a"),
    ("https://x.org/a;b", "https://x.org/a;b"),
])
def test_the_sentence_s_punctuation_is_not_the_address_s(typed, address):
    assert trim(typed) == address


def test_parentheses_and_emphasis_around_an_address_stay_outside_it(tmp_path):
    assert html("(see https://x.org/wiki/A_(b)).", tmp_path) == \
        f'(see {link("https://x.org/wiki/A_(b)")}).'
    assert html("**https://x.org/a_b_c**", tmp_path) == \
        f'<strong>{link("https://x.org/a_b_c")}</strong>'
    assert html("~~https://x.org~~", tmp_path) == f'<del>{link("https://x.org")}</del>'


def test_e_mail_addresses_are_plain_mailto_links(tmp_path):
    assert html("信箱 info@apec.org。或 mailto:a.b@mofa.gov.tw", tmp_path) == (
        f'信箱 {link("mailto:info@apec.org", "info@apec.org")}。或 '
        f'{link("mailto:a.b@mofa.gov.tw")}')
    # GFM: an address ending in - or _ is none; the sentence's full stop is not its.
    assert html("a@b.org- a@b.org_ c@d.org.", tmp_path) == \
        f'a@b.org- a@b.org_ {link("mailto:c@d.org", "c@d.org")}.'


@pytest.mark.parametrize("body", [
    "`https://x.org` 與 `info@apec.org`",
    "```\nhttps://x.org\n```",
    "xhttps://x.org 與 ftp://x.org/?next=http://y.org",
    "https:// 與 www. 與 https://亞太.tw",
    "file:///etc/hostname 與 javascript:alert(1)",
])
def test_code_and_what_is_no_web_address_stay_text(body, tmp_path):
    assert "<a " not in html(body, tmp_path)


def test_a_link_s_text_and_an_autolink_are_left_as_written(tmp_path):
    assert html("[見 https://x.org](https://y.org) <https://z.org>", tmp_path) == \
        f'{link("https://y.org", "見 https://x.org")} {link("https://z.org")}'
    # An image's address is refused by the image rule, never made a link.
    document = Document(tmp_path / "briefing.md", "briefing", {},
                        "![https://x.org](https://y.org/a.png)", 5)
    job = to_html(document, tmp_path, Path("briefing.md"))
    assert "<a " not in job.html
    assert [p.message for p in job.problems] == ["an image must be a file in the meeting folder"]
    assert html('<a href="https://x.org">x</a>', tmp_path) == \
        f'&lt;a href="{link("https://x.org")}"&gt;x&lt;/a&gt;'


def test_addresses_in_tables_lists_and_notes(tmp_path):
    page = html("| a |\n|---|\n| https://t.org， |\n\n- www.l.org）\n\n注[^1]\n\n"
                "[^1]: 見 https://n.org。", tmp_path)
    assert f'<td>{link("https://t.org")}，</td>' in page
    assert f'<li>{link("http://www.l.org", "www.l.org")}）</li>' in page
    assert f'見 {link("https://n.org")}。</span>' in page
