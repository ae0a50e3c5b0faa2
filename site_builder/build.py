"""`build-site`: the whole pipeline, from catalogue to a swapped-in site.

load + validate -> derive -> (mkdocs: hand-written pages and chrome) ->
policies + pages per server, spread over worker processes -> site-wide files,
written streaming -> atomic swap of the finished site.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .cache import inputs_digest, is_up_to_date, remember
from .catalogue import load_catalogue
from .config import SiteConfig, load_config
from .derive import ServerEntry, SiteData, derive
from .errors import Problem, UserError
from .policy.generate import PolicyGenerator
from .policy.recommend import load_policy_defaults
from .render import Renderer
from .pages import server_context, tool_context, tool_rows
from .site_files import write_site_files
from .theme import run_mkdocs, theme_workdir
from .writer import MARKER, OutputWriter, StagedOutput, sweep_stale_staging


@dataclass(frozen=True)
class BuildRequest:
    config_file: Path = Path("mkdocs.yml")
    catalogue: Path | None = None
    out: Path | None = None
    strict: bool = False
    jobs: int = 0
    clean: bool = False
    verbosity: int = 1


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    files: int
    bytes: int
    warnings: int
    seconds: float
    skipped: bool = False  # inputs unchanged since the last build: nothing was written


@dataclass(frozen=True)
class WorkerState:
    """Everything a worker needs; inherited by forked workers, never pickled."""

    data: SiteData
    renderer: Renderer
    generator: PolicyGenerator
    root: Path


_STATE: WorkerState | None = None  # set once per worker process by the pool initializer


def _init_worker(state: WorkerState) -> None:
    global _STATE
    _STATE = state


def render_server(state: WorkerState, server: ServerEntry) -> list[tuple[str, int, bool]]:
    """Write one server's pages and policy files; return (path, bytes, is_page) for each."""
    writer = OutputWriter(state.root)
    pages: set[str] = set()
    for entry in server.tools:
        policy = state.generator.for_tool(entry)
        page = state.renderer.page("tool.html", entry.url, **tool_context(state.data, server, entry, policy))
        writer.write(page.path, page.html)
        pages.add(page.path)
        if policy.intercept is not None:
            writer.write(entry.url + "intercept.yaml", policy.intercept)
        writer.write(entry.url + "policy.json", policy.gateway)
    bundles = state.generator.for_server(server)
    for bundle in bundles:
        writer.write(f"policies/{server.slug}/{bundle.profile}/intercept.yaml", bundle.intercept)
        writer.write(f"policies/{server.slug}/{bundle.profile}/policy.json", bundle.gateway)
    page = state.renderer.page("server.html", server.url, **server_context(server, bundles))
    writer.write(page.path, page.html)
    pages.add(page.path)
    return [(path, size, path in pages) for path, size in sorted(writer.sizes.items())]


def _render_in_worker(index: int) -> list[tuple[str, int, bool]]:
    assert _STATE is not None, "worker not initialised"
    return render_server(_STATE, _STATE.data.servers[index])


def _largest_first(data: SiteData) -> list[int]:
    """Server indices, biggest first, so the pool finishes evenly."""
    return sorted(range(len(data.servers)), key=lambda i: -data.servers[i].counts.tools)


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


def _render_all(state: WorkerState, jobs: int, verbosity: int) -> Iterator[list[tuple[str, int, bool]]]:
    data = state.data
    progress = Progress(data.counts.tools, verbosity)
    order = _largest_first(data)
    if jobs <= 1 or len(order) <= 1:
        for index in order:
            yield render_server(state, data.servers[index])
            progress.advance(data.servers[index].counts.tools, data.servers[index].slug)
    else:
        context = multiprocessing.get_context("fork")
        with context.Pool(jobs, initializer=_init_worker, initargs=(state,)) as pool:
            for index, records in zip(order, pool.imap(_render_in_worker, order, chunksize=1), strict=True):
                yield records
                progress.advance(data.servers[index].counts.tools, data.servers[index].slug)
    progress.close()


def _strict_problems(data: SiteData) -> list[Problem]:
    return [Problem(f.file, f.line, f"tool {f.tool!r}", f"[{f.code}] {f.message}",
                    "fix the entry, or build without --strict") for f in data.findings]


