#!/usr/bin/env python3
"""Spaces, line pitch and the Latin face beside TW-Kai in the delegation report's PDF
(issue 15).

    .venv/bin/python scripts/report_fonts.py [--project DIR] [MEETING ...]

For each meeting's report, rendered through the project's own pipeline, it prints:

- spaces: every space glyph drawn, by face, size and advance (em, without the
  justification's added spacing): one face and one width is the aim;
- pitch: the distinct baseline-to-baseline distances between the lines of a
  paragraph (pt): one per paragraph style is the aim;

and once, for the faces the report's stylesheet names (``Report Latin`` and TW-Kai):

- size: the Latin cap height over the mean ink height of Kai characters;
- stroke: mean stroke width (2 × ink area / ink outline, rasterised at 400 px an
  em) of Latin text over that of Kai text;
- colour: ink per area of a line of Latin text over that of a line of Kai text;

and the same for Noto Serif CJK's own Latin against its own Han, drawn to be set
together (size 0.79, stroke 1.27, colour 0.73): the relation aimed at.

``--project`` measures another checkout (e.g. a worktree of main) with this
checkout's .venv, to compare before and after.  tests/test_report_fonts.py asserts
on the same numbers.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

PT = 0.75  # CSS px → pt
EM = 400  # px an em, rasterised
HAN = "亞太經濟合作會議我國推動永續城市化住宅發展政策報告部長官員"
LATIN = "Asia-Pacific Economic Cooperation Senior Officials Meeting Sustainable Urbanization"
# Noto Serif CJK, whose Latin and Han were drawn to be set together: its own Latin
# against its own Han is the relation aimed at.
PAIRED = ":postscriptname=NotoSerifCJKtc-Regular"


def report(project: Path, meeting: str):
    """The WeasyPrint document of the meeting's delegation report."""
    sys.path.insert(0, str(project / "scripts"))
    import typography

    for job, document in typography.rendered(project, meeting):
        if job.fmt.name == "delegation-report":
            return document
    raise SystemExit(f"{meeting}: no delegation report")


def spaces(document) -> Counter:
    """{(face, size pt, advance em): count} of the space glyphs of every text box."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.ffi import ffi, pango

    found = Counter()
    for page in document.pages:
        for box in page._page_box.descendants():
            if not isinstance(box, boxes.TextBox) or " " not in box.text:
                continue
            layout = box.pango_layout
            layout.setup(box.style)
            layout.set_text(layout.text)  # as laid out, without justification
            run, text = layout.get_first_line()[0].runs[0], layout.text.encode()
            while run != ffi.NULL:
                item, glyphs, run = run.data.item, run.data.glyphs, run.next
                face = pango.pango_font_describe_with_absolute_size(item.analysis.font)
                family = ffi.string(pango.pango_font_description_get_family(face)).decode()
                size = box.style["font_size"]
                for i in range(glyphs.num_glyphs):
                    start = item.offset + glyphs.log_clusters[i]
                    if text[start:start + 1] == b" ":
                        width = glyphs.glyphs[i].geometry.width / 1024 / size
                        found[(family, round(size * PT, 1), round(width, 3))] += 1
            layout.deactivate()
    return found


def pitches(document) -> dict:
    """{paragraph (tag, text start): set of baseline-to-baseline distances (pt)}
    between consecutive lines of a paragraph on one page."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import typography

    found = {}
    for (_, tag, _), lines in typography.paragraphs(document).items():
        for (block, line), (next_block, following) in zip(lines, lines[1:]):
            if block is next_block:  # the same box: the same page and column
                key = (tag, typography.line_text(lines[0][1])[:12])
                pitch = (following.position_y + following.baseline) - \
                    (line.position_y + line.baseline)
                found.setdefault(key, set()).add(round(pitch * PT, 2))
    return found


def stylesheet_faces(project: Path) -> dict:
    """{"latin": file, "kai": file} of the regular faces the report's stylesheet names."""
    css = (project / "templates" / "delegation-report" / "style.css").read_text()
    regular = next(rule for rule in re.findall(r"@font-face\s*{([^}]*)}", css)
                   if '"Report Latin"' in rule and "bold" not in rule)
    names = re.findall(r'local\("([^"]+)"\)', regular)
    return {"latin": font_file(*[f":postscriptname={n}" for n in names]),
            "kai": font_file("TW\\-Kai")}


def font_file(*patterns: str) -> tuple[str, int]:
    """(file, index in a collection) of the first pattern fontconfig finds."""
    for pattern in patterns:
        out = subprocess.run(["fc-list", "--format", "%{file}|%{index}\n", pattern],
                             capture_output=True, text=True, check=True).stdout.split()
        if out:
            path, _, index = sorted(out)[0].partition("|")
            return path, int(index or 0)
    raise SystemExit(f"no font installed for {patterns}")


def ink(font, text: str):
    from PIL import Image, ImageDraw

    image = Image.new("L", (int(font.getlength(text)) + EM, 2 * EM), 0)
    ImageDraw.Draw(image).text((EM // 2, EM // 2), text, font=font, fill=255)
    return image.point(lambda value: 255 if value > 127 else 0)


def stroke(image) -> float:
    """Mean stroke width in em: a stroke of width w and length l has area w·l and
    outline about 2·l."""
    from PIL import ImageChops, ImageFilter

    outline = ImageChops.subtract(image, image.filter(ImageFilter.MinFilter(3)))
    return 2 * image.histogram()[255] / max(outline.histogram()[255], 1) / EM


def relation(latin: tuple[str, int], kai: tuple[str, int]) -> dict:
    """Size, stroke and colour of the Latin face over the Kai face's, at one size."""
    from PIL import ImageFont

    latin_font = ImageFont.truetype(latin[0], EM, index=latin[1])
    kai_font = ImageFont.truetype(kai[0], EM, index=kai[1])
    cap = (latin_font.getbbox("H")[3] - latin_font.getbbox("H")[1]) / EM
    han = statistics.fmean((kai_font.getbbox(c)[3] - kai_font.getbbox(c)[1]) / EM
                           for c in HAN)
    latin_ink, han_ink = ink(latin_font, LATIN), ink(kai_font, HAN)
    colour = (latin_ink.histogram()[255] / latin_font.getlength(LATIN)) / \
        (han_ink.histogram()[255] / kai_font.getlength(HAN))
    return {"size": cap / han, "stroke": stroke(latin_ink) / stroke(han_ink),
            "colour": colour, "cap_em": cap, "han_ink_em": han}


def native() -> dict:
    """The relation of Noto Serif CJK's Latin to its Han (size 0.79, stroke 1.27)."""
    paired = font_file(PAIRED)
    return relation(paired, paired)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("meetings", nargs="*", default=["fotc-urbanization-2019", "som1-2026"])
    parser.add_argument("--project", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    project = args.project.resolve()
    sys.path.insert(0, str(project))
    faces = stylesheet_faces(project)
    for name, measured in (("Latin face beside Kai", relation(faces["latin"], faces["kai"])),
                           ("Noto Serif CJK's Latin beside its Han", native())):
        print(f"{name}: " + "  ".join(f"{k} {v:.3f}" for k, v in measured.items()))
    print(f"(faces: {Path(faces['latin'][0]).name}, {Path(faces['kai'][0]).name})")
    for meeting in args.meetings:
        document = report(project, meeting)
        print(f"{meeting}: spaces", dict(spaces(document)))
        varying = {k: sorted(v) for k, v in pitches(document).items() if len(v) > 1}
        print(f"{meeting}: paragraphs whose line pitch varies: {len(varying)}", varying)


if __name__ == "__main__":
    main()
