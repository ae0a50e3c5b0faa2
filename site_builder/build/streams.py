"""The site-wide files made from every server's part: catalogue.json, llms-full.txt and the search index
(and the feed's texts of the tools it shows: FeedTexts).

They are written by a process of their own, reading each part (views/parts.py)
from the cache once, in the index's order, into a side folder beside the
staging folder (StagedOutput.make_side); the build moves the files into the
staging folder once it is ready for them (SiteStreams.adopt).

They need only each server's slug, part key and counts (rows.py), not the
plan, nor even the cached summaries: in an edit, where the few servers loaded
are held by this process, they start as soon as the changed files are loaded,
from the last build's rows, and run while the summaries are read, the plan is
made and the pages are rendered.  A build that renders many servers starts
them after the rendering, whose workers would otherwise share the cores and
the memory with them.
"""

from __future__ import annotations

import hashlib
from functools import partial
from pathlib import Path
from typing import Iterable

from ..content.attacks import AttackPattern, attack_links
from ..content.config import SiteConfig
from ..errors import BuildSiteError
from ..output.lock import disk_errors
from ..output.swap import SideFolders
from ..output.writer import OutputWriter
from ..views.index import ServerSummary
from ..views.machine_files import write_part_files
from ..views.parts import ServerPart, feed_texts
from ..views.search_patch import StalePostings
from ..views.site_files import server_part
from .background import Background
from .load import Catalogue
from .part_store import PartStore
from .rows import StreamInputs
from .stream_patch import patch_part_files
from .stream_state import IDENTIFIED, ServerSpan, StreamState, load_state, save_next_state
from .units import Attacks, PartInputs
from .workers import WorkerPool


EARLY_MISSING_PARTS = 16  # more parts to make than this, and the stream waits for the rendering


class SiteStreams:
    """The process that writes the site-wide files made from the parts, once started."""

    def __init__(self, out: Path, config: SiteConfig, patterns: tuple[AttackPattern, ...], patch: bool) -> None:
        """`patch`: the files may be patched from the live site's (not in a clean build)."""
        self.sides, self.config, self.patterns, self.patch = SideFolders(out), config, patterns, patch
        self.side: Path | None = None
        self.stream: Background | None = None
        self.started_from: StreamInputs | None = None
        self.early = False  # started before the plan (start_early)

    def start_early(self, pool: WorkerPool, catalogue: Catalogue, inputs: StreamInputs, parts: PartInputs) -> None:
        """Start now if this is an edit: the servers loaded are held by this process, and the parts to make
        are few and of loaded servers (`parts`: theirs; not an attack pattern's edit, whose parts are made
        by the workers that render them)."""
        if pool.in_parent and self.side is None:
            missing = PartStore(self.config.cache_dir).missing(key for _, _, key in inputs.servers)
            if len(missing) <= EARLY_MISSING_PARTS and missing <= set(parts.keys.values()):
                self._start(pool, catalogue, inputs, _to_make(parts, missing))
                self.early = True

    def check_early(self, inputs: StreamInputs) -> None:
        """Forget a stream started from other inputs than `inputs` (those the summaries give: a rows.json
        edited by hand, say), so that it is started again; a stream not started early is left alone."""
        if self.stream is not None and self.started_from != inputs:
            self.cancel()
            self.side, self.stream, self.early = None, None, False

    def start(self, pool: WorkerPool, catalogue: Catalogue, inputs: StreamInputs, parts: PartInputs) -> None:
        """Have `pool`'s workers make the parts the cache lacks, then start the stream (once)."""
        if self.side is None:
            missing = PartStore(self.config.cache_dir).missing(parts.keys.values())
            self._start(pool, catalogue, inputs, _to_make(parts, missing))

    def _start(self, pool: WorkerPool, catalogue: Catalogue, inputs: StreamInputs,
               missing: dict[str, tuple[str, Attacks]]) -> None:
        pool.make_parts(missing)
        self.started_from = inputs
        self.side = self.sides.make()
        reader = PartReader(catalogue, self.patterns, self.config)
        self.stream = Background(partial(_write_stream, self.side, reader, inputs, self.config, self.sides.out,
                                         self.patch), fork=pool.jobs > 1)

    @property
    def started_early(self) -> bool:
        """Whether the stream was started before the plan (an edit): it is done before the pages are."""
        return self.stream is not None and self.early

    def adopt(self, writer: OutputWriter, replacing: Iterable[str] = ()) -> None:
        """Wait for the stream and move its files into `writer`'s folder (OutputWriter.adopt: `replacing`,
        the files of the build the folder held before, which no other part of this build writes)."""
        assert self.side is not None and self.stream is not None, "started before"
        written, taken = self.stream.result()
        writer.adopt(written, self.side, replacing, taken, self.sides.out)
        self.sides.drop(self.side)

    def cancel(self) -> None:
        """Stop the stream at once and remove its side folder (the build failed); never raises."""
        if self.stream is not None:
            self.stream.cancel()
        self.sides.abandon()


