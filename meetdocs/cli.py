"""The command line: the only place that prints or exits.

    python build.py som1-2026 [more ids] [--all] [--force] [--jobs N] [--debug]
    python build.py list                       # meetings, documents, what is out of date
    python build.py check ID [--all] [--strict]  # the reviews, without building
    python build.py new ID [--from ID]         # a new meeting folder, ready to build
    python build.py new-format NAME [--from FORMAT] [--meeting ID]
    python build.py serve ID [--port N]        # live HTML preview on localhost
    python build.py test [pytest args]
    python build.py reference                  # remake templates/*/reference.docx
    python build.py placeholder FILE.png [LABEL]
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .errors import BuildError, SetupError
from .limits import TIME_LIMIT
from .scaffold import RESERVED as VERBS

PROJECT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    verb = argv[0] if argv and argv[0] in VERBS else "build"
    handler = {"build": build, "list": list_meetings, "check": check, "new": new_meeting,
               "new-format": new_format, "serve": serve, "test": run_tests,
               "reference": make_references, "placeholder": make_placeholders}[verb]
    try:
        return handler(argv if verb == "build" else argv[1:])
    except KeyboardInterrupt:
        # Outputs are swapped into place whole at the end, so nothing is half-written.
        print("\ninterrupted; the previous outputs are unchanged", file=sys.stderr)
        return 130
    except (BuildError, SetupError) as exc:
        report("", exc)
        return 1


def parse_build(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="build.py", description=(
        "Build meetings' documents from content/<id>/ into output/<id>/. "
        f"Other commands: {', '.join(VERBS)}."))
    parser.add_argument("ids", nargs="*", metavar="ID", help="meeting id, e.g. som1-2026")
    parser.add_argument("--all", action="store_true", help="every meeting in content/")
    parser.add_argument("--force", action="store_true",
                        help="rebuild documents even if their inputs did not change")
    parser.add_argument("--jobs", type=positive(int), default=None, metavar="N",
                        help="render workers (default and most: one per core, and no "
                        "more than documents to render)")
    parser.add_argument("--time-limit", type=positive(float), default=None,
                        metavar="SECONDS", help="stop a document that takes longer "
                        "to render (default: %g)" % TIME_LIMIT)
    parser.add_argument("--debug", action="store_true", help="show tracebacks and "
                        "WeasyPrint's warnings")
    parser.add_argument("--strict", action="store_true", help="the reviews' findings "
                        "are errors: a meeting with any is not written")
    parser.add_argument("--output", type=Path, default=PROJECT / "output",
                        help="output folder (default: output/)")
    args = parser.parse_args(argv)
    if not args.ids and not args.all:
        parser.error("give a meeting id (e.g. som1-2026) or --all")
    return args


def positive(kind):
    """An argparse type: a number above zero, refused with a message otherwise."""
    def convert(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not value > 0 or value != value or value == float("inf"):
            raise argparse.ArgumentTypeError(f"expected a positive {kind.__name__}, "
                                             f"found {text!r}")
        return value
    convert.__name__ = kind.__name__
    return convert


def build(argv: list[str]) -> int:
    from .batch import Failure, build_many
    from .content import known_meetings

    args = parse_build(argv)
    if args.debug:
        logging.basicConfig(level=logging.WARNING)
    ids = known_meetings(PROJECT) if args.all else list(dict.fromkeys(args.ids))
    progress = Progress(len(ids))
    results = build_many(PROJECT, ids, args.output, args.force,
                         0 if args.debug else args.jobs, progress.event,
                         args.time_limit or TIME_LIMIT, args.strict)
    progress.close()
    failed = [r.meeting_id for r in results if isinstance(r, Failure)]
    for result in results:
        show_result(result, args.debug)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


class Progress:
    """One status line that rewrites itself on a terminal; nothing otherwise (the
    results are printed as plain lines at the end either way)."""

    def __init__(self, total: int):
        self.total, self.done, self.rendered = total, 0, 0
        self.live = sys.stderr.isatty() and total > 1

    def event(self, kind: str, meeting_id: str, detail) -> None:
        if kind == "wait":
            print(f"{meeting_id}: waiting for another build of it to finish",
                  file=sys.stderr, flush=True)
        self.done += kind in ("done", "failed")
        self.rendered += kind == "rendered"
        if self.live:
            print(f"\r\033[K[{self.done}/{self.total} meetings, {self.rendered} "
                  f"documents rendered] {meeting_id} {kind}", end="", file=sys.stderr,
                  flush=True)

    def close(self) -> None:
        if self.live:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


def show_result(result, debug: bool) -> None:
    from .batch import Failure

    if isinstance(result, Failure):
        report(result.meeting_id, result)
        if debug and result.trace:
            print(result.trace, file=sys.stderr)
        return
    if result.saved:
        print(f"{result.meeting_id}: {shown(result.saved.parent / result.meeting_id)} "
              "was a folder the build did not make; moved it, with everything in it, "
              f"to {shown(result.saved)}")
    show_findings(result.meeting_id, result.findings)
    for fmt, reason in result.skipped:
        print(f"{result.meeting_id}: no {fmt}: {reason}")
    if result.up_to_date:
        print(f"{result.meeting_id}: up to date ({len(result.files)} files; "
              "--force rebuilds)")
        return
    for path in result.written:
        print(f"wrote {shown(path)} ({path.stat().st_size // 1024} KiB)")
    kept = len(result.files) - len(result.written)
    if kept:
        print(f"{result.meeting_id}: {kept} unchanged file{'s' * (kept > 1)} kept")


def show_findings(meeting_id: str, findings, notes: bool = False) -> None:
    from .review import warnings

    shown = findings if notes else warnings(findings)
    count = len(warnings(findings))
    if count and not notes:
        print(f"{meeting_id}: {count} review finding{'s' * (count > 1)} (warnings; "
              "--strict makes them errors; build.py check lists them):", file=sys.stderr)
    for finding in shown:
        print(f"  {finding}" if not notes else str(finding),
              file=sys.stderr if not notes else sys.stdout)


def check(argv: list[str]) -> int:
    from .content import known_meetings
    from .review import check_meeting, warnings

    parser = argparse.ArgumentParser(prog="build.py check", description=(
        "Review meetings' documents against the 出國報告 and Chinese style rules "
        "(see README); nothing is built."))
    parser.add_argument("ids", nargs="*", metavar="ID")
    parser.add_argument("--all", action="store_true", help="every meeting in content/")
    parser.add_argument("--strict", action="store_true",
                        help="exit with 1 if there is any finding")
    args = parser.parse_args(argv)
    if not args.ids and not args.all:
        parser.error("give a meeting id (e.g. som1-2026) or --all")
    failed = found = 0
    for meeting_id in known_meetings(PROJECT) if args.all else dict.fromkeys(args.ids):
        try:
            findings = check_meeting(PROJECT, meeting_id)
        except BuildError as exc:
            report(meeting_id, exc)
            failed += 1
            continue
        show_findings(meeting_id, findings, notes=True)
        found += len(warnings(findings))
    print(f"{found} finding{'s' * (found != 1)}", file=sys.stderr)
    return 1 if failed or (args.strict and found) else 0


def report(meeting_id: str, exc) -> None:
    problems = getattr(exc, "problems", [])
    prefix = f"{meeting_id}: " if meeting_id else ""
    if problems:
        count = len(problems)
        print(f"{prefix}{count} problem{'s' if count > 1 else ''}, nothing written:",
              file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
    message = getattr(exc, "message", "") if not isinstance(exc, SetupError) else str(exc)
    if message:
        print(f"{prefix}cannot build: {message}", file=sys.stderr)


def shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def list_meetings(argv: list[str]) -> int:
    from .status import meeting_status

    out = PROJECT / "output"
    for status in meeting_status(PROJECT, out):
        print(f"{status.meeting_id}")
        for line in status.lines:
            print(f"  {line}")
    return 0


def new_meeting(argv: list[str]) -> int:
    from .scaffold import new_meeting as make

    parser = argparse.ArgumentParser(prog="build.py new", description=(
        "Make content/<id>/ with a meeting.yaml to fill in and a starter document "
        "for each format."))
    parser.add_argument("id")
    parser.add_argument("--from", dest="source", metavar="ID",
                        help="copy the facts and documents of this meeting instead")
    args = parser.parse_args(argv)
    for path in make(PROJECT, args.id, args.source):
        print(f"wrote {shown(path)}")
    print(f"next: edit content/{args.id}/meeting.yaml, then python3 build.py {args.id}")
    return 0


def new_format(argv: list[str]) -> int:
    from .scaffold import new_format as make

    parser = argparse.ArgumentParser(prog="build.py new-format", description=(
        "Make templates/<name>/, a format that builds at once; see docs/templates.md."))
    parser.add_argument("name")
    parser.add_argument("--from", dest="source", metavar="FORMAT",
                        help="start from a copy of this format (default: a small starter)")
    parser.add_argument("--meeting", metavar="ID",
                        help="also put the format's starter document into this meeting")
    args = parser.parse_args(argv)
    for path in make(PROJECT, args.name, args.source, args.meeting):
        print(f"wrote {shown(path)}")
    return 0


def serve(argv: list[str]) -> int:
    from .serve import run
    from .serve_worker import HTML_SECONDS

    parser = argparse.ArgumentParser(prog="build.py serve", description=(
        "Preview a meeting's documents as HTML on localhost; the page reloads when a "
        "content or template file is saved."))
    parser.add_argument("id")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--time-limit", type=_seconds, default=HTML_SECONDS,
                        metavar="SECONDS", help=(
                            "stop a render of the HTML that takes longer and show "
                            f"an error (default {HTML_SECONDS:g})"))
    args = parser.parse_args(argv)
    return run(PROJECT, args.id, args.port, lambda line: print(line, flush=True),
               args.time_limit)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds from "
                                         "0 to 3600")
    return value


def run_tests(argv: list[str]) -> int:
    import pytest

    return pytest.main(["-q", str(PROJECT / "tests"), *argv])


def make_references(argv: list[str]) -> int:
    from .formats import discover
    from .reference import build_reference_docx
    from .writers import WRITERS

    for fmt in discover(PROJECT, WRITERS).values():
        if fmt.reference:
            build_reference_docx(fmt.folder / fmt.reference)
            print(f"wrote {shown(fmt.folder / fmt.reference)}")
    return 0


def make_placeholders(argv: list[str]) -> int:
    from .placeholder import make_placeholder

    if not argv or not argv[0].endswith(".png"):
        print("usage: build.py placeholder FILE.png [LABEL]", file=sys.stderr)
        return 2
    make_placeholder(Path(argv[0]), *argv[1:2])
    print(f"wrote {argv[0]}")
    return 0
