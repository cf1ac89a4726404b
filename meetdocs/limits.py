"""Size limits: content that would take minutes or gigabytes to typeset, or that
would overflow WeasyPrint's stack, is refused at once with the line that passes
the limit, before Markdown or WeasyPrint see it.

Measured on the build machine (2 cores, 24 GB; WeasyPrint 70 with HarfBuzz
subsetting), by building generated documents of the minimal test meeting with
``/usr/bin/time -f "%e s %M KB"``:

- Markdown text, CJK paragraphs: 1 MB builds in 18 s at 343 MB peak RSS; 5 MB in
  167 s at 955 MB.  20 MB: Python-Markdown alone takes 3.4 s (151 MB); WeasyPrint
  would need more than ten minutes and several GB.  The largest real document is
  14 KB, so 1 MB leaves room for seventy of them.
- Table rows (three columns): 1,000 rows 6.4 s at 335 MB; 2,000 rows 12.6 s at
  408 MB; 3,000 rows 19 s at 480 MB; 10,000 rows 94 s at 956 MB.  A report's
  tables have tens of rows.
- Nesting: WeasyPrint overflows Python's stack (RecursionError, a crash) at 150
  nested blockquotes, 100 nested lists (200 elements) and 300 nested ``<em>``;
  Python-Markdown itself at about 250 nested list levels.  Well before that, each
  list level narrows the briefing's column: a list nested 10 levels deep builds in
  0.9 s, 16 levels in 2.7 s.  Real documents nest lists three or four deep.
"""

from __future__ import annotations

import re
import signal
import threading
from contextlib import contextmanager

# Seconds per document, each output kind included (--time-limit changes it).  The
# slowest real document, the som3-2023 briefing, rendered in 19.8 s during
# `build.py --all --force` on the 2-core machine under load (8 other builds); the
# FotC report, DOCX and PDF, in 12.2 s.  A document still running after fifteen
# times that is stuck (a layout loop) or far too large.
TIME_LIMIT = 300.0
# Address space of one render worker (RLIMIT_AS).  A worker that renders the real
# meetings (som1-2026 and the FotC report, --force) peaks at 660 MB of address
# space (VmPeak; 406 MB resident), much of it mapped font files; a 1 MB document,
# the largest allowed, at 343 MB resident, a 5 MB one at 955 MB.  Past the limit an
# allocation fails with MemoryError, which becomes a message, instead of eight
# workers pushing the machine into swap.
MAX_WORKER_MEMORY = 4 * 2**30
# Pages of one PDF.  The longest real document has 12; a 1 MB document (the size
# limit) of plain Chinese text about 250.  The layout is stopped at the page past
# the limit: 4,000 paragraphs with `p { break-after: page }` stop after 41 s at page
# 501 (2-core machine at load 9; 0.08 s a page), where they ran to 2,004 pages.
MAX_PAGES = 500

