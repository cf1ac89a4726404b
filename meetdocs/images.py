"""Images are checked where Markdown names them, before any writer opens them.

The writers trust the bytes they get.  WeasyPrint drops an image it cannot decode
with only a log line, so a text file named ``.png`` would leave a hole in a public
PDF; and it retries such a file as SVG, so a misnamed SVG would bypass the SVG rules
below.  Pillow decodes whole images into memory: a 94-byte PNG that declares
30000×30000 pixels (a decompression bomb) makes it allocate 0.9 to 3.6 GB.  So a
file must be the format its name says, and only headers are read: ``Image.open``
parses the header, the pixel count is compared with ``MAX_PIXELS``, then
``verify()`` checks the file's structure (PNG chunk checksums) without decoding a
pixel.

An SVG is XML that can name other files (``<image href>``, ``<use href>``,
``@import``, ``url()``) and can declare entities (XXE, "billion laughs").  The PDF
fetcher refuses outside files anyway, but only here can the message give the line of
the Markdown; so an SVG must be self-contained: no DOCTYPE, no reference but to its
own ``#id`` parts.
"""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import limits, stamps

# Pixels per image.  Measured with WeasyPrint's optimize_images on, which decoded
# every picture and re-encoded it (JPEG quickly, PNG and GIF with zlib's slowest
# settings); it is off now, so these are upper bounds.  Measured on
# the 2-core build machine (python3 build.py on the minimal briefing with one
# generated photo; /usr/bin/time -f "%e s %M KB"): JPEG 6000×4000 (24 MP, a camera)
# 1.1 s at 266 MB peak RSS, 8660×5773 (50 MP) 1.4 s at 475 MB; PNG 4000×3000 (12 MP)
# 22 s at 248 MB, 4899×3266 (16 MP) 35 s at 277 MB, 8000×6000 (48 MP) 110 s at 534 MB.
# An A4 page printed at 300 dpi needs 8.7 MP.
MAX_PIXELS = {"JPEG": 50_000_000, "PNG": 16_000_000, "GIF": 16_000_000}
# WeasyPrint reads an image whole; a 50 MP camera JPEG is about 11 MB.
MAX_IMAGE_BYTES = 30 * 1024 * 1024
RASTER = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF"}
_FORMATS = ("PNG", "JPEG", "GIF")  # the only Pillow decoders ever tried
SVG = ".svg"
KINDS = (*RASTER, SVG)  # the names of the files checked here
EXPECTED = "a PNG, JPEG or GIF image (or SVG for PDF-only formats)"
_SVG_NS = "{http://www.w3.org/2000/svg}"
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.I | re.S)


@dataclass(frozen=True)
class Refusal:
    """Why an image cannot be used: the message parts of a ``Problem``."""

    message: str
    expected: str | None = None
    found: str | None = None


def check(path: Path, src: str) -> Refusal | None:
    """``None`` if the file at ``path`` (written ``src`` in the Markdown) may be used."""
    suffix = path.suffix.lower()
    if not path.is_file():  # a FIFO would block the build, a folder cannot be drawn
        return Refusal(f"the image {src} is not a regular file", "an image file",
                       "a folder, device or pipe")
    if suffix not in RASTER and suffix != SVG:
        return Refusal(f"the image {src} is not of a supported kind", EXPECTED,
                       f"a file ending in '{path.suffix}'")
    size = path.stat().st_size
    if size > MAX_IMAGE_BYTES:
        return Refusal(f"the image {src} is too large", f"at most "
                       f"{MAX_IMAGE_BYTES // 2**20} MB", f"{size / 2**20:.1f} MB")
    if suffix == SVG:
        return check_svg(stamps.read_bytes(path), src)
    return check_raster(path, RASTER[suffix], src)


def check_raster(path: Path, claimed: str, src: str) -> Refusal | None:
    from PIL import Image, UnidentifiedImageError

    try:
        # The bytes that were hashed, the ones the writers get (stamps.snapshot).
        data = io.BytesIO(stamps.read_bytes(path))
        with _no_pillow_bomb_limit(), Image.open(data, formats=_FORMATS) as image:
            kind, (width, height) = image.format, image.size
            if kind == claimed and width * height <= MAX_PIXELS[kind]:
                image.verify()
    except UnidentifiedImageError:
        return Refusal(f"the file {src} is not a {claimed} image", EXPECTED,
                       describe(stamps.read_bytes(path, 512)))
    except (OSError, SyntaxError, ValueError) as exc:  # verify() raises SyntaxError
        return Refusal(f"the image {src} is damaged", f"a complete {claimed} file",
                       str(exc) or type(exc).__name__)
    if kind != claimed:
        return Refusal(f"the file {src} is a {kind} image but its name says "
                       f"{claimed}; rename it", f"a name ending in "
                       f".{kind.lower().replace('jpeg', 'jpg')}", kind)
    if width * height > MAX_PIXELS[kind]:
        return Refusal(f"the image {src} has too many pixels (a decompression bomb "
                       "or an oversized scan); scale it down", f"at most "
                       f"{MAX_PIXELS[kind]:,} pixels in a {kind}", f"{width}×{height} = "
                       f"{width * height:,} pixels")
    return None


