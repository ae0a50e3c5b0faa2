from __future__ import annotations

import json
from typing import Any, Callable

import pytest

from site_builder.build.summary_shard import CachedServer, shard_from_json, shard_to_json
from site_builder.views.index import ServerSummary
from site_builder.views.summary_json import summary_digest

from tests.helpers import cached_round_trip
from tests.views.test_index import index


def test_a_shard_keeps_every_summary_as_it_was_with_its_hash_and_digest() -> None:
    servers = list(index().servers)
    assert cached_round_trip(servers) == servers
    kept = cached_round_trip(servers)
    shared = {id(exposure) for summary in kept for exposure in summary.exposures}
    assert len(shared) < sum(len(summary.exposures) for summary in kept)  # each distinct exposure made once
    pairs = [(f"{n}.yaml", CachedServer(f"hash-{n}", s, summary_digest(s))) for n, s in enumerate(servers)]
    assert shard_from_json(json.loads(json.dumps(shard_to_json(pairs)))) == dict(pairs)
    assert shard_from_json(shard_to_json([])) == {}


def _server() -> ServerSummary:
    return next(s for s in index().servers if s.newest and s.findings and len(s.links) > 1)


def _row(change: Callable[[list[Any]], None]) -> Callable[[dict[str, Any]], None]:
    def changed(shard: dict[str, Any]) -> None:
        change(shard["servers"][0])
    return changed


def _set(key: str, value: Callable[[Any], Any]) -> Callable[[dict[str, Any]], None]:
    def changed(shard: dict[str, Any]) -> None:
        shard[key] = value(shard[key])
    return changed


DAMAGES: dict[str, Callable[[dict[str, Any]], None]] = {
    "a link's digest one digit short": _set("links", lambda text: text[:-1]),
    "a link's digest not hex": _set("links", lambda text: "G" * 32 + text[32:]),
    "a name short": _set("names", lambda names: names[1:]),
    "a name not text": _set("names", lambda names: [7, *names[1:]]),
    "a category not a code": _set("categories", lambda codes: "9" + codes[1:]),
    "a risk short": _set("risks", lambda codes: codes[1:]),
    "a score not an integer": _set("scores", lambda scores: [1.5, *scores[1:]]),
    "an exposure of lists": _set("exposure_keys", lambda keys: [[["nested"]], *keys[1:]]),
    "no such exposure": _set("exposures", lambda numbers: [len(numbers) + 10, *numbers[1:]]),
    "an exposure before the first": _set("exposures", lambda numbers: [-1, *numbers[1:]]),
    "more tools than the columns": _row(lambda row: row.__setitem__(8, row[8] + 1)),
    "fewer tools than the columns": _row(lambda row: row.__setitem__(8, row[8] - 1)),
    "a line not a number": _row(lambda row: row.__setitem__(4, "3")),
    "a slug not text": _row(lambda row: row.__setitem__(6, None)),
    "a row short of a field": _row(lambda row: row.pop()),
    "more dated tools than the column holds": _row(lambda row: row.__setitem__(10, row[10] + 1)),
    "more findings than the column holds": _row(lambda row: row.__setitem__(9, row[9] + 1)),
    "a date not in ISO form": _set("newest", lambda flat: [*flat[:2], flat[2].replace("-", ""), *flat[3:]]),
    "a dated tool's slug not text": _set("newest", lambda flat: [flat[0], 7, *flat[2:]]),
    "a date in ISO form that is no date": _set("newest", lambda flat: [*flat[:2], "2026-02-30", *flat[3:]]),
    "a dated tool that is not one": _set("newest", lambda flat: [10_000, *flat[1:]]),
    "a dated tool cut short": _set("newest", lambda flat: flat[:-1]),
    "a finding cut short": _set("findings", lambda flat: flat[:-1]),
}


@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
def test_a_damaged_shard_is_refused_not_used(damage: str) -> None:
    """cache.load_index_cache ignores a shard that raises one of these: never a crash later, never a site
    different from a clean build's (dates sort as text, so only the ISO form is taken)."""
    server = _server()
    shard = json.loads(json.dumps(shard_to_json([("a.yaml", CachedServer("hash", server, "digest"))])))
    assert shard_from_json(json.loads(json.dumps(shard)))["a.yaml"].summary == server  # undamaged, it loads
    DAMAGES[damage](shard)
    with pytest.raises((ValueError, TypeError, KeyError, IndexError)):
        shard_from_json(shard)


def test_a_summary_whose_links_or_findings_are_of_another_server_is_not_kept() -> None:
    """A shard keeps a server's name, url and file once, for its links and findings: never made otherwise."""
    import dataclasses
    server = _server()
    for changed in (dataclasses.replace(server, name=server.name + "x"),
                    dataclasses.replace(server, findings=(dataclasses.replace(server.findings[0], server="other"),)),
                    dataclasses.replace(server, scores=server.scores[1:])):
        with pytest.raises(ValueError):
            shard_to_json([("a.yaml", CachedServer("hash", changed, "digest"))])
