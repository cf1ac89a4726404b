"""The conformance corpus: every marked unit of every case reaches the HTML, the
PDF and the DOCX as the kind of element its manifest says; every bad case stops
with exactly its messages.  Adding a case is adding a file (tests/conformance.py
describes the manifest)."""

from __future__ import annotations

import re

import pytest

from meetdocs.errors import BuildError
from meetdocs.pipeline import build_meeting

from conftest import PROJECT
import conformance

GOOD = conformance.cases("good")
BAD = conformance.cases("bad")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return conformance.build(PROJECT, tmp_path_factory.mktemp("corpus"), GOOD)


def test_the_corpus_is_large_enough():
    units = sum(len(conformance.manifest(case)[1]) for case in GOOD)
    assert len(GOOD) >= 30 and units >= 120


@pytest.mark.parametrize("output", ["html", "pdf", "docx", "odt"])
@pytest.mark.parametrize("case", GOOD, ids=lambda case: case.stem)
def test_every_unit_arrives_as_its_kind(built, case, output):
    _, expected = conformance.manifest(case)
    outcome = built[case]
    assert "error" not in outcome, outcome.get("error")
    assert conformance.check(outcome, expected)[output] == []


@pytest.mark.parametrize("case", BAD, ids=lambda case: case.stem)
def test_bad_cases_stop_with_their_own_lines(tmp_path, case):
    project = conformance.make_project(PROJECT, tmp_path / "project", [case])
    name = conformance.meeting_id(case)
    with pytest.raises(BuildError) as caught:
        build_meeting(project, name, tmp_path / "output")
    shown = f"content/{name}/delegation-report.md:"
    expected = [shown + f"{line}: {message[0]}"
                for line, message in conformance.manifest(case)[1]]
    assert str(caught.value).split("\n") == expected


def _case(built, prefix: str) -> dict:
    return next(outcome for case, outcome in built.items()
                if case.stem.startswith(prefix))


def test_a_note_in_a_heading_stays_out_of_the_contents_and_bookmarks(built):
    from readback import outline_titles
    import lxml.html

    outcome = _case(built, "19-")
    toc = lxml.html.fromstring(outcome["html"]).xpath("//nav")[0].text_content()
    assert "M19a" in toc and "M19c" not in toc
    titles = outline_titles(outcome["pdf"])
    assert any("M19a" in title for title in titles)
    assert not any("M19c" in title for title in titles)


def test_a_note_cited_twice_prints_once_and_its_number_twice(built):
    from readback import pdf_text, squeeze

    outcome = _case(built, "20-")
    assert 'class="note-again" href="#note-same"' in outcome["html"]
    text = squeeze(pdf_text(outcome["pdf"]))
    assert "第一次引用1。" in text and "第二次引用1。" in text
    assert text.count("M20c") == 1


def test_word_separators_and_spaces(built):
    assert "M23a 第一行<br>M23b" in _case(built, "23-")["html"]
    assert "主席\u3000王小明" in _case(built, "24-")["html"]


def test_mailto_and_start_numbers_and_code_kept_whole(built):
    from readback import run

    assert '<a href="mailto:info@apec.org">info@apec.org</a>' in _case(built, "22-")["html"]
    assert '<ol start="3"' in _case(built, "10-")["html"]
    code = _case(built, "14-")
    assert "M14b server:  apec.example\nM14c   port:  8080" in code["html"]
    # -raw: in content order (the layout mode splits a line at its wide spaces)
    lines = run("pdftotext", "-raw", "-enc", "UTF-8", str(code["pdf"]), "-").split("\n")
    assert "M14b server: apec.example" in lines and "M14c port: 8080" in lines