def _to_make(parts: PartInputs, missing: set[str]) -> dict[str, tuple[str, Attacks]]:
    """The parts to make: file name -> (part key, attack links per tool)."""
    return {name: (key, parts.attacks[name]) for name, key in parts.keys.items() if key in missing}


def _write_stream(root: Path, reader: PartReader, inputs: StreamInputs, config: SiteConfig, out: Path,
                  patch: bool) -> tuple[dict[str, int], dict[str, int]]:
    """catalogue.json, llms-full.txt and the search index, under `root`; their sizes, and those of the files
    to take from the live site as they are (OutputWriter.take).  Patched from the
    live site `out`'s if `patch` and the cache has its state (stream_state.py); the state of what was
    written is kept for the build to commit once the site is live."""
    writer = OutputWriter(root)
    with disk_errors(config.cache_dir, config.cache_dir):  # in a process of its own: refused writes as one line
        state = load_state(config.cache_dir, out) if patch else None
        save_next_state(config.cache_dir, out, None)
        try:
            written = None if state is None else patch_part_files(writer, out, state, inputs, config)
        except StalePostings:  # raised before anything is written
            written = None
        if written is None:
            parts = (reader.part(name, key) for name, _, key in inputs.servers)  # one at a time, in order
            spans, postings = write_part_files(writer, inputs.counts, len(inputs.servers), parts, config)
            written = StreamState(tuple(ServerSpan(slug, key, tools, (record, record_end), (section, section_end))
                                        for (_, slug, key), (tools, record, record_end, section, section_end)
                                        in zip(inputs.servers, spans, strict=True)),
                                  {name: writer.identity(name) for name in IDENTIFIED}, postings)
        save_next_state(config.cache_dir, out, written)
    return writer.sizes, writer.taken


class PartReader:
    """Each server's part from the cache; made again from its file if it was damaged since the stream
    started, or if asked (`remake`: a part of another shape than this code writes)."""

    def __init__(self, catalogue: Catalogue, patterns: tuple[AttackPattern, ...], config: SiteConfig) -> None:
        self.catalogue, self.patterns, self.config = catalogue, patterns, config
        self.store = PartStore(config.cache_dir)

    def part(self, name: str, key: str, remake: bool = False) -> ServerPart:
        """The part of the server of file `name`, kept as `key`."""
        part = None if remake else self.store.read(key)
        if part is None:
            self.catalogue.load([name] if name not in self.catalogue.entries else [], 1)
            entry, path = self.catalogue.entries[name], self.catalogue.folder / name
            if hashlib.sha256(path.read_bytes()).hexdigest() != self.catalogue.file_hashes[name]:
                raise BuildSiteError(f"{path} changed during the build: build again")
            attacks = tuple(attack_links(self.patterns, tool.exposure) for tool in entry.tools)
            part = server_part(entry, self.config, attacks)
            self.store.write(key, part)
        return part


class FeedTexts:
    """The feed's text of a tool (SiteIndex.newest's `describe`), from its server's part: the parts of the
    few servers the feed shows are read (they exist once the stream has started), each parsed once."""

    def __init__(self, catalogue: Catalogue, parts: PartInputs, patterns: tuple[AttackPattern, ...],
                 config: SiteConfig) -> None:
        self.catalogue, self.parts = catalogue, parts
        self.reader = PartReader(catalogue, patterns, config)
        self.texts: dict[str, tuple[str, ...]] = {}  # by server slug: each tool's text

    def __call__(self, server: ServerSummary, number: int) -> str:
        if server.slug not in self.texts:
            self.texts[server.slug] = self._texts(server)
        return self.texts[server.slug][number]

    def _texts(self, server: ServerSummary) -> tuple[str, ...]:
        name = self.catalogue.files_by_slug[server.slug]
        for remake in (False, True):  # a part of another shape than ours is made again, once
            texts = feed_texts(self.reader.part(name, self.parts.keys[name], remake))
            if texts is not None and len(texts) == len(server.links):
                return texts
        raise BuildSiteError(f"{server.file} changed during the build: build again")
