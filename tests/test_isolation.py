"""One real build, watched from outside: ``python3 build.py hostile-html`` in a
copy of the project under a path with spaces and Chinese, with content/ read-only,
without a network (``unshare -n``), under strace.  Every file opened must be on the
allow-list of ``audit.py``, no socket may be an internet one, no program but
fc-list may run, and the hostile document's targets (/etc/passwd ...) are never
even tried.  One build serves every test of the module, to keep the suite fast.

The copy's delegation report is built without its ODT, so LibreOffice does not run
here: it is a program of the system with its own habits (it reads the user
database and /etc/hosts, asks gpg for signing keys), given only our DOCX in the
temporary folder, with a profile there; test_office.py checks what it leaves."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import audit
from conftest import DATA, PROJECT, make_project
from readback import run

MEETING = "hostile-html"
TRACED = "open,openat,openat2,connect,socket,execve"
_CALL = re.compile(r"^(\d+)\s+(\w+)\((.*)$")
_RESUMED = re.compile(r"^(\d+)\s+<\.\.\. (\w+) resumed>(.*)$")
_PATH = re.compile(r'"((?:[^"\\]|\\.)*)"')
# With strace -y a descriptor prints with its path: openat(3</a/folder>, "file" ...
_FOLDER = re.compile(r"^\s*\d+<((?:[^>\\]|\\.)*)>,")
_END = re.compile(r"(.*)\)\s+=\s+(.*)$", re.S)


@dataclass
class Call:
    name: str
    args: str
    result: str

    @property
    def path(self) -> str:
        """The first string argument, strace's C escapes undone (it writes the
        bytes of 會議 as octal)."""
        path = _unescape(_PATH.search(self.args)[1])
        folder = _FOLDER.match(self.args)
        if folder and not path.startswith("/"):  # opened relative to a folder's fd
            return os.path.join(_unescape(folder[1]), path)
        return path

    @property
    def ok(self) -> bool:
        return not self.result.strip().startswith("-1")


def _unescape(raw: str) -> str:
    return codecs.escape_decode(raw.encode())[0].decode("utf-8", "surrogateescape")


def parse_trace(text: str) -> list[Call]:
    """strace -f lines; a call interrupted by another process's is split into
    ``<unfinished ...>`` and ``<... resumed>`` lines, joined again here."""
    calls, pending = [], {}
    for line in text.splitlines():
        if (resumed := _RESUMED.match(line)):
            pid, name, rest = resumed.groups()
            args = pending.pop(pid, "")
        elif (call := _CALL.match(line)):
            pid, name, rest = call.groups()
            args = ""
            if rest.endswith("<unfinished ...>"):
                pending[pid] = rest.removesuffix("<unfinished ...>")
                continue
        else:
            continue  # signals, exits
        args += rest
        # With several processes strace pads the result: ")        = 3".
        ended = _END.match(args)
        body, result = ended.groups() if ended else (args, "")
        calls.append(Call(name, body, result))
    return calls


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` with the SHA-256 of each file."""
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            if path.is_file() else "folder" for path in sorted(folder.rglob("*"))}


def no_network_prefix() -> tuple[list[str], str]:
    """``unshare -n`` (as root) or ``unshare -rn`` (a user namespace), whichever
    works here; or no prefix and the reason."""
    for prefix in (["unshare", "-n"], ["unshare", "-rn"]):
        if shutil.which("unshare") and subprocess.run(
                [*prefix, "true"], capture_output=True).returncode == 0:
            return prefix, ""
    return [], "unshare -n and -rn both fail here (no network namespaces allowed)"


def copy_project(root: Path, meeting: str = MEETING,
                 source: Path = DATA / "valid" / MEETING) -> Path:
    """The project as a user has it: package, build.py, templates, one meeting.
    ``.venv`` points at this interpreter's environment, so build.py runs the
    package at once instead of preparing a new one."""
    make_project(root, {meeting: source})
    fmt = root / "templates" / "delegation-report" / "format.yaml"
    fmt.write_text(fmt.read_text(encoding="utf-8").replace(
        "outputs: [docx, odt, pdf]", "outputs: [docx, pdf]"), encoding="utf-8")
    shutil.copytree(PROJECT / "meetdocs", root / "meetdocs")
    shutil.copy(PROJECT / "build.py", root)
    (root / ".venv").symlink_to(sys.prefix)
    return root


@dataclass
class Watched:
    root: Path
    result: subprocess.CompletedProcess
    calls: list[Call]
    before: dict
    after: dict
    no_network: str  # why the build ran with a network, or ""


def watch(root: Path, meeting: str) -> Watched:
    """``build.py MEETING`` in ``root`` under strace, with content/ read-only."""
    content = root / "content"
    before = snapshot(content)
    subprocess.run(["chmod", "-R", "a-w", str(content)], check=True)
    prefix, reason = no_network_prefix()
    trace = root.parent / "strace.txt"
    try:
        result = subprocess.run(
            [*prefix, "strace", "-f", "-qq", "-y", "-s", "4096", "-e", f"trace={TRACED}",
             "-o", str(trace), sys.executable, "build.py", meeting],
            cwd=root, capture_output=True, text=True, timeout=300)
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(content)], check=True)
    calls = parse_trace(trace.read_text(encoding="utf-8", errors="surrogateescape"))
    return Watched(root, result, calls, before, snapshot(content), reason)


