"""The validated content: what templates and writers see.

Dates are ``datetime.date``; a calendar entry known only to the month keeps
``precision == "month"`` so that templates print 「8月」 rather than inventing a day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Person:
    name: str
    title: str
    role: str | None = None


@dataclass(frozen=True)
class Priority:
    name: str
    name_en: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Event:
    name: str
    acronym: str
    start: dt.date
    city: str
    end: dt.date | None = None
    precision: str = "day"  # "day" or "month"


@dataclass(frozen=True)
class Delegation:
    head: Person
    members: tuple[Person, ...] = ()


@dataclass(frozen=True)
class Term:
    acronym: str
    en: str
    zh: str
    years: tuple[int, ...] = ()


@dataclass
class Meeting:
    id: str
    folder: Path
    name: str
    name_en: str
    acronym: str
    year: int
    host_economy: str
    host_economy_en: str
    city: str
    city_en: str
    venue: str | None
    venue_en: str | None
    start: dt.date
    end: dt.date
    theme: str | None
    theme_en: str | None
    priorities: tuple[Priority, ...]
    delegation: Delegation | None
    calendar: tuple[Event, ...] = ()
    glossary: tuple[Term, ...] = ()
    documents: list["Document"] = field(default_factory=list)
    # Formats that draw on meeting.yaml alone but lack a fact: (format, reason).
    skipped: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Document:
    """One Markdown file of a meeting; its file name picks its format."""

    path: Path
    format_name: str
    meta: dict
    body: str
    body_line: int  # line of the file where the Markdown body starts
    html: str = ""  # filled by the markdown stage
