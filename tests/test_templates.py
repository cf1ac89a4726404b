"""Template errors name the template file and line; includes cannot climb out."""

from __future__ import annotations

import pytest

from conftest import DATA
from meetdocs.errors import BuildError
from meetdocs.pipeline import build_meeting


def replace_in(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_undefined_variable_names_the_template_and_line(project):
    root = project(minimal=DATA / "valid" / "minimal")
    template = root / "templates" / "briefing" / "document.html.j2"
    replace_in(template, "{{ doc.title }}</h1>", "{{ doc.titel }}</h1>")
    with pytest.raises(BuildError, match=r"templates/briefing/document.html.j2:1[0-9]: "
                                         r"template error: .*'titel'"):
        build_meeting(root, "minimal", root / "output")


def test_an_include_cannot_leave_the_templates_folder(project):
    root = project(minimal=DATA / "valid" / "minimal")
    template = root / "templates" / "briefing" / "document.html.j2"
    replace_in(template, "{% block content %}", '{% block content %}{% include "../../etc/passwd" %}')
    with pytest.raises(BuildError, match=r"template not found: \.\./\.\./etc/passwd"):
        build_meeting(root, "minimal", root / "output")


def test_format_yaml_is_validated_with_file_and_line(project):
    root = project(minimal=DATA / "valid" / "minimal")
    replace_in(root / "templates" / "briefing" / "format.yaml", "outputs: [pdf]",
               "outputs: [pdf, epub]")
    with pytest.raises(BuildError, match=r"templates/briefing/format.yaml:3: 'outputs' "
                                         r"has an unknown value 'epub'; expected one "
                                         r"of docx, odt, pdf"):
        build_meeting(root, "minimal", root / "output")
