"""Output: incremental rebuilds, and a meeting's outputs always from one build,
whatever happens to the process."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from conftest import DATA, PROJECT
from meetdocs import output
from meetdocs.pipeline import build_meeting


@pytest.fixture
def built(project):
    root = project(minimal=DATA / "valid" / "minimal")
    out = root / "output"
    first = build_meeting(root, "minimal", out)
    return root, out, first


def test_output_folder_is_a_link_to_one_complete_build(built):
    root, out, first = built
    link = out / "minimal"
    assert link.is_symlink() and not os.path.isabs(os.readlink(link))
    manifest = json.loads((link / "manifest.json").read_text())
    assert set(manifest["files"]) == {p.name for p in first.files}
    assert output.intact(link, manifest["files"])
    assert "briefing" in manifest["documents"]


def test_nothing_changed_means_nothing_rendered(built):
    root, out, first = built
    inode = (out / "minimal" / "minimal-briefing.pdf").stat().st_ino
    again = build_meeting(root, "minimal", out)
    assert again.up_to_date and again.written == []
    assert (out / "minimal" / "minimal-briefing.pdf").stat().st_ino == inode


@pytest.mark.parametrize("change", ["meeting.yaml", "briefing.md", "glossary",
                                    "template", "image"])
def test_a_changed_input_rebuilds(built, change):
    root, out, first = built
    folder = root / "content" / "minimal"
    target = {"meeting.yaml": folder / "meeting.yaml", "briefing.md": folder / "briefing.md",
              "glossary": root / "content" / "glossary.yaml",
              "template": root / "templates" / "briefing" / "style.css",
              "image": folder / "images" / "new.png"}[change]
    target.parent.mkdir(exist_ok=True)
    with open(target, "a", encoding="utf-8") as handle:
        handle.write("\n# changed\n" if target.suffix != ".css" else "\n/* x */\n")
    again = build_meeting(root, "minimal", out)
    assert [p.name for p in again.written] == ["minimal-briefing.pdf"]


def test_force_rebuilds_and_a_lost_file_is_rebuilt(built):
    root, out, first = built
    assert build_meeting(root, "minimal", out, force=True).written
    os.unlink((out / "minimal" / "minimal-briefing.pdf").resolve())
    again = build_meeting(root, "minimal", out)
    assert [p.name for p in again.written] == ["minimal-briefing.pdf"]


def test_only_the_changed_document_is_rendered_the_other_kept(project):
    root = project(som=PROJECT / "content" / "fotc-urbanization-2019")
    (root / "content" / "som" / "briefing.md").write_text(
        (DATA / "valid" / "minimal" / "briefing.md").read_text(encoding="utf-8"),
        encoding="utf-8")
    out = root / "output"
    build_meeting(root, "som", out)
    report = out / "som" / "som-delegation-report.docx"
    inode = report.stat().st_ino
    briefing = root / "content" / "som" / "briefing.md"
    briefing.write_text(briefing.read_text(encoding="utf-8") + "\n多一段。\n",
                        encoding="utf-8")
    again = build_meeting(root, "som", out)
    assert [p.name for p in again.written] == ["som-briefing.pdf"]
    assert report.stat().st_ino == inode  # linked into the new build, not rewritten
    briefing.unlink()
    build_meeting(root, "som", out)
    assert not (out / "som" / "som-briefing.pdf").exists()


def test_an_output_folder_from_before_the_store_is_moved_aside_not_deleted(project):
    root = project(minimal=DATA / "valid" / "minimal")
    old = root / "output" / "minimal"
    old.mkdir(parents=True)
    (old / "minimal-briefing.pdf").write_bytes(b"old")
    build_meeting(root, "minimal", root / "output")
    assert old.is_symlink()
    assert (old / "minimal-briefing.pdf").read_bytes().startswith(b"%PDF")
    assert len(list((root / "output" / ".store" / "minimal").iterdir())) == 1
    saved = list((root / "output").glob("minimal.saved-*"))
    assert [(s / "minimal-briefing.pdf").read_bytes() for s in saved] == [b"old"]


# A writer of two builds' worth of files, killed at random moments.  Each round
# publishes files that all carry the round's number; after a kill, the meeting's
# files must all carry the same number.
PUBLISHER = """
import sys
import time
from pathlib import Path
from meetdocs import output
out = Path(sys.argv[1])
print("ready", flush=True)
while True:
    generation = time.time_ns()
    stamp = str(generation).encode()
    files = {f"doc{n}.pdf": stamp + b"x" * 300_000 for n in range(4)}
    with output.locked(out, "m"):
        output.publish(out, "m", files, {}, {"generation": generation})
"""


def test_killed_at_random_moments_the_outputs_stay_one_build(tmp_path):
    out = tmp_path / "output"
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    rng = random.Random(7)
    generations = set()
    for _ in range(50):
        process = subprocess.Popen([sys.executable, "-c", PUBLISHER, str(out)], env=env,
                                   stdout=subprocess.PIPE)
        process.stdout.readline()  # imports done: the kill lands among the writes
        time.sleep(rng.uniform(0, 0.15))
        process.send_signal(signal.SIGKILL)
        process.wait()
        folder, manifest = output.current(out, "m")
        if not manifest:
            continue  # killed before the first swap: there is no output yet
        contents = {p.read_bytes()[:19] for p in folder.glob("doc*.pdf")}
        assert contents == {str(manifest["generation"]).encode()}
        assert output.intact(folder, manifest["files"])
        generations.add(manifest["generation"])
    assert len(generations) > 10  # the kills did land between different builds
    with output.locked(out, "m"):
        output.clean_leftovers(out, "m")
    assert len(list((out / ".store" / "m").iterdir())) == 1
    assert not list(out.glob(".m.link-*"))
