"""``build.py serve ID``: a live HTML preview of one meeting's documents.

Template editors know HTML and CSS and want to see a change as they save it.  So:

- One warm child process renders with ``pipeline.render_html``, lazily: a request
  after a change renders again (50–200 ms), nothing renders while nobody looks.
- A thread polls the modification times of the meeting folder, content/glossary.yaml
  and templates/ every 200 ms (no dependency, and it works on every file system) and
  bumps a version; pages listen on ``/__events`` (Server-Sent Events) and reload
  when the version they were shown at is no longer the current one.
- A failed render is a page listing the problems, which reloads like any other
  page; the server itself never stops on a content or template error.
- Rendering (HTML and PDF) runs in that child with a time limit
  (``serve_worker``): a template that loops for ever is an error in the page naming
  its file and line, while files and events go on being served, and the next save
  renders in a fresh child.
- Files are served from the meeting folder (at ``/``, so the documents' relative
  image paths work) and from templates/ (at ``/__templates/``), the same two places
  the PDF writer's fetcher may read; anything else, ``..`` included, is a 404.
  They are streamed in chunks, never read whole, and refused (413) above the
  content limits: 1 MB for text, 30 MB for images and fonts.

The meeting folder may come from someone else, and any web page the user opens may
try to read the preview, so the server trusts no request:

- It listens on 127.0.0.1 only: the preview is for the person at the machine, and
  content may not be public yet.
- It answers only a Host header of ``127.0.0.1:PORT`` or ``localhost:PORT`` (421
  otherwise): a web page that points its own name at 127.0.0.1 (DNS rebinding) is
  same-origin with the preview for the browser, but its requests carry its name.
- Every answer says ``nosniff`` and a Content-Security-Policy that allows scripts
  only from the preview itself (the reload script is a served file, no inline
  script runs), nothing from elsewhere, and no framing.  Inline styles stay allowed:
  templates use them (the one-pager's SVG) and the PDF honours them; without
  scripts or foreign URLs, CSS cannot send anything anywhere.
- A connection whose request has not fully arrived ``IDLE_SECONDS`` after it
  opened is closed, so idle sockets, or ones sending a byte at a time, cannot pile
  up threads; the event stream (which reads nothing once asked) writes a keepalive
  more often than that, and a write may block that long at most.

Standard library only (``http.server``); ``log`` gets one line per event worth seeing,
since only the CLI prints.
"""

from __future__ import annotations

import errno
import io
import mimetypes
import os
import stat
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from . import serve_page
from .content import rel
from .errors import BuildError, SetupError
from .images import MAX_IMAGE_BYTES
from .limits import MAX_FILE_BYTES
from .serve_worker import HTML_SECONDS, Renderer, crash_text

HOST = "127.0.0.1"
POLL_SECONDS = 0.2
# A comment line this often lets a handler notice a closed tab and free its thread.
KEEPALIVE_SECONDS = 5
# Seconds for a request to arrive after its connection opens, and for one write.
IDLE_SECONDS = 10
CHUNK_BYTES = 64 * 1024
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'",
    "object-src 'none'", "base-uri 'none'", "form-action 'none'",
    "frame-ancestors 'none'"])
SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Frame-Options", "DENY"),                      # frame-ancestors for old browsers
    ("Cross-Origin-Resource-Policy", "same-origin"),  # no embedding by other sites
    ("Referrer-Policy", "no-referrer"),
]


class Watcher:
    """Polls modification times and counts changes; listeners wait on ``changed``."""

    def __init__(self, project: Path, paths: list[Path]):
        self.project, self.paths = project, paths
        self.version, self.stopped = 0, False
        self.changed = threading.Condition()
        self.pending: set[str] = set()    # files changed since the last render
        self.seen = self.snapshot()
        self.thread = threading.Thread(target=self.loop, name="serve-watcher",
                                       daemon=True)

    def snapshot(self) -> dict[str, tuple[int, int]]:
        found = {}
        for path in self.paths:
            for file in _files(path):
                try:
                    stat = file.stat()
                except OSError:
                    continue  # deleted between listing and stat: the next poll sees it
                found[str(file)] = (stat.st_mtime_ns, stat.st_size)
        return found

    def loop(self) -> None:
        while not self.stopped:
            time.sleep(POLL_SECONDS)
            self.poll()

    def poll(self) -> None:
        now = self.snapshot()
        differ = {name for name in now.keys() | self.seen.keys()
                  if now.get(name) != self.seen.get(name)}
        self.seen = now
        if differ:
            with self.changed:
                self.version += 1
                self.pending |= {str(rel(Path(name), self.project)) for name in differ}
                self.changed.notify_all()

    def wait(self, known: int | None, timeout: float) -> int:
        """The version, as soon as it differs from ``known`` or after ``timeout``."""
        with self.changed:
            self.changed.wait_for(lambda: self.version != known or self.stopped, timeout)
            return self.version

    def take_changes(self) -> list[str]:
        with self.changed:
            changes, self.pending = sorted(self.pending), set()
            return changes

    def stop(self) -> None:
        with self.changed:
            self.stopped = True
            self.changed.notify_all()


