"""The live preview (build.py serve) as a template editor meets it: a real headless
Chromium, driven over the DevTools protocol, watches the page reload by itself after
a file is saved, show problems in the page, and recover when they are fixed."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import websocket

from conftest import DATA, PROJECT
from meetdocs import serve, serve_page
from meetdocs.errors import BuildError, Problem, SetupError

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium tries to reach Google at start.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  "--remote-debugging-port=0"]
TIMEOUT = 10


class Browser:
    """Headless Chromium with one page, spoken to over the DevTools websocket."""

    def __init__(self, profile: Path):
        # Its own session, so that the browser and all its helper processes stop
        # together at close.
        self.process = subprocess.Popen(
            [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            port = self.devtools_port(profile / "DevToolsActivePort")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as answer:
                page = next(t for t in json.load(answer) if t["type"] == "page")
            # No Origin header: Chromium refuses websocket clients that send a
            # foreign one.
            self.socket = websocket.create_connection(
                page["webSocketDebuggerUrl"], timeout=TIMEOUT, suppress_origin=True)
        except BaseException:
            # close() is never called on a browser that did not start: without
            # this, a slow start left Chromium running after the test run.
            self.kill()
            raise
        self.calls = 0
        self.events: list[dict] = []   # what the page reported, console included
        self.call("Log.enable")
        self.call("Runtime.enable")

    def devtools_port(self, path: Path) -> int:
        # A cold start on a loaded two-core machine can take longer than a page.
        deadline = time.monotonic() + 3 * TIMEOUT
        while time.monotonic() < deadline:
            lines = path.read_text().splitlines() if path.exists() else []
            if len(lines) >= 2:
                return int(lines[0])
            assert self.process.poll() is None, "chromium exited at start"
            time.sleep(0.05)
        raise AssertionError("chromium did not open its DevTools port")

    def call(self, method: str, **params) -> dict:
        self.calls += 1
        self.socket.send(json.dumps({"id": self.calls, "method": method,
                                     "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if "method" in message:
                self.events.append(message)
            if message.get("id") == self.calls:
                if "error" in message:
                    raise RuntimeError(message["error"])
                return message["result"]

    def csp_violations(self) -> list[str]:
        """Console lines where Chromium says the Content-Security-Policy refused
        something (it logs every violation, as a Log entry or a console error)."""
        texts = [event["params"]["entry"]["text"] for event in self.events
                 if event["method"] == "Log.entryAdded"]
        texts += [json.dumps(event["params"]["args"]) for event in self.events
                  if event["method"] == "Runtime.consoleAPICalled"]
        return [text for text in texts if "Content Security Policy" in text]

    def evaluate(self, expression: str):
        """The expression's value in the page; None while the page is (re)loading."""
        try:
            result = self.call("Runtime.evaluate", expression=expression,
                               returnByValue=True)
        except RuntimeError:
            return None  # the execution context went away with a reload
        return None if "exceptionDetails" in result else result["result"].get("value")

    def wait_for(self, expression: str) -> float:
        """Seconds until ``expression`` is true in the page."""
        started = time.monotonic()
        while time.monotonic() - started < TIMEOUT:
            if self.evaluate(expression):
                return time.monotonic() - started
            time.sleep(0.02)
        text = self.evaluate("document.body && document.body.innerText")
        raise AssertionError(f"not true after {TIMEOUT} s: {expression}\npage: {text!r}")

    def close(self) -> None:
        """Ask Chromium to quit, so that it ends its helpers itself; then make sure
        of the whole process group."""
        try:
            self.call("Browser.close")
            self.process.wait(5)
        except (RuntimeError, OSError, websocket.WebSocketException,
                subprocess.TimeoutExpired):
            pass
        finally:
            self.socket.close()
        self.kill()

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # every process of the group has ended
        self.process.wait(5)


@pytest.fixture
def browser(tmp_path):
    chromium = Browser(tmp_path / "chromium-profile")
    yield chromium
    chromium.close()


