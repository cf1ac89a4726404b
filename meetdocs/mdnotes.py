"""Footnotes, put where they are called: ``<span class="footnote">``.

One representation serves every output: CSS ``float: footnote`` makes a page
footnote in the PDF, the DOCX writer makes a Word footnote, and a template that
wants an end-of-article list can build it from the same spans (``markdown.endnotes``).

Python-Markdown collects the notes in a ``<div class="footnote">`` at the end; here
each moves to its first call:

- a note of one paragraph keeps its inline content directly in the span;
- a note of several blocks holds, in order, ``<span class="note-p">`` per paragraph
  and, per list, ``<span class="note-list" data-list="ol|ul" data-start="N">`` with a
  ``<span class="note-li">`` per item (a sub-list nests inside its item).  Spans,
  because a footnote sits inside a paragraph; the stylesheets show them as blocks;
- a note cited again: the first call's span gets ``id="note-<name>"`` and each later
  call is ``<a class="note-again" href="#note-<name>"></a>``, so the note prints once
  and the PDF shows its number again (``target-counter``);
- any other block in a note (code, a table, a quote) is refused at the note's line:
  Word footnotes and page footnotes cannot hold them faithfully.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown.extensions.footnotes import NBSP_PLACEHOLDER

# The footnotes extension leaves a placeholder for a no-break space before its backlink.
_TRAILING_SPACE = re.compile(f"(\\s|{re.escape(NBSP_PLACEHOLDER)})+$")
_STASHED = re.compile("^\x02wzxhzdk:\\d+\x03$")  # raw HTML kept aside: fenced code
LISTS = ("ul", "ol")


def is_call(element) -> bool:
    """A note's call as Python-Markdown writes it (before ``inline_footnotes``)."""
    return element.tag == "sup" and element.get("id", "").startswith("fnref")


