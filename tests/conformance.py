"""The conformance corpus (tests/data/corpus/): build each case through the real
pipeline and check every marked unit in the HTML, the PDF text, the DOCX and the ODT.

A case is one Markdown document of the delegation-report format (PDF, DOCX, ODT).
Every unit carries a visible marker such as ``M07a``; an HTML comment in the
document (comments are never published) lists what each marker must be:

    <!-- expect
    M07a: p            a body paragraph
    M07b: h2           a heading of level 2 (h1 … h4)
    M07c: li 2 3       list item, level 2, number 3 ("li 1 -" for a bullet)
    M07j: cont 1       a later paragraph of a list item of level 1
    M07d: td           a table cell
    M07e: note         text of a footnote
    M07f: code         a line of a code block
    M07g: caption      a figure's caption
    M07h: quote        a paragraph in a quote
    M07i: box          text in a box (!!!)
    M07x: gone         inside a comment: in no output
    -->

A bad case (tests/data/corpus/bad/) lists its messages instead, each as the line
and message after the file's name:

    <!-- errors
    12: the image file does not exist, found images/missing.png
    -->

``check_all(repo, cases)`` returns, per case, per output, the markers that failed;
the tests assert there are none, and ``scripts/conformance.py`` counts them for a
report (so the same code measures any checkout of the project).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

from lxml import etree, html as lxml_html

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
_MANIFEST = re.compile(r"<!--\s*(expect|errors)\s*\n(.*?)-->", re.S)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_BLOCKS = {"p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption",
           "pre", "blockquote", "aside"}


def manifest(path: Path) -> tuple[str, list[tuple[str, list[str]]]]:
    """("expect", [(marker, [kind, args…])…]) or ("errors", [(line, [message])…])."""
    match = _MANIFEST.search(path.read_text(encoding="utf-8"))
    entries = []
    for line in match[2].strip().split("\n"):
        key, _, rest = line.partition(":")
        if match[1] == "errors":
            entries.append((key.strip(), [rest.strip()]))
        else:
            entries.append((key.strip(), rest.split("#")[0].split()))
    return match[1], entries


def cases(kind: str = "good") -> list[Path]:
    return sorted((CORPUS / kind).glob("*.md"))


def meeting_id(case: Path) -> str:
    return "case-" + case.stem


def make_project(repo: Path, root: Path, case_files: list[Path]) -> Path:
    """A project with ``repo``'s templates and one meeting per case."""
    shutil.copytree(repo / "templates", root / "templates")
    (root / "content").mkdir(parents=True)
    for case in case_files:
        folder = root / "content" / meeting_id(case)
        shutil.copytree(CORPUS / "meeting", folder)
        # The manifest is not part of the case (comments are tested by case 21):
        # without it, a checkout that prints comments is measured on the units.
        text = _MANIFEST.sub("", case.read_text(encoding="utf-8"))
        (folder / "delegation-report.md").write_text(text, encoding="utf-8")
    return root


# --- HTML -------------------------------------------------------------------------

def html_failures(page: str, expected) -> list[str]:
    root = lxml_html.fromstring(page)
    failed = []
    for marker, (kind, *args) in expected:
        # The table of contents repeats the headings: the unit is the heading itself.
        nodes = root.xpath(f"//body//text()[contains(., '{marker}')]"
                           "[not(ancestor::nav)]")
        if kind == "gone":
            if nodes:
                failed.append(marker)
        elif len(nodes) != 1 or not _html_kind(nodes[0], kind, args):
            failed.append(marker)
    return failed


def _ancestors(node) -> list:
    element = node.getparent()
    chain = []
    while element is not None:
        chain.append(element)
        element = element.getparent()
    return chain


def _html_kind(node, kind: str, args: list[str]) -> bool:
    chain = _ancestors(node)
    tags = [e.tag for e in chain]
    classes = [e.get("class") or "" for e in chain]
    block = next((e for e in chain if e.tag in _BLOCKS), None)
    in_note = any("footnote" in c.split() for c in classes)
    if kind == "note":
        return in_note
    if in_note:
        return False
    if kind == "li":
        return _html_item(chain, args)
    if kind == "cont":
        return len([e for e in chain if e.tag == "li"]) == int(args[0])
    if kind == "p":
        return block is not None and block.tag == "p" and not \
            {"li", "td", "th", "blockquote", "aside", "figure"} & set(tags)
    simple = {"td": ("td", "th"), "code": ("pre",), "caption": ("figcaption",),
              "quote": ("blockquote",), "box": ("aside",)}
    if kind in simple:
        return any(tag in simple[kind] for tag in tags)
    return block is not None and block.tag == kind


