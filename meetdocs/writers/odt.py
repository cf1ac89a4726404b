"""ODT beside the DOCX: LibreOffice's export of our finished DOCX, made reproducible.

The ODT comes out of the same LibreOffice load that confirmed the TOC's page
numbers (``finish.py``), so it holds the same cover, outline-numbered headings
(壹、 一、 （一）), TOC, footnotes, tables and pictures as the DOCX, in strict ODF 1.3
(``office.py`` sets LibreOffice's ODF version; its extended format would not pass
OASIS's schema).  Two things are changed after the export:

- the East Asian face: 標楷體 becomes TW-Kai, the government's free Kai face, which
  every ODF office suite in the agencies has, where 標楷體 is a Windows font;
- what differs from run to run: the revision ids (Rsid) in settings.xml, the
  empty Configurations2/ folders (dropped), and the zip's order and timestamps
  (mimetype first and stored, as ODF requires).  Everything else
  LibreOffice writes the same for the same DOCX, tested by building twice.
"""

from __future__ import annotations

import io
import re
import zipfile

from ..errors import BuildError
from ..reference import CJK_FONT
from . import docx, finish

ODT_FONT = "TW-Kai"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_UI_CONFIG = "Configurations2/"
_UI_ENTRY = re.compile(
    rb'\s*<manifest:file-entry manifest:full-path="Configurations2/[^"]*"[^>]*/>')
_RSID = re.compile(rb'(config:name="Rsid(?:Root)?" config:type="int">)\d+<')
_FONT_FACE = re.compile(rf'<style:font-face style:name="{CJK_FONT}"[^>]*/>'.encode())
_FONT_NAME = re.compile(
    rf'(style:font-(?:name|family)(?:-asian|-complex)?)="{CJK_FONT}"'.encode())


def write(job) -> bytes:
    data = finish.exported_odt(job)
    if data is None and _docx_before(job.fmt.outputs):
        # The DOCX writer ran first and failed; its problems are reported already.
        raise BuildError([])
    if data is None:  # no DOCX in the outputs, or it comes after the ODT
        docx.write(job)
        data = finish.exported_odt(job)
    return normalize(data)


def _docx_before(outputs) -> bool:
    return "docx" in outputs and outputs.index("docx") < outputs.index("odt")


def normalize(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w") as target:
        # Configurations2/ is LibreOffice's empty store of toolbar and menu settings;
        # which of its folders it writes, and in what order, changes from run to run.
        names = [n for n in source.namelist() if not n.startswith(_UI_CONFIG)]
        for name in ["mimetype"] + sorted(n for n in names if n != "mimetype"):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = (zipfile.ZIP_STORED if name == "mimetype"
                                  or name.endswith((".png", ".jpg", ".jpeg", ".gif"))
                                  else zipfile.ZIP_DEFLATED)
            info.external_attr = (0o40755 << 16 | 0x10) if name.endswith("/") \
                else 0o644 << 16
            target.writestr(info, _member(name, source.read(name)))
    return out.getvalue()


def _member(name: str, content: bytes) -> bytes:
    if name == "settings.xml":
        return _RSID.sub(rb"\g<1>0<", content)
    if name == "META-INF/manifest.xml":
        return _UI_ENTRY.sub(b"", content)
    if name in ("content.xml", "styles.xml"):
        content = _FONT_FACE.sub(b"", content)
        return _FONT_NAME.sub(rf'\1="{ODT_FONT}"'.encode(), content)
    return content
