"""The Word XML that python-docx has no API for, declared once, its way.

python-docx maps each WordprocessingML element to a class (``docx.oxml``) whose
``ZeroOrOne``/``ZeroOrMore`` members know where a child goes in schema order; Word
refuses a file whose children are out of that order, LibreOffice does not, so
hand-placed XML is how such files get written.  This module registers the few
classes the writer needs beyond python-docx's (the footnotes part and its notes, a
paragraph's border) and holds small builders for the rest (hyperlinks, fields,
footnote references, bookmarks), so that the writer itself places no XML.
"""

from __future__ import annotations

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import PartFactory
from docx.oxml import OxmlElement, parse_xml, register_element_cls
from docx.oxml.ns import nsdecls, qn
from docx.oxml.text.parfmt import CT_PPr
from docx.oxml.xmlchemy import BaseOxmlElement, ZeroOrMore, ZeroOrOne
from docx.parts.story import StoryPart

# ECMA-376 CT_PPrBase: what may follow w:pBdr inside w:pPr.
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
    "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
    "w:rPr", "w:sectPr", "w:pPrChange")


class CT_PPrBorders(CT_PPr):
    """``w:pPr`` with its border (``w:pBdr``), which python-docx does not declare."""

    pBdr = ZeroOrOne("w:pBdr", successors=_AFTER_PBDR)


class CT_Footnotes(BaseOxmlElement):
    """``w:footnotes``, the root of word/footnotes.xml."""

    footnote = ZeroOrMore("w:footnote", successors=())


class CT_Footnote(BaseOxmlElement):
    """``w:footnote``: a story of paragraphs, like a header (python-docx's
    ``BlockItemContainer`` fills it through ``add_p``)."""

    p = ZeroOrMore("w:p", successors=())
    tbl = ZeroOrMore("w:tbl", successors=())


register_element_cls("w:pPr", CT_PPrBorders)
register_element_cls("w:footnotes", CT_Footnotes)
register_element_cls("w:footnote", CT_Footnote)

_EMPTY_FOOTNOTES = (
    f'<w:footnotes {nsdecls("w", "r")}>'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
    '</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
    '<w:continuationSeparator/></w:r></w:p></w:footnote></w:footnotes>')


class FootnotesPart(StoryPart):
    """word/footnotes.xml as a story part: it has its own relationships (the links
    and pictures inside notes) and resolves styles through the document."""

    @classmethod
    def new(cls, package):
        return cls(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES,
                   parse_xml(_EMPTY_FOOTNOTES), package)


PartFactory.part_type_for[CT.WML_FOOTNOTES] = FootnotesPart


def footnotes_part(document) -> FootnotesPart:
    """The document's footnotes part, added when it has none."""
    for rel in document.part.rels.values():
        if rel.reltype == RT.FOOTNOTES:
            return rel.target_part
    part = FootnotesPart.new(document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)
    return part


def new_footnote(part: FootnotesPart, number: int) -> CT_Footnote:
    note = part.element._add_footnote()
    note.set(qn("w:id"), str(number))
    return note


# ---------------------------------------------------------------------- in runs


def footnote_reference(r, number: int) -> None:
    """Make the run ``r`` the call of footnote ``number``."""
    r.append(_el("w:footnoteReference", {"w:id": number}))


def footnote_mark(r) -> None:
    """Make ``r`` the note's own number at the start of the note text."""
    r.append(OxmlElement("w:footnoteRef"))


def field_char(r, kind: str) -> None:
    """``kind`` is begin, separate or end of a complex field."""
    r.append(_el("w:fldChar", {"w:fldCharType": kind}))


def field_code(r, instruction: str) -> None:
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    r.append(code)


def line_break(r) -> None:
    r.append(OxmlElement("w:br"))


def preserve_spaces(r) -> None:
    """Code keeps its runs of spaces; Word collapses them without this."""
    for t in r.iter(qn("w:t")):
        t.set(qn("xml:space"), "preserve")


# ----------------------------------------------------------------- in paragraphs


def hyperlink(parent, r_id: str):
    """A ``w:hyperlink`` to the External relationship ``r_id``, appended to
    ``parent``; its runs are added with ``_add_r``."""
    link = OxmlElement("w:hyperlink", {qn("r:id"): r_id, qn("w:history"): "1"})
    parent.append(link)
    return link


def bookmark(parent, before, after, identifier: int, name: str) -> None:
    """A bookmark ``name`` around the elements from ``before`` to ``after``."""
    before.addprevious(_el("w:bookmarkStart", {"w:id": identifier, "w:name": name}))
    after.addnext(_el("w:bookmarkEnd", {"w:id": identifier}))


def bottom_border(paragraph) -> None:
    """A 0.5 pt line under the paragraph (``hr`` where the style has none)."""
    ppr = paragraph._p.get_or_add_pPr()
    ppr._remove_pBdr()
    ppr._insert_pBdr(_el("w:pBdr", None, _el("w:bottom", {
        "w:val": "single", "w:sz": 6, "w:space": 1, "w:color": "auto"})))


def no_first_line_indent(paragraph, left: int) -> None:
    """Indent a paragraph by ``left`` twips with no first-line indent.
    ``firstLineChars`` is set too: a style's character-unit indent (Normal's two
    characters) would otherwise win over ``firstLine``."""
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    for name in ("w:hanging", "w:hangingChars"):
        ind.attrib.pop(qn(name), None)
    ind.set(qn("w:left"), str(left))
    ind.set(qn("w:firstLine"), "0")
    ind.set(qn("w:firstLineChars"), "0")


def repeat_header(row) -> None:
    """Repeat the row on every page, as Word's "Repeat Header Rows"."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def set_num(paragraph, num_id: int, level: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    num_pr = ppr.get_or_add_numPr()
    if num_id:  # numId 0 (numbering off) takes no level
        num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


def _el(tag: str, attrs: dict | None = None, *children):
    element = OxmlElement(tag, {qn(k): str(v) for k, v in (attrs or {}).items()})
    for child in children:
        element.append(child)
    return element
