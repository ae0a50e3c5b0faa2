"""The attack-pattern pages: /attacks/ and /attacks/<slug>/ (views of the patterns and the site index)."""

from __future__ import annotations

from typing import Callable, Iterable

from ..content.attacks import AttackPattern
from .index import ServerSummary, ToolLink

MOST_EXPOSED = 25


def exposed_links(pattern: AttackPattern, servers: Iterable[ServerSummary]) -> list[ToolLink]:
    """The tools a pattern exposes, most exposed first: by score, then risk, then name."""
    found = [(score, link) for server in servers
             for link, score, exposure in zip(server.links, server.scores, server.exposures, strict=True)
             if pattern.exposes(exposure)]
    found.sort(key=lambda item: (-item[0], -item[1].risk.rank, item[1].name, item[1].server_url))
    return [link for _, link in found]


def write_attack_pages(page: Callable[..., object], patterns: tuple[AttackPattern, ...],
                       servers: tuple[ServerSummary, ...]) -> None:
    if not patterns:
        return
    exposed = {pattern.slug: exposed_links(pattern, servers) for pattern in patterns}
    rows = [(pattern, len(exposed[pattern.slug])) for pattern in patterns]
    page("attacks.html", "attacks/", rows=rows,
         description=f"{len(patterns)} attack patterns that abuse MCP tool use, how they work, which tools "
                     "they reach in this catalogue, and the policies that stop or limit them.")
    for pattern in patterns:
        tools = exposed[pattern.slug]
        page("attack.html", pattern.url, pattern=pattern, tools=tools[:MOST_EXPOSED], total=len(tools),
             description=pattern.summary)
