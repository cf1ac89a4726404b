"""Chinese line-breaking rules, checked on every line of every built briefing."""

from __future__ import annotations

import pytest

from conftest import PROJECT
from meetdocs.pipeline import build_meeting
from readback import pdf_lines

CLOSING = "，。、；：」』）！？》〉"
OPENING = "「『（《〈"
BRIEFINGS = sorted(p.parent.name for p in (PROJECT / "content").glob("*/briefing.md"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("briefings")
    return {meeting: next(p for p in build_meeting(PROJECT, meeting, out).files
                          if p.name.endswith("-briefing.pdf"))
            for meeting in BRIEFINGS}


@pytest.mark.parametrize("meeting", BRIEFINGS)
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(built, meeting):
    lines = [line for line in pdf_lines(built[meeting]) if line]
    assert len(lines) > 20
    bad = [line for line in lines if line[0] in CLOSING or line[-1] in OPENING]
    assert bad == []