def minimal_project(project) -> Path:
    root = project(minimal=DATA / "valid" / "minimal")
    images = root / "content" / "minimal" / "images"
    images.mkdir()
    shutil.copy(PROJECT / "content" / "som1-2026" / "images" / "delegation-head.png",
                images / "photo.png")
    return root


@contextlib.contextmanager
def serving(root: Path, **options):
    """``serve`` on a free port in this process, stopped at the end."""
    lines: list[str] = []
    server = serve.open_server(root, "minimal", 0, lines.append, **options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield server, root, lines
    finally:
        server.shutdown()
        server.close()
        thread.join(5)
    assert not thread.is_alive()


@pytest.fixture
def preview(project):
    with serving(minimal_project(project)) as running:
        yield running


def status(server, path: str) -> int:
    """The status of a raw request: http.client sends ``..`` as written, a browser
    would have resolved it away."""
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1],
                                            timeout=TIMEOUT)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def has_text(text: str) -> str:
    return f"document.body !== null && document.body.innerText.includes({text!r})"


def edit_and_wait(browser, source: Path, text: str, marker: str) -> float:
    """Save ``text`` and wait until ``marker`` shows, with the page reloading by
    itself: a flag set on the old page must be gone from the new one."""
    browser.evaluate("window.beforeSave = true")
    started = time.monotonic()
    source.write_text(text, encoding="utf-8")
    browser.wait_for(has_text(marker) + " && window.beforeSave === undefined")
    return time.monotonic() - started


def test_the_page_reloads_after_a_save_and_shows_problems_until_fixed(
        preview, browser, request):
    server, root, lines = preview
    source = root / "content" / "minimal" / "briefing.md"
    original = source.read_text(encoding="utf-8")
    browser.call("Page.navigate", url=server.url + "briefing.html")
    browser.wait_for(has_text("第一段文字"))
    assert browser.evaluate("document.title").startswith("測試「研發&創新」")
    # The format's stylesheet and the preview's A4 sheet both reach the browser.
    assert "Noto Serif CJK TC" in browser.evaluate(
        "getComputedStyle(document.documentElement).fontFamily")
    assert browser.evaluate("getComputedStyle(document.body).width") == "793.688px"

    delays = [edit_and_wait(browser, source, original + f"\n\n新段落 MARK{n}。\n",
                            f"MARK{n}") for n in range(3)]
    # Seconds from save to new text, for the JUnit report (--junitxml); not asserted:
    # a loaded machine is slower, and 10 s above is the promise.
    request.node.user_properties.append(("reload_s", [round(d, 3) for d in delays]))
    assert any(line.startswith("rendered 1 document after change of "
                               "content/minimal/briefing.md") for line in lines)

    broken = original.replace("date: 2026-05-30", "date: 30 May")
    edit_and_wait(browser, source, broken, "content/minimal/briefing.md:6:")
    assert browser.evaluate("document.querySelector('.meetdocs-error') !== null")
    assert "'date' is not valid" in browser.evaluate(
        "document.querySelector('.meetdocs-error').innerText")
    assert any(line.startswith("error after change of content/minimal/briefing.md: "
                               "content/minimal/briefing.md:6:") for line in lines)

    delays.append(edit_and_wait(browser, source, original + "\n\nFIXED\n", "FIXED"))
    assert browser.evaluate("document.querySelector('.meetdocs-error') === null")
    # Document, error and index pages all ran under the preview's policy.
    browser.call("Page.navigate", url=server.url)
    browser.wait_for(has_text("all documents") + " || " + has_text("minimal"))
    assert browser.csp_violations() == []
    request.node.user_properties.append(("median_reload_s",
                                         round(statistics.median(delays), 3)))


def test_a_saved_stylesheet_restyles_the_open_page(preview, browser):
    server, root, _ = preview
    browser.call("Page.navigate", url=server.url + "briefing.html")
    browser.wait_for(has_text("第一段文字"))
    style = root / "templates" / "briefing" / "style.css"
    browser.evaluate("window.beforeSave = true")
    style.write_text(style.read_text() + "\nh1.title { color: rgb(1, 2, 3); }\n")
    browser.wait_for("getComputedStyle(document.querySelector('h1.title')).color"
                     " === 'rgb(1, 2, 3)' && window.beforeSave === undefined")


