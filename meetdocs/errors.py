"""One small exception tree.

Every problem names the file (relative to the project when it can) and the line, and
says what was expected and what was found.  Stages collect problems and raise them
together in one ``BuildError`` so that a user fixes a whole run's worth at once.
Only ``cli`` turns them into text on the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: Path | str
    line: int | None
    message: str
    expected: str | None = None
    found: str | None = None

    def where(self) -> str:
        """``path:line``, or the path alone when the line is not known."""
        return str(self.path) if self.line is None else f"{self.path}:{self.line}"

    def __str__(self) -> str:
        text = f"{self.where()}: {self.message}"
        if self.expected:
            text += f"; expected {self.expected}"
        if self.found:
            text += f", found {self.found}"
        return text


class BuildError(Exception):
    """One or more problems that stop the build; nothing has been written."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class Problems:
    """Collects problems across a stage, then fails once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, path, line, message, expected=None, found=None) -> None:
        self.items.append(Problem(path, line, message, expected, found))

    def extend(self, problems: list[Problem]) -> None:
        self.items.extend(problems)

    def raise_if_any(self) -> None:
        if self.items:
            raise BuildError(self.items)


@dataclass
class SetupError(Exception):
    """The machine lacks something the build needs (a font, a library)."""

    message: str
    fix: str | None = field(default=None)

    def __str__(self) -> str:
        return self.message if not self.fix else f"{self.message}\n  fix: {self.fix}"
