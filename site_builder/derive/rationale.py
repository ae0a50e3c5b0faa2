"""Plain sentences that explain a classification from its evidence.

Reviewed tools keep the reviewer's rationale; every other tool gets one
written from what the classifier actually used, so no page says less than
the evidence does.  A written rationale is plain text: no Markdown to parse.
"""

from __future__ import annotations

from ..content.models import Category, Confidence
from .classify import Assessment, Effect

CATEGORY_MEANING = {
    Category.READ: "it only reads or computes information",
    Category.WRITE: "it creates or changes data",
    Category.EXECUTE: "it runs code, commands or actions whose effects go beyond the call",
    Category.DESTRUCTIVE: "it deletes or irreversibly overwrites data or resources",
    Category.FINANCIAL: "it moves money or changes what is billed",
}


_SOURCES = {"name": "the name", "description": "the description", "schema": "the input schema",
            "annotations": "the annotations", "scaffold": "an imported grouping", "review": "a reviewer"}


def written_rationale(assessment: Assessment) -> str:
    """Why this category, in sentences, from the evidence (for tools nobody reviewed)."""
    meaning = CATEGORY_MEANING[assessment.category]
    found = "; ".join(f"{_SOURCES.get(item.source, item.source)}: {item.detail}"
                      + (f" ({item.says.value})" if item.says else "") for item in assessment.evidence)
    lines = [f"Classified {assessment.category.value} ({meaning}) from the tool's own definition; "
             "not reviewed by hand."]
    lines.append(f"Evidence: {found}." if found else "Its name and description name no known action, so it is "
                 "treated as an action until someone reviews it.")
    if assessment.disagreements:
        lines.append("The evidence disagrees (" + "; ".join(assessment.disagreements)
                     + "), so the confidence is low and the stricter reading is used.")
    elif assessment.confidence is Confidence.LOW:
        lines.append("Only one piece of evidence points this way, so the confidence is low.")
    else:
        lines.append("The evidence agrees.")
    return " ".join(lines)


def strict_exclusion(assessment: Assessment) -> str | None:
    """Why the tool is left out of the read-only bundle, or None when it is in it."""
    if assessment.read_only_safe:
        return None
    if assessment.category is not Category.READ:
        return f"it is a {assessment.category.value} tool"
    if assessment.effects:
        return "although it reads, it " + " and ".join(effect.label for effect in assessment.effects)
    if assessment.instructs_agent:
        return "its description tells the agent what to do, a tool-poisoning pattern"
    return "its name, description and annotations do not agree that it only reads, and nobody has reviewed it"


def effect_words(effects: tuple[Effect, ...]) -> str:
    return ", ".join(effect.label for effect in effects) if effects else "none found"
