"""Jinja filters for this field: ROC (民國) dates, Chinese date ranges and numerals,
English dates for the English editions, and the little arithmetic a template needs
to draw a timeline in SVG.

Template authors use them as ``{{ meeting.start | roc_date }}`` → 「115年2月1日」.
"""

from __future__ import annotations

import calendar
import datetime as dt
import unicodedata

DIGITS = "〇一二三四五六七八九"
FORMAL = "零壹貳參肆伍陸柒捌玖"
ROC_OFFSET = 1911


def roc_year(value: dt.date | int) -> int:
    year = value if isinstance(value, int) else value.year
    return year - ROC_OFFSET


def roc_date(value: dt.date, spaced: bool = False) -> str:
    """115年2月1日; ``spaced`` gives the 「115 年 2 月 1 日」 form of typed reports."""
    parts = (roc_year(value), "年", value.month, "月", value.day, "日")
    return (" " if spaced else "").join(str(p) for p in parts)


def zh_date(value: dt.date, roc: bool = False) -> str:
    year = roc_year(value) if roc else value.year
    return f"{year}年{value.month}月{value.day}日"


def zh_date_range(start: dt.date, end: dt.date | None = None, year: bool = False,
                  roc: bool = False) -> str:
    """2月1日至10日, 8月31日至9月4日; with ``year`` the year leads (2026年/115年)."""
    lead = ""
    if year:
        lead = f"{roc_year(start) if roc else start.year}年"
    first = f"{lead}{start.month}月{start.day}日"
    if end is None or end == start:
        return first
    if end.year != start.year:
        return f"{first}至{roc_year(end) if roc else end.year}年{end.month}月{end.day}日"
    if end.month != start.month:
        return f"{first}至{end.month}月{end.day}日"
    return f"{first}至{end.day}日"


def event_date(event) -> str:
    """A calendar entry's date, honest about month-only precision (「8月」).
    ``event`` is template data: a mapping (formats.plain)."""
    if event["precision"] == "month":
        return f"{event['start'].month}月"
    return zh_date_range(event["start"], event.get("end"))


def zh_numeral(number: int, formal: bool = False) -> str:
    """1→一, 10→十, 12→十二, 21→二十一 (up to 99); ``formal`` gives 壹、拾."""
    digits = FORMAL if formal else DIGITS
    ten = "拾" if formal else "十"
    if not 0 < number < 100:
        return str(number)
    tens, ones = divmod(number, 10)
    if tens == 0:
        return digits[ones]
    head = "" if tens == 1 else digits[tens]
    return head + ten + (digits[ones] if ones else "")


def zh_item(number: int) -> str:
    """The list mark （一）."""
    return f"（{zh_numeral(number)}）"


def fullwidth(text) -> str:
    """Half-width digits and Latin letters to full-width (１２３), for styles that ask."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in str(text))


# Spelled out here rather than taken from strftime("%B"), which follows the locale.
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July",
             "August", "September", "October", "November", "December")


def en_date(value: dt.date) -> str:
    """16 March 2026: day first, as APEC's own documents write dates."""
    return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"


def en_date_range(start: dt.date, end: dt.date | None = None, year: bool = True) -> str:
    """1–10 February 2026; 28 February – 3 March 2026 (the en dash spaced once it
    joins more than numbers); without ``year``, 20–23 May."""
    last = end if end is not None else start
    tail = f" {last.year}" if year else ""
    if last == start:
        return f"{start.day} {MONTHS_EN[start.month - 1]}{tail}"
    if (start.year, start.month) == (last.year, last.month):
        return f"{start.day}\u2013{last.day} {MONTHS_EN[last.month - 1]}{tail}"
    first = f"{start.day} {MONTHS_EN[start.month - 1]}"
    if start.year != last.year:
        first += f" {start.year}"
        tail = f" {last.year}"
    return f"{first} \u2013 {last.day} {MONTHS_EN[last.month - 1]}{tail}"


def year_fraction(value: dt.date, end: bool = False) -> float:
    """Where a date falls on a year drawn as twelve equal months: 0.0 is the start of
    January, 1.0 the end of December; ``end`` gives the end of the day.  Equal months
    keep a timeline's month grid regular and a month-only event exactly one column."""
    days = calendar.monthrange(value.year, value.month)[1]
    return (value.month - 1 + (value.day - 1 + end) / days) / 12


def em_width(text) -> float:
    """A generous estimate of the width of text in em, for placing labels in an SVG
    (which cannot measure text before it is laid out): CJK and full-width characters
    1 em; Latin capitals 0.8 (Noto Sans CJK TC Bold: 0.67 on average, M 0.85), a
    space 0.3, anything else 0.6, so that labels placed apart do not touch."""
    def width(char):
        if unicodedata.east_asian_width(char) in "WF":
            return 1.0
        return 0.3 if char == " " else 0.8 if char.isupper() else 0.6
    return sum(width(char) for char in str(text))


_CLAUSE_END = "，；。："
_OPEN, _CLOSE = "（「『《〈(", "）」』》〉)"


def first_clause(text) -> str:
    """The text up to its first ，；。or ： outside brackets: a long priority item
    condensed to its lead clause (「推動FTAAP集體行動」) for a one-page summary."""
    depth = 0
    for index, char in enumerate(str(text)):
        depth += (char in _OPEN) - (char in _CLOSE)
        if depth <= 0 and char in _CLAUSE_END and index:
            return str(text)[:index]
    return str(text)


FILTERS = {f.__name__: f for f in (roc_year, roc_date, zh_date, zh_date_range,
                                   event_date, zh_numeral, zh_item, fullwidth,
                                   en_date, en_date_range, year_fraction, em_width,
                                   first_clause)}
