"""Placeholder photos for content whose real pictures are not in the repository.

A PNG (not SVG) because the same picture must go into the DOCX too, and Word files
take raster images.  Drawn with Pillow, which WeasyPrint already depends on; the
result is deterministic, so committed placeholders do not change when remade.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

SIZE = (1200, 800)


def make_placeholder(target: Path, label: str = "Photo placeholder") -> None:
    image = Image.new("RGB", SIZE, (214, 218, 224))
    draw = ImageDraw.Draw(image)
    width, height = SIZE
    draw.rectangle((40, 40, width - 40, height - 40), outline=(150, 156, 166), width=6)
    draw.line((40, 40, width - 40, height - 40), fill=(180, 186, 196), width=3)
    draw.line((40, height - 40, width - 40, 40), fill=(180, 186, 196), width=3)
    box = draw.textbbox((0, 0), label, font_size=56)
    x = (width - (box[2] - box[0])) // 2
    y = (height - (box[3] - box[1])) // 2
    draw.rectangle((x - 24, y - 16, x + box[2] - box[0] + 24, y + box[3] - box[1] + 28),
                   fill=(214, 218, 224))
    draw.text((x, y), label, fill=(80, 86, 96), font_size=56)
    target.parent.mkdir(parents=True, exist_ok=True)
    image.save(target, format="PNG", optimize=True)
