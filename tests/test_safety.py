"""Content is data: raw HTML, template syntax and outside files never get through,
and a failed build leaves the previous output as it was."""

from __future__ import annotations

import struct
import sys
import zlib

import pytest

import audit
from conftest import DATA, PROJECT
from meetdocs import images, officecheck
from meetdocs.errors import BuildError
from meetdocs.formats import discover
from meetdocs.pipeline import build_meeting
from meetdocs.writers import WRITERS, Job, pdf
from meetdocs.writers.pdf import _fetcher_class
from readback import pdf_text, run, squeeze

HOSTILE_HTML = ['<a rel="attachment" href="file:///etc/hosts">附件</a>',
                '<base href="file:///etc/">',
                "<style>@import url(file:///etc/passwd);</style>",
                '<iframe src="file:///etc/passwd"></iframe>',
                '<link rel="attachment" href="file:///etc/passwd">']


def test_raw_html_and_template_syntax_are_printed_literally(project):
    root = project(minimal=DATA / "valid" / "minimal")
    build_meeting(root, "minimal", root / "output")
    text = pdf_text(root / "output" / "minimal" / "minimal-briefing.pdf")
    assert "<script>alert(1)</script>" in text
    assert '<img src="file:///etc/hostname">' in text
    assert "{{ 7*7 }}" in text and "49" not in text
    assert "含 & < > 與「研發&創新」" in text
    assert "換行在中文之間不應產生空格" in text.replace("\n", "")


def test_the_pdf_fetcher_reads_only_the_allowed_folders(tmp_path):
    allowed = tmp_path / "meeting"
    allowed.mkdir()
    (allowed / "a.png").write_bytes(b"png")
    fetcher = _fetcher_class()({"/meetdocs/meeting/": allowed})
    assert fetcher.resolve("file:///meetdocs/meeting/a.png") == allowed / "a.png"
    for url in ("file:///etc/hostname", "http://example.com/a.png",
                "file:///meetdocs/meeting/../../etc/hostname",
                "file:///meetdocs/meeting/%2E%2E/x.png", (allowed / "a.png").as_uri(),
                "data:text/plain,hi"):
        assert fetcher.resolve(url) is None
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/hostname")


def test_a_failed_build_leaves_the_previous_output_untouched(project):
    root = project(minimal=DATA / "valid" / "minimal")
    out = root / "output"
    build_meeting(root, "minimal", out)
    before = {p.name: p.read_bytes() for p in (out / "minimal").iterdir()}
    meeting = root / "content" / "minimal" / "meeting.yaml"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("city: 蘇州", "city: NO"),
                       encoding="utf-8")
    with pytest.raises(BuildError, match=r"meeting.yaml:8: 'city' is not valid"):
        build_meeting(root, "minimal", out)
    after = {p.name: p.read_bytes() for p in (out / "minimal").iterdir()}
    assert after == before


def test_a_markdown_link_to_a_local_file_never_reaches_the_pdf(project):
    root = project(**{"unsafe-markdown": DATA / "invalid" / "unsafe-markdown"})
    with pytest.raises(BuildError, match="file:///etc/hostname"):
        build_meeting(root, "unsafe-markdown", root / "output")
    assert not (root / "output" / "unsafe-markdown").exists()


