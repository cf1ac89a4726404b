"""The reviews a document gets before it goes out (``build.py check``, and every
build): the 出國報告 rules, the Chinese style rules and the upload sheet's fields.

Findings are warnings: a build prints them and goes on, ``--strict`` makes them
stop the build, as MkDocs' strict mode does.  Which rules run is the format's choice
(``review:`` in its ``format.yaml``, see ``settings``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import metadata, report_rules, source, style_rules
from .finding import Finding, warnings

__all__ = ["Finding", "Review", "review_document", "warnings"]


@dataclass
class Review:
    findings: list[Finding] = field(default_factory=list)
    sheet: dict | None = None     # the upload sheet's fields, when the format makes one


def review_document(meeting, document, fmt, meta: dict, shown) -> Review:
    """``meta``: the front matter as converted by ``content.check_front_matter``."""
    settings = fmt.settings
    text = source.read(document.body, document.body_line, shown)
    lines = getattr(document.meta, "lines", {}) or {}
    result = Review()
    if settings.get("report"):
        result.findings += report_rules.review(text, meta, lines, settings)
    if settings.get("chinese"):
        kept = [t.zh for t in meeting.glossary] + list(meta.get("as_written") or ())
        result.findings += style_rules.review(text, list(meeting.glossary), meeting.year,
                                              kept, settings)
    if settings.get("sheet"):
        result.sheet, found = metadata.collect(text, meta, lines,
                                               document.body_line - 1)
        result.findings += found
    # In the order of the file, as a reader works through it.
    result.findings.sort(key=lambda f: f.line or 0)
    return result


def review_meeting(project, meeting, known: dict) -> dict[str, Review]:
    """Every Markdown document of a loaded meeting, by format name.  A document whose
    front matter has problems is left to the build, which reports them."""
    from .. import content

    reviews = {}
    for document in meeting.documents:
        fmt = known[document.format_name]
        if fmt.source != "markdown":
            continue
        shown = content.rel(document.path, project)
        meta, problems = content.check_front_matter(document, fmt.front_matter, shown)
        if not problems:
            reviews[fmt.name] = review_document(meeting, document, fmt, meta, shown)
    return reviews


def check_meeting(project, meeting_id: str) -> list[Finding]:
    """``build.py check ID``: the reviews without a build.  Content that would not
    build raises ``BuildError`` with its problems, as a build does."""
    from .. import content, formats
    from ..errors import BuildError, Problem
    from ..writers import WRITERS

    known = formats.discover(project, WRITERS)
    meeting = content.load_meeting(project, meeting_id, known)
    problems: list[Problem] = []
    for document in meeting.documents:
        fmt = known[document.format_name]
        if fmt.source == "markdown":
            shown = content.rel(document.path, project)
            problems += content.check_front_matter(document, fmt.front_matter, shown)[1]
    if problems:
        raise BuildError(problems)
    reviews = review_meeting(project, meeting, known)
    return [f for review in reviews.values() for f in review.findings]


def from_records(records: list[dict]) -> list[Finding]:
    """Findings kept in manifest.json by the build that rendered the documents."""
    return [Finding(r["path"], r["line"], r["message"], r.get("expected"),
                    r.get("found"), rule=r["rule"], fix=r.get("fix"),
                    note=r.get("note", False)) for r in records]
