"""The sitemaps' unit (views/sitemaps.py): its urls are those of the pages the site has, in the order listed."""

from __future__ import annotations

from site_builder.content.attacks import load_attacks
from site_builder.content.config import load_config
from site_builder.render.render import Renderer
from site_builder.render.theme import Shell
from site_builder.views.listings import listing_pages, servers_page
from site_builder.views.pages import PAGE_HELPERS
from site_builder.views.site_files import index_pages
from site_builder.views.sitemaps import site_page_urls, sitemap_inputs

from tests.helpers import ROOT
from tests.views.test_index import index


def test_the_sitemap_lists_the_index_pages_in_the_order_they_are_made_and_every_server_and_tool() -> None:
    config = load_config(ROOT / "mkdocs.yml")
    patterns = load_attacks(config.attacks_dir)
    shell = Shell(("<html>", "", "", "", "", "</html>"), ("META", "TITLE", "HEADER_TITLE", "CONTENT", "SCRIPTS"))
    made = index_pages(Renderer(config, shell, config.template_dirs, PAGE_HELPERS), index(), config, patterns)
    pages = [path[: -len("index.html")] for path, _ in made.files if path.endswith("index.html")]
    assert made.pages == len(pages) and pages[-1] == "search/"  # searched, not listed
    assert site_page_urls([], patterns) == pages[:-1]
    units = [servers_page(index()), *listing_pages(index())]
    inputs = sitemap_inputs(index(), [unit.url for unit in units], patterns)
    assert inputs.pages == ("", *(unit.url for unit in units), *pages[1:-1])
    assert set(inputs.catalogue) == {s.url for s in index().servers} | {link.url for link in index().links()}
    assert len(inputs.catalogue) == len(index().servers) + index().counts.tools
