"""The first classification an importer writes for a tool nobody has reviewed.

It is the builder's own classifier (site_builder.derive.classify) run on the
tool's name and annotations, marked `confidence: low` and with a rationale
that says it is a guess.  The builder recognises such guesses by their marks
and classifies those tools again from all their evidence at every build;
anything else written in a classification is a person's review.
"""

from __future__ import annotations

from typing import Any

from ..content.models import Category

HEURISTIC_MARK = "Heuristic classification (not reviewed)"
SCAFFOLD_MARK = "Grouped under '"
UNCLASSIFIED_MARK = "Unclassified:"
IMPORT_MARKS = (HEURISTIC_MARK, SCAFFOLD_MARK, UNCLASSIFIED_MARK)


def is_import_guess(rationale: str) -> bool:
    """True when a classification was written by an importer, not by a reviewer."""
    return rationale.startswith((SCAFFOLD_MARK, UNCLASSIFIED_MARK)) or HEURISTIC_MARK in rationale


def classify(name: str, annotations: dict[str, Any] | None = None,
             description: str | None = None) -> tuple[Category, str]:
    """A category and a rationale that says how it was guessed."""
    from ..content.models import Tool
    from .classify import classify as classify_tool

    tool = Tool.model_validate({"name": name, "description": description, "annotations": annotations,
                                "classification": {"category": "read", "rationale": HEURISTIC_MARK,
                                                   "confidence": "low"}})
    assessment = classify_tool(tool)
    used = "; ".join(item.detail for item in assessment.evidence) or "no known verb in the name"
    return assessment.category, f"{HEURISTIC_MARK}: {used}."
