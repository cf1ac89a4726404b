"""Markdown source as authors type it → the Markdown Python-Markdown reads.

Python-Markdown stays the parser (it handles ``**「開放」**的``, where strict CommonMark
parsers fail), but it reads several habits of Typora, VS Code and text pasted from
Word differently from CommonMark and GitHub.  Each function here closes one gap, on
the source text, before the parser sees it; none of them changes the number of a
line that a message could name except by inserting lines (blank lines, a tab
table's separator row), and messages look their lines up in the author's own text
(``markdown.Locator``), never in this output.

- ``strip_comments``: ``<!-- … -->`` are the authors' notes to each other.  They are
  removed before anything else reads the text (so an image named inside one is not
  checked), each replaced by as many newlines as it held, so later lines keep their
  numbers.  An unclosed ``<!--`` stays as visible text: nothing is hidden by mistake.
- ``normalize``, per line outside fenced code:
  - list nesting by the *content column* (CommonMark): a sub-item belongs to the item
    whose text it is indented under, whether by 2, 3 or 4 spaces or a tab.
    Python-Markdown wants exactly 4 spaces per level, so items and their
    continuation paragraphs and fences are re-indented to 4 per level (inside
    quotes, notes and boxes too);
  - a table copied out of Word (lines of cells separated by tabs) becomes a
    Markdown table (``word_tables``);
  - Word's outline numbering copied out with the text, the number then a tab
    (``壹、⇥目的``, ``一、⇥``, ``（一）⇥``), makes the line a heading of that level
    (``word_heading``; review/source.py reads it the same way);
  - ``1)`` markers, and Word's ``(1)`` before a tab, become ``1.`` (Python-Markdown
    knows only ``1.``);
  - the bullets of text copied out of Word (``•``, ``o``, ``▪`` and their Symbol and
    Wingdings forms, U+F0B7 and U+F0A7, then a tab) become ``-`` items, nested by
    Word's bullet sequence when they have no indent (``_WORD_BULLETS``);
  - a list (``-``, ``*``, ``+``, or an ordered list starting at 1, as CommonMark
    allows) or a table directly after a paragraph line gets the blank line
    Python-Markdown needs before it;
  - a tab or full-width spaces (U+3000) at the start of a paragraph are Word's
    first-line indent, not code: removed, and such a paragraph ends a list (a
    list's continuation paragraphs are indented with spaces; a tab still nests an
    item under an item).  Outside lists a 4-space indent is not
    code either (the indented-code reader is switched off in ``markdown``): code is
    fenced.
"""

from __future__ import annotations

import re
from itertools import groupby

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_FENCE = re.compile(r"^(`{3,}|~{3,})")
# Bullets of text copied out of Word: its default list levels draw •, o and ▪
# (U+F0B7 and U+F0A7 when the Symbol and Wingdings fonts come along), each followed
# by a tab, with no indent; the level is the bullet's place in that sequence.
# Other bullets Word and Chinese documents use count as the first level.
_WORD_BULLETS = {"\u2022": 0, "\uf0b7": 0, "o": 1, "\u25aa": 2, "\uf0a7": 2,
                 "\u25cf": 0, "\u25e6": 1, "\u25a0": 2, "\u00b7": 0, "\uf0d8": 0,
                 "\uf076": 0, "\uf0fc": 0}
# A Word bullet is a marker only before a tab or space and text; "o" only before a
# tab, where no word starts.
# Word's "(1)" numbering is a marker only before a tab, as Word copies it.
_ITEM = re.compile(r"^([-*+]|\d{1,9}[.)]|[\u2022\u25aa\u25cf\u25e6\u25a0\u00b7"
                   r"\uf0b7\uf0a7\uf0d8\uf076\uf0fc](?=[ \t]+\S)|o(?=\t+\S)"
                   r"|[(（]\d{1,9}[)）](?=\t+\S))([ \t]+|$)(.*)$")
_RULE = re.compile(r"^([-*_])( *\1){2,} *$")
_QUOTE = re.compile(r"^ {0,3}> ?")
_NOTE = re.compile(r"^\[\^[^\]]+\]:")
_BOX = re.compile(r"^!!! ")  # a box (admonition): its blocks are indented by 4
_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_WORD_INDENT = "\t\u3000"
# Where a footnote's blocks start: Python-Markdown reads the lines of a note indented
# by 4; 2 is enough here (the first column after "[^1]" is not a content column).
_NOTE_COLUMN = 2


