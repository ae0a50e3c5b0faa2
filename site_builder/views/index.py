"""Stage 2b: the site index, a light summary of every server.

Site-wide files (listings, home, feed, sitemap, llms.txt), related-tool links
and incremental rebuilds read only these summaries, never the full catalogue:
a summary is a few short strings per tool, cached per server file between
builds, so a rebuild after a one-file edit loads and derives that one file.
The heavy per-server parts of site-wide files (the server's catalogue.json
record, its llms-full.txt section, its search documents) are never held
here: see parts.py, from which the feed also takes the texts of the few
tools it shows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import heapq
import itertools
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterable, Iterator

from ..derive import Counts, ServerEntry
from ..derive.lint import Finding
from ..content.models import Category, Risk
from .related import RelatedLinks, related_runs, related_walked

NEWEST_LIMIT = 500  # the most the `newest` option allows: each server keeps this many for the feed


@dataclass(frozen=True, slots=True)
class ToolLink:
    """A tool as a row in a table or a link shows it: what listings need, nothing more (a tool's score and
    what exposes it to attack patterns are kept beside it, in its server's summary, so that a unit whose
    inputs hold rows cannot read them unseen)."""

    name: str
    url: str
    server_name: str
    server_url: str
    category: Category
    risk: Risk
    _text: str | None = field(default=None, init=False, repr=False, compare=False)  # the repr, once made

    def fields_text(self) -> str:
        """Every field, exactly: the repr of each (the value of the two enums, whose own repr is slower)."""
        return (f"ToolLink(name={self.name!r}, url={self.url!r}, server_name={self.server_name!r}, "
                f"server_url={self.server_url!r}, category={self.category.value}, risk={self.risk.value})")

    def __repr__(self) -> str:
        """Short and exact, made once: a digest of fields_text().  A row is in the inputs of the units of
        several pages, whose digests are made of their inputs' repr (build/units.py): one edit at 100k
        tools reprs 700k rows, 100k of them distinct, and hashed 140 MB of text when the repr was the
        fields' own.  The cached summary keeps it (summary_to_json), made by the worker that summarized
        the server."""
        if self._text is None:
            digest = hashlib.blake2b(self.fields_text().encode("utf-8", "surrogatepass"), digest_size=16)
            object.__setattr__(self, "_text", f"ToolLink#{digest.hexdigest()}")
        return self._text  # type: ignore[return-value]

    @classmethod
    def restored(cls, name: str, url: str, server_name: str, server_url: str, category: Category, risk: Risk,
                 text: str) -> ToolLink:
        """A link as the build cache kept it, with the repr made before (checked by summary_json): its fields
        set directly, 100k links at 100k tools, in a third of the time the frozen __init__ takes."""
        link = object.__new__(cls)
        _SET_NAME(link, name)
        _SET_URL(link, url)
        _SET_SERVER_NAME(link, server_name)
        _SET_SERVER_URL(link, server_url)
        _SET_CATEGORY(link, category)
        _SET_RISK(link, risk)
        _SET_TEXT(link, text)
        return link


_SET_NAME, _SET_URL, _SET_SERVER_NAME, _SET_SERVER_URL, _SET_CATEGORY, _SET_RISK, _SET_TEXT = (
    ToolLink.__dict__[name].__set__ for name in ("name", "url", "server_name", "server_url", "category", "risk", "_text"))


@dataclass(frozen=True, slots=True)
class FeedItem:
    link: ToolLink
    server_slug: str
    slug: str
    added: dt.date
    summary: str  # the description as plain text, at most FEED_TEXT_LIMIT characters

    def sort_key(self) -> tuple[dt.date, str, str]:
        return self.added, self.server_slug, self.slug


# A server's dated tool as its summary keeps it: (position in its links, tool slug, date added in ISO form).
# Made into a FeedItem only if the feed shows it: a summary of 100k tools holds 100k of them for a feed of 20.
# The item's text is not kept here but taken from the server's part (build/streams.py) for those shown: it
# was 45% of the cached summaries, which every edit reads whole.
DatedTool = tuple[int, str, str]
Describe = Callable[["ServerSummary", int], str]  # a server's tool, by position -> its text in the feed
FEED_TEXT_LIMIT = 300  # characters of a tool's description as plain text in the feed


@dataclass(frozen=True)
class ServerSummary:
    file: str
    line: int
    id: str
    slug: str
    name: str
    counts: Counts
    links: tuple[ToolLink, ...]  # in file order
    scores: tuple[int, ...]  # per link: the tool's risk score
    exposures: tuple[tuple[str, ...], ...]  # per link: what exposes the tool to attack patterns (derive.exposure)
    findings: tuple[Finding, ...]  # for reports only (--strict, `check`): no page reads them (summary_digest)
    newest: tuple[DatedTool, ...]  # this server's newest dated tools, newest first (by date, then slug)

    @property
    def url(self) -> str:
        return f"servers/{self.slug}/"

    def shown_as(self, file: str) -> ServerSummary:
        """This summary with its file (and its findings') shown as `file`."""
        return dataclasses.replace(self, file=file, findings=tuple(dataclasses.replace(finding, file=file)
                                                                   for finding in self.findings))


@dataclass(frozen=True)
class SearchDoc:
    """One tool as the search index needs it (see search.py)."""

    name_tokens: tuple[str, ...]
    text_tokens: tuple[str, ...]
    record: tuple[str, ...]  # name, server name, url, risk, category, snippet
    risk: Risk
    category: Category


def tool_link(server: ServerEntry, index: int) -> ToolLink:
    entry = server.tools[index]
    return ToolLink(entry.name, entry.url, server.name, server.url, entry.category, entry.risk)


def summarize(server: ServerEntry) -> ServerSummary:
    links = tuple(tool_link(server, index) for index in range(len(server.tools)))
    for link in links:
        repr(link)  # made here, by the worker that loaded the server (it crosses to the parent with the link)
    dated = [(number, entry.slug, entry.added.isoformat()) for number, entry in enumerate(server.tools) if entry.added]
    dated.sort(key=lambda item: (item[2], item[1]), reverse=True)  # ISO dates sort as the dates do
    meta = server.loaded.data.server
    return ServerSummary(server.loaded.file, server.loaded.line, meta.id, server.slug, server.name, server.counts,
                         links, tuple(entry.score.value for entry in server.tools),
                         tuple(entry.exposure for entry in server.tools),
                         tuple(f for entry in server.tools for f in entry.findings), tuple(dated[:NEWEST_LIMIT]))


@dataclass(frozen=True)
class SiteIndex:
    servers: tuple[ServerSummary, ...]  # sorted by slug
    counts: Counts

    @classmethod
    def of(cls, servers: Iterable[ServerSummary]) -> SiteIndex:
        ordered = tuple(sorted(servers, key=lambda s: s.slug))
        return cls(ordered, Counts.of(link for server in ordered for link in server.links))

    def links(self) -> Iterator[ToolLink]:
        for server in self.servers:
            yield from server.links

    @cached_property
    def rows(self) -> dict[str, ToolLink]:
        """Every tool as tables and related links show it, by url."""
        return {link.url: link for link in self.links()}

    @cached_property
    def largest_first(self) -> tuple[ServerSummary, ...]:
        """The servers by number of tools, most first (then by slug)."""
        return tuple(sorted(self.servers, key=lambda s: (-s.counts.tools, s.slug)))

    @property
    def findings(self) -> list[Finding]:
        return sorted(f for server in self.servers for f in server.findings)

    @property
    def finding_count(self) -> int:
        return sum(len(server.findings) for server in self.servers)

    def newest(self, limit: int, describe: Describe) -> list[FeedItem]:
        """The `limit` newest items of all servers, newest first (by date, server slug, tool slug): each
        server's are in that order already, so they are merged, not sorted (100k items at 100k tools, for a
        feed of 20), and only those shown are made into FeedItems, with their text from `describe`.

        Only the servers whose newest item is dated no earlier than the `limit`-th newest of the servers'
        newest items are merged (a merge of all 10k at 100k tools took 0.025 s of every build): an item
        shown is at least that new, and so is its server's newest item."""
        def keyed(server: ServerSummary) -> Iterator[tuple[tuple[str, str, str], ServerSummary, DatedTool]]:
            for item in server.newest:
                yield (item[2], server.slug, item[1]), server, item

        dated = [server for server in self.servers if server.newest]
        last = heapq.nlargest(limit, [server.newest[0][2] for server in dated])[-1:] if limit > 0 else []
        servers = [server for server in dated if server.newest[0][2] >= last[0]] if last else []
        merged = heapq.merge(*(keyed(server) for server in servers), key=lambda keyed: keyed[0], reverse=True)
        shown = itertools.islice(merged, limit)
        return [FeedItem(server.links[number], server.slug, slug, dt.date.fromisoformat(added),
                         describe(server, number)) for _, server, (number, slug, added) in shown]

    def related(self) -> dict[str, tuple[tuple[ToolLink, ...], ...]]:
        """For each server slug, for each of its tools: same-category tools on other servers (related_of)."""
        runs = self.related_runs
        return {server.slug: tuple(runs[link.category, server.slug] for link in server.links)
                for server in self.servers}

    def related_of(self, server: ServerSummary) -> tuple[tuple[ToolLink, ...], ...]:
        """For each tool of `server`: same-category tools on other servers (related.py): from the rings of
        every server if made (related_runs), else found for this server alone."""
        runs = self.__dict__.get("related_runs")
        if runs is None:
            return related_walked(self.servers, self.position[server.slug])
        return tuple(runs[link.category, server.slug] for link in server.links)

    def make_rings(self) -> None:
        """Make the rings of every server now: cheaper than walking for each when most are asked for."""
        if "related_runs" not in self.__dict__:
            self.__dict__["related_runs"] = related_runs(self.servers)

    @cached_property
    def related_runs(self) -> dict[tuple[Category, str], RelatedLinks]:
        """The related tools of every run (category, server slug) of the rings (related.py)."""
        return related_runs(self.servers)

    @cached_property
    def position(self) -> dict[str, int]:
        """Each server's place in `servers`, by slug."""
        return {server.slug: number for number, server in enumerate(self.servers)}
