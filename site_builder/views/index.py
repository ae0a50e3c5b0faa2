"""Stage 2b: the site index, a light summary of every server.

Site-wide files (listings, home, feed, sitemap, llms.txt), related-tool links
and incremental rebuilds read only these summaries, never the full catalogue:
a summary is a few short strings per tool, cached per server file between
builds, so a rebuild after a one-file edit loads and derives that one file.
The heavy per-server parts of site-wide files (the server's catalogue.json
record, its llms-full.txt section, its search documents) are never held
here: see parts.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import itertools
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterable, Iterator

from ..derive import Counts, ServerEntry
from ..derive.lint import Finding
from ..content.models import CATEGORY_ORDER, Category, Risk
from ..render.render import plain

RELATED_LIMIT = 5  # then the category's listing has them all
NEWEST_LIMIT = 500  # the most the `newest` option allows: each server keeps this many for the feed


@dataclass(frozen=True, slots=True)
class ToolLink:
    """A tool as a row in a table or a link (what listings need, nothing more)."""

    name: str
    url: str
    server_name: str
    server_url: str
    category: Category
    risk: Risk
    score: int = 1
    exposure: tuple[str, ...] = ()  # what exposes it to attack patterns (derive.exposure)
    _text: str | None = field(default=None, init=False, repr=False, compare=False)  # the repr, once made

    def fields_text(self) -> str:
        """What the dataclass's own repr would be: every field's repr."""
        return (f"ToolLink(name={self.name!r}, url={self.url!r}, server_name={self.server_name!r}, "
                f"server_url={self.server_url!r}, category={self.category!r}, risk={self.risk!r}, "
                f"score={self.score!r}, exposure={self.exposure!r})")

    def __repr__(self) -> str:
        """Short and exact, made once: a digest of fields_text().  A row is in the inputs of the units of
        several pages, whose digests are made of their inputs' repr (build/units.py): one edit at 100k
        tools reprs 700k rows, 100k of them distinct, and hashed 140 MB of text when the repr was the
        fields' own."""
        if self._text is None:
            digest = hashlib.blake2b(self.fields_text().encode("utf-8", "surrogatepass"), digest_size=16)
            object.__setattr__(self, "_text", f"ToolLink#{digest.hexdigest()}")
        return self._text  # type: ignore[return-value]


def shown(link: ToolLink) -> ToolLink:
    """A link as a table row shows it (name, urls, server name, category, risk): no score, no exposure."""
    return ToolLink(link.name, link.url, link.server_name, link.server_url, link.category, link.risk)


@dataclass(frozen=True, slots=True)
class FeedItem:
    link: ToolLink
    server_slug: str
    slug: str
    added: dt.date
    summary: str  # the description as plain text, at most 300 characters

    def sort_key(self) -> tuple[dt.date, str, str]:
        return self.added, self.server_slug, self.slug


@dataclass(frozen=True)
class ServerSummary:
    file: str
    line: int
    id: str
    slug: str
    name: str
    counts: Counts
    links: tuple[ToolLink, ...]  # in file order
    findings: tuple[Finding, ...]
    newest: tuple[FeedItem, ...]  # this server's newest dated tools, newest first

    @property
    def url(self) -> str:
        return f"servers/{self.slug}/"


@dataclass(frozen=True)
class SearchDoc:
    """One tool as the search index needs it (see search.py)."""

    name_tokens: tuple[str, ...]
    text_tokens: tuple[str, ...]
    record: tuple[str, ...]  # name, server name, url, risk, category, snippet
    risk: Risk
    category: Category


def tool_link(server: ServerEntry, index: int) -> ToolLink:
    entry = server.tools[index]
    return ToolLink(entry.name, entry.url, server.name, server.url, entry.category, entry.risk, entry.score.value,
                    entry.exposure)


def summarize(server: ServerEntry) -> ServerSummary:
    links = tuple(tool_link(server, index) for index in range(len(server.tools)))
    dated = [FeedItem(link, server.slug, entry.slug, entry.added, plain(entry.tool.description, 300))
             for link, entry in zip(links, server.tools, strict=True) if entry.added]
    dated.sort(key=FeedItem.sort_key, reverse=True)
    meta = server.loaded.data.server
    return ServerSummary(server.loaded.file, server.loaded.line, meta.id, server.slug, server.name, server.counts,
                         links, tuple(f for entry in server.tools for f in entry.findings),
                         tuple(dated[:NEWEST_LIMIT]))


