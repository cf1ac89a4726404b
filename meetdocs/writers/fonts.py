"""Fonts are checked before anything is rendered: a PDF with empty boxes is never written.

Pango falls back silently to whatever font it finds, so the check is ours: every
family a format names must be installed, and every character of the document must be
in one of them.  fontconfig already knows each font's character set (``fc-list``
reads it from its cache in milliseconds), so no font file is parsed here.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import unicodedata

from ..errors import SetupError

APT_FONTS = "fonts-noto-cjk fonts-noto-core fonts-cns11643-kai fonts-texgyre"


def _pattern(family: str) -> str:
    # '-' and ':' mean size and property in a fontconfig pattern.
    return family.replace("\\", "\\\\").replace("-", "\\-").replace(":", "\\:")


@functools.lru_cache(maxsize=None)
def charset(family: str) -> tuple[tuple[int, int], ...]:
    """The code point ranges of a family's regular face, or () if not installed."""
    if shutil.which("fc-list") is None:
        raise SetupError("fontconfig (fc-list) is not installed",
                         "apt-get install fontconfig")
    result = subprocess.run(["fc-list", "--format", "%{charset}\n", _pattern(family)],
                            capture_output=True, text=True, check=False)
    ranges = []
    for token in result.stdout.split():
        low, _, high = token.partition("-")
        ranges.append((int(low, 16), int(high or low, 16)))
    return tuple(sorted(set(ranges)))


@functools.lru_cache(maxsize=None)
def installed_files() -> frozenset:
    """Font files fontconfig knows: the only files outside the project that a
    stylesheet's ``@font-face { src: local(...) }`` may make WeasyPrint read."""
    result = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True,
                            text=True, check=False)
    return frozenset(line for line in result.stdout.splitlines() if line)


def require(families: tuple[str, ...]) -> None:
    missing = [f for f in families if not charset(f)]
    if missing:
        raise SetupError(f"font(s) not installed: {', '.join(missing)}; "
                         "the PDF would show empty boxes",
                         f"apt-get install {APT_FONTS}")
    if not any(covers(f, "中臺灣") for f in families):
        raise SetupError(f"none of the fonts {', '.join(families)} covers Traditional "
                         "Chinese", f"apt-get install {APT_FONTS}")


def covers(family: str, text: str) -> bool:
    return all(_in(ord(c), charset(family)) for c in text)


def _in(code: int, ranges) -> bool:
    return any(low <= code <= high for low, high in ranges)


def uncovered(text: str, families: tuple[str, ...]) -> list[str]:
    """Characters of ``text`` that no family covers (spaces and controls aside)."""
    missing = []
    for char in sorted(set(text)):
        if char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Zs"):
            continue
        if not any(_in(ord(char), charset(f)) for f in families):
            missing.append(char)
    return missing
