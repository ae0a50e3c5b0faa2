"""A build's write step: everything the plan does not keep, into the staging folder.

The theme and hand-written pages (mkdocs), the pages and policies of each
server to render (by the workers that loaded it), then the site-wide pages,
while catalogue.json, llms-full.txt and the search index are streamed from
every server's part in a process of their own.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import Iterator

from ..content.config import SiteConfig
from ..output.lock import disk_errors
from ..output.swap import MARKER
from ..output.writer import OutputWriter
from ..render.render import Renderer
from ..render.theme import Shell, run_mkdocs, theme_workdir
from ..views.index import SiteIndex
from ..views.pages import PAGE_HELPERS
from ..views.parts import ServerPart
from ..views.machine_files import write_catalogue_files, write_search_index
from ..views.site_files import SitePage, server_part, write_site_pages
from .background import Background
from .cache import load_shell, save_shell
from .load import Catalogue
from .part_store import PartStore
from .plan import THEME_GROUP, OutputPlan
from .progress import Progress, Stages
from .reuse import keep_unchanged
from .workers import WorkerPool


def _theme(writer: OutputWriter, plan: OutputPlan, config: SiteConfig, context: str) -> tuple[Shell, int]:
    """The page chrome, and the number of HTML pages written for it (none when the theme group is kept)."""
    if THEME_GROUP in plan.kept:
        shell = load_shell(config.cache_dir, context)
        assert shell is not None, "the plan keeps the theme only when its chrome is cached"
        return shell, 0
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
    plan.rendered(THEME_GROUP, {path: size for path, size in writer.sizes.items() if path not in before})
    save_shell(config.cache_dir, context, theme.shell)
    return theme.shell, pages


def build_into(writer: OutputWriter, plan: OutputPlan, clone_from: Path | None, config: SiteConfig, context: str,
               catalogue: Catalogue, index: SiteIndex, site_pages: list[SitePage], pool: WorkerPool,
               stages: Stages) -> int:
    """Write the site into the staging folder; return the number of HTML pages."""
    linkers = keep_unchanged(writer, plan, clone_from, max(1, pool.jobs))
    try:
        return _write_changed(writer, plan, config, context, catalogue, index, site_pages, pool, stages, linkers)
    finally:
        for linker in linkers:
            linker.close()


def _write_changed(writer: OutputWriter, plan: OutputPlan, config: SiteConfig, context: str, catalogue: Catalogue,
                   index: SiteIndex, site_pages: list[SitePage], pool: WorkerPool, stages: Stages,
                   linkers: list[Background]) -> int:
    """Write what the plan does not keep (and wait for the linkers of what it keeps); the number of HTML pages."""
    pages = plan.kept_pages
    writer.record(MARKER, os.stat(os.path.join(writer.root, MARKER)).st_size)
    shell, theme_pages = _theme(writer, plan, config, context)
    pages += theme_pages
    stages.mark("mkdocs: hand-written pages and theme" if theme_pages else "theme and hand-written pages kept")
    renderer = Renderer(config, shell, config.template_dirs, PAGE_HELPERS)
    file_of = {summary.slug: name for name, summary in catalogue.summaries.items()}
    servers = {file_of[slug]: (slug, catalogue.part_keys[file_of[slug]], catalogue.summaries[file_of[slug]].counts.tools)
               for slug in plan.render}
    progress = Progress(sum(tools for _, _, tools in servers.values()), min(stages.verbosity, 1))
    for result in pool.render(shell, writer.root, servers, plan.inputs):
        for path, size in result.files.items():
            writer.record(path, size)
        plan.rendered(result.slug, result.files)
        pages += result.pages
        progress.advance(result.tools, result.slug)
    progress.close()
    pool.close()  # the workers' loaded servers are not needed any more: free them before the site-wide files
    stages.mark("tool and server pages, policies")
    _make_missing_parts(catalogue, index, plan, config)
    streams = [Background(partial(_write_streams, writer.root, catalogue, index, plan, config, search),
                          fork=pool.jobs > 1) for search in (False, True)]
    try:
        pages += write_site_pages(writer, renderer, index, site_pages, plan, config)
        for stream in streams:
            for path, size in stream.result().items():
                writer.record(path, size)
    finally:
        for stream in streams:
            stream.close()
    stages.mark("site-wide pages and files")
    for linker in linkers:
        linker.result()
    if linkers:
        stages.mark("unchanged files linked from the live site")
    return pages


def _write_streams(root: Path, catalogue: Catalogue, index: SiteIndex, plan: OutputPlan, config: SiteConfig,
                   search: bool) -> dict[str, int]:
    """catalogue.json and llms-full.txt, or the search index (each in a process of its own); their sizes."""
    writer = OutputWriter(root)
    with disk_errors(config.cache_dir, config.cache_dir):  # in a process of its own: refused writes as one line
        if search:
            write_search_index(writer, _parts_in_order(catalogue, index, plan, config, docs=True))
        else:
            write_catalogue_files(writer, index, _parts_in_order(catalogue, index, plan, config, docs=False), config)
    return writer.sizes


def _make_missing_parts(catalogue: Catalogue, index: SiteIndex, plan: OutputPlan, config: SiteConfig) -> None:
    """Make the parts the cache lacks (pruned, damaged, or of a server whose pages were kept) from their
    server files, loaded if need be: before the processes that read them start."""
    store = PartStore(config.cache_dir)
    file_of = {summary.slug: name for name, summary in catalogue.summaries.items()}
    missing = [file_of[server.slug] for server in index.servers if not store.has(catalogue.part_keys[file_of[server.slug]])]
    for name in missing:  # one at a time: the parts of many servers may be missing (a pruned cache)
        catalogue.load([name] if name not in catalogue.entries else [], 1)
        store.write(catalogue.part_keys[name], server_part(catalogue.entries.pop(name), config,
                                                           plan.inputs[catalogue.summaries[name].slug].attacks))


def _parts_in_order(catalogue: Catalogue, index: SiteIndex, plan: OutputPlan, config: SiteConfig,
                    docs: bool) -> Iterator[ServerPart]:
    """Every server's part, in the index's order, one at a time (`docs`: with its search documents).

    A part damaged since _make_missing_parts is made again from its server file."""
    store = PartStore(config.cache_dir)
    file_of = {summary.slug: name for name, summary in catalogue.summaries.items()}
    for server in index.servers:
        name = file_of[server.slug]
        part = store.read(catalogue.part_keys[name], docs)
        if part is None:  # damaged since it was checked: make it again
            catalogue.load([name] if name not in catalogue.entries else [], 1)
            part = server_part(catalogue.entries[name], config, plan.inputs[server.slug].attacks)
            store.write(catalogue.part_keys[name], part)
        yield part
