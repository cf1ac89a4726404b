"""Stage 3: formats are folders; a Jinja template turns the model into semantic HTML.

``templates/<name>/format.yaml`` says what a format produces.  Discovery is at run
time, so a new folder is a new format with no change to the package.  Jinja runs with
autoescape and StrictUndefined: content is data, never template source, and a missing
variable is an error that names the template file and line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import traceback
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from jinja2.loaders import split_template_path
from markupsafe import Markup

from . import officecheck, schema, yamlread
from .content import read_text, rel
from .errors import BuildError, Problem, Problems
from .filters import FILTERS, zh_numeral
from .review import settings as review_settings
from .sandbox import MEMORY, Sandbox, TemplateLimit, limited

FORMAT_FIELDS = {"title": "text", "outputs": "list of text", "fonts": "list of text",
                 "template": "text?", "stylesheet": "text?", "reference": "text?",
                 "lang": "text?", "source": "text?", "requires": "list of text?",
                 "pages": "int?"}
# Where a format's document comes from: a Markdown file named after the format, or
# meeting.yaml alone (a one-pager needs no prose).
SOURCES = ("markdown", "meeting")
OPTIONAL = ("template", "stylesheet", "reference", "lang", "source", "requires", "pages")
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
    source: str = "markdown"
    requires: tuple[str, ...] = ()   # meeting.yaml fields the format cannot do without
    pages: int | None = None         # page budget of the PDF; over it the build fails
    settings: dict = field(default_factory=dict)   # format.yaml's review: (review/settings.py)

    def override_folders(self, meeting_folder: Path) -> list[Path]:
        """Where a meeting replaces single files of this format.  Only its own folder:
        with ``content/<id>/templates/`` itself on the path, the name
        "briefing/document.html.j2" would find the override that extends it."""
        return [meeting_folder / "templates" / self.name]

    def stylesheets(self, meeting_folder: Path | None = None) -> list[Path]:
        """The format's stylesheet, then a meeting's own ``style.css`` of the same
        name, which is added after it so that it needs only the rules that change."""
        sheets = [self.folder / self.stylesheet]
        if meeting_folder is not None:
            extra = meeting_folder / "templates" / self.name / self.stylesheet
            # lexists: a link, even a broken one, is there to be refused, not skipped
            sheets += [extra] if os.path.lexists(extra) else []
        return sheets

    def reference_path(self, meeting_folder: Path | None = None) -> Path | None:
        """The reference document a DOCX takes its styles from: the meeting's own
        if it has one, else the format's.  It is checked like content before any
        writer opens it (files.py, officecheck.py), so a refused one raises a
        ``BuildError`` here; a missing one is returned for the writer to report."""
        if not self.reference:
            return None
        path = self.folder / self.reference
        if meeting_folder is not None:
            own = meeting_folder / "templates" / self.name / self.reference
            path = own if os.path.lexists(own) else path
        if os.path.lexists(path):
            project = self.folder.parent.parent
            roots = [project / "templates", *([meeting_folder] if meeting_folder
                                              else [])]
            officecheck.require(path, roots, rel(path, project))
        return path


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
    text, problems = read_text(path, shown, [project / "templates"])
    data, found = yamlread.load(text, shown) if not problems else (None, [])
    problems += found
    if problems:
        return None, problems
    front = data.pop("front_matter", None) if isinstance(data, dict) else None
    review = data.pop("review", None) if isinstance(data, dict) else None
    values, problems = schema.check(data, FORMAT_FIELDS, shown)
    fields = check_front_matter_spec(front, shown, problems)
    problems += check_choices(values, data, shown, writers)
    settings, found = review_settings.check(review, shown, values.get("lang") or "zh-Hant")
    problems += found
    if problems:
        return None, problems
    optional = {k: values[k] for k in OPTIONAL if k in values}
    return Format(path.parent.name, path.parent, values["title"], values["outputs"],
                  values["fonts"], fields, settings=settings, **optional), []


def check_choices(values: dict, data, shown, writers) -> list[Problem]:
    """Values that must come from a fixed set: output kinds, sources, meeting fields."""
    from .content import MEETING_FIELDS

    choices = {"outputs": sorted(writers), "source": SOURCES,
               "requires": sorted(MEETING_FIELDS)}
    problems = []
    for key, allowed in choices.items():
        given = values.get(key, ())
        for value in [given] if isinstance(given, str) else given:
            if value not in allowed:
                problems.append(Problem(shown, data.lines[key], f"'{key}' has an "
                                        f"unknown value '{value}'",
                                        "one of " + ", ".join(allowed)))
    return problems


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


class TemplateProblems(Exception):
    """A template file that may not be read (a link, not UTF-8 ...), raised from
    inside Jinja so that an ``{% include %}`` of it stops the render."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


