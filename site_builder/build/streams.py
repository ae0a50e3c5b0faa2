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
    store = PartStore(config.cache_dir)
    file_of = {summary.slug: name for name, summary in catalogue.summaries.items()}
    for server in index.servers:
        yield _part(store, catalogue, parts, config, file_of[server.slug])


def _part(store: PartStore, catalogue: Catalogue, parts: PartInputs, config: SiteConfig, name: str,
          remake: bool = False) -> ServerPart:
    """The part of the server in catalogue file `name`: read from the cache; made again from the file if it
    was damaged since SiteStreams.start saw it (or if `remake`)."""
    part = None if remake else store.read(parts.keys[name])
    if part is None:
        catalogue.load([name] if name not in catalogue.entries else [], 1)
        server = catalogue.entries[name]
        if len(server.tools) != len(parts.attacks[name]):
            raise BuildSiteError(f"{catalogue.folder / name} changed during the build: build again")
        part = server_part(server, config, parts.attacks[name])
        store.write(parts.keys[name], part)
    return part


class FeedTexts:
    """The feed's text of a tool (SiteIndex.newest's `describe`), from its server's part: the parts of the
    few servers the feed shows are read (they exist once the stream has started), each parsed once."""

    def __init__(self, catalogue: Catalogue, parts: PartInputs, config: SiteConfig) -> None:
        self.catalogue, self.parts, self.config = catalogue, parts, config
        self.store = PartStore(config.cache_dir)
        self.file_of = {summary.slug: name for name, summary in catalogue.summaries.items()}
        self.texts: dict[str, tuple[str, ...]] = {}  # by catalogue file name: each tool's text

    def __call__(self, server: ServerSummary, number: int) -> str:
        name = self.file_of[server.slug]
        if name not in self.texts:
            texts = feed_texts(_part(self.store, self.catalogue, self.parts, self.config, name))
            if texts is None or len(texts) != len(server.links):  # a part of another shape than ours
                texts = feed_texts(_part(self.store, self.catalogue, self.parts, self.config, name, remake=True))
            if texts is None or len(texts) != len(server.links):
                raise BuildSiteError(f"{self.catalogue.folder / name} changed during the build: build again")
            self.texts[name] = texts
        return self.texts[name][number]
