"""LibreOffice as the build's office engine: one headless instance per process.

Why our own UNO helper and not unoserver: the step needs more than a conversion — it
reads the page of every heading from LibreOffice's layout — and unoserver's client
offers only convert/compare, so a helper would be needed anyway; then the helper
can as well speak to soffice directly.  ``office_uno.py`` runs under the system
``/usr/bin/python3`` (Debian's python3-uno; the virtual environment cannot import
``uno``) and is fed one JSON request per line.

Lifetime: the instance starts when a process first renders a document that needs
it (``prestart``, before the document's PDF, so that the two overlap), in the
build or in a batch's render worker — each forked worker gets its own, never the
parent's — with a
fresh profile in a temporary folder, and is stopped, profile removed, when that
process exits (``multiprocessing.util.Finalize`` runs in the workers too, where
``atexit`` does not).  ``soffice.bin`` is started directly, not through the
``soffice`` script, and asked by the kernel (PR_SET_PDEATHSIG) to die with us, so
a killed build leaves no LibreOffice behind.

Every request is bounded by ``MEETDOCS_OFFICE_TIMEOUT`` seconds (default 120): a
LibreOffice that hangs or dies is killed and the build fails with a SetupError
naming the document; nothing is published, so earlier outputs stay in place.
"""

from __future__ import annotations

import ctypes
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from multiprocessing import util
from pathlib import Path

from ..errors import SetupError

SOFFICE = Path("/usr/lib/libreoffice/program/soffice.bin")
SYSTEM_PYTHON = Path("/usr/bin/python3")
HELPER = Path(__file__).with_name("office_uno.py")
FONTCONFIG = Path(__file__).with_name("fonts.conf")
DEFAULT_TIMEOUT = 120.0
INSTALL = "apt-get install libreoffice-writer-nogui python3-uno"
# soffice.bin exits with 81 after creating a new profile and wants to be started
# again (the soffice script's oosplash does that restart for desktop users; we
# start soffice.bin itself, so that it can be asked to die with the build).
_RESTART = 81
_FIRST_START = 3.0  # seconds in which a first start on a new profile exits with 81
# Writes strict ODF 1.3, without LibreOffice's loext: extensions, so the ODT
# passes OASIS's schema; ``DefaultVersion`` 10 is ODF 1.3 in officecfg.
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Save/ODF"><prop oor:name="DefaultVersion"
 oor:op="fuse"><value>10</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun"
 oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""

_instance: Office | None = None


def timeout() -> float:
    value = os.environ.get("MEETDOCS_OFFICE_TIMEOUT", "")
    try:
        return float(value) if value else DEFAULT_TIMEOUT
    except ValueError:
        raise SetupError(f"MEETDOCS_OFFICE_TIMEOUT={value!r} is not a number of "
                         "seconds", "MEETDOCS_OFFICE_TIMEOUT=120") from None


def prestart() -> None:
    """Start this process's LibreOffice without waiting for it, so that it starts
    (about a second) while the build does other work, such as the PDF."""
    global _instance
    if _instance is not None and _instance.pid_owner == os.getpid() \
            and not _instance.alive():
        _instance.stop(force=True)  # died between two documents: start anew
    if _instance is None or _instance.pid_owner != os.getpid() or not _instance.alive():
        _instance = Office(timeout())
        util.Finalize(_instance, _instance.stop, exitpriority=10)


def request(shown, **fields) -> dict:
    """Send one request to this process's LibreOffice, starting it if needed."""
    global _instance
    prestart()
    try:
        return _instance.ask(fields, shown)
    except SetupError:
        _instance.stop(force=True)
        _instance = None
        raise


def shutdown() -> None:
    """Stop this process's LibreOffice now (the end of a build)."""
    global _instance
    if _instance is not None and _instance.pid_owner == os.getpid():
        _instance.stop()
    _instance = None


def _remove_abandoned() -> None:
    """Profiles left by a build that was killed (its soffice died with it): each
    folder is named after the process that made it, which no longer runs."""
    for folder in Path(tempfile.gettempdir()).glob("meetdocs-office-*-*"):
        pid = folder.name.split("-")[2]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)


def _die_with_parent():
    # PR_SET_PDEATHSIG (1): the kernel sends SIGKILL to soffice if we die first.
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