def test_only_the_meeting_folder_and_templates_are_served(preview):
    server, root, _ = preview
    outside = root / "outside.png"
    shutil.copy(root / "content" / "minimal" / "images" / "photo.png", outside)
    (root / "content" / "minimal" / "images" / "link.png").symlink_to(outside)
    (root / "content" / "minimal" / "images" / "same.png").symlink_to("photo.png")
    (root / "content" / "minimal" / "pictures").symlink_to("images")
    assert status(server, "/images/photo.png") == 200
    assert status(server, "/__templates/briefing/style.css") == 200
    assert status(server, "/") == 200
    for path in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/../outside.png",
                 "/%2e%2e/glossary.yaml", "/__templates/../content/glossary.yaml",
                 "/images/link.png", "/images/same.png", "/pictures/photo.png",
                 "/images", "//etc/passwd", "/nothing.html"):
        assert status(server, path) == 404, path


def test_the_pdf_link_renders_the_pdf_on_demand(preview):
    server, _, lines = preview
    with urllib.request.urlopen(server.url + "briefing.pdf", timeout=60) as answer:
        assert answer.headers["Content-Type"] == "application/pdf"
        assert answer.read(5) == b"%PDF-"
    assert any(line.startswith("PDF of briefing in ") for line in lines)


def test_problems_are_escaped_in_the_error_panel():
    page = serve_page.error_page(BuildError([Problem("a.md", 3, "<b>bad</b>")]), "1.0")
    assert '<code class="where">a.md:3</code>: &lt;b&gt;bad&lt;/b&gt;' in page
    # the error page reloads like any other, by the served script
    assert '<script src="/__preview.js" data-token="1.0"></script>' in page
    assert "fix: apt-get install x" in serve_page.error_page(
        SetupError("no font", "apt-get install x"), "1.0")
    assert "ValueError: &lt;oops&gt;" in serve_page.error_page(ValueError("<oops>"), "1")


def test_the_sheet_has_the_print_margins_of_the_format():
    sheets = [PROJECT / "templates" / "briefing" / "style.css"]
    roots = [PROJECT / "templates"]
    assert serve_page.sheet_margin(sheets, roots) == "22mm 20mm 20mm 20mm"


def test_the_sheet_margin_is_not_read_through_a_link(tmp_path):
    """The preview reads stylesheets like the build: a link to a sheet elsewhere
    is not followed, so its @page margin does not reach the page."""
    outside = tmp_path / "outside.css"
    outside.write_text("@page { margin: 1mm }", encoding="utf-8")
    folder = tmp_path / "meeting"
    folder.mkdir()
    (folder / "style.css").symlink_to(outside)
    assert serve_page.sheet_margin([folder / "style.css"], [folder]) is None


def test_a_port_in_use_is_a_plain_message(project):
    root = project(minimal=DATA / "valid" / "minimal")
    server = serve.open_server(root, "minimal", 0, lambda line: None)
    try:
        with pytest.raises(SetupError, match="is in use"):
            serve.open_server(root, "minimal", server.server_address[1], lambda line: None)
    finally:
        server.close()


