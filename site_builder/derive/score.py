"""A risk score from 1 to 5 for every tool, from named factors a reader can check.

The category sets the base (read 1, write 2, execute 3, destructive and
financial 4); each effect beyond the category and each risky kind of argument
adds to it; the score is capped at 5.  A reviewer's score, where one was
given, replaces the sum, and the factors are still shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..content.models import Category, Tool
from .assessment import Assessment, Effect
from .parameters import parameter_kinds

BASE = {Category.READ: 1, Category.WRITE: 2, Category.EXECUTE: 3, Category.DESTRUCTIVE: 4, Category.FINANCIAL: 4}
EFFECT_WEIGHTS = {Effect.SENDS_OUT: 1, Effect.SPENDS: 1, Effect.REVEALS_SECRETS: 2}
ARGUMENT_WEIGHTS = {"command": 1, "shell": 1, "code": 1, "sql": 1, "path": 1, "url": 1, "host": 1, "callback": 1,
                    "amount": 1, "flag": 1}
ARGUMENT_WORDS = {"command": "a shell command", "shell": "the program that runs its command", "code": "code to run",
                  "sql": "SQL", "path": "a file path", "url": "a URL", "host": "a host to connect to",
                  "callback": "a callback address", "amount": "an amount", "flag": "a force flag"}


@dataclass(frozen=True)
class Score:
    value: int
    factors: tuple[tuple[str, int], ...]  # (what, points)
    reviewed: bool

    @property
    def explanation(self) -> str:
        parts = " + ".join(f"{what} ({points:+d})" if index else f"{what} ({points})"
                           for index, (what, points) in enumerate(self.factors))
        return f"{parts}; set by a reviewer" if self.reviewed else parts


def score(tool: Tool, assessment: Assessment) -> Score:
    factors: list[tuple[str, int]] = [(f"{assessment.category.value} tool", BASE[assessment.category])]
    for effect, points in EFFECT_WEIGHTS.items():
        if effect in assessment.effects and not (effect is Effect.SPENDS and assessment.category is Category.FINANCIAL):
            factors.append((effect.label, points))
    kinds = sorted({kind for kind in parameter_kinds(tool.input_schema, tool.description or "").values() if kind})
    factors.extend((f"takes {ARGUMENT_WORDS[kind]}", ARGUMENT_WEIGHTS[kind]) for kind in kinds[:3])
    total = min(5, sum(points for _, points in factors))
    declared = tool.classification.score if assessment.reviewed else None
    return Score(declared or total, tuple(factors), declared is not None)