def _files(path: Path):
    """Files under ``path`` minus editors' swap, backup and lock files: saving a
    buffer should reload the page, the editor's autosave should not."""
    if path.is_file():
        yield path
        return
    for folder, subfolders, names in os.walk(path):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in names:
            if not name.startswith((".", "#")) and not name.endswith("~"):
                yield Path(folder) / name


@dataclass
class Rendering:
    version: int
    token: str                          # what pages compare on /__events
    jobs: dict = field(default_factory=dict)   # format name → Job
    error: BaseException | None = None


class Preview:
    """The meeting's documents as of the watcher's version, rendered on demand."""

    def __init__(self, project: Path, meeting_id: str, watcher: Watcher, log,
                 renderer: Renderer):
        self.project, self.meeting_id, self.watcher, self.log = (
            project, meeting_id, watcher, log)
        self.renderer = renderer
        self.boot = str(time.time_ns())
        self.lock = threading.Lock()   # one render at a time, and each version once
        self.rendering: Rendering | None = None
        self.pdfs: dict[tuple[int, str], bytes] = {}

    def token(self, version: int) -> str:
        return f"{self.boot}.{version}"

    def current(self) -> Rendering:
        with self.lock:
            version = self.watcher.version
            if self.rendering is None or self.rendering.version != version:
                self.rendering = self.render(version)
            return self.rendering

    def render(self, version: int) -> Rendering:
        changes, started = self.watcher.take_changes(), time.monotonic()
        rendering = Rendering(version, self.token(version))
        try:
            jobs = self.renderer.html()
            rendering.jobs = {job.fmt.name: job for job in jobs}
        except Exception as exc:  # noqa: BLE001 - shown in the page; the server goes on
            rendering.error = exc
        took = f"{(time.monotonic() - started) * 1000:.0f} ms"
        self.log(render_line(rendering, changes, took))
        return rendering

    def pdf(self, rendering: Rendering, name: str) -> bytes:
        with self.lock:
            key = (rendering.version, name)
            if key not in self.pdfs:
                started = time.monotonic()
                # keep only the newest
                self.pdfs = {key: self.renderer.pdf(rendering.jobs[name])}
                self.log(f"PDF of {name} in {time.monotonic() - started:.1f} s")
            return self.pdfs[key]


def render_line(rendering: Rendering, changes: list[str], took: str) -> str:
    cause = ""
    if changes:
        more = f" and {len(changes) - 1} more" if len(changes) > 1 else ""
        cause = f" after change of {changes[0]}{more}"
    if rendering.error is None:
        count = len(rendering.jobs)
        return f"rendered {count} document{'s' * (count != 1)}{cause} in {took}"
    return f"error{cause}: {first_problem(rendering.error)}"


def first_problem(exc: BaseException) -> str:
    if isinstance(exc, BuildError) and exc.problems:
        more = len(exc.problems) - 1
        return str(exc.problems[0]) + (f" (and {more} more)" if more else "")
    if isinstance(exc, SetupError):
        return exc.message
    return crash_text(exc)