@pytest.fixture(scope="module")
def watched(tmp_path_factory) -> Watched:
    root = copy_project(tmp_path_factory.mktemp("isolation") / "會議 資料" / "meetdocs")
    return watch(root, MEETING)


def opened(watched: Watched, ok: bool = True) -> list[str]:
    return [call.path for call in watched.calls
            if call.name.startswith("open") and (call.ok or not ok)]


def test_the_build_succeeds_in_a_path_with_spaces_and_chinese(watched):
    assert watched.result.returncode == 0, watched.result.stderr
    assert " " in str(watched.root) and "會議" in str(watched.root)
    assert "wrote output/hostile-html/hostile-html-briefing.pdf" in watched.result.stdout
    pdf = watched.root / "output" / MEETING / f"{MEETING}-briefing.pdf"
    assert run("pdfdetach", "-list", str(pdf)).strip() == "0 embedded files"


def test_every_file_opened_is_on_the_allow_list(watched):
    assert len(opened(watched)) > 100  # the trace did record the build
    assert audit.outside(opened(watched), audit.allowed_roots(watched.root)) == []


def test_the_hostile_documents_targets_are_never_even_tried(watched):
    tried = {os.path.normpath(path) for path in opened(watched, ok=False)}
    assert not tried & set(audit.TARGETS)


def test_no_internet_socket_is_opened_or_connected(watched):
    sockets = [call for call in watched.calls if call.name in ("socket", "connect")]
    assert not [call for call in sockets if re.search(r"AF_INET6?\b", call.args)]


def test_no_program_runs_but_fc_list(watched):
    programs = {Path(call.path).name for call in watched.calls
                if call.name == "execve" and call.ok}
    assert programs == {Path(sys.executable).name, "fc-list"}


def test_nothing_under_content_is_written_or_changed(watched):
    """Root ignores the read-only bits, so the trace and the hashes are the proof."""
    content = str(watched.root / "content")
    writes = [call.path for call in watched.calls if call.name.startswith("open")
              and re.search(r"O_WRONLY|O_RDWR|O_CREAT", call.args)]
    assert [path for path in writes if path.startswith(content)] == []
    assert watched.after == watched.before
    assert any(path.startswith(str(watched.root / "output")) for path in writes)


def test_the_build_needs_no_network(watched):
    if watched.no_network:
        pytest.skip(watched.no_network)
    prefix, _ = no_network_prefix()
    probe = subprocess.run([*prefix, sys.executable, "-c", "import socket; "
                            "socket.create_connection(('192.0.2.1', 80), timeout=5)"],
                           capture_output=True, text=True, timeout=30)
    assert "Network is unreachable" in probe.stderr  # the namespace has no network
    assert watched.result.returncode == 0


# A meeting folder from someone else: its own templates read through links to a
# secret outside and to the environment, and reach for Path methods.
HOSTILE = "hostile-meeting"
SECRET = "meetdocs-strace-secret-52c9"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Watched:
    base = tmp_path_factory.mktemp("hostile")
    secret = base / "secret.html"
    secret.write_text(f"<p>{SECRET}</p>", encoding="utf-8")
    root = copy_project(base / "meetdocs", HOSTILE, DATA / "invalid" / HOSTILE)
    own = root / "content" / HOSTILE / "templates"
    (own / "briefing").mkdir()
    (own / "briefing" / "document.html.j2").symlink_to("/proc/self/environ")
    (own / "delegation-report" / "secret.html").symlink_to(secret)
    (own / "delegation-report" / "reference.docx").symlink_to(
        PROJECT / "templates" / "delegation-report" / "reference.docx")
    os.environ["MEETDOCS_STRACE_SECRET"] = SECRET  # inherited by the build
    try:
        return watch(root, HOSTILE)
    finally:
        del os.environ["MEETDOCS_STRACE_SECRET"]


def test_a_hostile_meeting_fails_with_every_problem_at_its_file(hostile):
    own = f"content/{HOSTILE}/templates"
    link = "refused: the file is a symbolic link; links are never followed"
    assert hostile.result.returncode != 0
    errors = hostile.result.stderr
    assert f"{own}/briefing/document.html.j2: {link}" in errors
    assert f"{own}/delegation-report/secret.html: {link}" in errors
    assert (f"{own}/briefing-en/document.html.j2:4: template error: 'dict object' has "
            "no attribute 'folder'") in errors
    assert "Traceback" not in errors and SECRET not in errors + hostile.result.stdout


def test_a_hostile_meeting_opens_nothing_outside_and_writes_nothing_but_output(hostile):
    tried = opened(hostile, ok=False)
    assert audit.outside(opened(hostile), audit.allowed_roots(hostile.root)) == []
    assert not {os.path.normpath(path) for path in tried} & {
        *audit.TARGETS, "/proc/self/environ", str(hostile.root.parent / "secret.html")}
    writes = [call.path for call in hostile.calls if call.name.startswith("open")
              and re.search(r"O_WRONLY|O_RDWR|O_CREAT", call.args)]
    assert audit.outside(writes, [str(hostile.root / "output")]) == []
    assert not list(hostile.root.parent.rglob("*.pth"))
    assert hostile.after == hostile.before


def test_no_secret_reaches_any_file_the_hostile_build_leaves(hostile):
    for path in hostile.root.rglob("*"):
        if path.is_file() and not path.is_symlink() and ".venv" not in path.parts:
            assert SECRET.encode() not in path.read_bytes(), path
