"""The delegation report's PDF sets TW-Kai with a Latin face (issue 15): every space
has one width, the lines of a paragraph one pitch, and the Latin face the size and
stroke weight that sit with Kai.  Measured as scripts/report_fonts.py does."""

from __future__ import annotations

import sys

import pytest

from conftest import PROJECT

sys.path.insert(0, str(PROJECT / "scripts"))
import report_fonts  # noqa: E402  (the measurement script's readers)

MEETINGS = ["fotc-urbanization-2019", "som1-2026"]


@pytest.fixture(scope="module", params=MEETINGS)
def document(request):
    return report_fonts.report(PROJECT, request.param)


def test_every_space_has_one_face_and_one_width(document):
    """A space after a Chinese character was TW-Kai's (0.5 em), after a Latin
    letter the Latin face's: 81 against 244 in the fotc report."""
    found = report_fonts.spaces(document)
    assert sum(found.values()) > 50
    assert {(face, width) for face, _, width in found} == {("Report Latin", 0.25)}, found


def test_lines_of_a_paragraph_have_one_pitch(document):
    pitches = report_fonts.pitches(document)
    assert len(pitches) > 20
    assert {k: v for k, v in pitches.items() if len(v) > 1} == {}


def test_the_latin_face_sits_with_kai_in_size_and_weight():
    """Noto Serif CJK's Latin, used before, had a cap height 0.875 of the Kai
    characters' ink height and looked too large; its own Han and Latin sit at 0.79
    and a stroke ratio of 1.27, the relation aimed at."""
    faces = report_fonts.stylesheet_faces(PROJECT)
    measured = report_fonts.relation(faces["latin"], faces["kai"])
    paired = report_fonts.native()
    assert measured["size"] == pytest.approx(paired["size"], abs=0.03), (measured, paired)
    assert measured["stroke"] == pytest.approx(paired["stroke"], abs=0.12), (measured, paired)


def test_the_report_lists_its_latin_face_among_the_fonts_it_needs():
    """fonts.require refuses a build without it, as without TW-Kai."""
    import yaml

    from meetdocs.writers import fonts

    listed = yaml.safe_load((PROJECT / "templates" / "delegation-report" /
                             "format.yaml").read_text())["fonts"]
    assert "TeX Gyre Termes" in listed and fonts.covers("TeX Gyre Termes", "APEC 2019")
