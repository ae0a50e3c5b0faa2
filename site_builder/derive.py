"""Stage 2: derived data, computed once from the validated catalogue.

Risk levels, risk signals, lint findings, counts (one source of truth for every
page) and related tools.  Nothing here is typed by hand or filled in later.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from .catalogue import Catalogue, LoadedServer, LoadedTool
from .lint import Finding, lint_tool
from .models import CATEGORY_ORDER, RISK_ORDER, Category, Risk, Tool
from .signals import derive_signals

DEFAULT_RISK: Mapping[Category, Risk] = {
    Category.READ: Risk.LOW,
    Category.WRITE: Risk.MEDIUM,
    Category.EXECUTE: Risk.HIGH,
    Category.DESTRUCTIVE: Risk.CRITICAL,
    Category.FINANCIAL: Risk.CRITICAL,
}


@dataclass(frozen=True)
class Counts:
    tools: int
    by_category: Mapping[Category, int]
    by_risk: Mapping[Risk, int]

    @classmethod
    def of(cls, tools: Iterable[ToolEntry]) -> Counts:
        categories: Counter[Category] = Counter()
        risks: Counter[Risk] = Counter()
        total = 0
        for entry in tools:
            total += 1
            categories[entry.category] += 1
            risks[entry.risk] += 1
        return cls(total, {c: categories[c] for c in CATEGORY_ORDER}, {r: risks[r] for r in RISK_ORDER})

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
        return self.loaded.tool.classification.category

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

    def tools_by_category(self) -> list[tuple[Category, list[ToolEntry]]]:
        groups: dict[Category, list[ToolEntry]] = {}
        for entry in self.tools:
            groups.setdefault(entry.category, []).append(entry)
        return [(c, groups[c]) for c in CATEGORY_ORDER if c in groups]


@dataclass(frozen=True)
class SiteData:
    """The whole derived catalogue: what every later stage reads."""

    catalogue: Catalogue
    servers: tuple[ServerEntry, ...]
    counts: Counts
    by_category: Mapping[Category, tuple[ToolEntry, ...]]
    _category_index: Mapping[tuple[str, str], int] = field(repr=False)

    @property
    def tools(self) -> Iterable[ToolEntry]:
        for server in self.servers:
            yield from server.tools

    @property
    def findings(self) -> list[Finding]:
        return sorted(finding for entry in self.tools for finding in entry.findings)

    def by_risk(self, risk: Risk) -> Iterable[ToolEntry]:
        return (entry for entry in self.tools if entry.risk is risk)

    def related_elsewhere(self, entry: ToolEntry, limit: int = 6) -> list[ToolEntry]:
        """Same-category tools on other servers: the next ones in a stable order."""
        ring = self.by_category[entry.category]
        start = self._category_index[(entry.server.slug, entry.slug)]
        found: list[ToolEntry] = []
        seen_servers: set[str] = set()
        for step in range(1, len(ring)):
            other = ring[(start + step) % len(ring)]
            if other.server.slug != entry.server.slug and other.server.slug not in seen_servers:
                found.append(other)
                seen_servers.add(other.server.slug)
                if len(found) == limit:
                    break
        return found

    def newest(self, limit: int) -> list[ToolEntry]:
        dated = [entry for entry in self.tools if entry.added]
        dated.sort(key=lambda e: (e.added, e.server.slug, e.slug), reverse=True)
        return dated[:limit]


def derive_tool(server: LoadedServer, loaded: LoadedTool) -> ToolEntry:
    classification = loaded.tool.classification
    risk = classification.risk or DEFAULT_RISK[classification.category]
    return ToolEntry(server, loaded, risk, derive_signals(loaded.tool), lint_tool(server, loaded))


def derive(catalogue: Catalogue) -> SiteData:
    servers: list[ServerEntry] = []
    for loaded_server in catalogue.servers:
        tools = tuple(derive_tool(loaded_server, loaded) for loaded in loaded_server.tools)
        servers.append(ServerEntry(loaded_server, tools, Counts.of(tools)))
    all_tools = [entry for server in servers for entry in server.tools]
    by_category = {c: tuple(e for e in all_tools if e.category is c) for c in CATEGORY_ORDER}
    index = {(e.server.slug, e.slug): i for ring in by_category.values() for i, e in enumerate(ring)}
    return SiteData(catalogue, tuple(servers), Counts.of(all_tools), by_category, index)
