"""Reference documents are checked like content, and every office file the build
writes keeps the same rules (officecheck.py)."""

from __future__ import annotations

import io
import sys
import zipfile

import pytest

import audit
import hostile_docx
from conftest import DATA, PROJECT
from meetdocs import officecheck
from meetdocs.errors import BuildError
from meetdocs.pipeline import build_meeting
from readback import run

CASES = hostile_docx.hostile()
OWN = "content/report/templates/delegation-report/reference.docx"


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_checker_names_the_part_and_element_of_each_refusal(case):
    data, expected = CASES[case]
    problems = [str(p) for p in officecheck.check(data, "reference.docx",
                                                  officecheck.REFERENCE)]
    assert any(expected in problem for problem in problems), problems
    assert all(problem.startswith("reference.docx: ") for problem in problems)


def test_the_real_reference_and_our_outputs_pass(som1_outputs, fotc_outputs):
    """Every DOCX the repository's content builds, read back and checked."""
    checked = [hostile_docx.REFERENCE]
    for path in [*som1_outputs.values(), *fotc_outputs.values()]:
        if path.suffix in (".docx", ".odt"):
            checked.append(path)
    assert len(checked) >= 3
    for path in checked:
        assert officecheck.check(path.read_bytes(), path.name) == [], path


def meeting_with_report(project):
    """A small meeting with a delegation report, so that it builds a DOCX."""
    root = project(report=DATA / "valid" / "report")
    own = root / OWN
    own.parent.mkdir(parents=True)
    return root, own


@pytest.mark.parametrize("case", ["attached-template", "includepicture-field",
                                  "file-hyperlink", "bomb"])
def test_a_meetings_hostile_reference_stops_the_build(project, case):
    root, own = meeting_with_report(project)
    data, expected = CASES[case]
    own.write_bytes(data)
    with audit.recording() as (opened, connected), pytest.raises(BuildError) as caught:
        build_meeting(root, "report", root / "output")
    message = str(caught.value)
    assert f"{OWN}: " in message and expected in message
    assert not (root / "output" / "report").exists()
    assert connected == [] and not set(opened) & set(audit.TARGETS)


def test_a_reference_that_is_a_link_is_refused_unread(project, tmp_path):
    root, own = meeting_with_report(project)
    outside = tmp_path / "outside.docx"
    outside.write_bytes(hostile_docx.REFERENCE.read_bytes())
    own.symlink_to(outside)
    with audit.recording() as (opened, _), pytest.raises(BuildError) as caught:
        build_meeting(root, "report", root / "output")
    assert str(caught.value) == (f"{OWN}: refused: the file is a symbolic link; links "
                                 "are never followed, copy the file in instead")
    assert str(outside) not in opened


def test_a_good_own_reference_builds(project):
    root, own = meeting_with_report(project)
    own.write_bytes(hostile_docx.rewrite({}))
    outcome = build_meeting(root, "report", root / "output")
    docx = next(path for path in outcome.files if path.suffix == ".docx")
    assert officecheck.check(docx.read_bytes(), docx.name) == []


def test_the_bomb_is_refused_while_streaming_with_flat_memory(tmp_path):
    """The part's header claims its size; the checker counts what comes out and
    stops at the limit, in a fresh process to measure its own peak memory."""
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(hostile_docx.bomb())
    assert bomb.stat().st_size < 1024 * 1024
    script = ("import sys; from meetdocs import officecheck as o; "
              "print(o.check(open(sys.argv[1], 'rb').read(), 'b', o.REFERENCE)[0]); "
              "print(open('/proc/self/status').read())")
    found, status = run(sys.executable, "-c", script, str(bomb), cwd=PROJECT).split("\n",
                                                                                  1)
    assert "unpacks to more than 50 MB" in found
    assert int(status.split("VmHWM:")[1].split()[0]) < 200 * 1024


def odt(content: str, extra: dict | None = None) -> bytes:
    """A minimal ODT: mimetype, manifest, content.xml."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest='
                         '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
        archive.writestr("content.xml", ODT_HEAD + content + "</office:document-content>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


ODT_HEAD = ('<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:'
            'xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
            ' xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
            'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" '
            'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
            'xmlns:xlink="http://www.w3.org/1999/xlink">')


@pytest.mark.parametrize("content, extra, expected", [
    ('<office:scripts><office:script/></office:scripts>', None,
     "content.xml: <office:scripts>: macros"),
    ('<office:body><text:p><draw:frame><draw:image xlink:href="http://tracker.example/'
     'x.png"/></draw:frame></text:p></office:body>', None,
     "<draw:image xlink:href='http://tracker.example/x.png'>"),
    ('<office:body><text:p><text:a xlink:href="file:///etc/passwd">x</text:a></text:p>'
     '</office:body>', None, "<text:a xlink:href='file:///etc/passwd'>"),
    ('<office:body><draw:object xlink:href="./Object 1"/></office:body>',
     {"Object 1/content.xml": "<x/>"}, "<draw:object>: an embedded object"),
    ('<office:body/>', {"Basic/Standard/Module1.xml": "<x/>"},
     "Basic/Standard/Module1.xml: part: macros"),
])
def test_an_odt_is_checked_by_the_same_rules(content, extra, expected):
    problems = [str(p) for p in officecheck.check(odt(content, extra), "x.odt")]
    assert any(expected in problem for problem in problems), problems


def test_a_plain_odt_passes():
    """As LibreOffice writes one: an empty office:scripts, a template named by
    nothing, web links and the package's own pictures."""
    body = ('<office:scripts/><meta:template xlink:href=""/><office:body><text:p>'
            '<text:a xlink:href="https://www.apec.org">APEC</text:a><draw:frame><draw:image xlink:href="Pictures/a.png"/>'
            '</draw:frame></text:p></office:body>')
    assert officecheck.check(odt(body, {"Pictures/a.png": b"png"}), "x.odt") == []
