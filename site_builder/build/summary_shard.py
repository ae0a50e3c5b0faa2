"""A shard of the cached summaries (cache.py) as JSON, by column: what every edit reads whole.

An edit at 100k tools reads every server's summary (views/index.py) from the
cache.  Kept as one JSON list per server (160 values for 10 tools: each
link's five fields, each exposure's keys, each finding's six), they took
0.1-0.16 s to parse and 0.22-0.25 s to make into summaries.  By column
they are parsed in 0.07 s and made in 0.21 s (in C where they can be): each
column is the shard's, not a server's (a server's row says how many of each
are its), the categories and risks one string of one-character codes, the
links' reprs one string of their digests, each distinct exposure kept once
and named by number, a finding without the file and server of its summary.

Everything read is checked (ValueError, TypeError, KeyError, IndexError: a
damaged shard, which cache.py then ignores): a summary made from a damaged
cache would make a site other than a clean build's.
"""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import re
from dataclasses import dataclass
from typing import Any, Sequence

from ..content.models import CATEGORY_ORDER, RISK_ORDER
from ..derive import Counts
from ..derive.lint import Finding
from ..views.index import DatedTool, ServerSummary, ToolLink
from ..views.summary_json import check_own_links


@dataclass(frozen=True)
class CachedServer:
    file_hash: str
    summary: ServerSummary
    summary_digest: str  # summary_json.summary_digest of it


