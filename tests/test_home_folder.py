"""The tests leave the user's home folder alone.  Programs the tests start keep
per-user files there whatever their command line says: Chromium its crash database
(~/.config/chromium, even with --user-data-dir), GSettings its dconf cache
(~/.cache/dconf).  conftest gives the whole session a throw-away home."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import PROJECT

# A test that drives Chromium, one that runs LibreOffice, one that runs build.py.
WRITERS_TO_HOME = [
    "tests/test_serve.py::test_a_saved_stylesheet_restyles_the_open_page",
    "tests/test_reference.py::test_libreoffice_opens_reference",
    "tests/test_cli.py",
]


def test_the_tests_write_nothing_into_the_home_folder(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("XDG_") and name != "GSETTINGS_BACKEND"}
    env["HOME"] = str(home)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "--basetemp", str(tmp_path / "inner"), *WRITERS_TO_HOME],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:]
    assert sorted(str(path.relative_to(home)) for path in home.rglob("*")) == []
