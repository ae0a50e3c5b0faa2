from __future__ import annotations

import dataclasses

from site_builder.content.attacks import load_attacks
from site_builder.views.attack_pages import MOST_EXPOSED, exposed_links
from site_builder.views.index import ServerSummary

from tests.helpers import ROOT
from tests.views.test_index import index


def _by_full_sort(pattern_slug: str, servers: tuple[ServerSummary, ...]) -> tuple[int, list[object]]:
    pattern = next(p for p in load_attacks(ROOT / "content" / "attacks") if p.slug == pattern_slug)
    found = [(score, link) for server in servers
             for link, score, exposure in zip(server.links, server.scores, server.exposures, strict=True)
             if pattern.exposes(exposure)]
    found.sort(key=lambda item: (-item[0], -item[1].risk.rank, item[1].name, item[1].server_url))
    return len(found), [link for _, link in found[:MOST_EXPOSED]]


def test_the_most_exposed_tools_are_those_of_a_full_sort_by_score_risk_name_and_server() -> None:
    patterns = tuple(load_attacks(ROOT / "content" / "attacks"))
    servers = index().servers
    twice = servers + tuple(dataclasses.replace(s, slug=s.slug + "-copy") for s in servers)  # every tie twice
    for catalogue in (servers, twice, servers[:3], ()):
        exposed = exposed_links(patterns, catalogue)
        assert set(exposed) == {pattern.slug for pattern in patterns}
        for pattern in patterns:
            assert exposed[pattern.slug] == _by_full_sort(pattern.slug, catalogue), pattern.slug