MAX_FILE_BYTES = 1024 * 1024
MAX_TABLE_ROWS = 2000
# Markdown levels ('>' quotes and 4-space indents), checked on the source so that
# Python-Markdown never meets a list too deep for it; an indented code block deeper
# than 40 spaces is refused too, which no document of ours has.
MAX_NESTING = 10
# HTML elements inside the body: a list of 10 levels is 20 (ul, li, ul, li ...),
# with room for a paragraph, a link and emphasis in its last item; checked on the
# converted tree, which also sees emphasis inside emphasis.
MAX_DEPTH = 24
_SEPARATOR = re.compile(r"^ {0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


def table_rows(lines: list[str]):
    """The index of every line that the tables extension reads as a table row
    (the header included): after a ``|---|---|`` line, each line with a ``|``."""
    in_table = False
    for index, line in enumerate(lines):
        if "|" in line and _SEPARATOR.match(line) and index and "|" in lines[index - 1]:
            in_table = True
            yield index - 1
        elif in_table and "|" in line and line.strip():
            yield index
        else:
            in_table = False


def too_many_rows(body: str) -> tuple[int, int] | None:
    """``(index of the first line past the limit, total rows)``, or None."""
    rows = list(table_rows(body.split("\n")))
    if len(rows) <= MAX_TABLE_ROWS:
        return None
    return rows[MAX_TABLE_ROWS], len(rows)


def nesting(line: str) -> int:
    """How deep a Markdown line is nested: its '>' quotes and 4-space indents."""
    prefix = line[:len(line) - len(line.lstrip("> \t"))].replace("\t", "    ")
    return prefix.count(">") + prefix.count(" ") // 4


def too_deep_line(body: str) -> tuple[int, int] | None:
    """``(index, nesting)`` of the first line nested deeper than ``MAX_NESTING``."""
    for index, line in enumerate(body.split("\n")):
        if (depth := nesting(line)) > MAX_NESTING:
            return index, depth
    return None


def deepest_line(body: str) -> int:
    lines = body.split("\n")
    return max(range(len(lines)), key=lambda index: nesting(lines[index]))


def deepest_element(root) -> tuple[int, object]:
    """``(depth, element)`` of the most nested element under ``root``; iterative,
    since the point is trees too deep for recursion."""
    deepest, stack = (0, root), [(0, root)]
    while stack:
        depth, element = stack.pop()
        if depth > deepest[0]:
            deepest = (depth, element)
        stack.extend((depth + 1, child) for child in element)
    return deepest


# Lengths in a stylesheet, in any unit.  WeasyPrint's layout divides by a zero that
# a font size of 1e9px makes (a ZeroDivisionError, with Pango warnings); the
# largest length in the real stylesheets is 297mm.
MAX_CSS_LENGTH = 10_000
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_LENGTH = re.compile(r"(?<![\w#.-])([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)"
                     r"(px|pt|pc|mm|cm|in|q|em|rem|ex|ch|vw|vh|vmin|vmax|%)(?![\w-])", re.I)


def huge_lengths(css: str):
    """``(line, text)`` of each length in ``css`` larger than ``MAX_CSS_LENGTH``."""
    text = _COMMENT.sub(lambda match: "\n" * match[0].count("\n"), css)
    for number, line in enumerate(text.split("\n"), start=1):
        for match in _LENGTH.finditer(line):
            if abs(float(match[1])) > MAX_CSS_LENGTH:
                yield number, match[0]


# SVG <use> (a copy of another part of the picture): levels of copies of copies,
# and copies drawn in all.  Nine levels of ten copies each (1.5 KB) ran until
# killed; the icons and charts people make use one or two levels and tens of copies.
MAX_SVG_USE_DEPTH = 4
MAX_SVG_USES = 2_000


# Python-Markdown is quadratic on two kinds of block (lines between blank lines);
# measured with markdown.to_html on the minimal test meeting (2-core machine):
# - An opening '[' (or '(' after ']') that is never closed: for each, the link
#   pattern scans the rest of the block.  100 in a 10 KB paragraph take 0.36 s,
#   200 in 20 KB 1.2 s, 400 in 40 KB 5.8 s; a 10 KB line of '[' 27 s, 20 KB 69 s.
#   Refused when unclosed brackets × the block's characters pass the bound
#   (real paragraphs: a few brackets, all closed, in under 2 KB).
# - Lines that split their block (ATX headings '#', rules '---', setext underlines
#   '==='): the rest of the block is searched again after each.  2,500 '#' lines
#   without a blank line take 0.8 s, 5,000 2.6 s, 10,000 12.7 s, 20,000 27 s;
#   5,000 setext headings 9.8 s.  Refused when such lines × the block's
#   characters pass the bound (real documents: a heading per block).
MAX_UNCLOSED_WORK = 1_000_000
MAX_SPLIT_WORK = 5_000_000
_SPLITTING = re.compile(r"^ {0,3}(#{1,6}(\s|$)|([-*_=])( *\3){2,} *$|=+ *$)")


def blocks(body: str):
    """``(index of the first line, lines)`` of each run of non-blank lines."""
    start, lines = 0, []
    for index, line in enumerate(body.split("\n") + [""]):
        if line.strip():
            if not lines:
                start = index
            lines.append(line)
        elif lines:
            yield start, lines
            lines = []


def unclosed_brackets(text: str) -> int:
    """'[' never closed by ']', and '(' after ']' never closed by ')'."""
    square, paren, previous = 0, 0, ""
    for char in text:
        if char == "[":
            square += 1
        elif char == "]" and square:
            square -= 1
        elif char == "(" and previous == "]":
            paren += 1
        elif char == ")" and paren:
            paren -= 1
        previous = char
    return square + paren


def quadratic(body: str) -> tuple[int, str, str] | None:
    """``(index of the block's first line, what, how much)`` for the first block
    that would keep Python-Markdown busy for seconds, or None."""
    for start, lines in blocks(body):
        size = sum(len(line) + 1 for line in lines)
        if (open_ := unclosed_brackets("\n".join(lines))) * size > MAX_UNCLOSED_WORK:
            return start, "brackets '[' or '(' that are never closed; close them", \
                f"{open_:,} unclosed in a block of {size:,} characters"
        split = sum(1 for line in lines if _SPLITTING.match(line))
        if split * size > MAX_SPLIT_WORK:
            return start, "headings or rules ('#', '---', '===') with no blank line " \
                "between them; put blank lines between them", \
                f"{split:,} in a block of {size:,} characters"
    return None


class TimeLimit(Exception):
    """Raised in-process when a document passes its time limit."""


@contextmanager
def time_limit(seconds: float | None, error=None):
    """Raise ``error()`` (by default TimeLimit) in the main thread when ``seconds``
    pass.  A signal can only be handled there, so elsewhere this does nothing: the
    preview renders in its own worker process, which is killed past its limit."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise error() if error else TimeLimit(seconds)

    saved = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, saved)
