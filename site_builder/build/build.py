"""`build-site`: the whole pipeline, from catalogue to a swapped-in site.

load + validate + derive (in workers, each owning a share of the server
files) -> site index and plan (parent) -> mkdocs: hand-written pages and
chrome -> policies + pages per server (in the workers that loaded them) ->
site-wide files, written streaming -> atomic swap of the finished site.

The steps are load.py, plan.py, reuse.py and write.py; the workers are in
workers.py and server_worker.py.
"""

from __future__ import annotations

import gc
import hashlib
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..content.attacks import AttackPattern, load_attacks
from ..content.catalogue import missing_folder_problem
from ..content.config import SiteConfig, load_config
from ..errors import Problem, UserError
from ..output.lock import OutputLock, disk_errors
from ..output.swap import StagedOutput, is_build_output, marker_identity, sweep_stale_staging
from ..output.writer import OutputWriter
from ..policy.recommend import load_policy_defaults
from ..views.index import SiteIndex
from ..views.own_paths import clashing_pages
from .cache import (catalogue_digests, inputs_digest, is_up_to_date, library_versions, load_shell, remember,
                    save_index_cache)
from .load import Catalogue, load_for_build
from .manifest import save_output_manifest
from .rows import NO_ROWS, SavedRows, StreamInputs, load_rows, save_rows, server_rows
from .part_store import PartStore
from .index_work import IndexWork
from .plan import plan_output, server_digests, site_units_maker, wanted_groups, with_site_pages
from .progress import Stages
from .reuse import fill_twin, kept_manifest, live_groups, reusable, wants_twin
from .server_worker import GuardedWorker
from .stream_state import commit_state
from .streams import SiteStreams
from .summary_shard import CachedServer
from .units import PartInputs, unit_digest
from .workers import WorkerPool
from .write import Sources, build_into


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
    ends_process: bool = False  # the process ends right after (the command): see _LEFT_FOR_EXIT


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


def _strict_problems(index: SiteIndex) -> list[Problem]:
    return [Problem(f.file, f.line, f"tool {f.tool!r}", f"[{f.code}] {f.message}",
                    "fix the entry, or build without --strict") for f in index.findings]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for one build (and in the workers it forks).

    A build makes millions of objects that live to its end (the cached index
    of every server, the plan), and the collector scans the whole heap again
    each time it has grown by a quarter: reading the cached index of 100k
    tools took 0.59 s of JSON decoding with it and 0.17 s without, and a
    one-tool edit at 100k went from 6.6 s to 4.6 s.  What it would collect
    is small: about five cyclic objects per tool rendered (a clean build of
    10k tools leaves 49k), freed when the workers exit, and the peak memory
    of a clean 100k build was lower without it (843 MB against 873 MB).
    A long-lived process (`serve`) gets it back after each build."""
    enabled, frozen = gc.isenabled(), gc.get_freeze_count()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() > frozen:  # the index frozen by _build is garbage now: let the collector see it
            gc.unfreeze()
        if enabled:
            gc.enable()


def run_build(request: BuildRequest) -> BuildResult:
    """Build under the output's lock (see lock.py); a write the disk refuses ends in one line (DiskError)."""
    config = load_config(request.config_file)
    out = request.out or config.site_dir
    notify = (lambda text: print(f"build-site: {text}", file=sys.stderr)) if request.verbosity >= 1 else None
    with collector_paused(), OutputLock(out, request.lock_wait, notify), disk_errors(out, config.cache_dir):
        sweep_stale_staging(out)  # leftovers of killed builds: no other build of `out` is running now
        return _run_locked(request, config, out)


def _run_locked(request: BuildRequest, config: SiteConfig, out: Path) -> BuildResult:
    started = time.monotonic()
    stages = Stages(request.verbosity)
    catalogue_dir = request.catalogue or config.catalogue_dir
    load_attacks.cache_clear()  # read them again: a long-lived process (serve) sees their edits
    patterns = load_attacks(config.attacks_dir)  # every attack pattern checked before anything is built
    context = inputs_digest(config.inputs, f"strict={request.strict} catalogue={catalogue_dir.resolve()} "
                            f"{library_versions()} {config.settings}")  # not as shown: the
    # cache is the same from any working folder (the summaries' files are shown as from this one: load.py)
    file_hashes = catalogue_digests(catalogue_dir, config.cache_dir)
    digest = hashlib.sha256(f"{unit_digest(context, patterns)} {sorted(file_hashes.items())}".encode()).hexdigest()
    if not request.clean and is_up_to_date(config.cache_dir, out, digest):
        return BuildResult(out, 0, 0, 0, 0, time.monotonic() - started, skipped=True)
    stages.mark("check inputs")
    jobs = request.jobs or os.cpu_count() or 1
    if not catalogue_dir.is_dir():
        raise missing_folder_problem(catalogue_dir)
    clashes = clashing_pages(config.docs_dir)
    if clashes:
        raise UserError(clashes)
    defaults = load_policy_defaults(config.policy_defaults_file)
    inputs = BuildInputs(request, config, out, context, unit_digest(context, patterns), patterns, catalogue_dir,
                         file_hashes)
    streams = SiteStreams(out, config, patterns, patch=not request.clean)
    with WorkerPool(jobs, lambda: GuardedWorker(config, catalogue_dir, defaults)) as pool:
        try:
            saved = NO_ROWS if request.clean else load_rows(config.cache_dir, inputs.patterns_context)
            catalogue, cached, parts = load_for_build(inputs.catalogue_dir, inputs.file_hashes, context, patterns,
                                                      None if request.clean else config.cache_dir, saved, streams, pool)
            if request.ends_process:
                _LEFT_FOR_EXIT.append((catalogue, cached, parts))
            return _build(inputs, digest, saved, catalogue, cached, parts, streams, pool, stages, started)
        except BaseException:
            streams.cancel()
            raise


