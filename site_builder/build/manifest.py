"""The output manifest of the build cache: per output folder and build, its files by output group.

`<cache>/outputs/<folder>/<build>.json` lists, for the live build of an
output folder and the previous one kept beside it, every group of files
(a server's, the theme's, a listing page's, ...) with the digest of what
it was made from (units.py), so the next build rewrites only the groups
whose inputs changed.  A group's files are one text, read into paths only
for the groups a build replaces.

A manifest is a line of JSON (each group's digest, counts, and where its
list of files lies) and then the lists, as bytes: every edit at 100k tools
reads and writes 384k files' lists (22 MB), which as JSON strings took
0.04 s to parse and 0.02 s to encode, and as bytes are sliced and joined.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from operator import methodcaller
from pathlib import Path
from typing import Any, Mapping

import orjson

from ..errors import OutputError
from .store import CACHE_FORMAT, CacheStore, path_key

OUTPUTS_DIR = "outputs"
STREAM_STATE_FILES = ("stream-state", "stream-state.next")  # beside the manifests: stream_state.py


@dataclass(frozen=True)
class OutputGroup:
    """A group of output files as the manifest keeps it: its list of files is text, read into paths only
    for a group that is not kept as it is (384k files at 100k tools, of which an edit changes a few)."""

    digest: str  # of everything the group's files were made from
    listing: bytes  # each file as "path<TAB>size<NEWLINE>", in UTF-8
    count: int  # files
    bytes: int
    pages: int  # HTML files

    @classmethod
    def of(cls, digest: str, files: Mapping[str, int]) -> OutputGroup:
        listing = "".join(f"{path}\t{size}\n" for path, size in files.items()).encode("utf-8", "surrogatepass")
        return cls(digest, listing, len(files), sum(files.values()), sum(map(_is_page, files)))

    @cached_property
    def files(self) -> dict[str, int]:
        """Path -> size (OutputError: a damaged listing)."""
        try:
            text = self.listing.decode("utf-8", "surrogatepass")
            files = {path: int(size) for path, size in (line.split("\t") for line in text.split("\n")[:-1])}
        except ValueError:  # UnicodeDecodeError is one
            files = {}
        if len(files) != self.count or any(size < 0 for size in files.values()):
            raise OutputError("the build cache's list of the kept site's files is damaged: build with --clean")
        return files


_is_page = methodcaller("endswith", ".html")


def outputs_folder(out: Path) -> str:
    """The cache folder of what the cache keeps of the output `out` (its manifests, the stream's state)."""
    return f"{OUTPUTS_DIR}/{hashlib.sha256(path_key(out).encode()).hexdigest()[:32]}"


def _manifest_name(identity: str) -> str:
    return hashlib.sha256(identity.encode()).hexdigest()[:32] + ".json"


def _changes_name(identity: str) -> str:
    return _manifest_name(identity).removesuffix(".json") + ".changes.json"


def load_output_manifest(cache_dir: Path, out: Path, identity: str) -> dict[str, OutputGroup] | None:
    """The file groups of the build of `out` whose marker identity is `identity`, if the cache has them."""
    return _load_groups(cache_dir, out, identity, _manifest_name(identity))


def load_live_changes(cache_dir: Path, out: Path, identity: str) -> dict[str, OutputGroup] | None:
    """Some file groups of the build of `out` whose marker identity is `identity` (the live one), as it
    wrote them (save_output_manifest's `changes`): every group but the servers', and the servers it
    rendered.  The next build takes from the live site those it wants as they are, rather than render them
    again into the previous site it updates, which is a build behind."""
    return _load_groups(cache_dir, out, identity, _changes_name(identity))


def _load_groups(cache_dir: Path, out: Path, identity: str, name: str) -> dict[str, OutputGroup] | None:
    data = CacheStore(cache_dir).read_bytes(f"{outputs_folder(out)}/{name}")
    head_end = data.find(b"\n") if data is not None else -1
    if data is None or head_end < 0:
        return None
    try:
        saved = orjson.loads(data[:head_end])
        if (saved.get("format") != CACHE_FORMAT or saved.get("identity") != identity
                or saved.get("out") != path_key(out)):
            return None
        lists = memoryview(data)[head_end + 1:]
        groups = {key: OutputGroup(digest, bytes(lists[start:start + size]), count, size_bytes, pages)
                  for key, (digest, start, size, count, size_bytes, pages) in saved["groups"].items()
                  if type(start) is int and type(size) is int and 0 <= start <= start + size <= len(lists)}
        if len(groups) != len(saved["groups"]):
            return None  # a list of files not in the file
    except (KeyError, TypeError, ValueError, AttributeError):  # orjson.JSONDecodeError is a ValueError
        return None
    if any(not isinstance(group.digest, str) or not all(
            type(number) is int and number >= 0 for number in (group.count, group.bytes, group.pages))
           for group in groups.values()):
        return None  # the paths are checked by the writer that acts on them (removes or links a file)
    return groups


def save_output_manifest(cache_dir: Path, out: Path, identities: tuple[str, ...], groups: dict[str, OutputGroup],
                         keep: str | None, changes: dict[str, OutputGroup] | None = None) -> None:
    """Remember the groups of the build about to go live (as each of `identities`: the staging folder, and
    its twin if it has one), and forget every manifest but theirs and `keep`'s.

    `keep` is the identity of the build it replaces, which is kept beside the
    output to be updated by the next build; `changes`, some of this build's
    groups for that build to take from this one (load_live_changes)."""
    store, folder = CacheStore(cache_dir), outputs_folder(out)
    for identity in identities:
        _save_groups(store, f"{folder}/{_manifest_name(identity)}", out, identity, groups)
    wanted = {f"{folder}/{_manifest_name(name)}" for name in (*identities, keep) if name}
    if changes is not None:
        _save_groups(store, f"{folder}/{_changes_name(identities[0])}", out, identities[0], changes)
        wanted.add(f"{folder}/{_changes_name(identities[0])}")
    wanted |= {f"{folder}/{name}" for name in STREAM_STATE_FILES}
    for path in store.names(folder, ""):
        if path not in wanted:
            store.remove(path)


def _save_groups(store: CacheStore, name: str, out: Path, identity: str, groups: dict[str, OutputGroup]) -> None:
    heads: dict[str, list[Any]] = {}
    start = 0
    for key, group in groups.items():
        heads[key] = [group.digest, start, len(group.listing), group.count, group.bytes, group.pages]
        start += len(group.listing)
    head = orjson.dumps({"format": CACHE_FORMAT, "out": path_key(out), "identity": identity, "groups": heads})
    store.write_bytes(name, b"".join([head, b"\n", *(group.listing for group in groups.values())]))
