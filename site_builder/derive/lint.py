"""Lint: findings about classifications a reviewer should look at.

A finding never stops a build (unless `--strict`); it is shown on the tool's
page and in `build-site check`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..content.catalogue import LoadedServer, LoadedTool
from ..content.models import Category, Confidence
from .assessment import Assessment

_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|\{\{.*?\}\}|\{%.*?%\}", re.S)
_ABOVE_WRITE = (Category.EXECUTE, Category.DESTRUCTIVE, Category.FINANCIAL)
_NOT_READ = (Category.WRITE, Category.EXECUTE, Category.DESTRUCTIVE, Category.FINANCIAL)


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    line: int
    server: str
    tool: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str | int]:
        return {"file": self.file, "line": self.line, "server": self.server, "tool": self.tool,
                "code": self.code, "message": self.message}

    def format(self) -> str:
        return f"{self.file}:{self.line} {self.tool!r} [{self.code}] {self.message}"


WILDCARD_TOOL = "*"


def _evidence_findings(assessment: Assessment) -> list[tuple[str, str]]:
    if assessment.reviewed and assessment.disagreements:
        return [("review-disagrees", f"reviewed as {assessment.category.value}, but "
                 + "; ".join(assessment.disagreements) + ": check the review")]
    if assessment.disagreements:
        scaffold = [d for d in assessment.disagreements if d.startswith("scaffold")]
        found = [("evidence-disagrees", f"classified {assessment.category.value} with low confidence: "
                  + "; ".join(assessment.disagreements))]
        if scaffold:
            found.append(("scaffold-disagrees", f"the imported scaffold grouping ({scaffold[0]}) differs from the "
                          f"tool's own evidence ({assessment.category.value})"))
        return found
    return []


def lint_tool(server: LoadedServer, entry: LoadedTool, assessment: Assessment) -> tuple[Finding, ...]:
    tool = entry.tool
    category = assessment.category
    annotations = tool.annotations or {}
    found: list[tuple[str, str]] = _evidence_findings(assessment)
    if annotations.get("readOnlyHint") is True and category in _NOT_READ:
        found.append(("annotation-contradiction",
                      f"declares readOnlyHint: true but is classified {category.value}"))
    if annotations.get("destructiveHint") is True and category is Category.READ:
        found.append(("annotation-contradiction", "declares destructiveHint: true but is classified read"))
    name_says = next((item.says for item in assessment.evidence if item.source == "name"), None)
    if name_says is Category.READ and category in _ABOVE_WRITE:
        found.append(("read-looking-name", f"name looks like a read but is classified {category.value}"))
    text = " ".join(part for part in (tool.description, tool.title) if part)
    placeholder = _PLACEHOLDER.search(text)
    if placeholder:
        found.append(("template-placeholder",
                      f"description contains a template placeholder {placeholder.group(0)[:40]!r}"))
    if not (tool.description or "").strip() and tool.classification.confidence is Confidence.HIGH:
        found.append(("empty-description-high-confidence",
                      "description is empty, yet the classification claims high confidence"))
    if assessment.confidence is Confidence.LOW and not assessment.disagreements:
        found.append(("low-confidence", "classified from thin evidence (one source); review it"))
    if tool.name == WILDCARD_TOOL:
        found.append(("wildcard-name",
                      "a tool literally named '*' cannot get its own Intercept rule (the key is the wildcard)"))
    return tuple(Finding(server.file, entry.line, server.data.server.id, tool.name, code, message)
                 for code, message in found)
