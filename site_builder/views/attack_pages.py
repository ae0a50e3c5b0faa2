"""The attack-pattern pages: /attacks/ and /attacks/<slug>/ (views of the patterns and the site index)."""

from __future__ import annotations

from typing import Callable, Iterable

from ..content.attacks import AttackPattern
from .index import ToolLink

MOST_EXPOSED = 25


def exposed_links(pattern: AttackPattern, links: Iterable[ToolLink]) -> list[ToolLink]:
    """The tools a pattern exposes, most exposed first: by score, then risk, then name."""
    found = [link for link in links if pattern.exposes(link.exposure)]
    return sorted(found, key=lambda link: (-link.score, -link.risk.rank, link.name, link.server_url))


def write_attack_pages(page: Callable[..., object], patterns: tuple[AttackPattern, ...],
                       links: list[ToolLink]) -> None:
    if not patterns:
        return
    exposed = {pattern.slug: exposed_links(pattern, links) for pattern in patterns}
    rows = [(pattern, len(exposed[pattern.slug])) for pattern in patterns]
    page("attacks.html", "attacks/", rows=rows,
         description=f"{len(patterns)} attack patterns that abuse MCP tool use, how they work, which tools "
                     "they reach in this catalogue, and the policies that stop or limit them.")
    for pattern in patterns:
        tools = exposed[pattern.slug]
        page("attack.html", pattern.url, pattern=pattern, tools=tools[:MOST_EXPOSED], total=len(tools),
             description=pattern.summary)
