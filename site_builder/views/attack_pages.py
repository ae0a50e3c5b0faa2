"""The attack-pattern pages: /attacks/ and /attacks/<slug>/ (views of the patterns and the site index)."""

from __future__ import annotations

import heapq
from typing import Callable, Iterable

from ..content.attacks import AttackPattern
from .index import ServerSummary, ToolLink

MOST_EXPOSED = 25


def exposed_links(patterns: tuple[AttackPattern, ...], servers: Iterable[ServerSummary]
                  ) -> dict[str, tuple[int, list[ToolLink]]]:
    """For each pattern (by slug): how many tools it exposes, and the MOST_EXPOSED most exposed, by score,
    then risk, then name and server.

    The tools are grouped once by exposure, score and risk (a few hundred
    groups at 100k tools); each pattern takes the groups its exposure reaches,
    and sorts by name only those of the ranks that reach its most exposed (at
    100k tools, sorting every exposed tool of 15 patterns took 3 s)."""
    groups: dict[tuple[tuple[str, ...], int, int], list[ToolLink]] = {}
    for server in servers:
        for link, score, exposure in zip(server.links, server.scores, server.exposures, strict=True):
            groups.setdefault((exposure, score, link.risk.rank), []).append(link)
    exposures = {exposure for exposure, _, _ in groups}
    exposed = {}
    for pattern in patterns:
        reached = {exposure for exposure in exposures if pattern.exposes(exposure)}
        by_rank: dict[tuple[int, int], list[list[ToolLink]]] = {}
        for (exposure, score, rank), links in groups.items():
            if exposure in reached:
                by_rank.setdefault((score, rank), []).append(links)
        exposed[pattern.slug] = (sum(len(links) for runs in by_rank.values() for links in runs), _most_exposed(by_rank))
    return exposed


def _most_exposed(by_rank: dict[tuple[int, int], list[list[ToolLink]]]) -> list[ToolLink]:
    """The first MOST_EXPOSED by rank, then by name and server: of a rank, only as many as are still wanted are
    taken by name (heapq.nsmallest: sorted()[:n] without sorting a rank of 10,000 tools for ten of them)."""
    most: list[ToolLink] = []
    for rank in sorted(by_rank, reverse=True):
        wanted = MOST_EXPOSED - len(most)
        if wanted <= 0:
            break
        most.extend(heapq.nsmallest(wanted, (link for links in by_rank[rank] for link in links), key=_by_name))
    return most


def _by_name(link: ToolLink) -> tuple[str, str]:
    return link.name, link.server_url


def write_attack_pages(page: Callable[..., object], patterns: tuple[AttackPattern, ...],
                       servers: tuple[ServerSummary, ...]) -> None:
    if not patterns:
        return
    exposed = exposed_links(patterns, servers)
    rows = [(pattern, exposed[pattern.slug][0]) for pattern in patterns]
    page("attacks.html", "attacks/", rows=rows,
         description=f"{len(patterns)} attack patterns that abuse MCP tool use, how they work, which tools "
                     "they reach in this catalogue, and the policies that stop or limit them.")
    for pattern in patterns:
        total, tools = exposed[pattern.slug]
        page("attack.html", pattern.url, pattern=pattern, tools=tools, total=total, description=pattern.summary)
