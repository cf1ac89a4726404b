"""The metadata sheet for 公務出國報告資訊網, the government site where every 出國報告
is uploaded: what its form asks for, as JSON and as a one-page PDF to check against,
written beside the report (``<id>-<format>-sheet.json`` and ``-sheet.pdf``).

The review collects the fields from the content and reports those it lacks; the
page count and the files are known only after the report is rendered, so
``sheet_files`` completes the sheet in the render step (``pipeline.render_job``).
"""

from __future__ import annotations

import dataclasses
import json

from .finding import Finding
from .pdfpages import page_count
from .report_rules import SUMMARY, part_heading
from .source import Source

# Form field → the front-matter key it comes from (and what to add when it lacks).
FROM_FRONT_MATTER = {"計畫名稱": "plan", "出國類別": "category", "派赴國家": "destination",
                     "報告名稱": "title", "關鍵詞": "keywords"}
SHEET_TEMPLATE, SHEET_STYLE = "sheet.html.j2", "sheet.css"


def sheet_names(meeting_id: str, fmt) -> list[str]:
    if not fmt.settings.get("sheet"):
        return []
    return [f"{meeting_id}-{fmt.name}-sheet.json", f"{meeting_id}-{fmt.name}-sheet.pdf"]


def collect(source: Source, meta: dict, lines: dict, close_line: int):
    """(sheet data, findings for the fields the content lacks).  ``close_line``:
    the front matter's closing '---', where a missing key is to be added."""
    authors = [{"姓名": p.get("name"), "服務機關": meta.get("agency"),
                "職稱": p.get("title")} for p in meta.get("authors") or ()]
    start, end = meta.get("trip_start"), meta.get("trip_end")
    data = {field: meta.get(key) for field, key in FROM_FRONT_MATTER.items()}
    data.update({"出國人員": authors, "出國人數": len(authors),
                 "出國期間": {"起": start and start.isoformat(),
                             "迄": end and end.isoformat()},
                 "報告日期": meta.get("report_date") and meta["report_date"].isoformat(),
                 "摘要": summary_text(source), "附件": appendix_files(source)})
    data["關鍵詞"] = list(data["關鍵詞"] or [])
    return data, missing(source.path, data, lines, close_line)


def summary_text(source: Source) -> str | None:
    heading = part_heading(source, (SUMMARY,))
    if heading is None:
        return None
    paragraphs = [" ".join(line.text.strip() for line in run)
                  for run in source.paragraphs()
                  if run[0].number in {line.number for line in source.section(heading)}]
    return "\n".join(paragraphs) or None


def appendix_files(source: Source) -> list[str]:
    """The pictures of the appendix, uploaded with the report as its attachments."""
    heading = part_heading(source, ("附錄", "附件"))
    numbers = {line.number for line in source.section(heading)} if heading else set()
    return [target for line, target in source.images if line in numbers]


def missing(path, data: dict, lines: dict, close_line: int) -> list[Finding]:
    found = []
    for field, key in FROM_FRONT_MATTER.items():
        if not data.get(field):
            example = "[詞一, 詞二, 詞三]" if key == "keywords" else "…"
            found.append(Finding(path, lines.get(key, close_line), f"the upload sheet "
                                 f"(公務出國報告資訊網) lacks {field}",
                                 f"front matter '{key}'", "nothing",
                                 rule="sheet-field", fix=f"add '{key}: {example}'"))
    if not data["出國人員"]:
        found.append(Finding(path, lines.get("authors", close_line), "the upload sheet "
                             "lacks 出國人員", "front matter 'authors'", "nothing",
                             rule="sheet-field", fix="list the travellers in 'authors'"))
    if not data["摘要"]:
        found.append(Finding(path, close_line + 1, "the upload sheet lacks 摘要",
                             "a chapter '# 摘要'", "nothing", rule="sheet-field",
                             fix="add the 摘要 as the first chapter"))
    return found


def sheet_files(job, files: dict[str, bytes], meeting_id: str) -> dict[str, bytes]:
    """The sheet completed with the page count and the files, as JSON and PDF."""
    from .. import formats
    from ..writers import WRITERS

    pdf = files.get(f"{meeting_id}-{job.fmt.name}.pdf")
    data = dict(job.sheet, 頁數=page_count(pdf) if pdf else None,
                報告檔案=sorted(name for name in files))
    names = sheet_names(meeting_id, job.fmt)
    fmt = dataclasses.replace(job.fmt, template=SHEET_TEMPLATE, stylesheet=SHEET_STYLE,
                              pages=1)
    context = {"sheet": data, "lang": fmt.lang, "format": {"name": fmt.name},
               "summary": (data["摘要"] or "").split("\n")}  # its paragraphs
    html = formats.render(job.project, fmt, context, job.folder)
    page = WRITERS["pdf"](dataclasses.replace(job, fmt=fmt, html=html, sheet=None))
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return {names[0]: text.encode("utf-8"), names[1]: page}
