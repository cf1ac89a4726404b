"""The preview's renderer: a child process that renders with a time limit.

A meeting's templates come from whoever wrote the meeting folder, and a template can
loop for hours (``{% for i in range(100000) %}{% for j in range(100000) %}``).  In the
server's own process that would hold its render lock for good, and no thread can be
stopped from outside.  So the preview renders in one warm child process (imports
paid once, renders stay at 50–200 ms) and gives each render a time limit:

- a watchdog thread in the child, at the limit, finds the template line the render
  is stuck in (a Jinja frame of the main thread; the template's ``debug_info`` maps
  the compiled line to the template's), sends it as a problem and exits;
- the parent waits the limit plus ``GRACE_SECONDS``, then kills the child anyway: a
  single C operation that never releases the GIL stops the watchdog too;
- the next render starts a fresh child.

The child is a fresh interpreter (``python -I -c``), not a fork: a fork of the
threaded server could inherit a lock held by one of its threads, and
multiprocessing's ``spawn`` would run the parent's main script again.  Requests and
answers are pickled over a socket pair (``multiprocessing.connection``).  The child
runs in its own session, so Ctrl-C in the terminal stops only the server, which
stops the child; and it exits when its socket closes, so it does not outlive a
server that was killed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import traceback
from multiprocessing.connection import Connection
from pathlib import Path

from .content import rel
from .errors import BuildError, Problem, SetupError

# Seconds for one render of a meeting's HTML (real ones take 0.05–0.2 s; 1 MB of
# Markdown, the content limit, about 4 s) and for one PDF (the largest real one 6 s,
# a 1 MB document 18 s).  ``build.py serve --time-limit`` sets the first.
HTML_SECONDS = 20.0
PDF_SECONDS = 120.0
GRACE_SECONDS = 2.0
START_SECONDS = 60.0   # the child's imports, on a loaded machine
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
CHILD = ("import sys; sys.path.insert(0, sys.argv[1]); "
         "from meetdocs.serve_worker import serve; serve(int(sys.argv[2]), sys.argv[3])")


class Renderer:
    """The parent's side: ``html()`` and ``pdf(job)`` run in the child or raise."""

    def __init__(self, project: Path, meeting_id: str, html_seconds: float = HTML_SECONDS,
                 pdf_seconds: float = PDF_SECONDS):
        self.project, self.meeting_id = project, meeting_id
        self.limits = {"html": html_seconds, "pdf": pdf_seconds}
        self.process = self.conn = None

    def html(self) -> list:
        return self.call("html", self.meeting_id)

    def pdf(self, job) -> bytes:
        return self.call("pdf", job)

    def call(self, kind: str, argument):
        limit = self.limits[kind]
        self.start()
        try:
            self.conn.send((kind, argument, limit))
            reply = self.conn.recv() if self.conn.poll(limit + GRACE_SECONDS) else None
        except (EOFError, OSError):
            reply = ("died",)   # a crash in a library, or out of memory
        if reply is None or reply[0] in ("timeout", "died"):
            self.stop()   # the next call starts a fresh child
        return unpack(reply, kind, limit, self.meeting_folder())

    def meeting_folder(self) -> str:
        return f"content/{self.meeting_id}"

    def start(self) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        self.stop()
        ours, theirs = socket.socketpair()
        with ours, theirs:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-c", CHILD, str(PACKAGE_ROOT),
                 str(theirs.fileno()), str(self.project)],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                start_new_session=True)
            self.conn = Connection(ours.detach())
        # theirs is closed here: recv() sees the child's end close when it dies.
        try:
            ready = self.conn.poll(START_SECONDS) and self.conn.recv()
        except (EOFError, OSError):
            ready = None
        if ready != ("ready",):
            self.stop()
            raise SetupError("the preview's renderer did not start (its error is "
                             "above)" if ready is None else
                             f"the preview's renderer did not start in {START_SECONDS:.0f} s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(5)
            self.conn.close()
        self.process = self.conn = None


def unpack(reply, kind: str, limit: float, folder: str):
    """The child's answer as a value, or the exception it stands for."""
    if reply is None:   # no answer in time, not even from the watchdog
        raise BuildError([Problem(folder, None, too_slow(kind, limit)
                                  + " and was stopped")])
    status, value = reply[0], reply[1:]
    if status == "died":
        what = "the HTML" if kind == "html" else "the PDF"
        raise BuildError([Problem(folder, None, f"the renderer stopped while rendering "
                                  f"{what}, without an error (out of memory?)")])
    if status == "ok":
        return value[0]
    if status == "timeout":
        path, line = value
        raise BuildError([Problem(path or folder, line, too_slow(kind, limit)
                                  + "; it was stopped here")])
    if status == "problems":
        raise BuildError(value[0])
    if status == "setup":
        raise SetupError(*value)
    raise RenderCrash(*value)


def too_slow(kind: str, limit: float) -> str:
    what = "the HTML" if kind == "html" else "the PDF"
    return (f"rendering {what} took longer than the preview's time limit of {limit:g} s "
            "(a loop that does not end?)")


class RenderCrash(Exception):
    """An unexpected exception in the child: its type, message and traceback."""

    def __init__(self, kind: str, message: str, trace: str):
        super().__init__(f"{kind}: {message}")
        self.trace = trace


def crash_text(exc: BaseException) -> str:
    """``Type: message`` of an unexpected exception, the child's own type for one
    that happened there."""
    return str(exc) if isinstance(exc, RenderCrash) else f"{type(exc).__name__}: {exc}"


# -- the child ------------------------------------------------------------------------


def serve(fd: int, project: str) -> None:
    """The child's loop: one request at a time until the socket closes."""
    conn = Connection(fd)
    from . import pipeline  # noqa: F401 - imported once, before the first render
    from .writers import pdf  # noqa: F401

    conn.send(("ready",))
    while True:
        try:
            kind, argument, limit = conn.recv()
        except (EOFError, OSError):
            return
        watchdog = Watchdog(conn, Path(project), limit)
        reply = answer(Path(project), kind, argument)
        if watchdog.finish():
            conn.send(reply)


def answer(project: Path, kind: str, argument) -> tuple:
    from .pipeline import render_html
    from .writers import pdf

    try:
        if kind == "html":
            return ("ok", render_html(project, argument))
        return ("ok", pdf.write(argument))
    except BuildError as exc:
        return ("problems", exc.problems)
    except SetupError as exc:
        return ("setup", exc.message, exc.fix)
    except Exception as exc:  # noqa: BLE001 - shown in the page as a bug to report
        return ("crash", type(exc).__name__, str(exc), traceback.format_exc())


class Watchdog:
    """At ``limit`` seconds, reports where the main thread is and ends the child."""

    def __init__(self, conn, project: Path, limit: float):
        self.conn, self.project = conn, project
        self.main = threading.main_thread().ident
        self.lock, self.done = threading.Lock(), False
        self.timer = threading.Timer(limit, self.fire)
        self.timer.daemon = True
        self.timer.start()

    def finish(self) -> bool:
        """Called when the render ends; if the watchdog fired first, the child is
        ending and this never returns."""
        self.timer.cancel()
        with self.lock:
            self.done = True
        return True

    def fire(self) -> None:
        with self.lock:
            if self.done:
                return
            frame = sys._current_frames().get(self.main)
            self.conn.send(("timeout", *template_line(frame, self.project)))
            os._exit(0)   # holding the lock: the render's answer is never sent


def template_line(frame, project: Path) -> tuple[str | None, int | None]:
    """The innermost template frame's file (relative to the project) and line."""
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if template is not None and template.filename:
            path = rel(Path(template.filename), project)
            return str(path), template.get_corresponding_lineno(frame.f_lineno)
        frame = frame.f_back
    return None, None