def test_a_character_no_font_covers_stops_the_build_before_any_pdf(project):
    root = project(minimal=DATA / "valid" / "minimal")
    briefing = root / "content" / "minimal" / "briefing.md"
    text = briefing.read_text(encoding="utf-8")
    briefing.write_text(text + "\n笑臉 😀 與私用字 \ue000。\n", encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        build_meeting(root, "minimal", root / "output")
    message = str(caught.value)
    assert "briefing.md:19: U+1F600 '😀' is in no font of this format" in message
    assert "briefing.md:19: U+E000" in message
    assert not (root / "output" / "minimal").exists()


def test_hostile_html_is_printed_embeds_nothing_and_reads_nothing_outside(project):
    root = project(**{"hostile-html": DATA / "valid" / "hostile-html"})
    with audit.recording() as (opened, connected):
        written = build_meeting(root, "hostile-html", root / "output").files
    pdfs = {path.name.removeprefix("hostile-html-"): path for path in written
            if path.suffix == ".pdf"}
    # The report's upload sheet is a PDF made from the content too.
    assert sorted(pdfs) == ["briefing.pdf", "delegation-report-sheet.pdf",
                            "delegation-report.pdf"]
    # The hostile links and objects of the Markdown leave nothing Word would fetch.
    reports = [path for path in written if path.suffix == ".docx"]
    assert reports and all(officecheck.check(p.read_bytes(), p.name) == []
                           for p in reports)
    for path in pdfs.values():
        assert run("pdfdetach", "-list", str(path)).strip() == "0 embedded files"
    text = squeeze(pdf_text(pdfs["briefing.pdf"]))
    assert all(squeeze(line) in text for line in HOSTILE_HTML)
    assert '<objectdata="file:///etc/passwd"></object>' in squeeze(
        pdf_text(pdfs["delegation-report.pdf"]))
    # The package is imported from the repository in this process.
    roots = audit.allowed_roots(root) + [str(PROJECT / "meetdocs")]
    assert audit.outside(opened, roots) == []
    assert not set(opened) & set(audit.TARGETS)
    assert connected == []


def direct_job(root, data: str | bytes, name: str = "evil.svg",
               html: str = '<p>圖</p><img src="images/{name}">') -> Job:
    """A PDF job whose HTML names an image directly, past the Markdown checks:
    what the PDF writer does on its own."""
    folder = root / "content" / "minimal"
    (folder / "images").mkdir()
    image = folder / "images" / name
    image.write_bytes(data if isinstance(data, bytes) else data.encode())
    html = f"<html><body>{html.format(name=name)}</body></html>"
    fmt = discover(root, WRITERS)["briefing"]
    return Job(root, folder, fmt, html, "content/minimal/briefing.md",
               f"前文\n\n![圖](images/{name})", 9)


@pytest.fixture
def no_image_checks(monkeypatch):
    """As if images.check had missed something: the layers under it must hold."""
    monkeypatch.setattr(images, "check", lambda path, src: None)


def test_the_pdf_fetcher_checks_images_that_a_stylesheet_names(project):
    """A meeting's own templates are content too; an image their CSS names gets
    the checks an image in the Markdown gets."""
    root = project(minimal=DATA / "valid" / "minimal")
    bomb = DATA / "invalid" / "images-not-what-they-claim" / "images" / "bomb.png"
    job = direct_job(root, bomb.read_bytes(), "bomb.png",
                     '<p style="background: url(images/{name})">圖</p>')
    with pytest.raises(BuildError) as caught:
        pdf.write(job)
    assert str(caught.value).startswith(
        "content/minimal/briefing.md:11: the image bomb.png has too many pixels")


@pytest.mark.parametrize("reference", [
    '<image href="file:///etc/passwd" width="9" height="9"/>',
    '<image href="../../../x.png" width="9" height="9"/>',
    '<image xlink:href="http://example.com/x.png" width="9" height="9"/>'])
def test_the_pdf_fetcher_refuses_what_an_svg_names_outside(project, reference,
                                                          no_image_checks):
    root = project(minimal=DATA / "valid" / "minimal")
    job = direct_job(root, '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink='
                     f'"http://www.w3.org/1999/xlink" width="9" height="9">{reference}</svg>')
    with audit.recording() as (opened, connected), pytest.raises(BuildError) as caught:
        pdf.write(job)
    problem = caught.value.problems[0]
    assert str(problem.path) == "content/minimal/briefing.md"
    assert "refers to a file that is missing or outside" in problem.message
    assert ("x.png" if "x.png" in reference else "passwd" if "passwd" in reference
            else "http://example.com/x.png") in problem.found
    assert not set(opened) & set(audit.TARGETS)
    assert not [path for path in opened if path.endswith("/x.png")]
    assert connected == []


@pytest.mark.parametrize("svg", [
    '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY s SYSTEM "file:///etc/passwd">]>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><text y="9">&s;</text>'
    '</svg>',
    '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><style>@import '
    'url(file:///etc/passwd);</style><rect width="9" height="9"/></svg>'])
def test_svg_entities_and_imports_read_nothing_past_the_image_checks(project, svg,
                                                                     no_image_checks):
    """WeasyPrint's XML parser does not load external entities, and its SVG @import
    fails before fetching; the picture cannot be drawn, which fails the build."""
    root = project(minimal=DATA / "valid" / "minimal")
    with audit.recording() as (opened, _), pytest.raises(BuildError, match="could not"):
        pdf.write(direct_job(root, svg))
    assert not set(opened) & set(audit.TARGETS)


def test_an_image_weasyprint_cannot_draw_fails_the_build_at_its_line(project,
                                                                     no_image_checks):
    """WeasyPrint only logs an image it cannot load and writes the PDF without it."""
    root = project(minimal=DATA / "valid" / "minimal")
    with pytest.raises(BuildError) as caught:
        pdf.write(direct_job(root, "會議紀錄，不是圖片。", "notes.png"))
    assert str(caught.value) == (
        "content/minimal/briefing.md:11: the image images/notes.png could not be "
        "drawn; the PDF would be missing it; expected an image file WeasyPrint can "
        "read, found images/notes.png")


def png_bomb(path, side: int = 30000) -> None:
    """A real bomb: side×side black pixels, every row present, zlib-packed to 109 KB;
    decoding it takes 900 MB."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data)))
    packer, rows = zlib.compressobj(9), bytes(1 + (side + 7) // 8) * 1000
    idat = b"".join(packer.compress(rows) for _ in range(side // 1000)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit grey
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) +
                     chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def test_a_decompression_bomb_is_refused_on_its_header_with_flat_memory(tmp_path):
    """A fresh process, so that its peak memory (VmHWM, which unlike ru_maxrss does
    not carry over the forked test process's) is the check's own."""
    png_bomb(tmp_path / "bomb.png")
    script = ("import sys; from pathlib import Path; "
              "from meetdocs.images import check; "
              "print(check(Path(sys.argv[1]), 'bomb.png').found); "
              "print(open('/proc/self/status').read())")
    output = run(sys.executable, "-c", script, str(tmp_path / "bomb.png"), cwd=PROJECT)
    found, status = output.split("\n", 1)
    assert found == "30000×30000 = 900,000,000 pixels"
    peak_kb = int(status.split("VmHWM:")[1].split()[0])
    assert peak_kb < 150 * 1024


SECRET = "meetdocs-test-secret-6b1f"


@pytest.fixture
def secret(tmp_path, monkeypatch):
    """A file outside the project, and the environment, both holding the secret."""
    monkeypatch.setenv("MEETDOCS_TEST_SECRET", SECRET)
    path = tmp_path / "outside" / "secret.html"
    path.parent.mkdir()
    path.write_text(f"<p>{SECRET}</p>\n", encoding="utf-8")
    return path


def own_templates(root, meeting="minimal", fmt="briefing"):
    folder = root / "content" / meeting / "templates" / fmt
    folder.mkdir(parents=True)
    return folder


def build_refused(root, meeting="minimal") -> tuple[str, list[str]]:
    with audit.recording() as (opened, connected), pytest.raises(BuildError) as caught:
        build_meeting(root, meeting, root / "output")
    assert connected == []
    assert not (root / "output" / meeting).exists()
    return str(caught.value), opened


LINK = "refused: the file is a symbolic link; links are never followed"


def test_a_template_linked_to_the_environment_is_refused_unread(project, secret):
    root = project(minimal=DATA / "valid" / "minimal")
    (own_templates(root) / "document.html.j2").symlink_to("/proc/self/environ")
    message, opened = build_refused(root)
    assert message.startswith("content/minimal/templates/briefing/document.html.j2: "
                              + LINK)
    assert SECRET not in message and "/proc/self/environ" not in opened


def test_an_included_template_linked_outside_is_refused_unread(project, secret):
    root = project(minimal=DATA / "valid" / "minimal")
    folder = own_templates(root)
    (folder / "document.html.j2").write_text(
        '{% extends "base.html.j2" %}\n{% block content %}\n'
        '{% include "secret.html" %}\n{% endblock %}\n', encoding="utf-8")
    (folder / "secret.html").symlink_to(secret)
    message, opened = build_refused(root)
    folder = "content/minimal/templates/briefing"
    # The include's own line first, then why the file it names is refused.
    include, refusal = message.splitlines()
    assert include == (f"{folder}/document.html.j2:3: this line reads "
                       f"{folder}/secret.html, which may not be read (the next "
                       "message says why)")
    assert refusal.startswith(f"{folder}/secret.html: " + LINK)
    assert str(secret) not in opened


def test_a_meetings_templates_folder_linked_outside_is_refused(project, secret):
    root = project(minimal=DATA / "valid" / "minimal")
    elsewhere = secret.parent / "templates" / "briefing"
    elsewhere.mkdir(parents=True)
    (elsewhere / "document.html.j2").write_text(f"{SECRET}\n", encoding="utf-8")
    (root / "content" / "minimal" / "templates").symlink_to(elsewhere.parent)
    message, opened = build_refused(root)
    assert "refused: a folder on its way is a symbolic link" in message
    assert str(elsewhere / "document.html.j2") not in opened


def test_a_meetings_stylesheet_linked_outside_is_refused(project, secret):
    root = project(minimal=DATA / "valid" / "minimal")
    (own_templates(root) / "style.css").symlink_to(secret)
    message, opened = build_refused(root)
    assert message.startswith("content/minimal/templates/briefing/style.css: " + LINK)
    assert str(secret) not in opened


def test_a_format_file_that_is_a_link_is_refused(project, secret):
    root = project(minimal=DATA / "valid" / "minimal")
    fmt = root / "templates" / "briefing" / "format.yaml"
    real = secret.parent / "format.yaml"
    fmt.rename(real)
    fmt.symlink_to(real)
    message, _ = build_refused(root)
    assert message.startswith("templates/briefing/format.yaml: " + LINK)


def test_the_pdf_fetcher_refuses_links_even_to_files_inside(tmp_path):
    allowed = tmp_path / "meeting"
    (allowed / "images").mkdir(parents=True)
    (allowed / "a.png").write_bytes(b"png")
    (allowed / "b.png").symlink_to(allowed / "a.png")
    (allowed / "linked").symlink_to(allowed / "images")
    (allowed / "images" / "c.png").write_bytes(b"png")
    fetcher = _fetcher_class()({"/meetdocs/meeting/": allowed})
    assert fetcher.resolve("file:///meetdocs/meeting/a.png") is not None
    assert fetcher.resolve("file:///meetdocs/meeting/images/c.png") is not None
    assert fetcher.resolve("file:///meetdocs/meeting/b.png") is None
    assert fetcher.resolve("file:///meetdocs/meeting/linked/c.png") is None
