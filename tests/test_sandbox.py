"""Templates see plain data, and the sandbox allows only what docs/templates.md
lists: each hostile template of tests/data/invalid/hostile-templates/ is put into a
meeting's own templates, where content from someone else would put it, and must
stop the build with its file, line and reason."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from markupsafe import Markup

import audit
from conftest import DATA, PROJECT
from meetdocs import content, formats, markdown, pipeline, sandbox
from meetdocs.errors import BuildError
from meetdocs.pipeline import build_meeting
from meetdocs.writers import WRITERS
from readback import pdf_text

HOSTILE = DATA / "hostile-templates"
OVERRIDE = "content/minimal/templates/briefing/document.html.j2"
_EXPECT = re.compile(r"\{#- expect (\d+): (.*?) -#\}")


def hostile_cases():
    return sorted(path.name for path in HOSTILE.glob("*.j2"))


@pytest.fixture
def small_limits(monkeypatch):
    """The time and memory limits made small, so that the tests meet them fast."""
    monkeypatch.setattr(sandbox, "SECONDS", 1)
    monkeypatch.setattr(sandbox, "MEMORY", 256 * 2**20)


@pytest.mark.parametrize("case", hostile_cases())
def test_a_hostile_template_stops_at_its_file_and_line(project, case, small_limits):
    root = project(minimal=DATA / "valid" / "minimal")
    text = (HOSTILE / case).read_text(encoding="utf-8")
    line, expected = _EXPECT.match(text).groups()
    target = root / OVERRIDE
    target.parent.mkdir(parents=True)
    target.write_text(text, encoding="utf-8")
    with audit.recording() as (opened, connected), pytest.raises(BuildError) as caught:
        build_meeting(root, "minimal", root / "output")
    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{OVERRIDE}:{line}: "), problems[0]
    assert expected in problems[0]
    assert not (root / "output" / "minimal").exists()
    assert not list(root.rglob("*.pth")) and connected == []
    assert not set(opened) & set(audit.TARGETS)


def test_a_template_reads_what_the_guide_lists(project):
    root = project(minimal=DATA / "valid" / "minimal")
    target = root / OVERRIDE
    target.parent.mkdir(parents=True)
    shutil.copy(DATA / "valid" / "template-data" / "document.html.j2", target)
    outcome = build_meeting(root, "minimal", root / "output")
    text = pdf_text(next(p for p in outcome.files if p.name.endswith("-briefing.pdf")))
    lines = [line for line in text.splitlines() if "|" in line or "=" in line]
    assert "第二次資深官員會議|2026-5-11|2026-05-11|0" in lines
    assert "briefing|pdf|zh-Hant" in lines
    assert "10|1024|ababab|003.1|__x__|" in lines
    assert "a+b+c|True|x,y" in lines
    assert "a=1;b=2;v" in lines
    assert "1x2y3x!" in text and "開放:0" in text


@pytest.mark.parametrize("meeting_id", ["som1-2026", "fotc-urbanization-2019"])
def test_the_context_holds_plain_data_only(meeting_id):
    """Walk everything a template is given for the real meetings: no Path, no model
    object, nothing with methods of its own."""
    known = formats.discover(PROJECT, WRITERS)
    meeting = content.load_meeting(PROJECT, meeting_id, known)
    for document in meeting.documents:
        fmt = known[document.format_name]
        meta, _ = content.check_front_matter(document, fmt.front_matter, "x")
        converted = markdown.to_html(document, meeting.folder, "x")
        context = pipeline.context(meeting, meta, converted, fmt)
        assert set(leaf_types(context)) <= {str, Markup, int, float, bool, type(None),
                                            dt.date}
        assert "folder" not in context["meeting"] and "folder" not in context["format"]


def leaf_types(value):
    if type(value) in (dict, list):
        for item in value.values() if isinstance(value, dict) else value:
            yield from leaf_types(item)
    else:
        yield type(value)


def test_the_sandbox_refuses_every_attribute_not_on_its_list():
    env = sandbox.Sandbox()
    path = Path(".")
    assert not env.is_safe_attribute(path, "read_text", path.read_text)
    assert not env.is_safe_attribute("x", "format", "x".format)
    assert not env.is_safe_attribute({}, "update", {}.update)
    assert not env.is_safe_attribute([], "append", [].append)
    assert not env.is_safe_attribute(dt.date.today(), "replace", None)
    assert env.is_safe_attribute("x", "upper", "x".upper)
    assert env.is_safe_attribute(dt.date.today(), "year", 2026)
    assert not env.is_safe_callable(Path)
    assert not env.is_safe_callable(path.read_text)
    assert not env.is_safe_callable(open)
    assert env.is_safe_callable("x".upper)


def test_a_mapping_key_comes_before_a_method_of_the_same_name():
    env = sandbox.Sandbox()
    template = env.from_string("{{ p.items | join(',') }}|{{ p.get('x') }}")
    assert template.render(p={"items": ["a", "b"], "x": 1}) == "a,b|1"


def test_a_model_object_with_a_path_never_reaches_a_template(tmp_path):
    from meetdocs.model import Person

    with pytest.raises(TypeError, match="not template data: PosixPath"):
        formats.plain([tmp_path])
    assert formats.plain(Person("王", "司長")) == {"name": "王", "title": "司長",
                                                 "role": None}


def test_jinjas_own_helpers_keep_working_in_the_sandbox():
    env = sandbox.Sandbox()
    template = env.from_string(
        "{% set sep = joiner('/') %}{% set row = cycler('odd', 'even') %}"
        "{% for x in [1, 2, 3] %}{{ sep() }}{{ row.next() }}{% endfor %}|"
        "{% for item in tree recursive %}{{ item.name }}"
        "{% if item.children %}({{ loop(item.children) }}){% endif %}{% endfor %}|"
        "{% macro wrap() %}[{{ caller(1) }}]{% endmacro %}"
        "{% call(n) wrap() %}{{ n }}{% endcall %}|{% block b %}B{% endblock %}"
        "{{ self.b() }}|{{ dict(a=1).a }}|"
        "{% macro count() %}{{ varargs | length }}{% endmacro %}{{ count(1, 2) }}")
    tree = [{"name": "a", "children": [{"name": "b", "children": []}]}]
    assert template.render(tree=tree) == "odd/even/odd|a(b)|[1]|BB|1|2"