def strip_comments(text: str) -> str:
    """The text without HTML comments (outside fenced code), line numbers kept."""
    parts, fence = [], None
    chunk: list[str] = []
    for line in text.split("\n"):
        opened = _FENCE.match(line.lstrip(" "))
        if fence is None and opened:
            parts.append(_uncomment("\n".join(chunk)))
            chunk, fence = [line], opened[1]
        elif fence is not None:
            chunk.append(line)
            if line.strip().startswith(fence[0] * len(fence)) and \
                    not line.strip().strip(fence[0]):
                parts.append("\n".join(chunk))
                chunk, fence = [], None
        else:
            chunk.append(line)
    parts.append(_uncomment("\n".join(chunk)) if fence is None else "\n".join(chunk))
    return "\n".join(parts)


def _uncomment(text: str) -> str:
    return _COMMENT.sub(lambda match: "\n" * match[0].count("\n"), text)


def _indent(line: str) -> tuple[int, str]:
    """The line's indent in columns (tabs to 4) and the text after it."""
    column, index = 0, 0
    while index < len(line) and line[index] in " \t":
        column = column + 4 - column % 4 if line[index] == "\t" else column + 1
        index += 1
    return column, line[index:]


class _Normalizer:
    """One pass over the lines; ``columns`` are the content columns of the open
    list items (and footnotes), innermost last."""

    def __init__(self, lines: list[str]):
        self.lines, self.out = lines, []
        self.columns: list[int] = []
        self.blank = True       # the previous line was blank (or there was none)
        self.paragraph = False  # the previous line was paragraph text outside a list
        self.fence: tuple[str, int, int] | None = None  # marker, its indent, new indent

    def run(self) -> list[str]:
        number = 0
        while number < len(self.lines):
            line = self.lines[number]
            if self.fence:
                self.in_fence(line)
            elif _QUOTE.match(line) and not self.columns:
                number = self.quote(number)
                continue
            elif not line.strip():
                self.out.append("")
                self.blank, self.paragraph = True, False
            else:
                self.line(line, self.lines[number + 1] if number + 1 < len(self.lines)
                          else "")
                self.blank = False
            number += 1
        return self.out

    def quote(self, number: int) -> int:
        """A quote's lines are normalized on their own, inside the '>'."""
        end = number
        while end < len(self.lines) and _QUOTE.match(self.lines[end]):
            end += 1
        self.separate()
        inner = [_QUOTE.sub("", line, count=1) for line in self.lines[number:end]]
        self.out.extend("> " + line for line in _Normalizer(inner).run())
        self.blank, self.paragraph = False, True
        return end

    def in_fence(self, line: str):
        marker, indent, new = self.fence
        column, text = _indent(line)
        self.out.append(" " * (new + max(column - indent, 0)) + text if text else "")
        if text.startswith(marker) and not text.strip().strip(marker[0]):
            self.fence = None
            self.out.append("")  # what follows is not glued to the stashed code
            self.blank, self.paragraph = True, False

    def line(self, line: str, following: str):
        column, text = _indent(line)
        if self.blank and line[:1] in _WORD_INDENT and not _ITEM.match(text) \
                and not _FENCE.match(text):
            self.columns = []  # Word's first-line indent: a paragraph of its own
            column = 0
        if self.blank or not self.columns:
            self.close(column)
        if _NOTE.match(line) or _BOX.match(line):
            self.columns = [_NOTE_COLUMN if _NOTE.match(line) else 4]
            self.paragraph = bool(_NOTE.match(line))
            self.out.append(line)
        elif (item := _ITEM.match(text)) and not _RULE.match(text):
            self.item(self.word_level(column, item[1]), item)
        elif _FENCE.match(text):
            self.separate()
            depth = 4 * len(self.columns)
            self.fence = (_FENCE.match(text)[1], column, depth)
            self.out.append(" " * depth + text)
        else:
            self.text(line, column, text, following)

    def word_level(self, column: int, marker: str) -> int:
        """The column of a Word bullet written at the margin: that of the open item
        one level up (its level by Word's bullet sequence, at most one deeper than
        the open items)."""
        if column or marker not in _WORD_BULLETS or not self.columns:
            return column
        level = min(_WORD_BULLETS[marker], len(self.columns))
        return self.columns[level - 1] if level else 0

    def close(self, column: int):
        """End the items the line is not indented into."""
        while self.columns and column < self.columns[-1]:
            self.columns.pop()

    def separate(self):
        if not self.blank:
            self.out.append("")

    def item(self, column: int, match):
        marker, space, rest = match[1], match[2], match[3]
        in_list = bool(self.columns)
        if self.paragraph and not in_list:
            if marker[:-1].isdigit() and marker[:-1] != "1" or not rest.strip():
                self.text(" " * column + match[0], column, match[0], "")
                return  # CommonMark: only these interrupt a paragraph
            self.separate()
        width = len(space.expandtabs(4)) if rest else 1
        self.close(column)
        if self.paragraph and in_list and self.columns:
            self.separate()  # a sub-list right under an item's (or note's) paragraph
        depth = len(self.columns)
        self.columns.append(column + len(marker) + (width if width <= 4 else 1))
        if marker[0] in "(（":
            marker = marker[1:-1] + "."
        elif marker[-1] == ")":
            marker = marker[:-1] + "."
        elif marker in _WORD_BULLETS:
            marker = "-"
        self.out.append(" " * (4 * depth) + marker + " " + rest)
        self.paragraph = False

    def text(self, line: str, column: int, text: str, following: str):
        if "|" in text and "|" in following and \
                _TABLE_SEPARATOR.match(following.strip()):
            self.separate()
        if self.columns:
            self.out.append(" " * (4 * len(self.columns)) + text)
        elif self.blank and line[:1] in _WORD_INDENT or line[:1] == "\u3000":
            self.out.append(line.lstrip(" " + _WORD_INDENT))
        else:
            self.out.append(line)
        self.paragraph = True


