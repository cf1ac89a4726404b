"""Stage 2: a document's Markdown body → an HTML fragment.

Raw HTML in Markdown is escaped, not passed through: the PDFs are distributed
publicly and the authors are not programmers, so ``<script>``, ``<iframe>`` or a
``<link rel=attachment>`` must come out as visible text, never as markup; for the
same reason an attribute list (``{: ...}``) may set only a class, id, lang or title.
Images may only name files inside the meeting folder, and must be what their names
say (``images``); links only http(s) and mailto.  Content too large or too deeply
nested to typeset is refused before conversion (``limits``).

Chinese needs one more step: Markdown turns a line break inside a paragraph into a
space, which is right between English words and wrong between CJK characters (the
extracted PDF text would read 「亞太 社群」).  Breaks between two wide characters are
removed, as CSS Text 3 asks of segment breaks in East Asian text.
"""

from __future__ import annotations

import copy
import re
import unicodedata
import xml.etree.ElementTree as etree
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import markdown
from markdown.extensions.footnotes import NBSP_PLACEHOLDER
from markdown.treeprocessors import Treeprocessor

from . import images, limits
from .errors import Problem

EXTENSIONS = ["tables", "footnotes", "attr_list", "sane_lists", "admonition"]
_BREAK = re.compile(r"(.)\n(.)", re.S)
LINK_SCHEMES = ("http", "https", "mailto")
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# What an attribute list ({: ...}) may set, beside what Markdown itself writes:
# anything more reaches WeasyPrint as markup (rel="attachment" embeds the linked
# file in the PDF; style can fetch url(...)).
ATTRIBUTES = {"id", "class", "lang", "title"}
TAG_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}, "ol": {"start"},
                  "th": {"style"}, "td": {"style"}}
_ALIGN = re.compile(r"^text-align: (left|right|center);$")  # tables' column alignment
# The footnotes extension leaves a placeholder for a no-break space before its backlink.
_TRAILING_SPACE = re.compile(f"(\\s|{re.escape(NBSP_PLACEHOLDER)})+$")


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def join_cjk_breaks(text: str) -> str:
    def repl(match):
        a, b = match[1], match[2]
        return a + b if _wide(a) and _wide(b) else match[0]
    return _BREAK.sub(repl, text)


def source_line(body: str, needle, first_line: int) -> int | None:
    """The file line where ``needle`` (or the first found of several) first appears
    in the body: Python-Markdown keeps no source positions, so messages search."""
    for candidate in (needle,) if isinstance(needle, str) else needle:
        for number, line in enumerate(body.split("\n")):
            if candidate in line:
                return first_line + number
    return None


class ContentTreeprocessor(Treeprocessor):
    """Checks images and links, makes figures, joins CJK line breaks."""

    def __init__(self, md, job):
        super().__init__(md)
        self.job = job

    def run(self, root):
        depth, deepest = limits.deepest_element(root)
        if depth > limits.MAX_DEPTH:
            self.job.too_deep(depth, "".join(deepest.itertext()).strip()[:20])
            root.clear()  # serializing it would overflow the stack too
            return
        inline_footnotes(root)
        for parent in root.iter():
            for child in list(parent):
                self.visit(parent, child)
            parent.text = join_cjk_breaks(parent.text) if parent.text else parent.text
            parent.tail = join_cjk_breaks(parent.tail) if parent.tail else parent.tail

    def visit(self, parent, element):
        self.job.attributes(element)
        if element.tag == "div" and "admonition" in element.get("class", "").split():
            make_box(element)
        if element.tag in HEADINGS:
            self.job.heading(element)
        if element.tag == "img":
            self.job.image(element)
        elif element.tag == "a" and "footnote" not in element.get("class", "") \
                and not element.get("href", "").startswith("#"):
            self.job.link(element)
        if element.tag == "p" and len(element) == 1 and element[0].tag == "img" \
                and not (element.text or "").strip() and not (element[0].tail or "").strip():
            self.make_figure(element)

    @staticmethod
    def make_figure(paragraph):
        img = paragraph[0]
        paragraph.tag = "figure"
        caption = etree.SubElement(paragraph, "figcaption")
        caption.text = img.get("alt", "")
        img.tail = None


