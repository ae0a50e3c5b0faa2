"""Related tools: for each tool, same-category tools on other servers.

A category's tools form a stable ring (servers by slug, tools in file
order), in which a server's tools are one run; a tool's related tools are
the first tool of each of the runs after its own, at most RELATED_LIMIT,
wrapping around: one per other server, the same for every tool of a run.

Two ways to the same links: the runs of every server at once, in one pass
(linear in the catalogue, however its tools are spread), or one server's
alone, walking the servers after it (an edit renders a few servers, and
the rings of 100k tools took 0.09 s to make).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..content.models import CATEGORY_ORDER, Category
from ..content.short_repr import ShortReprTuple

if TYPE_CHECKING:  # index.py holds these and uses this module
    from .index import ServerSummary, ToolLink

RELATED_LIMIT = 5  # then the category's listing has them all


class RelatedLinks(ShortReprTuple["ToolLink"]):
    """A run's related tools, with a short repr made once (ShortReprTuple): the repr is what a server unit's
    digest is made of (build/units.py), and every tool of a run shares one (at 100k tools, 500k links'
    reprs per edit that changed the index)."""


def related_runs(servers: tuple[ServerSummary, ...]) -> dict[tuple[Category, str], RelatedLinks]:
    """The related tools of each run (category, server slug) of the rings; `servers` by slug."""
    runs: dict[Category, list[tuple[str, ToolLink]]] = {c: [] for c in CATEGORY_ORDER}  # (server, first tool)
    for server in servers:
        firsts: dict[Category, ToolLink] = {}
        categories = sum(1 for count in server.counts.by_category.values() if count)
        for link in server.links:
            if link.category not in firsts:
                firsts[link.category] = link
                if len(firsts) == categories:  # the first of each found: the rest changes nothing
                    break
        for category, first in firsts.items():
            runs[category].append((server.slug, first))
    of_run: dict[tuple[Category, str], RelatedLinks] = {}
    for category, ring in runs.items():
        others = min(RELATED_LIMIT, len(ring) - 1)
        for number, (slug, _) in enumerate(ring):
            of_run[category, slug] = RelatedLinks(ring[(number + step) % len(ring)][1] for step in range(1, others + 1))
    return of_run


def related_walked(servers: tuple[ServerSummary, ...], position: int) -> tuple[RelatedLinks, ...]:
    """For each tool of `servers[position]`, its related tools: the first tool of each category it has in
    the servers after it that have that category, wrapping around, at most RELATED_LIMIT."""
    server = servers[position]
    of_category: dict[Category, RelatedLinks] = {}
    for link in server.links:
        if link.category not in of_category:
            of_category[link.category] = _firsts_after(servers, position, link.category)
    return tuple(of_category[link.category] for link in server.links)


def _firsts_after(servers: tuple[ServerSummary, ...], position: int, category: Category) -> RelatedLinks:
    found: list[ToolLink] = []
    for step in range(1, len(servers)):
        other = servers[(position + step) % len(servers)]
        if other.counts.by_category[category]:
            found.append(next(link for link in other.links if link.category is category))
            if len(found) == RELATED_LIMIT:
                break
    return RelatedLinks(found)
