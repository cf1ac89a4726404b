"""The build: content → model → HTML → {PDF, DOCX} → output/<id>/.

Every stage runs for every document before anything is written, so a problem
anywhere leaves the previous outputs exactly as they were.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from . import content, limits, output, stamps
from .errors import BuildError, Problems

# formats, markdown and the writers are imported where they are used: a build with
# nothing to do stops after hashing its inputs and should not pay ~0.3 s of imports.

OFFICE_KINDS = ("docx", "odt")
_CHAPTER = re.compile(r"(?=<h1[\s>])")
_TAGS = re.compile(r"<[^>]+>")
# A heading with a note call carries its text without the note (markdown.py).
_BOOKMARK = re.compile(r'^<h1[^>]*\sdata-bookmark="([^"]*)"')


@dataclass
class Plan:
    """What a build of one meeting will do, decided before anything is rendered."""

    meeting_id: str
    jobs: list = field(default_factory=list)          # documents to render
    kept: dict[str, Path] = field(default_factory=dict)  # unchanged outputs
    record: dict = field(default_factory=dict)        # input hashes for the manifest
    skipped: list[tuple[str, str]] = field(default_factory=list)
    up_to_date: bool = False
    seconds: dict[str, float] = field(default_factory=dict)  # last render, per format
    findings: list = field(default_factory=list)      # the reviews' (review.Finding)
    saved: Path | None = None  # a folder found at output/<id>, moved here


@dataclass
class Outcome:
    meeting_id: str
    written: list[Path]      # rendered by this build
    files: list[Path]        # every output the meeting now has
    skipped: list[tuple[str, str]]
    up_to_date: bool = False
    findings: list = field(default_factory=list)
    saved: Path | None = None  # a folder the build did not make, moved aside


def build_meeting(project: Path, meeting_id: str, out_root: Path,
                  force: bool = False, on_wait=None, strict: bool = False) -> Outcome:
    content.meeting_folder(project, meeting_id)  # the id is checked before it names a lock
    with output.locked(out_root, meeting_id, on_wait), stamps.snapshot():
        plan = plan_meeting(project, meeting_id, out_root, force, strict)
        return finish(out_root, plan, render_all(plan.jobs, meeting_id))


def plan_meeting(project: Path, meeting_id: str, out_root: Path, force: bool,
                 strict: bool = False) -> Plan:
    """Load, check and review the meeting; keep the documents whose inputs did not
    change.  ``strict``: the reviews' findings stop the build."""
    from . import review

    folder = content.meeting_folder(project, meeting_id)
    saved = set_aside(out_root, meeting_id)
    key = stamps.meeting_key(project, folder)
    live, manifest = output.current(out_root, meeting_id)
    if (not force and manifest.get("meeting_key") == key
            and output.intact(live, manifest.get("files", {}))):
        # Nothing to render: the findings are those of the build that rendered it.
        plan = Plan(meeting_id, kept={n: live / n for n in manifest["files"]},
                    skipped=[tuple(s) for s in manifest.get("skipped", [])],
                    up_to_date=True,
                    findings=review.from_records(manifest.get("findings", [])))
        return strictly(plan, strict)
    from . import formats
    from .writers import WRITERS

    known = formats.discover(project, WRITERS)
    meeting = content.load_meeting(project, meeting_id, known)
    reviews = review.review_meeting(project, meeting, known)
    plan = Plan(meeting_id, skipped=meeting.skipped, saved=saved,
                findings=[f for r in reviews.values() for f in r.findings])
    stale, documents = [], {}
    for document in meeting.documents:
        fmt = known[document.format_name]
        entry = {"key": stamps.document_key(project, folder, document.path, fmt),
                 "outputs": output_names(meeting_id, fmt)}
        documents[fmt.name] = entry
        before = manifest.get("documents", {}).get(fmt.name, {})
        if before.get("seconds"):
            entry["seconds"] = plan.seconds[fmt.name] = before["seconds"]
        if not force and output.built_from(live, manifest, fmt.name, entry["key"]):
            plan.kept.update({n: live / n for n in entry["outputs"]})
        else:
            stale.append(document)
    plan.jobs = prepare(project, meeting, known, stale,
                        {name: r.sheet for name, r in reviews.items()})
    plan.record = {"meeting_key": key, "documents": documents,
                   "skipped": [list(s) for s in meeting.skipped],
                   "findings": [f.as_record() for f in plan.findings]}
    return strictly(plan, strict)


def strictly(plan: Plan, strict: bool) -> Plan:
    """With ``--strict`` a finding is a problem: nothing is rendered or written."""
    from .review import warnings

    if strict and warnings(plan.findings):
        raise BuildError(warnings(plan.findings))
    return plan


def set_aside(out_root: Path, meeting_id: str) -> Path | None:
    try:
        return output.set_aside(out_root, meeting_id)
    except OSError as exc:
        raise output.disk_fault(exc, out_root) from exc


def output_names(meeting_id: str, fmt) -> list[str]:
    """The document's outputs, then the upload sheet's files if the format makes one."""
    from .review.metadata import sheet_names

    return ([f"{meeting_id}-{fmt.name}.{kind}" for kind in fmt.outputs]
            + sheet_names(meeting_id, fmt))