class PreviewServer(ThreadingHTTPServer):
    """The HTTP server with what its handlers need; threads do not outlive a stop."""

    daemon_threads = True
    # A page load opens a burst of connections (stylesheets, images, events); with
    # the default backlog of 5 the rest wait for the kernel's SYN retry, 1 s.
    request_queue_size = 1024

    def __init__(self, preview: Preview, meeting_folder: Path, port: int):
        self.preview, self.watcher = preview, preview.watcher
        # The two folders the PDF writer's fetcher may read, and so the browser.
        self.meeting = meeting_folder.resolve()
        self.templates = (preview.project / "templates").resolve()
        super().__init__((HOST, port), Handler)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}/"

    @property
    def hosts(self) -> set[str]:
        """The Host headers answered: the two names of this machine's loopback."""
        port = self.server_address[1]
        return {f"{HOST}:{port}", f"localhost:{port}"}

    def handle_error(self, request, client_address) -> None:
        # The default prints a traceback to stderr.
        import sys

        exc = sys.exc_info()[1]
        # A tab closed mid-answer, or a reader stalled past IDLE_SECONDS: both normal.
        if not isinstance(exc, (BrokenPipeError, ConnectionResetError, TimeoutError)):
            self.preview.log(f"error answering a request: {type(exc).__name__}: {exc}")

    def close(self) -> None:
        self.watcher.stop()
        self.server_close()
        self.preview.renderer.stop()


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer

    def setup(self) -> None:
        self.timeout = IDLE_SECONDS   # on every write of the socket
        super().setup()
        # The request must arrive within IDLE_SECONDS in all, not only between two
        # bytes: a client sending one byte at a time cannot keep a thread either.
        self.rfile.close()
        self.rfile = io.BufferedReader(RequestReader(self.connection, IDLE_SECONDS))

    def do_GET(self) -> None:
        if (self.headers.get("Host") or "").lower() not in self.server.hosts:
            return self.wrong_host()
        path = urlsplit(self.path).path
        if path == "/__events":
            return self.events()
        if path == "/__preview.css":
            return self.send(200, serve_page.PREVIEW_CSS.read_bytes(), "text/css")
        if path == "/__preview.js":
            return self.send(200, serve_page.PREVIEW_JS.read_bytes(), "text/javascript")
        if path == "/":
            return self.index()
        name, _, kind = unquote(path[1:]).rpartition(".")
        if "/" not in name and kind in ("html", "pdf"):
            rendering = self.server.preview.current()
            if rendering.error or name in rendering.jobs:
                return self.document(rendering, name, kind)
        return self.static(path)

    def index(self) -> None:
        preview = self.server.preview
        rendering = preview.current()
        if rendering.error:
            return self.error(rendering)
        page = serve_page.index_page(preview.meeting_id, list(rendering.jobs.values()),
                                     rendering.token)
        self.send(200, page.encode(), "text/html")

    def document(self, rendering: Rendering, name: str, kind: str) -> None:
        if rendering.error:
            return self.error(rendering)
        job = rendering.jobs[name]
        if kind == "pdf":
            return self.pdf(rendering, name)
        urls = [self.url_of(sheet) for sheet in job.fmt.stylesheets(job.folder)]
        margin = serve_page.sheet_margin(job.fmt.stylesheets(job.folder),
                                          [job.folder, job.project / "templates"])
        page = serve_page.document_page(job, rendering.token, urls, margin)
        self.send(200, page.encode(), "text/html")

    def pdf(self, rendering: Rendering, name: str) -> None:
        try:
            data = self.server.preview.pdf(rendering, name)
        except Exception as exc:  # noqa: BLE001 - a failed PDF is a page, like a render
            self.server.preview.log(f"PDF of {name} failed: {first_problem(exc)}")
            page = serve_page.error_page(exc, rendering.token)
            return self.send(500, page.encode(), "text/html")
        self.send(200, data, "application/pdf")

    def error(self, rendering: Rendering) -> None:
        page = serve_page.error_page(rendering.error, rendering.token)
        self.send(500, page.encode(), "text/html")

    def url_of(self, file: Path) -> str:
        """The URL under which ``static`` serves a stylesheet of the format."""
        file, server = file.resolve(), self.server
        if file.is_relative_to(server.templates):
            return "/__templates/" + quote(file.relative_to(server.templates).as_posix())
        return "/" + quote(file.relative_to(server.meeting).as_posix())

    def wrong_host(self) -> None:
        """421 for a Host that is not this server's: a rebound DNS name, most likely."""
        host = self.headers.get("Host")
        self.server.preview.log(f"refused a request for Host {host!r}")
        names = " or ".join(f"http://{name}/" for name in sorted(self.server.hosts))
        self.send(421, f"This preview answers only {names}\n".encode(), "text/plain")

    def static(self, path: str) -> None:
        """A file of the meeting folder (at /) or of templates/ (at /__templates/)."""
        prefix, _, rest = path[1:].partition("/")
        root, relative = ((self.server.templates, rest) if prefix == "__templates"
                          else (self.server.meeting, path[1:]))
        file = inside(root, unquote(relative))
        try:
            # No link followed even if one appeared since ``inside`` looked.
            handle = open(os.open(file, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK),
                          "rb") if file else None
        except OSError:
            handle = None
        if handle is None:
            return self.not_found(path)
        with handle:
            self.stream(path, handle, file.name)

    def stream(self, path: str, handle, name: str) -> None:
        """The open file in chunks, if it is a regular file within its limit."""
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            return self.not_found(path)
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        limit = size_limit(kind)
        if info.st_size > limit:
            return self.too_large(path, info.st_size, limit)
        self.send_head(200, kind, info.st_size)
        left = info.st_size   # a file that grows meanwhile is cut where it was
        while left > 0 and (chunk := handle.read(min(CHUNK_BYTES, left))):
            self.wfile.write(chunk)
            left -= len(chunk)
        if left:   # it shrank: the length sent is wrong, so the connection must end
            self.close_connection = True

    def too_large(self, path: str, size: int, limit: int) -> None:
        self.server.preview.log(f"too large to serve: {path} ({size:,} bytes)")
        token = self.server.preview.token(self.server.watcher.version)
        page = serve_page.too_large_page(path, size, limit, token)
        self.send(413, page.encode(), "text/html")

    def not_found(self, path: str) -> None:
        if path != "/favicon.ico":
            self.server.preview.log(f"not found: {path}")
        token = self.server.preview.token(self.server.watcher.version)
        self.send(404, serve_page.not_found_page(path, token).encode(), "text/html")

    def events(self) -> None:
        """Server-Sent Events: the current token now and after every change."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        watcher, known = self.server.watcher, None
        try:
            while not watcher.stopped:
                version = watcher.wait(known, KEEPALIVE_SECONDS)
                line = (f"data: {self.server.preview.token(version)}\n\n"
                        if version != known else ": still here\n\n")
                self.wfile.write(line.encode())
                self.wfile.flush()
                known = version
        except (BrokenPipeError, ConnectionResetError):
            return  # the tab was closed or reloaded

    def send(self, status: int, body: bytes, kind: str) -> None:
        self.send_head(status, kind, len(body))
        self.wfile.write(body)

    def send_head(self, status: int, kind: str, length: int) -> None:
        self.send_response(status)
        charset = "; charset=utf-8" if kind.startswith("text/") else ""
        self.send_header("Content-Type", kind + charset)
        self.send_header("Content-Length", str(length))
        # Every answer may change with the next save, images and stylesheets included.
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def end_headers(self) -> None:
        # Here, not in send_head: the standard library's own error answers (400, 501)
        # pass through end_headers too.
        for name, value in SECURITY_HEADERS:
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format, *args) -> None:
        pass  # the default writes every request to stderr; events go through log


class RequestReader(io.RawIOBase):
    """A socket's input with one deadline for all of it.  One request per
    connection (HTTP/1.0, no request bodies), so the deadline is the request's."""

    def __init__(self, connection, seconds: float):
        self.connection, self.deadline = connection, time.monotonic() + seconds

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        before = self.connection.gettimeout()
        self.connection.settimeout(min(left, before or left))
        try:
            return self.connection.recv_into(buffer)
        finally:
            self.connection.settimeout(before)


