"""catalogue.json, llms-full.txt and the search index of an edit, patched from the live site's (see
stream_state.py for when, and search_patch.py and search_moved.py for the index).

The servers of the live files and of this build are both in the order of
their slugs, so one walk over the two aligns them: a server of the same slug
and part key is copied from the live files as it is (a run of them at once),
any other is written from its new part (changed or added), and a server
whose slug is gone is left out.

Everything that can show the state is not the live site's is checked before
anything is written (StalePostings: then the files are made whole); the
writer checks again each file it links."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..content.config import SiteConfig
from ..output.writer import OutputWriter
from ..views.machine_files import catalogue_json_head, llms_full_head
from ..views.parts import ServerPart
from ..views.search_moved import ServerDocs, patch_moved_index
from ..views.search_patch import DocChange, PatchedIndex, StalePostings, patch_index
from .part_store import PartStore
from .rows import StreamInputs
from .stream_state import IDENTIFIED, PATCH_MAX_SERVERS, ServerSpan, StreamState

Piece = bytes | tuple[str, int, int]


def patch_part_files(writer: OutputWriter, live: Path, state: StreamState, inputs: StreamInputs,
                     config: SiteConfig) -> StreamState:
    """Write the three files of `inputs` from the live site's (described by `state`) and the parts of the
    servers whose part key changed (from the cache, where the build put them before); return the
    state of what was written.  StalePostings, before anything is written, if they cannot be patched."""
    aligned = align(state, inputs)
    store = PartStore(config.cache_dir)
    new_parts = {number: _read(store, inputs.servers[number][2]) for number in aligned.changed}
    old_parts = {number: _read(store, state.servers[number].part_key) for number in aligned.replaced}
    if any(len(old_parts[number].docs) != state.servers[number].tools for number in old_parts):
        raise StalePostings("a changed server's old part is not the live site's")
    index = _patched_index(state, aligned, old_parts, new_parts, live)
    catalogue_head = catalogue_json_head(inputs.counts, len(inputs.servers), config).encode("utf-8")
    records = _pieces(str(live / "catalogue.json"), catalogue_head, b",\n", b"\n]}\n",
                      [s.record for s in state.servers], aligned.kept,
                      {n: p.catalogue_json for n, p in new_parts.items()})
    sections = _pieces(str(live / "llms-full.txt"), llms_full_head(config).encode("utf-8"), b"", b"",
                       [s.section for s in state.servers], aligned.kept, {n: p.llms_full for n, p in new_parts.items()})
    writer.assemble("catalogue.json", records[0])
    writer.assemble("llms-full.txt", sections[0])
    postings = index.write(writer, live)
    tools = [len(new_parts[number].docs) if old is None else state.servers[old].tools
             for number, old in enumerate(aligned.kept)]
    servers = tuple(ServerSpan(slug, key, tools[number], records[1][number], sections[1][number])
                    for number, (_, slug, key) in enumerate(inputs.servers))
    return StreamState(servers, {name: writer.identity(name) for name in IDENTIFIED}, postings)


def _read(store: PartStore, key: str) -> ServerPart:
    part = store.read(key)
    if part is None:
        raise StalePostings("a changed server's part is missing from the cache")
    return part


@dataclass
class Aligned:
    """The live files' servers (old numbers) and this build's (new numbers), walked together."""

    kept: list[int | None] = field(default_factory=list)  # per new server: the old one it is as it was, or None
    changed: list[int] = field(default_factory=list)  # new servers written from their new part (changed, added)
    replaced: list[int] = field(default_factory=list)  # old servers not kept (changed, removed)
    events: list[tuple[int, int | None, int | None]] = field(default_factory=list)  # (first old document, old
    # server or None if added, new server or None if removed), in the order of the index

    def moves(self, old_parts: dict[int, ServerPart], new_parts: dict[int, ServerPart]) -> bool:
        """Whether any document moves: a server added or removed, or one whose count of tools changed."""
        return any(old is None or new is None or len(old_parts[old].docs) != len(new_parts[new].docs)
                   for _, old, new in self.events)


def align(state: StreamState, inputs: StreamInputs) -> Aligned:
    """The live files' servers and this build's, aligned by slug (StalePostings: too many changed, or the
    state's servers are not in the order of their slugs)."""
    old, new = [server.slug for server in state.servers], [slug for _, slug, _ in inputs.servers]
    if not old or not new or any(a >= b for a, b in zip(old, old[1:])) or any(a >= b for a, b in zip(new, new[1:])):
        raise StalePostings("the servers are not in the order of their slugs, or there are none")
    aligned, starts = Aligned(), _doc_starts(state.servers)
    at = 0  # the next old server
    for number, (_, slug, key) in enumerate(inputs.servers):
        while at < len(old) and old[at] < slug:  # gone
            aligned.replaced.append(at)
            aligned.events.append((starts[at], at, None))
            at += 1
        same = at < len(old) and old[at] == slug
        if same and state.servers[at].part_key == key:
            aligned.kept.append(at)
        else:
            aligned.kept.append(None)
            aligned.changed.append(number)
            if same:
                aligned.replaced.append(at)
            aligned.events.append((starts[at] if at < len(old) else starts[-1] + state.servers[-1].tools,
                                   at if same else None, number))
        at += same
    for gone in range(at, len(old)):
        aligned.replaced.append(gone)
        aligned.events.append((starts[gone], gone, None))
    if len(aligned.events) > PATCH_MAX_SERVERS:
        raise StalePostings("too many servers changed")
    return aligned


def _patched_index(state: StreamState, aligned: Aligned, old_parts: dict[int, ServerPart],
                   new_parts: dict[int, ServerPart], live: Path) -> PatchedIndex:
    """The search index with the changed servers' documents replaced: each in its place if none moves
    (search_patch.py), else with the later ones moved (search_moved.py)."""
    if aligned.moves(old_parts, new_parts):
        return patch_moved_index(state.postings, [
            ServerDocs(start, old_parts[old].docs if old is not None else (),
                       new_parts[new].docs if new is not None else ()) for start, old, new in aligned.events], live)
    return patch_index(state.postings, [
        DocChange(start + index, old_doc, new_doc) for start, old, new in aligned.events
        if old is not None and new is not None
        for index, (old_doc, new_doc) in enumerate(zip(old_parts[old].docs, new_parts[new].docs))], live)


def _doc_starts(servers: tuple[ServerSpan, ...]) -> list[int]:
    starts, total = [], 0
    for server in servers:
        starts.append(total)
        total += server.tools
    return starts


def _pieces(live: str, head: bytes, between: bytes, tail: bytes, spans: list[tuple[int, int]],
            kept: list[int | None], texts: dict[int, bytes]) -> tuple[list[Piece], list[tuple[int, int]]]:
    """The pieces of a file of one text per server (`between` them): each server `kept` copied from the live
    file, where `spans` say it lies (a run of servers next to each other there at once), any other
    written from `texts`; and where each server's text lies in the new file."""
    pieces: list[Piece] = [head]
    position, new_spans = len(head), []
    run: tuple[int, int] | None = None  # (first, last) old servers of the run being copied
    if os.path.getsize(live) != spans[-1][1] + len(tail):
        raise StalePostings(f"{live} is not the file the last build wrote")
    for number, old in enumerate(kept):
        if number:
            position += len(between)
        if old is not None and run is not None and old == run[1] + 1:  # next to the run in the live file
            run = (run[0], old)
        else:
            if run is not None:
                pieces.append(_copied(live, spans, run))
            run = None if old is None else (old, old)
            if number:
                pieces.append(between)
            if old is None:
                pieces.append(texts[number])
        size = len(texts[number]) if old is None else spans[old][1] - spans[old][0]
        new_spans.append((position, position + size))
        position += size
    if run is not None:
        pieces.append(_copied(live, spans, run))
    return [piece for piece in pieces if piece] + [tail], new_spans


def _copied(live: str, spans: list[tuple[int, int]], run: tuple[int, int]) -> Piece:
    """The live file's bytes of a run of servers (the texts between them included)."""
    start, end = spans[run[0]][0], spans[run[1]][1]
    return (live, start, end - start)
