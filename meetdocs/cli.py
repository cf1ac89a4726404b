"""The command line: the only place that prints or exits.

    python build.py som1-2026 [more ids] [--debug]
    python build.py test [pytest args]
    python build.py reference            # remake templates/*/reference.docx
    python build.py placeholder FILE.png [LABEL]   # a placeholder photo
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .errors import BuildError, SetupError

PROJECT = Path(__file__).resolve().parent.parent


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="build.py", description=(
        "Build a meeting's documents from content/<id>/ into output/<id>/."))
    parser.add_argument("ids", nargs="+", metavar="ID", help="meeting id, e.g. som1-2026")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and "
                        "WeasyPrint's warnings")
    parser.add_argument("--output", type=Path, default=PROJECT / "output",
                        help="output folder (default: output/)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["test"]:
        return run_tests(argv[1:])
    if argv[:1] == ["reference"]:
        return make_references()
    if argv[:1] == ["placeholder"]:
        return make_placeholders(argv[1:])
    args = parse(argv)
    if args.debug:
        logging.basicConfig(level=logging.WARNING)
    try:
        failed = [meeting_id for meeting_id in args.ids if not build_one(meeting_id, args)]
    except KeyboardInterrupt:
        # Outputs are renamed into place only at the end, so nothing is half-written.
        print("\ninterrupted; the previous outputs are unchanged", file=sys.stderr)
        return 130
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def build_one(meeting_id: str, args) -> bool:
    from .pipeline import build_meeting

    try:
        written = build_meeting(PROJECT, meeting_id, args.output)
    except (BuildError, SetupError) as exc:
        if args.debug:
            raise
        report(meeting_id, exc)
        return False
    for path in written:
        if not path.name.startswith("manifest"):
            print(f"wrote {shown(path)} ({path.stat().st_size // 1024} KiB)")
    return True


def report(meeting_id: str, exc: Exception) -> None:
    if isinstance(exc, BuildError):
        count = len(exc.problems)
        print(f"{meeting_id}: {count} problem{'s' if count > 1 else ''}, nothing "
              "written:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
    else:
        print(f"{meeting_id}: cannot build on this machine: {exc}", file=sys.stderr)


def shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def run_tests(args: list[str]) -> int:
    import pytest

    return pytest.main(["-q", str(PROJECT / "tests"), *args])


def make_references() -> int:
    from .formats import discover
    from .reference import build_reference_docx
    from .writers import WRITERS

    for fmt in discover(PROJECT, WRITERS).values():
        if fmt.reference:
            build_reference_docx(fmt.folder / fmt.reference)
            print(f"wrote {shown(fmt.folder / fmt.reference)}")
    return 0


def make_placeholders(args: list[str]) -> int:
    from .placeholder import make_placeholder

    if not args or not args[0].endswith(".png"):
        print("usage: build.py placeholder FILE.png [LABEL]", file=sys.stderr)
        return 2
    make_placeholder(Path(args[0]), *args[1:2])
    print(f"wrote {args[0]}")
    return 0
