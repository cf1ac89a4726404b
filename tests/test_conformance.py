"""The conformance corpus: every marked unit of every case reaches the HTML, the
PDF and the DOCX as the kind of element its manifest says; every bad case stops
with exactly its messages.  Adding a case is adding a file (tests/conformance.py
describes the manifest)."""

from __future__ import annotations

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
    assert len(GOOD) >= 30 and units >= 150


@pytest.mark.parametrize("output", ["html", "pdf", "docx"])
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
