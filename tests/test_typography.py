"""Chinese line-breaking rules, checked on every line of every page of every built PDF."""

from __future__ import annotations

import pytest

from conftest import PROJECT
from meetdocs.pipeline import build_meeting
from readback import pdf_lines

CLOSING = "，。、；：」』）！？》〉"
OPENING = "「『（《〈"
MEETINGS = sorted(p.parent.name for p in (PROJECT / "content").glob("*/meeting.yaml"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("briefings")
    return {meeting: [p for p in build_meeting(PROJECT, meeting, out).files
                      if p.suffix == ".pdf"]
            for meeting in MEETINGS}


@pytest.mark.parametrize("meeting", MEETINGS)
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(built, meeting):
    for pdf in built[meeting]:
        lines = [line for line in pdf_lines(pdf) if line]
        assert len(lines) > 20, pdf.name
        bad = [line for line in lines if line[0] in CLOSING or line[-1] in OPENING]
        assert bad == [], pdf.name
