"""The DOCX's table of contents, finished the way Word finishes it.

The writer leaves a TOC field whose result lists the headings without page numbers.
Here each heading of levels 1–3 gets a ``_Toc`` bookmark, and each TOC entry
becomes what Word's own update writes: a hyperlink to that bookmark holding the
entry's text, a tab (the TOC style's dotted right tab) and a ``PAGEREF`` field whose
result is the page number.  The numbers come from LibreOffice's layout of this very
file (``finish.py``); Word recomputes them on its next field update.
"""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

HEADING_LEVELS = {f"Heading{n}": n for n in (1, 2, 3)}
TOC_LEVELS = {f"TOC{n}": n for n in (1, 2, 3)}
_BOOKMARK_BASE = 100000000   # _Toc100000001 ...: Word's own names are _Toc + digits


def _style(paragraph) -> str:
    style = paragraph.find(qn("w:pPr") + "/" + qn("w:pStyle"))
    return "" if style is None else style.get(qn("w:val"))


def _text(paragraph) -> str:
    return "".join(t.text or "" for t in paragraph.iter(qn("w:t"))).strip()


def _el(tag: str, **attrs) -> OxmlElement:
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), str(value))
    return element


def _run(*children) -> OxmlElement:
    run = OxmlElement("w:r")
    for child in children:
        run.append(child)
    return run


def _field(instruction: str, result: str) -> list:
    """begin, instruction, separate, result, end: a field as Word writes it."""
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = instruction
    text = OxmlElement("w:t")
    text.text = result
    return [_run(_el("w:fldChar", fldCharType="begin")), _run(instr),
            _run(_el("w:fldChar", fldCharType="separate")), _run(text),
            _run(_el("w:fldChar", fldCharType="end"))]


def mark_headings(document) -> list[tuple[int, str, str]]:
    """Bookmark every heading of levels 1–3; return (level, text, bookmark name)."""
    body = document.element.body
    used = [int(b.get(qn("w:id"))) for b in body.iter(qn("w:bookmarkStart"))]
    next_id = max(used, default=0) + 1
    headings = []
    for paragraph in body.iter(qn("w:p")):
        level = HEADING_LEVELS.get(_style(paragraph))
        if level is None:
            continue
        name = f"_Toc{_BOOKMARK_BASE + next_id}"
        start = _el("w:bookmarkStart", id=next_id, name=name)
        anchor = paragraph.find(qn("w:pPr"))
        if anchor is None:
            paragraph.insert(0, start)
        else:
            anchor.addnext(start)
        paragraph.append(_el("w:bookmarkEnd", id=next_id))
        headings.append((level, _text(paragraph), name))
        next_id += 1
    return headings


def entries(document, headings) -> list[tuple[object, str]]:
    """Each TOC entry paragraph with the bookmark of its heading.

    An entry reads 「貳、會議議程」 where the heading holds 「會議議程」 and numbering
    draws 貳、, so an entry belongs to the next heading of its level whose text ends
    it.  Entries with no such heading keep no page number.
    """
    found, position = [], 0
    for paragraph in document.element.body.iter(qn("w:p")):
        level = TOC_LEVELS.get(_style(paragraph))
        if level is None:
            continue
        text = _text(paragraph)
        for index in range(position, len(headings)):
            h_level, h_text, name = headings[index]
            if h_level == level and h_text and text.endswith(h_text):
                found.append((paragraph, name))
                position = index + 1
                break
    return found


def fill(matched, pages: dict[str, int]) -> None:
    """Write the page numbers into the TOC entries (again, if filled before)."""
    for paragraph, name in matched:
        runs = [r for r in paragraph if r.tag == qn("w:r") and r.find(qn("w:t")) is not None]
        link = paragraph.find(qn("w:hyperlink"))
        if link is not None:  # filled before: its text run is the entry
            runs = [link[0]]
            paragraph.replace(link, runs[0])
        if not runs:
            continue
        text = "".join(t.text or "" for r in runs for t in r.iter(qn("w:t")))
        link = _el("w:hyperlink", anchor=name, history=1)
        runs[0].addprevious(link)
        for run in runs[1:]:
            paragraph.remove(run)
        runs[0].find(qn("w:t")).text = text
        link.append(runs[0])
        link.append(_run(OxmlElement("w:tab")))
        for part in _field(f" PAGEREF {name} \\h ", str(pages.get(name, ""))):
            link.append(part)


def settle(document) -> None:
    """The TOC is finished: Word need not be asked to update fields on opening."""
    for char in document.element.body.iter(qn("w:fldChar")):
        char.attrib.pop(qn("w:dirty"), None)
    settings = document.settings.element
    for update in settings.findall(qn("w:updateFields")):
        settings.remove(update)
