"""The report as LibreOffice shows it: the DOCX's TOC filled with LibreOffice's own
page numbers, the ODT beside it (OASIS schema, reproducible, read back by pandoc),
the running head and 第 N 頁 footer, no blank page, no lost punctuation; and the
engine itself: a hung or crashed LibreOffice fails the build in time, keeps the
earlier outputs, and no soffice outlives a build."""

from __future__ import annotations

import importlib.resources
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from conftest import DATA, PROJECT
from meetdocs.errors import SetupError
from meetdocs.pipeline import build_meeting
from meetdocs.writers import office
from readback import run, squeeze

REPORT = "som1-2026-delegation-report"
TOC_LINE = re.compile(r"^(\S.*?)\s*\.{3,}\s*(\d+)$")
SCHEMAS = importlib.resources.files("openxml_audit") / "odf" / "schemas" / "odf-1.3"


def lo_pdf(source: Path, outdir: Path) -> Path:
    """LibreOffice's own PDF of a DOCX or ODT, with the build's font aliases."""
    env = {**os.environ, "FONTCONFIG_FILE": str(office.FONTCONFIG)}
    subprocess.run(["soffice", f"-env:UserInstallation={(outdir / 'lo').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(outdir),
                    str(source)], check=True, capture_output=True, env=env, timeout=300)
    return outdir / (source.stem + ".pdf")


def pages(pdf: Path) -> list[str]:
    return run("pdftotext", "-enc", "UTF-8", str(pdf), "-").split("\f")[:-1]


def toc_entries(page_texts: list[str]) -> tuple[int, list[tuple[str, int]]]:
    index = next(i for i, text in enumerate(page_texts) if "目次" in text.split())
    entries = [(m[1], int(m[2])) for line in page_texts[index].splitlines()
               if (m := TOC_LINE.match(line.strip()))]
    return index, entries


@pytest.fixture(scope="module")
def outputs(som1_outputs):
    return {kind: som1_outputs[f"{REPORT}.{kind}"] for kind in ("docx", "odt", "pdf")}


@pytest.fixture(scope="module")
def rendered(outputs, tmp_path_factory):
    """LibreOffice's PDF of the DOCX and of the ODT, as page texts."""
    folder = tmp_path_factory.mktemp("lo")
    (folder / "odt").mkdir()
    return {"docx": lo_pdf(outputs["docx"], folder),
            "odt": lo_pdf(outputs["odt"], folder / "odt")}


@pytest.mark.parametrize("kind", ["docx", "odt"])
def test_toc_numbers_are_the_headings_pages(rendered, kind):
    texts = pages(rendered[kind])
    toc_page, entries = toc_entries(texts)
    assert len(entries) >= 15 and entries[0][0] == "壹、目的"
    page = toc_page
    for title, number in entries:
        # The heading's page: the first page after the last one found that has it.
        page = next(p for p in range(page, len(texts)) if p > toc_page
                    and squeeze(title) in squeeze(texts[p]))
        assert number == page + 1, f"{title}: TOC says {number}, LibreOffice {page + 1}"


@pytest.mark.parametrize("kind", ["docx", "odt"])
def test_running_head_footer_and_no_blank_page(rendered, kind):
    texts = pages(rendered[kind])
    total = len(texts)
    assert "頁" not in texts[0] and "出席" not in texts[0].splitlines()[0]  # the cover
    for number, text in enumerate(texts[1:], start=2):
        lines = [line for line in text.splitlines() if line.strip()]
        assert lines[0] == "出席 2026 年 APEC 第一次資深官員會議（SOM1）報告"
        assert lines[-1] == f"第 {number} 頁／共 {total} 頁"
        assert len(lines) > 3, f"page {number} holds only its head and foot"


def test_line_end_punctuation_is_on_the_page(outputs, rendered):
    """A Japanese fallback face drops 。， at line ends: all of them must print."""
    with zipfile.ZipFile(outputs["docx"]) as archive:
        xml = archive.read("word/document.xml").decode() + \
            archive.read("word/footnotes.xml").decode()
    text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))
    printed = "".join(pages(rendered["docx"]))
    for mark in "。，、":
        assert printed.count(mark) >= text.count(mark) > 0, mark


def test_docx_uses_tw_kai_in_libreoffice(rendered):
    fonts = run("pdffonts", str(rendered["docx"]))
    assert "TW-Kai" in fonts and "Noto Sans CJK JP" not in fonts


