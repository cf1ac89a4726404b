"""Office documents checked like content: a DOCX or ODT before the build uses it
(a format's or a meeting's ``reference.docx``) and after a writer made it.

A reference document passes its parts into every DOCX built from it, so one sent
in with a meeting could make the published report fetch a tracking template when
Word opens it, offer a ``file:`` link, pull a picture from the web on a field
update, run a macro, or unpack 3 GB from 3 MB.  Everything below is by
allow-list: relationship types, field codes and link schemes name what our
writers and reference documents use; anything else is refused with its part and
element.

The zip is read by streaming each part and counting the bytes that come out,
never by trusting the sizes its headers claim.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import lxml.etree

from . import files
from .errors import BuildError, Problem


@dataclass(frozen=True)
class Limits:
    packed: int     # bytes of the file
    unpacked: int   # bytes of all parts, as they come out of the zip
    parts: int


# Our reference.docx is 30 KB packed, 120 KB unpacked, 16 parts.
REFERENCE = Limits(packed=10 * 2**20, unpacked=50 * 2**20, parts=200)
# A written document carries the meeting's pictures: at most 30 MB each (README).
OUTPUT = Limits(packed=500 * 2**20, unpacked=1024 * 2**20, parts=5000)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
XLINK = "http://www.w3.org/1999/xlink"
# The last segment of a relationship type: what python-docx, our writer and Word's
# own saving of a reference document make.
RELATIONSHIPS = {"officeDocument", "core-properties", "extended-properties",
                 "custom-properties", "thumbnail", "styles", "stylesWithEffects",
                 "settings", "webSettings", "fontTable", "theme", "numbering",
                 "footnotes", "endnotes", "header", "footer", "image", "hyperlink",
                 "comments", "customXml", "customXmlProps"}
# Page numbers, the TOC, cross-references, and the running head's document title
# and heading text: fields that read the document itself and nothing else.
FIELDS = {"PAGE", "NUMPAGES", "SECTIONPAGES", "TOC", "REF", "NOTEREF", "PAGEREF",
          "SEQ", "TITLE", "STYLEREF"}
SCHEMES = {"http", "https", "mailto"}
# Elements that embed or run something: OLE objects, ActiveX controls, other
# documents pulled in whole, a chart's external data, mail merge sources.
DOCX_REFUSED = {"object": "an embedded object", "control": "an ActiveX control",
                "altChunk": "another document pulled in whole",
                "subDoc": "a subdocument", "attachedTemplate": "a template Word "
                "would fetch", "mailMerge": "a mail-merge data source",
                "OLEObject": "an OLE object", "externalData": "external data"}
ODT_REFUSED = {"scripts": "macros", "script": "a script",
               "event-listeners": "event listeners (macros run on events)",
               "event-listener": "an event listener", "object": "an embedded object",
               "object-ole": "an OLE object", "applet": "an applet",
               "plugin": "a plug-in", "floating-frame": "a frame of another document",
               "dde-connection-decl": "a DDE link", "dde-source": "a DDE link",
               "dde-link": "a DDE link", "section-source": "a linked section"}
_PART_REFUSED = re.compile(r"(?i)(vbaProject|vbaData|activeX|embeddings|/?oleObject"
                           r"|^Basic/|^Scripts/|^Object \d|^ObjectReplacements/)")
_TYPE_REFUSED = re.compile(r"(?i)macroEnabled|vba|activeX|oleObject|template\.main")


def check(data: bytes, shown, limits: Limits = OUTPUT) -> list[Problem]:
    """Every problem of the DOCX or ODT ``data``; ``shown`` names it in messages."""
    def problem(part, element, what):
        return Problem(shown, None, f"{part}: {element}: {what}")

    if len(data) > limits.packed:
        return [Problem(shown, None, "the office document is too large",
                        f"at most {limits.packed // 2**20} MB",
                        f"{len(data) / 2**20:.1f} MB")]
    try:
        parts = unpack(data, limits)
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError,
            RuntimeError) as exc:  # RuntimeError: an encrypted part
        return [Problem(shown, None, f"not a readable office document: {exc}")]
    except TooLarge as exc:
        return [Problem(shown, None, str(exc))]
    found = (check_odt(parts) if "content.xml" in parts and "word/document.xml"
             not in parts else check_docx(parts))
    return [problem(*item) for item in found]


def require(path: Path, roots, shown, limits: Limits = REFERENCE) -> None:
    """Read ``path`` as content (files.py: no link, inside ``roots``) and check it;
    a ``BuildError`` names every refusal."""
    data = files.read_inside(path, roots, shown, limit=limits.packed)
    problems = check(data, shown, limits)
    if problems:
        raise BuildError(problems)


class TooLarge(Exception):
    pass


def unpack(data: bytes, limits: Limits) -> dict[str, bytes]:
    """The parts by name, read in chunks and counted as they come out."""
    parts, total = {}, 0
    with zipfile.ZipFile(BytesIO(data)) as archive:
        members = archive.infolist()
        if len(members) > limits.parts:
            raise TooLarge(f"the office document has {len(members):,} parts; at most "
                           f"{limits.parts:,}")
        for info in members:
            if info.filename in parts:
                raise ValueError(f"the part {info.filename} is in the zip twice")
            chunks = []
            with archive.open(info) as stream:
                while chunk := stream.read(1 << 16):
                    total += len(chunk)
                    if total > limits.unpacked:
                        raise TooLarge(f"{info.filename}: the office document unpacks "
                                       f"to more than {limits.unpacked // 2**20} MB")
                    chunks.append(chunk)
            parts[info.filename] = b"".join(chunks)
    return parts


def check_docx(parts: dict[str, bytes]):
    for name, data in parts.items():
        if _PART_REFUSED.search(name):
            yield name, "part", "macros, ActiveX or embedded objects are not allowed"
        if name == "[Content_Types].xml":
            yield from _content_types(name, data)
        elif name.endswith(".rels"):
            yield from _relationships(name, data)
        elif name.endswith(".xml"):
            yield from _word_xml(name, data)


def _parse(name: str, data: bytes):
    """XML without DTDs, entities or network; an unreadable part is a refusal."""
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True,
                                  load_dtd=False, huge_tree=False)
    try:
        root = lxml.etree.fromstring(data, parser)
    except lxml.etree.XMLSyntaxError as exc:
        return None, (name, "XML", f"not readable: {exc}")
    if root.getroottree().docinfo.doctype:
        return None, (name, "DOCTYPE", "a document type declaration is not allowed")
    return root, None


def _content_types(name, data):
    root, refusal = _parse(name, data)
    if refusal:
        yield refusal
        return
    for element in root:
        kind = element.get("ContentType", "")
        if _TYPE_REFUSED.search(kind):
            yield name, lxml.etree.QName(element).localname, \
                f"content type {kind} (macros, ActiveX, OLE or a template)"


def _relationships(name, data):
    root, refusal = _parse(name, data)
    if refusal:
        yield refusal
        return
    for rel in root.iter(f"{{{RELS}}}Relationship"):
        kind = rel.get("Type", "").rsplit("/", 1)[-1]
        target, external = rel.get("Target", ""), rel.get("TargetMode") == "External"
        where = f"Relationship {rel.get('Id')}"
        if kind not in RELATIONSHIPS:
            yield name, where, f"relationship type '{kind}' is not allowed"
        elif external and (kind != "hyperlink" or not _web_link(target)):
            yield name, where, f"an external {kind} to {target!r}; only http, https " \
                "and mailto hyperlinks may leave the document"


def _web_link(target: str) -> bool:
    return urlsplit(target.strip()).scheme.lower() in SCHEMES


def _word_xml(name, data):
    root, refusal = _parse(name, data)
    if refusal:
        yield refusal
        return
    for element in root.iter(lxml.etree.Element):
        local = element.tag.rpartition("}")[2]  # QName() per element costs 5x
        if local in DOCX_REFUSED:
            yield name, f"<{element.prefix}:{local}>", f"{DOCX_REFUSED[local]} is not " \
                "allowed"
    for code, element in field_codes(root):
        words = code.split()
        if words and words[0].upper() not in FIELDS:
            yield name, f"field {code.strip()[:60]!r}", "only the fields " + \
                ", ".join(sorted(FIELDS)) + " are allowed"


def field_codes(root):
    """``(code, element)`` of each field: ``w:fldSimple/@w:instr``, and the
    ``w:instrText`` runs between a ``begin`` and a ``separate``/``end``
    ``w:fldChar``, joined (Word splits a code over runs: "INCLUDE" "PICTURE")."""
    stack = []
    for element in root.iter(f"{{{W}}}fldSimple", f"{{{W}}}fldChar",
                             f"{{{W}}}instrText"):
        local = lxml.etree.QName(element).localname
        if local == "fldSimple":
            yield element.get(f"{{{W}}}instr", ""), element
        elif local == "instrText" and stack:
            stack[-1][0].append(element.text or "")
        elif local == "fldChar":
            kind = element.get(f"{{{W}}}fldCharType")
            if kind == "begin":
                stack.append(([], element))
            elif kind in ("separate", "end") and stack:
                texts, begin = stack[-1]
                if texts is not None:
                    yield "".join(texts), begin
                stack[-1] = (None, begin)
                if kind == "end":
                    stack.pop()


def check_odt(parts: dict[str, bytes]):
    for name, data in parts.items():
        if _PART_REFUSED.search(name):
            yield name, "part", "macros or embedded objects are not allowed"
        elif name.endswith(".xml") or name.endswith(".rdf"):
            yield from _odf_xml(name, data, parts)


def _odf_xml(name, data, parts):
    root, refusal = _parse(name, data)
    if refusal:
        yield refusal
        return
    for element in root.iter(lxml.etree.Element):
        local = element.tag.rpartition("}")[2]
        # LibreOffice writes an empty <office:scripts/> into every document.
        empty = local in ("scripts", "event-listeners") and len(element) == 0
        if local in ODT_REFUSED and not empty and name != "META-INF/manifest.xml":
            yield name, f"<{element.prefix}:{local}>", f"{ODT_REFUSED[local]} is not " \
                "allowed"
        href = element.get(f"{{{XLINK}}}href")
        if href is not None and not _odf_link_ok(href, local, parts):
            yield name, f"<{element.prefix}:{local} xlink:href={href!r}>", \
                "only http, https and mailto hyperlinks may leave the document"


def _odf_link_ok(href: str, local: str, parts) -> bool:
    """A hyperlink (``text:a``) to the web, a reference inside the document, or a
    part of the package (a picture)."""
    if href.startswith("#") or not href.strip():  # LibreOffice: <meta:template
        return True                                # xlink:href=""/> names nothing
    if urlsplit(href).scheme:
        return local == "a" and _web_link(href)
    return href.removeprefix("./").rstrip("/") in {p.rstrip("/") for p in parts} \
        or any(p.startswith(href.removeprefix("./").rstrip("/") + "/") for p in parts)
