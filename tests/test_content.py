"""Stage 1: valid content loads into the model; invalid content folders give
exactly the messages in their expected.txt, all problems in one report."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import DATA, PROJECT
from meetdocs import yamlread
from meetdocs.content import load_meeting, read_text
from meetdocs.errors import BuildError
from meetdocs.formats import discover
from meetdocs.pipeline import build_meeting
from meetdocs.writers import WRITERS

FORMATS = discover(PROJECT, WRITERS)
INVALID = sorted(p.name for p in (DATA / "invalid").iterdir())


def test_som1_2026_loads_the_facts_of_the_seed():
    meeting = load_meeting(PROJECT, "som1-2026", FORMATS)
    assert meeting.theme == "打造繁榮共享的亞太社群"
    assert [p.name for p in meeting.priorities] == ["開放", "創新", "合作"]
    assert [p.name_en for p in meeting.priorities] == ["Openness", "Innovation",
                                                      "Cooperation"]
    assert (meeting.start, meeting.end) == (dt.date(2026, 2, 1), dt.date(2026, 2, 10))
    assert meeting.delegation.head.name == "孫儉元"
    names = {d.format_name for d in meeting.documents}
    assert {"briefing", "delegation-report"} <= names
    fsmm = next(e for e in meeting.calendar if e.acronym == "FSMM")
    assert (fsmm.start, fsmm.precision) == (dt.date(2026, 8, 1), "month")


@pytest.mark.parametrize("case", INVALID)
def test_invalid_content_reports_every_problem_with_file_and_line(project, case):
    root = project(**{case: DATA / "invalid" / case})
    with pytest.raises(BuildError) as caught:
        build_meeting(root, case, root / "output")
    expected = (DATA / "invalid" / case / "expected.txt").read_text(encoding="utf-8")
    assert str(caught.value) + "\n" == expected
    assert not (root / "output" / case).exists()


def test_unknown_meeting_lists_known_ones_and_suggests_the_closest():
    with pytest.raises(BuildError, match=r"did you mean 'som1-2026'\? Known: .*som1-2026"):
        load_meeting(PROJECT, "som1-2025", FORMATS)


@pytest.mark.parametrize("meeting_id", ["../../etc", "/etc/passwd", "som1-2026/../x",
                                        "ｓｏｍ１-2026", ""])
def test_ids_that_are_paths_are_refused_before_touching_files(meeting_id, project):
    with pytest.raises(BuildError, match="not a meeting id"):
        load_meeting(PROJECT, meeting_id, FORMATS)
    root = project(minimal=DATA / "valid" / "minimal")
    before = sorted(root.parent.rglob("*"))
    with pytest.raises(BuildError, match="not a meeting id"):
        build_meeting(root, meeting_id, root / "output")
    assert sorted(root.parent.rglob("*")) == before  # not even a lock file


def test_aliases_and_python_tags_are_refused_not_expanded_or_run():
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    data, problems = yamlread.load(bomb, "m.yaml")
    assert any("aliases" in p.message for p in problems)
    _, problems = yamlread.load("x: !!python/object/apply:os.system [echo hi]\n", "m.yaml")
    assert [p.line for p in problems] == [1]
    assert "tag:yaml.org,2002:python/object/apply:os.system is not allowed" in str(problems[0])


def test_bom_and_crlf_are_accepted_utf16_and_big5_are_not(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_bytes("\ufeffname: 會議\r\ncity: 廣州\r\n".encode("utf-8"))
    text, problems = read_text(path, path.name)
    assert (text, problems) == ("name: 會議\ncity: 廣州\n", [])
    path.write_bytes("name: 會議\n".encode("utf-16"))
    assert "save it as UTF-8" in str(read_text(path, path.name)[1][0])
    path.write_bytes("name: 會議\n".encode("big5"))
    assert "m.yaml:1: the file is not UTF-8" in str(read_text(path, path.name)[1][0])
