"""A server summary as one JSON value, and its digest (the build cache keeps summaries by column:
build/summary_shard.py)."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from .index import ServerSummary


def summary_to_json(server: ServerSummary) -> list[Any]:
    """The summary as one JSON value, with each link's repr (made once, by the worker that summarized it);
    a link's server name and url are the summary's own (check_own_links)."""
    check_own_links(server)
    links = [[k.name, k.url, k.category.value, k.risk.value, repr(k)] for k in server.links]
    newest = [list(item) for item in server.newest]
    findings = [[f.file, f.line, f.server, f.tool, f.code, f.message] for f in server.findings]
    return [server.file, server.line, server.id, server.slug, server.name, links, list(server.scores),
            [list(exposure) for exposure in server.exposures], findings, newest]


def summary_digest(summary: ServerSummary) -> str:
    """A digest of what the site-wide pages read of a summary: all of it but its file and the lint findings,
    whose lines move with any edit above them (they are for reports, not pages).  Equal digests, equal pages: a build
    whose summaries all keep their digests keeps the pages made from the index alone (build/plan.py)."""
    value = summary_to_json(summary)
    value[0], value[8] = "", len(summary.findings)  # the file as shown depends on the working folder
    return hashlib.blake2b(orjson.dumps(value), digest_size=16).hexdigest()


def check_own_links(server: ServerSummary) -> None:
    """ValueError if a link of the summary names another server (never made by summarize()): the summary's
    JSON and the cache keep the server's name and url once, not with each link."""
    if any(k.server_name != server.name or k.server_url != server.url for k in server.links):
        raise ValueError(f"{server.file}: a link to a tool of another server")
