"""The authors' commands: batches of meetings, new meetings and formats, list, and
a meeting's own template files."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys

import docx
import pytest

from conftest import DATA, PROJECT
from meetdocs import scaffold, status
from meetdocs.batch import Failure, build_many
from meetdocs.errors import BuildError
from meetdocs.pipeline import Outcome, build_meeting
from readback import pdf_text


def replace_in(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_batch_builds_the_good_meetings_and_lists_the_broken(project):
    root = project(good=DATA / "valid" / "minimal", also=DATA / "valid" / "minimal",
                   broken=DATA / "invalid" / "keys-and-types")
    out = root / "output"
    results = build_many(root, ["good", "broken", "also"], out, workers=2)
    assert [type(r) for r in results] == [Outcome, Failure, Outcome]
    assert results[1].problems and "meeting.yaml" in str(results[1].problems[0])
    assert (out / "good" / "good-briefing.pdf").is_file()
    assert (out / "also" / "also-briefing.pdf").is_file()
    assert not (out / "broken").exists()


def test_parallel_and_serial_builds_give_the_same_bytes(project):
    root = project(a=DATA / "valid" / "minimal", b=DATA / "valid" / "minimal")
    build_many(root, ["a", "b"], root / "serial", workers=1)
    build_many(root, ["a", "b"], root / "parallel", workers=2)
    for name in ("a/a-briefing.pdf", "b/b-briefing.pdf"):
        assert (root / "serial" / name).read_bytes() == (root / "parallel" / name).read_bytes()


def test_a_new_meeting_builds_at_once(project):
    root = project()
    written = scaffold.new_meeting(root, "som1-2027", today=dt.date(2027, 2, 1))
    assert {p.name for p in written} >= {"meeting.yaml", "briefing.md",
                                         "delegation-report.md"}
    outcome = build_meeting(root, "som1-2027", root / "output")
    assert {p.name for p in outcome.files} >= {"som1-2027-briefing.pdf",
                                               "som1-2027-delegation-report.docx"}


def test_a_new_meeting_from_another_copies_it(project):
    root = project(minimal=DATA / "valid" / "minimal")
    scaffold.new_meeting(root, "copy", source="minimal")
    assert (root / "content" / "copy" / "briefing.md").read_bytes() == \
        (root / "content" / "minimal" / "briefing.md").read_bytes()


@pytest.mark.parametrize("name, message", [("minimal", "already exists"),
                                           ("test", "not a usable meeting id"),
                                           ("../x", "not a usable meeting id")])
def test_new_refuses_names_that_exist_or_mean_something_else(project, name, message):
    root = project(minimal=DATA / "valid" / "minimal")
    with pytest.raises(BuildError, match=message):
        scaffold.new_meeting(root, name)


def test_a_new_format_builds_at_once_in_pdf_and_docx(project):
    root = project(minimal=DATA / "valid" / "minimal")
    scaffold.new_format(root, "press-release", meeting="minimal")
    outcome = build_meeting(root, "minimal", root / "output")
    names = {p.name: p for p in outcome.files}
    assert "第一點" in pdf_text(names["minimal-press-release.pdf"])
    paragraphs = [p.text for p in docx.Document(names["minimal-press-release.docx"]).paragraphs]
    assert "一段標題" in paragraphs


def test_a_new_format_from_another_keeps_its_look(project):
    root = project(minimal=DATA / "valid" / "minimal")
    scaffold.new_format(root, "briefing-copy", source="briefing")
    fmt = (root / "templates" / "briefing-copy" / "format.yaml").read_text(encoding="utf-8")
    assert "title: briefing-copy" in fmt
    shutil.copy(root / "content" / "minimal" / "briefing.md",
                root / "content" / "minimal" / "briefing-copy.md")
    outcome = build_meeting(root, "minimal", root / "output")
    assert "minimal-briefing-copy.pdf" in {p.name for p in outcome.files}


def test_list_says_what_is_out_of_date(project):
    root = project(minimal=DATA / "valid" / "minimal")
    out = root / "output"

    def state():
        [meeting] = status.meeting_status(root, out)
        return next(line for line in meeting.lines if line.startswith("briefing"))

    assert "not built" in state()
    build_meeting(root, "minimal", out)
    assert "up to date" in state()
    replace_in(root / "content" / "minimal" / "briefing.md", "---\n\n", "---\n\n新的一段。\n\n")
    assert "out of date" in state()


def test_list_on_the_real_project():
    result = subprocess.run([sys.executable, str(PROJECT / "build.py"), "list"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "som1-2026" in result.stdout and "delegation-report" in result.stdout


def test_a_meeting_overrides_one_template_file(project):
    root = project(minimal=DATA / "valid" / "minimal")
    own = root / "content" / "minimal" / "templates" / "briefing"
    own.mkdir(parents=True)
    (own / "document.html.j2").write_text(
        '{% extends "briefing/document.html.j2" %}\n'
        '{% block header %}<p class="special">特刊</p>{{ super() }}{% endblock %}\n',
        encoding="utf-8")
    (own / "style.css").write_text(".special { color: #c00; }\n", encoding="utf-8")
    outcome = build_meeting(root, "minimal", root / "output")
    text = pdf_text(next(p for p in outcome.files if p.suffix == ".pdf"))
    assert "特刊" in text and "APEC研究中心電子報" in text


def test_an_error_in_a_meetings_own_template_names_its_file_and_line(project):
    root = project(minimal=DATA / "valid" / "minimal")
    own = root / "content" / "minimal" / "templates" / "briefing"
    own.mkdir(parents=True)
    (own / "document.html.j2").write_text('{% extends "briefing/document.html.j2" %}\n'
                                          "{% block header %}{{ doc.nothing }}"
                                          "{% endblock %}\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"content/minimal/templates/briefing/"
                                         r"document.html.j2:2: template error"):
        build_meeting(root, "minimal", root / "output")


def test_format_yaml_source_and_requires_are_checked(project):
    root = project(minimal=DATA / "valid" / "minimal")
    fmt = root / "templates" / "briefing" / "format.yaml"
    text = fmt.read_text(encoding="utf-8")
    fmt.write_text(text + "source: yaml\nrequires: [venu]\n", encoding="utf-8")
    line = text.count("\n") + 1   # the first appended line
    with pytest.raises(BuildError) as caught:
        build_meeting(root, "minimal", root / "output")
    message = str(caught.value)
    assert f"format.yaml:{line}: 'source' has an unknown value 'yaml'" in message
    assert f"format.yaml:{line + 1}: 'requires' has an unknown value 'venu'" in message


def test_a_template_that_extends_itself_is_an_error_not_a_crash(project):
    root = project(minimal=DATA / "valid" / "minimal")
    own = root / "content" / "minimal" / "templates" / "briefing"
    own.mkdir(parents=True)
    (own / "document.html.j2").write_text('{% extends "document.html.j2" %}\n',
                                          encoding="utf-8")
    with pytest.raises(BuildError, match="a template extends or includes itself"):
        build_meeting(root, "minimal", root / "output")


@pytest.mark.parametrize("attack", [
    "{{ cycler.__init__.__globals__.os.popen('echo ran-a-shell').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ meeting.priorities.append(1) }}",
])
def test_a_meetings_own_template_cannot_reach_python(project, attack):
    root = project(minimal=DATA / "valid" / "minimal")
    own = root / "content" / "minimal" / "templates" / "briefing"
    own.mkdir(parents=True)
    (own / "document.html.j2").write_text('{% extends "briefing/document.html.j2" %}\n'
                                          "{% block header %}" + attack +
                                          "{% endblock %}\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"content/minimal/templates/briefing/"
                                         r"document.html.j2:2: template error") as caught:
        build_meeting(root, "minimal", root / "output")
    assert "ran-a-shell" not in str(caught.value)
    assert not (root / "output" / "minimal").exists()