def test_build_py_serve_stops_cleanly_on_ctrl_c():
    process = subprocess.Popen(
        [sys.executable, str(PROJECT / "build.py"), "serve", "som1-2026", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline() + process.stdout.readline()
        url = first.split(" on ")[-1].split()[0]
        with urllib.request.urlopen(url) as answer:
            assert "som1-2026" in answer.read().decode()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert re.match(r"rendered \d+ documents in ", first)
    assert process.returncode == 0
    assert out.strip().endswith("stopped") and err == ""


# -- what a hostile web page or meeting folder can do to the preview -----------------

# Requests from another process, as a web page's would come: http.client sends
# exactly the Host header it is given ("-": none at all).
PROBE = r"""
import http.client, json, sys
port, path, hosts = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
answers = {}
for host in hosts:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", path, skip_host=True)
    if host != "-":
        connection.putheader("Host", host)
    connection.endheaders()
    answer = connection.getresponse()
    answers[host] = [answer.status, answer.read().decode("utf-8", "replace")]
    connection.close()
print(json.dumps(answers))
"""


def probe(server, path: str, hosts: list[str]) -> dict[str, list]:
    result = subprocess.run([sys.executable, "-c", PROBE, str(server.server_address[1]),
                             path, *hosts], capture_output=True, text=True,
                            timeout=60, check=True)
    return json.loads(result.stdout)


def test_only_the_loopback_names_of_the_port_are_answered(preview):
    """DNS rebinding: a page of evil.example whose name now points at 127.0.0.1 is
    same-origin with the preview for the browser; its Host header still says so."""
    server, root, lines = preview
    port = server.server_address[1]
    secret = "The Second APEC Senior Officials' Meeting"
    assert secret in (root / "content" / "minimal" / "meeting.yaml").read_text()
    good = [f"127.0.0.1:{port}", f"localhost:{port}"]
    bad = [f"evil.example:{port}", "evil.example", "127.0.0.1", f"127.0.0.1:{port + 1}",
           f"localhost.evil.example:{port}", f"127.0.0.1:{port}.evil.example", "-"]
    for path in ("/meeting.yaml", "/briefing.html", "/"):
        answers = probe(server, path, good + bad)
        for host in good:
            assert answers[host][0] == 200, (path, host)
        for host in bad:
            status_code, body = answers[host]
            assert status_code == 421, (path, host)
            assert secret not in body and len(body) < 200, (path, host)
    assert f"refused a request for Host 'evil.example:{port}'" in lines


def headers_of(server, path: str, method: str = "GET") -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1],
                                            timeout=TIMEOUT)
    try:
        connection.request(method, path)
        answer = connection.getresponse()
        answer.read()
        return answer.status, dict(answer.getheaders())
    finally:
        connection.close()


def test_every_answer_forbids_sniffing_inline_scripts_and_framing(preview):
    server, root, _ = preview
    (root / "content" / "minimal" / "notes.txt").write_bytes(b"x" * (1024 * 1024 + 1))
    seen = set()
    for path, method in [("/", "GET"), ("/briefing.html", "GET"),
                         ("/images/photo.png", "GET"), ("/__preview.js", "GET"),
                         ("/__templates/briefing/style.css", "GET"), ("/nothing", "GET"),
                         ("/notes.txt", "GET"), ("/", "POST")]:
        code, headers = headers_of(server, path, method)
        seen.add(code)
        assert headers.get("X-Content-Type-Options") == "nosniff", path
        policy = {part.split()[0]: part.split()[1:]
                  for part in headers.get("Content-Security-Policy", "").split("; ")}
        assert policy.get("default-src") == ["'self'"], path
        assert policy.get("script-src") == ["'self'"], path
        assert policy.get("frame-ancestors") == ["'none'"], path
        assert policy.get("object-src") == ["'none'"], path
    assert seen == {200, 404, 413, 501}
    # No page of the preview needs an inline script, the error page included.
    for path in ("/", "/briefing.html"):
        with urllib.request.urlopen(server.url + path.lstrip("/")) as answer:
            page = answer.read().decode()
        assert re.findall(r"<script(?![^>]*\bsrc=)", page) == [], path
    assert not re.search(r"<script(?![^>]*\bsrc=)",
                         serve_page.error_page(ValueError("x"), "1"))


