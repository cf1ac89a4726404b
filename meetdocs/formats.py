"""Stage 3: formats are folders; a Jinja template turns the model into semantic HTML.

``templates/<name>/format.yaml`` says what a format produces.  Discovery is at run
time, so a new folder is a new format with no change to the package.  Jinja runs with
autoescape and StrictUndefined: content is data, never template source, and a missing
variable is an error that names the template file and line.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import schema, yamlread
from .content import read_text, rel
from .errors import BuildError, Problem, Problems
from .filters import FILTERS, zh_numeral

FORMAT_FIELDS = {"title": "text", "outputs": "list of text", "fonts": "list of text",
                 "template": "text?", "stylesheet": "text?", "reference": "text?",
                 "lang": "text?"}
_TYPE = re.compile(r"^(list of )?(text|date|int|person|month-or-date)\??$")


@dataclass
class Format:
    name: str
    folder: Path
    title: str
    outputs: tuple[str, ...]
    fonts: tuple[str, ...]
    front_matter: dict[str, str]
    template: str = "document.html.j2"
    stylesheet: str = "style.css"
    reference: str | None = None
    lang: str = "zh-Hant"
    settings: dict = field(default_factory=dict)

    @property
    def stylesheet_path(self) -> Path:
        return self.folder / self.stylesheet


def discover(project: Path, writers) -> dict[str, Format]:
    root = project / "templates"
    formats, problems = {}, Problems()
    for path in sorted(root.glob("*/format.yaml")):
        fmt, found = load_format(path, project, writers)
        problems.extend(found)
        if fmt:
            formats[fmt.name] = fmt
    problems.raise_if_any()
    return formats


def load_format(path: Path, project: Path, writers):
    shown = rel(path, project)
    text, problems = read_text(path, shown)
    data, found = yamlread.load(text, shown) if not problems else (None, [])
    problems += found
    if problems:
        return None, problems
    front = data.pop("front_matter", None) if isinstance(data, dict) else None
    values, problems = schema.check(data, FORMAT_FIELDS, shown)
    fields = check_front_matter_spec(front, shown, problems)
    for number, kind in enumerate(values.get("outputs", ())):
        if kind not in writers:
            problems.append(Problem(shown, data.lines["outputs"], f"unknown output "
                            f"'{kind}'", "one of " + ", ".join(sorted(writers))))
    if problems:
        return None, problems
    optional = {k: values[k] for k in ("template", "stylesheet", "reference", "lang")
                if k in values}
    return Format(path.parent.name, path.parent, values["title"], values["outputs"],
                  values["fonts"], fields, **optional), []


def check_front_matter_spec(front, shown, problems) -> dict[str, str]:
    if front is None:
        return {}
    if not isinstance(front, yamlread.LineDict):
        problems.append(Problem(shown, None, "'front_matter' is not valid",
                                "a set of keys: name: type"))
        return {}
    for key, typ in front.items():
        if not isinstance(typ, str) or not _TYPE.match(typ):
            problems.append(Problem(shown, front.lines[key], f"front_matter '{key}' has "
                                    "an unknown type", "text, date, int, person, "
                                    "list of ... (? = optional)", repr(typ)))
    return dict(front)


def environment(project: Path, fmt: Format) -> jinja2.Environment:
    # FileSystemLoader refuses names that climb out of its folders ("../../etc").
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([fmt.folder, project / "templates"]),
        autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(FILTERS)
    return env


def render(project: Path, fmt: Format, context: dict) -> str:
    env = environment(project, fmt)
    try:
        return env.get_template(fmt.template).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise BuildError([Problem(_template_path(exc.filename, project), exc.lineno,
                                  f"template syntax error: {exc.message}")]) from exc
    except jinja2.TemplateNotFound as exc:
        raise BuildError([Problem(rel(fmt.folder, project), None,
                                  f"template not found: {exc.name}")]) from exc
    except (jinja2.UndefinedError, TypeError, ValueError) as exc:
        path, line = _template_frame(exc, project)
        raise BuildError([Problem(path, line, f"template error: {exc}")]) from exc


def _template_path(filename, project: Path):
    return rel(Path(filename), project) if filename else "template"


def _template_frame(exc, project: Path):
    """Jinja rewrites tracebacks so that template frames carry the template's file."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".j2"):
            return _template_path(frame.filename, project), frame.lineno
    return "template", None


def markup(html: str) -> Markup:
    """HTML made by our Markdown stage (raw HTML already escaped) is safe to insert."""
    return Markup(html)


def heading_label(level: int, number: int) -> str:
    """The official 出國報告 hierarchy: 壹、 一、 （一） 1. （1）."""
    return {1: f"{zh_numeral(number, formal=True)}、", 2: f"{zh_numeral(number)}、",
            3: f"（{zh_numeral(number)}）", 4: f"{number}.", 5: f"（{number}）"
            }.get(level, "")


def outline(headings: list[dict]) -> list[dict]:
    """Headings with their number labels, for a table of contents.  The numbers
    match the CSS counters of the PDF and Word's numbering of Heading 1–5."""
    counters, entries = [0] * 7, []
    for heading in headings:
        level, label = heading["level"], ""
        if heading["numbered"]:
            counters[level] += 1
            counters[level + 1:] = [0] * (6 - level)
            label = heading_label(level, counters[level])
        entries.append({**heading, "label": label})
    return entries
