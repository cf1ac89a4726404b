"""Build ``reference.docx``, the Word style sheet the DOCX writer starts from.

The writer opens this file, empties its body and fills it, so every visual decision
of a 出國報告 lives here as a real Word style: a user who wants a different look edits
``reference.docx`` in Word (Modify Style, Define Multilevel List) and rebuilds, and
nothing in the writer has to change.  That is also why the heading numbers
(壹、 一、 （一） 1. （1）) are a multilevel list *tied to the heading styles*
rather than text: Word renumbers when a heading is inserted or moved.

python-docx has no API for East Asian fonts, languages, numbering or table styles,
so those are written as WordprocessingML.  Every property element is (re)built in
the order the OOXML schema prescribes, because Word refuses files whose ``w:pPr`` or
``w:rPr`` children are out of order even though LibreOffice accepts them.

The result is deterministic: the same code gives the same XML, and the zip is
rewritten with fixed timestamps, so a rebuilt reference only shows up in a diff when
a style really changed.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Twips

LATIN_FONT = "Times New Roman"
CJK_FONT = "標楷體"
# Code's face in the PDF (templates/shared/markdown.css): one monospace face for
# Latin and Chinese alike, so that the columns of a code block line up.
CODE_FONT = "Noto Sans Mono CJK TC"
BODY_HALF_POINTS = 28  # 14 pt, the customary body size of 出國報告

# A4 with 2.5 cm top/bottom and 3 cm left/right margins, in twips.
PAGE_WIDTH, PAGE_HEIGHT = 11906, 16838
MARGIN_TB, MARGIN_LR = 1417, 1701
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN_LR
QUOTE_INDENT = 567  # 1 cm, each level of quote

HEADING_STYLE_IDS = ("Heading1", "Heading2", "Heading3", "Heading4", "Heading5")

# Fixed so that two builds give identical numbering.xml; Word only needs them unique.
_NSID = {"heading": "4D440001", "bullet": "4D440002", "number": "4D440003"}

# (numFmt, lvlText, suffix, left, hanging, half-points) per heading level.  The
# hanging indent equals the width of the number so that wrapped heading lines align
# with the text after 、 (there is no tab: suffix "nothing").
_HEADING_LEVELS = (
    ("ideographLegalTraditional", "%1、", "nothing", 720, 720, 36),
    ("taiwaneseCountingThousand", "%2、", "nothing", 640, 640, 32),
    ("taiwaneseCountingThousand", "（%3）", "nothing", 1120, 840, 28),
    ("decimal", "%4.", "space", 980, 420, 28),
    ("decimal", "（%5）", "nothing", 1540, 700, 28),
)

# List markers start where a body paragraph's first line starts (two characters in).
# Word has nine list levels (ilvl 0–8); deeper Markdown lists repeat the three looks.
_LIST_LEVELS = {
    "bullet": (("bullet", "•"), ("bullet", "◦"), ("bullet", "▪")) * 3,
    # （一） as in the reports' own enumerations, then 1. and （1）.
    "number": tuple((fmt, text.replace("%", f"%{3 * cycle + n}"))
                    for cycle in range(3)
                    for n, (fmt, text) in enumerate(
                        (("taiwaneseCountingThousand", "（%）"), ("decimal", "%."),
                         ("decimal", "（%）")), start=1)),
}
_LIST_STYLES = {"bullet": "List Bullet", "number": "List Number"}
_LIST_LEFT, _LIST_STEP, _LIST_HANGING = 980, 420, 420

_FIXED_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# Schema order of the children of w:pPr and w:rPr (ECMA-376 CT_PPrBase, CT_RPr).
_PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
    "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap "
    "overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd "
    "snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc "
    "textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle"
).split()
_RPR_ORDER = (
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss "
    "imprint noProof snapToGrid vanish webHidden color spacing w kern position sz "
    "szCs highlight u effect bdr shd fitText vertAlign rtl cs em lang "
    "eastAsianLayout specVanish oMath"
).split()
_STYLE_TAIL = ("w:rPr", "w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr")
_BOX_SIDES = ("top", "left", "bottom", "right")


@dataclass
class _Spec:
    """One style as this module wants it; ``ppr``/``rpr`` replace what was there."""

    name: str
    kind: WD_STYLE_TYPE = WD_STYLE_TYPE.PARAGRAPH
    base: str | None = "Normal"
    next: str | None = None
    ppr: list = field(default_factory=list)
    rpr: list = field(default_factory=list)
    custom: bool = False
    mono: bool = False  # code: CODE_FONT for every script


# --------------------------------------------------------------------------- public


def build_reference_docx(target: Path) -> None:
    """Write the reference document to ``target`` (overwriting it)."""
    document = docx.Document()
    _drop_stale_parts(document)
    _set_page(document)
    num_ids = _add_numbering(document)
    _set_doc_defaults(document)
    for spec in _all_specs(num_ids):
        _apply_spec(document, spec)
    _add_table_style(document)
    _strip_theme_fonts(document.styles.element)
    _empty_body(document)
    _add_running_head(document)
    _add_page_number_footer(document)
    # The cover page carries no running head or page number (the first-page header
    # and footer stay empty).
    document.sections[0].different_first_page_header_footer = True
    _add_font_alternatives(document)
    _no_hanging_punctuation(document)
    _set_settings(document)
    _keep_break_lines_unstretched(document)
    set_fixed_core_properties(document)
    target = Path(target)
    document.save(str(target))
    _normalize_zip(target)


def list_num_ids(document) -> dict[str, int]:
    """Return the numIds that ``List Bullet`` and ``List Number`` number with.

    Read from the styles rather than remembered, so a reference edited in Word
    (which may renumber its lists) still works.
    """
    ids = {}
    for kind, name in _LIST_STYLES.items():
        ppr = document.styles[name].element.pPr
        num_pr = None if ppr is None else ppr.numPr
        if num_pr is None or num_pr.numId is None:
            raise KeyError(f"style {name!r} has no numbering (w:numPr/w:numId)")
        ids[kind] = num_pr.numId.val
    return ids


def new_list_num(document, kind: str, start: int = 1, level: int = 0) -> int:
    """Return a fresh numId for a list of ``kind`` ("bullet"/"number") whose items at
    ``level`` count from ``start`` (``<ol start="3">``).

    Paragraphs of one ``w:num`` continue each other's count, so each new list in
    the report needs its own ``w:num`` over the same abstract definition, with a
    start override to restart the count.
    """
    numbering = document.part.numbering_part.element
    style_num = numbering.num_having_numId(list_num_ids(document)[kind])
    num = numbering.add_num(style_num.abstractNumId.val)
    num.add_lvlOverride(ilvl=level).add_startOverride(start)
    return num.numId


# ---------------------------------------------------------------------- XML helpers


def _el(tag: str, attrs: dict | None = None, *children) -> OxmlElement:
    element = OxmlElement(tag)
    for key, value in (attrs or {}).items():
        element.set(qn(key), str(value))
    for child in children:
        element.append(child)
    return element


def _ordered(tag: str, children: list, order: list[str]) -> OxmlElement:
    """A ``tag`` element holding ``children`` sorted into schema order."""
    if any(child.getparent() is not None for child in children):
        # See _single(): lxml would move it out of the style that had it first.
        raise ValueError("a property element was shared between two styles")
    rank = {name: i for i, name in enumerate(order)}
    key = lambda child: rank[child.tag.split("}")[1]]  # noqa: E731
    return _el(tag, None, *sorted(children, key=key))


def _replace(parent, new, successors: tuple[str, ...]) -> None:
    old = parent.find(new.tag)
    if old is not None:
        parent.remove(old)
    parent.insert_element_before(new, *successors)


def _fonts(mono: bool = False) -> OxmlElement:
    # Explicit names (no theme attributes) so the look does not depend on the theme.
    latin, east_asian = (CODE_FONT, CODE_FONT) if mono else (LATIN_FONT, CJK_FONT)
    return _el("w:rFonts", {"w:ascii": latin, "w:hAnsi": latin,
                            "w:eastAsia": east_asian, "w:cs": latin})


def _lang() -> OxmlElement:
    return _el("w:lang", {"w:val": "en-US", "w:eastAsia": "zh-TW"})


def _size(half_points: int) -> list:
    return [_el("w:sz", {"w:val": half_points}), _el("w:szCs", {"w:val": half_points})]


def _bold() -> list:
    return [_el("w:b"), _el("w:bCs")]


def _spacing(before: int = 0, after: int = 0, line: int = 360) -> OxmlElement:
    return _el("w:spacing", {"w:before": before, "w:after": after,
                             "w:line": line, "w:lineRule": "auto"})


def _ind(left: int = 0, hanging: int = 0, right: int | None = None) -> OxmlElement:
    # firstLineChars="0" is needed: Normal's firstLineChars="200" would otherwise be
    # inherited and win over firstLine/hanging.
    attrs = {"w:left": left, "w:firstLineChars": 0}
    attrs.update({"w:hanging": hanging} if hanging else {"w:firstLine": 0})
    if right is not None:
        attrs["w:right"] = right
    return _el("w:ind", attrs)


def _jc(value: str) -> OxmlElement:
    return _el("w:jc", {"w:val": value})


def _keep() -> list:
    return [_el("w:keepNext"), _el("w:keepLines")]


# Helpers return fresh elements on every call: an lxml element has one parent, so
# sharing one between two styles would silently move it out of the first.
def _single() -> list:
    return [_spacing(line=240), _ind()]


def _centred() -> list:
    return [_ind(), _jc("center")]


def _num_pr(num_id: int, ilvl: int = 0) -> OxmlElement:
    return _el("w:numPr", None, _el("w:ilvl", {"w:val": ilvl}),
               _el("w:numId", {"w:val": num_id}))


def _border(side: str, space: int = 0) -> OxmlElement:
    # sz is in eighths of a point: 4 = 0.5 pt.
    return _el(f"w:{side}", {"w:val": "single", "w:sz": 4, "w:space": space,
                             "w:color": "000000"})


# --------------------------------------------------------------------------- styles


def _all_specs(num_ids: dict[str, int]) -> list[_Spec]:
    return [*_body_specs(), *_heading_specs(num_ids["heading"]),
            *_list_specs(num_ids), *_front_specs(), *_toc_specs(), *_note_specs(),
            *_text_specs()]


def _body_specs() -> list[_Spec]:
    first_line = _el("w:ind", {"w:firstLineChars": 200, "w:firstLine": 2 * 280})
    return [
        _Spec("Normal", base=None, ppr=[_spacing(), first_line, _jc("both")],
              rpr=_size(BODY_HALF_POINTS)),
        _Spec("Table Text", custom=True, ppr=[*_single(), _jc("left")], rpr=_size(24)),
        _Spec("Figure", custom=True, next="Caption",
              ppr=[_el("w:keepNext"), _spacing(before=120, line=240), _ind(),
                   _jc("center")]),
        _Spec("Caption", next="Normal",
              ppr=[_spacing(after=120, line=240), _ind(), _jc("center")],
              rpr=_size(24)),
        _Spec("Box Text", custom=True, rpr=_size(26), ppr=[
            _el("w:pBdr", None, *(_border(side, 4) for side in _BOX_SIDES)),
            _el("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": "F2F2F2"}),
            _spacing(), _ind(left=113, right=113), _jc("both")]),
        _Spec("Header", ppr=[*_single(), _jc("center")], rpr=_size(20)),
        _Spec("Footer", ppr=[*_single(), _jc("center")], rpr=_size(20)),
    ]


def _heading_specs(num_id: int) -> list[_Spec]:
    before_after = ((240, 120), (180, 60), (120, 0), (120, 0), (120, 0))
    specs = []
    for ilvl, (level, space) in enumerate(zip(_HEADING_LEVELS, before_after)):
        left, hanging, size = level[3:]
        ppr = [*_keep(), _num_pr(num_id, ilvl), _spacing(*space),
               _ind(left, hanging), _jc("left"), _el("w:outlineLvl", {"w:val": ilvl})]
        if ilvl == 0:
            ppr.append(_el("w:pageBreakBefore", {"w:val": 0}))
        specs.append(_Spec(f"Heading {ilvl + 1}", next="Normal", ppr=ppr,
                           rpr=[*_bold(), *_size(size)]))
    # Level 6 is not numbered (the PDF numbers five levels too), but is a heading:
    # in the outline and for pandoc.
    specs.append(_Spec("Heading 6", next="Normal", ppr=[
        *_keep(), _spacing(120, 0), _ind(), _jc("left"),
        _el("w:outlineLvl", {"w:val": 5})], rpr=[*_bold(), *_size(28)]))
    # Same look as Heading 1 without a number (摘要, 附錄); level 0 keeps it in the TOC.
    specs.append(_Spec("Unnumbered Heading", custom=True, next="Normal", ppr=[
        *_keep(), _spacing(240, 120), _ind(), _jc("left"),
        _el("w:outlineLvl", {"w:val": 0})], rpr=[*_bold(), *_size(36)]))
    return specs


def _list_specs(num_ids: dict[str, int]) -> list[_Spec]:
    items = [_Spec(_LIST_STYLES[kind], ppr=[
                 _num_pr(num_ids[kind]), _spacing(),
                 _ind(_LIST_LEFT, _LIST_HANGING), _jc("both")])
             for kind in ("bullet", "number")]
    # A list item's later paragraphs: in line with the item's text, no number
    # (the writer indents deeper levels further).
    return [*items, _Spec("List Continue", ppr=[_spacing(), _ind(_LIST_LEFT),
                                                _jc("both")])]


def _front_specs() -> list[_Spec]:
    return [
        _Spec("Title", next="Normal", ppr=[_spacing(240, 240), *_centred()],
              rpr=[*_bold(), *_size(40)]),
        _Spec("Subtitle", next="Normal", ppr=[_spacing(0, 240), *_centred()],
              rpr=_size(32)),
        # Cover Field first: Cover Title names it as its next style.
        _Spec("Cover Field", custom=True,
              ppr=[_spacing(0, 120), _ind(left=1680), _jc("left")], rpr=_size(32)),
        _Spec("Cover Title", custom=True, next="Cover Field",
              ppr=[_spacing(1200, 2400), *_centred()], rpr=[*_bold(), *_size(48)]),
        # 「出國報告（出國類別：開會）」 at the head of the cover, centred.
        _Spec("Cover Kind", custom=True, next="Cover Title",
              ppr=[_spacing(600, 240), *_centred()], rpr=_size(36)),
    ]


def _toc_specs() -> list[_Spec]:
    # TOC Heading is based on Heading 1 in the template, which would number it.
    specs = [_Spec("TOC Heading", next="Normal", ppr=[
        *_keep(), _spacing(240, 240), _ind(), _jc("center"),
        _el("w:outlineLvl", {"w:val": 9})], rpr=[*_bold(), *_size(36)])]
    for level in (1, 2, 3):
        tab = _el("w:tab", {"w:val": "right", "w:leader": "dot", "w:pos": TEXT_WIDTH})
        specs.append(_Spec(f"TOC {level}", next="Normal", ppr=[
            _el("w:tabs", None, tab), _spacing(), _ind(left=280 * (level - 1)),
            _jc("left")], rpr=_size(BODY_HALF_POINTS)))
    return specs


def _note_specs() -> list[_Spec]:
    return [
        _Spec("Footnote Text", ppr=[_spacing(line=240), _ind(), _jc("both")],
              rpr=_size(20)),
        _Spec("Footnote Reference", kind=WD_STYLE_TYPE.CHARACTER,
              base="Default Paragraph Font",
              rpr=[_el("w:vertAlign", {"w:val": "superscript"})]),
    ]


def _text_specs() -> list[_Spec]:
    """Styles of the Markdown's smaller elements: code, quotes, rules and links.
    Names as pandoc reads them back (Source Code, Verbatim Char, Hyperlink)."""
    character = {"kind": WD_STYLE_TYPE.CHARACTER, "base": "Default Paragraph Font"}
    return [
        # Lines of code are kept as they are: left aligned, single spaced, no
        # indent; 12 pt on grey as the PDF's 0.85 em of 14 pt on #f4f4f4.
        _Spec("Source Code", custom=True, mono=True, rpr=_size(24), ppr=[
            _el("w:keepLines"), _el("w:shd", {"w:val": "clear", "w:color": "auto",
                                              "w:fill": "F4F4F4"}),
            _spacing(60, 120, 240), _ind(), _jc("left")]),
        _Spec("Verbatim Char", custom=True, mono=True, **character),
        _Spec("Hyperlink", **character, rpr=[_el("w:color", {"w:val": "0563C1"}),
                                             _el("w:u", {"w:val": "single"})]),
        # Nested quotes add their own left indent to this one's.
        _Spec("Quote", ppr=[_spacing(), _ind(left=QUOTE_INDENT, right=QUOTE_INDENT),
                            _jc("both")], rpr=_size(26)),
        _Spec("Horizontal Rule", custom=True, next="Normal", rpr=_size(12), ppr=[
            _el("w:pBdr", None, _border("bottom", 1)), _spacing(0, 240, 240),
            _ind()]),
    ]


def _apply_spec(document, spec: _Spec) -> None:
    styles = document.styles
    if spec.name in styles:
        style = styles[spec.name]
    else:
        style = styles.add_style(spec.name, spec.kind, builtin=not spec.custom)
    style.base_style = styles[spec.base] if spec.base else None
    if spec.next:
        style.next_paragraph_style = styles[spec.next]
    # Visible in the gallery so users find them when editing the reference.
    style.hidden, style.unhide_when_used, style.quick_style = False, False, True
    element = style.element
    if spec.kind == WD_STYLE_TYPE.PARAGRAPH:
        _replace(element, _ordered("w:pPr", spec.ppr, _PPR_ORDER), _STYLE_TAIL)
    rpr = [_fonts(spec.mono), *spec.rpr, _lang()]
    _replace(element, _ordered("w:rPr", rpr, _RPR_ORDER), _STYLE_TAIL[1:])


def _add_table_style(document) -> None:
    """``Report Table``: 0.5 pt grid, bold grey header row, cells without indent."""
    style = document.styles.add_style("Report Table", WD_STYLE_TYPE.TABLE)
    style.base_style = document.styles["Normal Table"]
    style.hidden, style.unhide_when_used, style.quick_style = False, False, True
    element = style.element
    sides = (*_BOX_SIDES, "insideH", "insideV")
    element.append(_ordered("w:pPr", [_spacing(line=240), _ind()], _PPR_ORDER))
    element.append(_el("w:rPr", None, _fonts(), *_size(24), _lang()))
    element.append(_el("w:tblPr", None,
                       _el("w:tblBorders", None, *(_border(s) for s in sides))))
    element.append(_el(
        "w:tblStylePr", {"w:type": "firstRow"},
        _el("w:rPr", None, *_bold()),
        _el("w:tcPr", None, _el("w:shd", {"w:val": "clear", "w:color": "auto",
                                          "w:fill": "D9D9D9"}))))


def _set_doc_defaults(document) -> None:
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault"))
    ppr_default = defaults.find(qn("w:pPrDefault"))
    rpr_default.clear()
    rpr_default.append(_el("w:rPr", None, _fonts(), *_size(BODY_HALF_POINTS), _lang()))
    ppr_default.clear()
    ppr_default.append(_el("w:pPr", None, _spacing(line=240)))


def _strip_theme_fonts(styles_element) -> None:
    """Remove theme font attributes everywhere (also in styles not touched here).

    A theme attribute beats the explicit font on the same element, and styles such
    as "Heading 1 Char" would otherwise still show Cambria; once stripped they fall
    back on the document defaults (Times New Roman / 標楷體).
    """
    theme_attrs = [qn(f"w:{a}") for a in
                   ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")]
    for fonts in styles_element.iter(qn("w:rFonts")):
        for attr in theme_attrs:
            fonts.attrib.pop(attr, None)
        if not len(fonts.attrib):
            fonts.getparent().remove(fonts)


# ------------------------------------------------------------------------ numbering


def _add_numbering(document) -> dict[str, int]:
    """Add the heading, bullet and number lists; return their numIds by kind.

    The template's own list definitions stay: its "List Bullet 2" etc. use them.
    """
    numbering = document.part.numbering_part.element
    abstracts = numbering.findall(qn("w:abstractNum"))
    next_abstract = 1 + max(int(a.get(qn("w:abstractNumId"))) for a in abstracts)
    definitions = {"heading": _heading_levels(), "bullet": _list_levels("bullet"),
                   "number": _list_levels("number")}
    num_ids = {}
    for offset, (kind, levels) in enumerate(definitions.items()):
        abstract_id = next_abstract + offset
        abstract = _el("w:abstractNum", {"w:abstractNumId": abstract_id},
                       _el("w:nsid", {"w:val": _NSID[kind]}),
                       _el("w:multiLevelType", {"w:val": "multilevel"}), *levels)
        # Every w:abstractNum must precede every w:num.
        numbering.insert_element_before(abstract, "w:num", "w:numIdMacAtCleanup")
        num_ids[kind] = numbering.add_num(abstract_id).numId
    return num_ids


def _lvl(ilvl: int, fmt: str, text: str, suffix: str, left: int, hanging: int,
         style_id: str | None = None) -> OxmlElement:
    # Lower levels restart after a higher one by default, so no w:lvlRestart.
    children = [_el("w:start", {"w:val": 1}), _el("w:numFmt", {"w:val": fmt})]
    if style_id:
        children.append(_el("w:pStyle", {"w:val": style_id}))
    children += [_el("w:suff", {"w:val": suffix}), _el("w:lvlText", {"w:val": text}),
                 _el("w:lvlJc", {"w:val": "left"}),
                 _el("w:pPr", None, _ind(left, hanging))]
    return _el("w:lvl", {"w:ilvl": ilvl}, *children)


def _heading_levels() -> list:
    return [_lvl(ilvl, *level[:5], style_id=HEADING_STYLE_IDS[ilvl])
            for ilvl, level in enumerate(_HEADING_LEVELS)]


def _list_levels(kind: str) -> list:
    levels = []
    for ilvl, (fmt, text) in enumerate(_LIST_LEVELS[kind]):
        left = _LIST_LEFT + ilvl * _LIST_STEP
        levels.append(_lvl(ilvl, fmt, text, "tab", left, _LIST_HANGING))
    return levels


# ------------------------------------------------------------ document and package


def _drop_stale_parts(document) -> None:
    """Drop stylesWithEffects.xml and the thumbnail inherited from the template.

    Word 2010 may prefer stylesWithEffects.xml over the styles written here, and
    the thumbnail pictures some other document.
    """
    stale = ("/stylesWithEffects", "/metadata/thumbnail")
    for source in (document.part, document.part.package):
        for r_id, rel in list(source.rels.items()):
            if rel.reltype.endswith(stale):
                del source.rels[r_id]


def _set_page(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Twips(PAGE_WIDTH), Twips(PAGE_HEIGHT)
    section.top_margin = section.bottom_margin = Twips(MARGIN_TB)
    section.left_margin = section.right_margin = Twips(MARGIN_LR)
    section.header_distance = section.footer_distance = Twips(851)  # 1.5 cm


def _empty_body(document) -> None:
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _field_runs(instruction: str, shown: str) -> list:
    """A simple field as runs: begin, instruction, separate, result ``shown``, end."""
    instr = _el("w:instrText", None)
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    result = _el("w:t")
    result.text = shown  # shown until the field is updated
    return [_el("w:r", None, content) for content in (
        _el("w:fldChar", {"w:fldCharType": "begin"}), instr,
        _el("w:fldChar", {"w:fldCharType": "separate"}), result,
        _el("w:fldChar", {"w:fldCharType": "end"}))]


def _text_run(text: str) -> OxmlElement:
    t = _el("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    return _el("w:r", None, t)


def _add_page_number_footer(document) -> None:
    """第 N 頁／共 M 頁, from the PAGE and NUMPAGES fields, as the PDF's footer."""
    footer = document.sections[0].footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    if "Footer" in document.styles:
        paragraph.style = document.styles["Footer"]
    for run in (_text_run("第 "), *_field_runs("PAGE", "1"), _text_run(" 頁／共 "),
                *_field_runs("NUMPAGES", "1"), _text_run(" 頁")):
        paragraph._p.append(run)


