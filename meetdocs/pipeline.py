"""The build: content → model → HTML → {PDF, DOCX} → output/<id>/.

Every stage runs for every document before anything is written, so a problem
anywhere leaves the previous outputs exactly as they were.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import content, formats, markdown, output
from .errors import BuildError, Problems
from .writers import WRITERS, Job

_CHAPTER = re.compile(r"(?=<h1[\s>])")
_TAGS = re.compile(r"<[^>]+>")


def build_meeting(project: Path, meeting_id: str, out_root: Path) -> list[Path]:
    known = formats.discover(project, WRITERS)
    meeting = content.load_meeting(project, meeting_id, list(known))
    jobs = prepare(project, meeting, known)
    files = render_all(jobs, meeting_id)
    return output.publish(out_root / meeting_id, files)


def prepare(project: Path, meeting, known: dict) -> list[Job]:
    """Validate front matter, convert Markdown, fill templates: one Job per document."""
    problems, jobs = Problems(), []
    for document in meeting.documents:
        fmt = known[document.format_name]
        shown = content.rel(document.path, project)
        meta, found = content.check_front_matter(document, fmt.front_matter, shown)
        problems.extend(found)
        converted = markdown.to_html(document, meeting.folder, shown)
        problems.extend(converted.problems)
        if problems.items:
            continue
        html = formats.render(project, fmt, context(meeting, meta, converted, fmt))
        jobs.append(Job(project, meeting.folder, fmt, html, shown, document.body,
                        document.body_line, meta.get("title", "")))
    problems.raise_if_any()
    return jobs


def context(meeting, meta: dict, converted, fmt) -> dict:
    """What a template sees; documented in the README for template authors."""
    body_with_calls, notes = markdown.endnotes(converted.html)
    main, boxes = markdown.closing_boxes(body_with_calls)
    return {"meeting": meeting, "doc": meta, "body": formats.markup(converted.html),
            "chapters": chapters(converted.html), "format": fmt, "lang": fmt.lang,
            "outline": formats.outline(converted.headings),
            "body_with_note_calls": formats.markup(body_with_calls),
            "main_text": formats.markup(main), "closing_boxes": formats.markup(boxes),
            "notes": [formats.markup(note) for note in notes]}


def chapters(body: str) -> list[dict]:
    """The body cut at each ``<h1>``, so a template can place the 摘要 before the
    table of contents and the rest after it."""
    parts = [part for part in _CHAPTER.split(body) if part.strip()]
    return [{"title": _TAGS.sub("", part.split("</h1>")[0]).strip()
             if part.startswith("<h1") else "",
             "html": formats.markup(part)} for part in parts]


def render_all(jobs: list[Job], meeting_id: str) -> dict[str, bytes]:
    files, problems = {}, Problems()
    for job in jobs:
        for kind in job.fmt.outputs:
            try:
                files[f"{meeting_id}-{job.fmt.name}.{kind}"] = WRITERS[kind](job)
            except BuildError as exc:
                problems.extend(exc.problems)
    problems.raise_if_any()
    return files
