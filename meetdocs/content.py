"""Stage 1: read ``content/<id>/`` into a validated ``Meeting``.

Everything is read and checked before anything is rendered, and every problem of the
run is collected so that the user sees them all at once.  Only files inside the
project's ``content/`` folder are read: the meeting id is checked before it becomes
a path, and symlinks that lead out of the folder are refused.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

from . import files, limits, mdfix, schema, stamps, yamlread
from .errors import BuildError, Problem, Problems
from .model import Delegation, Document, Event, Meeting, Person, Priority, Term

MEETING_FIELDS = {
    "name": "text", "name_en": "text", "acronym": "text", "year": "int",
    "host_economy": "text", "host_economy_en": "text", "city": "text",
    "city_en": "text", "venue": "text?", "venue_en": "text?", "start": "date",
    "end": "date", "theme": "text?", "theme_en": "text?",
    "priorities": "list of priority?", "delegation": "delegation?",
    "calendar": "list of event?",
}
MEETING_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CONTROL_NAMES = {0x00: "NULL", 0x08: "BACKSPACE", 0x0B: "LINE TABULATION",
                  0x0C: "FORM FEED", 0x1B: "ESCAPE", 0x7F: "DELETE"}


def rel(path: Path, root: Path) -> Path:
    """The path as a user sees it in a message: relative to the project."""
    try:
        return path.relative_to(root)
    except ValueError:
        return path


def read_text(path: Path, shown: Path, roots=None) -> tuple[str, list[Problem]]:
    """Decode a content file as UTF-8 (a BOM and CRLF are accepted); never read
    more than ``limits.MAX_FILE_BYTES`` of it.  The file must lie under one of
    ``roots`` (by default its own folder) with no symbolic link on the way."""
    try:
        handle = files.open_inside(path, roots or [path.parent])
    except files.NotRegular:  # a FIFO or device named *.md would block or never end
        return "", [Problem(shown, None, "not a regular file", "a text file",
                            "a folder, device or pipe")]
    except files.Refused as exc:
        return "", [Problem(shown, None, f"refused: {exc}")]
    except OSError as exc:
        return "", [Problem(shown, None, "cannot be read", found=exc.strerror)]
    with os.fdopen(handle, "rb") as file:
        # The bytes hashed for the build's key, if they were (stamps.snapshot).
        data = stamps.read_through(path, file, limits.MAX_FILE_BYTES + 1)
        size = os.fstat(file.fileno()).st_size
    if len(data) > limits.MAX_FILE_BYTES:
        line = data[:limits.MAX_FILE_BYTES].count(b"\n") + 1
        return "", [Problem(shown, line, "the file passes the size limit on this "
                            "line; split it into several documents",
                            f"at most {limits.MAX_FILE_BYTES // 1024:,} KB",
                            f"{size / 2**20:.1f} MB")]
    return decode(data, shown)


def decode(data: bytes, shown) -> tuple[str, list[Problem]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "", [Problem(shown, None, "the file is in UTF-16; save it as UTF-8")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return "", [Problem(shown, line, "the file is not UTF-8 (Big5?); save it as "
                            "UTF-8", found=f"byte 0x{data[exc.start]:02X}")]
    text = text.replace("\r\n", "\n")
    return text, control_characters(text, shown)


def control_characters(text: str, shown: Path) -> list[Problem]:
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        for match in _CONTROL.finditer(line):
            code = f"U+{ord(match[0]):04X}"
            name = _CONTROL_NAMES.get(ord(match[0]), "control character")
            problems.append(Problem(shown, number, f"{code}: an invisible control "
                                    f"character ({name}) is in the text; delete it"))
    return problems


def meeting_folder(project: Path, meeting_id: str) -> Path:
    """Check the id before it touches the file system; suggest the closest known id."""
    content = project / "content"
    known = known_meetings(project)
    if not MEETING_ID.match(meeting_id):
        raise BuildError([Problem(meeting_id, None, "not a meeting id",
                                  "lower-case letters, digits and '-' (like som1-2026)",
                                  repr(meeting_id))])
    folder = content / meeting_id
    if meeting_id not in known:
        close = difflib.get_close_matches(meeting_id, known, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise BuildError([Problem(f"content/{meeting_id}", None,
                                  f"no such meeting{hint} Known: {', '.join(known)}")])
    if not folder.resolve().is_relative_to(content.resolve()):
        raise BuildError([Problem(f"content/{meeting_id}", None,
                                  "the meeting folder leads outside content/")])
    return folder


def known_meetings(project: Path) -> list[str]:
    content = project / "content"
    return sorted(p.name for p in content.iterdir()
                  if p.is_dir() and (p / "meeting.yaml").exists()
                  and MEETING_ID.match(p.name))


def inside(path: Path, folder: Path, project: Path) -> Problem | None:
    if path.resolve().is_relative_to(folder.resolve()):
        return None
    return Problem(rel(path, project), None, "this file is a link to a place outside "
                   "its meeting folder; copy the file in instead")


def load_yaml_file(path: Path, project: Path, fields: dict):
    """Read and check a YAML file; return (values, problems, line of each top-level
    key) — the lines serve checks made after conversion."""
    shown = rel(path, project)
    text, problems = read_text(path, shown)
    if problems:
        return {}, problems, {}
    data, problems = yamlread.load(text, shown)
    if data is None:
        return {}, problems, {}
    values, found = schema.check(data, fields, shown)
    return values, problems + found, getattr(data, "lines", {})


def load_meeting(project: Path, meeting_id: str, known: dict) -> Meeting:
    """``known``: the formats by name (``formats.discover``)."""
    folder = meeting_folder(project, meeting_id)
    problems = Problems()
    path = folder / "meeting.yaml"
    if (outside := inside(path, folder, project)):
        raise BuildError([outside])
    facts, found, lines = load_yaml_file(path, project, MEETING_FIELDS)
    problems.extend(found)
    glossary, found = load_glossary(project)
    problems.extend(found)
    documents, found = load_documents(folder, project, known)
    problems.extend(found)
    if facts.get("end") and facts.get("start") and facts["end"] < facts["start"]:
        problems.add(rel(path, project), lines.get("end"),
                     "the meeting ends before it starts",
                     "end on or after start", f"start {facts['start']}, end {facts['end']}")
    problems.extend(missing_requirements(documents, known, facts, project))
    problems.raise_if_any()
    documents, skipped = from_meeting_yaml(documents, known, facts, path)
    meeting = build_meeting(meeting_id, folder, facts, glossary, documents)
    meeting.skipped = skipped
    return meeting


def missing_requirements(documents, known, facts, project) -> list[Problem]:
    """A Markdown document whose format needs meeting facts that are not given."""
    problems = []
    for document in documents:
        missing = [f for f in known[document.format_name].requires if not facts.get(f)]
        if missing and facts:
            problems.append(Problem(rel(document.path, project), 1, f"the format "
                                    f"'{document.format_name}' needs meeting facts "
                                    "that meeting.yaml does not give",
                                    "in meeting.yaml: " + ", ".join(missing)))
    return problems


def from_meeting_yaml(documents, known, facts, path):
    """Formats that draw on meeting.yaml alone make a document for every meeting that
    gives the facts they need; the others are listed as skipped, with the reason."""
    skipped = []
    for fmt in known.values():
        if fmt.source != "meeting":
            continue
        missing = [f for f in fmt.requires if not facts.get(f)]
        if missing:
            skipped.append((fmt.name, "meeting.yaml has no " + ", ".join(missing)))
        else:
            documents.append(Document(path, fmt.name, {}, "", 1))
    return documents, skipped


def build_meeting(meeting_id, folder, facts, glossary, documents) -> Meeting:
    def person(p):
        return Person(p["name"], p["title"], p.get("role"))

    delegation = facts.get("delegation")
    return Meeting(
        id=meeting_id, folder=folder,
        **{k: facts.get(k) for k in MEETING_FIELDS
           if k not in ("priorities", "delegation", "calendar")},
        priorities=tuple(Priority(p["name"], p["name_en"], tuple(p.get("items", ())))
                         for p in facts.get("priorities", ())),
        delegation=delegation and Delegation(
            person(delegation["head"]),
            tuple(person(m) for m in delegation.get("members", ()))),
        calendar=tuple(Event(e["name"], e["acronym"], e["start"][0], e["city"],
                             e.get("end"), e["start"][1])
                       for e in facts.get("calendar", ())),
        glossary=tuple(glossary), documents=documents)


def load_glossary(project: Path) -> tuple[list[Term], list[Problem]]:
    path = project / "content" / "glossary.yaml"
    if not path.exists():
        return [], []
    text, problems = read_text(path, rel(path, project), [project / "content"])
    if problems:
        return [], problems
    data, problems = yamlread.load(text, rel(path, project))
    if problems:
        return [], problems
    checker = schema.Checker(rel(path, project))
    terms = checker.value(data, "list of term", "glossary", 1)
    return [Term(t["acronym"], t["en"], t["zh"], tuple(t.get("years", ())))
            for t in terms or ()], checker.problems


def load_documents(folder: Path, project: Path, known: dict):
    format_names = [n for n, f in known.items() if f.source == "markdown"]
    documents, problems = [], []
    for path in sorted(folder.glob("*.md")):
        shown = rel(path, project)
        if path.stem not in format_names:
            problems.append(Problem(shown, None, "no format of this name in templates/",
                                    "a file named after a format: " +
                                    ", ".join(f"{n}.md" for n in format_names)))
            continue
        if (outside := inside(path, folder, project)):
            problems.append(outside)
            continue
        document, found = read_document(path, shown)
        problems.extend(found)
        if document:
            documents.append(document)
    return documents, problems


def read_document(path: Path, shown: Path):
    text, problems = read_text(path, shown)
    if problems:
        return None, problems
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return None, [Problem(shown, 1, "the file must start with front matter",
                              "a first line '---'", repr(lines[0][:20]))]
    try:
        close = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return None, [Problem(shown, 1, "the front matter is not closed",
                              "a line '---' after the front matter", "end of file")]
    meta, problems = yamlread.load("\n".join(lines[1:close]), shown, line_offset=1)
    # Comments are the authors' notes to each other: gone before anything reads the body.
    body = mdfix.strip_comments("\n".join(lines[close + 1:]))
    return Document(path, path.stem, meta, body, close + 2), problems


def check_front_matter(document: Document, fields: dict, shown: Path):
    """The document's front matter against its format's ``front_matter`` types."""
    data = document.meta
    if not isinstance(data, yamlread.LineDict):
        data = yamlread.LineDict(data or {})
        data.line, data.lines, data.raw = 2, {}, {}
    return schema.check(data, fields, shown, line=2)
