#!/usr/bin/env python3
"""Entry point, in the manner of ./gradlew or ./mach: prepares the machine on first
use, then hands over to the package.

1. System packages (fonts, HarfBuzz subsetting, Pango) via apt-get when missing; if
   it cannot install them (not root, no apt-get) it stops and prints the command.
2. A virtual environment in .venv/ with the pinned requirements.lock, remade when the
   lock file changes.
3. Re-runs itself inside that environment and calls meetdocs.cli.

Uses only the standard library: it runs under whatever Python 3.11+ the user has.
"""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".lock-sha256"
# Without libharfbuzz-subset0 WeasyPrint falls back to fontTools subsetting: a
# two-page Chinese article then takes ~25 s instead of ~2 s.  fonts-noto-core has
# Noto Serif and Noto Sans, the Latin faces of the English briefing.
# LibreOffice (writer, no GUI) and python3-uno (the uno module for the system
# Python that drives it) make the ODT and fill the DOCX's TOC page numbers.
SYSTEM_PACKAGES = ["fonts-noto-cjk", "fonts-cns11643-kai", "fonts-noto-core",
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
    if not missing:
        return
    command = "apt-get install -y --no-install-recommends " + " ".join(missing)
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        sys.exit(f"build.py: missing system packages: {' '.join(missing)}\n"
                 f"Run as root:  apt-get update && {command}")
    print(f"build.py: installing {' '.join(missing)} (apt-get)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(command.split() + ["-qq"], check=True, env=env)


def venv_python():
    return VENV / "bin" / "python"


def ensure_venv():
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if venv_python().exists() and STAMP.exists() and STAMP.read_text() == digest:
        return
    print("build.py: preparing .venv (first run or new requirements.lock)", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    pip = [str(venv_python()), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run(pip + ["-r", str(LOCK)], check=True)
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
