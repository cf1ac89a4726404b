"""Shared fixtures: a throw-away project made of the real templates plus test
content folders, and one build of the real som1-2026 for the output tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from meetdocs.pipeline import build_meeting

PROJECT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def make_project(root: Path, meetings: dict[str, Path]) -> Path:
    """A project under ``root`` with the real templates and the given meeting folders."""
    shutil.copytree(PROJECT / "templates", root / "templates")
    (root / "content").mkdir(parents=True)
    shutil.copy(PROJECT / "content" / "glossary.yaml", root / "content")
    for meeting_id, source in meetings.items():
        shutil.copytree(source, root / "content" / meeting_id)
    return root


@pytest.fixture
def project(tmp_path):
    def _make(**meetings):
        return make_project(tmp_path / "project", meetings)
    return _make


@pytest.fixture(scope="session")
def som1_outputs(tmp_path_factory) -> dict[str, Path]:
    """The real som1-2026 built once into a temporary output folder."""
    out = tmp_path_factory.mktemp("output")
    outcome = build_meeting(PROJECT, "som1-2026", out)
    return {path.name: path for path in outcome.files}


@pytest.fixture(scope="session")
def fotc_outputs(tmp_path_factory) -> dict[str, Path]:
    """The 2019 FotC report (seed 004) built once."""
    out = tmp_path_factory.mktemp("output")
    outcome = build_meeting(PROJECT, "fotc-urbanization-2019", out)
    return {path.name: path for path in outcome.files}