def normalize(text: str) -> str:
    """The body as Python-Markdown should read it (see the module docstring)."""
    lines = text.split("\n")
    fenced = _fenced(lines)  # a heading made here changes no fence
    lines = [line if inside else word_heading(line) for line, inside in zip(lines, fenced)]
    return "\n".join(_Normalizer(word_tables(lines, fenced)).run())


# Word's outline numbering copied out as text: the number, then a tab.  It is the
# numbering the formats draw for headings of levels 1–3 (DESIGN.md: 壹、 一、 （一）).
_WORD_HEADING = re.compile(r"^(?:(?P<h1>[壹貳參肆伍陸柒捌玖拾]+、)|(?P<h2>[一二三四五六七八九十]+、)"
                           r"|(?P<h3>（[一二三四五六七八九十]+）))[ \u3000]*\t[\t \u3000]*(?P<text>\S.*)$")


def word_heading(line: str) -> str:
    """A line that starts with Word's outline numbering and a tab (壹、⇥目的) is a
    heading of that numbering's level, written as Markdown (# 目的); the format
    numbers it again."""
    match = _WORD_HEADING.match(line)
    if not match:
        return line
    level = next(number for number, name in enumerate(("h1", "h2", "h3"), 1) if match[name])
    return "#" * level + " " + match["text"]


def _fenced(lines: list[str]) -> list[bool]:
    """For each line, whether it is a fence or inside fenced code."""
    fence, marks = None, []
    for line in lines:
        opened = _FENCE.match(line.lstrip(" "))
        marks.append(bool(fence or opened))
        if fence:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
        elif opened:
            fence = opened[1]
    return marks


def word_tables(lines: list[str], fenced: list[bool]) -> list[str]:
    """A table copied out of Word arrives as lines of cells separated by tabs: each
    run of two lines or more (outside fenced code, at the margin) that all hold the
    same number of tabs, none at the start, becomes a Markdown table with its first
    line as the header.  Word pastes it right below the paragraph before it (the
    normalizer puts the blank line a table needs there); a blank line is put after
    it when text follows at once.  The separator row and that blank line are the
    lines added; messages find their lines in the author's own text.  ``fenced``:
    ``_fenced(lines)``."""
    out, after_table = [], False
    runs = groupby(zip(lines, fenced), key=lambda pair: not pair[1] and "\t" in
                   pair[0].rstrip(" \t"))
    for tabbed, pairs in runs:
        run = [line for line, _ in pairs]
        if after_table and run[0].strip():
            out.append("")
        table = _tab_table(run) if tabbed else None
        out += table or run
        after_table = table is not None
    return out


# A line that is already Markdown structure: a list item, quote, note, box,
# heading or pipe table keeps its tabs.
# Lettered numbering (A.⇥) is not a table's first column either.
_MARKUP = re.compile(rf"{_ITEM.pattern}|{_QUOTE.pattern}|{_NOTE.pattern}|{_BOX.pattern}|#|\|"
                     r"|[A-Za-z][.)]\t")


def _tab_table(run: list[str]) -> list[str] | None:
    """The run of tabbed lines as a Markdown table, or None if it is not one."""
    rows = [line.rstrip(" \t").split("\t") for line in run]
    widths = {len(row) for row in rows}
    if len(rows) < 2 or len(widths) != 1 or \
            any(not row[0].strip() or row[0][:1] == " " for row in rows) or \
            any(_MARKUP.match(line) for line in run):
        return None
    cells = [[cell.strip().replace("|", "\\|") for cell in row] for row in rows]
    lines = ["| " + " | ".join(row) + " |" for row in cells]
    return lines[:1] + ["|" + "---|" * len(rows[0])] + lines[1:]
