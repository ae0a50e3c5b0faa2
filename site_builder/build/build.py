"""`build-site`: the whole pipeline, from catalogue to a swapped-in site.

load + validate + derive (in workers, each owning a share of the server
files) -> site index and plan (parent) -> mkdocs: hand-written pages and
chrome -> policies + pages per server (in the workers that loaded them) ->
site-wide files, written streaming -> atomic swap of the finished site.
"""

from __future__ import annotations

import gc
import hashlib
import os
import sys
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Iterator

from ..content.attacks import load_attacks
from .cache import (CachedServer, catalogue_digests, inputs_digest, is_up_to_date, library_versions, load_index_cache,
                    OutputGroup, load_output_manifest, remember, save_index_cache, save_output_manifest)
from ..content.catalogue import cross_file_problems, load_server_files, missing_folder_problem
from ..content.config import SiteConfig, load_config
from ..derive import ServerEntry, derive_server
from ..errors import CatalogueError, Problem, UserError, display_path
from ..views.index import ServerSummary, SiteIndex, summarize
from ..output.lock import OutputLock, disk_errors
from ..views.pages import tool_rows
from ..views.parts import ServerPart
from .part_store import PartStore, part_key
from .plan import THEME_GROUP, OutputPlan, Wanted, plan_output, wanted_groups
from ..policy.recommend import load_policy_defaults
from ..render.render import Renderer
from ..views.site_files import ListingPage, listing_pages, server_part, write_part_streams, write_site_pages
from ..render.theme import Shell, load_shell, run_mkdocs, save_shell, theme_workdir
from .background import Background
from .server_worker import RenderedServer, RenderJob, ServerWorker
from .workers import WorkerPool
from ..output.writer import MARKER, OutputWriter, StagedOutput, is_build_output, marker_identity, sweep_stale_staging


@dataclass(frozen=True)
class BuildRequest:
    config_file: Path = Path("mkdocs.yml")
    catalogue: Path | None = None
    out: Path | None = None
    strict: bool = False
    jobs: int = 0
    clean: bool = False
    verbosity: int = 1
    lock_wait: float | None = None  # seconds to wait for another build of `out` (None: BUILD_SITE_LOCK_WAIT or 30)


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    files: int
    bytes: int
    warnings: int
    seconds: float
    skipped: bool = False  # inputs unchanged since the last build: nothing was written
    servers_rendered: int = 0  # servers whose pages were written in this build (the others were kept)
    servers: int = 0


