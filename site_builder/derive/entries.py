"""Stage 2: derived data, computed once from the validated catalogue.

Risk levels, risk signals, lint findings, counts (one source of truth for every
page) and related tools.  Nothing here is typed by hand or filled in later.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from operator import attrgetter
from dataclasses import dataclass
from typing import Iterable, Mapping, Protocol

from ..content.catalogue import Catalogue, LoadedServer, LoadedTool
from ..content.models import CATEGORY_ORDER, RISK_ORDER, Category, Confidence, Risk, Tool
from .assessment import Assessment, Effect
from .classify import classify
from .exposure import exposure_keys
from .lint import Finding, lint_tool
from .rationale import strict_exclusion, written_rationale
from .score import Score, score
from .siblings import ObjectWords, reads_a_secret_object, secret_objects
from .signals import derive_signals
from .words import server_words

DEFAULT_RISK: Mapping[Category, Risk] = {
    Category.READ: Risk.LOW,
    Category.WRITE: Risk.MEDIUM,
    Category.EXECUTE: Risk.HIGH,
    Category.DESTRUCTIVE: Risk.CRITICAL,
    Category.FINANCIAL: Risk.CRITICAL,
}


# What an effect alone makes a tool, whatever its category: a read that can send data out is not low risk.
EFFECT_RISK: Mapping[Effect, Risk] = {
    Effect.CHANGES_STATE: Risk.MEDIUM,
    Effect.SENDS_OUT: Risk.MEDIUM,
    Effect.SPENDS: Risk.HIGH,
    Effect.REVEALS_SECRETS: Risk.HIGH,
}


class Classified(Protocol):
    @property
    def category(self) -> Category: ...

    @property
    def risk(self) -> Risk: ...


@dataclass(frozen=True)
class Counts:
    tools: int
    by_category: Mapping[Category, int]
    by_risk: Mapping[Risk, int]

    @classmethod
    def of(cls, tools: Iterable[Classified]) -> Counts:
        tools = tuple(tools)
        categories = Counter(map(attrgetter("category"), tools))  # counted in C
        risks = Counter(map(attrgetter("risk"), tools))
        return cls(len(tools), {c: categories[c] for c in CATEGORY_ORDER}, {r: risks[r] for r in RISK_ORDER})

    def as_dict(self) -> dict[str, object]:
        return {
            "tools": self.tools,
            "by_category": {c.value: n for c, n in self.by_category.items()},
            "by_risk": {r.value: n for r, n in self.by_risk.items()},
        }


@dataclass(frozen=True)
class ToolEntry:
    """A tool with everything derived about it."""

    server: LoadedServer
    loaded: LoadedTool
    assessment: Assessment
    risk: Risk
    derived_signals: tuple[str, ...]
    findings: tuple[Finding, ...]

    @property
    def tool(self) -> Tool:
        return self.loaded.tool

    @property
    def name(self) -> str:
        return self.loaded.tool.name

    @property
    def slug(self) -> str:
        return self.loaded.slug

    @property
    def category(self) -> Category:
        return self.assessment.category

    @property
    def confidence(self) -> Confidence:
        return self.assessment.confidence

    @functools.cached_property
    def rationale(self) -> str:
        """The reviewer's words for a reviewed tool; sentences from the evidence for any other."""
        if self.assessment.reviewed:
            return self.loaded.tool.classification.rationale
        return written_rationale(self.assessment)

    @property
    def quoted_evidence(self) -> str | None:
        """The part of the definition a reviewer's rationale rests on."""
        return self.loaded.tool.classification.evidence if self.assessment.reviewed else None

    @functools.cached_property
    def strict_exclusion(self) -> str | None:
        return strict_exclusion(self.assessment)

    @functools.cached_property
    def score(self) -> Score:
        return score(self.loaded.tool, self.assessment)

    @functools.cached_property
    def exposure(self) -> tuple[str, ...]:
        """Keys of what exposes the tool to attack patterns (category, effects, argument kinds, signals)."""
        return exposure_keys(self.loaded.tool, self.assessment, self.derived_signals)

    @property
    def url(self) -> str:
        return f"tools/{self.server.slug}/{self.loaded.slug}/"

    @property
    def signals(self) -> tuple[str, ...]:
        """Hand-written signals first, then derived ones not already stated."""
        declared = self.loaded.tool.classification.signals
        return declared + tuple(s for s in self.derived_signals if s not in declared)

    @property
    def added(self) -> dt.date | None:
        return self.loaded.tool.added or self.server.data.server.added


@dataclass(frozen=True)
class ServerEntry:
    loaded: LoadedServer
    tools: tuple[ToolEntry, ...]
    counts: Counts

    @property
    def slug(self) -> str:
        return self.loaded.slug

    @property
    def name(self) -> str:
        return self.loaded.data.server.name

    @property
    def url(self) -> str:
        return f"servers/{self.loaded.slug}/"


@dataclass(frozen=True)
class SiteData:
    """The whole derived catalogue (for `check` and tests; builds use the site index)."""

    catalogue: Catalogue
    servers: tuple[ServerEntry, ...]
    counts: Counts

    @property
    def tools(self) -> Iterable[ToolEntry]:
        for server in self.servers:
            yield from server.tools

    @property
    def findings(self) -> list[Finding]:
        return sorted(finding for entry in self.tools for finding in entry.findings)


def derive_tool(server: LoadedServer, loaded: LoadedTool,
                secrets: frozenset[ObjectWords] = frozenset()) -> ToolEntry:
    """One tool's entry; `secrets`: the objects its siblings reveal secrets from."""
    words = server_words(server.data.server.id, server.slug)
    assessment = classify(loaded.tool, words, reads_a_secret_object(loaded.tool, words, secrets) is not None)
    declared_risk = loaded.tool.classification.risk if assessment.reviewed else None
    risk = declared_risk or max((DEFAULT_RISK[assessment.category],
                                 *(EFFECT_RISK[effect] for effect in assessment.effects)), key=lambda r: r.rank)
    return ToolEntry(server, loaded, assessment, risk, derive_signals(loaded.tool),
                     lint_tool(server, loaded, assessment))


def derive_server(loaded_server: LoadedServer) -> ServerEntry:
    words = server_words(loaded_server.data.server.id, loaded_server.slug)
    secrets = secret_objects((loaded.tool for loaded in loaded_server.tools), words)
    tools = tuple(derive_tool(loaded_server, loaded, secrets) for loaded in loaded_server.tools)
    return ServerEntry(loaded_server, tools, Counts.of(tools))


def derive(catalogue: Catalogue) -> SiteData:
    servers = tuple(derive_server(loaded_server) for loaded_server in catalogue.servers)
    return SiteData(catalogue, servers, Counts.of(entry for server in servers for entry in server.tools))
