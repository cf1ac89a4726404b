"""The command line as a user meets it: messages, exit codes, no tracebacks."""

from __future__ import annotations

import subprocess
import sys

from conftest import PROJECT


def build(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PROJECT / "build.py"), *args],
                          capture_output=True, text=True, timeout=300)


def test_unknown_meeting_is_a_plain_message_and_exit_code_1():
    result = build("som1-2025")
    assert result.returncode == 1
    assert "content/som1-2025: no such meeting; did you mean 'som1-2026'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_path_as_id_is_refused():
    result = build("../../etc")
    assert result.returncode == 1
    assert "not a meeting id" in result.stderr