@contextmanager
def _no_pillow_bomb_limit():
    """Pillow refuses over 179 M pixels inside ``open``, before we can read the size;
    our stricter limit is checked right after, on the header alone."""
    from PIL import Image

    saved, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
    try:
        yield
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def describe(head: bytes) -> str:
    """What a file that is not an image looks like, in words."""
    if not head:
        return "an empty file"
    if head.lstrip().startswith(b"<"):
        return "XML or HTML text"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return f"unknown binary data (starting {head[:8].hex(' ')})"
    return f"text ({head[:30].decode('utf-8', 'replace').strip()!r}…)"


def check_svg(data: bytes, src: str) -> Refusal | None:
    """An SVG must be self-contained: no DTD, entities or outside references."""
    import lxml.etree

    for marker in (b"<!DOCTYPE", b"<!ENTITY", b"<?xml-stylesheet"):
        if (at := data.upper().find(marker.upper())) >= 0:
            line = data[:at].count(b"\n") + 1
            return Refusal(f"the SVG image {src} has {marker.decode()} on its line "
                           f"{line}; entities and style sheets can read other files",
                           "a self-contained SVG", marker.decode())
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True,
                                  load_dtd=False, huge_tree=False)
    try:
        root = lxml.etree.fromstring(data, parser)
    except lxml.etree.XMLSyntaxError as exc:
        return Refusal(f"the SVG image {src} is not valid XML (its line "
                       f"{exc.lineno})", "an SVG file", exc.msg)
    if root.tag not in (_SVG_NS + "svg", "svg"):
        return Refusal(f"the file {src} is not an SVG image", "an <svg> element",
                       f"<{lxml.etree.QName(root).localname}>")
    return outside_reference(root, src) or too_many_uses(root, src)


def too_many_uses(root, src: str) -> Refusal | None:
    """``<use>`` draws a copy of another part, which may hold ``<use>`` elements
    itself: nine levels of ten copies each are a 1.5 KB file that draws a billion
    shapes.  Refused past ``limits.MAX_SVG_USE_DEPTH`` levels or
    ``limits.MAX_SVG_USES`` copies drawn in all, and on a loop."""
    parts = {element.get("id"): element for element in root.iter()
             if isinstance(element.tag, str) and element.get("id")}
    known: dict[int, tuple[int, int]] = {}  # id(element) -> (copies, levels)

    def expand(element, inside: tuple) -> tuple[int, int]:
        if id(element) in known:
            return known[id(element)]
        copies, levels = 0, 0
        for use in element.iter(_SVG_NS + "use", "use"):
            target = parts.get(_href(use).lstrip("#"))
            if target is None:
                continue
            if id(target) in inside or len(inside) > limits.MAX_SVG_USE_DEPTH:
                raise _Uses(use, "a part inside itself (a loop)" if id(target) in inside
                            else "copies of copies nested too deeply")
            below = expand(target, (*inside, id(target)))
            copies, levels = copies + 1 + below[0], max(levels, below[1] + 1)
            if levels > limits.MAX_SVG_USE_DEPTH:
                raise _Uses(use, "copies of copies nested too deeply")
            if copies > limits.MAX_SVG_USES:
                raise _Uses(use, "too many copies of its parts")
        known[id(element)] = (copies, levels)
        return copies, levels

    try:
        expand(root, (id(root),))
    except _Uses as exc:
        return Refusal(f"the SVG image {src} draws {exc.why} (the <use> on its line "
                       f"{exc.element.sourceline})", f"at most "
                       f"{limits.MAX_SVG_USE_DEPTH} levels of <use> and "
                       f"{limits.MAX_SVG_USES:,} copies", "more")
    return None


class _Uses(Exception):
    def __init__(self, element, why: str):
        self.element, self.why = element, why


def _href(element) -> str:
    return element.get("href") or element.get("{http://www.w3.org/1999/xlink}href") or ""


def outside_reference(root, src: str) -> Refusal | None:
    """The first ``href``, ``url()`` or ``@import`` that leaves the SVG, if any."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        tag = _local(element.tag)
        texts = [(f"the {_local(name)} of <{tag}>", _local(name), value)
                 for name, value in element.attrib.items()]
        if tag == "style":
            texts.append(("<style>", "style", element.text or ""))
        for where, name, value in texts:
            if (target := _outside_target(name, value)) is not None:
                return Refusal(f"the SVG image {src} refers to another file ({where} "
                               f"on its line {element.sourceline}); an SVG must be "
                               "self-contained", "only references to its own parts "
                               "(#id)", target)
    return None


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _outside_target(name: str, value: str) -> str | None:
    if name == "href" and not value.strip().startswith("#"):
        return value.strip()
    if (at := value.lower().find("@import")) >= 0:
        return value[at:].split(";")[0].strip()
    for match in _URL.finditer(value):
        if not match[2].strip().startswith("#"):
            return match[2].strip()
    return None
