"""The attack-pattern pages: /attacks/ and /attacks/<slug>/ (views of the patterns and the site index)."""

from __future__ import annotations

from typing import Callable, Iterable

from ..content.attacks import AttackPattern
from .index import ServerSummary, ToolLink

MOST_EXPOSED = 25


def exposed_links(patterns: tuple[AttackPattern, ...], servers: Iterable[ServerSummary]
                  ) -> dict[str, tuple[int, list[ToolLink]]]:
    """For each pattern (by slug): how many tools it exposes, and the MOST_EXPOSED most exposed, by score,
    then risk, then name and server.

    One pass over the tools, each distinct exposure matched against the
    patterns once; only the ranks (score, risk) that reach the most exposed
    are sorted (at 100k tools, sorting every exposed tool of 15 patterns took
    3 s)."""
    reaches: dict[tuple[str, ...], tuple[str, ...]] = {}
    ranked: dict[str, dict[tuple[int, int], list[ToolLink]]] = {pattern.slug: {} for pattern in patterns}
    for server in servers:
        for link, score, exposure in zip(server.links, server.scores, server.exposures, strict=True):
            if exposure not in reaches:
                reaches[exposure] = tuple(pattern.slug for pattern in patterns if pattern.exposes(exposure))
            for slug in reaches[exposure]:
                ranked[slug].setdefault((score, link.risk.rank), []).append(link)
    return {slug: (sum(map(len, by_rank.values())), _most_exposed(by_rank)) for slug, by_rank in ranked.items()}


def _most_exposed(by_rank: dict[tuple[int, int], list[ToolLink]]) -> list[ToolLink]:
    most: list[ToolLink] = []
    for rank in sorted(by_rank, reverse=True):
        if len(most) >= MOST_EXPOSED:
            break
        most.extend(sorted(by_rank[rank], key=lambda link: (link.name, link.server_url)))
    return most[:MOST_EXPOSED]


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
