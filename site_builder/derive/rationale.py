"""Plain sentences that explain a classification from its evidence.

Reviewed tools keep the reviewer's rationale; every other tool gets one
written from what the classifier actually used, so no page says less than
the evidence does.  A written rationale is plain text: no Markdown to parse.
"""

from __future__ import annotations

from ..content.models import Category, Confidence
from .assessment import Assessment, Effect, Evidence

CATEGORY_MEANING = {
    Category.READ: "it only reads or computes information",
    Category.WRITE: "it creates or changes data",
    Category.EXECUTE: "it runs code, commands or actions whose effects go beyond the call",
    Category.DESTRUCTIVE: "it deletes or irreversibly overwrites data or resources",
    Category.FINANCIAL: "it moves money or changes what is billed",
}


_SOURCES = {"name": "its name", "description": "its description", "schema": "its input schema",
            "annotations": "the server's annotations", "scaffold": "an imported Intercept scaffold's group",
            "review": "a reviewer"}


def _phrase(item: Evidence) -> str:
    detail = item.detail.removeprefix("an imported scaffold groups it under ").removeprefix("the server declares ")
    return f"{_SOURCES.get(item.source, item.source)} ({detail})"


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def written_rationale(assessment: Assessment) -> str:
    """Why this category, in sentences, from the evidence (for tools nobody reviewed)."""
    category = assessment.category
    lines = [f"Classified {category.value}: {CATEGORY_MEANING[category]}."]
    agreeing = [_phrase(item) for item in assessment.evidence if item.says is category]
    others = [f"{_phrase(item)} says {item.says.value}" for item in assessment.evidence
              if item.says is not None and item.says is not category]
    if not assessment.evidence:
        lines.append("Its name and description name no known action, so it is treated as an action until "
                     "someone reviews it.")
    elif agreeing:
        verb = {1: "says", 2: "both say"}.get(len(agreeing), "all say")
        sentence = f"{_listed(agreeing)} {verb} so."
        lines.append(sentence[0].upper() + sentence[1:])
    if others:
        lines.append(f"But {_listed(others)}: the name and description decide, as the most direct evidence, "
                     "and the confidence is low, which keeps the tool out of read-only bundles.")
    elif assessment.confidence is Confidence.LOW and assessment.evidence:
        lines.append("That is one piece of evidence only, so the confidence is low, which keeps the tool out "
                     "of read-only bundles.")
    beyond = [e.label for e in assessment.effects if category is Category.READ or e is not Effect.CHANGES_STATE]
    if beyond:
        lines.append("Beyond its category, a call " + _listed(beyond) + ".")
    lines.append("Nobody has reviewed this tool: this comes from its own definition.")
    return " ".join(lines)


def strict_exclusion(assessment: Assessment) -> str | None:
    """Why the tool is left out of the read-only bundle, or None when it is in it."""
    if assessment.read_only_safe:
        return None
    if assessment.category is not Category.READ:
        category = assessment.category.value
        return f"it is {'an' if category[0] in 'aeiou' else 'a'} {category} tool"  # an execute tool
    if assessment.effects:
        return "although it reads, it " + " and ".join(effect.label for effect in assessment.effects)
    if assessment.instructs_agent:
        return "its description tells the agent what to do, a tool-poisoning pattern"
    return "its name, description and annotations do not agree that it only reads, and nobody has reviewed it"


def effect_words(effects: tuple[Effect, ...]) -> str:
    return ", ".join(effect.label for effect in effects) if effects else "none found"