def finish(out_root: Path, plan: Plan, files: dict[str, bytes]) -> Outcome:
    folder = out_root / plan.meeting_id
    if plan.up_to_date:
        return Outcome(plan.meeting_id, [], sorted(plan.kept.values()), plan.skipped,
                       True, plan.findings)
    written = output.publish(out_root, plan.meeting_id, files, plan.kept, plan.record)
    everything = sorted(folder / name for name in [*files, *plan.kept])
    return Outcome(plan.meeting_id, written, everything, plan.skipped,
                   findings=plan.findings, saved=plan.saved)


def prepare(project: Path, meeting, known: dict, documents=None,
            sheets: dict | None = None) -> list:
    """Validate front matter, convert Markdown, fill templates: one Job per document.
    ``sheets``: the upload sheet's fields by format, from the review."""
    from . import formats, markdown
    from .writers import Job

    problems, jobs = Problems(), []
    for document in meeting.documents if documents is None else documents:
        fmt = known[document.format_name]
        shown = content.rel(document.path, project)
        meta, found = content.check_front_matter(document, fmt.front_matter, shown)
        converted = markdown.to_html(document, meeting.folder, shown)
        problems.extend(found + converted.problems)
        if found or converted.problems:
            continue
        try:  # each document's template problems, all in one run
            html = formats.render(project, fmt, context(meeting, meta, converted, fmt),
                                  meeting.folder)
        except BuildError as exc:
            problems.extend(exc.problems)
            continue
        jobs.append(Job(project, meeting.folder, fmt, html, shown, document.body,
                        document.body_line, meta.get("title", ""),
                        (sheets or {}).get(fmt.name)))
    problems.raise_if_any()
    return jobs


def render_html(project: Path, meeting_id: str) -> list:
    """Every document of the meeting as HTML, no writer run: for previews."""
    from . import formats
    from .writers import WRITERS

    known = formats.discover(project, WRITERS)
    meeting = content.load_meeting(project, meeting_id, known)
    return prepare(project, meeting, known)


def context(meeting, meta: dict, converted, fmt) -> dict:
    """What a template sees, as plain data only (formats.plain); documented in
    docs/templates.md for template authors."""
    from . import formats, markdown

    body_with_calls, notes = markdown.endnotes(converted.html)
    main, boxes = markdown.closing_boxes(body_with_calls)
    return formats.plain({"meeting": meeting, "doc": meta, "body": formats.markup(converted.html),
            "chapters": chapters(converted.html), "format": fmt, "lang": fmt.lang,
            "outline": formats.outline(converted.headings),
            "body_with_note_calls": formats.markup(body_with_calls),
            "main_text": formats.markup(main), "closing_boxes": formats.markup(boxes),
            "notes": [formats.markup(note) for note in notes]})


def chapters(body: str) -> list[dict]:
    """The body cut at each ``<h1>``, so a template can place the 摘要 before the
    table of contents and the rest after it."""
    from .formats import markup

    parts = [part for part in _CHAPTER.split(body) if part.strip()]
    return [{"title": _chapter_title(part) if part.startswith("<h1") else "",
             "html": markup(part)} for part in parts]


def _chapter_title(part: str) -> str:
    import html

    if (titled := _BOOKMARK.match(part)):
        return html.unescape(titled[1])
    return _TAGS.sub("", part.split("</h1>")[0]).strip()


def render_all(jobs: list, meeting_id: str) -> dict[str, bytes]:
    """In this process (the library's build_meeting); the CLI renders in workers."""
    from . import workers

    files, problems = {}, Problems()
    for job in jobs:
        try:
            with workers.time_limit(limits.TIME_LIMIT):
                files.update(render_job(job, meeting_id))
        except BuildError as exc:
            problems.extend(exc.problems)
        except workers.TimeLimit:
            problems.add(job.shown, None, f"took more than {limits.TIME_LIMIT:g} s "
                         "and was stopped (the time limit per document)")
    problems.raise_if_any()
    return files


def render_job(job, meeting_id: str) -> dict[str, bytes]:
    """Every output of one document (stage 4); a batch runs these in workers."""
    from . import officecheck
    from .writers import WRITERS, prepare

    files, problems = {}, Problems()
    prepare(job)
    # Office files last: LibreOffice, which they may need, starts meanwhile.
    for kind in sorted(job.fmt.outputs, key=lambda kind: kind in OFFICE_KINDS):
        name = f"{meeting_id}-{job.fmt.name}.{kind}"   # the sheet's names come after
        try:
            files[name] = WRITERS[kind](job)
        except BuildError as exc:
            problems.extend(exc.problems)
            continue
        if kind in OFFICE_KINDS:  # what we publish keeps the rules we read by
            problems.extend(officecheck.check(files[name], f"output {name}"))
    problems.raise_if_any()
    if job.sheet is not None:   # the upload sheet needs the report's pages and files
        from .review.metadata import sheet_files

        files.update(sheet_files(job, files, meeting_id))
    return files