def _add_running_head(document) -> None:
    """The report's title at the head of every page but the cover, as in the PDF:
    a TITLE field, which shows the document's title property (the writer sets it
    from the front matter and fills the field's result)."""
    header = document.sections[0].header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    if "Header" in document.styles:
        paragraph.style = document.styles["Header"]
    for run in _field_runs("TITLE", ""):
        paragraph._p.append(run)


# 標楷體's other names: Word falls back to w:altName when a font is missing, and
# LibreOffice reads it too; TW-Kai is the free government Kai face that Linux and
# LibreOffice users have in place of 標楷體.  Charset 88 is Big5 (Traditional Chinese).
_FONT_ALTERNATIVES = {CJK_FONT: ("TW-Kai", "88", "script")}


def _add_font_alternatives(document) -> None:
    """Declare each named font in the font table with its alternative name.

    python-docx keeps the font table as raw bytes (no XML part class), so it is
    parsed, changed and put back, as docx_notes.py does with the footnotes."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml
    from lxml import etree

    part = document.part.part_related_by(RT.FONT_TABLE)
    table = parse_xml(part.blob)
    for name, (alternative, charset, family) in _FONT_ALTERNATIVES.items():
        for old in [f for f in table.findall(qn("w:font")) if f.get(qn("w:name")) == name]:
            table.remove(old)
        table.append(_el("w:font", {"w:name": name},
                         _el("w:altName", {"w:val": alternative}),
                         _el("w:charset", {"w:val": charset}),
                         _el("w:family", {"w:val": family}),
                         _el("w:pitch", {"w:val": "fixed"})))
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8",
                                standalone=True)


def _no_hanging_punctuation(document) -> None:
    """Keep LibreOffice from hanging punctuation into the margin: it hangs a
    line-end 。 or ， there and then does not draw it, so the page and the PDF lose
    it.  LibreOffice reads w:overflowPunct the other way round from Word (on =
    no hanging, writerfilter's DomainMapper), so "on" it is: in Word that is its
    default, "Allow punctuation to extend past the margin", which Word draws
    correctly.  Line-breaking rules still keep 。 off the start of a line.  Set in
    the document defaults and in Normal, whose own value LibreOffice reads."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    for ppr in (defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")),
                document.styles["Normal"].element.get_or_add_pPr()):
        children = [child for child in ppr if child.tag != qn("w:overflowPunct")]
        for child in list(ppr):
            ppr.remove(child)
        ordered = _ordered("w:pPr", [*children, _el("w:overflowPunct", {"w:val": 1})],
                           _PPR_ORDER)
        for child in list(ordered):
            ppr.append(child)


