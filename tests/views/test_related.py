"""Related tools (views/related.py): the rings of every server at once, and one server's walked alone, are
the same as a step-by-step walk of each tool's ring."""

from __future__ import annotations

import random

from site_builder.content.models import Category, Risk
from site_builder.derive import Counts
from site_builder.views.index import ServerSummary, SiteIndex, ToolLink
from site_builder.views.related import RELATED_LIMIT

from tests.views.test_index import index


def test_related_tools_are_on_other_servers_and_same_category() -> None:
    server = next(s for s in index().servers if s.slug == "fal-mcp-server")
    number = next(i for i, link in enumerate(server.links) if link.name == "generate_video")
    related = index().related()["fal-mcp-server"][number]
    assert len(related) == RELATED_LIMIT == 5 and len({r.server_url for r in related}) == 5
    assert all(r.category is server.links[number].category and r.server_url != server.url for r in related)
    assert sum(len(tools) for tools in index().related().values()) == index().counts.tools


def test_related_tools_are_the_next_in_the_ring_on_other_servers_for_every_tool() -> None:
    """related() finds them once per run of a server's tools of a category: the same as walking the ring from
    each tool of the default catalogue."""
    data = index()
    related = data.related()
    alone = SiteIndex.of(data.servers)  # no rings made: each server's walked alone
    for server in data.servers:
        assert alone.related_of(server) == related[server.slug]
        for number, link in enumerate(server.links):
            assert related[server.slug][number] == _walk(data, link), (server.slug, link.name)
    assert "related_runs" not in alone.__dict__


def test_related_tools_match_a_step_by_step_walk_of_the_ring_for_any_spread_of_tools() -> None:
    """Random catalogues: few servers (the ring wraps), large servers, servers without a category."""
    chance = random.Random(7)
    categories = list(Category)
    for _ in range(200):
        servers = []
        for number in range(chance.randint(1, 12)):
            links = tuple(ToolLink(f"t{tool}", f"tools/s{number:02d}/t{tool}/", f"S{number}", f"servers/s{number:02d}/",
                                   chance.choice(categories[:chance.randint(1, len(categories))]), Risk.LOW)
                          for tool in range(chance.randint(1, 30)))
            servers.append(ServerSummary(f"s{number}.yaml", 1, f"x/s{number}", f"s{number:02d}", f"S{number}",
                                         Counts.of(links), links, (1,) * len(links), ((),) * len(links), (), ()))
        data = SiteIndex.of(servers)
        related = data.related()
        alone = SiteIndex.of(servers)
        for server in data.servers:
            assert alone.related_of(server) == related[server.slug]
            for number, link in enumerate(server.links):
                assert related[server.slug][number] == _walk(data, link), (server.slug, link.name)


def _walk(data: SiteIndex, link: ToolLink) -> tuple[ToolLink, ...]:
    """The related tools of `link`, step by step: the ring of its category from it, one tool per other server."""
    ring = [other for other in data.links() if other.category is link.category]
    start = ring.index(link)
    found: list[ToolLink] = []
    seen = {link.server_url}
    for step in range(1, len(ring)):
        other = ring[(start + step) % len(ring)]
        if other.server_url not in seen and len(found) < RELATED_LIMIT:
            found.append(data.rows[other.url])
            seen.add(other.server_url)
    return tuple(found)


