"""A build's load step: every server's summary, from the cache or loaded by the workers.

The parent holds the catalogue only as summaries (views/index.py); the full
entries are held by the workers that loaded them, and by the parent only for
the few servers it must load itself.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from ..content.attacks import AttackPattern
from ..content.catalogue import cross_file_problems, load_server_files, shown_file
from ..derive import ServerEntry, derive_server
from ..errors import CatalogueError, display_path
from ..views.index import ServerSummary, summarize
from ..views.summary_json import summary_digest
from .cache import load_index_cache
from .summary_shard import CachedServer
from .rows import SavedRows, StreamInputs, server_rows
from .units import PartInputs, part_inputs
from .workers import WorkerPool

if TYPE_CHECKING:  # streams.py reads the catalogue this module makes
    from .streams import SiteStreams


@dataclass
class Catalogue:
    """The catalogue as a build sees it: every server's summary, the full entries of those loaded."""

    folder: Path
    file_hashes: dict[str, str]  # catalogue file name -> content hash
    changed: list[str]  # the file names not in the cache as they are: loaded by this build
    summaries: dict[str, ServerSummary]  # by file name
    summary_digests: dict[str, str]  # by file name (summary_json.summary_digest)
    entries: dict[str, ServerEntry]  # by file name: the servers loaded in this build

    @cached_property
    def files_by_slug(self) -> dict[str, str]:
        """The catalogue file name of each server, by slug."""
        return {summary.slug: name for name, summary in self.summaries.items()}

    @cached_property
    def index_digest(self) -> str:
        """A digest of the site index (views/index.py) made of these summaries, from their digests: what the
        pages made from the index alone are made of."""
        rows = sorted(f"{summary.slug} {self.summary_digests[name]}" for name, summary in self.summaries.items())
        return hashlib.sha256("\n".join(rows).encode("utf-8", "surrogatepass")).hexdigest()

    def load(self, names: list[str], jobs: int) -> None:
        """Load, validate and derive the named files here, in the parent (raising every problem of them at once).

        Only for a server whose cached part was damaged during the build, or is of another shape than this
        code writes (streams.py); a build loads in its workers."""
        loaded, problems = load_server_files([self.folder / name for name in names], jobs=jobs)
        if problems:
            raise CatalogueError(problems)
        for name, server in zip(names, loaded, strict=True):
            entry = derive_server(server)
            self.entries[name] = entry
            self.summaries[name] = summarize(entry)
            self.summary_digests[name] = summary_digest(self.summaries[name])


def load_changed(folder: Path, file_hashes: dict[str, str], known: Mapping[str, str], pool: WorkerPool) -> Catalogue:
    """The catalogue with the summaries of the files `known` (file name -> content hash, as the cache knows
    them) does not know as they are: loaded (validated, derived) by the workers."""
    catalogue = Catalogue(folder, file_hashes, [], {}, {}, {})
    _load(catalogue, [name for name, file_hash in file_hashes.items() if known.get(name) != file_hash], pool)
    return catalogue


def load_summaries(catalogue: Catalogue, cached: Mapping[str, CachedServer], pool: WorkerPool) -> None:
    """Every other server's summary: from the cache, or loaded; then the checks across files."""
    missing = [name for name in catalogue.file_hashes if name not in catalogue.summaries
               and (name not in cached or cached[name].file_hash != catalogue.file_hashes[name])]
    _load(catalogue, missing, pool)
    shown_folder = display_path(catalogue.folder)  # the cache is the same from any working folder: its
    for name in catalogue.file_hashes:  # summaries name their files as shown from the one they were made in
        if name not in catalogue.summaries:
            summary, file = cached[name].summary, shown_file(shown_folder, name)
            catalogue.summaries[name] = summary if summary.file == file else summary.shown_as(file)
            catalogue.summary_digests[name] = cached[name].summary_digest
    catalogue.summaries = {name: catalogue.summaries[name] for name in catalogue.file_hashes}  # in file order
    problems = cross_file_problems((s.id, s.slug, s.file, s.line) for s in catalogue.summaries.values())
    if problems:
        raise CatalogueError(problems)


def _load(catalogue: Catalogue, names: list[str], pool: WorkerPool) -> None:
    if not names:
        return
    results = pool.load({name: os.path.getsize(catalogue.folder / name) for name in names})
    problems = [problem for name in names for problem in results[name].problems]
    if problems:
        raise CatalogueError(problems)
    for name in names:
        summary, digest = results[name].summary, results[name].summary_digest
        assert summary is not None and digest is not None, "a file without problems has a summary"
        catalogue.summaries[name] = summary
        catalogue.summary_digests[name] = digest
    catalogue.changed.extend(names)


def load_for_build(folder: Path, file_hashes: dict[str, str], context: str, patterns: tuple[AttackPattern, ...],
                   cache_dir: Path | None, saved: SavedRows, streams: SiteStreams, pool: WorkerPool
                   ) -> tuple[Catalogue, dict[str, CachedServer], PartInputs]:
    """The catalogue, the cached summaries it was completed from (`cache_dir`: None in a clean build), and
    the parts' inputs.

    In an edit, the files the last build's rows (rows.py) do not know as they
    are are loaded first, and the site-wide files made from the parts are
    started from those rows, before the cached summaries are read.  Without
    rows (an attack pattern's edit, whose part keys they are made of), the
    cached summaries decide which files are loaded, as they are valid still."""
    rows = saved.rows
    if not rows or cache_dir is None:
        cached = {} if cache_dir is None else load_index_cache(cache_dir, context)
        catalogue = load_changed(folder, file_hashes, {name: server.file_hash for name, server in cached.items()}, pool)
        load_summaries(catalogue, cached, pool)
        return catalogue, cached, part_inputs(context, catalogue, patterns)
    catalogue = load_changed(folder, file_hashes, {name: row.file_hash for name, row in rows.items()}, pool)
    changed = part_inputs(context, catalogue, patterns)  # of the changed servers
    known = {name: rows[name] for name in file_hashes if name in rows and name not in catalogue.summaries}
    streams.start_early(pool, catalogue, StreamInputs.of({**known, **server_rows(catalogue, changed)}), changed)
    cached = load_index_cache(cache_dir, context)
    load_summaries(catalogue, cached, pool)
    return catalogue, cached, part_inputs(context, catalogue, patterns)
