from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from functools import lru_cache


from site_builder.content.config import load_config
from site_builder.content.models import Category, Risk
from site_builder.derive import Counts
from site_builder.views.index import FEED_TEXT_LIMIT, ServerSummary, SiteIndex, ToolLink, summarize
from site_builder.render.render import plain
from site_builder.views.parts import ServerPart, feed_texts
from site_builder.views.site_files import server_part
from site_builder.content.attacks import attack_links, load_attacks

from tests.helpers import ROOT, cached_round_trip
from tests.derive.test_derive import site


@lru_cache(maxsize=1)
def index() -> SiteIndex:
    return SiteIndex.of(summarize(server) for server in site().servers)


def test_counts_are_one_source_of_truth() -> None:
    data = index()
    assert data.counts == site().counts
    assert data.counts.tools == sum(s.counts.tools for s in data.servers) == len(list(data.links()))
    for category, number in data.counts.by_category.items():
        assert number == sum(s.counts.by_category[category] for s in data.servers) == sum(
            row.category is category for row in data.rows.values())
    for risk, number in data.counts.by_risk.items():
        assert number == sum(row.risk is risk for row in data.rows.values())


def test_rows_are_the_links_and_a_links_repr_is_a_digest_of_every_field_also_as_the_cache_keeps_it() -> None:
    data = index()
    assert list(data.rows) == [link.url for link in data.links()] and all(
        data.rows[link.url] is link for link in data.links())
    cached = SiteIndex.of(cached_round_trip(list(data.servers)))
    for link, kept in zip(data.links(), cached.links(), strict=True):
        fields_text = ", ".join(f"{f.name}={_exact(getattr(link, f.name))}" for f in dataclasses.fields(link) if f.repr)
        assert link.fields_text() == f"ToolLink({fields_text})"  # every field
        fresh = dataclasses.replace(link)  # its repr not made yet
        assert repr(link) == repr(link) == repr(fresh) == repr(kept) == "ToolLink#" + hashlib.blake2b(
            link.fields_text().encode(), digest_size=16).hexdigest()
        others = {"category": Category.EXECUTE if link.category is not Category.EXECUTE else Category.READ,
                  "risk": Risk.LOW if link.risk is not Risk.LOW else Risk.HIGH}
        for name in ("name", "url", "server_name", "server_url", "category", "risk"):
            other = others[name] if name in others else getattr(link, name) + "x"
            assert repr(dataclasses.replace(link, **{name: other})) != repr(link), name
    assert data.finding_count == len(data.findings)


def _exact(value: object) -> str:
    """A field as ToolLink.fields_text shows it: an enum by its value, anything else by its repr."""
    return value.value if isinstance(value, (Category, Risk)) else repr(value)


def test_newest_is_newest_first_across_servers_described_only_if_shown() -> None:
    described: list[tuple[str, int]] = []

    def describe(server: ServerSummary, number: int) -> str:
        described.append((server.slug, number))
        return f"text of {server.links[number].name}"

    newest = index().newest(5, describe)
    assert [item.sort_key() for item in newest] == sorted((item.sort_key() for item in newest), reverse=True)
    every = sorted(((dt.date.fromisoformat(added), s.slug, slug) for s in index().servers
                    for _, slug, added in s.newest), reverse=True)
    assert len(every) > 5 and [item.sort_key() for item in newest] == every[:5] and len(described) == 5
    for item in newest:
        server = next(s for s in index().servers if s.slug == item.server_slug)
        assert item.link in server.links and item.link.url.endswith(f"/{item.slug}/")
        assert item.summary == f"text of {item.link.name}"


def test_newest_takes_the_newest_items_of_all_servers_however_they_are_spread_and_dated() -> None:
    """One server holds most of the newest items, several share their newest date, most are older."""
    def summary(number: int, dates: list[str]) -> ServerSummary:
        slug = f"s{number:03d}"
        links = tuple(ToolLink(f"t{tool}", f"tools/{slug}/t{tool}/", f"Server {number}", f"servers/{slug}/",
                               Category.READ, Risk.LOW) for tool in range(len(dates)))
        dated = sorted(((tool, f"t{tool}", added) for tool, added in enumerate(dates)),
                       key=lambda item: (item[2], item[1]), reverse=True)
        return ServerSummary(f"{slug}.yaml", 1, f"x/{slug}", slug, f"Server {number}", Counts.of(links), links,
                             (1,) * len(links), ((),) * len(links), (), tuple(dated))

    servers = [summary(0, ["2026-03-01"] * 4 + ["2026-02-27"] * 3), summary(1, ["2026-03-01", "2026-01-01"]),
               summary(2, ["2026-02-28"]), summary(3, []),
               *(summary(number, [f"2025-{number % 12 + 1:02d}-01"] * 2) for number in range(4, 60))]
    data = SiteIndex.of(servers)
    every = sorted(((dt.date.fromisoformat(added), s.slug, slug) for s in servers for _, slug, added in s.newest),
                   reverse=True)
    for limit in (0, 1, 3, 5, 9, 40, len(every) + 1):
        assert [item.sort_key() for item in data.newest(limit, lambda server, number: "")] == every[:limit], limit


def test_summaries_and_parts_survive_the_cache_unchanged() -> None:
    config = load_config(ROOT / "mkdocs.yml")
    for server in site().servers:
        summary = summarize(server)
        assert cached_round_trip([summary]) == [summary]
        patterns = load_attacks(config.attacks_dir)
        part = server_part(server, config, tuple(attack_links(patterns, entry.exposure) for entry in server.tools))
        encoded = part.encode()
        assert ServerPart.decode(encoded) == part
        assert ServerPart.decode(encoded[:-1]) is None  # a cut part is no part
        assert ServerPart.decode(b"[1, 5, 5]\n" + encoded[encoded.index(b"\n") + 1:]) is None


def test_the_feed_texts_of_a_server_are_its_descriptions_as_plain_text_from_its_part_or_none_for_another_shape(
        ) -> None:
    config = load_config(ROOT / "mkdocs.yml")
    server = next(s for s in site().servers if len(s.tools) > 2)
    part = server_part(server, config, tuple(() for _ in server.tools))
    assert feed_texts(part) == tuple(plain(entry.tool.description, FEED_TEXT_LIMIT) for entry in server.tools)
    for record in (b"[]", b'{"tools": {}}', b'{"tools": [{"description": 5}]}', b'{"tools": [[]]}', b"{"):
        assert feed_texts(dataclasses.replace(part, catalogue_json=record)) is None