# The catalogue's summaries of a build whose process ends right after it (BuildRequest.ends_process): freeing
# them one by one took 0.075 s of a 2 s edit at 100k tools (millions of objects), ending the process none.
_LEFT_FOR_EXIT: list[object] = []


@dataclass(frozen=True)
class BuildInputs:
    """What a build is made from, once its inputs are checked."""

    request: BuildRequest
    config: SiteConfig
    out: Path
    context: str  # the build context (cache.inputs_digest)
    patterns_context: str  # the context and the attack patterns: what the parts' keys are made of
    patterns: tuple[AttackPattern, ...]
    catalogue_dir: Path
    file_hashes: dict[str, str]  # catalogue file name -> content hash


def _build(inputs: BuildInputs, digest: str, saved: SavedRows, catalogue: Catalogue,
           cached: dict[str, CachedServer], parts: PartInputs, streams: SiteStreams, pool: WorkerPool, stages: Stages,
           started: float) -> BuildResult:
    request, config, out, context = inputs.request, inputs.config, inputs.out, inputs.context
    index = SiteIndex.of(catalogue.summaries.values())
    gc.freeze()  # the index lives until the end: keep the collector (and copy-on-write) off it
    stages.mark(f"load catalogue ({len(catalogue.changed)} of {len(catalogue.file_hashes)} files)")
    if request.strict and index.findings:
        raise UserError(_strict_problems(index))
    rows = server_rows(catalogue, parts)
    stream = StreamInputs.of(rows, index.counts)
    streams.check_early(stream)  # started from the saved rows: from what the summaries say, or again
    streams.start_early(pool, catalogue, stream, parts)  # an edit the rows did not start it for
    staged = StagedOutput(out, keep_previous=True, reuse=not request.clean)
    work: IndexWork | None = None
    try:
        shell = None if request.clean else load_shell(config.cache_dir, context)
        known = saved.unit_digests(rows, catalogue.index_digest)  # None: every unit digest is made again
        work = None if catalogue.index_digest == saved.index else IndexWork(  # the index's pages, and those
            context, catalogue, index, parts, config, inputs.patterns, shell, known is None, fork=pool.jobs > 1)
        make_units = site_units_maker(context, index, inputs.patterns, eager=work is not None)  # meanwhile, if so
        kept = kept_manifest(staged, config.cache_dir, out)  # and this
        digests = work.digests() if known is None and work else server_digests(
            context, catalogue, index, parts, known or {})
        wanted = wanted_groups(context, catalogue, index, parts, inputs.patterns, digests)
        previous, clone_from = reusable(staged, config.cache_dir, out, wanted, kept)
        ahead = live_groups(config.cache_dir, out, kept, previous, clone_from)  # the live site's, a build ahead
        wanted, site_pages, sitemap = with_site_pages(wanted, previous, make_units, ahead)
        writer = OutputWriter(staged.staging)
        plan = plan_output(previous, wanted, theme_cached=shell is not None, live=ahead)
        stages.mark(f"plan: {len(plan.render)} of {len(index.servers)} servers to render")
        sources = Sources(config, context, catalogue, index, parts, inputs.patterns, site_pages, sitemap, stream,
                          work.page_maker if work else None, shell)
        pages = build_into(writer, plan, clone_from, sources, streams, pool, stages, live=out if plan.linked else None)
        groups = plan.groups(writer.sizes, writer.written)
        live = marker_identity(out) if is_build_output(out) else None  # kept beside the output after the swap
        identities: tuple[str, ...] = (staged.seal(),)
        if wants_twin(config.cache_dir, out, wanted, len(plan.render)):  # then the replaced site is removed
            twin = staged.make_twin()
            if fill_twin(writer, groups, twin, pool.jobs):
                identities, live = identities + (staged.seal(twin),), None
                stages.mark("the site linked into the copy the next build updates")
            else:
                staged.drop_twin()
        save_output_manifest(config.cache_dir, out, identities, groups, keep=live,  # the next build updates it,
                             changes=plan.changes(groups) if live is not None else None)  # taking these from this
        staged.commit()
        stages.mark("swap in")
    except BaseException:
        staged.abandon()
        raise
    finally:
        if work is not None:
            work.close()
    commit_state(config.cache_dir, out)  # the stream's state describes the live site now
    dirty = None if not cached else set(catalogue.changed) | (set(cached) - set(catalogue.file_hashes))
    save_index_cache(config.cache_dir, context, {
        name: CachedServer(file_hash, catalogue.summaries[name], catalogue.summary_digests[name])
        for name, file_hash in catalogue.file_hashes.items()}, dirty)
    save_rows(config.cache_dir, inputs.patterns_context, SavedRows(rows, catalogue.index_digest, {
        name: wanted.digests[summary.slug] for name, summary in catalogue.summaries.items()}))
    PartStore(config.cache_dir).prune(parts.keys.values())
    remember(config.cache_dir, out, digest)
    stages.mark("save cache")
    return BuildResult(out, pages, writer.files, writer.bytes, index.finding_count,
                       time.monotonic() - started, servers_rendered=len(plan.render), servers=len(index.servers))


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
