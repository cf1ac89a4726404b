"""Faults and limits: nothing the build did not write is deleted, an output is
current only for the bytes it was made from, every limit is a message at a file
and line, and a fault (full disk, read-only folder, killed or stuck worker) costs
only its own document and leaves the previous outputs in place."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import DATA, PROJECT
from meetdocs import batch, cli, content, images, limits, output, stamps, yamlread
from meetdocs.batch import Failure, build_many
from meetdocs.errors import BuildError, SetupError
from meetdocs.pipeline import Outcome, build_meeting

MINIMAL = DATA / "valid" / "minimal"


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def add_text(root: Path, meeting_id: str, text: str, name: str = "briefing.md"):
    path = root / "content" / meeting_id / name
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text + "\n",
                    encoding="utf-8")
    return path


# ---- nothing the build did not write is deleted ----------------------------------

def test_a_folder_the_build_did_not_make_is_moved_aside_whole(project):
    root = project(minimal=MINIMAL)
    out = root / "output"
    mine = out / "minimal" / "my notes"
    mine.mkdir(parents=True)
    (mine / "draft.txt").write_text("keep me")
    (out / "minimal" / "minimal-briefing.pdf").write_bytes(b"mine")
    outcome = build_meeting(root, "minimal", out)
    assert outcome.saved and outcome.saved.name.startswith("minimal.saved-")
    assert (outcome.saved / "my notes" / "draft.txt").read_text() == "keep me"
    assert (outcome.saved / "minimal-briefing.pdf").read_bytes() == b"mine"
    assert (out / "minimal").is_symlink()


def test_the_cli_says_where_a_folder_it_did_not_make_went(project, capsys, monkeypatch):
    root = project(minimal=MINIMAL)
    (root / "output" / "minimal").mkdir(parents=True)
    monkeypatch.setattr(cli, "PROJECT", root)
    assert cli.main(["minimal", "--output", str(root / "output")]) == 0
    said = capsys.readouterr().out
    assert "was a folder the build did not make; moved it" in said
    assert "minimal.saved-" in said


def test_cleaning_never_follows_a_link(project, tmp_path):
    root = project(minimal=MINIMAL)
    out = root / "output"
    elsewhere = tmp_path / "elsewhere"
    for name in ("18ed27be2f096b08-2000", "photos"):  # one named like a build folder
        (elsewhere / name).mkdir(parents=True)
        (elsewhere / name / "file.txt").write_text("precious")
    (out / ".store").mkdir(parents=True)
    (out / ".store" / "minimal").symlink_to(elsewhere)
    with pytest.raises(SetupError, match="is a link or a file, not a folder the build "
                                         "made; the build does not clean through links"):
        build_meeting(root, "minimal", out)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["18ed27be2f096b08-2000",
                                                           "photos"]
    assert (elsewhere / "photos" / "file.txt").read_text() == "precious"


def test_only_build_folders_are_cleaned_from_the_store(project):
    root = project(minimal=MINIMAL)
    out = root / "output"
    build_meeting(root, "minimal", out)
    foreign = out / ".store" / "minimal" / "previous"
    foreign.mkdir()
    (foreign / "old.pdf").write_bytes(b"old")
    build_meeting(root, "minimal", out, force=True)
    assert (foreign / "old.pdf").read_bytes() == b"old"


# ---- an output is current only for the bytes it was made from -------------------

def test_a_save_between_reading_and_hashing_is_not_left_stale(project, monkeypatch):
    root = project(minimal=MINIMAL)
    out = root / "output"
    source = root / "content" / "minimal" / "briefing.md"
    source.write_text(source.read_text(encoding="utf-8") + "\n舊版本文字\n",
                      encoding="utf-8")
    read_text = content.read_text

    def read_then_saved(path, shown, *roots):
        result = read_text(path, shown, *roots)
        if path == source:  # the user saves right after the build read the file
            path.write_text(path.read_text(encoding="utf-8").replace("舊版本", "新版本"),
                            encoding="utf-8")
        return result

    monkeypatch.setattr(content, "read_text", read_then_saved)
    build_meeting(root, "minimal", out)
    monkeypatch.setattr(content, "read_text", read_text)
    assert "舊版本文字" in pdf_text(out / "minimal" / "minimal-briefing.pdf")
    again = build_meeting(root, "minimal", out)
    assert not again.up_to_date
    assert "minimal-briefing.pdf" in [p.name for p in again.written]
    assert "新版本文字" in pdf_text(out / "minimal" / "minimal-briefing.pdf")


def test_a_large_file_changed_with_its_size_and_time_kept_is_seen(project):
    root = project(minimal=MINIMAL)
    folder = root / "content" / "minimal"
    big = folder / "data.bin"
    big.write_bytes(b"a" * (9 * 2**20))
    before = stamps.meeting_key(root, folder)
    stat = big.stat()
    big.write_bytes(b"b" * (9 * 2**20))
    os.utime(big, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert big.stat().st_mtime_ns == stat.st_mtime_ns
    assert stamps.meeting_key(root, folder) != before


def test_within_a_snapshot_each_file_is_read_once(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes(b"first")
    with stamps.snapshot():
        digest = stamps._fingerprint(path)
        path.write_bytes(b"second")
        assert stamps.read_bytes(path) == b"first"
        assert stamps._fingerprint(path) == digest
    assert stamps.read_bytes(path) == b"second"


# ---- limits -------------------------------------------------------------------------

def test_deep_yaml_is_a_problem_at_its_line_and_the_others_still_build(project):
    root = project(minimal=MINIMAL, broken=MINIMAL)
    yaml_path = root / "content" / "broken" / "meeting.yaml"
    lines = yaml_path.read_text(encoding="utf-8").split("\n")
    lines.insert(3, "theme: " + "[" * 1000 + "]" * 1000)
    yaml_path.write_text("\n".join(lines), encoding="utf-8")
    broken, fine = build_many(root, ["broken", "minimal"], root / "output", workers=1)
    assert isinstance(broken, Failure) and not broken.message
    assert [str(p) for p in broken.problems] == [
        "content/broken/meeting.yaml:4: values are nested too deeply (lists and "
        "mappings inside one another); expected at most 20 levels, found more than 20"]
    assert isinstance(fine, Outcome) and fine.written


def test_a_crash_while_planning_one_meeting_does_not_stop_the_others(project,
                                                                     monkeypatch):
    root = project(minimal=MINIMAL, broken=MINIMAL)
    load = content.load_meeting

    def crash(project_, meeting_id, known):
        if meeting_id == "broken":
            raise RecursionError("maximum recursion depth exceeded")
        return load(project_, meeting_id, known)

    monkeypatch.setattr(content, "load_meeting", crash)
    broken, fine = build_many(root, ["broken", "minimal"], root / "output", workers=1)
    assert "internal error: RecursionError" in broken.message and broken.trace
    assert isinstance(fine, Outcome) and fine.written


def svg_laughs(levels: int, copies: int = 10) -> bytes:
    parts = ['<svg xmlns="http://www.w3.org/2000/svg"><defs><circle id="l0" r="1"/>']
    for level in range(1, levels + 1):
        parts.append(f'<g id="l{level}">' + f'<use href="#l{level - 1}"/>' * copies
                     + "</g>")
    return ("\n".join(parts) + f'</defs><use href="#l{levels}"/></svg>').encode()


@pytest.mark.parametrize("svg, why", [
    (svg_laughs(9), "too many copies of its parts (the <use> on its line 5)"),
    (svg_laughs(6, 2), "copies of copies nested too deeply"),
    (b'<svg xmlns="http://www.w3.org/2000/svg">\n<g id="a"><use href="#a"/></g></svg>',
     "a part inside itself (a loop) (the <use> on its line 2)")])
def test_svg_use_depth_copies_and_loops_are_refused(svg, why):
    refusal = images.check_svg(svg, "images/chart.svg")
    assert refusal and why in refusal.message


def test_svg_with_a_few_uses_is_accepted():
    assert images.check_svg(svg_laughs(2), "images/chart.svg") is None


@pytest.mark.parametrize("body, message", [
    ("[" * 20_000, "brackets '[' or '(' that are never closed"),
    ("\n".join("# 標題" for _ in range(20_000)), "headings or rules"),
    ("\n".join("---" for _ in range(20_000)), "headings or rules")])
def test_markdown_known_to_be_quadratic_is_refused_before_the_parser(project, body,
                                                                      message):
    from meetdocs import markdown

    root = project(minimal=MINIMAL)
    add_text(root, "minimal", "前文\n\n" + body)
    document = content.read_document(root / "content/minimal/briefing.md",
                                     Path("content/minimal/briefing.md"))[0]
    called = []
    monkey = markdown.MarkdownJob.convert
    markdown.MarkdownJob.convert = lambda self: called.append(1) or monkey(self)
    try:
        job = markdown.to_html(document, root / "content" / "minimal",
                               Path("content/minimal/briefing.md"))
    finally:
        markdown.MarkdownJob.convert = monkey
    assert not called  # refused before Python-Markdown saw the text
    [problem] = job.problems
    assert message in problem.message
    # The line where the block starts, below the paragraph "前文".
    block = document.body.split("\n").index(body.split("\n")[0])
    assert problem.line == document.body_line + block
    assert document.body.split("\n")[block - 2] == "前文"


def test_real_documents_pass_the_quadratic_checks():
    for path in (PROJECT / "content").glob("*/*.md"):
        assert limits.quadratic(path.read_text(encoding="utf-8")) is None, path


@pytest.mark.parametrize("value", ["-1", "0", "abc", "1.5"])
def test_jobs_must_be_a_positive_whole_number(value, capsys):
    with pytest.raises(SystemExit):
        cli.parse_build(["minimal", "--jobs", value])
    assert "--jobs: expected a positive int" in capsys.readouterr().err


def test_jobs_are_capped_at_cores_and_documents():
    cores = len(os.sched_getaffinity(0))
    assert batch.workers_for(3, 100_000) == min(3, cores)
    assert batch.workers_for(100, 100_000) == cores
    assert batch.workers_for(100, 1) == 1


def own_style(root: Path, meeting_id: str, css: str) -> Path:
    sheet = root / "content" / meeting_id / "templates" / "briefing" / "style.css"
    sheet.parent.mkdir(parents=True, exist_ok=True)
    sheet.write_text(css, encoding="utf-8")
    return sheet


def test_pages_past_the_limit_stop_the_layout_early(project, monkeypatch):
    from weasyprint.layout import page

    root = project(minimal=MINIMAL)
    own_style(root, "minimal", "p { break-after: page }\n")
    add_text(root, "minimal", "\n\n".join(f"第{n}段。" for n in range(200)))
    monkeypatch.setattr(limits, "MAX_PAGES", 20)
    made = []
    remake = page.remake_page
    monkeypatch.setattr(page, "remake_page", lambda *a: made.append(1) or remake(*a))
    with pytest.raises(BuildError, match="content/minimal/briefing.md: the document "
                                         "runs more than 20 pages"):
        build_meeting(root, "minimal", root / "output")
    assert len(made) <= 21


def test_a_huge_font_size_is_refused_at_its_stylesheet_line(project):
    root = project(minimal=MINIMAL)
    own_style(root, "minimal", "h1 { color: red }\np { font-size: 1e9px }\n")
    with pytest.raises(BuildError) as caught:
        build_meeting(root, "minimal", root / "output")
    assert [str(p) for p in caught.value.problems] == [
        "content/minimal/templates/briefing/style.css:2: a length in this stylesheet "
        "is far too large to lay out; expected at most 10,000 in any unit, found 1e9px"]


# The minimal briefing.md prints '<img src="file:///etc/hostname">' as text: the
# stylesheet that asks for the file is still the one blamed.
@pytest.mark.parametrize("url", ["file:///etc/hostname", "/etc/hostname"])
def test_a_refused_url_in_a_stylesheet_is_blamed_on_the_stylesheet(project, url):
    root = project(minimal=MINIMAL)
    own_style(root, "minimal", f"h1 {{ color: red }}\n\nbody {{ background: "
                               f"url({url}) }}\n")
    with pytest.raises(BuildError) as caught:
        build_meeting(root, "minimal", root / "output")
    [problem] = caught.value.problems
    assert str(problem.path) == "content/minimal/templates/briefing/style.css"
    assert problem.line == 3


def test_a_fifo_named_as_an_image_is_not_a_regular_file(project):
    root = project(minimal=MINIMAL)
    (root / "content" / "minimal" / "images").mkdir()
    os.mkfifo(root / "content" / "minimal" / "images" / "photo.png")
    add_text(root, "minimal", "![照片](images/photo.png)")
    with pytest.raises(BuildError, match="the image images/photo.png is not a regular "
                                         "file"):
        build_meeting(root, "minimal", root / "output")


# ---- faults: full disk, read-only output, killed and stuck workers ----------------

def snapshot_of(out: Path, meeting_id: str) -> dict:
    return {p.name: p.read_bytes() for p in (out / meeting_id).iterdir()}


def test_a_full_disk_leaves_the_previous_output_and_no_partial_folder(project,
                                                                      monkeypatch):
    root = project(minimal=MINIMAL)
    out = root / "output"
    build_meeting(root, "minimal", out)
    before = snapshot_of(out, "minimal")
    writes = []

    def full(path, data):
        writes.append(path)
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(output, "_write", full)
    [result] = build_many(root, ["minimal"], out, force=True, workers=1)
    assert writes
    assert isinstance(result, Failure)
    assert "the disk is full; the previous outputs are unchanged" in result.message
    assert snapshot_of(out, "minimal") == before
    assert len(list((out / ".store" / "minimal").iterdir())) == 1


def test_a_read_only_output_folder_gets_a_message(project, monkeypatch):
    root = project(minimal=MINIMAL)
    out = root / "output"
    build_meeting(root, "minimal", out)

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(out / ".store"))

    monkeypatch.setattr(output, "open", read_only, raising=False)
    [nothing_to_do] = build_many(root, ["minimal"], out, workers=1)
    assert isinstance(nothing_to_do, Outcome) and nothing_to_do.up_to_date
    monkeypatch.setattr(output, "_fill", read_only)
    [forced] = build_many(root, ["minimal"], out, force=True, workers=1)
    assert isinstance(forced, Failure)
    assert "the output folder is on a read-only file system" in forced.message


def two_meetings(project):
    root = project(a=MINIMAL, b=MINIMAL)
    return root, root / "output"


def test_a_killed_worker_fails_its_document_and_the_others_finish(project, monkeypatch):
    root, out = two_meetings(project)
    render = batch.render_job

    def killed_on_a(job, meeting_id):
        if meeting_id == "a" and job.fmt.name == "briefing":
            os.kill(os.getpid(), signal.SIGKILL)
        return render(job, meeting_id)

    monkeypatch.setattr(batch, "render_job", killed_on_a)
    # One worker: the one that takes b's document after a's must be a new one.
    a, b = build_many(root, ["a", "b"], out, workers=1)
    assert isinstance(a, Failure)
    assert [str(p) for p in a.problems] == [
        "content/a/briefing.md: its render worker was killed by SIGKILL (out of "
        "memory, or stopped by a user); nothing was written"]
    assert not (out / "a").exists()
    assert isinstance(b, Outcome) and [p.name for p in b.written] == ["b-briefing.pdf"]


def test_a_document_past_the_time_limit_is_stopped(project, monkeypatch):
    root, out = two_meetings(project)
    render = batch.render_job

    def stuck_on_a(job, meeting_id):
        if meeting_id == "a" and job.fmt.name == "briefing":
            time.sleep(600)
        return render(job, meeting_id)

    monkeypatch.setattr(batch, "render_job", stuck_on_a)
    a, b = build_many(root, ["a", "b"], out, workers=2, time_limit=3)
    assert [str(p) for p in a.problems] == [
        "content/a/briefing.md: took more than 3 s and was stopped (the time limit "
        "per document; --time-limit SECONDS sets another)"]
    assert isinstance(b, Outcome) and [p.name for p in b.written] == ["b-briefing.pdf"]


def test_a_document_past_the_memory_limit_gets_a_message(project, monkeypatch):
    root, out = two_meetings(project)
    render = batch.render_job

    def greedy_on_a(job, meeting_id):
        if meeting_id == "a" and job.fmt.name == "briefing":
            return bytearray(2 * limits.MAX_WORKER_MEMORY)
        return render(job, meeting_id)

    monkeypatch.setattr(batch, "render_job", greedy_on_a)
    a, b = build_many(root, ["a", "b"], out, workers=2)
    assert [str(p) for p in a.problems] == [
        "content/a/briefing.md: needs more memory than a document may use (4 GB); "
        "make it shorter or split it"]
    assert isinstance(b, Outcome) and [p.name for p in b.written] == ["b-briefing.pdf"]


SLOW_BUILD = """
import os, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from meetdocs import batch, cli
render = batch.render_job
def slow(job, meeting_id):
    os.write(1, b"rendering\\n")  # one write: two workers' lines cannot interleave
    time.sleep(120)
