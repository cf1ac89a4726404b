"""The 出國報告 review: what the Executive Yuan's rules on post-trip reports ask of
the report, as restated in agency rules (Ministry of Economic Affairs, Kinmen
County, Taoyuan City, Taipei City).  Runs for formats with ``review: report: true``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from .finding import Finding
from .source import Heading, Source

# Each part of the body, and the headings agencies use for it.
PARTS = {
    "目的": ("目的", "出國目的", "會議目的", "計畫目的", "考察目的", "訪問目的",
             "研習目的"),
    "過程": ("過程", "會議過程", "出國過程", "考察過程", "訪問過程", "參訪過程",
             "研習過程", "實習過程", "經過", "會議經過", "考察經過", "訪問經過"),
    "心得及建議": ("心得及建議", "心得與建議", "心得及建議事項", "心得與建議事項",
                   "心得暨建議", "心得和建議"),
}
SUMMARY, APPENDIX = "摘要", ("附錄", "附件")
ORDER = ["摘要", "目的", "過程", "心得及建議", "附錄"]
# The cover of a 出國報告 and the front-matter fields of templates/delegation-report
# that fill it.
COVER = {"出國類別": ("category",), "服務機關": ("agency",), "姓名職稱": ("authors",),
         "派赴國家/地區": ("destination",), "出國期間": ("trip_start", "trip_end"),
         "報告日期": ("report_date",)}
DUE_MONTHS = 3   # the report is due within three months of the return date
_ITEM = re.compile(r"^(?:\d+[.、]|[-*+])\s+\S")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.\-]*")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def review(source: Source, meta: dict, lines: dict, settings: dict) -> list[Finding]:
    found = parts(source) + appendix(source) + suggestions(source, settings)
    found += summary(source, settings) + cover(source.path, meta, lines)
    return found + deadline(source.path, meta, lines)


def part_heading(source: Source, names) -> Heading | None:
    return next((h for h in source.headings if h.level == 1 and h.title in names), None)


def parts(source: Source) -> list[Finding]:
    """目的, 過程 and 心得及建議 are chapters (level-1 headings) of the body."""
    found = []
    for name, variants in PARTS.items():
        if part_heading(source, variants):
            continue
        found.append(Finding(source.path, insert_line(source, name),
                             f"the report has no chapter {name}",
                             "a heading '# " + "' or '# ".join(variants[:3]) + "'",
                             "none", rule="report-part",
                             fix=f"add a chapter '# {variants[0]}' here"))
    return found


def insert_line(source: Source, name: str) -> int:
    """Where a missing chapter belongs: before the first chapter that comes after
    it in the customary order, or at the end."""
    later = ORDER[ORDER.index(name) + 1:]
    for heading in source.headings:
        if heading.level == 1 and any(heading.title in names_of(p) for p in later):
            return heading.number
    return source.lines[-1].number if source.lines else 1


def names_of(part: str) -> tuple[str, ...]:
    return PARTS.get(part) or ((SUMMARY,) if part == SUMMARY else APPENDIX)


def appendix(source: Source) -> list[Finding]:
    if not source.images or part_heading(source, APPENDIX):
        return []
    line, target = source.images[0]
    return [Finding(source.path, line, "pictures go in an appendix",
                    "a chapter '# 附錄' holding the pictures", f"a picture ({target}) "
                    "and no 附錄", rule="report-appendix",
                    fix="add '# 附錄' at the end and move the pictures under it")]


def suggestions(source: Source, settings: dict) -> list[Finding]:
    chapter = part_heading(source, PARTS["心得及建議"])
    least = settings["min_suggestions"]
    if chapter is None or least == 0:
        return []
    part = next((h for h in source.subheadings(chapter, chapter.level + 1)
                 if "建議" in h.title), chapter)
    count = len(items(source, part))
    if count >= least:
        return []
    return [Finding(source.path, part.number, "建議 are to be concrete items",
                    f"at least {least} item{'s' * (least > 1)} (a heading "
                    f"'{'#' * (part.level + 1)} …' or a list item each)",
                    f"{count}", rule="report-suggestions",
                    fix="write each suggestion as its own heading or list item")]


def items(source: Source, part: Heading) -> list[int]:
    """Lines of the items under ``part``: headings one level down and top-level list
    items, leaving out a 心得 subsection when ``part`` is the whole chapter."""
    skip = {line.number for h in source.subheadings(part, part.level + 1)
            if "心得" in h.title and "建議" not in h.title for line in source.section(h)}
    heads = [h.number for h in source.subheadings(part, part.level + 1)
             if h.number not in skip and "心得" not in h.title]
    listed = [line.number for line in source.section(part)
              if line.number not in skip and _ITEM.match(line.raw)]
    return heads + listed


def summary(source: Source, settings: dict) -> list[Finding]:
    least, most = settings["summary_length"]
    heading = part_heading(source, (SUMMARY,))
    if heading is None:
        return [Finding(source.path, source.lines[0].number if source.lines else 1,
                        "the report has no 摘要", f"a chapter '# 摘要 {{.unnumbered}}' "
                        f"of {least}–{most} 字", "none", rule="report-summary",
                        fix="add the 摘要 as the first chapter")]
    count = word_count(" ".join(line.text for line in source.section(heading)))
    if least <= count <= most:
        return []
    return [Finding(source.path, heading.number, "the 摘要 is "
                    + ("too long" if count > most else "too short"),
                    f"{least}–{most} 字 (Chinese characters and marks, English words)",
                    f"{count} 字", rule="report-summary",
                    fix=f"{'shorten' if count > most else 'lengthen'} it by "
                    f"{count - most if count > most else least - count} 字")]


def word_count(text: str) -> int:
    """字數 as Word counts it: each Chinese character or full-width mark is one, each
    English word or number one."""
    return len(_CJK.findall(text)) + len(_WORD.findall(text))


def cover(path, meta: dict, lines: dict) -> list[Finding]:
    found = []
    for field, keys in COVER.items():
        missing = [k for k in keys if not meta.get(k)]
        if missing:
            found.append(Finding(path, lines.get(missing[0], 2), f"the cover lacks "
                                 f"{field}", "front matter " + ", ".join(keys),
                                 "nothing", rule="report-cover",
                                 fix=f"add '{missing[0]}:' to the front matter"))
    for number, person in enumerate(meta.get("authors") or (), start=1):
        if not person.get("title"):
            found.append(Finding(path, lines.get("authors", 2), f"the cover lacks "
                                 f"the title of author {number}", "姓名職稱",
                                 person.get("name"), rule="report-cover"))
    return found


def due_date(end: dt.date) -> dt.date:
    month = end.month - 1 + DUE_MONTHS
    year, month = end.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(end.day, calendar.monthrange(year, month)[1]))


def deadline(path, meta: dict, lines: dict) -> list[Finding]:
    end, dated = meta.get("trip_end"), meta.get("report_date")
    if not end or not dated:
        return []
    due, line = due_date(end), lines.get("report_date", 2)
    if dated > due:
        return [Finding(path, line, f"the report is {(dated - due).days} days late",
                        f"a report date by {due} (three months after the return on "
                        f"{end})", str(dated), rule="report-deadline",
                        fix=f"file by {due}, or explain the delay in the report")]
    if dated < end:
        return [Finding(path, line, "the report is dated before the trip ended",
                        f"a report date on or after {end}", str(dated),
                        rule="report-deadline", fix="correct report_date or trip_end")]
    return [Finding(path, line, f"due {due} (three months after the return on {end}); "
                    f"dated {(due - dated).days} days before it", rule="report-deadline",
                    note=True)]
