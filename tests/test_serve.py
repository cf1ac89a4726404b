"""The live preview (build.py serve) as a template editor meets it: a real headless
Chromium, driven over the DevTools protocol, watches the page reload by itself after
a file is saved, show problems in the page, and recover when they are fixed."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
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
        port = self.devtools_port(profile / "DevToolsActivePort")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as answer:
            page = next(t for t in json.load(answer) if t["type"] == "page")
        # No Origin header: Chromium refuses websocket clients that send a foreign one.
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"],
                                                  timeout=TIMEOUT, suppress_origin=True)
        self.calls = 0

    def devtools_port(self, path: Path) -> int:
        deadline = time.monotonic() + TIMEOUT
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
            if message.get("id") == self.calls:
                if "error" in message:
                    raise RuntimeError(message["error"])
                return message["result"]

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


@pytest.fixture
def preview(project):
    """``serve`` on a free port in this process, stopped at the end of the test."""
    root = project(minimal=DATA / "valid" / "minimal")
    images = root / "content" / "minimal" / "images"
    images.mkdir()
    shutil.copy(PROJECT / "content" / "som1-2026" / "images" / "delegation-head.png",
                images / "photo.png")
    lines: list[str] = []
    server = serve.open_server(root, "minimal", 0, lines.append)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    yield server, root, lines
    server.shutdown()
    server.close()
    thread.join(5)
    assert not thread.is_alive()


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
    assert status(server, "/images/photo.png") == 200
    assert status(server, "/__templates/briefing/style.css") == 200
    assert status(server, "/") == 200
    for path in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/../outside.png",
                 "/%2e%2e/glossary.yaml", "/__templates/../content/glossary.yaml",
                 "/images/link.png", "/images", "//etc/passwd", "/nothing.html"):
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
    assert 'var shown = "1.0"' in page   # the error page reloads like any other
    assert "fix: apt-get install x" in serve_page.error_page(
        SetupError("no font", "apt-get install x"), "1.0")
    assert "ValueError: &lt;oops&gt;" in serve_page.error_page(ValueError("<oops>"), "1")


def test_the_sheet_has_the_print_margins_of_the_format():
    sheets = [PROJECT / "templates" / "briefing" / "style.css"]
    assert serve_page.sheet_margin(sheets) == "22mm 20mm 20mm 20mm"


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