def test_docx_toc_is_finished_word_style(outputs):
    document = docx.Document(str(outputs["docx"]))
    body = document.element.body.xml
    assert 'w:dirty' not in body
    assert "w:updateFields" not in document.settings.element.xml
    links = re.findall(r'<w:hyperlink w:anchor="(_Toc\d+)"', body)
    bookmarks = re.findall(r'<w:bookmarkStart w:id="\d+" w:name="(_Toc\d+)"', body)
    assert links and set(links) <= set(bookmarks)
    assert len(re.findall(r"PAGEREF _Toc\d+ \\h", body)) == len(links)
    # Page breaks are properties of the next paragraph, not paragraphs of their own.
    assert '<w:br w:type="page"/>' not in body


def test_docx_font_table_and_reference_look_kept(outputs):
    with zipfile.ZipFile(outputs["docx"]) as archive:
        fonts = archive.read("word/fontTable.xml").decode()
        styles = archive.read("word/styles.xml").decode()
    assert '<w:font w:name="標楷體"><w:altName w:val="TW-Kai"/>' in fonts
    reference = PROJECT / "templates" / "delegation-report" / "reference.docx"
    with zipfile.ZipFile(reference) as archive:
        assert styles == archive.read("word/styles.xml").decode()  # not LibreOffice's