_CATEGORY_CODES = {category: str(number) for number, category in enumerate(CATEGORY_ORDER)}
_RISK_CODES = {risk: str(number) for number, risk in enumerate(RISK_ORDER)}
_CATEGORIES = {code: category for category, code in _CATEGORY_CODES.items()}
_RISKS = {code: risk for risk, code in _RISK_CODES.items()}
_LINK_PREFIX = "ToolLink#"  # a link's repr: this and its digest (ToolLink.__repr__)
_DIGESTS = re.compile(r"(?:[0-9a-f]{32})*")
_DIGEST = re.compile(r"[0-9a-f]{32}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_restored = ToolLink.restored


def shard_to_json(servers: list[tuple[str, CachedServer]]) -> dict[str, Any]:
    """The columns of these (catalogue file name, cached server) pairs."""
    rows: list[list[Any]] = []
    links: list[ToolLink] = []
    scores: list[int] = []
    exposures: dict[tuple[str, ...], int] = {}
    numbers: list[int] = []
    findings: list[Any] = []
    newest: list[Any] = []
    for name, cached in servers:
        summary = cached.summary
        _check_own(summary)
        rows.append([name, cached.file_hash, cached.summary_digest, summary.file, summary.line, summary.id,
                     summary.slug, summary.name, len(summary.links), len(summary.findings), len(summary.newest)])
        links.extend(summary.links)
        scores.extend(summary.scores)
        numbers.extend(exposures.setdefault(exposure, len(exposures)) for exposure in summary.exposures)
        findings.extend(field for f in summary.findings for field in (f.line, f.tool, f.code, f.message))
        newest.extend(itertools.chain.from_iterable(summary.newest))
    return {"servers": rows, "names": [link.name for link in links], "urls": [link.url for link in links],
            "categories": "".join(_CATEGORY_CODES[link.category] for link in links),
            "risks": "".join(_RISK_CODES[link.risk] for link in links),
            "links": "".join(repr(link).removeprefix(_LINK_PREFIX) for link in links),
            "scores": scores, "exposure_keys": [list(keys) for keys in exposures], "exposures": numbers,
            "findings": findings, "newest": newest}


def _check_own(summary: ServerSummary) -> None:
    """A summary's links and findings name its own server and file, which the shard keeps once (never
    otherwise: views.index.summarize, derive.lint)."""
    check_own_links(summary)
    if any(f.file != summary.file or f.server != summary.id for f in summary.findings):
        raise ValueError(f"{summary.file}: a finding of another server")
    if len(summary.scores) != len(summary.links) or len(summary.exposures) != len(summary.links):
        raise ValueError(f"{summary.file}: not a score and an exposure for each link")


_ROW = 11  # fields of a server's row


def shard_from_json(value: dict[str, Any]) -> dict[str, CachedServer]:
    """The cached servers of a shard, by catalogue file name (ValueError and the like: a damaged shard)."""
    rows: list[list[Any]] = value["servers"]
    if not set(map(len, rows)) <= {_ROW}:
        raise ValueError("not a server's row")
    names, hashes, digests, files, lines, ids, slugs, server_names, tools, finding_counts, newest_counts = (
        zip(*rows) if rows else ((),) * _ROW)
    for texts in (names, hashes, digests, files, ids, slugs, server_names):
        _texts(texts)
    for column in (lines, tools, finding_counts, newest_counts):
        _counts(column)
    urls = [f"servers/{slug}/" for slug in slugs]  # ServerSummary.url
    links = _links(value, _each(server_names, tools), _each(urls, tools))
    scores = value["scores"]
    exposures = _exposures(value["exposure_keys"], value["exposures"])
    if not len(scores) == len(exposures) == len(links) == sum(tools) or not set(map(type, scores)) <= {int}:
        raise ValueError("not a score and an exposure for each link")
    findings = _findings(value["findings"], _each(files, finding_counts), _each(ids, finding_counts))
    newest = _dated_tools(value["newest"], _each(tools, newest_counts))
    categories, risks = value["categories"], value["risks"]
    servers: dict[str, CachedServer] = {}
    start = finding = dated = 0
    for number, name in enumerate(names):
        end = start + tools[number]
        finding_end, dated_end = finding + finding_counts[number], dated + newest_counts[number]
        codes, risk_codes = categories[start:end], risks[start:end]
        counts = Counts(tools[number], {c: codes.count(code) for c, code in _CATEGORY_CODES.items()},
                        {r: risk_codes.count(code) for r, code in _RISK_CODES.items()})
        summary = ServerSummary(files[number], lines[number], ids[number], slugs[number], server_names[number],
                                counts, tuple(links[start:end]), tuple(scores[start:end]),
                                tuple(exposures[start:end]), tuple(findings[finding:finding_end]),
                                tuple(newest[dated:dated_end]))
        servers[name] = CachedServer(hashes[number], summary, digests[number])
        start, finding, dated = end, finding_end, dated_end
    return servers


def _each(values: Sequence[Any], times: Sequence[int]) -> list[Any]:
    """Each value repeated its number of `times` (one per link, finding or dated tool of its server)."""
    return list(itertools.chain.from_iterable(map(itertools.repeat, values, times)))


def _links(value: dict[str, Any], server_names: list[str], server_urls: list[str]) -> list[ToolLink]:
    """Every link of the shard, each with its server's name and url (given per link)."""
    names, urls, categories, risks, digests = (_texts(value["names"]), _texts(value["urls"]), value["categories"],
                                               value["risks"], value["links"])
    if not (len(names) == len(urls) == len(categories) == len(risks) == len(server_names)
            and len(digests) == 32 * len(names) and _DIGESTS.fullmatch(digests)):
        raise ValueError("columns of links of different lengths, or a link's repr not a digest")
    texts = map(_LINK_PREFIX.__add__, _DIGEST.findall(digests))
    return list(map(_restored, names, urls, server_names, server_urls, map(_CATEGORIES.__getitem__, categories),
                    map(_RISKS.__getitem__, risks), texts))  # KeyError: not a code


def _texts(values: Any) -> Any:
    if not set(map(type, values)) <= {str}:  # checked in C
        raise TypeError("not text")
    return values


def _counts(values: tuple[Any, ...]) -> None:
    if not set(map(type, values)) <= {int} or (values and min(values) < 0):
        raise ValueError("not a count")


def _exposures(keys: list[Any], numbers: list[Any]) -> list[tuple[str, ...]]:
    """Each tool's exposure, the one tuple of each distinct exposure shared by its tools."""
    distinct = [tuple(_texts(each)) for each in keys]
    if not set(map(type, numbers)) <= {int} or (numbers and min(numbers) < 0):
        raise ValueError("not the number of an exposure")
    return list(map(distinct.__getitem__, numbers))  # IndexError: no such exposure


def _findings(flat: list[Any], files: list[str], servers: list[str]) -> list[Finding]:
    """The findings, from (line, tool, code, message) flattened, with their server's file and id."""
    if len(flat) != 4 * len(files):
        raise ValueError("not the findings the rows count")
    return list(map(Finding, files, flat[0::4], servers, flat[1::4], flat[2::4], flat[3::4]))


def _dated_tools(flat: list[Any], tools: list[int]) -> list[DatedTool]:
    """The dated tools, from (number, slug, date added) flattened (`tools`: how many its server has, per
    dated tool), each one that makes a FeedItem: checked column by column, mostly in C."""
    numbers, slugs, dates = flat[0::3], flat[1::3], flat[2::3]
    if len(flat) != 3 * len(tools) or not set(map(type, numbers)) <= {int} or not set(map(type, slugs)) <= {str} or (
            numbers and (min(numbers) < 0 or not all(map(int.__lt__, numbers, tools)))):
        raise ValueError("not a tool of its summary")
    if not all(map(_ISO_DATE.fullmatch, dates)):  # sorted as text: only the one ISO form sorts as dates
        raise ValueError("not a date in ISO form")
    collections.deque(map(dt.date.fromisoformat, dates), maxlen=0)  # and each a date (not 2026-02-30)
    return list(zip(numbers, slugs, dates))
