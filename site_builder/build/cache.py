"""Build cache: skip a build whose inputs did not change, redo only what did.

* `file-hashes.json`: the content hash of each catalogue file with its
  size, times and inode, so an untouched file is not read to be hashed.
* `last-build.json`: the digest of every input of the last build (catalogue
  files, attack patterns, hand-written pages, templates, mkdocs.yml, policy
  defaults, the builder's own code).  Same digest, same output folder: nothing to do.
* `summaries/`: per catalogue file, its content hash and its server
  summary (see index.py), valid for one digest of everything else; in 64
  shards by file name, so a build rewrites only the shards it changed.  An
  unchanged file is not loaded again.
* `parts/`: each server's share of catalogue.json, llms-full.txt and the
  search index, in packs of up to 64 parts (see part_store.py).
* `outputs/`: per output folder, which files of its live and kept previous
  builds belong to which output unit, with the unit's digest (units.py), so
  the next build rewrites only the units whose inputs changed (manifest.py).
* `rows.json`: each server's row, unit digest and the index digest (rows.py).
* `shell.json`: the page chrome cut from mkdocs' output, for builds of the
  same context (which then skip mkdocs).

Every file is written whole by the one atomic writer (store.py); the JSON
files are read and written through its CacheStore, which tags them with the
one format version (CACHE_FORMAT) that the parts' keys include too.

Files are identified by content hash (an mtime only saves re-reading a file
known by its stat), so a fresh CI checkout of the same commit is recognised.  `--clean` ignores the cache.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import sys
import time
import zlib
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

from ..content.yaml_files import yaml_file_names
from ..output.swap import is_build_output
from ..render.theme import MARKERS, Shell
from .store import CacheStore, path_key
from .summary_shard import CachedServer, shard_from_json, shard_to_json

STATE_FILE = "last-build.json"
_PACKAGE = Path(__file__).resolve().parent.parent  # site_builder/: the builder's own code is an input


def _files(root: Path) -> Iterable[Path]:
    if root.is_file():
        yield root
    elif root.is_dir():
        for folder, dirs, names in os.walk(root):
            dirs.sort()
            for name in sorted(names):
                yield Path(folder) / name


def library_versions() -> str:
    """The name and version of every installed distribution: any of them may end up in pages (cmark-gfm
    renders descriptions, orjson writes JSON, mkdocs-material's own dependencies the chrome), so an upgrade
    of any rebuilds the site, with no list kept by hand to fall behind; and Python's own version (its
    Unicode tables decide what a description's characters are).

    Each is read from the name of its metadata folder on the import path, `name-version.dist-info` (or
    `.egg-info`), as installers name them (a source tree's `name.egg-info` from its PKG-INFO): listed in
    0.3 ms, where reading each one's metadata (importlib.metadata) took 20 ms of every build for 80 of them.
    As importlib.metadata, the first of a name on the path is the one used, so a source tree on the path
    (`python -m` from it) beside its own installed copy is the same libraries."""
    versions: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:  # a zip file, a folder gone
            continue
        for folder in names:
            if folder.endswith(_METADATA_FOLDERS):
                name, _, version = folder.rsplit(".", 1)[0].partition("-")
                key = _NAME_SEPARATORS.sub("_", name).lower()
                if key not in versions:
                    versions[key] = version or _egg_version(Path(entry or ".") / folder)
    return " ".join([f"python={platform.python_version()}", *sorted(f"{k}=={v}" for k, v in versions.items())])


def _egg_version(folder: Path) -> str:
    """The version a source tree's `name.egg-info` holds (importlib.metadata reads its PKG-INFO), or ''."""
    try:
        return metadata.PathDistribution(folder).version or ""
    except OSError:
        return ""


_METADATA_FOLDERS = (".dist-info", ".egg-info")
_NAME_SEPARATORS = re.compile(r"[-_.]+")


def inputs_digest(roots: Iterable[Path], options: str) -> str:
    """One SHA-256 over the content of every input file (paths included, by root: a file moved from one
    root to another is a change) and the options."""
    digest = hashlib.sha256(options.encode())
    for number, root in enumerate([*roots, _PACKAGE]):
        digest.update(f"\0root {number}\0".encode())
        for path in _files(root):
            if path.suffix == ".pyc":
                continue
            digest.update(str(path.relative_to(root) if path != root else path.name).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def is_up_to_date(cache_dir: Path, out: Path, digest: str) -> bool:
    saved = CacheStore(cache_dir).read_json(STATE_FILE) if is_build_output(out) else None
    return saved is not None and saved.get("digest") == digest and saved.get("out") == path_key(out)


def remember(cache_dir: Path, out: Path, digest: str) -> None:
    CacheStore(cache_dir).write_json(STATE_FILE, {"digest": digest, "out": path_key(out)})


HASHES_FILE = "file-hashes.json"
RACY_NS = 2_000_000_000  # a file changed this close before the last scan may change again unseen: hash it


def _stat_key(path: str) -> list[int]:
    stat = os.stat(path)
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns]


def catalogue_digests(folder: Path, cache_dir: Path | None = None) -> dict[str, str]:
    """The content hash of every catalogue file the loader reads, by file name.

    With a cache folder, a file whose size, times and inode are those of the
    last scan keeps its hash (as git's index does), except a file changed
    within two seconds before that scan, which is hashed again."""
    scanned = time.time_ns()
    saved = CacheStore(cache_dir).read_json(HASHES_FILE) if cache_dir else None
    known: dict[str, Any] = {}
    last_scan = 0
    if saved is not None and saved.get("folder") == path_key(folder) and isinstance(saved.get("files"), dict):
        known, last_scan = saved["files"], int(saved.get("scanned", 0))
    hashes, stats, hashed = {}, {}, False
    folder_text = os.fspath(folder)
    for name in yaml_file_names(folder):
        path = os.path.join(folder_text, name)
        stat_key = _stat_key(path)
        previous = known.get(name)
        if (isinstance(previous, list) and previous[:-1] == stat_key and stat_key[1] < last_scan - RACY_NS
                and stat_key[3] < last_scan - RACY_NS):
            hashes[name] = str(previous[-1])
        else:
            with open(path, "rb") as handle:
                hashes[name] = hashlib.sha256(handle.read()).hexdigest()
            hashed = True
        stats[name] = [*stat_key, hashes[name]]
    if cache_dir and (hashed or stats != known):
        CacheStore(cache_dir).write_json(HASHES_FILE, {"folder": path_key(folder), "scanned": scanned,
                                                       "files": stats})
    return hashes


SUMMARIES_DIR = "summaries"
SHARDS = 64  # summaries are kept in this many files, so an edit rewrites one of them


def _shard(name: str) -> str:
    """The shard of a catalogue file name: a checksum (crc32: sha256 took 0.03 s of an edit for 10k names)."""
    return f"{zlib.crc32(name.encode('utf-8', 'surrogatepass')) % SHARDS:02d}.json"


def load_index_cache(cache_dir: Path, context: str) -> dict[str, CachedServer]:
    """Cached servers by catalogue file name: those of every shard made under this `context` digest."""
    servers: dict[str, CachedServer] = {}
    store = CacheStore(cache_dir)
    for path in store.names(SUMMARIES_DIR, ".json"):
        saved = store.read_json(path)
        if saved is None or saved.get("context") != context:
            continue
        try:
            shard = shard_from_json(saved)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):  # a damaged shard is an empty one
            continue
        servers.update((name, server) for name, server in shard.items() if f"{SUMMARIES_DIR}/{_shard(name)}" == path)
    return servers


def save_index_cache(cache_dir: Path, context: str, servers: dict[str, CachedServer],
                     dirty: Iterable[str] | None = None) -> None:
    """Save the shards holding the `dirty` file names (changed, added or removed); None: every shard."""
    store = CacheStore(cache_dir)
    wanted = None if dirty is None else {_shard(name) for name in dirty}
    shards: dict[str, list[tuple[str, CachedServer]]] = {}
    for name, cached in sorted(servers.items()):
        shard = _shard(name)
        if wanted is None or shard in wanted:
            shards.setdefault(shard, []).append((name, cached))
    for shard, saved in shards.items():
        store.write_json(f"{SUMMARIES_DIR}/{shard}", {"context": context, **shard_to_json(saved)})
    for path in store.names(SUMMARIES_DIR, ".json"):
        shard = path.rsplit("/", 1)[-1]
        if shard not in shards and (wanted is None or shard in wanted):  # no server left in it
            store.remove(path)


SHELL_FILE = "shell.json"


def save_shell(cache_dir: Path, context: str, shell: Shell) -> None:
    """Keep the chrome for later builds of the same context (which then skip mkdocs)."""
    CacheStore(cache_dir).write_json(SHELL_FILE, {"context": context, "pieces": shell.pieces, "markers": shell.markers})


def load_shell(cache_dir: Path, context: str) -> Shell | None:
    """The chrome cached for `context`, or None."""
    saved = CacheStore(cache_dir).read_json(SHELL_FILE)
    try:
        if saved is None or saved["context"] != context or not set(MARKERS) <= set(saved["markers"]):
            return None
        pieces, markers = tuple(map(str, saved["pieces"])), tuple(map(str, saved["markers"]))
    except (KeyError, TypeError):
        return None
    return Shell(pieces, markers) if len(pieces) == len(markers) + 1 else None
