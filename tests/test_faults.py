"""Faults around a build: links that lead out of the project, two builds of one
meeting at once, an interrupted build."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest

from conftest import DATA, PROJECT
from meetdocs import output
from meetdocs.errors import BuildError
from meetdocs.pipeline import build_meeting


def test_a_meeting_folder_linked_from_outside_is_refused(project, tmp_path):
    root = project()
    outside = tmp_path / "elsewhere"
    shutil.copytree(DATA / "valid" / "minimal", outside)
    (root / "content" / "linked").symlink_to(outside)
    with pytest.raises(BuildError, match="content/linked: the meeting folder leads "
                                         "outside content/"):
        build_meeting(root, "linked", root / "output")


@pytest.mark.parametrize("name", ["meeting.yaml", "briefing.md"])
def test_a_content_file_linked_from_outside_is_refused(project, tmp_path, name):
    root = project(minimal=DATA / "valid" / "minimal")
    target = root / "content" / "minimal" / name
    outside = tmp_path / name
    shutil.move(target, outside)
    target.symlink_to(outside)
    with pytest.raises(BuildError, match=f"content/minimal/{name}: this file is a link "
                                         "to a place outside its meeting folder"):
        build_meeting(root, "minimal", root / "output")


def test_two_builds_of_one_meeting_at_once_take_turns(project):
    root = project(minimal=DATA / "valid" / "minimal")
    out, waited, results = root / "output", [], {}

    def run(name):
        results[name] = build_meeting(root, "minimal", out, force=True,
                                      on_wait=lambda: waited.append(name))

    with output.locked(out, "minimal"):  # the first build holds the meeting
        second = threading.Thread(target=run, args=("second",))
        second.start()
        time.sleep(0.3)
        assert second.is_alive() and waited == ["second"]
    second.join(timeout=120)
    assert results["second"].written
    manifest = output.current(out, "minimal")[1]
    assert output.intact(out / "minimal", manifest["files"])


def test_ctrl_c_exits_130_and_leaves_the_previous_output(project):
    # A meeting of several documents, so that the signal lands mid-build.
    root = project(minimal=PROJECT / "content" / "som1-2026")
    out = root / "output"
    build_meeting(root, "minimal", out)
    before = {p.name: p.read_bytes() for p in (out / "minimal").iterdir()}
    code = ("import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
            "from meetdocs import cli; cli.PROJECT = Path(sys.argv[2]);"
            "sys.exit(cli.main(['minimal', '--force', '--output', sys.argv[3]]))")
    process = subprocess.Popen([sys.executable, "-c", code, str(PROJECT), str(root),
                                str(out)], stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted; the previous outputs are unchanged" in stderr
    assert {p.name: p.read_bytes() for p in (out / "minimal").iterdir()} == before
    build_meeting(root, "minimal", out)  # the next build clears what was left
    assert len(os.listdir(out / ".store" / "minimal")) == 1