def test_an_inline_script_of_a_template_is_refused_in_the_browser(project, browser):
    """The check for violations in the tests above can see one."""
    root = minimal_project(project)
    own = root / "content" / "minimal" / "templates" / "briefing"
    own.mkdir(parents=True)
    template = (root / "templates" / "briefing" / "document.html.j2").read_text()
    (own / "document.html.j2").write_text(template.replace(
        "{% block header %}", '{% block header %}<script>document.title = "RAN";</script>',
        1))
    with serving(root) as (server, _, _):
        browser.call("Page.navigate", url=server.url + "briefing.html")
        browser.wait_for(has_text("第一段文字"))
        deadline = time.monotonic() + TIMEOUT
        while not browser.csp_violations() and time.monotonic() < deadline:
            browser.evaluate("1")   # lets Chromium's log events arrive
        assert browser.evaluate("document.title") != "RAN"
        assert browser.evaluate("document.querySelector('script:not([src])') !== null")
        assert any("inline script" in text for text in browser.csp_violations())


# Sockets that connect and then say nothing, held by another process.
HOLDER = r"""
import socket, sys
sockets = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(300)]
print("open", flush=True)
sys.stdin.read()
"""


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_idle_connections_are_closed_and_their_threads_end(preview, monkeypatch, request):
    server, root, _ = preview
    monkeypatch.setattr(serve, "IDLE_SECONDS", 5)   # 10 in use; the same code path
    events = urllib.request.urlopen(server.url + "__events", timeout=TIMEOUT)
    first = events.readline()
    assert first.startswith(b"data: ")
    before = threading.active_count()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(server.server_address[1])],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "open\n"
        assert wait_until(lambda: threading.active_count() >= before + 300, 30)
        peak = threading.active_count()
        assert wait_until(lambda: threading.active_count() <= before, 30), (
            f"{threading.active_count()} threads, {before} before the idle sockets")
        after = threading.active_count()
        request.node.user_properties.append(("threads", [before, peak, after]))
        assert status(server, "/") == 200
    finally:
        holder.communicate("", timeout=TIMEOUT)
    # The event stream, silent for longer than the idle limit, still tells of a save.
    (root / "content" / "minimal" / "briefing.md").write_text("changed\n")
    line = events.readline()
    while line in (b"\n", b": still here\n"):
        line = events.readline()
    assert line.startswith(b"data: ") and line != first
    events.close()


# ``build.py serve`` of a test project in a process of its own, with no more than
# 3 GB of address space: a file read whole would not fit.
SERVER = r"""
import resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))
sys.path.insert(0, sys.argv[1])
from meetdocs import serve
serve.run(Path(sys.argv[2]), "minimal", 0, lambda line: print(line, flush=True))
"""


def peak_rss_kib(pid: int) -> int:
    status_lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status_lines if line.startswith("VmHWM:"))


def test_files_are_streamed_and_refused_above_the_content_limits(project, request):
    root = minimal_project(project)
    folder = root / "content" / "minimal"
    for name, size in [("huge.png", 4 * 2**30), ("images/large.png", 29 * 2**20),
                       ("notes.md", 2**20 + 1), ("fits.md", 2**20)]:
        with open(folder / name, "wb") as handle:
            handle.truncate(size)   # sparse: no disk, and no time to write
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(PROJECT), str(root)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = (process.stdout.readline() + process.stdout.readline()).split(" on ")[-1]
        url = url.split()[0]
        before = peak_rss_kib(process.pid)
        with urllib.request.urlopen(url + "images/large.png", timeout=60) as answer:
            assert answer.headers["Content-Length"] == str(29 * 2**20)
            assert sum(len(chunk) for chunk in iter(lambda: answer.read(2**20), b"")
                       ) == 29 * 2**20
        with urllib.request.urlopen(url + "fits.md", timeout=60) as answer:
            assert len(answer.read()) == 2**20
        for name, limit in [("huge.png", "30 MB"), ("notes.md", "1 MB")]:
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(url + name, timeout=60)
            assert refused.value.code == 413
            assert f"at most {limit}" in refused.value.read().decode()
        after = peak_rss_kib(process.pid)
        request.node.user_properties.append(("peak_rss_kib", [before, after]))
        # Streaming holds one 64 KB chunk at a time; the image alone is 29 MB.
        assert after - before < 8 * 1024, (before, after)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            out, err = process.communicate(timeout=TIMEOUT)
        finally:  # a preview that does not stop must not outlive the test
            if process.poll() is None:
                process.kill()
                process.wait()
    assert "too large to serve: /huge.png (4,294,967,296 bytes)" in out
    assert err == ""


