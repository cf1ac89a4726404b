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