def test_docx_passes_docxval(outputs):
    checker = PROJECT / ".." / "shared" / "tools" / "docxval" / "validate_docx.py"
    if not checker.is_file():
        pytest.skip("the team's docxval checker is not beside the project")
    result = subprocess.run([sys.executable, str(checker), str(outputs["docx"])],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------------- the ODT


def odt_part(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode()


def test_odt_passes_oasis_schema(outputs, tmp_path):
    with zipfile.ZipFile(outputs["odt"]) as archive:
        archive.extractall(tmp_path)
        first = archive.infolist()[0]
        assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
    parts = [str(tmp_path / f"{n}.xml") for n in ("content", "styles", "meta", "settings")]
    schema = SCHEMAS / "OpenDocument-v1.3-schema.rng"
    manifest = SCHEMAS / "OpenDocument-v1.3-manifest-schema.rng"
    # -i: the OASIS schema is not DTD-compatible in its ID types (jing's own advice).
    for rng, files in ((schema, parts), (manifest, [str(tmp_path / "META-INF" /
                                                        "manifest.xml")])):
        result = subprocess.run(["jing", "-i", str(rng), *files], capture_output=True,
                                text=True)
        assert result.returncode == 0, result.stdout


def test_odt_content(outputs):
    content = odt_part(outputs["odt"], "content.xml")
    styles = odt_part(outputs["odt"], "styles.xml")
    outline = re.findall(r'<text:outline-level-style text:level="(\d)"[^>]*?'
                         r'(?:style:num-prefix="([^"]*)" )?style:num-suffix="([^"]*)" '
                         r'style:num-format="([^"]*)"', styles)
    assert outline[:3] == [("1", "", "、", "壹, 貳, 參, ..."),
                           ("2", "", "、", "一, 二, 三, ..."),
                           ("3", "（", "）", "一, 二, 三, ...")]
    assert '<text:h text:style-name' in content and 'text:outline-level="1"' in content
    assert "<text:table-of-content " in content
    assert re.search(r'<text:a xlink:type="simple" xlink:href="#_Toc\d+"', content)
    assert '<text:note text:id="ftn1" text:note-class="footnote">' in content
    assert "<table:table " in content and "<draw:image " in content
    assert "出國報告（出國類別：開會）" in content  # the cover
    assert "標楷體" not in content + styles
    assert 'style:font-name-asian="TW-Kai"' in styles
    assert 'style:language-asian="zh" style:country-asian="TW"' in styles
    assert "loext:" not in content + styles  # strict ODF, no LibreOffice extensions


def test_pandoc_reads_back_docx_and_odt(outputs):
    for kind in ("docx", "odt"):
        text = run("pandoc", "-f", kind, "-t", "markdown", str(outputs[kind]))
        assert re.search(r"^# (\[\]\{#anchor-\d+\})?目的$", text, re.M), kind
        assert "會議議程" in text, kind
        assert "[^1]" in text, kind                       # a real footnote
        assert "SOM1 Plenary" in text and "---" in text, kind  # the agenda table
    # The TOC's entries link to their headings (pandoc's ODT reader skips a TOC;
    # test_odt_content finds its links in the XML).
    docx_text = run("pandoc", "-f", "docx", "-t", "markdown", str(outputs["docx"]))
    assert "[壹、目的 [4](#目的)](#目的)" in docx_text


# ------------------------------------------------------------------- the engine


def test_build_is_reproducible_and_leaves_no_soffice(outputs, tmp_path):
    """A second build, by build.py in its own process, gives the same ODT and
    DOCX bytes; afterwards no LibreOffice of it runs and its profile is gone."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    subprocess.run([sys.executable, str(PROJECT / "build.py"), "som1-2026", "--force",
                    "--output", str(tmp_path / "out")], check=True, env=env,
                   capture_output=True, timeout=600)
    for kind in ("odt", "docx"):
        again = tmp_path / "out" / "som1-2026" / f"{REPORT}.{kind}"
        assert again.read_bytes() == outputs[kind].read_bytes(), kind
    assert not list(temp.glob("meetdocs-*"))  # LibreOffice's profile, work files
    running = subprocess.run(["pgrep", "-af", str(temp)], capture_output=True,
                             text=True).stdout
    assert not running


@pytest.fixture
def small(project, tmp_path):
    root = project(**{"office-report": DATA / "valid" / "office-report"})
    out = tmp_path / "out"
    build_meeting(root, "office-report", out)
    return root, out


def fake_soffice(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "soffice.bin"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return script


@pytest.mark.parametrize("body, message", [
    ("exec sleep 600", "LibreOffice hung while starting LibreOffice: no answer "
                       "within 3 s"),
    ("exit 3", "LibreOffice could not start (exit code 3)")])
def test_failing_libreoffice_fails_build_and_keeps_outputs(small, tmp_path,
                                                           monkeypatch, body, message):
    root, out = small
    before = {p.name: p.read_bytes() for p in (out / "office-report").iterdir()}
    assert "office-report-delegation-report.odt" in before
    office.shutdown()
    monkeypatch.setattr(office, "SOFFICE", fake_soffice(tmp_path, body))
    monkeypatch.setenv("MEETDOCS_OFFICE_TIMEOUT", "3")
    with pytest.raises(SetupError) as failure:
        build_meeting(root, "office-report", out, force=True)
    assert message in str(failure.value)
    after = {p.name: p.read_bytes() for p in (out / "office-report").iterdir()}
    assert after == before
    running = subprocess.run(["pgrep", "-af", str(tmp_path / "soffice.bin")],
                             capture_output=True, text=True).stdout
    assert not running


def test_helper_error_names_the_document(small, tmp_path):
    with pytest.raises(SetupError, match="nothing.docx: LibreOffice failed"):
        office.request("nothing.docx", load=str(tmp_path / "nothing.docx"))


def test_libreoffice_killed_mid_build_is_a_clear_error(small, tmp_path):
    root, out = small
    docx_file = out / "office-report" / "office-report-delegation-report.docx"
    office.prestart()
    instance = office._instance
    instance.soffice.kill()
    instance.soffice.wait()
    with pytest.raises(SetupError, match=r"report.docx: LibreOffice failed|"
                                         r"LibreOffice stopped while converting"):
        instance.ask({"load": str(docx_file)}, "report.docx")
    office.shutdown()
    # The next document gets a new LibreOffice.
    assert office.request("report.docx", load=str(docx_file))["count"] >= 3
    office.shutdown()


def test_pandoc_reads_back_links_of_the_small_report(small):
    root, out = small
    for kind in ("docx", "odt"):
        path = out / "office-report" / f"office-report-delegation-report.{kind}"
        text = run("pandoc", "-f", kind, "-t", "markdown", "--wrap=none", str(path))
        assert re.search(r"\[\*?APEC 網站\*?\]\(https://www\.apec\.org/\)", text), kind
        assert "[^1]" in text and "5月22日" in text, kind
        assert re.search(r"^# (\[\]\{#anchor-\d+\})?目的$", text, re.M), kind


def test_a_killed_builds_profile_is_removed_by_the_next(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(office.tempfile, "tempdir", None)  # read TMPDIR again
    dead = subprocess.Popen(["true"])
    dead.wait()
    abandoned = tmp_path / f"meetdocs-office-{dead.pid}-x1"
    (abandoned / "profile").mkdir(parents=True)
    mine = tmp_path / f"meetdocs-office-{os.getpid()}-x2"
    mine.mkdir()
    office._remove_abandoned()
    assert not abandoned.exists() and mine.exists()
