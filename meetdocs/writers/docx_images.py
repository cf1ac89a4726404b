"""Pictures for the DOCX: read through one checked door, sized as the PDF sizes them.

The DOCX writer embeds the bytes of every ``<img>`` in the HTML, and that HTML comes
from a meeting's own template as well as from the Markdown: ``<img
src="/abs/path/photo.png" style="display:none">`` is hidden in the PDF but would be
copied whole into the Word file.  So ``read_picture`` is the only way a picture is
read: the ``src`` must be a relative path that stays inside the meeting folder, with
no symbolic link on the way, and the file must pass ``images.check`` (true format,
pixel limit).  It is deliberately a small function so that it can later call a
project-wide safe file opener.

Size: the PDF draws a picture at its natural size (CSS px, 96 per inch) and shrinks
it to the column, never enlarges it; a Word picture has no natural size, so the
writer gives it pixels × 9525 EMU and scales it down to fit the text width and the
page height.  EXIF orientation is applied to the pixels (Word and LibreOffice differ
on whether they honour the tag; upright pixels without the tag look the same in
both).
"""

from __future__ import annotations

import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from .. import images

EMU_PER_PIXEL = 9525  # 914400 EMU per inch / 96 px per inch
EMU_PER_TWIP = 635
_ORIENTATION = 0x0112  # the EXIF tag
_EXPECTED = "a relative path to a PNG or JPEG file in the meeting folder"


@dataclass(frozen=True)
class Picture:
    data: bytes
    name: str
    width: int  # pixels, upright
    height: int


def read_picture(folder: Path, src: str) -> Picture | images.Refusal:
    """The picture ``src`` (as written in the HTML) names, or why it may not be used."""
    path = _inside(folder, src)
    if isinstance(path, images.Refusal):
        return path
    if path.suffix.lower() not in images.RASTER:
        return images.Refusal(f"the image {src} cannot go in a Word file",
                              "a PNG, JPEG or GIF file", f"a file ending in "
                              f"'{path.suffix}'")
    if (refused := images.check(path, src)) is not None:
        return refused
    data = _read_no_follow(path)
    try:
        return _upright(data, path.name)
    except (OSError, ValueError) as exc:  # decoding a turned photo's pixels
        return images.Refusal(f"the image {src} is damaged", "a complete image file",
                              str(exc) or type(exc).__name__)


def _inside(folder: Path, src: str) -> Path | images.Refusal:
    parts = urlsplit(src)
    relative = PurePosixPath(unquote(parts.path))
    outside = images.Refusal(f"the image {src} is not a file in the meeting folder",
                             _EXPECTED, src)
    if parts.scheme or parts.netloc or parts.query or not parts.path \
            or relative.is_absolute() or src.startswith("\\") \
            or ".." in relative.parts or "\\" in parts.path:
        return outside
    path = folder
    for name in relative.parts:
        path = path / name
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            return images.Refusal(f"the image file {src} does not exist", _EXPECTED, src)
        if stat.S_ISLNK(mode):
            return images.Refusal(f"the image {src} is reached through a symbolic link "
                                  f"({name}); links are not followed", _EXPECTED, src)
    if not stat.S_ISREG(mode):
        return outside
    return path


def _read_no_follow(path: Path) -> bytes:
    """Read without following a link swapped in since the check."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(handle, "rb") as file:
        return file.read()


def _upright(data: bytes, name: str) -> Picture:
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        turn = image.getexif().get(_ORIENTATION, 1)
        if turn in (1, None) or image.format not in ("JPEG", "PNG"):
            return Picture(data, name, *image.size)
        kind, icc = image.format, image.info.get("icc_profile")
        upright = ImageOps.exif_transpose(image)
    out = io.BytesIO()
    options = {"quality": 95, "subsampling": 0} if kind == "JPEG" else {}
    upright.save(out, kind, icc_profile=icc, **options)  # no EXIF: no second turn
    return Picture(out.getvalue(), name, *upright.size)


def fitted_size(picture: Picture, max_width: int, max_height: int) -> tuple[int, int]:
    """Width and height in EMU: natural size at 96 dpi, shrunk (never enlarged) to
    ``max_width`` × ``max_height`` EMU, aspect kept."""
    width = picture.width * EMU_PER_PIXEL
    height = picture.height * EMU_PER_PIXEL
    scale = min(1.0, max_width / width, max_height / height)
    return max(1, round(width * scale)), max(1, round(height * scale))
