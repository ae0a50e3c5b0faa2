from __future__ import annotations

import dataclasses

import pytest

from site_builder.derive.lint import Finding
from site_builder.views.summary_json import summary_digest, summary_from_json, summary_to_json

from tests.views.test_index import index


def _damaged(where: int, change: object) -> list[object]:
    """The cached form of a summary with newest items, one part of it replaced (`change(value)`)."""
    server = next(s for s in index().servers if s.newest and s.links)
    value = summary_to_json(server)
    value[where] = change(value[where])  # type: ignore[operator]
    return value


@pytest.mark.parametrize("where, change", [
    (5, lambda links: [[*links[0][:-1], "ToolLink#" + "0" * 31], *links[1:]]),  # a digest one digit short
    (5, lambda links: [[*links[0][:-1], "ToolLink#" + "G" * 32], *links[1:]]),  # not hex
    (5, lambda links: [links[0][:3], *links[1:]]),  # a link short of fields
    (5, lambda links: [[], *links[1:]]),  # a link of none
    (7, lambda exposures: [[["nested"]], *exposures[1:]]),  # an exposure of lists
    (6, lambda scores: [1.5, *scores[1:]]),  # a score not an integer
    (9, lambda newest: [[newest[0][0], newest[0][1], newest[0][2].replace("-", "")]]),  # 20261121
    (9, lambda newest: [[newest[0][0], 7, newest[0][2]]]),  # a slug not a string
    (9, lambda newest: [[newest[0][0], newest[0][1], "2026-02-30"]]),  # the ISO form, not a date
    (9, lambda newest: [[len(newest) + 10_000, *newest[0][1:]]]),  # no such tool
])
def test_a_damaged_cached_summary_is_refused_not_used(where: int, change: object) -> None:
    """load_index_cache ignores a shard whose summary raises ValueError or TypeError: never a crash later,
    never a site different from a clean build's (dates sort as text, so only the ISO form is taken)."""
    summary_from_json(_damaged(where, lambda value: value))  # the undamaged one loads
    with pytest.raises((ValueError, TypeError)):
        summary_from_json(_damaged(where, change))


def test_a_summarys_digest_is_of_all_the_pages_read_and_not_its_lint_findings() -> None:
    """Any field a page could show changes it; the findings (for reports), whose lines move with every edit
    above them, do not: an edit that only moves them keeps the pages made from the index."""
    server = next(s for s in index().servers if s.newest and s.findings and len(s.links) > 1)
    digest = summary_digest(server)
    assert summary_digest(summary_from_json(summary_to_json(server))) == digest
    moved = tuple(Finding(f.file, f.line + 3, f.server, f.tool, f.code, f.message) for f in server.findings)
    assert summary_digest(dataclasses.replace(server, findings=moved)) == digest
    link = server.links[0]
    variants = {
        "line": dataclasses.replace(server, line=server.line + 1),
        "name": dataclasses.replace(server, name=server.name + "x", links=tuple(  # its links name it too
            dataclasses.replace(each, server_name=server.name + "x") for each in server.links)),
        "link": dataclasses.replace(server, links=(dataclasses.replace(link, name=link.name + "x"), *server.links[1:])),
        "order": dataclasses.replace(server, links=server.links[::-1]),
        "score": dataclasses.replace(server, scores=(server.scores[0] + 1, *server.scores[1:])),
        "exposure": dataclasses.replace(server, exposures=(("new",), *server.exposures[1:])),
        "newest": dataclasses.replace(server, newest=server.newest[1:]),
        "findings count": dataclasses.replace(server, findings=server.findings[1:]),
    }
    digests = {what: summary_digest(variant) for what, variant in variants.items()}
    with pytest.raises(ValueError, match="another server"):  # a summary's links are its own server's tools
        summary_to_json(dataclasses.replace(server, name=server.name + "x"))
    assert digest not in digests.values() and len(set(digests.values())) == len(digests), digests