class ContentLoader(jinja2.FileSystemLoader):
    """Jinja's file loader, reading every template, include, import and parent
    through ``files``: inside the meeting folder or templates/, no link on the way.
    Jinja's own name check still refuses names that climb out ("../../etc")."""

    def __init__(self, searchpath, roots, project: Path):
        super().__init__(searchpath)
        self.roots, self.project = roots, project

    def get_source(self, environment, template):
        pieces = split_template_path(template)
        for folder in self.searchpath:
            filename = os.path.join(folder, *pieces)
            if not os.path.lexists(filename):
                continue
            path = Path(filename)
            text, problems = read_text(path, rel(path, self.project), self.roots)
            if problems:
                raise TemplateProblems(problems)
            mtime = os.lstat(filename).st_mtime
            return text, filename, lambda: _mtime(filename) == mtime
        raise jinja2.TemplateNotFound(template)


def _mtime(filename: str) -> float | None:
    try:
        return os.lstat(filename).st_mtime
    except OSError:
        return None


def environment(project: Path, fmt: Format, meeting_folder: Path | None = None):
    # A meeting's own templates/ come first: one file there replaces the format's.
    # Templates are written by people who are not programmers and, in a meeting's
    # own templates/, are content: the sandbox keeps them to data and filters
    # (sandbox.py), so "{{ cycler.__init__.__globals__.os }}" is an error instead
    # of a shell.
    own = fmt.override_folders(meeting_folder) if meeting_folder else []
    roots = [project / "templates", *([meeting_folder] if meeting_folder else [])]
    env = Sandbox(
        loader=ContentLoader([*own, fmt.folder, project / "templates"], roots, project),
        autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(FILTERS)
    return env


def render(project: Path, fmt: Format, context: dict,
           meeting_folder: Path | None = None) -> str:
    env = environment(project, fmt, meeting_folder)
    try:
        with limited():
            return env.get_template(fmt.template).render(**context)
    except TemplateProblems as exc:
        raise BuildError([*_included_at(exc, project), *exc.problems]) from exc
    except jinja2.TemplateSyntaxError as exc:
        raise BuildError([Problem(_template_path(exc.filename, project), exc.lineno,
                                  f"template syntax error: {exc.message}")]) from exc
    except jinja2.TemplateNotFound as exc:  # at the include or extends, if in one
        path, line = _template_frame(exc, project)
        raise BuildError([Problem(rel(fmt.folder, project) if line is None else path,
                                  line, f"template not found: {exc.name}")]) from exc
    except RecursionError as exc:
        raise BuildError([_recursion(exc, project)]) from exc
    except Exception as exc:  # a template is content: whatever it raises is its error
        path, line = _template_frame(exc, project)
        raise BuildError([Problem(path, line, _explain(exc))]) from exc


def _included_at(exc: TemplateProblems, project: Path) -> list[Problem]:
    """The ``{% include %}``, ``{% import %}`` or ``{% extends %}`` line that asked
    for a refused file, so the author finds the line to change as well as the file;
    nothing when the refused file is the document's own template."""
    path, line = _template_frame(exc, project)
    if line is None:
        return []
    names = ", ".join(str(problem.path) for problem in exc.problems)
    return [Problem(path, line, f"this line reads {names}, which may not be read "
                    "(the next message says why)")]


def _explain(exc: Exception) -> str:
    if isinstance(exc, TemplateLimit):
        return f"template stopped: {exc}"
    if isinstance(exc, MemoryError):
        return "template stopped: it needs more memory than the limit of " \
               f"{MEMORY // 1024 ** 3} GB"
    if isinstance(exc, OverflowError):
        return f"template stopped: a number too large ({exc})"
    return f"template error: {exc}"


def _recursion(exc: RecursionError, project: Path) -> Problem:
    """A macro that calls itself without end, or a template that extends or
    includes itself: told apart by Jinja's macro-call frames in the traceback."""
    frames = traceback.extract_tb(exc.__traceback__)
    macro = any(f.name == "_invoke" and f.filename.endswith("runtime.py")
                for f in frames)
    # The line that repeats most down the stack is the call that recurses.
    repeated = Counter((f.filename, f.lineno) for f in frames
                       if f.filename.endswith(".j2")).most_common(1)
    filename, line = repeated[0][0] if repeated else (None, None)
    path = _template_path(filename, project)
    if macro:
        return Problem(path, line, "a macro calls itself too deeply (without end?)")
    return Problem(path, line, "a template extends or includes itself")


def _template_path(filename, project: Path):
    return rel(Path(filename), project) if filename else "template"


def _template_frame(exc, project: Path):
    """Jinja rewrites tracebacks so that template frames carry the template's file."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".j2"):
            return _template_path(frame.filename, project), frame.lineno
    return "template", None


# Build bookkeeping of the model that is not a fact for a document.
_NOT_FOR_TEMPLATES = ("documents", "skipped")


def plain(value):
    """``value`` as template data: strings, numbers, dates, lists and dicts (and
    Markup the build made), all the way down.  A model object becomes a dict of its
    fields; a ``Path`` field (``meeting.folder``, ``format.folder``) is left out,
    since a path is a way to the file system, not a fact.  Anything else is a bug
    here, refused rather than handed to a template."""
    if value is None or isinstance(value, (Markup, bool, int, float, dt.date)):
        return value
    if isinstance(value, str):
        return str(value)  # a subclass of str may carry methods of its own
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name not in _NOT_FOR_TEMPLATES
                and not isinstance(getattr(value, f.name), Path)}
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    raise TypeError(f"not template data: {type(value).__name__}")


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