def make_box(div):
    """``!!! glossary "APEC小百科"`` (the admonition syntax) → ``<aside class="box
    glossary">`` with its title as ``<p class="box-title">``: one syntax for every
    sidebar, the word after !!! naming its kind for the stylesheet."""
    kinds = [c for c in div.get("class", "").split() if c != "admonition"]
    div.tag = "aside"
    div.set("class", " ".join(["box", *kinds]))
    for title in div.findall("p[@class='admonition-title']"):
        title.set("class", "box-title")


def inline_footnotes(root):
    """Put each note's text where it is called, as ``<span class="footnote">``.

    One representation serves every output: CSS ``float: footnote`` makes a page
    footnote in the PDF, the DOCX writer makes a Word footnote, and a template that
    wants an end-of-article list can build it from the same spans.
    """
    notes = root.find("div[@class='footnote']")
    if notes is None:
        return
    bodies = {li.get("id"): li for li in notes.iter("li")}
    for parent in root.iter():
        for index, sup in enumerate(list(parent)):
            if sup.tag == "sup" and sup.get("id", "").startswith("fnref"):
                note = etree.Element("span", {"class": "footnote"})
                note.tail = sup.tail
                # A second call of one note has the id fnref2:1; its note is fn:1.
                number = sup.get("id").split(":", 1)[-1]
                _note_content(copy.deepcopy(bodies.get(f"fn:{number}")), note)
                parent.remove(sup)
                parent.insert(index, note)
    root.remove(notes)


def _note_content(item, note):
    paragraphs = [] if item is None else item.findall("p")
    for number, paragraph in enumerate(paragraphs):
        for backref in paragraph.findall("a[@class='footnote-backref']"):
            paragraph.remove(backref)
        text = _TRAILING_SPACE.sub("", paragraph.text or "")
        if number:
            etree.SubElement(note, "br").tail = text
        elif text:
            note.text = text
        for child in paragraph:
            note.append(child)
        if len(note) and note[-1].tail:
            note[-1].tail = _TRAILING_SPACE.sub("", note[-1].tail)


