"""Pictures for the DOCX: read through one checked door, sized as the PDF sizes them.

The DOCX writer embeds the bytes of every ``<img>`` in the HTML, and that HTML comes
from a meeting's own template as well as from the Markdown: ``<img
src="/abs/path/photo.png" style="display:none">`` is hidden in the PDF but would be
copied whole into the Word file.  So ``read_picture`` is the only way a picture is
read: the ``src`` must be a relative path that stays inside the meeting folder, the
file is opened through ``files.open_inside`` (no symbolic link on the way), and it
must pass ``images.check`` (true format, pixel limit).

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
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from .. import files, images, stamps

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
    path = _relative(folder, src)
    if isinstance(path, images.Refusal):
        return path
    if path.suffix.lower() not in images.RASTER:
        return images.Refusal(f"the image {src} cannot go in a Word file",
                              "a PNG, JPEG or GIF file", f"a file ending in "
                              f"'{path.suffix}'")
    data = _read(folder, path, src)
    if isinstance(data, images.Refusal):
        return data
    if (refused := images.check(path, src)) is not None:
        return refused
    try:
        return _upright(data, path.name, src)
    except (OSError, ValueError) as exc:  # decoding a turned photo's pixels
        return images.Refusal(f"the image {src} is damaged", "a complete image file",
                              str(exc) or type(exc).__name__)


def _relative(folder: Path, src: str) -> Path | images.Refusal:
    """``src`` as a path under ``folder``, if it is written as one: no URL, no
    absolute or Windows path, no ``..``."""
    parts = urlsplit(src)
    relative = PurePosixPath(unquote(parts.path))
    if parts.scheme or parts.netloc or parts.query or not parts.path \
            or relative.is_absolute() or src.startswith("\\") \
            or ".." in relative.parts or "\\" in parts.path:
        return images.Refusal(f"the image {src} is not a file in the meeting folder",
                              _EXPECTED, src)
    return folder.joinpath(*relative.parts)


def _read(folder: Path, path: Path, src: str) -> bytes | images.Refusal:
    """The file's bytes, opened one folder at a time with no link followed
    (``files.open_inside``), so what is read is what was checked."""
    try:
        handle = files.open_inside(path, [folder])
    except files.Refused as exc:
        return images.Refusal(f"the image {src} is refused: {exc}", _EXPECTED, src)
    except FileNotFoundError:
        return images.Refusal(f"the image file {src} does not exist", _EXPECTED, src)
    except OSError as exc:
        return images.Refusal(f"the image {src} cannot be read", _EXPECTED,
                              exc.strerror or src)
    with os.fdopen(handle, "rb") as file:
        # The bytes hashed for the build's key, if they were (stamps.snapshot).
        data = stamps.read_through(path, file, images.MAX_IMAGE_BYTES + 1)
    if len(data) > images.MAX_IMAGE_BYTES:
        return images.Refusal(f"the image {src} is too large", f"at most "
                              f"{images.MAX_IMAGE_BYTES // 2**20} MB", "more")
    return data


def _upright(data: bytes, name: str, src: str) -> Picture | images.Refusal:
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data), formats=tuple(images.MAX_PIXELS)) as image:
        width, height = image.size
        if width * height > images.MAX_PIXELS.get(image.format, 0):
            # images.check read the file by its name; these are the bytes embedded.
            return images.Refusal(f"the image {src} has too many pixels", "at most "
                                  f"{images.MAX_PIXELS.get(image.format, 0):,} pixels",
                                  f"{width}×{height}")
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
