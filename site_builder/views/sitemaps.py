"""The sitemaps: a unit of their own (build/units.py), made of every page's url.

Their urls change when a page is added or removed (a server, a tool, a
listing page, an attack pattern), not when a tool changes category or risk:
an edit that changes the index but no url keeps them (at 100k tools, 10 MB
made again for nothing took 0.09 s of a category edit).  The hand-written
pages they list are the theme's, which the build context decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Iterable, Iterator

from markupsafe import Markup

from ..content.attacks import AttackPattern
from ..content.config import SiteConfig
from ..output.writer import OutputWriter
from ..render.render import Renderer, xml_escape, xml_text
from .index import SiteIndex

SITEMAP_LIMIT = 50_000
SITEMAPS_GROUP = "~sitemaps"
NOT_LISTED = ("search/", "servers/", "risk/", "categories/", "attacks/")  # theme pages that are not hand-written


@dataclass(frozen=True)
class SitemapInputs:
    """Every url the sitemaps list but the hand-written pages' (the build context's): their unit's inputs."""

    pages: tuple[str, ...]  # home, the site-wide pages and the attack pages, in the order listed
    catalogue: tuple[str, ...]  # every server's url, each followed by its tools'

    group: ClassVar[str] = SITEMAPS_GROUP


def site_page_urls(unit_urls: Iterable[str], patterns: tuple[AttackPattern, ...]) -> list[str]:
    """The urls of the pages made from the index alone (but the search page's), in the sitemap's order: home,
    the pages that are units (`unit_urls`: listings, the servers page), browse and attack pages."""
    attacks = ["attacks/", *(pattern.url for pattern in patterns)] if patterns else []
    return ["", *unit_urls, "risk/", "categories/", *attacks]


def sitemap_inputs(data: SiteIndex, unit_urls: Iterable[str], patterns: tuple[AttackPattern, ...]) -> SitemapInputs:
    return SitemapInputs(tuple(site_page_urls(unit_urls, patterns)),
                         tuple(url for server in data.servers for url in (server.url, *(link.url for link in server.links))))


def write_sitemaps(writer: OutputWriter, renderer: Renderer, config: SiteConfig, inputs: SitemapInputs,
                   theme_files: Iterable[str]) -> list[str]:
    """The sitemap, or an index of sitemaps past SITEMAP_LIMIT urls; the paths written."""
    handwritten = sorted(path[: -len("index.html")] for path in theme_files
                         if path.endswith("/index.html") and path.count("/") == 1 and not path.startswith(NOT_LISTED))
    first = len(writer.written)
    chunks: list[str] = []
    batch: list[str] = []
    for url in _urls(inputs, handwritten):
        batch.append(url)
        if len(batch) == SITEMAP_LIMIT:
            chunks.append(_flush_sitemap(writer, renderer, config, batch, len(chunks) + 1))
            batch = []
    if not chunks:
        writer.write("sitemap.xml", renderer.text("sitemap.xml", url_elements=_url_elements(config, batch)))
        return writer.written[first:]
    if batch:
        chunks.append(_flush_sitemap(writer, renderer, config, batch, len(chunks) + 1))
    writer.write("sitemap.xml", renderer.text("sitemap-index.xml", sitemaps=chunks))
    return writer.written[first:]


def _urls(inputs: SitemapInputs, handwritten: list[str]) -> Iterator[str]:
    yield from inputs.pages
    yield from handwritten
    yield from inputs.catalogue


def _flush_sitemap(writer: OutputWriter, renderer: Renderer, config: SiteConfig, urls: list[str], number: int) -> str:
    name = f"sitemaps/sitemap-{number}.xml"
    writer.write(name, renderer.text("sitemap.xml", url_elements=_url_elements(config, urls)))
    return name


def _url_elements(config: SiteConfig, urls: list[str]) -> Markup:
    """`<url>` elements, one a line: built here, not in a template loop, as there are as many as pages."""
    base = xml_escape(xml_text(config.site_url))
    joined = "\n".join(urls)
    escaped = (xml_escape(xml_text(joined)).split("\n") if joined.count("\n") == len(urls) - 1  # escaped at once
               else [xml_escape(xml_text(url)) for url in urls])  # a url with a newline (never ours)
    return Markup("".join(f"<url><loc>{base}{url}</loc></url>\n" for url in escaped)) if urls else Markup("")
