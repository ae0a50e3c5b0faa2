"""A server summary as the build cache keeps it (JSON: never pickle), and its digest."""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import itertools
import re
from typing import Any

import orjson

from ..content.models import CATEGORY_ORDER, RISK_ORDER, Category, Risk
from ..derive import Counts
from ..derive.lint import Finding
from .index import DatedTool, ServerSummary, ToolLink

def summary_to_json(server: ServerSummary) -> list[Any]:
    """The summary as the cache keeps it, with each link's repr (made once, by the worker that summarized it);
    a link's server name and url are the summary's own (a fifth of the JSON every edit reads when they were
    kept with each link)."""
    if any(k.server_name != server.name or k.server_url != server.url for k in server.links):
        raise ValueError(f"{server.file}: a link to a tool of another server")  # never made by summarize()
    links = [[k.name, k.url, k.category.value, k.risk.value, repr(k)] for k in server.links]
    newest = [list(item) for item in server.newest]
    findings = [[f.file, f.line, f.server, f.tool, f.code, f.message] for f in server.findings]
    return [server.file, server.line, server.id, server.slug, server.name, links, list(server.scores),
            [list(exposure) for exposure in server.exposures], findings, newest]


def _dated_tools(raw_newest: list[Any], tools: int) -> tuple[DatedTool, ...]:
    """A summary's cached dated tools, each one that makes a FeedItem (ValueError, TypeError: a damaged
    cache, whose shard is then ignored): checked column by column, mostly in C."""
    newest = tuple((number, slug, added) for number, slug, added in raw_newest)
    numbers, slugs, dates = zip(*newest) if newest else ((), (), ())
    if not set(map(type, numbers)) <= {int} or not set(map(type, slugs)) <= {str} or (
            numbers and not 0 <= min(numbers) <= max(numbers) < tools):
        raise ValueError("not a tool of this summary")
    if not all(map(_ISO_DATE.fullmatch, dates)):  # sorted as text: only the one ISO form sorts as dates
        raise ValueError("not a date in ISO form")
    collections.deque(map(dt.date.fromisoformat, dates), maxlen=0)  # and each a date (not 2026-02-30)
    return newest


_CATEGORIES = {category.value: category for category in Category}
_RISKS = {risk.value: risk for risk in Risk}
_CATEGORY_VALUES = tuple((category, category.value) for category in CATEGORY_ORDER)  # an enum's .value is slow
_RISK_VALUES = tuple((risk, risk.value) for risk in RISK_ORDER)


def summary_from_json(value: list[Any]) -> ServerSummary:
    """A summary the cache kept (ValueError, TypeError, ...: a damaged one)."""
    file, line, server_id, slug, name, raw_links, scores, exposures, raw_findings, raw_newest = value
    if not all(map(_LINK_TEXT.fullmatch, [text for *_, text in raw_links])):  # checked in C (TypeError: not text)
        raise ValueError("not a link's repr")
    server_url = f"servers/{slug}/"  # ServerSummary.url
    links = tuple(_restored(n, u, name, server_url, _CATEGORIES[c], _RISKS[r], text) for n, u, c, r, text in raw_links)
    categories, risks = [link[2] for link in raw_links], [link[3] for link in raw_links]  # each checked above
    counts = Counts(len(links), {c: categories.count(value) for c, value in _CATEGORY_VALUES},  # Counts.of, in C:
                    {r: risks.count(value) for r, value in _RISK_VALUES})  # 10k servers' counters took 0.08 s
    if (len(scores) != len(links) or len(exposures) != len(links) or not set(map(type, scores)) <= {int}
            or not set(map(type, exposures)) <= {list}
            or not set(map(type, itertools.chain.from_iterable(exposures))) <= {str}):  # checked in C
        raise ValueError("not a score and an exposure for each link")
    return ServerSummary(file, line, server_id, slug, name, counts, links, tuple(scores),
                         tuple(map(tuple, exposures)), tuple(Finding(*f) for f in raw_findings),
                         _dated_tools(raw_newest, len(links)))


def summary_digest(summary: ServerSummary) -> str:
    """A digest of what the site-wide pages read of a summary: all of it but its file and the lint findings,
    whose lines move with any edit above them (they are for reports, not pages).  Equal digests, equal pages: a build
    whose summaries all keep their digests keeps the pages made from the index alone (build/plan.py)."""
    value = summary_to_json(summary)
    value[0], value[8] = "", len(summary.findings)  # the file as shown depends on the working folder
    return hashlib.blake2b(orjson.dumps(value), digest_size=16).hexdigest()


_LINK_TEXT = re.compile(r"ToolLink#[0-9a-f]{32}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_restored = ToolLink.restored
