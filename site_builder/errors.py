"""The project's one small exception tree.

Every user-facing error is a :class:`Problem` (file, line, field path, message,
hint).  A stage collects all the problems of a run and raises them together in
one :class:`UserError`, so a run reports everything at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable


@dataclass(frozen=True, order=True)
class Problem:
    """One thing the user has to fix."""

    file: str
    line: int
    field: str
    message: str
    hint: str = ""

    def format(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where} {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text


DOCS = "docs"  # hints point into the project's docs/ folder (shipped in the repository)
CATALOGUE_DOC = f"{DOCS}/catalogue-format.md"
POLICY_DOC = f"{DOCS}/policy-formats.md"


def display_path(path: Path) -> str:
    """A path as the user typed it: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class BuildSiteError(Exception):
    """Base of every error this package raises on purpose."""


class UserError(BuildSiteError):
    """Errors in the user's input; carries every problem found in the run."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(set(problems)))
        super().__init__(self.report())

    def __reduce__(self) -> tuple[type[UserError], tuple[tuple[Problem, ...]]]:
        """Pickled as its problems, so it crosses from a worker process intact."""
        return type(self), (self.problems,)

    def report(self) -> str:
        count = len(self.problems)
        lines = [p.format() for p in self.problems]
        lines.append(f"{count} error{'s' if count != 1 else ''}")
        return "\n".join(lines)


class CatalogueError(UserError):
    """The catalogue does not load or validate."""


class PolicyError(UserError):
    """A policy file (ours or the user's) is not valid."""


class OutputError(BuildSiteError):
    """The writer refused an output path (outside the output folder, or written twice)."""


class ScanError(BuildSiteError):
    """A live MCP server could not be scanned."""
