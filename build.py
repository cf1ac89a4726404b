#!/usr/bin/env python3
"""Entry point, in the manner of ./gradlew or ./mach: prepares the machine on first
use, then hands over to the package.

1. System packages (fonts, HarfBuzz subsetting, Pango, and python3-venv when
   ``python3 -m venv`` cannot work) via apt-get when missing; if it cannot install
   them (not root, no apt-get) it stops and prints the one command that does.
2. A virtual environment in .venv/ with the pinned requirements.lock, remade when the
   lock file changes.
3. Re-runs itself inside that environment and calls meetdocs.cli.

What apt-get and pip print goes to .install.log; the terminal gets one line per
step, and the log's last lines if a step fails.

Uses only the standard library: it runs under whatever Python 3.11+ the user has.
"""

import hashlib
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".lock-sha256"
LOG = ROOT / ".install.log"
# Debian's python3 comes without ensurepip, which `python3 -m venv` needs.
VENV_PACKAGE = "python3-venv"
# Without libharfbuzz-subset0 WeasyPrint falls back to fontTools subsetting: a
# two-page Chinese article then takes ~25 s instead of ~2 s.  fonts-noto-core has
# Noto Serif and Noto Sans, the Latin faces of the English briefing; fonts-texgyre
# has TeX Gyre Termes, the Latin face of the report's PDF, which fontconfig also
# gives LibreOffice for the DOCX's Times New Roman.
# LibreOffice (writer, no GUI) and python3-uno (the uno module for the system
# Python that drives it) make the ODT and fill the DOCX's TOC page numbers.
SYSTEM_PACKAGES = ["fonts-noto-cjk", "fonts-cns11643-kai", "fonts-noto-core", "fonts-texgyre",
                   "libharfbuzz-subset0", "libpango-1.0-0", "libpangoft2-1.0-0",
                   "fontconfig", "libreoffice-writer-nogui", "python3-uno"]
# The test suite reads the outputs back the way a checker does, checks the ODT
# against OASIS's RELAX NG schema with jing, drives the live preview (build.py
# serve) in headless Chromium, and watches a build with strace
# (tests/test_isolation.py).
TEST_PACKAGES = ["poppler-utils", "qpdf", "pandoc", "jing", "chromium", "strace"]


def missing_packages(names):
    if shutil.which("dpkg-query") is None:
        return []  # not Debian: the build's own font check reports what is missing
    # One query for all: every build starts here, so it must cost milliseconds.
    result = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Status}\n", *names],
                            capture_output=True, text=True)
    installed = {line.split()[0].split(":")[0] for line in result.stdout.splitlines()
                 if line.endswith("install ok installed")}
    return [name for name in names if name not in installed]


def install_system(names):
    missing = missing_packages(names)
    if not venv_ready() and not venv_works():
        missing.append(VENV_PACKAGE)
    if not missing:
        return
    command = ("apt-get update && apt-get install -y --no-install-recommends "
               + " ".join(missing))
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        run_as = "sudo sh -c " + shlex.quote(command) if os.geteuid() != 0 else command
        sys.exit(f"build.py: missing system packages: {' '.join(missing)}\n"
                 f"Install them with:\n  {run_as}\nthen run build.py again.")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    step(f"installing {len(missing)} system packages: {' '.join(missing)}")
    logged(["apt-get", "update"], "apt-get update", env)
    logged(["apt-get", "install", "-y", "--no-install-recommends", *missing],
           "apt-get install", env)


def venv_works() -> bool:
    """Whether ``python3 -m venv`` can make an environment with pip in it."""
    probe = subprocess.run([sys.executable, "-c", "import ensurepip, venv"],
                           capture_output=True)
    return probe.returncode == 0


def step(text: str) -> None:
    print(f"build.py: {text} (details in {LOG.name})", flush=True)


def logged(command: list[str], what: str, env=None) -> None:
    """Run ``command`` with its output in the log; on failure, stop with the log's
    last lines instead of a traceback."""
    with open(LOG, "a", encoding="utf-8") as log:
        log.write(f"\n$ {shlex.join(command)}\n")
        log.flush()
        try:
            result = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, env=env)
        except OSError as exc:
            sys.exit(f"build.py: {what} could not start: {exc}")
    if result.returncode != 0:
        tail = LOG.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
        sys.exit(f"build.py: {what} failed (exit code {result.returncode}); the end of "
                 f"{LOG.name}:\n  " + "\n  ".join(tail))


def venv_python():
    return VENV / "bin" / "python"


def venv_ready() -> bool:
    """.venv exists and was made from the current requirements.lock."""
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    return venv_python().exists() and STAMP.exists() and STAMP.read_text() == digest


def ensure_venv():
    if venv_ready():
        return
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    step("preparing .venv (first run or new requirements.lock)")
    logged([sys.executable, "-m", "venv", "--clear", str(VENV)], "python3 -m venv")
    pip = [str(venv_python()), "-m", "pip", "install", "--disable-pip-version-check"]
    count = sum(1 for line in LOCK.read_text().splitlines()
                if line.strip() and not line.startswith(("#", " ", "-")))
    step(f"installing {count} pinned Python packages into .venv (pip)")
    logged(pip + ["-r", str(LOCK)], "pip install")
    STAMP.write_text(digest)


def main():
    if sys.version_info < (3, 11):
        sys.exit("build.py: Python 3.11 or newer is needed")
    args = sys.argv[1:]
    if Path(sys.prefix).resolve() != VENV.resolve():
        install_system(SYSTEM_PACKAGES + (TEST_PACKAGES if args[:1] == ["test"] else []))
        ensure_venv()
        os.execv(str(venv_python()), [str(venv_python()), str(ROOT / "build.py"), *args])
    sys.path.insert(0, str(ROOT))
    from meetdocs.cli import main as cli_main
    sys.exit(cli_main(args))


if __name__ == "__main__":
    main()
