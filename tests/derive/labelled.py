"""The labelled set (tests/fixtures/labelled/) against the classifier: shared by the test and the benchmark."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from site_builder.content.models import Category, Tool
from site_builder.derive.assessment import Assessment
from site_builder.derive.classify import classify
from site_builder.derive.siblings import reads_a_secret_object, secret_objects
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
        "heldout": ("heldout-definitions.json", "heldout-labels.yaml"),
        "fresh": ("fresh-definitions.json", "fresh-labels.yaml"),
        "fresh2": ("fresh2-definitions.json", "fresh2-labels.yaml"),
        "catalogue": ("catalogue-definitions.json", "catalogue-labels.yaml")}
SECOND = {"tuning": "second-labels.yaml", "heldout": "heldout-second-labels.yaml", "fresh": "fresh-second-labels.yaml",
          "fresh2": "fresh2-second-labels.yaml", "catalogue": "catalogue-second-labels.yaml"}


def labeller_agreement(which: str = "tuning") -> float:
    """How often the second, independent labelling gives the category of the first (before adjudication)."""
    first = yaml.safe_load((FOLDER / SETS[which][1]).read_text(encoding="utf-8"))
    second = yaml.safe_load((FOLDER / SECOND[which]).read_text(encoding="utf-8"))
    agreeing = sum(a["category"] == b["category"] and "adjudicated" not in a for a, b in zip(first, second, strict=True))
    return agreeing / len(first)


def evaluate(which: str = "tuning") -> Report:
    """The classifier on one labelled set: `tuning` (401 tools), `heldout` (82 tools, partly tuned on since)
    `fresh` (145 tools of 8 servers scanned 2026-11-25) or `fresh2` (154 tools of 8 more servers); each
    fresh set was labelled before the classifier ran on it, and has informed general changes since."""
    definitions_file, labels_file = SETS[which]
    definitions = json.loads((FOLDER / definitions_file).read_text(encoding="utf-8"))
    labels = yaml.safe_load((FOLDER / labels_file).read_text(encoding="utf-8"))
    tools = [Tool.model_validate({"name": d["name"], "description": d.get("description"),
                                  "input_schema": d.get("input_schema"), "annotations": d.get("annotations"),
                                  "classification": NEUTRAL}) for d in definitions]
    words = {d["server"]: server_words(d["server"], "") for d in definitions}
    secrets = {server: secret_objects((t for d, t in zip(definitions, tools) if d["server"] == server), server_words_)
               for server, server_words_ in words.items()}  # as a build does: one server's tools together
    cases = []
    for definition, label, tool in zip(definitions, labels, tools, strict=True):
        server = definition["server"]
        sibling = reads_a_secret_object(tool, words[server], secrets[server]) is not None
        cases.append(Case(definition, label, classify(tool, words[server], sibling)))
    report = Report(cases)
    report.confusion.update((case.label["category"], case.assessment.category.value) for case in cases)
    return report
