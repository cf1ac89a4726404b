"""Simplified characters in Traditional text, found with OpenCC.

OpenCC converts the text Simplified → Traditional with its phrase dictionary; a
character it changes was written in the Simplified script.  Characters that are
Traditional too (后 in 皇后, 干 in 干涉, 台 in 平台) are left alone: OpenCC lists
them among their own Traditional forms, and ``both_scripts.txt`` holds that list
(the Python binding returns only the first candidate; see scripts/opencc_shared.py).
The form suggested is the Taiwan one (s2tw: 裡, 著).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

SHARED_FILE = Path(__file__).with_name("both_scripts.txt")


@cache
def converters():
    import opencc  # loaded only when a Chinese document is reviewed

    return opencc.OpenCC("s2t.json"), opencc.OpenCC("s2tw.json")


@cache
def shared() -> frozenset[str]:
    lines = SHARED_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset("".join(line for line in lines if not line.startswith("#")))


def simplified(text: str, kept: list[str]) -> list[tuple[str, str]]:
    """(character, Traditional form) for each Simplified character of ``text``,
    outside the words in ``kept`` (proper names written as they are)."""
    if text.isascii():
        return []
    to_traditional, to_taiwan = converters()
    converted, taiwan = to_traditional.convert(text), to_taiwan.convert(text)
    if len(converted) != len(text):   # a phrase changed length: compare one by one
        converted = "".join(to_traditional.convert(c) for c in text)
    if len(taiwan) != len(text):
        taiwan = converted
    covered = kept_positions(text, kept)
    # A character whose Taiwan form is itself is a Traditional variant (群 for 羣).
    return [(char, taiwan[i]) for i, char in enumerate(text)
            if converted[i] != char and taiwan[i] != char and char not in shared()
            and i not in covered]


def kept_positions(text: str, kept: list[str]) -> set[int]:
    positions = set()
    for word in kept:
        start = text.find(word)
        while word and start >= 0:
            positions.update(range(start, start + len(word)))
            start = text.find(word, start + 1)
    return positions