class Stages:
    """Wall time per stage, printed with --verbose."""

    def __init__(self, verbosity: int) -> None:
        self.verbosity, self.verbose, self.last = verbosity, verbosity >= 2, time.monotonic()

    def mark(self, name: str) -> None:
        now = time.monotonic()
        if self.verbose:
            print(f"  {name}: {now - self.last:.2f} s", file=sys.stderr)
        self.last = now


def run_build(request: BuildRequest) -> BuildResult:
    started = time.monotonic()
    stages = Stages(request.verbosity)
    config = load_config(request.config_file)
    out = request.out or config.site_dir
    catalogue_dir = request.catalogue or config.catalogue_dir
    defaults_path = config.root / config.options.policy_defaults if config.options.policy_defaults else None
    digest = inputs_digest([catalogue_dir, config.docs_dir, config.templates_dir, config.config_file]
                           + ([defaults_path] if defaults_path else []), f"strict={request.strict}")
    if not request.clean and is_up_to_date(config.cache_dir, out, digest):
        return BuildResult(out, 0, 0, 0, 0, time.monotonic() - started, skipped=True)
    stages.mark("check inputs")
    jobs = request.jobs or os.cpu_count() or 1
    catalogue = load_catalogue(catalogue_dir, jobs=jobs)
    stages.mark("load catalogue")
    data = derive(catalogue)
    stages.mark("derive")
    if request.strict and data.findings:
        raise UserError(_strict_problems(data))
    generator = PolicyGenerator(load_policy_defaults(defaults_path))
    sweep_stale_staging(out)
    staged = StagedOutput(out)
    try:
        writer = OutputWriter(staged.staging)
        writer.record(MARKER, (staged.staging / MARKER).stat().st_size)
        pages = _build_into(writer, staged.staging, config, data, generator, stages, request.jobs)
        staged.commit()
        remember(config.cache_dir, out, digest)
        stages.mark("swap in")
    except BaseException:
        staged.abandon()
        raise
    return BuildResult(out, pages, len(writer.sizes), writer.bytes, len(data.findings),
                       time.monotonic() - started)


def _build_into(writer: OutputWriter, root: Path, config: SiteConfig, data: SiteData,
                generator: PolicyGenerator, stages: Stages, jobs_requested: int) -> int:
    """Write the whole site into `root`; return the number of HTML pages."""
    pages = 0
    with theme_workdir(config.cache_dir) as work:
        theme = run_mkdocs(config, Path(work))
        for relative, source in theme.files():
            writer.copy(relative, source)
            pages += relative.endswith(".html")
        shell = theme.shell
    stages.mark("mkdocs: hand-written pages and theme")
    for asset in sorted((config.templates_dir / "assets").glob("*")):
        if asset.is_file():
            writer.copy(f"assets/build-site/{asset.name}", asset)
    renderer = Renderer(config, shell, config.templates_dir, {"tool_rows": tool_rows})
    state = WorkerState(data, renderer, generator, root)
    jobs = jobs_requested or os.cpu_count() or 1
    gc.freeze()  # the catalogue lives until the end: keep the collector (and copy-on-write) off it
    for records in _render_all(state, jobs, min(stages.verbosity, 1)):
        for path, size, is_page in records:
            writer.record(path, size)
            pages += is_page
    stages.mark("tool and server pages, policies")
    pages += write_site_files(writer, renderer, data, config)
    stages.mark("site-wide pages and files")
    return pages


def build_site(request: BuildRequest) -> int:
    result = run_build(request)
    if result.skipped:
        if request.verbosity >= 1:
            print(f"{result.out} is up to date ({result.seconds:.1f} s); --clean rebuilds it anyway")
        return 0
    if request.verbosity >= 1:
        print(f"built {result.out}: {result.pages:,} pages, {result.files:,} files, "
              f"{result.bytes / 1e6:,.1f} MB, {result.warnings} lint findings, {result.seconds:.1f} s")
        if result.warnings:
            print("  the findings are shown on their tool pages; `build-site check` lists them")
    return 0

