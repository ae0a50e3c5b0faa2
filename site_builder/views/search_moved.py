"""The search index of an edit that adds or removes tools of a server, patched from the live site's.

A document's id is its place in the index (servers by slug, tools in file
order), so a server that gains or loses a tool moves every later document:
their codes in every token's postings (search.py: `doc_id * 64 + ...`) and
their display records.  Made again from every server's part, the index
cost such an edit at 100k tools about a second of a core (10k parts read,
2.8M postings gathered).  Patched instead: the changed servers' old codes
leave their tokens' postings, every later code moves by what the servers
before it gained (each token's tail, added to in C), their new codes come
in; then every shard is written again (most hold a code that moved), and
the display records from the first changed one on; the typo vocabulary
changes as in search_patch.py, with the words whose commonness moved with
the count of documents.  The result is byte for byte what search.py
writes from scratch (tests/views/test_search_moved.py).
"""

from __future__ import annotations

import bisect
from array import array
from dataclasses import dataclass
from pathlib import Path

import orjson

from .parts import RawDoc
from .search import CHUNK, common_words, shards_of
from .search_patch import (PatchedIndex, Postings, StalePostings, doc_tokens, in_vocabulary, insert_doc,
                           live_json, patch_vocabulary, patched_manifest, remove_doc, unchanged_files_checked)


@dataclass(frozen=True)
class ServerDocs:
    """A changed server's documents: where they began in the last build's index, before and now."""

    start: int
    old: tuple[RawDoc, ...]
    new: tuple[RawDoc, ...]


def patch_moved_index(postings: Postings, servers: list[ServerDocs], live: Path) -> PatchedIndex:
    """The index of `postings` with each server's documents replaced by its new ones (the later ones moved),
    its unchanged files taken from the live site `live` (StalePostings if they are not those of
    `postings`).  `servers`: in the index's order, none overlapping; `postings` is changed."""
    touched = {token for server in servers for doc in (*server.old, *server.new) for tokens in doc_tokens(doc)
               for token in tokens}
    common_before = common_words(postings.text, postings.docs)
    before = {token: in_vocabulary(postings, token, common_before) for token in touched}
    for server in servers:
        for number, doc in enumerate(server.old):
            remove_doc(postings, server.start + number, doc)
    for server in reversed(servers):  # from the last: each tail moves by what every server before it gained
        _move_after(postings, server.start + len(server.old), len(server.new) - len(server.old))
    gained = 0
    for server in servers:
        for number, doc in enumerate(server.new):
            insert_doc(postings, server.start + gained + number, doc)
        gained += len(server.new) - len(server.old)
    old_docs, postings.docs = postings.docs, postings.docs + gained
    common = common_words(postings.text, postings.docs)
    for token in (common ^ common_before) - touched:  # in the vocabulary or out, as the count of documents moved
        before[token] = token in postings.name or (token in postings.text and token not in common_before)
        touched.add(token)
    files = {path: identity for path, identity in postings.files.items() if not path.startswith("shards/")}
    written: dict[str, bytes] = {}
    for key, tokens in shards_of(sorted(set(postings.name) | set(postings.text)), postings.name, postings.text,
                                 common).items():
        written[f"shards/{key}.json"] = orjson.dumps(tokens)
        files[f"shards/{key}.json"] = []
    patch_vocabulary(postings, touched, before, common, live, files, written)
    _records(servers, old_docs, postings.docs, live, files, written)
    written["manifest.json"] = patched_manifest(postings.docs, files, common)
    unchanged_files_checked(files, written, live)
    return PatchedIndex(Postings(postings.name, postings.text, postings.docs, files), written)


def _move_after(postings: Postings, first: int, by: int) -> None:
    """Every code of a document from `first` on moved `by` documents (in C: a token's tail at once)."""
    if not by:
        return
    threshold, move = first * 64, (by * 64).__add__
    for table in (postings.name, postings.text):
        for codes in table.values():
            at = bisect.bisect_left(codes, threshold)
            if at < len(codes):
                codes[at:] = array("Q", map(move, codes[at:]))


def _records(servers: list[ServerDocs], old_docs: int, new_docs: int, live: Path, files: dict[str, list[int]],
             written: dict[str, bytes]) -> None:
    """The display records' chunks from the first changed document on, from the live site's."""
    first_chunk = servers[0].start // CHUNK
    old_chunks = range(first_chunk, -(-old_docs // CHUNK))
    records: list[list[str]] = []
    for chunk in old_chunks:
        records.extend(live_json(live, f"docs/{chunk}.json", files))
        del files[f"docs/{chunk}.json"]
    offset, place = first_chunk * CHUNK, first_chunk * CHUNK  # records[0] is document `offset`
    moved: list[list[str]] = []
    for server in servers:
        moved.extend(records[place - offset:server.start - offset])
        if records[server.start - offset:server.start - offset + len(server.old)] != [doc[3] for doc in server.old]:
            raise StalePostings("the live site's records are not those of the changed servers' old documents")
        moved.extend(doc[3] for doc in server.new)
        place = server.start + len(server.old)
    moved.extend(records[place - offset:])
    if len(moved) != new_docs - offset:
        raise StalePostings("the live site's records are not as many as the kept postings' documents")
    for start in range(0, len(moved), CHUNK):
        path = f"docs/{(offset + start) // CHUNK}.json"
        written[path] = orjson.dumps(moved[start:start + CHUNK])
        files[path] = []
