"""A build's write step: everything the plan does not keep, into the staging folder.

The theme and hand-written pages (mkdocs), the pages and policies of each
server to render (by the workers that loaded it), then the site-wide pages,
while catalogue.json, llms-full.txt and the search index are streamed from
every server's part by a process of its own (streams.py), started here
unless the build started it before the plan.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..content.attacks import AttackPattern
from ..content.config import SiteConfig
from ..output.swap import MARKER
from ..output.writer import OutputWriter
from ..render.render import Renderer
from ..render.theme import Shell, run_mkdocs, theme_workdir
from ..views.index import SiteIndex
from ..views.pages import PAGE_HELPERS
from ..views.listings import SitePage
from ..views.sitemaps import SitemapInputs
from ..views.site_files import IndexPages, index_pages, write_site_pages
from .background import Background
from .cache import save_shell
from .load import Catalogue
from .plan import THEME_GROUP, OutputPlan
from .progress import Progress, Stages
from .reuse import keep_unchanged
from .rows import StreamInputs
from .streams import FeedTexts, SiteStreams
from .units import PartInputs
from .workers import WorkerPool


def _theme(writer: OutputWriter, plan: OutputPlan, config: SiteConfig, context: str, shell: Shell | None
           ) -> tuple[Shell, int, list[str]]:
    """The page chrome, the number of HTML pages written for it (none when the theme group is kept), and the
    paths of the theme's files (written or kept).  `shell`: the chrome cached for `context`, if any."""
    if THEME_GROUP in plan.kept:
        assert shell is not None, "the plan keeps the theme only when its chrome is cached"
        return shell, 0, list(plan.kept[THEME_GROUP].files)
    before = set(writer.sizes)
    pages = 0
    with theme_workdir(config.cache_dir) as work:
        theme = run_mkdocs(config, Path(work))
        for relative, source in theme.files():
            writer.copy(relative, source)
            pages += relative.endswith(".html")
    assets = {asset.name: asset for folder in reversed(config.template_dirs)
              for asset in (folder / "assets").glob("*") if asset.is_file()}  # the project's own win
    for name in sorted(assets):
        writer.copy(f"assets/build-site/{name}", assets[name])
    files = {path: size for path, size in writer.sizes.items() if path not in before}
    plan.rendered(THEME_GROUP, files)
    save_shell(config.cache_dir, context, theme.shell)
    return theme.shell, pages, list(files)


@dataclass(frozen=True)
class Sources:
    """What the write step makes the site from."""

    config: SiteConfig
    context: str  # the build context's digest (cache.inputs_digest)
    catalogue: Catalogue
    index: SiteIndex
    parts: PartInputs  # each server's part key and attack links
    patterns: tuple[AttackPattern, ...]
    site_pages: list[SitePage]  # the site-wide pages that are units (site_files.SitePage)
    sitemap: SitemapInputs | None  # the sitemaps' inputs, made with the site pages
    stream: StreamInputs  # what the files made from the parts are made of
    index_pages: Callable[[], IndexPages] | None  # gives the index's pages made elsewhere (None: made here)
    shell: Shell | None  # the chrome the cache holds for this context (None: none, or a clean build)


def build_into(writer: OutputWriter, plan: OutputPlan, clone_from: Path | None, sources: Sources,
               streams: SiteStreams, pool: WorkerPool, stages: Stages, live: Path | None = None) -> int:
    """Write the site into the staging folder; return the number of HTML pages.  `live`: the live site,
    which the plan's linked groups are taken from.

    The files made from the parts by a stream started before the plan (an edit, whose stream is done
    before the pages are) replace the previous build's in the reused folder, rather than those being
    deleted first: 3.5k search files at 100k tools."""
    replacing = clone_from is None and streams.started_early
    linkers = keep_unchanged(writer, plan, clone_from, max(1, pool.jobs), keep_site_files=replacing, live=live)
    try:
        return _write_changed(writer, plan, sources, streams, pool, stages, linkers, replacing)
    finally:
        for linker in linkers:
            linker.close()


def _write_changed(writer: OutputWriter, plan: OutputPlan, sources: Sources, streams: SiteStreams,
                   pool: WorkerPool, stages: Stages, linkers: list[Background], replacing: bool) -> int:
    """Write what the plan does not keep (and wait for the linkers of what it keeps); the number of HTML pages.
    `replacing`: the stream's files replace the previous build's site-wide files (see build_into)."""
    config, catalogue = sources.config, sources.catalogue
    pages = plan.kept_pages
    writer.record(MARKER, os.stat(os.path.join(writer.root, MARKER)).st_size)
    shell, theme_pages, theme_files = _theme(writer, plan, config, sources.context, sources.shell)
    pages += theme_pages
    stages.mark("mkdocs: hand-written pages and theme" if theme_pages else "theme and hand-written pages kept")
    renderer = Renderer(config, shell, config.template_dirs, PAGE_HELPERS)
    file_of = catalogue.files_by_slug
    servers = {file_of[slug]: (slug, sources.parts.keys[file_of[slug]], catalogue.summaries[file_of[slug]].counts.tools)
               for slug in plan.render}
    progress = Progress(sum(tools for _, _, tools in servers.values()), min(stages.verbosity, 1))
    for result in pool.render(shell, writer.root, servers, plan.inputs):
        for path, size in result.files.items():
            writer.record(path, size)
        plan.rendered(result.slug, result.files)
        pages += result.pages
        progress.advance(result.tools, result.slug)
    progress.close()
    streams.start(pool, catalogue, sources.stream, sources.parts)  # unless started before the plan
    pool.close()  # the workers' loaded servers are not needed any more: free them before the site-wide files
    stages.mark("tool and server pages, policies")
    if replacing:  # then the feed
        streams.adopt(writer, plan.stale_site_files)
    made = sources.index_pages or (lambda: index_pages(renderer, sources.index, config, sources.patterns))
    pages += write_site_pages(writer, renderer, sources.index, sources.site_pages, plan, config, theme_files,
                              FeedTexts(catalogue, sources.parts, sources.patterns, config), made, sources.sitemap)
    for linker in linkers:
        linker.result()
    if linkers:
        stages.mark("unchanged files linked from the live site")
    if not replacing:
        streams.adopt(writer)
    stages.mark("site-wide pages and files")
    return pages
