#!/usr/bin/env python3
"""Typography measurements on the laid-out pages of every PDF (issue 15).

    .venv/bin/python scripts/typography.py [--project DIR] [--times N] [MEETING ...]

For every PDF document of the meetings (all by default), rendered through the
project's own pipeline, it reads WeasyPrint's line boxes and reports:

- raggedness: for every line but the last of a paragraph of two lines or more, how
  far its last glyph ends from the right edge of its column (pt): lines > 0.5 pt
  short, the largest gap, the mean; and of the justified lines, how many end off
  the edge, and how many the justification left short (``left_short``: a line
  with no justification opportunity at all, one unbreakable Latin word, see
  meetdocs/writers/justify.py);
- spacing: of the justified lines, the widest spacing given to a CJK character and
  to a space or CJK–Latin seam (em), and how many lines needed more than
  justify.CJK_MAX_EM per CJK character (the slack that spaces and seams could not
  take up to justify.LATIN_LINE_MAX_EM, shared by all);
- runts: paragraphs whose last line holds one character, or one and punctuation;
- pages, and the share of the last page's height that its content uses;
- with --times N, the render time of each briefing (median of N renders, wall
  and CPU time of this process).

It is a measurement, not a test (tests/test_justify.py asserts on the same boxes).
``--project`` measures another checkout (e.g. a worktree of main) with this
checkout's .venv, to compare before and after.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import unicodedata
from pathlib import Path

PT = 0.75  # CSS px → pt
CJK = None  # the CJK characters that make a line Chinese, compiled on first use
VERBOSE = False


def rendered(project: Path, meeting: str):
    """(job, WeasyPrint document) for each PDF output of the meeting."""
    for job, document, _ in rendered_pdfs(project, meeting):
        yield job, document


def rendered_pdfs(project: Path, meeting: str):
    """(job, WeasyPrint document, PDF bytes) for each PDF output of the meeting."""
    from meetdocs.pipeline import render_html
    from meetdocs.writers import pdf

    # The document the writer keeps (it may render twice, pdf.closing_box_alone)
    # is the one whose page budget it checks.
    captured, original = [], pdf.check_budget

    def check_budget(job, document):
        captured.append(document)
        return original(job, document)

    pdf.check_budget = check_budget
    try:
        for job in render_html(project, meeting):
            if "pdf" in job.fmt.outputs:
                data = pdf.write(job)
                yield job, captured.pop(), data
    finally:
        pdf.check_budget = original


def _load_cjk():
    global CJK
    if CJK is None:
        import re
        CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff01-\uff60]")


def paragraphs(document):
    """{block element: [(block box, line box), ...]} in reading order, across pages."""
    from weasyprint.formatting_structure import boxes

    found: dict = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            if isinstance(box, boxes.BlockContainerBox) and box.children and \
                    isinstance(box.children[0], boxes.LineBox):
                key = (id(box.element), box.element_tag, type(box).__name__)
                found.setdefault(key, []).extend((box, line) for line in box.children)
    return found


def line_end(line) -> float | None:
    """x of the right end of the last thing drawn on the line (CSS px)."""
    from weasyprint.formatting_structure import boxes

    ends = [box.position_x + box.margin_width() for box in line.descendants()
            if isinstance(box, (boxes.TextBox, boxes.AtomicInlineLevelBox)) and
            not isinstance(box, boxes.InlineBox)]
    return max(ends, default=None)


def line_text(line) -> str:
    from weasyprint.formatting_structure import boxes

    return "".join(box.text for box in line.descendants() if isinstance(box, boxes.TextBox))


def spacing_em(line) -> tuple[float, float]:
    """(widest spacing of a CJK character, of a space or seam) on the line, in em
    of the line's font size, as the justification set them on its text boxes."""
    from weasyprint.formatting_structure import boxes

    size = line.style["font_size"]
    texts = [box for box in line.descendants() if isinstance(box, boxes.TextBox)]
    cjk = [getattr(getattr(box, "pango_layout", None), "cjk_justification_spacing", 0)
           for box in texts if CJK.search(box.text)]
    return max(cjk, default=0) / size, max((box.justification_spacing for box in texts),
                                           default=0) / size


def is_runt(text: str) -> bool:
    """One character, or one and punctuation, on a paragraph's last line."""
    kept = [c for c in text.strip() if not unicodedata.category(c).startswith(("P", "Z"))]
    return len(kept) <= 1


