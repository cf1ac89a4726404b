"""Shared fixtures: a throw-away project made of the real templates plus test
content folders, and one build of the real som1-2026 for the output tests."""

from __future__ import annotations

import os
import shutil
import signal
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


# Where programs the tests start keep per-user files: Chromium its crash database
# (in ~/.config even with --user-data-dir) and GSettings its dconf cache.
HOME_VARIABLES = ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME",
                  "XDG_STATE_HOME")


@pytest.fixture(scope="session", autouse=True)
def ctrl_c_reaches_children():
    """Tests press Ctrl-C (SIGINT) on builds and previews they start.  A shell
    without job control starts a background command (``pytest … &``) with SIGINT
    ignored, and every child would inherit that and never see the signal; a
    handled signal is reset to the default in a child, which Python then turns
    into KeyboardInterrupt as usual."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session", autouse=True)
def home_folder_left_alone(tmp_path_factory):
    """The tests and every program they start write per-user files into a throw-away
    home, never into the user's.  GSettings keeps its settings in memory."""
    home = tmp_path_factory.mktemp("home")
    saved = {name: os.environ.get(name) for name in (*HOME_VARIABLES, "GSETTINGS_BACKEND")}
    os.environ.update({"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                       "XDG_CACHE_HOME": str(home / ".cache"),
                       "XDG_DATA_HOME": str(home / ".local" / "share"),
                       "XDG_STATE_HOME": str(home / ".local" / "state"),
                       "GSETTINGS_BACKEND": "memory"})
    yield home
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


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


MEETINGS = sorted(p.parent.name for p in (PROJECT / "content").glob("*/meeting.yaml"))


def render_pdfs(project: Path, meeting: str, out: Path) -> list[tuple]:
    """(format name, WeasyPrint document, PDF path) for each PDF of the meeting,
    rendered through the writer (scripts/typography.py keeps the laid-out document,
    whose line boxes the tests read next to the PDF's glyphs)."""
    import sys
    sys.path.insert(0, str(PROJECT / "scripts"))
    import typography

    found = []
    for job, document, data in typography.rendered_pdfs(project, meeting):
        path = out / f"{meeting}-{job.fmt.name}.pdf"
        path.write_bytes(data)
        set_copy_texts(document)
        found.append((job.fmt.name, document, path))
    return found


def set_copy_texts(document) -> None:
    """Give each line box of the laid-out document the ``actual_text`` that
    copytext.py gives the copy drawn into the PDF (the drawing works on copies of
    the boxes), for tests to find a PDF's lines among the laid-out ones."""
    from weasyprint.formatting_structure import boxes

    from meetdocs.writers import copytext

    for page in document.pages:
        for box in page._page_box.descendants():
            if isinstance(box, boxes.BlockContainerBox) and box.children and \
                    isinstance(box.children[-1], boxes.LineBox):
                copytext.set_actual_texts(box.children)


@pytest.fixture(scope="session")
def laid_out(tmp_path_factory) -> dict[str, list[tuple]]:
    """Every PDF of every meeting of the repository, rendered once:
    {meeting: [(format name, document, PDF path), ...]}."""
    out = tmp_path_factory.mktemp("laid-out")
    return {meeting: render_pdfs(PROJECT, meeting, out) for meeting in MEETINGS}


@pytest.fixture(scope="session")
def unusual_laid_out(tmp_path_factory) -> list[tuple]:
    """The PDFs of the corpus of unusual content (tests/data/valid/unusual)."""
    root = tmp_path_factory.mktemp("unusual-laid-out")
    project = make_project(root / "project", {"unusual": DATA / "valid" / "unusual"})
    return render_pdfs(project, "unusual", root)
