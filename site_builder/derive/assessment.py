"""What the classifier concludes of a tool: its category, confidence, effects and the evidence for them.

Plain frozen data, read by every later stage (policies, pages, lint); the
classifier that makes it is classify.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ..content.models import Category, Confidence


class Effect(str, Enum):
    CHANGES_STATE = "changes_state"
    SENDS_OUT = "sends_out"
    SPENDS = "spends"
    REVEALS_SECRETS = "reveals_secrets"

    @property
    def label(self) -> str:
        return {"changes_state": "changes state", "sends_out": "can send data out",
                "spends": "can spend money", "reveals_secrets": "can reveal secrets"}[self.value]


@dataclass(frozen=True)
class Evidence:
    source: str  # name | description | schema | annotations | scaffold | review
    says: Category | None
    detail: str


@dataclass(frozen=True)
class Assessment:
    """What the classifier concluded for one tool, and why."""

    category: Category
    confidence: Confidence
    effects: tuple[Effect, ...]
    evidence: tuple[Evidence, ...]
    disagreements: tuple[str, ...]
    reviewed: bool
    instructs_agent: bool = False  # the description tells the agent what to do (a tool-poisoning pattern)

    @property
    def read_only_safe(self) -> bool:
        """Fit for a read-only bundle and a no-rule recommendation: a confirmed read with no effect, whose
        description does not try to steer the agent. Confirmed: reviewed, or its name, its description and
        the server's own readOnlyHint all agree (the name and description alone miss what a thin definition
        leaves out, such as a paid API)."""
        hinted = any(item.source == "annotations" and item.says is Category.READ for item in self.evidence)
        return (self.category is Category.READ and not self.effects and self.confidence is not Confidence.LOW
                and not self.instructs_agent and (self.reviewed or hinted))
