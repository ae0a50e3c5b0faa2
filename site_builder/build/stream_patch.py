"""catalogue.json, llms-full.txt and the search index of an edit, patched from the live site's (see
stream_state.py for when, and search_patch.py for the index).

Everything that can show the state is not the live site's is checked before
anything is written (StalePostings: then the files are made whole); the
writer checks again each file it links."""

from __future__ import annotations

import os
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
    changed = _changed(state, inputs)
    store = PartStore(config.cache_dir)
    old_parts: dict[int, ServerPart] = {}
    new_parts: dict[int, ServerPart] = {}
    for number in changed:
        name, _, key = inputs.servers[number]
        old, new = store.read(state.servers[number].part_key), store.read(key)
        if old is None or new is None or len(old.docs) != state.servers[number].tools:
            raise StalePostings("a changed server's parts are missing, or not those of the live site")
        old_parts[number], new_parts[number] = old, new
    index = _patched_index(state, old_parts, new_parts, live)
    catalogue_head = catalogue_json_head(inputs.counts, len(inputs.servers), config).encode("utf-8")
    records = _pieces(str(live / "catalogue.json"), catalogue_head, b",\n", b"\n]}\n",
                      [s.record for s in state.servers], {n: p.catalogue_json for n, p in new_parts.items()})
    sections = _pieces(str(live / "llms-full.txt"), llms_full_head(config).encode("utf-8"), b"", b"",
                       [s.section for s in state.servers], {n: p.llms_full for n, p in new_parts.items()})
    writer.assemble("catalogue.json", records[0])
    writer.assemble("llms-full.txt", sections[0])
    postings = index.write(writer, live)
    tools = [len(new_parts[number].docs) if number in new_parts else server.tools
             for number, server in enumerate(state.servers)]
    servers = tuple(ServerSpan(slug, key, tools[number], records[1][number], sections[1][number])
                    for number, (_, slug, key) in enumerate(inputs.servers))
    return StreamState(servers, {name: writer.identity(name) for name in IDENTIFIED}, postings)


def _patched_index(state: StreamState, old_parts: dict[int, ServerPart], new_parts: dict[int, ServerPart],
                   live: Path) -> PatchedIndex:
    """The search index with the changed servers' documents replaced: each in its place if every changed
    server keeps its count of tools, else with the documents after them moved (search_moved.py)."""
    starts = _doc_starts(state.servers)
    if any(len(new_parts[number].docs) != len(old_parts[number].docs) for number in new_parts):
        return patch_moved_index(state.postings, [ServerDocs(starts[number], old_parts[number].docs,
                                                             new_parts[number].docs) for number in sorted(new_parts)],
                                 live)
    changes = [DocChange(starts[number] + index, old, new) for number in sorted(new_parts)
               for index, (old, new) in enumerate(zip(old_parts[number].docs, new_parts[number].docs))]
    return patch_index(state.postings, changes, live)


def _changed(state: StreamState, inputs: StreamInputs) -> list[int]:
    """The positions of the servers whose part changed, if the servers are those of `state` in its order."""
    if [slug for _, slug, _ in inputs.servers] != [server.slug for server in state.servers]:
        raise StalePostings("servers were added, removed or renamed")
    changed = [number for number, (_, _, key) in enumerate(inputs.servers) if key != state.servers[number].part_key]
    if len(changed) > PATCH_MAX_SERVERS:
        raise StalePostings("too many servers changed")
    return changed


def _doc_starts(servers: tuple[ServerSpan, ...]) -> list[int]:
    starts, total = [], 0
    for server in servers:
        starts.append(total)
        total += server.tools
    return starts


def _pieces(live: str, head: bytes, between: bytes, tail: bytes, spans: list[tuple[int, int]],
            changed: dict[int, bytes]) -> tuple[list[Piece], list[tuple[int, int]]]:
    """The pieces of a file of one text per server (`between` them): the unchanged runs of servers copied
    from the live file, where `spans` say they lie; and where each server's text lies in the new file."""
    pieces: list[Piece] = [head]
    position, new_spans, run = len(head), [], None
    if spans and os.path.getsize(live) != spans[-1][1] + len(tail):
        raise StalePostings(f"{live} is not the file the last build wrote")
    for number, (start, end) in enumerate(spans):
        if number:
            position += len(between)
        if number in changed:
            if run is not None:
                pieces.append((live, run[0], run[1] - run[0]))
                run = None
            pieces += [between, changed[number]] if number else [changed[number]]
            new_spans.append((position, position + len(changed[number])))
        else:
            if run is None:
                if number:
                    pieces.append(between)
                run = (start, end)
            run = (run[0], end)
            new_spans.append((position, position + end - start))
        position = new_spans[-1][1]
    if run is not None:
        pieces.append((live, run[0], run[1] - run[0]))
    return [piece for piece in pieces if piece] + [tail], new_spans