class Office:
    def __init__(self, seconds: float):
        for needed in (SOFFICE, SYSTEM_PYTHON):
            if not needed.exists():
                raise SetupError(f"LibreOffice is needed for ODT and the DOCX's "
                                 f"page numbers, and {needed} is missing", INSTALL)
        self.seconds, self.pid_owner = seconds, os.getpid()
        _remove_abandoned()
        self.folder = Path(tempfile.mkdtemp(prefix=f"meetdocs-office-{os.getpid()}-"))
        self.pipe = f"meetdocs-{os.getpid()}-{self.folder.name}"
        self.soffice = self.helper = None
        env = {**os.environ, "FONTCONFIG_FILE": str(FONTCONFIG)}
        try:
            self._start(env)
        except BaseException:
            self.stop(force=True)
            raise

    def _start(self, env: dict) -> None:
        profile = self.folder / "profile" / "user"
        profile.mkdir(parents=True)
        (profile / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
        self.env = env
        self.soffice = self._first_start()
        with open(self.folder / "helper.log", "wb") as log:
            self.helper = subprocess.Popen(
                # The helper tries to connect for longer than we wait for it, so
                # that a LibreOffice that never opens its pipe is reported as hung.
                [str(SYSTEM_PYTHON), str(HELPER), self.pipe, str(4 * self.seconds)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                env=env, preexec_fn=_die_with_parent)
        self.ready = False  # the helper's "ready" is read by the first ask()

    def _first_start(self):
        """Start soffice on the new profile.  It fills the profile and exits with
        81 to be started again (0.2 s, longer on a busy machine: then the exit is
        met while waiting for the helper, and soffice is started again there)."""
        first = self._soffice()
        try:
            code = first.wait(_FIRST_START)
        except subprocess.TimeoutExpired:
            self.restarted = False  # if it still exits with 81, _answer restarts it
            return first
        if code != _RESTART:
            raise SetupError(f"LibreOffice could not start (exit code {code})", INSTALL)
        self.restarted = True
        return self._soffice()

    def _soffice(self):
        command = [str(SOFFICE), "--headless", "--invisible", "--nologo",
                   "--norestore", "--nodefault", "--nolockcheck",
                   f"-env:UserInstallation={(self.folder / 'profile').as_uri()}",
                   f"--accept=pipe,name={self.pipe};urp;"]
        return subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=self.env, preexec_fn=_die_with_parent)

    def alive(self) -> bool:
        return all(p is not None and p.poll() is None for p in (self.soffice, self.helper))

    def ask(self, fields: dict, shown) -> dict:
        if not self.ready:
            self._answer("starting LibreOffice")
            self.ready = True
        self.helper.stdin.write((json.dumps(fields) + "\n").encode())
        self.helper.stdin.flush()
        answer = self._answer(f"converting {shown}")
        if "error" in answer:
            raise SetupError(f"{shown}: LibreOffice failed: {answer['error']}")
        return answer

    def _answer(self, doing: str) -> dict:
        deadline = time.monotonic() + self.seconds
        stream = self.helper.stdout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([stream], [], [], 0.1)
            if ready:
                line = stream.readline()
                if line:
                    return json.loads(line)
                break  # the helper is gone: LibreOffice crashed under it
            code = self.soffice.poll()
            if code == _RESTART and not self.restarted:  # a slow first start
                self.soffice, self.restarted = self._soffice(), True
            elif code is not None:
                break
        else:
            raise SetupError(f"LibreOffice hung while {doing}: no answer within "
                             f"{self.seconds:g} s, so it was stopped",
                             "MEETDOCS_OFFICE_TIMEOUT=<seconds> allows it longer")
        raise SetupError(f"LibreOffice stopped while {doing} (exit code "
                         f"{self.soffice.poll()}){self._helper_said()}",
                         "run the build again; " + INSTALL)

    def _helper_said(self) -> str:
        """The last line the UNO helper wrote to stderr (no uno module, ...)."""
        self.helper.poll()
        try:
            lines = (self.folder / "helper.log").read_text(errors="replace").split("\n")
        except OSError:
            return ""
        last = [line for line in lines if line.strip()][-1:]
        return f": {last[0].strip()}" if last else ""

    def stop(self, force: bool = False) -> None:
        """Ask LibreOffice to quit (the helper ends it on end of input), kill it if
        it does not within a few seconds or has failed already (``force``), and
        remove the profile."""
        if self.helper is not None:
            self.helper.stdin.close()
        for process in (self.helper, self.soffice):
            if process is None:
                continue
            try:
                process.wait(0 if force else 5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.helper is not None:
            self.helper.stdout.close()
        self.helper = self.soffice = None
        shutil.rmtree(self.folder, ignore_errors=True)
        # A killed soffice leaves its named pipe's socket behind.
        Path(f"/tmp/OSL_PIPE_{os.getuid()}_{self.pipe}").unlink(missing_ok=True)
