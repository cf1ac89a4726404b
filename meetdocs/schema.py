"""Validate hand-written YAML against a small type language.

Types are words a template author can read in ``format.yaml``::

    text   date   month-or-date   int   person   list of text   text?  (? = optional)

Records (``person``, ``priority`` ...) are field maps below.  ``check`` converts and
collects every problem with its line, the field, what was expected and what was found;
an unknown key is an error that suggests the closest known one (MkDocs' strict mode).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re

from .errors import Problem
from .yamlread import INVALID, LineDict, LineList

RECORDS: dict[str, dict[str, str]] = {
    "person": {"name": "text", "title": "text", "role": "text?"},
    "priority": {"name": "text", "name_en": "text", "items": "list of text?"},
    "event": {"name": "text", "acronym": "text", "start": "month-or-date",
              "end": "date?", "city": "text"},
    "delegation": {"head": "person", "members": "list of person?"},
    "term": {"acronym": "text", "en": "text", "zh": "text", "years": "list of int?"},
}

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _describe(value) -> str:
    if isinstance(value, bool):
        return f"{'yes' if value else 'no'}, which YAML reads as a yes/no value"
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "a set of keys"
    if value is None:
        return "nothing"
    return f"{value!r}, which YAML reads as a {type(value).__name__}"


class Checker:
    def __init__(self, path):
        self.path = path
        self.problems: list[Problem] = []

    def fail(self, line, field, expected, found):
        self.problems.append(Problem(self.path, line, f"'{field}' is not valid",
                                     expected, found))

    def record(self, data, fields: dict[str, str], where: str, line: int):
        if not isinstance(data, LineDict):
            self.fail(line, where or "document", "a set of keys", _describe(data))
            return {}
        out = {}
        for key in data:
            if key not in fields:
                close = difflib.get_close_matches(key, fields, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.problems.append(Problem(
                    self.path, data.lines[key], f"unknown key '{key}'{hint}",
                    "one of " + ", ".join(fields)))
        for key, typ in fields.items():
            name = f"{where}.{key}" if where else key
            if key not in data or (data[key] is None and typ.endswith("?")):
                if not typ.endswith("?"):
                    self.problems.append(Problem(
                        self.path, data.line, f"required key '{name}' is missing"))
                continue
            raw = data.raw.get(key)
            out[key] = self.value(data[key], typ.rstrip("?"), name, data.lines[key], raw)
        return out

    def value(self, value, typ, name, line, raw=None):
        if value is INVALID:
            return None
        if typ.startswith("list of "):
            return self.listing(value, typ[8:], name, line)
        if typ in RECORDS:
            return self.record(value, RECORDS[typ], name, line)
        return getattr(self, "scalar_" + typ.replace("-", "_"))(value, name, line, raw)

    def listing(self, value, typ, name, line):
        if not isinstance(value, LineList):
            self.fail(line, name, "a list (lines starting with '- ')", _describe(value))
            return ()
        return tuple(self.value(item, typ, f"{name}[{i + 1}]", value.lines[i],
                                value.raw[i]) for i, item in enumerate(value))

    def scalar_text(self, value, name, line, raw):
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, str):
            self.fail(line, name, "text", "an empty value")
        elif raw is not None and getattr(raw, "style", "") is None and not isinstance(
                value, (list, dict)):
            self.fail(line, name, f"text (write it in quotes: \"{raw.value}\")",
                      _describe(value))
        else:
            self.fail(line, name, "text", _describe(value))
        return ""

    def scalar_int(self, value, name, line, raw):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        self.fail(line, name, "a whole number", _describe(value))
        return 0

    def scalar_date(self, value, name, line, raw):
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        self.fail(line, name, "a date written YYYY-MM-DD", _describe(value))
        return dt.date(1970, 1, 1)

    def scalar_month_or_date(self, value, name, line, raw):
        match = _MONTH.match(value) if isinstance(value, str) else None
        if match and 1 <= int(match[2]) <= 12:
            return (dt.date(int(match[1]), int(match[2]), 1), "month")
        return (self.scalar_date(value, name, line, raw), "day")


def check(data, fields: dict[str, str], path, line: int = 1):
    """Return (converted dict, problems)."""
    checker = Checker(path)
    out = checker.record(data, fields, "", line)
    return out, checker.problems
