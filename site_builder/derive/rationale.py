"""Plain sentences that explain a classification from its evidence.

Reviewed tools keep the reviewer's rationale; every other tool gets one
written from what the classifier actually used, so no page says less than
the evidence does.  The text is Markdown with catalogue words in code spans.
"""

from __future__ import annotations

from ..models import Category, Confidence
from .classify import Assessment, Effect

CATEGORY_MEANING = {
    Category.READ: "it only reads or computes information",
    Category.WRITE: "it creates or changes data",
    Category.EXECUTE: "it runs code, commands or actions whose effects go beyond the call",
    Category.DESTRUCTIVE: "it deletes or irreversibly overwrites data or resources",
    Category.FINANCIAL: "it moves money or changes what is billed",
}


def _code(text: str) -> str:
    """A catalogue word in a Markdown code span that no backtick in it can close."""
    fence = "``" if "`" in text else "`"
    return f"{fence} {text.replace(chr(10), ' ')} {fence}" if fence == "``" else f"`{text}`"


def _evidence_line(source: str, detail: str) -> str:
    words = {"name": "The name", "description": "The description", "schema": "The input schema",
             "annotations": "The annotations", "scaffold": "An imported grouping", "review": "A reviewer"}
    return f"{words.get(source, source)}: {detail}."


def written_rationale(assessment: Assessment) -> str:
    """Why this category, in sentences, from the evidence (for tools nobody reviewed)."""
    meaning = CATEGORY_MEANING[assessment.category]
    lines = [f"Classified **{assessment.category.value}** ({meaning}) from the tool's own definition; "
             "not reviewed by hand."]
    lines.extend(_evidence_line(item.source, item.detail) for item in assessment.evidence)
    if assessment.disagreements:
        lines.append("The evidence disagrees (" + "; ".join(assessment.disagreements)
                     + "), so the confidence is low and the stricter reading is used.")
    elif assessment.confidence is Confidence.LOW:
        lines.append("Only one piece of evidence points this way, so the confidence is low.")
    return " ".join(lines)


def strict_exclusion(assessment: Assessment) -> str | None:
    """Why the tool is left out of the read-only bundle, or None when it is in it."""
    if assessment.read_only_safe:
        return None
    if assessment.category is not Category.READ:
        return f"it is a {assessment.category.value} tool"
    if assessment.effects:
        return "although it reads, it " + " and ".join(effect.label for effect in assessment.effects)
    return "its name, description and annotations do not agree that it only reads, and nobody has reviewed it"


def effect_words(effects: tuple[Effect, ...]) -> str:
    return ", ".join(effect.label for effect in effects) if effects else "none found"
