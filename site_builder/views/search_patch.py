"""The search index of an edit that keeps every tool where it was, patched from the live site's (one that
adds or removes tools: search_moved.py).

A build that changes a few servers, each with as many tools as before, in
the same order of servers, changes a few documents of the index and nothing
of the rest: their ids stay.  So the index is not made again from the 100k
documents of every part (0.7 s of a one-tool edit at 100k tools); instead
the last build's postings of every token (Postings, kept in the cache by
build/stream_state.py) lose the changed documents' old codes and gain their
new ones, and only the files that hold a changed token, a changed record or
a changed word of the typo vocabulary are written again; the others are
hard-linked from the live site, each first found to be the very file the
last build wrote (its size, time and inode: files.file_identity).  What
comes out is byte for byte what search.py writes from scratch: the tests
build both after every kind of edit.
"""

from __future__ import annotations

import bisect
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import orjson

from ..output.files import file_identity
from ..output.writer import OutputWriter
from .parts import RawDoc
from .search import CHUNK, common_words, manifest_json, shard_key, shards_of
from .search_typos import fuzzy_keys

_NONE: array[int] = array("Q")


class StalePostings(Exception):
    """The kept postings or the live site's index are not those of the last build: make the index whole."""


@dataclass
class Postings:
    """Every token's postings (name and text, as SearchIndex holds them) and the index files written from
    them (path under search/ -> its identity: files.file_identity)."""

    name: dict[str, array[int]]
    text: dict[str, array[int]]
    docs: int
    files: dict[str, list[int]]

    def encode(self) -> bytes:
        tokens = sorted(set(self.name) | set(self.text))
        counts = [[token, len(self.name.get(token, ())), len(self.text.get(token, ()))] for token in tokens]
        header = orjson.dumps([self.docs, self.files, counts])  # (the cache's format is the state's: stream_state)
        blobs = [self.name[t].tobytes() for t in tokens if t in self.name]
        blobs += [self.text[t].tobytes() for t in tokens if t in self.text]
        return b"".join([header, b"\n", *blobs])

    @classmethod
    def decode(cls, raw: bytes) -> Postings | None:
        """The postings in `raw`, or None if they are not whole postings of this format."""
        end = raw.find(b"\n")
        try:
            docs, files, counts = orjson.loads(raw[:end])
            if end < 0 or not isinstance(docs, int) or not isinstance(files, dict):
                return None
            view, offset, size = memoryview(raw), end + 1, array("Q").itemsize
            name: dict[str, array[int]] = {}
            text: dict[str, array[int]] = {}
            for table, column in ((name, 1), (text, 2)):
                for row in counts:
                    if row[column]:
                        codes = table[row[0]] = array("Q")
                        codes.frombytes(view[offset:offset + row[column] * size])
                        offset += row[column] * size
            return cls(name, text, docs, files) if offset == len(raw) else None
        except (ValueError, TypeError, IndexError, KeyError):
            return None


@dataclass(frozen=True)
class DocChange:
    """A document whose id stays: its old and new forms (parts.RawDoc)."""

    doc_id: int
    old: RawDoc
    new: RawDoc


def _code(doc_id: int, doc: RawDoc) -> int:
    return int(doc_id * 64 + doc[4] * 8 + doc[5])


def doc_tokens(doc: RawDoc) -> tuple[list[str], list[str]]:
    """A document's name tokens and text tokens."""
    return doc[0].split() + ([doc[1]] if doc[1] else []), doc[2].split()


def in_vocabulary(postings: Postings, token: str, common: set[str]) -> bool:
    return token in postings.name or (token in postings.text and token not in common)


def _apply(postings: Postings, changes: Iterable[DocChange]) -> None:
    """Each changed document's old codes out of its tokens' postings, its new codes in (sorted, as built)."""
    for change in changes:
        remove_doc(postings, change.doc_id, change.old)
    for change in changes:
        insert_doc(postings, change.doc_id, change.new)


def remove_doc(postings: Postings, doc_id: int, doc: RawDoc) -> None:
    """A document's codes out of its tokens' postings (StalePostings: a code they lack)."""
    code = _code(doc_id, doc)
    for table, tokens in zip((postings.name, postings.text), doc_tokens(doc)):
        for token in tokens:
            codes = table.get(token, _NONE)
            at = bisect.bisect_left(codes, code)
            if at == len(codes) or codes[at] != code:
                raise StalePostings(f"the kept postings of {token!r} lack a document they had")
            del codes[at]
            if not codes:
                del table[token]


def insert_doc(postings: Postings, doc_id: int, doc: RawDoc) -> None:
    """A document's codes into its tokens' postings, each kept sorted."""
    code = _code(doc_id, doc)
    for table, tokens in zip((postings.name, postings.text), doc_tokens(doc)):
        for token in tokens:
            bisect.insort(table.setdefault(token, array("Q")), code)


