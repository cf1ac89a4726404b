"""build.py on a new Debian machine: python3-venv when venv cannot work, a command
a user who is not root can paste, the noise of apt-get and pip in a log file, and a
README that lists every package build.py installs."""

from __future__ import annotations

import importlib.util
import re
import subprocess

import pytest

from conftest import PROJECT


@pytest.fixture
def bootstrap(monkeypatch, tmp_path):
    spec = importlib.util.spec_from_file_location("bootstrap_build", PROJECT / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "LOG", tmp_path / ".install.log")
    return module


def test_the_command_for_a_user_who_is_not_root_runs_both_halves_as_root(bootstrap,
                                                                         monkeypatch):
    monkeypatch.setattr(bootstrap, "missing_packages", lambda names: ["chromium"])
    monkeypatch.setattr(bootstrap, "venv_ready", lambda: False)
    monkeypatch.setattr(bootstrap, "venv_works", lambda: False)
    monkeypatch.setattr(bootstrap.os, "geteuid", lambda: 1000)
    with pytest.raises(SystemExit) as stopped:
        bootstrap.install_system(["chromium"])
    command = "sudo sh -c 'apt-get update && apt-get install -y --no-install-recommends " \
              "chromium python3-venv'"
    assert command in str(stopped.value)
    # What it prints is a command the shell reads as one root shell running both.
    line = next(l.strip() for l in str(stopped.value).splitlines() if "sudo" in l)
    assert subprocess.run(["sh", "-n", "-c", line]).returncode == 0


def test_venv_is_known_to_work_here(bootstrap):
    assert bootstrap.venv_works()


def test_a_step_logs_its_output_and_prints_one_line(bootstrap, capfd):
    bootstrap.step("installing 2 system packages")
    bootstrap.logged(["sh", "-c", "for i in 1 2 3; do echo dpkg line $i; done"], "apt")
    out = capfd.readouterr().out
    assert out.count("\n") == 1 and "details in .install.log" in out
    assert "dpkg line 3" in bootstrap.LOG.read_text()


def test_a_failed_step_shows_the_end_of_the_log_without_a_traceback(bootstrap):
    with pytest.raises(SystemExit) as stopped:
        bootstrap.logged(["sh", "-c", "echo E: Unable to locate package x; exit 100"],
                         "apt-get install")
    message = str(stopped.value)
    assert "apt-get install failed (exit code 100)" in message
    assert "E: Unable to locate package x" in message


def test_the_readme_lists_every_package_build_py_installs(bootstrap):
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"`([a-z0-9][a-z0-9.+-]+)`", readme))
    wanted = {*bootstrap.SYSTEM_PACKAGES, *bootstrap.TEST_PACKAGES,
              bootstrap.VENV_PACKAGE}
    assert wanted <= listed, wanted - listed


def test_the_install_log_is_git_ignored():
    assert "/.install.log" in (PROJECT / ".gitignore").read_text().splitlines()
