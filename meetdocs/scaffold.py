"""``build.py new`` and ``build.py new-format``: folders that build at once.

A new meeting gets a ``meeting.yaml`` whose every field is filled with something
valid to overwrite, and one starter document per format that has a ``new.md`` in its
folder (Hugo's archetypes).  A new format is a copy of an existing one or of the
starter in ``meetdocs/starter/``, with its own ``reference.docx``.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from .content import MEETING_ID, known_meetings
from .errors import BuildError, Problem

STARTER = Path(__file__).resolve().parent / "starter"
# Words build.py reads as commands, so they cannot name a meeting or a format.
RESERVED = ("list", "check", "new", "new-format", "serve", "test", "reference", "placeholder")

MEETING_YAML = """\
# The facts of the meeting, written once for every document (see README, Writing
# content).  Replace each value; dates are YYYY-MM-DD.
name: 第一次資深官員會議
name_en: The First APEC Senior Officials' Meeting
acronym: SOM1
year: {year}
host_economy: 主辦經濟體
host_economy_en: Host Economy
city: 城市
city_en: City
venue: 會場名稱
venue_en: Venue
start: {today}
end: {today}
theme: 年度主題
theme_en: Theme of the Year
priorities:
  - name: 優先領域
    name_en: Priority
    items:
      - 第一項工作
delegation:
  head:
    name: 姓名
    title: 職稱
    role: 資深官員
calendar:
  - name: 第一次資深官員會議
    acronym: SOM1
    start: {today}
    city: 城市
"""


def new_meeting(project: Path, meeting_id: str, source: str | None = None,
                today: dt.date | None = None) -> list[Path]:
    folder = project / "content" / meeting_id
    check_name(meeting_id, "meeting id", folder)
    if source:
        if source not in known_meetings(project):
            raise BuildError([Problem(f"content/{source}", None, "no such meeting to "
                                      "copy", "one of " + ", ".join(known_meetings(project)))])
        shutil.copytree(project / "content" / source, folder, symlinks=True)
        return sorted(p for p in folder.rglob("*") if p.is_file())
    today = today or dt.date.today()
    folder.mkdir(parents=True)
    written = [folder / "meeting.yaml"]
    written[0].write_text(MEETING_YAML.format(year=today.year, today=today.isoformat()),
                          encoding="utf-8")
    for starter in sorted((project / "templates").glob("*/new.md")):
        target = folder / f"{starter.parent.name}.md"
        shutil.copyfile(starter, target)
        written.append(target)
    return written


def new_format(project: Path, name: str, source: str | None = None,
               meeting: str | None = None) -> list[Path]:
    folder = project / "templates" / name
    check_name(name, "format name", folder)
    origin = project / "templates" / source if source else STARTER
    if source and not (origin / "format.yaml").is_file():
        raise BuildError([Problem(f"templates/{source}", None, "no such format to copy")])
    if meeting and meeting not in known_meetings(project):
        raise BuildError([Problem(f"content/{meeting}", None, "no such meeting")])
    shutil.copytree(origin, folder, ignore=shutil.ignore_patterns("__pycache__"))
    retitle(folder, name, source or "NAME")
    if not source:
        from .reference import build_reference_docx
        build_reference_docx(folder / "reference.docx")
    written = sorted(p for p in folder.rglob("*") if p.is_file())
    if meeting and (folder / "new.md").is_file():
        target = project / "content" / meeting / f"{name}.md"
        if not target.exists():
            shutil.copyfile(folder / "new.md", target)
            written.append(target)
    return written


def retitle(folder: Path, name: str, old: str) -> None:
    """The copy names itself: its title and the comments that named the original."""
    for path in (folder / "format.yaml", folder / "document.html.j2", folder / "style.css"):
        if path.is_file():
            text = path.read_text(encoding="utf-8").replace("NAME", name)
            if path.name == "format.yaml":
                text = re.sub(r"^title: .*$", f"title: {name}", text, count=1, flags=re.M)
            path.write_text(text, encoding="utf-8")


def check_name(name: str, what: str, folder: Path) -> None:
    if not MEETING_ID.match(name) or name in RESERVED:
        raise BuildError([Problem(name, None, f"not a usable {what}",
                                  "lower-case letters, digits and '-', not one of "
                                  + ", ".join(RESERVED), repr(name))])
    if folder.exists():
        raise BuildError([Problem(folder.relative_to(folder.parents[1]), None,
                                  "already exists; choose another name")])
