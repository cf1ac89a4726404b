"""A document's Markdown as the reviews read it: prose lines with their file line
numbers, headings and the sections under them.

Python-Markdown keeps no source positions, and every finding must name its line, so
the reviews read the Markdown source themselves.  Only what a reader sees is kept:
code is dropped, a link keeps its text but not its address, an image its caption,
and a heading loses its ``{.class}`` list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import mdfix

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ATTRS = re.compile(r"\s*\{[^{}]*\}\s*$")
# A link's address may hold one level of parentheses (Wikipedia's x_(y) style).
_TARGET = re.compile(r"\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_CODE = re.compile(r"`[^`]*`")
_NOTE_CALL = re.compile(r"\[\^[^\]]+\]:?")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^()\s]+)")
# The numbering a writer may type before a heading: 壹、 一、 （一） 1.
_NUMBERING = re.compile(r"^(?:[壹貳參肆伍陸柒捌玖拾]+、|[一二三四五六七八九十]+、|"
                        r"（[一二三四五六七八九十]+）|\d+[.、]\s*)")


@dataclass
class Line:
    number: int      # line in the file
    text: str        # what a reader sees of it
    raw: str         # as written


@dataclass
class Heading:
    level: int
    title: str       # without numbering or attribute list
    number: int


@dataclass
class Source:
    path: object                     # as shown in messages
    lines: list[Line] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    images: list[tuple[int, str]] = field(default_factory=list)  # (line, target)

    def section(self, heading: Heading) -> list[Line]:
        """The lines under ``heading`` up to the next heading of its level or above."""
        after = [h for h in self.headings
                 if h.number > heading.number and h.level <= heading.level]
        end = after[0].number if after else float("inf")
        return [line for line in self.lines if heading.number < line.number < end]

    def subheadings(self, heading: Heading, level: int | None = None) -> list[Heading]:
        numbers = {line.number for line in self.section(heading)}
        return [h for h in self.headings if h.number in numbers
                and (level is None or h.level == level)]

    def paragraphs(self) -> list[list[Line]]:
        """Runs of lines without a blank line or heading between them."""
        runs, current = [], []
        for line in self.lines:
            if not line.text.strip() or _HEADING.match(line.raw):
                runs, current = runs + [current] if current else runs, []
                continue
            current.append(line)
        return runs + [current] if current else runs


def read(body: str, first_line: int, path) -> Source:
    """``first_line``: the file line of the body's first line (after front matter).
    Only fenced code is left out: indented lines here are boxes (!!!), list items
    and notes, which are prose."""
    source, fenced = Source(path), False
    for offset, raw in enumerate(body.split("\n")):
        number = first_line + offset
        if _FENCE.match(raw):
            fenced = not fenced
            continue
        if fenced:
            continue
        raw = mdfix.word_heading(raw)  # Word's pasted 壹、⇥ numbering is a heading
        source.images += [(number, m[2]) for m in _IMAGE.finditer(raw)]
        source.lines.append(Line(number, visible(raw), raw))
        heading = _HEADING.match(raw)
        if heading:
            source.headings.append(Heading(len(heading[1]), title(heading[2]), number))
    return source


def visible(raw: str) -> str:
    text = _CODE.sub("", raw)
    text = _TARGET.sub("]", text)
    text = _NOTE_CALL.sub("", text)
    return _ATTRS.sub("", text)


def title(text: str) -> str:
    return _NUMBERING.sub("", _ATTRS.sub("", text)).strip()
