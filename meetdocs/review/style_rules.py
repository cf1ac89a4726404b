"""The Chinese style review, for every format whose text is Chinese: Simplified
characters, acronyms spelled out at first use, bracket style, punctuation and ROC
years.  The format's ``review:`` settings say which bracket and year style it uses.
"""

from __future__ import annotations

import re

from .finding import Finding
from .simplified import simplified
from .source import Source

_HAN = "\u3400-\u9fff\uf900-\ufaff"
# SOM1, SOM 1, MC14, FotC, MSMEs: two capitals at least, then a number if any.
_ACRONYM = re.compile(r"(?<![A-Za-z0-9])(?=[A-Za-z]*[A-Z][A-Za-z]*[A-Z])"
                      r"[A-Z][A-Za-z]+((?: ?\d{1,2})?)(?![A-Za-z0-9])")
# An English gloss starts with a Latin letter: （圖／APEC官網） is a photo credit.
_FULL_GLOSS = re.compile(r"（([A-Za-z][^（）]*)）")
_HALF_GLOSS = re.compile(r"\(([^()]*)\)")
_HALF_MARK = re.compile(rf"(?<=[{_HAN}])\s*([,.;:])\s*(?=[{_HAN}])")
_DOUBLED = re.compile(r"[，。、；：]{2,}|！！+|？？+")
_WESTERN_YEAR = re.compile(r"(?<![0-9])(1[89]\d\d|20\d\d)\s*年(?!\s*[（(]民國)")
_EXPANSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*(?:[ ,][ A-Za-z0-9'’\-,&]*)?")
# A photo credit, （圖／APEC官網）: a source named, not a use of its acronym.
_CREDIT = re.compile(r"[（(]圖\s*[／/][^（）()]*[）)]")
_ENGLISH_BEFORE = re.compile(r"[A-Za-z][A-Za-z'’\-]*(?: [A-Za-z'’\-]+)+ ?$")
PAIRS = {"「": "」", "『": "』", "（": "）"}
CLOSERS = {close: open_ for open_, close in PAIRS.items()}
FULL = {",": "，", ".": "。", ";": "；", ":": "："}


def review(source: Source, glossary: list, year: int, kept: list[str],
           settings: dict) -> list[Finding]:
    found = simplified_characters(source, kept)
    found += acronyms(source, glossary, year, kept, settings["brackets"])
    found += brackets(source, settings["brackets"]) + punctuation(source)
    if settings["years"] == "roc":
        found += western_years(source)
    return found


def simplified_characters(source: Source, kept: list[str]) -> list[Finding]:
    found = []
    for line in source.lines:
        pairs = simplified(line.text, kept)
        if pairs:
            found.append(Finding(
                source.path, line.number, "Simplified characters in Traditional text",
                " ".join(t for _, t in pairs), " ".join(s for s, _ in pairs),
                rule="zh-simplified",
                fix=", ".join(f"{s} → {t}" for s, t in pairs)))
    return found


def terms_of(glossary: list, year: int) -> dict:
    """The glossary's terms in use in ``year``, by acronym."""
    return {t.acronym: t for t in glossary if not t.years or year in t.years}


def acronyms(source: Source, glossary: list, year: int, kept: list[str],
             style: str | None = None) -> list[Finding]:
    """``style``: the format's bracket style, for the fix's example."""
    terms, seen, spelled, found = terms_of(glossary, year), set(), set(), []
    for line in source.lines:
        text = _CREDIT.sub(lambda m: " " * len(m[0]), line.text)
        # Headings and figure captions are not where a term is spelled out.
        heading = line.raw.lstrip().startswith(("#", "!["))
        for match in _ACRONYM.finditer(text):
            word = match[0].replace(" ", "")
            base = match[0][:len(match[0]) - len(match[1])] if match[1] else word
            if word in seen or word in kept or base in kept or in_english(text, match):
                continue
            term = terms.get(word) or terms.get(base)
            if heading and term is not None:
                continue
            seen.add(word)
            if term is None:
                found.append(unknown(source, line, word, year))
                continue
            gloss = gloss_at(text, match.start())
            if gloss:
                spelled.add(base)
            elif match[1] and base in spelled:
                continue   # SOM2 after SOM1 or SOM was spelled out
            found += first_use(source, line, word, term if term.acronym == word else None,
                               gloss, year, style)
    return found


def in_english(text: str, match) -> bool:
    """SOM in "SOM Steering Committee" or APEC in "the APEC Region" is part of an
    English name, not a use of the acronym in the Chinese text."""
    return bool(re.search(r"[A-Za-z][\s-]$", text[:match.start()])
                or re.match(r"[\s-][A-Za-z]", text[match.end():]))


def unknown(source: Source, line, word: str, year: int) -> Finding:
    return Finding(source.path, line.number, f"the acronym {word} is not in the "
                   f"glossary for {year}", "an acronym content/glossary.yaml knows",
                   word, rule="zh-acronym-unknown",
                   fix=f"add {word} to content/glossary.yaml (acronym, en, zh), or "
                   "to the front matter's as_written if it is a name")


def gloss_at(text: str, position: int) -> tuple[str, str] | None:
    """(Chinese name before, English expansion) when the acronym at ``position``
    closes a bracketed gloss: 資深官員會議（Senior Officials' Meeting，簡稱 SOM）."""
    opening = max(text.rfind("（", 0, position), text.rfind("(", 0, position))
    closing = max(text.rfind("）", 0, position), text.rfind(")", 0, position))
    if opening < 0 or closing > opening:
        return None
    english = _ENGLISH_BEFORE.search(text[:opening])
    if english and text[opening + 1:position].strip() == "":
        # The English way, inside a gloss: (Bangkok Goals on Bio-Circular-Green (BCG)
        # Economy); the expansion is not the glossary's sentence, so it is not compared.
        return text[:english.start()].rstrip("」』 "), ""
    inside = re.split(r"[，,]\s*(?:以下)?(?:簡稱)?\s*$", text[opening + 1:position])
    english = inside[0].strip() if len(inside) == 2 else ""
    if not _EXPANSION.fullmatch(english) or " " not in english.strip():
        return None
    return text[:opening].rstrip("」』 "), english


def first_use(source, line, word, term, gloss, year, style) -> list[Finding]:
    if gloss is None:
        zh, en = (term.zh, term.en) if term else ("中文名稱", "English name")
        example = (f"{zh}({en}, {word})" if style == "half-width"
                   else f"{zh}（{en}，簡稱 {word}）")
        return [Finding(source.path, line.number, f"the acronym {word} is used before "
                        "it is spelled out", "the Chinese name and the English "
                        "expansion at its first use", word, rule="zh-acronym-first-use",
                        fix=f"write {example}")]
    # The English decides: it is what changes when an acronym names another forum
    # (TMM in 2023 and 2026); the Chinese name before it is often shortened.
    if term is None or not gloss[1] or same(gloss[1], term.en):
        return []
    return [Finding(source.path, line.number, f"{word} is spelled out differently "
                    f"from the glossary's meaning in {year}",
                    f"{term.zh}（{term.en}）", f"{gloss[0][-len(term.zh):]}（{gloss[1]}）",
                    rule="zh-acronym-expansion",
                    fix="use the glossary's name, or correct content/glossary.yaml")]


def same(english: str, expected: str) -> bool:
    def norm(text):
        text = re.sub(r"[-\s]+", " ", text.lower().replace("’", "'"))
        return re.sub(r"[^a-z0-9 ]", "", text).replace("the ", "").strip()
    return norm(english) == norm(expected)


def brackets(source: Source, style: str | None) -> list[Finding]:
    if style is None:
        return []
    wrong = _FULL_GLOSS if style == "half-width" else _HALF_GLOSS
    found = []
    for line in source.lines:
        for match in wrong.finditer(line.text):
            right = restyled(match[1], style)
            found.append(Finding(source.path, line.number, f"this format writes glosses "
                                 f"in {style} brackets", right, match[0],
                                 rule="zh-brackets", fix=f"write {right}"))
    return found


def restyled(inner: str, style: str) -> str:
    """A gloss in the other style: (Friends of the Chair, FotC) ⇄
    （Friends of the Chair，簡稱 FotC）."""
    if style == "half-width":
        return "(" + re.sub(r"\s*，\s*(?:以下)?簡稱\s*", ", ", inner) + ")"
    return "（" + re.sub(r",\s*([A-Z][A-Za-z0-9 ]*)$", r"，簡稱 \1", inner) + "）"


def punctuation(source: Source) -> list[Finding]:
    found = []
    for line in source.lines:
        for match in _HALF_MARK.finditer(line.text):
            found.append(Finding(source.path, line.number, "a half-width mark between "
                                 "Chinese characters", FULL[match[1]], match[1],
                                 rule="zh-half-width-mark",
                                 fix=f"write {FULL[match[1]]}"))
        for match in _DOUBLED.finditer(line.text):
            found.append(Finding(source.path, line.number, "doubled punctuation",
                                 "one mark", match[0], rule="zh-doubled-mark",
                                 fix=f"keep one of {match[0]}"))
    return found + unbalanced(source)


def unbalanced(source: Source) -> list[Finding]:
    """Brackets and quotes that open and close in one paragraph, in order."""
    found = []
    for paragraph in source.paragraphs():
        stack = []
        for line in paragraph:
            for char in line.text:
                if char in PAIRS:
                    stack.append((char, line.number))
                elif char in CLOSERS and stack and stack[-1][0] == CLOSERS[char]:
                    stack.pop()
                elif char in CLOSERS:
                    found.append(stray(source.path, line.number, char,
                                       stack[-1][0] if stack else None))
        found += [unclosed(source.path, number, char) for char, number in stack]
    return found


def unclosed(path, line: int, char: str) -> Finding:
    return Finding(path, line, f"{char} is not closed in its paragraph", PAIRS[char],
                   "none", rule="zh-unbalanced", fix=f"add {PAIRS[char]} where it ends")


def stray(path, line: int, char: str, open_char: str | None) -> Finding:
    """A closing mark that does not close the mark open before it."""
    expected = (f"{PAIRS[open_char]} to close {open_char}" if open_char
                else f"{CLOSERS[char]} before it")
    return Finding(path, line, f"{char} closes nothing open", expected, char,
                   rule="zh-unbalanced", fix="pair each opening mark with its closing one")


def western_years(source: Source) -> list[Finding]:
    found = []
    for line in source.lines:
        for match in _WESTERN_YEAR.finditer(line.text):
            roc = int(match[1]) - 1911
            found.append(Finding(source.path, line.number, "this format writes ROC "
                                 "years (民國)", f"{roc} 年", match[0],
                                 rule="zh-roc-year",
                                 fix=f"write {roc} 年 (or {match[1]}年（民國{roc}年）)"))
    return found