def size_limit(kind: str) -> int:
    """The content limits: images (and fonts) 30 MB, everything else, text, 1 MB."""
    return MAX_IMAGE_BYTES if kind.startswith(("image/", "font/")) else MAX_FILE_BYTES


def inside(root: Path, relative: str) -> Path | None:
    """The file that the URL path ``relative`` names under ``root``, or None: no
    ``..``, no empty or hidden segment, no link anywhere on the way (the build's
    fetcher reads none either), no folders."""
    parts = relative.split("/")
    if any(part in ("", ".", "..") or "\\" in part or "\0" in part for part in parts):
        return None
    path = root / relative   # ``root`` is resolved: a link would change the path
    return path if path.resolve() == path and path.is_file() else None


def open_server(project: Path, meeting_id: str, port: int, log,
                time_limit: float = HTML_SECONDS) -> PreviewServer:
    """Bind 127.0.0.1:``port`` (0 picks a free one), start watching, render once;
    a render of the HTML taking more than ``time_limit`` seconds is stopped."""
    from .content import meeting_folder

    folder = meeting_folder(project, meeting_id)   # a bad id fails before binding
    watcher = Watcher(project, [folder, project / "content" / "glossary.yaml",
                                project / "templates"])
    preview = Preview(project, meeting_id, watcher, log,
                      Renderer(project, meeting_id, html_seconds=time_limit))
    try:
        server = PreviewServer(preview, folder, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise SetupError(f"port {port} on {HOST} is in use",
                             f"python3 build.py serve {meeting_id} --port {port + 1}"
                             ) from exc
        raise
    watcher.thread.start()
    preview.current()   # imports and first render now, not on the first page view
    return server


def run(project: Path, meeting_id: str, port: int, log,
        time_limit: float = HTML_SECONDS) -> int:
    server = open_server(project, meeting_id, port, log, time_limit)
    log(f"serving {meeting_id} on {server.url} (Ctrl-C stops)")
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        log("stopped")
    finally:
        server.close()
    return 0
