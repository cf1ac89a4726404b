"""The ``review:`` settings of a format's ``format.yaml``: which rules apply to its
documents and their limits.  Documented for template authors in docs/templates.md.
"""

from __future__ import annotations

from ..errors import Problem

BRACKETS = ("full-width", "half-width")
YEARS = ("roc", "any")
# summary_length: agencies' instructions for the 出國報告 ask for a 摘要 of "200 至
# 300 字" (the Executive Yuan's format, restated e.g. by the Ministry of Economic
# Affairs and Taoyuan City); counted as Word counts 字數: each Chinese character or
# full-width mark is one, each English word or number one.
# min_suggestions: the rules ask for 建議 as concrete items; one is the floor,
# Taipei City's rules ask for at least three (set 3 in a Taipei format).
DEFAULTS = {"chinese": None, "brackets": None, "years": "any", "report": False,
            "min_suggestions": 1, "summary_length": [200, 300], "sheet": False}


def check(data, shown, lang: str) -> tuple[dict, list[Problem]]:
    """Return (settings with defaults filled in, problems at format.yaml lines)."""
    settings = dict(DEFAULTS, chinese=lang.startswith("zh"))
    if data is None:
        return settings, []
    if not isinstance(data, dict):
        return settings, [Problem(shown, None, "'review' is not valid",
                                  "a set of keys (see docs/templates.md)")]
    problems = []
    for key, value in data.items():
        line = data.lines.get(key)
        why = invalid(key, value)
        if why:
            problems.append(Problem(shown, line, f"'review.{key}' is not valid",
                                    why, repr(value)))
        else:
            settings[key] = value
    return settings, problems


def invalid(key: str, value) -> str | None:
    """What the value should be, when it is not that."""
    if key not in DEFAULTS:
        return "one of " + ", ".join(DEFAULTS)
    if key in ("chinese", "report", "sheet"):
        return None if isinstance(value, bool) else "true or false"
    if key == "brackets":
        return None if value in BRACKETS else " or ".join(BRACKETS)
    if key == "years":
        return None if value in YEARS else " or ".join(YEARS)
    if key == "min_suggestions":
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return None if ok else "a whole number, 0 or more"
    ok = (isinstance(value, list) and len(value) == 2
          and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
          and 0 < value[0] <= value[1])
    return None if ok else "[least, most], e.g. [200, 300]"