class Progress:
    def __init__(self, total: int, verbosity: int) -> None:
        self.total, self.done, self.last = total, 0, 0.0
        self.enabled = verbosity >= 1 and sys.stderr.isatty() and total >= 2000
        self.verbose = verbosity >= 2

    def advance(self, tools: int, label: str) -> None:
        self.done += tools
        if self.verbose:
            print(f"  {label}: {tools} tools", file=sys.stderr)
        now = time.monotonic()
        if self.enabled and (now - self.last > 0.5 or self.done == self.total):
            self.last = now
            print(f"\r  rendering tools {self.done:,}/{self.total:,}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.enabled:
            print(file=sys.stderr)


def _strict_problems(index: SiteIndex) -> list[Problem]:
    return [Problem(f.file, f.line, f"tool {f.tool!r}", f"[{f.code}] {f.message}",
                    "fix the entry, or build without --strict") for f in index.findings]


class Stages:
    """Wall time per stage, printed with --verbose."""

    def __init__(self, verbosity: int) -> None:
        self.verbosity, self.verbose, self.last = verbosity, verbosity >= 2, time.monotonic()

    def mark(self, name: str) -> None:
        now = time.monotonic()
        if self.verbose:
            print(f"  {name}: {now - self.last:.2f} s", file=sys.stderr)
        self.last = now


@dataclass
class Catalogue:
    """The catalogue as a build sees it: every server's summary, the full entries of those loaded."""

    folder: Path
    file_hashes: dict[str, str]  # catalogue file name -> content hash
    summaries: dict[str, ServerSummary]  # by file name
    entries: dict[str, ServerEntry]  # by file name: the servers loaded in this build
    part_keys: dict[str, str]  # by file name: the key of the server's part (see part_store.py)

    def load(self, names: list[str], jobs: int) -> None:
        """Load, validate and derive the named files here, in the parent (raising every problem of them at once).

        Only for the few servers whose cached part is missing; a build loads in its workers."""
        loaded, problems = load_server_files([self.folder / name for name in names], jobs=jobs)
        if problems:
            raise CatalogueError(problems)
        for name, server in zip(names, loaded, strict=True):
            entry = derive_server(server)
            self.entries[name] = entry
            self.summaries[name] = summarize(entry)


def _changed_files(file_hashes: dict[str, str], cached: dict[str, CachedServer]) -> list[str]:
    return [name for name, file_hash in file_hashes.items()
            if name not in cached or cached[name].file_hash != file_hash]


def _load_catalogue(folder: Path, file_hashes: dict[str, str], cached: dict[str, CachedServer],
                    context: str, pool: WorkerPool) -> Catalogue:
    """Every server's summary: from the cache, or loaded (validated, derived) by the workers."""
    catalogue = Catalogue(folder, file_hashes, {}, {}, {name: part_key(context, h) for name, h in file_hashes.items()})
    changed = _changed_files(file_hashes, cached)
    results = pool.load({name: os.path.getsize(folder / name) for name in changed})
    problems = [problem for name in changed for problem in results[name].problems]
    if problems:
        raise CatalogueError(problems)
    for name, file_hash in file_hashes.items():
        result = results.get(name)
        summary = result.summary if result is not None else cached[name].summary
        assert summary is not None, "a file without problems has a summary"
        catalogue.summaries[name] = summary
    problems = cross_file_problems((s.id, s.slug, s.file, s.line) for s in catalogue.summaries.values())
    if problems:
        raise CatalogueError(problems)
    return catalogue


def run_build(request: BuildRequest) -> BuildResult:
    """Build under the output's lock (see lock.py); a write the disk refuses ends in one line (DiskError)."""
    config = load_config(request.config_file)
    out = request.out or config.site_dir
    notify = (lambda text: print(f"build-site: {text}", file=sys.stderr)) if request.verbosity >= 1 else None
    with OutputLock(out, request.lock_wait, notify), disk_errors(out, config.cache_dir):
        sweep_stale_staging(out)  # leftovers of killed builds: no other build of `out` is running now
        return _run_locked(request, config, out)


class _GuardedWorker(ServerWorker):
    """A worker whose refused writes reach the parent as one line, not a traceback (its writer names the
    pages it could not write; what else it writes is the cache's parts)."""

    def render(self, job: RenderJob) -> Iterator[RenderedServer]:
        with disk_errors(self.config.cache_dir, self.config.cache_dir):
            yield from super().render(job)


def _run_locked(request: BuildRequest, config: SiteConfig, out: Path) -> BuildResult:
    started = time.monotonic()
    stages = Stages(request.verbosity)
    catalogue_dir = request.catalogue or config.catalogue_dir
    defaults_path = config.root / config.options.policy_defaults if config.options.policy_defaults else None
    load_attacks(config.attacks_dir)  # every attack pattern checked before anything is built
    context = inputs_digest([config.docs_dir, config.templates_dir, config.config_file, config.attacks_dir]
                            + ([defaults_path] if defaults_path else []),
                            f"strict={request.strict} catalogue={display_path(catalogue_dir)} {library_versions()}")
    file_hashes = catalogue_digests(catalogue_dir, config.cache_dir)
    digest = hashlib.sha256(f"{context} {sorted(file_hashes.items())}".encode()).hexdigest()
    if not request.clean and is_up_to_date(config.cache_dir, out, digest):
        return BuildResult(out, 0, 0, 0, 0, time.monotonic() - started, skipped=True)
    stages.mark("check inputs")
    jobs = request.jobs or os.cpu_count() or 1
    cached = {} if request.clean else load_index_cache(config.cache_dir, context)
    if not catalogue_dir.is_dir():
        raise missing_folder_problem(catalogue_dir)
    defaults = load_policy_defaults(defaults_path)
    with WorkerPool(jobs, lambda: _GuardedWorker(config, catalogue_dir, defaults)) as pool:
        return _build(request, config, out, context, digest, catalogue_dir, file_hashes, cached, pool, stages, started)


def _build(request: BuildRequest, config: SiteConfig, out: Path, context: str, digest: str, catalogue_dir: Path,
           file_hashes: dict[str, str], cached: dict[str, CachedServer], pool: WorkerPool, stages: Stages,
           started: float) -> BuildResult:
    catalogue = _load_catalogue(catalogue_dir, file_hashes, cached, context, pool)
    index = SiteIndex.of(catalogue.summaries.values())
    gc.freeze()  # the index lives until the end: keep the collector (and copy-on-write) off it
    stages.mark(f"load catalogue ({len(_changed_files(file_hashes, cached))} of {len(file_hashes)} files)")
    if request.strict and index.findings:
        raise UserError(_strict_problems(index))
    staged = StagedOutput(out, keep_previous=True, reuse=not request.clean)
    try:
        listings = list(listing_pages(index, context))
        wanted = wanted_groups(context, catalogue, index, {listing.group: listing.digest for listing in listings})
        previous, clone_from = _reusable(staged, config.cache_dir, out, wanted)
        writer = OutputWriter(staged.staging)
        plan = plan_output(previous, wanted, theme_cached=load_shell(config.cache_dir, context) is not None)
        stages.mark(f"plan: {len(plan.render)} of {len(index.servers)} servers to render")
        pages = _build_into(writer, plan, clone_from, config, context, catalogue, index, listings, pool, stages)
        groups = plan.groups(writer.sizes)
        live = marker_identity(out) if is_build_output(out) else None  # kept beside the output after the swap
        save_output_manifest(config.cache_dir, out, staged.seal(), groups, keep=live)
        staged.commit()
        stages.mark("swap in")
    except BaseException:
        staged.abandon()
        raise
    dirty = None if not cached else set(_changed_files(file_hashes, cached)) | (set(cached) - set(file_hashes))
    save_index_cache(config.cache_dir, context, {
        name: CachedServer(file_hash, catalogue.summaries[name]) for name, file_hash in file_hashes.items()}, dirty)
    PartStore(config.cache_dir).prune(catalogue.part_keys.values())
    remember(config.cache_dir, out, digest)
    stages.mark("save cache")
    return BuildResult(out, pages, len(writer.sizes), writer.bytes, len(index.findings),
                       time.monotonic() - started, servers_rendered=len(plan.render), servers=len(index.servers))


REUSE_MARGIN = 500  # servers (or a quarter of them): rendering fewer costs less than linking every live file


def _reusable(staged: StagedOutput, cache_dir: Path, out: Path, wanted: Wanted
              ) -> tuple[dict[str, OutputGroup] | None, Path | None]:
    """The file groups of a previous build to keep, and the folder to link them from (None: in place).

    The kept previous site is updated in place, unless it is far behind the
    live one (after a template change, say): then, as in the first rebuild
    after a fresh build, unchanged files are hard-linked from the live site.
    With --clean there is neither."""
    live_site = is_build_output(out) and staged.reuse
    if staged.reused:
        previous = load_output_manifest(cache_dir, out, staged.reused)
        margin = min(REUSE_MARGIN, len(wanted.digests) // 4)
        if previous is not None and (wanted.stale_servers(previous) <= margin or not live_site):
            return previous, None
        live = load_output_manifest(cache_dir, out, marker_identity(out)) if live_site else None
        if previous is not None and (live is None or wanted.stale_servers(previous)
                                     <= wanted.stale_servers(live) + margin):
            return previous, None
        staged.restart()  # a kept site the cache does not describe, or far behind the live one
        return live, (out if live is not None else None)
    if not live_site:
        return None, None
    previous = load_output_manifest(cache_dir, out, marker_identity(out))
    return previous, (out if previous is not None else None)


def _keep_unchanged(writer: OutputWriter, plan: OutputPlan, clone_from: Path | None, jobs: int) -> list[Background]:
    """Keep the unchanged files: in place, or hard-linked from `clone_from` by `jobs` processes
    while the build goes on (their paths are claimed at once; wait for the returned linkers)."""
    if clone_from is None:
        writer.remove_previous(plan.stale_files)
        for path, size in plan.kept_files():
            writer.record(path, size)
        return []
    kept = sorted(plan.kept_files())
    for path, size in kept:
        writer.record(path, size)
    shares = [kept[number * len(kept) // jobs: (number + 1) * len(kept) // jobs] for number in range(jobs)]
    return [Background(partial(_link_files, writer.root, clone_from, share), fork=jobs > 1) for share in shares]


def _link_files(root: Path, source: Path, files: list[tuple[str, int]]) -> int:
    writer = OutputWriter(root)
    for path, size in files:
        writer.link(path, source, size)
    return len(files)


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


def _build_into(writer: OutputWriter, plan: OutputPlan, clone_from: Path | None, config: SiteConfig, context: str,
                catalogue: Catalogue, index: SiteIndex, listings: list[ListingPage], pool: WorkerPool,
                stages: Stages) -> int:
    """Write the site into the staging folder; return the number of HTML pages."""
    linkers = _keep_unchanged(writer, plan, clone_from, max(1, pool.jobs))
    try:
        return _write_changed(writer, plan, config, context, catalogue, index, listings, pool, stages, linkers)
    finally:
        for linker in linkers:
            linker.close()


def _write_changed(writer: OutputWriter, plan: OutputPlan, config: SiteConfig, context: str, catalogue: Catalogue,
                   index: SiteIndex, listings: list[ListingPage], pool: WorkerPool, stages: Stages,
                   linkers: list[Background]) -> int:
    """Write what the plan does not keep (and wait for the linkers of what it keeps); the number of HTML pages."""
    pages = plan.kept_pages
    writer.record(MARKER, os.stat(os.path.join(writer.root, MARKER)).st_size)
    shell, theme_pages = _theme(writer, plan, config, context)
    pages += theme_pages
    stages.mark("mkdocs: hand-written pages and theme" if theme_pages else "theme and hand-written pages kept")
    renderer = Renderer(config, shell, config.template_dirs, {"tool_rows": tool_rows})
    file_of = {summary.slug: name for name, summary in catalogue.summaries.items()}
    servers = {file_of[slug]: (slug, catalogue.part_keys[file_of[slug]], catalogue.summaries[file_of[slug]].counts.tools)
               for slug in plan.render}
    progress = Progress(sum(tools for _, _, tools in servers.values()), min(stages.verbosity, 1))
    for result in pool.render(shell, writer.root, servers, plan.related):
        for path, size in result.files.items():
            writer.record(path, size)
        plan.rendered(result.slug, result.files)
        pages += result.pages
        progress.advance(result.tools, result.slug)
    progress.close()
    pool.close()  # the workers' loaded servers are not needed any more: free them before the site-wide files
    stages.mark("tool and server pages, policies")
    streams = Background(lambda: _write_streams(writer.root, catalogue, index, config), fork=pool.jobs > 1)
    try:
        pages += write_site_pages(writer, renderer, index, listings, plan, config)
        for path, size in streams.result().items():
            writer.record(path, size)
    finally:
        streams.close()
    stages.mark("site-wide pages and files")
    for linker in linkers:
        linker.result()
    if linkers:
        stages.mark("unchanged files linked from the live site")
    return pages


def _write_streams(root: Path, catalogue: Catalogue, index: SiteIndex, config: SiteConfig) -> dict[str, int]:
    """catalogue.json, llms-full.txt and the search index (in a process of their own); their sizes."""
    writer = OutputWriter(root)
    with disk_errors(config.cache_dir, config.cache_dir):  # in a process of its own: refused writes as one line
        write_part_streams(writer, index, _parts_in_order(catalogue, index, config), config)
    return writer.sizes


def _parts_in_order(catalogue: Catalogue, index: SiteIndex, config: SiteConfig) -> Iterator[ServerPart]:
    """Every server's part, in the index's order, one at a time.

    A part the cache lacks (pruned, damaged, or a server whose pages were
    kept) is made again from its server file, which is loaded if need be."""
    store = PartStore(config.cache_dir)
    file_of = {summary.slug: name for name, summary in catalogue.summaries.items()}
    missing = [file_of[server.slug] for server in index.servers if not store.has(catalogue.part_keys[file_of[server.slug]])]
    catalogue.load([name for name in missing if name not in catalogue.entries], 1)
    for name in missing:
        store.write(catalogue.part_keys[name], server_part(catalogue.entries[name], config))
    for server in index.servers:
        name = file_of[server.slug]
        part = store.read(catalogue.part_keys[name])
        if part is None:  # damaged since it was checked: make it again
            catalogue.load([name] if name not in catalogue.entries else [], 1)
            part = server_part(catalogue.entries[name], config)
            store.write(catalogue.part_keys[name], part)
        yield part


def build_site(request: BuildRequest) -> int:
    result = run_build(request)
    if result.skipped:
        if request.verbosity >= 1:
            print(f"{result.out} is up to date ({result.seconds:.1f} s); --clean rebuilds it anyway")
        return 0
    if request.verbosity >= 1:
        kept = result.servers - result.servers_rendered
        print(f"built {result.out}: {result.pages:,} pages, {result.files:,} files, "
              f"{result.bytes / 1e6:,.1f} MB, {result.warnings} lint findings, {result.seconds:.1f} s"
              + (f" ({kept:,} of {result.servers:,} servers unchanged, kept)" if kept else ""))
        if result.warnings:
            print("  the findings are shown on their tool pages; `build-site check` lists them")
    return 0
