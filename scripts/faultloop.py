"""The fault loop: builds of a small meeting hit by random faults, checked after
each round for anything lost or stale.

    python3 scripts/faultloop.py [--rounds N] [--seed S] [--meeting DIR]

Faults, one per round at random: the build killed (SIGKILL, at a random moment, the
parent or one of its render workers), the disk full and the output folder read-only
(a small tmpfs mounted over output/, so only as root; otherwise those rounds are
left out and the loop says so), and the Markdown saved again while the build runs.

After each round: no traceback was printed; the meeting's manifest matches its
files; a folder the user keeps at output/<id>.saved-keep is untouched; and a quiet
build afterwards leaves exactly one build folder and a PDF with the text the
Markdown has now (nothing stale).  Exit code 0 when every round held.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from meetdocs import output  # noqa: E402

BUILD = ("import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
         "from meetdocs import cli; cli.PROJECT = Path(sys.argv[2]);"
         "sys.exit(cli.main(sys.argv[3:]))")
MEETING = "loop"


class Loop:
    def __init__(self, root: Path, rng: random.Random, can_mount: bool):
        self.root, self.rng, self.can_mount = root, rng, can_mount
        self.out = root / "output"
        self.source = root / "content" / MEETING / "briefing.md"
        self.generation = 0

    def build(self, *extra: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", BUILD, str(REPO), str(self.root),
                                 MEETING, "--output", str(self.out), *extra],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def finish(self, process) -> tuple[int, str]:
        _, err = process.communicate(timeout=600)
        assert "Traceback" not in err, err
        return process.returncode, err

    def save(self) -> None:
        """The user saves the Markdown with a new sentence in it."""
        self.generation += 1
        text = self.source.read_text(encoding="utf-8").rsplit("\n版本", 1)[0]
        self.source.write_text(f"{text}\n版本{self.generation}號\n", encoding="utf-8")

    def kill(self) -> str:
        process = self.build("--force")
        time.sleep(self.rng.uniform(0.2, 4.0))
        victims = [process.pid] + children(process.pid)
        victim = self.rng.choice(victims)
        os.kill(victim, signal.SIGKILL)
        if victim != process.pid:
            self.finish(process)
        else:
            process.wait()
        return f"SIGKILL to {'the build' if victim == process.pid else 'a worker'}"

    def change(self) -> str:
        process = self.build("--force")
        time.sleep(self.rng.uniform(0.0, 3.0))
        self.save()
        self.finish(process)
        return "Markdown saved during the build"

    def disk_full(self) -> str:
        filler = self.out / "filler"
        free = shutil.disk_usage(self.out).free
        with open(filler, "wb") as handle:
            handle.write(b"\0" * max(0, free - 40_000))
        try:
            code, err = self.finish(self.build("--force"))
            assert code == 1 and "the disk is full" in err, err
        finally:
            filler.unlink()
        return "disk full"

    def read_only(self) -> str:
        subprocess.run(["mount", "-o", "remount,ro", str(self.out)], check=True)
        try:
            code, err = self.finish(self.build())
            assert code == 0, err
            code, err = self.finish(self.build("--force"))
            assert code == 1 and "read-only" in err, err
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(self.out)], check=True)
        return "read-only output"

    def round(self) -> str:
        faults = [self.kill, self.change] + ([self.disk_full, self.read_only]
                                             if self.can_mount else [])
        what = self.rng.choice(faults)()
        self.check()
        return what

    def check(self) -> None:
        folder, manifest = output.current(self.out, MEETING)
        if manifest:
            assert output.intact(folder, manifest["files"]), "manifest and files differ"
        keep = self.out / f"{MEETING}.saved-keep" / "mine.txt"
        assert keep.read_text() == "the user's", "a user's file was touched"
        code, err = self.finish(self.build())
        assert code == 0, err
        builds = list((self.out / ".store" / MEETING).iterdir())
        assert len(builds) == 1, builds
        text = subprocess.run(["pdftotext", str(self.out / MEETING /
                                                f"{MEETING}-briefing.pdf"), "-"],
                              capture_output=True, text=True).stdout
        assert f"版本{self.generation}號" in text, "the PDF is stale"


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(line) for line in found.stdout.split()]


def make_project(root: Path, meeting: Path) -> None:
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "content").mkdir(parents=True)
    shutil.copy(REPO / "content" / "glossary.yaml", root / "content")
    shutil.copytree(meeting, root / "content" / MEETING)


def mount_tmpfs(folder: Path) -> bool:
    if os.geteuid() != 0:
        return False
    folder.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "faultloop",
                           str(folder)], capture_output=True).returncode == 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--meeting", type=Path,
                        default=REPO / "tests" / "data" / "valid" / "minimal")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp) / "project"
        make_project(root, args.meeting)
        mounted = mount_tmpfs(root / "output")
        if not mounted:
            print("not root or no tmpfs: disk-full and read-only rounds left out")
        try:
            loop = Loop(root, random.Random(args.seed), mounted)
            loop.save()
            (root / "output" / f"{MEETING}.saved-keep").mkdir(parents=True)
            (root / "output" / f"{MEETING}.saved-keep" / "mine.txt").write_text(
                "the user's")
            loop.check()
            for number in range(1, args.rounds + 1):
                print(f"round {number}: {loop.round()}: held", flush=True)
        finally:
            if mounted:  # lazily, if a failed round left a build running in it
                subprocess.run(["umount", "-l", str(root / "output")], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