def _html_item(chain, args) -> bool:
    items = [e for e in chain if e.tag == "li"]
    if not items or len(items) != int(args[0]):
        return False
    item, parent = items[0], items[0].getparent()
    if args[1] == "-":
        return parent.tag == "ul"
    siblings = [e for e in parent if e.tag == "li"]
    start = int(parent.get("start") or 1)
    return parent.tag == "ol" and start + siblings.index(item) == int(args[1])


# --- PDF --------------------------------------------------------------------------

def pdf_failures(path: Path, expected) -> list[str]:
    text = re.sub(r"\s+", "", subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
        text=True, check=True).stdout)
    failed, position = [], 0
    for marker, (kind, *_) in expected:
        found = text.rfind(marker)  # a heading's first is its table of contents entry
        # the report's table of contents lists levels 1-3 only
        copies = 2 if kind in ("h1", "h2", "h3") else 1
        if kind == "gone":
            if found >= 0:
                failed.append(marker)
        elif found < 0 or text.count(marker) != copies:
            failed.append(marker)
        elif kind != "note":  # notes print at the foot of the page
            if found < position:
                failed.append(marker)
            position = max(position, found)
    return failed


# --- DOCX -------------------------------------------------------------------------

class Docx:
    def __init__(self, path: Path):
        with zipfile.ZipFile(path) as archive:
            read = lambda name: etree.fromstring(archive.read(name)) \
                if name in archive.namelist() else None  # noqa: E731
            self.body = read("word/document.xml")
            self.notes = read("word/footnotes.xml")
            self.styles = read("word/styles.xml")
            self.numbering = read("word/numbering.xml")
        self.paragraphs = list(self.body.iter(W + "p"))

    def find(self, marker: str):
        for tree in (self.body, self.notes):
            if tree is None:
                continue
            for text in tree.iter(W + "t"):
                if marker in (text.text or ""):
                    paragraph = next(a for a in text.iterancestors(W + "p"))
                    if not self.style(paragraph).startswith("TOC"):
                        return tree, paragraph
        return None, None

    def style(self, paragraph) -> str:
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        return style.get(W + "val") if style is not None else "Normal"

    def style_numbering(self, style_id: str):
        for style in self.styles.iter(W + "style"):
            if style.get(W + "styleId") == style_id:
                num = style.find(f"{W}pPr/{W}numPr/{W}numId")
                return num.get(W + "val") if num is not None else None
        return None

    def numbering_of(self, paragraph):
        """(numId, ilvl) from the paragraph or its style; None if not a list."""
        num_pr = paragraph.find(f"{W}pPr/{W}numPr")
        num_id = ilvl = None
        if num_pr is not None:
            if (found := num_pr.find(W + "numId")) is not None:
                num_id = found.get(W + "val")
            if (found := num_pr.find(W + "ilvl")) is not None:
                ilvl = int(found.get(W + "val"))
        num_id = num_id or self.style_numbering(self.style(paragraph))
        if not num_id or num_id == "0":
            return None
        return num_id, ilvl or 0

    def level_format(self, num_id: str, ilvl: int) -> tuple[str, int]:
        """(numFmt, start) of a list level, overrides applied."""
        num = next(n for n in self.numbering.iter(W + "num")
                   if n.get(W + "numId") == num_id)
        abstract = num.find(W + "abstractNumId").get(W + "val")
        start = None
        for override in num.iter(W + "lvlOverride"):
            if override.get(W + "ilvl") == str(ilvl) and \
                    (found := override.find(W + "startOverride")) is not None:
                start = int(found.get(W + "val"))
        for definition in self.numbering.iter(W + "abstractNum"):
            if definition.get(W + "abstractNumId") == abstract:
                for level in definition.iter(W + "lvl"):
                    if level.get(W + "ilvl") == str(ilvl):
                        fmt = level.find(W + "numFmt")
                        first = level.find(W + "start")
                        return (fmt.get(W + "val") if fmt is not None else "decimal",
                                start or (int(first.get(W + "val"))
                                          if first is not None else 1))
        return "decimal", start or 1

    def number(self, paragraph, num_id: str, ilvl: int) -> int:
        """The number Word gives the item: the level's start, plus the items of the
        same list and level before it since its parent level last moved on."""
        count = 0
        for other in self.paragraphs[:self.paragraphs.index(paragraph)][::-1]:
            numbering = self.numbering_of(other)
            if numbering is None or numbering[0] != num_id:
                continue
            if numbering[1] < ilvl:
                break
            count += numbering[1] == ilvl
        return self.level_format(num_id, ilvl)[1] + count


