from __future__ import annotations

import dataclasses

import pytest

from site_builder.derive.lint import Finding
from site_builder.views.summary_json import summary_digest, summary_to_json

from tests.helpers import cached_round_trip
from tests.views.test_index import index


def test_a_summarys_digest_is_of_all_the_pages_read_and_not_its_lint_findings() -> None:
    """Any field a page could show changes it; the findings (for reports), whose lines move with every edit
    above them, do not: an edit that only moves them keeps the pages made from the index."""
    server = next(s for s in index().servers if s.newest and s.findings and len(s.links) > 1)
    digest = summary_digest(server)
    assert summary_digest(cached_round_trip([server])[0]) == digest
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
