"""Build cache: skip a build whose inputs did not change, redo only what did.

* `file-hashes.json`: the content hash of each catalogue file with its
  size, times and inode, so an untouched file is not read to be hashed.
* `last-build.json`: the digest of every input of the last build (catalogue
  files, hand-written pages, templates, mkdocs.yml, policy defaults, the
  builder's own code).  Same digest, same output folder: nothing to do.
* `summaries/`: per catalogue file, its content hash and its server
  summary (see index.py), valid for one digest of everything else; in 64
  shards by file name, so a build rewrites only the shards it changed.  An
  unchanged file is not loaded again.  JSON, never pickle: a cache folder
  restored by CI must not be able to run code.
* `parts/`: each server's share of catalogue.json, llms-full.txt and the
  search index (see part_store.py).
* `outputs/`: per output folder, which files of its live and kept previous
  builds belong to which server, with the digest of that server's page
  inputs, so the next build rewrites only servers whose inputs changed.

Every JSON file is encoded in one go by the C encoder (`json.dump` to a
stream would use the pure-Python one, ten times slower on large caches).

Files are identified by content hash (an mtime only saves re-reading a file
known by its stat), so a fresh CI checkout of the same commit is recognised.  `--clean` ignores the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from importlib import metadata
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Iterable

from ..content.yaml_files import iter_yaml_files
from ..output.swap import is_build_output
from ..views.index import ServerSummary, summary_from_json, summary_to_json

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


LIBRARIES = ("mkdocs", "mkdocs-material", "jinja2", "markupsafe", "markdown", "nh3", "pyyaml", "pydantic")


def library_versions() -> str:
    """The versions of the libraries whose output ends up in pages (an upgrade changes the site)."""
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=none")
    return " ".join(versions)


def inputs_digest(roots: Iterable[Path], options: str) -> str:
    """One SHA-256 over the content of every input file (paths included) and the options."""
    digest = hashlib.sha256(options.encode())
    for root in [*roots, _PACKAGE]:
        for path in _files(root):
            if path.suffix == ".pyc":
                continue
            digest.update(str(path.relative_to(root) if path != root else path.name).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def is_up_to_date(cache_dir: Path, out: Path, digest: str) -> bool:
    state = cache_dir / STATE_FILE
    if not state.is_file() or not is_build_output(out):
        return False
    try:
        saved = json.loads(state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(saved.get("digest") == digest and saved.get("out") == str(out.absolute()))


def remember(cache_dir: Path, out: Path, digest: str) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    temporary = cache_dir / (STATE_FILE + ".tmp")
    temporary.write_text(json.dumps({"digest": digest, "out": str(out.absolute())}), encoding="utf-8")
    os.replace(temporary, cache_dir / STATE_FILE)


HASHES_FILE = "file-hashes.json"
RACY_NS = 2_000_000_000  # a file changed this close before the last scan may change again unseen: hash it


def _stat_key(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns]


def catalogue_digests(folder: Path, cache_dir: Path | None = None) -> dict[str, str]:
    """The content hash of every catalogue file the loader reads, by file name.

    With a cache folder, a file whose size, times and inode are those of the
    last scan keeps its hash (as git's index does), except a file changed
    within two seconds before that scan, which is hashed again."""
    scanned = time.time_ns()
    saved = _read_json(cache_dir / HASHES_FILE) if cache_dir else None
    known: dict[str, Any] = {}
    last_scan = 0
    if isinstance(saved, dict) and saved.get("folder") == str(folder.absolute()) and isinstance(saved.get("files"), dict):
        known, last_scan = saved["files"], int(saved.get("scanned", 0))
    hashes, stats, hashed = {}, {}, False
    for path in iter_yaml_files(folder):
        stat_key = _stat_key(path)
        previous = known.get(path.name)
        if (isinstance(previous, list) and previous[:-1] == stat_key and stat_key[1] < last_scan - RACY_NS
                and stat_key[3] < last_scan - RACY_NS):
            hashes[path.name] = str(previous[-1])
        else:
            hashes[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
            hashed = True
        stats[path.name] = [*stat_key, hashes[path.name]]
    if cache_dir and (hashed or stats != known):
        _write_json(cache_dir / HASHES_FILE, {"folder": str(folder.absolute()), "scanned": scanned, "files": stats})
    return hashes


def _write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


def _read_json(path: Path) -> Any:
    try:
        with open(path, "rb") as handle:
            return json.loads(handle.read())
    except (OSError, ValueError):
        return None


SUMMARIES_DIR = "summaries"
CACHE_FORMAT = 4
SHARDS = 64  # summaries are kept in this many files, so an edit rewrites one of them


@dataclass(frozen=True)
class CachedServer:
    file_hash: str
    summary: ServerSummary


def _shard(name: str) -> str:
    return f"{hashlib.sha256(name.encode('utf-8', 'surrogatepass')).digest()[0] % SHARDS:02d}.json"


def load_index_cache(cache_dir: Path, context: str) -> dict[str, CachedServer]:
    """Cached servers by catalogue file name: those of every shard made under this `context` digest."""
    servers: dict[str, CachedServer] = {}
    folder = cache_dir / SUMMARIES_DIR
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        saved = _read_json(path)
        if not isinstance(saved, dict) or saved.get("format") != CACHE_FORMAT or saved.get("context") != context:
            continue
        try:
            shard = {name: CachedServer(file_hash, summary_from_json(summary))
                     for name, (file_hash, summary) in saved["servers"].items() if _shard(name) == path.name}
        except (KeyError, TypeError, ValueError, AttributeError):  # a damaged shard is an empty one
            continue
        servers.update(shard)
    return servers


def save_index_cache(cache_dir: Path, context: str, servers: dict[str, CachedServer],
                     dirty: Iterable[str] | None = None) -> None:
    """Save the shards holding the `dirty` file names (changed, added or removed); None: every shard."""
    folder = cache_dir / SUMMARIES_DIR
    wanted = None if dirty is None else {_shard(name) for name in dirty}
    shards: dict[str, dict[str, list[Any]]] = {}
    for name, cached in sorted(servers.items()):
        shard = _shard(name)
        if wanted is None or shard in wanted:
            shards.setdefault(shard, {})[name] = [cached.file_hash, summary_to_json(cached.summary)]
    for shard, saved in shards.items():
        _write_json(folder / shard, {"format": CACHE_FORMAT, "context": context, "servers": saved})
    for path in folder.glob("*.json") if folder.is_dir() else ():
        if path.name not in shards and (wanted is None or path.name in wanted):  # no server left in it
            path.unlink(missing_ok=True)


OUTPUTS_DIR = "outputs"


@dataclass(frozen=True)
class OutputGroup:
    digest: str  # of everything the group's files were made from
    files: dict[str, int]  # path -> size


def _outputs_folder(cache_dir: Path, out: Path) -> Path:
    return cache_dir / OUTPUTS_DIR / hashlib.sha256(str(out.absolute()).encode()).hexdigest()[:32]


def _manifest_name(identity: str) -> str:
    return hashlib.sha256(identity.encode()).hexdigest()[:32] + ".json"


def load_output_manifest(cache_dir: Path, out: Path, identity: str) -> dict[str, OutputGroup] | None:
    """The file groups of the build of `out` whose marker identity is `identity`, if the cache has them."""
    saved = _read_json(_outputs_folder(cache_dir, out) / _manifest_name(identity))
    if not isinstance(saved, dict) or saved.get("identity") != identity or saved.get("out") != str(out.absolute()):
        return None
    try:
        return {key: OutputGroup(str(digest), {str(p): int(n) for p, n in files.items()})
                for key, (digest, files) in saved["groups"].items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def save_output_manifest(cache_dir: Path, out: Path, identity: str, groups: dict[str, OutputGroup],
                         keep: str | None) -> None:
    """Remember the groups of the build about to go live, and forget every manifest but its and `keep`'s.

    `keep` is the identity of the build it replaces, which is kept beside the
    output to be updated by the next build."""
    folder = _outputs_folder(cache_dir, out)
    _write_json(folder / _manifest_name(identity), {
        "out": str(out.absolute()), "identity": identity,
        "groups": {key: [group.digest, group.files] for key, group in groups.items()}})
    wanted = {_manifest_name(identity)} | ({_manifest_name(keep)} if keep else set())
    for path in folder.iterdir():
        if path.name not in wanted:
            path.unlink(missing_ok=True)