def docx_failures(path: Path, expected) -> list[str]:
    document = Docx(path)
    return [marker for marker, (kind, *args) in expected
            if not _docx_kind(document, marker, kind, args)]


def _docx_kind(document: Docx, marker: str, kind: str, args) -> bool:
    tree, paragraph = document.find(marker)
    if kind == "gone":
        return paragraph is None
    if paragraph is None:
        return False
    if kind == "note" or tree is document.notes:
        return kind == "note" and tree is document.notes
    style = document.style(paragraph)
    in_cell = next(paragraph.iterancestors(W + "tc"), None) is not None
    numbering = document.numbering_of(paragraph)
    if kind == "li":
        if numbering is None or numbering[1] + 1 != int(args[0]):
            return False
        fmt, _ = document.level_format(*numbering)
        if args[1] == "-":
            return fmt == "bullet"
        return fmt != "bullet" and document.number(paragraph, *numbering) == int(args[1])
    if kind == "cont":  # Word's List Continue, indented with its item, no number
        level = int(args[0])
        return style == "ListContinue" + (str(level) if level > 1 else "") or \
            (numbering is not None and numbering[1] + 1 == level)
    if kind == "td":
        return in_cell
    if kind.startswith("h") and kind[1:].isdigit():
        return style in (f"Heading{kind[1:]}", "UnnumberedHeading")
    if kind == "code":
        return bool(re.search(r"code|source|macro|preformat|plain", style, re.I))
    named = {"caption": "Caption", "quote": "Quote", "box": "BoxText"}
    if kind in named:
        return style.startswith(named[kind])
    return kind == "p" and not in_cell and numbering is None and \
        style in ("Normal", "BodyText", "FirstParagraph")


# --- ODT --------------------------------------------------------------------------

ODF = {"text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
       "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
       "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
       "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0"}
T = "{%s}" % ODF["text"]
# Word style → the name LibreOffice gives it in the ODT (Quote is its Quotations).
_ODT_STYLES = {"code": ("Source", "Code", "Preformatted"), "quote": ("Quot",),
               "caption": ("Caption",), "box": ("Box",)}


class Odt:
    """content.xml with each automatic paragraph style traced to its named parent."""

    def __init__(self, path: Path):
        with zipfile.ZipFile(path) as archive:
            self.content = etree.fromstring(archive.read("content.xml"))
        self.parents = {
            style.get(f"{{{ODF['style']}}}name"): style.get(f"{{{ODF['style']}}}parent-style-name")
            for style in self.content.iter(f"{{{ODF['style']}}}style")}

    def find(self, marker: str):
        """The innermost paragraph or heading holding ``marker``: a note's text is
        inside the paragraph that calls it, so the last match in document order."""
        found = None
        for block in self.content.iter(T + "p", T + "h"):
            if marker in "".join(block.itertext()) and not \
                    block.xpath("ancestor::text:table-of-content", namespaces=ODF):
                found = block
        return found

    def style(self, block) -> str:
        name = block.get(T + "style-name") or ""
        return (self.parents.get(name) or name).replace("_20_", " ")


def odt_failures(path: Path | None, expected) -> list[str]:
    if path is None:  # a checkout that writes no ODT
        return [marker for marker, _ in expected]
    document = Odt(path)
    return [marker for marker, (kind, *args) in expected
            if not _odt_kind(document, marker, kind, args)]


def _odt_kind(document: Odt, marker: str, kind: str, args) -> bool:
    block = document.find(marker)
    if kind == "gone" or block is None:
        return kind == "gone" and block is None
    inside = lambda name: bool(block.xpath(f"ancestor::{name}", namespaces=ODF))  # noqa: E731
    if kind == "note" or inside("text:note-body"):
        return kind == "note" and inside("text:note-body")
    depth = len(block.xpath("ancestor::text:list", namespaces=ODF))
    if kind == "li":
        return depth == int(args[0])
    if kind == "cont":  # Word's List Continue arrives as LibreOffice's own
        level = int(args[0])
        return depth == level or \
            document.style(block) == "List Continue" + (f" {level}" if level > 1 else "")
    if kind == "td":
        return inside("table:table-cell")
    if kind.startswith("h") and kind[1:].isdigit():
        return block.tag == T + "h" and block.get(T + "outline-level") == kind[1:]
    if kind in _ODT_STYLES:
        style = document.style(block).lower()
        return any(word.lower() in style for word in _ODT_STYLES[kind])
    return kind == "p" and block.tag == T + "p" and depth == 0 and \
        not inside("table:table-cell")