@dataclass(frozen=True)
class PatchedIndex:
    """The index with the changes applied: its postings, and the files made again (the others are the live
    site's, as `postings.files` says)."""

    postings: Postings
    written: dict[str, bytes]  # path under search/ -> content

    def write(self, writer: OutputWriter, live: Path) -> Postings:
        """Write the index (the unchanged files named to be taken from the live site as they are: the build
        links them, OutputWriter.adopt); its postings, with the identity of each file of the index."""
        files = {}
        for path, identity in sorted(self.postings.files.items()):
            if path in self.written:
                writer.write(f"search/{path}", self.written[path])
                files[path] = writer.identity(f"search/{path}")
            else:
                writer.take(f"search/{path}", live, identity[0])
                files[path] = identity  # the live file's, as patch_index found it: the very file the site will hold
        return Postings(self.postings.name, self.postings.text, self.postings.docs, files)


def patch_index(postings: Postings, changes: list[DocChange], live: Path) -> PatchedIndex:
    """The index of `postings` with `changes` applied (each document keeps its id), its unchanged files
    taken from the live site `live` (StalePostings if they are not those of `postings`).  `postings` is
    changed: it is the last build's, read for this build."""
    touched = {token for change in changes for doc in (change.old, change.new) for tokens in doc_tokens(doc)
               for token in tokens}
    common_before = common_words(postings.text, postings.docs)
    before = {token: in_vocabulary(postings, token, common_before) for token in touched}
    _apply(postings, changes)
    common = common_words(postings.text, postings.docs)  # a word that turns common or back is a touched one
    files = dict(postings.files)
    written: dict[str, bytes] = {}
    _shards(postings, touched, common, files, written)
    patch_vocabulary(postings, touched, before, common, live, files, written)
    for chunk, records in _chunks(changes, live, postings.files).items():
        written[f"docs/{chunk}.json"] = orjson.dumps(records)
    written["manifest.json"] = patched_manifest(postings.docs, files, common)
    unchanged_files_checked(files, written, live)
    return PatchedIndex(Postings(postings.name, postings.text, postings.docs, files), written)


def unchanged_files_checked(files: dict[str, list[int]], written: dict[str, bytes], live: Path) -> None:
    """StalePostings if a file of the index not written again is not the one the last build wrote."""
    for path in files:
        if path not in written and _identity(live / "search" / path) != files[path]:
            raise StalePostings(f"search/{path} is not the file the last build wrote")


def _identity(path: Path) -> list[int] | None:
    try:
        return file_identity(path)
    except OSError:
        return None


def live_json(live: Path, path: str, files: dict[str, list[int]]) -> Any:
    """A file of the live site's index, read if it is the file the last build wrote (which it names)."""
    if path not in files or _identity(live / "search" / path) != files[path]:
        raise StalePostings(f"search/{path} is not the file the last build wrote")
    return orjson.loads((live / "search" / path).read_bytes())


def patched_manifest(docs: int, files: dict[str, list[int]], common: set[str]) -> bytes:
    """The manifest of an index of `docs` documents whose files (shards, vocabulary) are `files`."""
    return manifest_json(docs, _keys(files, "shards/"), common, _keys(files, "fuzzy/"))


def _keys(files: dict[str, list[int]], folder: str) -> list[str]:
    return [path[len(folder):-len(".json")] for path in files if path.startswith(folder)]


def _parent(key: str) -> str:
    """The two-character shard a shard file's key was split from (search._split_large), or itself."""
    return key if key.startswith("x") else key[:2]


def _shards(postings: Postings, touched: set[str], common: set[str], files: dict[str, list[int]],
            written: dict[str, bytes]) -> None:
    """The shards of the two-character keys of `touched`, made again whole (and split again as need be)."""
    keys = {shard_key(token) for token in touched}
    members = sorted(token for token in set(postings.name) | set(postings.text) if shard_key(token) in keys)
    for path in [path for path in files if path.startswith("shards/") and _parent(path[7:-5]) in keys]:
        del files[path]
    for key, tokens in shards_of(members, postings.name, postings.text, common).items():
        written[f"shards/{key}.json"] = orjson.dumps(tokens)
        files[f"shards/{key}.json"] = []


def patch_vocabulary(postings: Postings, touched: set[str], before: dict[str, bool], common: set[str], live: Path,
                     files: dict[str, list[int]], written: dict[str, bytes]) -> None:
    """The typo vocabulary's lists that gain or lose a word, from the live site's."""
    gained = {token for token in touched if in_vocabulary(postings, token, common) and not before.get(token)}
    lost = {token for token in touched if before.get(token) and not in_vocabulary(postings, token, common)}
    for key in sorted({key for token in gained | lost for key in fuzzy_keys(token)}):
        path = f"fuzzy/{key}.json"
        words = set(live_json(live, path, files)) if path in files else set()
        words = (words - lost) | {token for token in gained if key in fuzzy_keys(token)}
        files.pop(path, None)
        if words:
            written[path] = orjson.dumps(sorted(words))
            files[path] = []


def _chunks(changes: list[DocChange], live: Path, files: dict[str, list[int]]) -> dict[int, list[list[str]]]:
    """The display records' chunks that hold a changed document, from the live site's."""
    chunks: dict[int, list[list[str]]] = {}
    for change in changes:
        chunk = change.doc_id // CHUNK
        if chunk not in chunks:
            chunks[chunk] = live_json(live, f"docs/{chunk}.json", files)
        chunks[chunk][change.doc_id % CHUNK] = change.new[3]
    return chunks