HUNG = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"


def test_a_hung_template_is_stopped_shown_in_the_page_and_fixed(project, browser, request):
    root = minimal_project(project)
    own = root / "content" / "minimal" / "templates" / "briefing"
    own.mkdir(parents=True)
    template = (root / "templates" / "briefing" / "document.html.j2").read_text()
    hung = template.replace("{% block header %}", "{% block header %}\n" + HUNG, 1)
    line = hung.splitlines().index(HUNG) + 1
    where = f"content/minimal/templates/briefing/document.html.j2:{line}"
    with serving(root, time_limit=4) as (server, _, lines):
        browser.call("Page.navigate", url=server.url + "briefing.html")
        browser.wait_for(has_text("第一段文字"))
        started = time.monotonic()
        (own / "document.html.j2").write_text(hung)
        # While the render is stuck, files and the event stream are still served.
        assert wait_until(server.preview.lock.locked, TIMEOUT)
        assert status(server, "/images/photo.png") == 200
        assert status(server, "/__preview.css") == 200
        with urllib.request.urlopen(server.url + "__events", timeout=TIMEOUT) as events:
            assert events.readline().startswith(b"data: ")
        assert server.preview.lock.locked()   # the same render, still stuck
        browser.wait_for(has_text(where))
        request.node.user_properties.append(("seconds_to_error",
                                             round(time.monotonic() - started, 2)))
        panel = browser.evaluate("document.querySelector('.meetdocs-error').innerText")
        assert "took longer than the preview's time limit of 4 s" in panel
        assert any(text.startswith(f"error after change of {where[:-len(str(line)) - 1]}"
                                   ) and where in text for text in lines)
        (own / "document.html.j2").write_text(template)
        browser.wait_for(has_text("第一段文字"))
        assert browser.evaluate("document.querySelector('.meetdocs-error') === null")


def test_a_request_sent_a_byte_at_a_time_is_cut_off(preview, monkeypatch):
    """Each byte comes well within the idle limit; the whole request does not."""
    server, _, _ = preview
    monkeypatch.setattr(serve, "IDLE_SECONDS", 2)
    sent = 0
    with socket.create_connection(("127.0.0.1", server.server_address[1])) as client:
        client.settimeout(0.5)
        for byte in b"GET / HTTP/1.0\r\nX-Slow: " + b"a" * 100:
            try:
                client.sendall(bytes([byte]))
                if client.recv(1024) == b"":
                    break   # the server closed the connection
            except TimeoutError:
                sent += 1   # nothing back yet: still waiting for the request
            except (BrokenPipeError, ConnectionResetError):
                break
        else:
            raise AssertionError("the server waited for all 116 bytes")
    assert 2 <= sent < 100


def test_the_browser_preview_gets_the_html_the_pdf_is_made_from():
    """Long strings marked to break, wide tables marked to span the columns and
    paragraph ends kept together, as pagefit.prepare does for the PDF."""
    import types

    from meetdocs import serve_page
    from meetdocs.writers import pagefit

    url = "https://www.apec.org/Publications/AnnualReportOfTheSecretariat2026Final"
    html = (f'<!DOCTYPE html><html lang="zh-Hant"><head></head><body><p>見 {url} 。</p>'
            '<table><tr>' + "<td>Representative</td>" * 8 + '</tr></table></body></html>')
    job = types.SimpleNamespace(html=html, fmt=types.SimpleNamespace(name="briefing"))
    page = serve_page.document_page(job, "t", [], None)
    assert 'class="long-token"' in page and 'class="wide"' in page
    assert pagefit.prepare(html).split("<body>")[1].split("</body>")[0] in page
