"""``build.py list``: each meeting, its documents and formats, and what a build
would redo.  Uses the same input hashes as the build, so "up to date" here means
the build will skip it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import content, output, stamps
from .errors import BuildError


@dataclass
class MeetingStatus:
    meeting_id: str
    lines: list[str] = field(default_factory=list)


def meeting_status(project: Path, out_root: Path) -> list[MeetingStatus]:
    from .formats import discover
    from .writers import WRITERS

    known = discover(project, WRITERS)
    return [one_meeting(project, meeting_id, out_root, known)
            for meeting_id in content.known_meetings(project)]


def one_meeting(project: Path, meeting_id: str, out_root: Path, known) -> MeetingStatus:
    status = MeetingStatus(meeting_id)
    try:
        meeting = content.load_meeting(project, meeting_id, known)
    except BuildError as exc:
        status.lines.append(f"cannot build: {len(exc.problems)} problem(s), first: "
                            f"{exc.problems[0]}")
        return status
    live, manifest = output.current(out_root, meeting_id)
    for document in meeting.documents:
        fmt = known[document.format_name]
        source = content.rel(document.path, project)
        state = document_state(project, meeting.folder, document, fmt, live, manifest)
        status.lines.append(f"{fmt.name:<20} {', '.join(fmt.outputs):<10} {state:<12} "
                            f"from {source}")
    for name, reason in meeting.skipped:
        status.lines.append(f"{name:<20} {'':<10} {'skipped':<12} {reason}")
    return status


def document_state(project, folder, document, fmt, live, manifest) -> str:
    if fmt.name not in manifest.get("documents", {}):
        return "not built"
    key = stamps.document_key(project, folder, document.path, fmt)
    return "up to date" if output.built_from(live, manifest, fmt.name, key) \
        else "out of date"
