"""Real Word footnotes.  python-docx has no API for them, so this writes the
footnotes part (word/footnotes.xml) and the references in the text itself."""

from __future__ import annotations

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

_EMPTY = (f'<w:footnotes {nsdecls("w")}>'
          '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r>'
          '</w:p></w:footnote>'
          '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
          '<w:continuationSeparator/></w:r></w:p></w:footnote></w:footnotes>')


def _style_id(document, name: str) -> str:
    return document.styles[name].style_id


class Footnotes:
    def __init__(self, document):
        self.document = document
        self.part = self._existing_part()
        # A reference saved by Word has a footnotes part already: keep its
        # separators, drop any notes, and reuse the part.
        self.root = parse_xml(self.part.blob if self.part is not None else _EMPTY)
        for note in self.root.findall(qn("w:footnote")):
            if int(note.get(qn("w:id"))) > 0:
                self.root.remove(note)
        self.count = 0

    def _existing_part(self):
        for rel in self.document.part.rels.values():
            if rel.reltype == RT.FOOTNOTES:
                return rel.target_part
        return None

    def reference(self, paragraph, text: str) -> None:
        self.count += 1
        run = paragraph.add_run()
        run.style = self.document.styles["Footnote Reference"]
        ref = OxmlElement("w:footnoteReference")
        ref.set(qn("w:id"), str(self.count))
        run._r.append(ref)
        self.root.append(self._note(self.count, text))

    def _note(self, number: int, text: str):
        ref_style = _style_id(self.document, "Footnote Reference")
        text_style = _style_id(self.document, "Footnote Text")
        note = parse_xml(
            f'<w:footnote {nsdecls("w")} w:id="{number}"><w:p><w:pPr>'
            f'<w:pStyle w:val="{text_style}"/></w:pPr><w:r><w:rPr>'
            f'<w:rStyle w:val="{ref_style}"/></w:rPr><w:footnoteRef/></w:r>'
            '<w:r><w:t xml:space="preserve"> </w:t></w:r></w:p></w:footnote>')
        run = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = text
        run.append(t)
        note.find(qn("w:p")).append(run)
        return note

    def save(self) -> None:
        """Add the part once, only when the document has notes."""
        if not self.count and self.part is None:
            return
        from lxml import etree
        blob = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8",
                              standalone=True)
        if self.part is not None:
            self.part._blob = blob
            return
        package = self.document.part.package
        part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, blob, package)
        self.document.part.relate_to(part, RT.FOOTNOTES)