class MarkdownJob:
    """One document's conversion, with the problems it found."""

    def __init__(self, document, folder: Path, shown: Path):
        self.document, self.folder, self.shown = document, folder, shown
        self.problems: list[Problem] = []
        self.headings: list[dict] = []

    def heading(self, element):
        """Give each heading an id (for the table of contents) and remember it."""
        element.set("id", f"h{len(self.headings) + 1}")
        text = "".join(element.itertext()).strip()
        self.headings.append({"level": int(element.tag[1]), "text": text,
                              "id": element.get("id"),
                              "numbered": "unnumbered" not in element.get("class", "")})

    def attributes(self, element):
        for name, value in element.attrib.items():
            if name in ATTRIBUTES or (name in TAG_ATTRIBUTES.get(element.tag, ())
                                      and (name != "style" or _ALIGN.match(value))):
                continue
            written = (f'{name}="{value}"', f"{name}='{value}'", f"{name}={value}", name)
            self.fail(written, f"the attribute '{name}' cannot be set in Markdown",
                      "only .class, #id, lang or title between { }", f'{name}="{value}"')

    def fail(self, needle, message, expected=None, found=None):
        line = source_line(self.document.body, needle, self.document.body_line)
        self.problems.append(Problem(self.shown, line, message, expected, found))

    def image(self, img):
        src = img.get("src", "")
        needle = (f"{img.get('alt', '')}]({src}", f"]({src}", f'src="{src}"', src)
        parts = urlsplit(src)
        target = (self.folder / unquote(parts.path)).resolve()
        if parts.scheme or parts.netloc or src.startswith(("/", "\\")):
            self.fail(needle, "an image must be a file in the meeting folder",
                      "a relative path such as images/photo.png", src)
        elif not target.is_relative_to(self.folder.resolve()):
            self.fail(needle, "an image must be a file in the meeting folder",
                      "a path that stays inside the folder", src)
        elif not target.is_file():
            self.fail(needle, "the image file does not exist", found=src)
        elif (refused := images.check(target, src)):
            self.fail(needle, refused.message, refused.expected, refused.found)
        else:
            img.set("src", quote(target.relative_to(self.folder.resolve()).as_posix()))

    def link(self, anchor):
        href = anchor.get("href", "")
        if urlsplit(href).scheme.lower() not in LINK_SCHEMES:
            text = "".join(anchor.itertext())
            self.fail((f"{text}]({href}", f"]({href}", href), "a link must be a web address",
                      "http://, https:// or mailto:", href)

    def within_limits(self) -> bool:
        """Refuse at once what would take minutes to typeset (see ``limits``)."""
        if (over := limits.too_many_rows(self.document.body)):
            index, rows = over
            self.problems.append(Problem(
                self.shown, self.document.body_line + index, "the tables of this "
                f"document pass {limits.MAX_TABLE_ROWS:,} rows on this line; split "
                "the document or summarise the data", f"at most "
                f"{limits.MAX_TABLE_ROWS:,} table rows in a document", f"{rows:,} rows"))
        if (deep := limits.too_deep_line(self.document.body)):
            index, depth = deep
            self.problems.append(Problem(
                self.shown, self.document.body_line + index, "this line is nested too "
                "deeply (quotes '>' and 4-space indents inside one another)",
                f"at most {limits.MAX_NESTING} levels", f"{depth} levels"))
        return not self.problems

    def too_deep(self, depth: int, text: str = ""):
        line = source_line(self.document.body, text, self.document.body_line) \
            if text else None
        line = line or self.document.body_line + limits.deepest_line(self.document.body)
        self.problems.append(Problem(
            self.shown, line, "the text is nested too deeply to typeset (lists, "
            "quotes or emphasis inside one another)", f"at most {limits.MAX_DEPTH} "
            "levels", f"{depth} levels" if depth else "more than Markdown can read"))

    def convert(self) -> str:
        md = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(ContentTreeprocessor(md, self), "meetdocs", 1)
        try:
            return md.convert(self.document.body)
        except RecursionError:  # Python-Markdown's own parser, at ~250 list levels
            self.too_deep(0)
            return ""


def to_html(document, folder: Path, shown: Path) -> MarkdownJob:
    """Convert; the job holds ``html``, ``headings`` and ``problems``."""
    job = MarkdownJob(document, folder, shown)
    job.html = job.convert() if job.within_limits() else ""
    # The tree is visited parent by parent, not in reading order.
    job.problems.sort(key=lambda problem: problem.line or 0)
    return job


def endnotes(html: str) -> tuple[str, list[str]]:
    """The body with each note replaced by its call ``<sup class="note-call">注1</sup>``,
    and the notes' HTML in order: for templates that print an end-of-article 注解
    list instead of page footnotes."""
    import lxml.html

    root = lxml.html.fragment_fromstring(html, create_parent="div")
    notes = []
    for number, span in enumerate(root.xpath("//span[@class='footnote']"), start=1):
        notes.append(_inner_html(span))
        call = lxml.html.Element("sup", {"class": "note-call", "id": f"note-call-{number}"})
        call.text, call.tail = f"注{number}", span.tail
        span.getparent().replace(span, call)
    return _inner_html(root), notes


def _inner_html(element) -> str:
    import lxml.html

    inner = "".join(lxml.html.tostring(child, encoding="unicode") for child in element)
    return (element.text or "").replace("&", "&amp;").replace("<", "&lt;") + inner


def closing_boxes(html: str) -> tuple[str, str]:
    """Split off the boxes that end an article (the 「APEC典藏」 photo), so a template
    can print the 注解 list between the text and them, as the newsletter does."""
    import lxml.html

    root = lxml.html.fragment_fromstring(html, create_parent="div")
    trailing = []
    for child in reversed(list(root)):
        if child.tag != "aside":
            break
        trailing.insert(0, child)
    boxes = "".join(lxml.html.tostring(box, encoding="unicode") for box in trailing)
    for box in trailing:
        if box.tail and box.tail.strip():
            return html, ""  # text after a box: it does not close the article
        root.remove(box)
    return _inner_html(root), boxes