def test_strikethrough_and_links_reach_word_as_such(built):
    """``~~…~~`` is struck and ``[text](url)`` keeps its address, in both outputs."""
    import zipfile

    outcome = _case(built, "38-")
    assert "<del>M38f 已取消</del>" in outcome["html"]
    with zipfile.ZipFile(outcome["docx"]) as archive:
        body = archive.read("word/document.xml").decode()
        rels = archive.read("word/_rels/document.xml.rels").decode()
    struck = re.search(r"<w:r>(?:(?!</w:r>).)*M38f", body, re.S).group(0)
    assert "<w:strike/>" in struck
    assert re.search(r"<w:hyperlink [^>]*r:id=[^>]*>(?:(?!</w:hyperlink>).)*APEC官網", body)
    assert 'Target="https://www.apec.org/meeting-papers" TargetMode="External"' in rels


# Case 41's bare addresses as (href, text), in reading order: ``www.`` gets http, an
# e-mail address mailto; the link written [text](url) keeps its own address and
# text (no link inside it), the address in inline code is no link.
BARE_LINKS = [
    ("https://www.apec.org/meeting-papers/2026", "https://www.apec.org/meeting-papers/2026"),
    ("https://www.mofa.gov.tw/apec", "https://www.mofa.gov.tw/apec"),
    ("http://www.trade.gov.tw", "www.trade.gov.tw"),
    ("mailto:apec.secretariat@mofa.gov.tw", "apec.secretariat@mofa.gov.tw"),
    ("https://en.wikipedia.org/wiki/Pacific_(disambiguation)",
     "https://en.wikipedia.org/wiki/Pacific_(disambiguation)"),
    ("https://www.apec.org/about-us", "https://www.apec.org/about-us"),
    ("https://www.apec.org/groups", "APEC官網 https://www.apec.org/"),
    ("https://www.apec.org/secretariat", "https://www.apec.org/secretariat"),
    ("https://www.apec.org/list", "https://www.apec.org/list"),
    ("https://www.apec.org/footnote", "https://www.apec.org/footnote"),
]
# What follows each address stays text, Chinese punctuation above all.
AFTER_BARE_LINKS = ["/2026</a>。詳見<a ", "/apec</a>，或洽 <a ", "gov.tw</a>（經濟部）。",
                    "mofa.gov.tw</a>，條目見", "(disambiguation)</a> 。", "/about-us</a>).",
                    "/secretariat</a>，</td>", "/list</a>）</li>", "/footnote</a>。"]


def test_bare_addresses_are_links_in_every_output(built):
    outcome = _case(built, "41-bare")
    assert conformance.html_links(outcome["html"]) == BARE_LINKS
    assert all(after in outcome["html"] for after in AFTER_BARE_LINKS)
    assert "<code>https://example.org/api?q=1</code>" in outcome["html"]
    assert conformance.docx_links(outcome["docx"]) == BARE_LINKS
    assert conformance.odt_links(outcome["odt"]) == BARE_LINKS
    assert conformance.pdf_link_targets(outcome["pdf"]) == {href for href, _ in BARE_LINKS}


def test_bare_addresses_leave_the_text_around_them_whole(built):
    """Copied out of the PDF, the DOCX and the ODT, the sentences read as typed."""
    from readback import pdf_text, squeeze

    outcome = _case(built, "41-bare")
    typed = ["https://www.apec.org/meeting-papers/2026。詳見https://www.mofa.gov.tw/apec，"
             "或洽www.trade.gov.tw（經濟部）。",
             "聯絡信箱apec.secretariat@mofa.gov.tw，條目見"
             "https://en.wikipedia.org/wiki/Pacific_(disambiguation)。",
             "(seehttps://www.apec.org/about-us).", "注解網址https://www.apec.org/footnote。"]
    texts = {"pdf": squeeze(pdf_text(outcome["pdf"])),
             "docx": squeeze(_xml_text(outcome["docx"], "word/document.xml",
                                       "word/footnotes.xml")),
             "odt": squeeze(_xml_text(outcome["odt"], "content.xml"))}
    for output, text in texts.items():
        assert [line for line in typed if line not in text] == [], output


def _xml_text(path, *parts: str) -> str:
    """The text of an office file's parts, all runs joined (squeeze drops spaces)."""
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        return "".join("".join(etree.fromstring(archive.read(part)).itertext())
                       for part in parts)
