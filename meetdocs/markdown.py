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

Python-Markdown is the parser; what it reads differently from the way authors write
(Typora, VS Code, text pasted from Word) is closed piece by piece:

- source habits (comments, list nesting by 2 or 3 spaces, ``1)`` markers, lists and
  tables right after a paragraph, Word's first-line indent): ``mdfix``, on the text;
- fenced code (also inside lists and quotes): ``pymdownx.superfences``, with
  ``pymdownx.highlight`` set to plain ``<pre><code>`` (no Pygments colouring);
  Python-Markdown's indented code is switched off, since Word's indents are not code;
- ``~~struck~~`` (Typora's and GitHub's strikethrough) → ``<del>``: ``pymdownx.tilde``;
- start numbers (``3.`` first → ``<ol start="3">``): Python-Markdown's ``lazy_ol=False``;
- ``<info@apec.org>``: Python-Markdown hides the address in character entities,
  which then leak into messages; ``MailtoProcessor`` makes a plain mailto link;
- bare ``https://…``, ``www.…`` and e-mail addresses (GitHub's extended autolinks)
  → links, ending where Chinese text starts (「見https://x.org。」): ``mdlinks``;
- notes of several blocks, notes cited twice, notes in headings: ``inline_footnotes``;
- U+2028 (Word's line separator) → ``<br>``; a no-break space between two CJK
  characters → U+3000, the ideographic space: Chinese text has no narrow space, a
  space between two characters is one character wide (「主席　王小明」), and a
  no-break space there printed as a visible "NBSP" glyph in the report PDF;
- every problem at its own line: ``Locator`` finds the n-th use of a needle for the
  n-th problem with it, and messages show what the author typed.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as etree
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import markdown
from markdown import util
from markdown.inlinepatterns import AUTOMAIL_RE, InlineProcessor
from markdown.treeprocessors import Treeprocessor

from . import images, limits, mdfix
from .mdlinks import BARE_ADDRESS, BareAddressProcessor
# endnotes is the pipeline's, imported from here as before.
from .mdnotes import (endnotes, inline_footnotes, inner_html,  # noqa: F401
                      is_call, text_without_calls)
from .errors import Problem

EXTENSIONS = ["tables", "footnotes", "attr_list", "sane_lists", "admonition",
              "pymdownx.superfences", "pymdownx.highlight", "pymdownx.tilde"]
# ~x~ stays text: Chinese authors write 〜 ranges with tildes, never subscripts.
EXTENSION_CONFIGS = {"pymdownx.highlight": {"use_pygments": False},
                     "pymdownx.tilde": {"subscript": False}}
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


_PLACEHOLDER = re.compile("\x02(?:(\\d+)|amp|[^\x03]*)\x03")
LINE_SEPARATOR = "\u2028"


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def join_cjk_breaks(text: str) -> str:
    def repl(match):
        a, b = match[1], match[2]
        return a + b if _wide(a) and _wide(b) else match[0]

    return _cjk_spaces(_BREAK.sub(repl, text))


def _cjk_spaces(text: str) -> str:
    if "\u00a0" not in text:
        return text
    chars = list(text)
    for index in range(1, len(chars) - 1):
        if chars[index] == "\u00a0" and _wide(chars[index - 1]) and _wide(chars[index + 1]):
            chars[index] = "\u3000"
    return "".join(chars)


def authored(text):
    """Text for a message: Python-Markdown's placeholders (STX … ETX) turned back
    into the characters they stand for, never shown as themselves."""
    if not isinstance(text, str):
        return text
    return _PLACEHOLDER.sub(lambda m: chr(int(m[1])) if m[1] else
                            ("&" if m[0] == "\x02amp\x03" else ""), text)


def source_line(body: str, needle, first_line: int) -> int | None:
    """The file line where ``needle`` (or the first found of several) first appears
    in the body: Python-Markdown keeps no source positions, so messages search."""
    for candidate in (needle,) if isinstance(needle, str) else needle:
        for number, line in enumerate(body.split("\n")):
            if candidate in line:
                return first_line + number
    return None


class Locator:
    """Lines of the author's text for one document's problems.  The n-th problem
    with a needle is at the needle's n-th use: the same image named twice gives
    two messages, each at its own line."""

    def __init__(self, body: str, first_line: int):
        self.lines, self.first_line = body.split("\n"), first_line
        self.used: dict[str, int] = {}

    def line(self, needle) -> int | None:
        for candidate in (needle,) if isinstance(needle, str) else needle:
            hits = [number for number, line in enumerate(self.lines)
                    for _ in range(line.count(candidate))] if candidate else []
            if hits:
                index = self.used.get(candidate, 0)
                self.used[candidate] = index + 1
                return self.first_line + hits[min(index, len(hits) - 1)]
        return None

    def target(self, href: str) -> tuple[int | None, str]:
        """The line and the text as typed of the link whose address is ``href``."""
        hits = [(number, raw) for number, line in enumerate(self.lines)
                for raw in _targets(line) if _unescape(raw) in (href, _mail(href))]
        if not hits:
            return None, href
        index = self.used.get("\0" + href, 0)
        self.used["\0" + href] = index + 1
        number, raw = hits[min(index, len(hits) - 1)]
        return self.first_line + number, raw


# A link's address as typed: [text](address "title") or <address>.
_TARGET = re.compile(r"\]\(\s*<?([^\s)>]*)|<([^<>\s]+)>")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()>#+\-.!])")


def _targets(line: str):
    for match in _TARGET.finditer(line):
        opening = line.rfind("[", 0, match.start())
        if match[2] or line[opening - 1:opening] != "!":  # not an image's
            yield match[1] or match[2]


def _unescape(raw: str) -> str:
    return _ESCAPED.sub(r"\1", raw)


def _mail(href: str) -> str:
    return href.removeprefix("mailto:")


class MailtoProcessor(InlineProcessor):
    """``<info@apec.org>`` → a plain mailto link (Python-Markdown's own hides the
    address in character entities)."""

    def handleMatch(self, m, data):
        anchor = etree.Element("a", {"href": "mailto:" + m.group(1)})
        anchor.text = util.AtomicString(m.group(1))
        return anchor, m.start(0), m.end(0)


class ContentTreeprocessor(Treeprocessor):
    """Checks images and links in reading order, makes figures and boxes, puts
    notes at their calls, joins CJK line breaks."""

    def __init__(self, md, job):
        super().__init__(md)
        self.job = job

    def run(self, root):
        depth, deepest = limits.deepest_element(root)
        if depth > limits.MAX_DEPTH:
            self.job.too_deep(depth, "".join(deepest.itertext()).strip()[:20])
            root.clear()  # serializing it would overflow the stack too
            return
        parents = {child: parent for parent in root.iter() for child in parent}
        for element in list(root.iter()):
            if element is not root:
                self.visit(parents[element], element)
        inline_footnotes(root, self.job)
        for element in root.iter():
            start_number(element)
            element.text = join_cjk_breaks(element.text) if element.text else element.text
            element.tail = join_cjk_breaks(element.tail) if element.tail else element.tail
        line_breaks(root)

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


def start_number(element):
    """WeasyPrint reads ``<ol start>`` only with presentational hints, which would
    let other attributes style the page too: the start is given as the counter."""
    start = element.get("start") if element.tag == "ol" else None
    if start and start.isdigit():
        element.set("style", f"counter-reset: list-item {int(start) - 1}")


def line_breaks(root):
    """U+2028, Word's line separator, is a line break: ``<br>``."""
    for element in list(root.iter()):
        if element.text and LINE_SEPARATOR in element.text:
            first, *rest = element.text.split(LINE_SEPARATOR)
            element.text = first
            for index, piece in enumerate(rest):
                br = etree.Element("br")
                br.tail = piece
                element.insert(index, br)
        if element.tail and LINE_SEPARATOR in element.tail:
            parent = next(p for p in root.iter() if element in list(p))
            first, *rest = element.tail.split(LINE_SEPARATOR)
            element.tail = first
            at = list(parent).index(element)
            for index, piece in enumerate(rest, start=1):
                br = etree.Element("br")
                br.tail = piece
                parent.insert(at + index, br)


def make_box(div):
    """``!!! glossary "APEC小百科"`` (the admonition syntax) → ``<aside class="box
    glossary">`` with its title as ``<p class="box-title">``: one syntax for every
    sidebar, the word after !!! naming its kind for the stylesheet."""
    kinds = [c for c in div.get("class", "").split() if c != "admonition"]
    div.tag = "aside"
    div.set("class", " ".join(["box", *kinds]))
    for title in div.findall("p[@class='admonition-title']"):
        title.set("class", "box-title")


class MarkdownJob:
    """One document's conversion, with the problems it found."""

    def __init__(self, document, folder: Path, shown: Path):
        self.document, self.folder, self.shown = document, folder, shown
        self.problems: list[Problem] = []
        self.headings: list[dict] = []
        self.locator = Locator(document.body, document.body_line)

    def heading(self, element):
        """Give each heading an id (for the table of contents) and remember it; a
        note called in the heading stays out of its outline and bookmark text."""
        element.set("id", f"h{len(self.headings) + 1}")
        text = text_without_calls(element).strip()
        if any(is_call(child) for child in element.iter()):
            element.set("data-bookmark", text)
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

    def fail(self, needle, message, expected=None, found=None, line=None):
        line = line or self.locator.line(needle)
        self.problems.append(Problem(self.shown, line, message, authored(expected),
                                     authored(found)))

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
        elif not target.exists():
            self.fail(needle, "the image file does not exist", found=src)
        elif (refused := images.check(target, src)):
            self.fail(needle, refused.message, refused.expected, refused.found)
        else:
            img.set("src", quote(target.relative_to(self.folder.resolve()).as_posix()))

    def link(self, anchor):
        href = anchor.get("href", "")
        if urlsplit(href).scheme.lower() not in LINK_SCHEMES:
            line, typed = self.locator.target(href)
            text = "".join(anchor.itertext())
            self.fail((f"{text}]({href}", f"]({href}", href), "a link must be a web "
                      "address", "http://, https:// or mailto:", typed, line)

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
        if (slow := limits.quadratic(self.document.body)):
            self.problems.append(Problem(
                self.shown, self.document.body_line + slow[0], "Markdown would take "
                f"minutes to read this paragraph: it has too many {slow[1]}",
                "fewer (see meetdocs/limits.py)", slow[2]))
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
        md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS,
                               output_format="html", lazy_ol=False)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.register(MailtoProcessor(AUTOMAIL_RE, md), "automail", 110)
        # After code, links and <…> have been taken out; before emphasis, so that
        # an underscore inside an address is not read as one.
        md.inlinePatterns.register(BareAddressProcessor(BARE_ADDRESS, md), "bare_address", 105)
        md.parser.blockprocessors.deregister("code")  # indents are Word's, not code
        # After "unescape" (0): addresses and texts as the author meant them.
        md.treeprocessors.register(ContentTreeprocessor(md, self), "meetdocs", -1)
        try:
            return md.convert(mdfix.normalize(self.document.body))
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
    return inner_html(root), boxes
