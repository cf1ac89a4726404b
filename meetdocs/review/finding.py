"""One finding of a review: a ``Problem`` that also names its rule and the fix.

A finding is a warning: the build goes on and prints it, unless ``--strict`` asks
for the rules to hold (then findings stop the build like any other problem, which
is why a finding *is* a ``Problem``).  A note only informs (the days left before a
report is due) and never fails a build.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Problem


@dataclass(frozen=True)
class Finding(Problem):
    rule: str = ""
    fix: str | None = None
    note: bool = False

    def __str__(self) -> str:
        text = f"{self.where()}: [{self.rule}] {self.message}"
        if self.expected:
            text += f"; expected {self.expected}"
        if self.found:
            text += f"; found {self.found}"
        if self.fix:
            text += f"; fix: {self.fix}"
        return text

    def as_record(self) -> dict:
        """For manifest.json, so that a build with nothing to render shows them again."""
        return {"path": str(self.path), "line": self.line, "rule": self.rule,
                "message": self.message, "expected": self.expected,
                "found": self.found, "fix": self.fix, "note": self.note}


def warnings(findings: list[Finding]) -> list[Finding]:
    """The findings that count: ``--strict`` fails on these, never on notes."""
    return [f for f in findings if not f.note]