@dataclass(frozen=True)
class SiteIndex:
    servers: tuple[ServerSummary, ...]  # sorted by slug
    counts: Counts

    @classmethod
    def of(cls, servers: Iterable[ServerSummary]) -> SiteIndex:
        ordered = tuple(sorted(servers, key=lambda s: s.slug))
        return cls(ordered, Counts.of(link for server in ordered for link in server.links))

    def links(self) -> Iterator[ToolLink]:
        for server in self.servers:
            yield from server.links

    @cached_property
    def rows(self) -> dict[str, ToolLink]:
        """Every tool as tables and related links show it (`shown`), by url: one object a tool, whose
        canonical text is made once however many units' inputs hold it."""
        return {link.url: shown(link) for link in self.links()}

    @cached_property
    def largest_first(self) -> tuple[ServerSummary, ...]:
        """The servers by number of tools, most first (then by slug)."""
        return tuple(sorted(self.servers, key=lambda s: (-s.counts.tools, s.slug)))

    @property
    def findings(self) -> list[Finding]:
        return sorted(f for server in self.servers for f in server.findings)

    @property
    def finding_count(self) -> int:
        return sum(len(server.findings) for server in self.servers)

    def newest(self, limit: int) -> list[FeedItem]:
        """The `limit` newest items of all servers, newest first: each server's are in that order already,
        so they are merged, not sorted (100k items at 100k tools, for a feed of 20)."""
        merged = heapq.merge(*(server.newest for server in self.servers), key=FeedItem.sort_key, reverse=True)
        return list(itertools.islice(merged, limit))

    def related(self) -> dict[str, tuple[tuple[ToolLink, ...], ...]]:
        """For each server slug, for each of its tools: same-category tools on other servers.

        The next ones after it in a stable ring (servers by slug, tools in file
        order), one per server, at most RELATED_LIMIT."""
        rings: dict[Category, list[ToolLink]] = {c: [] for c in CATEGORY_ORDER}
        positions: list[int] = []
        for link in self.links():
            ring = rings[link.category]
            positions.append(len(ring))
            ring.append(link)
        ends = {category: _run_ends(ring) for category, ring in rings.items()}
        related: dict[str, tuple[tuple[ToolLink, ...], ...]] = {}
        number = 0
        for server in self.servers:
            per_tool = []
            for link in server.links:
                per_tool.append(_next_on_other_servers(rings[link.category], ends[link.category], positions[number],
                                                       link.server_url))
                number += 1
            related[server.slug] = tuple(per_tool)
        return related


def _run_ends(ring: list[ToolLink]) -> list[int]:
    """For each position, where the run of its server's tools ends (a server's tools are contiguous)."""
    ends = [0] * len(ring)
    end = len(ring)
    for index in range(len(ring) - 1, -1, -1):
        if index + 1 < len(ring) and ring[index + 1].server_url != ring[index].server_url:
            end = index + 1
        ends[index] = end
    return ends


def _next_on_other_servers(ring: list[ToolLink], ends: list[int], start: int, server_url: str) -> tuple[ToolLink, ...]:
    """The next tools after `start` in the ring, one per other server; a server's run is skipped whole, so a
    server with thousands of tools costs a step, not thousands (no quadratic step in a large server)."""
    found: list[ToolLink] = []
    seen = {server_url}
    size = len(ring)
    covered, position = 0, (start + 1) % max(1, size)
    while covered < size - 1 and len(found) < RELATED_LIMIT:
        other = ring[position]
        if other.server_url not in seen:
            found.append(other)
            seen.add(other.server_url)
        jump = ends[position] - position
        covered += jump
        position = (position + jump) % size
    return tuple(found)


# ---------------------------------------------------------------- cache encoding (JSON: never pickle)

def summary_to_json(server: ServerSummary) -> list[Any]:
    links = [[k.name, k.url, k.server_name, k.server_url, k.category.value, k.risk.value, k.score, list(k.exposure)]
             for k in server.links]
    positions = {link.url: number for number, link in enumerate(server.links)}
    newest = [[positions[item.link.url], item.slug, item.added.isoformat(), item.summary] for item in server.newest]
    findings = [[f.file, f.line, f.server, f.tool, f.code, f.message] for f in server.findings]
    return [server.file, server.line, server.id, server.slug, server.name, links, findings, newest]


_CATEGORIES = {category.value: category for category in Category}
_RISKS = {risk.value: risk for risk in Risk}


def summary_from_json(value: list[Any]) -> ServerSummary:
    file, line, server_id, slug, name, raw_links, raw_findings, raw_newest = value
    links = tuple(ToolLink(n, u, sn, su, _CATEGORIES[c], _RISKS[r], score, tuple(exposure))
                  for n, u, sn, su, c, r, score, exposure in raw_links)
    newest = tuple(FeedItem(links[i], slug, tool_slug, dt.date.fromisoformat(added), text)
                   for i, tool_slug, added, text in raw_newest)
    return ServerSummary(file, line, server_id, slug, name, Counts.of(links), links,
                         tuple(Finding(*f) for f in raw_findings), newest)