def _set_settings(document) -> None:
    settings = document.settings.element
    # Asks Word to refresh fields (the TOC's page numbers) when the file is opened.
    if settings.find(qn("w:updateFields")) is None:
        settings.insert_element_before(
            _el("w:updateFields", {"w:val": "true"}),
            "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat",
            "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema",
            "w:themeFontLang", "w:clrSchemeMapping")
    lang = settings.find(qn("w:themeFontLang"))
    if lang is None:
        lang = _el("w:themeFontLang")
        settings.insert_element_before(lang, "w:clrSchemeMapping",
                                       "w:doNotAutoCompressPictures", "w:shapeDefaults",
                                       "w:decimalSymbol", "w:listSeparator")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-TW")


def _keep_break_lines_unstretched(document) -> None:
    """A line ended by a line break (``<br>``) in a justified paragraph is not spread
    across the width: Word's default, and LibreOffice's when the file says so
    (``doNotExpandShiftReturn``; without it LibreOffice stretches 第一行 into
    第　　一　　行)."""
    settings = document.settings.element
    compat = settings.find(qn("w:compat"))
    if compat is None:
        compat = _el("w:compat")
        settings.insert_element_before(
            compat, "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema",
            "w:themeFontLang", "w:clrSchemeMapping")
    if compat.find(qn("w:doNotExpandShiftReturn")) is None:
        # First in CT_Compat's sequence of what this file holds (before useFELayout).
        compat.insert(0, _el("w:doNotExpandShiftReturn"))


def set_fixed_core_properties(document) -> None:
    """Empty, dated core properties: nothing of the machine or the hour leaks in."""
    core = document.core_properties
    core.title = core.author = core.last_modified_by = ""
    core.comments = core.subject = core.keywords = core.category = ""
    core.created = core.modified = _FIXED_TIME
    core.revision = 1


def normalize_zip(data: bytes) -> bytes:
    """The same zip with fixed timestamps, keeping python-docx's member order, so
    the same content gives the same bytes (the reference and every built DOCX)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info))
    return out.getvalue()


def _normalize_zip(path: Path) -> None:
    """Rewrite the file at ``path`` through ``normalize_zip``, atomically."""
    data = normalize_zip(path.read_bytes())
    handle, temp_name = tempfile.mkstemp(dir=path.parent, suffix=".docx.tmp")
    os.close(handle)
    try:
        Path(temp_name).write_bytes(data)
        os.chmod(temp_name, 0o644)  # mkstemp makes files private; this one is shared
        os.replace(temp_name, path)
    except BaseException:
        os.unlink(temp_name)
        raise