def measure(document) -> dict:
    _load_cjk()
    gaps, justified, runts, overflow, latin, spread = [], [], [], 0, 0, []
    for lines in paragraphs(document).values():
        if len(lines) < 2:
            continue
        for block, line in lines[:-1]:
            end = line_end(line)
            if end is None or block.style["text_align_all"] in ("center", "right", "end"):
                continue
            gap = (block.content_box_x() + block.width - end) * PT
            overflow += gap < -0.5
            gaps.append(max(gap, 0))
            if block.style["text_align_all"] == "justify":
                if getattr(line, "left_short", False):
                    latin += abs(gap) > 0.5  # nothing to widen (justify.py)
                    if VERBOSE and abs(gap) > 0.5:
                        print(f"   left short {gap:6.1f} pt: {line_text(line)!r}")
                    continue
                justified.append(gap)
                spread.append(spacing_em(line))
                if (spread[-1][0] > 0.0901 or spread[-1][1] > 0.5001) and VERBOSE:
                    print(f"   spread {spread[-1][0]:.2f}/{spread[-1][1]:.2f} em: {line_text(line)!r}")
                if abs(gap) > 0.5 and VERBOSE:
                    print(f"   ragged {gap:6.1f} pt: {line_text(line)!r}")
        text = line_text(lines[-1][1])
        if text.strip() and is_runt(text):
            runts.append(line_text(lines[-2][1])[-6:] + "|" + text.strip())
    return {"lines": len(gaps), "ragged": sum(g > 0.5 for g in gaps),
            "max_gap": max(gaps, default=0), "mean_gap": statistics.fmean(gaps or [0]),
            "overflow": overflow, "runts": runts,
            "justified": len(justified), "off": sum(abs(g) > 0.5 for g in justified),
            "latin_short": latin, "pages": len(document.pages),
            "last_fill": last_fill(document),
            "cjk_em": max((c for c, _ in spread), default=0),
            "space_em": max((w for _, w in spread), default=0),
            "past_cap": sum(c > 0.0901 for c, _ in spread)}


def last_fill(document) -> float:
    """The share of the last page's height its content uses (pdf._used_height)."""
    from meetdocs.writers import pdf

    page = document.pages[-1]
    return pdf._used_height(page, set()) / page._page_box.height


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("meetings", nargs="*")
    parser.add_argument("--project", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--times", type=int, default=0)
    parser.add_argument("--verbose", action="store_true", help="print each line off the edge")
    args = parser.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    project = args.project.resolve()
    sys.path.insert(0, str(project))
    _load_cjk()
    meetings = args.meetings or sorted(p.parent.name for p in (project / "content").glob("*/meeting.yaml"))
    total = {"lines": 0, "ragged": 0, "runts": 0, "off": 0, "latin_short": 0, "past_cap": 0}
    for meeting in meetings:
        for job, document in rendered(project, meeting):
            m = measure(document)
            total = {k: total[k] + (len(m[k]) if k == "runts" else m[k]) for k in total}
            print(f"{meeting:24} {job.fmt.name:18} lines {m['lines']:4}  >0.5pt {m['ragged']:4}"
                  f"  max {m['max_gap']:5.1f} pt  mean {m['mean_gap']:4.2f} pt"
                  f"  justified {m['justified']} off>0.5pt {m['off']} left short {m['latin_short']}"
                  f"  widest CJK {m['cjk_em']:.3f} em space/seam {m['space_em']:.2f} em"
                  f" past CJK cap {m['past_cap']}"
                  f"  overflow {m['overflow']}  pages {m['pages']} last {m['last_fill']:.0%}"
                  f"  runts {len(m['runts'])} {' '.join(m['runts'])}")
    print("total", total)
    if args.times:
        times(project, meetings, args.times)


def times(project: Path, meetings: list[str], runs: int) -> None:
    from meetdocs.pipeline import render_html
    from meetdocs.writers import pdf

    for meeting in meetings:
        for job in render_html(project, meeting):
            if job.fmt.name != "briefing":
                continue
            pdf.write(job)  # warm: fonts, caches
            seconds, cpu = [], []
            for _ in range(runs):
                start, start_cpu = time.perf_counter(), time.process_time()
                pdf.write(job)
                seconds.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            print(f"{meeting:24} briefing render median of {runs}: "
                  f"{statistics.median(seconds):.2f} s  (min {min(seconds):.2f}, max {max(seconds):.2f})"
                  f"  CPU {statistics.median(cpu):.2f} s")


if __name__ == "__main__":
    main()
