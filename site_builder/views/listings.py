"""Listing pages (by risk level, by category) and the servers page: the site-wide pages that are units of
their own (build/units.py), each rendered from one inputs value.

A listing shows its tools in the index's order (servers by slug, tools in
file order), a server's tools together.  Its pages break where the content
says, not every N rows: a page begins at a server whose url's hash falls
on the listing's spread (about PAGE_SIZE rows a page) once it has PAGE_MIN
rows, or when it would pass PAGE_MAX rows.  So a tool that changes category changes the
pages of its own server in the two listings (and their first pages, which
count it), not every page after it: at 100k tools, an edit rendered 500
listing pages again before.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Iterator

from ..content.models import CATEGORY_ORDER, RISK_ORDER, Category, Risk
from ..derive.rationale import CATEGORY_MEANING
from .index import SiteIndex, ToolLink

PAGE_SIZE = 200  # rows a listing page holds, on average
PAGE_MAX = 2 * PAGE_SIZE  # the most it holds
PAGE_MIN = PAGE_SIZE // 2  # the fewest it holds, but for a listing's last page
PER_SERVER = 100  # servers a listing's first page counts the tools of (9k at 100k tools made a page of 1 MB)
RISK_MEANING = {
    Risk.LOW: "reads only; allowed by the recommended policy",
    Risk.MEDIUM: "changes data; rate-limited by the recommended policy",
    Risk.HIGH: "acts beyond the call; tightly rate-limited",
    Risk.CRITICAL: "destroys data or moves money; blocked by the recommended policy",
}


@dataclass(frozen=True)
class ListingInputs:
    """One page of a by-risk or by-category listing: everything it shows, and so the inputs of its unit
    (build/units.py), which renders it from this value alone."""

    url: str
    heading: str
    section_title: str
    section_url: str
    anchor: str
    description: str
    per_server: tuple[tuple[str, str, int], ...]  # (server name, url, tools), the PER_SERVER most: first page only
    more_servers: int  # the listing's other servers (fewer tools each): on the first page only
    entries: tuple[ToolLink, ...]  # this page's rows, as they show them
    page: int
    pages: int
    base: str
    total: int  # the listing's rows: on the first page only (it would change every page)
    span: tuple[str, str]  # the names of the first and the last server on this page

    template: ClassVar[str] = "listing.html"

    @property
    def group(self) -> str:
        return LISTING_GROUP_PREFIX + self.url

    def context(self) -> dict[str, Any]:
        """The template's context: every field but the url."""
        return {field.name: getattr(self, field.name) for field in fields(self) if field.name != "url"}


@dataclass(frozen=True)
class ServersPage:
    """The page of every server (`servers/`): the inputs of its unit, as ListingInputs are of theirs."""

    description: str
    rows: tuple[tuple[str, str, int, tuple[int, ...]], ...]  # name, url, tools, tools by risk (critical first)
    url: ClassVar[str] = "servers/"
    template: ClassVar[str] = "servers.html"

    @property
    def group(self) -> str:
        return LISTING_GROUP_PREFIX + self.url

    def context(self) -> dict[str, Any]:
        return {"description": self.description, "rows": self.rows}


def servers_page(data: SiteIndex) -> ServersPage:
    """The servers page, by number of tools."""
    return ServersPage(f"{len(data.servers)} MCP servers and {data.counts.tools} tools, by number of tools.",
                       tuple((s.name, s.url, s.counts.tools, tuple(s.counts.by_risk[r] for r in reversed(RISK_ORDER)))
                             for s in data.largest_first))


SitePage = ListingInputs | ServersPage  # the site-wide pages that are units (kept while their inputs are unchanged)
LISTING_GROUP_PREFIX = "~listing:"


