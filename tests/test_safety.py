"""Content is data: raw HTML, template syntax and outside files never get through,
and a failed build leaves the previous output as it was."""

from __future__ import annotations

import struct
import sys
import zlib

import pytest

from conftest import DATA, PROJECT
from meetdocs.errors import BuildError
from meetdocs.pipeline import build_meeting
from meetdocs.writers.pdf import _fetcher_class
from readback import pdf_text, run


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
    fetcher = _fetcher_class()([allowed])
    assert fetcher.resolve((allowed / "a.png").as_uri()) is not None
    for url in ("file:///etc/hostname", "http://example.com/a.png",
                (allowed / ".." / "x.png").as_uri(), "data:text/plain,hi"):
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