# --- building ---------------------------------------------------------------------

def build(repo: Path, root: Path, case_files: list[Path]) -> dict:
    """Every case built with ``repo``'s code and templates: {case: outcome}, where
    an outcome is {"html": str, "pdf": Path, "docx": Path} or {"error": str}."""
    import importlib
    import sys

    sys.path.insert(0, str(repo))
    try:
        pipeline = importlib.import_module("meetdocs.pipeline")
        errors = importlib.import_module("meetdocs.errors")
        project = make_project(repo, root / "project", case_files)
        results = {}
        for case in case_files:
            results[case] = _build_one(pipeline, errors, project, case, root / "output")
        return results
    finally:
        sys.path.remove(str(repo))


def _build_one(pipeline, errors, project: Path, case: Path, out: Path) -> dict:
    name = meeting_id(case)
    try:
        jobs = pipeline.render_html(project, name)
        outcome = pipeline.build_meeting(project, name, out, force=True)
    except errors.BuildError as exc:
        return {"error": str(exc)}
    files = {path.suffix: path for path in outcome.files}
    return {"html": jobs[0].html, "pdf": files.get(".pdf"), "docx": files.get(".docx"),
            "odt": files.get(".odt")}


def check(outcome: dict, expected) -> dict[str, list[str]]:
    """{output: [failed markers]}; a case that did not build fails everywhere."""
    every = [marker for marker, _ in expected]
    if "error" in outcome:
        return {"html": every, "pdf": every, "docx": every, "odt": every}
    return {"html": html_failures(outcome["html"], expected),
            "pdf": pdf_failures(outcome["pdf"], expected),
            "docx": docx_failures(outcome["docx"], expected),
            "odt": odt_failures(outcome["odt"], expected)}


# --- links ------------------------------------------------------------------------

def html_links(page: str) -> list[tuple[str, str]]:
    """(href, text) of each link to the web in the body, in reading order (a page
    footnote's links come at its call)."""
    root = lxml_html.fromstring(page)
    return [(a.get("href"), a.text_content()) for a in root.xpath(
        "//body//a[@href][not(starts-with(@href, '#'))][not(ancestor::nav)]")]


def docx_links(path: Path) -> list[tuple[str, str]]:
    """(relationship target, text) of each ``w:hyperlink`` to an external target, the
    body's first, then the footnotes' (each part has its own relationships)."""
    rels = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    links = []
    with zipfile.ZipFile(path) as archive:
        for part in ("document", "footnotes"):
            if f"word/{part}.xml" not in archive.namelist():
                continue
            targets = {r.get("Id"): r.get("Target") for r in etree.fromstring(
                archive.read(f"word/_rels/{part}.xml.rels")) if r.get("TargetMode") == "External"}
            for link in etree.fromstring(archive.read(f"word/{part}.xml")).iter(W + "hyperlink"):
                if link.get(rels) in targets:
                    text = "".join(t.text or "" for t in link.iter(W + "t"))
                    links.append((targets[link.get(rels)], text))
    return links


def odt_links(path: Path) -> list[tuple[str, str]]:
    """(xlink:href, text) of each ``text:a`` to the web; a note's at its call."""
    with zipfile.ZipFile(path) as archive:
        content = etree.fromstring(archive.read("content.xml"))
    href = "{http://www.w3.org/1999/xlink}href"
    return [(a.get(href), "".join(a.itertext())) for a in content.iter(T + "a")
            if not a.get(href, "#").startswith("#")]


def pdf_link_targets(path: Path) -> set[str]:
    """The URIs of the PDF's link annotations (a link broken over lines has one
    annotation per piece)."""
    import json

    found = set()

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "/URI" and isinstance(item, str):
                    found.add(item.removeprefix("u:"))
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(subprocess.run(["qpdf", "--json", str(path)], capture_output=True,
                                   text=True, check=True).stdout))
    return found
