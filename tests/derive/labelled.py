"""The labelled set (tests/fixtures/labelled/) against the classifier: shared by the test and the benchmark."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from site_builder.content.models import Category, Tool
from site_builder.derive.classify import Assessment, classify
from site_builder.derive.words import server_words

FOLDER = Path(__file__).resolve().parent.parent / "fixtures" / "labelled"
NEUTRAL = {"category": "read", "rationale": "Heuristic classification (not reviewed): withheld from the classifier",
           "confidence": "low"}


@dataclass(frozen=True)
class Case:
    definition: dict[str, Any]
    label: dict[str, Any]
    assessment: Assessment

    @property
    def label_safe(self) -> bool:
        return self.label["category"] == "read" and not self.label["effects"]

    @property
    def agrees(self) -> bool:
        return self.assessment.category.value == self.label["category"]

    @property
    def unsafe_as_read(self) -> bool:
        """Labelled as changing, sending, spending or leaking, yet treated as a harmless read."""
        return not self.label_safe and self.assessment.read_only_safe


@dataclass
class Report:
    cases: list[Case]
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def agreement(self) -> float:
        return sum(case.agrees for case in self.cases) / len(self.cases)

    @property
    def unsafe_as_read(self) -> list[Case]:
        return [case for case in self.cases if case.unsafe_as_read]

    @property
    def non_read_classified_read(self) -> list[Case]:
        return [c for c in self.cases if c.label["category"] != "read" and c.assessment.category is Category.READ]

    @property
    def safe_reads_found(self) -> float:
        """Of the tools labelled read-only safe, the share the classifier lets into a read-only bundle."""
        safe = [case for case in self.cases if case.label_safe]
        return sum(case.assessment.read_only_safe for case in safe) / max(1, len(safe))


SETS = {"tuning": ("definitions.json", "labels.yaml"),
        "heldout": ("heldout-definitions.json", "heldout-labels.yaml")}


def evaluate(which: str = "tuning") -> Report:
    """The classifier on one labelled set: `tuning` (401 tools) or `heldout` (82 tools, never tuned on)."""
    definitions_file, labels_file = SETS[which]
    definitions = json.loads((FOLDER / definitions_file).read_text(encoding="utf-8"))
    labels = yaml.safe_load((FOLDER / labels_file).read_text(encoding="utf-8"))
    cases = []
    for definition, label in zip(definitions, labels, strict=True):
        tool = Tool.model_validate({"name": definition["name"], "description": definition.get("description"),
                                    "input_schema": definition.get("input_schema"),
                                    "annotations": definition.get("annotations"), "classification": NEUTRAL})
        cases.append(Case(definition, label, classify(tool, server_words(definition["server"], definition.get("server_file", "")))))
    report = Report(cases)
    report.confusion.update((case.label["category"], case.assessment.category.value) for case in cases)
    return report