batch.render_job = slow
cli.PROJECT = Path(sys.argv[2])
sys.exit(cli.main(["a", "b", "--force", "--output", sys.argv[3]]))
"""


def test_workers_of_a_killed_build_do_not_keep_the_lock(project):
    import fcntl

    root, out = two_meetings(project)
    build = subprocess.Popen([sys.executable, "-c", SLOW_BUILD, str(PROJECT), str(root),
                              str(out)], stdout=subprocess.PIPE, text=True)
    assert build.stdout.readline() == "rendering\n"  # a worker holds a document
    build.kill()
    build.wait()
    with open(out / ".store" / "a.lock", "a") as lock:
        for _ in range(300):  # the worker dies with its parent, at once
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                time.sleep(0.1)
        else:
            pytest.fail("an orphaned render worker still holds the meeting's lock")


def test_no_traceback_from_the_cli_for_a_fault(project, monkeypatch, capsys):
    root = project(minimal=MINIMAL)
    monkeypatch.setattr(cli, "PROJECT", root)

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(output, "_write", full)
    assert cli.main(["minimal", "--output", str(root / "output")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "minimal: cannot build: cannot write" in err and "the disk is full" in err


# ---- a new machine ------------------------------------------------------------------

def test_two_checkouts_at_different_paths_build_the_same_bytes(som1_outputs, tmp_path):
    from conftest import make_project

    root = make_project(tmp_path / "another" / "checkout",
                        {"som1-2026": PROJECT / "content" / "som1-2026"})
    outcome = build_meeting(root, "som1-2026", root / "output")
    kinds = {path.suffix for path in outcome.files}
    assert {".pdf", ".docx"} <= kinds
    for path in outcome.files:
        assert path.read_bytes() == som1_outputs[path.name].read_bytes(), path.name


def test_the_fault_loop_loses_nothing_and_leaves_nothing_stale():
    # Five rounds that hit each kind of fault (kill, save during the build, and as
    # root a full disk and a read-only output); scripts/faultloop.py runs longer.
    run = subprocess.run([sys.executable, str(PROJECT / "scripts" / "faultloop.py"),
                          "--rounds", "5", "--seed", "3"], capture_output=True,
                         text=True, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count(": held") == 5
    if os.geteuid() == 0:
        assert "disk full: held" in run.stdout and "read-only output: held" in run.stdout