def listing_pages(data: SiteIndex) -> Iterator[ListingInputs]:
    """Every listing page; an unchanged page (same inputs) is kept from the previous build."""
    by_risk: dict[Risk, list[Run]] = {risk: [] for risk in RISK_ORDER}
    by_category: dict[Category, list[Run]] = {category: [] for category in CATEGORY_ORDER}
    for server in data.servers:  # in the index's order, each server's rows of a listing together: one run
        place = server_place(server.url)
        risks: dict[Risk, list[ToolLink]] = {}
        categories: dict[Category, list[ToolLink]] = {}
        for link in server.links:
            risks.setdefault(link.risk, []).append(link)
            categories.setdefault(link.category, []).append(link)
        for risk, rows in risks.items():
            by_risk[risk].append((place, rows))
        for category, rows in categories.items():
            by_category[category].append((place, rows))
    for risk in RISK_ORDER:
        yield from _listing(f"risk/{risk.value}/", f"{risk.label} risk tools", "Risk levels", "risk/",
                            f"Tools classified {risk.value} risk: {RISK_MEANING[risk]}.", by_risk[risk],
                            f"risk-{risk.value}")
    for category in CATEGORY_ORDER:
        yield from _listing(f"categories/{category.value}/", f"{category.label} tools", "Categories",
                            "categories/", f"Tools classified {category.value}: {CATEGORY_MEANING[category]}.",
                            by_category[category], category.value)


Run = tuple[int, list[ToolLink]]  # a server's rows in a listing, with its place (server_place)


def _listing(base: str, heading: str, section: str, section_url: str, description: str, runs: list[Run],
             anchor: str) -> Iterator[ListingInputs]:
    sizes = list(map(len, [rows for _, rows in runs]))
    ranked = tuple((rows[0].server_name, rows[0].server_url, len(rows)) for _, rows in _most(runs, sizes))
    total = sum(sizes)
    pages = pages_of(runs, total)
    for number, chunk in enumerate(pages, start=1):
        first = number == 1
        yield ListingInputs(base if first else f"{base}page/{number}/", heading, section, section_url, anchor,
                            description, ranked if first else (), len(runs) - len(ranked) if first else 0,
                            tuple(chunk), number, len(pages), base,
                            total if first else 0, (chunk[0].server_name, chunk[-1].server_name) if chunk else ("", ""))


def _most(runs: list[Run], sizes: list[int]) -> list[Run]:
    """The PER_SERVER runs of the most rows, most first, then by server name: sorted(...)[:PER_SERVER], from
    the runs of at least as many rows as the last of them (found among the sizes alone, in C: a key made
    for each of 73k runs took 0.07 s)."""
    if not runs:
        return []
    least = heapq.nlargest(PER_SERVER, sizes)[-1]
    candidates = [run for run, size in zip(runs, sizes) if size >= least]
    return sorted(candidates, key=lambda run: (-len(run[1]), run[1][0].server_name))[:PER_SERVER]


def pages_of(runs: list[Run], total: int | None = None) -> list[list[ToolLink]]:
    """A listing's rows (each server's run, in order; `total`: how many) cut into pages (at least one): each
    server's rows together, a page beginning at a server that starts a stretch (its place falls on the
    listing's spread) if the page before has PAGE_MIN rows, or where the page would pass PAGE_MAX rows (a
    server of more rows is cut every PAGE_MAX of its own rows).  A listing of at most PAGE_MAX rows is one
    page."""
    total = sum(map(len, [rows for _, rows in runs])) if total is None else total
    if total <= PAGE_MAX:
        return [[row for _, rows in runs for row in rows]]
    spread = _spread(total, len(runs))
    page: list[ToolLink] = []
    pages = [page]
    for place, rows in runs:
        if len(page) >= PAGE_MIN and place % spread == 0:
            page = []
            pages.append(page)
        if len(rows) > PAGE_MAX:  # cut every PAGE_MAX of its own rows
            for start in range(0, len(rows), PAGE_MAX):
                piece = rows[start:start + PAGE_MAX]
                if len(page) + len(piece) > PAGE_MAX:
                    page = []
                    pages.append(page)
                page.extend(piece)
        else:
            if len(page) + len(rows) > PAGE_MAX:
                page = []
                pages.append(page)
            page.extend(rows)
    return pages


def _spread(rows: int, servers: int) -> int:
    """About how many servers a page holds so that it holds about PAGE_SIZE rows: a power of two, so that it
    changes only when a listing's rows per server halve or double."""
    return 1 << max(0, round(math.log2(max(1.0, PAGE_SIZE * servers / rows))))


def server_place(server_url: str) -> int:
    """A number decided by a server's url alone: a server begins a stretch of pages of a listing whose spread
    divides it (one server in `spread`), wherever the listing's other rows change."""
    return int.from_bytes(hashlib.blake2b(server_url.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")
