"""The site-wide files made from every server's part: catalogue.json, llms-full.txt and the search index
(and the feed's texts of the tools it shows: FeedTexts).

They are written by a process of their own, reading each part (views/parts.py)
from the cache once, in the index's order, into a side folder beside the
staging folder (StagedOutput.make_side); the build moves the files into the
staging folder once it is ready for them (SiteStreams.adopt).

They need only the loaded catalogue and the parts' keys, not the plan: in an
edit, where the few servers loaded are held by this process, they start as
soon as the catalogue is loaded and run while the plan is made and the pages
are rendered.  A build that renders many servers starts them after the
rendering, whose workers would otherwise share the cores and the memory with
them.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Iterator

from ..content.config import SiteConfig
from ..errors import BuildSiteError
from ..output.lock import disk_errors
from ..output.swap import StagedOutput
from ..output.writer import OutputWriter
from ..views.index import ServerSummary, SiteIndex
from ..views.machine_files import write_part_files
from ..views.parts import ServerPart, feed_texts
from ..views.site_files import server_part
from .background import Background
from .load import Catalogue
from .part_store import PartStore
from .units import Attacks, PartInputs
from .workers import WorkerPool


EARLY_MISSING_PARTS = 16  # more parts to make than this, and the stream waits for the rendering


class SiteStreams:
    """The process that writes the site-wide files made from the parts, once started."""

    def __init__(self, staged: StagedOutput, catalogue: Catalogue, index: SiteIndex, parts: PartInputs,
                 config: SiteConfig) -> None:
        self.staged, self.catalogue, self.index, self.parts, self.config = staged, catalogue, index, parts, config
        self.side: Path | None = None
        self.stream: Background | None = None

    def _missing(self) -> dict[str, tuple[str, Attacks]]:
        """The parts the cache lacks: file name -> (part key, attack links per tool)."""
        missing = PartStore(self.config.cache_dir).missing(self.parts.keys.values())
        return {name: (key, self.parts.attacks[name]) for name, key in self.parts.keys.items() if key in missing}

    def start_early(self, pool: WorkerPool) -> None:
        """Start now if this is an edit: the servers loaded are held by this process, and the parts to make
        are few (not an attack pattern's edit, whose parts are made by the workers that render them)."""
        if pool.in_parent:
            missing = self._missing()
            if len(missing) <= EARLY_MISSING_PARTS:
                self._start(pool, missing)

    def start(self, pool: WorkerPool) -> None:
        """Have `pool`'s workers make the parts the cache lacks, then start the stream (once)."""
        if self.side is None:
            self._start(pool, self._missing())

    def _start(self, pool: WorkerPool, missing: dict[str, tuple[str, Attacks]]) -> None:
        pool.make_parts(missing)
        self.side = self.staged.make_side()
        self.stream = Background(partial(_write_stream, self.side, self.catalogue, self.index, self.parts,
                                         self.config), fork=pool.jobs > 1)

    def adopt(self, writer: OutputWriter) -> None:
        """Wait for the stream and move its files into `writer`'s folder."""
        assert self.side is not None and self.stream is not None, "started before"
        writer.adopt(self.stream.result(), self.side)
        self.staged.drop_side(self.side)

    def cancel(self) -> None:
        """Stop the stream at once (the build failed); its side folder is the staged output's to remove."""
        if self.stream is not None:
            self.stream.cancel()


def _write_stream(root: Path, catalogue: Catalogue, index: SiteIndex, parts: PartInputs, config: SiteConfig
                  ) -> dict[str, int]:
    """catalogue.json, llms-full.txt and the search index, under `root`; their sizes."""
    writer = OutputWriter(root)
    with disk_errors(config.cache_dir, config.cache_dir):  # in a process of its own: refused writes as one line
        write_part_files(writer, index, _parts_in_order(catalogue, index, parts, config), config)
    return writer.sizes


def _parts_in_order(catalogue: Catalogue, index: SiteIndex, parts: PartInputs, config: SiteConfig
                    ) -> Iterator[ServerPart]:
    """Every server's part, in the index's order, one at a time."""
    return map(PartReader(catalogue, parts, config).part, index.servers)


class PartReader:
    """Each server's part from the cache; made again from its file if it was damaged since SiteStreams.start
    saw it, or if asked (`remake`: a part of another shape than this code writes)."""

    def __init__(self, catalogue: Catalogue, parts: PartInputs, config: SiteConfig) -> None:
        self.catalogue, self.parts, self.config = catalogue, parts, config
        self.store = PartStore(config.cache_dir)

    def part(self, server: ServerSummary, remake: bool = False) -> ServerPart:
        name = self.catalogue.files_by_slug[server.slug]
        part = None if remake else self.store.read(self.parts.keys[name])
        if part is None:
            self.catalogue.load([name] if name not in self.catalogue.entries else [], 1)
            entry = self.catalogue.entries[name]
            if len(entry.tools) != len(self.parts.attacks[name]):
                raise BuildSiteError(f"{self.catalogue.folder / name} changed during the build: build again")
            part = server_part(entry, self.config, self.parts.attacks[name])
            self.store.write(self.parts.keys[name], part)
        return part


class FeedTexts:
    """The feed's text of a tool (SiteIndex.newest's `describe`), from its server's part: the parts of the
    few servers the feed shows are read (they exist once the stream has started), each parsed once."""

    def __init__(self, catalogue: Catalogue, parts: PartInputs, config: SiteConfig) -> None:
        self.reader = PartReader(catalogue, parts, config)
        self.texts: dict[str, tuple[str, ...]] = {}  # by server slug: each tool's text

    def __call__(self, server: ServerSummary, number: int) -> str:
        if server.slug not in self.texts:
            self.texts[server.slug] = self._texts(server)
        return self.texts[server.slug][number]

    def _texts(self, server: ServerSummary) -> tuple[str, ...]:
        for remake in (False, True):  # a part of another shape than ours is made again, once
            texts = feed_texts(self.reader.part(server, remake))
            if texts is not None and len(texts) == len(server.links):
                return texts
        raise BuildSiteError(f"{server.file} changed during the build: build again")
