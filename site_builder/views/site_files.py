"""Site-wide files: home, indexes, browse and search pages, sitemap,
robots.txt and the Atom feed (catalogue.json, llms.txt and llms-full.txt:
machine_files.py).

Large files are written streaming.  Nothing here depends on the build time,
so two builds of the same input are byte-identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Protocol

from .attack_pages import write_attack_pages
from ..content.attacks import AttackPattern
from ..content.config import SiteConfig
from ..content.models import CATEGORY_ORDER, RISK_ORDER, Risk
from ..derive.rationale import CATEGORY_MEANING
from ..output.writer import OutputWriter
from ..render.render import Renderer
from .index import Describe, FeedItem, ServerSummary, SiteIndex
from .listings import RISK_MEANING, SitePage
from .machine_files import llms_txt
from .sitemaps import SitemapInputs, write_sitemaps
from .machine_files import server_part as server_part  # re-exported: the build imports it from here

INDEX_PAGES_GROUP = "~index"  # the site-wide files made from the index alone (home, browse, attacks, llms.txt)

LARGEST = 10


class PageKeeper(Protocol):
    """Which file groups of the previous build are kept (see plan.py)."""

    def is_kept(self, group: str) -> bool: ...

    def rendered(self, group: str, files: dict[str, int]) -> None: ...


@dataclass(frozen=True)
class IndexPages:
    """The files made from the index alone but the units and the sitemaps, rendered (home, browse, attack
    and search pages, llms.txt, robots.txt): a pure function of the index, the attack patterns and the
    build context, so another process may make them while the parent plans (build/index_work.py)."""

    files: tuple[tuple[str, str | bytes], ...]  # (path, text or UTF-8)
    pages: int  # how many of the files are HTML pages


def index_pages(renderer: Renderer, data: SiteIndex, config: SiteConfig,
                patterns: tuple[AttackPattern, ...]) -> IndexPages:
    """The files made from the index alone but the units and the sitemaps (see IndexPages)."""
    files: list[tuple[str, str | bytes]] = []

    def page(template: str, url: str, **context: Any) -> None:
        rendered = renderer.page(template, url, **context)
        files.append((rendered.path, rendered.html))

    _home(page, data, data.newest(config.options.newest, _no_text))  # the home page shows the links alone
    _browse(page, data)
    write_attack_pages(page, patterns, data.servers)
    page("search.html", "search/", risks=RISK_ORDER, categories=CATEGORY_ORDER)
    pages = len(files)
    files.append(("llms.txt", llms_txt(data, config)))
    files.append(("robots.txt", f"User-agent: *\nAllow: /\n\nSitemap: {config.site_url}sitemap.xml\n"))
    return IndexPages(tuple(files), pages)


def _no_text(server: ServerSummary, number: int) -> str:
    return ""


def write_site_pages(writer: OutputWriter, renderer: Renderer, data: SiteIndex, units: Iterable[SitePage],
                     keeper: PageKeeper, config: SiteConfig, theme_files: Iterable[str], describe: Describe,
                     made: Callable[[], IndexPages], sitemap: SitemapInputs | None) -> int:
    """Write every other site-wide file; return the number of HTML pages written.

    The feed is written by every build (its texts come from the parts, `describe`).  The other files are
    made from the index alone: they form the group INDEX_PAGES_GROUP, written again only if the keeper does
    not keep it (the index changed), and then the units of their own (`units`: listings, the servers page;
    `sitemap`: the sitemaps) only if the keeper does not keep them.  `made`: index_pages(), made here or by
    another process; `theme_files`: the theme's, whose hand-written pages the sitemap lists."""
    newest = data.newest(config.options.newest, describe)
    writer.write("feed.xml", renderer.text("feed.xml", entries=newest, updated=_feed_updated(newest)))
    if keeper.is_kept(INDEX_PAGES_GROUP):
        return 0
    assert sitemap is not None, "made with the units whenever the index's pages are"
    units_written = 0
    for unit in units:
        if not keeper.is_kept(unit.group):
            rendered = renderer.page(unit.template, unit.url, **unit.context())
            writer.write(rendered.path, rendered.html)
            keeper.rendered(unit.group, {rendered.path: writer.sizes[rendered.path]})
            units_written += 1
    if not keeper.is_kept(sitemap.group):
        written = write_sitemaps(writer, renderer, config, sitemap, theme_files)
        keeper.rendered(sitemap.group, {path: writer.sizes[path] for path in written})
    pages = made()
    for path, text in pages.files:
        writer.write(path, text)
    keeper.rendered(INDEX_PAGES_GROUP, {path: writer.sizes[path] for path, _ in pages.files})
    return units_written + pages.pages


def _home(page: Callable[..., object], data: SiteIndex, newest: list[FeedItem]) -> None:
    largest = data.largest_first[:LARGEST]
    page("home.html", "", counts=data.counts, server_count=len(data.servers), largest=largest,
         critical=Risk.CRITICAL, newest=[item.link for item in newest])


def _browse(page: Callable[..., object], data: SiteIndex) -> None:
    risk_rows = [(r.label, f"risk/{r.value}/", data.counts.by_risk[r], RISK_MEANING[r]) for r in RISK_ORDER]
    page("browse.html", "risk/", heading="Tools by risk level", column="Risk level", rows=risk_rows,
         description="Every tool by the risk level of its classification.")
    category_rows = [(c.label, f"categories/{c.value}/", data.counts.by_category[c], CATEGORY_MEANING[c])
                     for c in CATEGORY_ORDER]
    page("browse.html", "categories/", heading="Tools by category", column="Category", rows=category_rows,
         description="Every tool by what a call can do.")


# ---------------------------------------------------------------- feed

def _feed_updated(newest: list[FeedItem]) -> str:
    day = newest[0].added if newest and newest[0].added else None
    return f"{day.isoformat()}T00:00:00Z" if day else "1970-01-01T00:00:00Z"