def text_without_calls(element) -> str:
    """The element's text without its note calls (a heading's outline text)."""
    parts = [element.text or ""]
    for child in element:
        if not is_call(child):
            parts.append(text_without_calls(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _name(call) -> str:
    # A second call of one note has the id fnref2:1; its note is fn:1.
    return call.get("id").split(":", 1)[-1]


def inline_footnotes(root, job):
    _undefined_calls(root, job)
    notes = root.find("div[@class='footnote']")
    if notes is None:
        return
    bodies = {li.get("id"): li for li in notes.iter("li") if li.get("id")}
    calls = [(parent, child) for parent in root.iter() for child in parent
             if is_call(child)]
    names = [_name(call) for _, call in calls]
    for uncited in sorted(set(bodies) - {f"fn:{name}" for name in names}):
        name = uncited.split(":", 1)[1]
        job.fail(f"[^{name}]:", f"the footnote [^{name}] is cited nowhere, so its text "
                 "would be lost", f"[^{name}] in the text where the note belongs, or "
                 "no such footnote", "no call")
    seen = set()
    for parent, sup in calls:
        name = _name(sup)
        anchor = "note-" + re.sub(r"\s", "-", name)
        if name in seen:
            call = etree.Element("a", {"class": "note-again", "href": "#" + anchor})
        else:
            call = etree.Element("span", {"class": "footnote"})
            if names.count(name) > 1:
                call.set("id", anchor)
            _note_content(bodies.get(f"fn:{name}"), call, name, job)
        seen.add(name)
        call.tail = sup.tail
        index = list(parent).index(sup)
        parent.remove(sup)
        parent.insert(index, call)
    root.remove(notes)


# A call Python-Markdown left as text: no footnote of that name is defined.
_CALL = re.compile(r"\[\^([^\]\s]+)\]")
_CODE = ("code", "pre")


def _undefined_calls(root, job):
    """Each ``[^name]`` left in the text (outside code) cites a note that is not
    defined; it would print as it is written."""
    for element in root.iter():
        if element.tag in _CODE:
            continue
        texts = [element.text] + [child.tail for child in element]
        for text in filter(None, texts):
            for call in _CALL.finditer(text):
                job.fail(call[0], f"the footnote {call[0]} is cited but not defined",
                         f"a line '{call[0]}: …' with the note's text",
                         "no such line")


def _note_content(item, note, name: str, job):
    if item is None:
        return
    for paragraph in item.iter("p"):
        for backref in paragraph.findall("a[@class='footnote-backref']"):
            paragraph.remove(backref)
    blocks = [block for block in item if block.tag != "p" or len(block)
              or _TRAILING_SPACE.sub("", block.text or "")]
    if len(blocks) == 1 and _paragraph(blocks[0]):
        _inline(blocks[0], note)
    for block in blocks if len(blocks) > 1 else ():
        if _paragraph(block):
            _inline(block, etree.SubElement(note, "span", {"class": "note-p"}))
        elif block.tag in LISTS:
            note.append(_note_list(block))
        else:
            job.fail(f"[^{name}]:", "a footnote may hold paragraphs and lists only",
                     "paragraphs and lists", _kind(block))
    _trim(note)


def _paragraph(block) -> bool:
    return block.tag == "p" and not _STASHED.match(block.text or "")


def _kind(block) -> str:
    return {"table": "a table", "blockquote": "a quote", "p": "code",
            "div": "code or a box"}.get(block.tag, f"<{block.tag}>")


def _note_list(block):
    span = etree.Element("span", {"class": "note-list", "data-list": block.tag})
    if block.tag == "ol":
        start = block.get("start", "1")
        span.set("data-start", start)
        # The stylesheets' counter: WeasyPrint reads no attr() in counter-reset.
        span.set("style", f"counter-reset: note-item {int(start) - 1}")
    for li in block.findall("li"):
        item = etree.SubElement(span, "span", {"class": "note-li"})
        item.text = li.text
        for child in list(li):
            if child.tag == "p":
                _inline(child, item)
            elif child.tag in LISTS:
                nested = _note_list(child)
                nested.tail = child.tail
                item.append(nested)
            else:
                item.append(child)
        _trim(item)
    return span


def _inline(source, target):
    """Append ``source``'s text and inline elements to ``target``."""
    text = source.text or ""
    if len(target):
        target[-1].tail = (target[-1].tail or "") + text
    else:
        target.text = (target.text or "") + text
    for child in list(source):
        target.append(child)
    _trim(target)


def _trim(element):
    if len(element):
        element[-1].tail = _TRAILING_SPACE.sub("", element[-1].tail or "") or None
    elif element.text:
        element.text = _TRAILING_SPACE.sub("", element.text)


def endnotes(html: str) -> tuple[str, list[str]]:
    """The body with each note replaced by its call ``<sup class="note-call">注1</sup>``,
    and the notes' HTML in order: for templates that print an end-of-article 注解
    list instead of page footnotes."""
    import lxml.html

    root = lxml.html.fragment_fromstring(html, create_parent="div")
    notes, numbers = [], {}
    for span in root.xpath("//span[@class='footnote'] | //a[@class='note-again']"):
        if span.tag == "a":  # a note cited again: its number again, not its text
            call = lxml.html.Element("sup", {"class": "note-call"})
            call.text = f"注{numbers.get(span.get('href', '')[1:], '')}"
        else:
            notes.append(inner_html(span))
            numbers[span.get("id")] = number = len(notes)
            call = lxml.html.Element("sup", {"class": "note-call",
                                             "id": f"note-call-{number}"})
            call.text = f"注{number}"
        call.tail = span.tail
        span.getparent().replace(span, call)
    return inner_html(root), notes


def inner_html(element) -> str:
    import lxml.html

    inner = "".join(lxml.html.tostring(child, encoding="unicode") for child in element)
    return (element.text or "").replace("&", "&amp;").replace("<", "&lt;") + inner
