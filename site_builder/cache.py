"""Build cache: skip a build whose inputs did not change, redo only what did.

* `last-build.json`: the digest of every input of the last build (catalogue
  files, hand-written pages, templates, mkdocs.yml, policy defaults, the
  builder's own code).  Same digest, same output folder: nothing to do.
* `index.json`: per catalogue file, its content hash, its server summary and
  extras (see index.py), valid for one digest of everything else.  An
  unchanged file is not loaded again.  JSON, never pickle: a cache folder
  restored by CI must not be able to run code.
* `outputs.json`: which files of the kept previous site belong to which
  server, with the digest of that server's page inputs, so the next build
  rewrites only servers whose inputs changed.

Files are hashed by content (not mtime), so a fresh CI checkout of the same
commit is recognised.  `--clean` ignores the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Iterable

from .index import (ServerExtras, ServerSummary, extras_from_json, extras_to_json, summary_from_json,
                    summary_to_json)
from .writer import is_build_output
from .yamlio import iter_yaml_files

STATE_FILE = "last-build.json"
_PACKAGE = Path(__file__).resolve().parent


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


def catalogue_digests(folder: Path) -> dict[str, str]:
    """The content hash of every catalogue file the loader reads, by file name."""
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in iter_yaml_files(folder)}


def _write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(value, handle, ensure_ascii=False, separators=(",", ":"))
    os.replace(temporary, path)


def _read_json(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


INDEX_FILE = "index.json"
CACHE_FORMAT = 1


@dataclass(frozen=True)
class CachedServer:
    file_hash: str
    summary: ServerSummary
    extras: ServerExtras


def load_index_cache(cache_dir: Path, context: str) -> dict[str, CachedServer]:
    """Cached servers by catalogue file name; empty if the cache was made under another `context` digest."""
    saved = _read_json(cache_dir / INDEX_FILE)
    if not isinstance(saved, dict) or saved.get("format") != CACHE_FORMAT or saved.get("context") != context:
        return {}
    try:
        return {name: CachedServer(file_hash, summary_from_json(summary), extras_from_json(extras))
                for name, (file_hash, summary, extras) in saved["servers"].items()}
    except (KeyError, TypeError, ValueError):  # a damaged cache is an empty one
        return {}


def save_index_cache(cache_dir: Path, context: str, servers: dict[str, CachedServer]) -> None:
    _write_json(cache_dir / INDEX_FILE, {
        "format": CACHE_FORMAT, "context": context,
        "servers": {name: [cached.file_hash, summary_to_json(cached.summary), extras_to_json(cached.extras)]
                    for name, cached in sorted(servers.items())}})


OUTPUTS_FILE = "outputs.json"


@dataclass(frozen=True)
class OutputGroup:
    digest: str  # of everything the group's files were made from
    files: dict[str, int]  # path -> size


def load_output_manifest(cache_dir: Path, out: Path, identity: str) -> dict[str, OutputGroup] | None:
    """The file groups of the kept previous build of `out`, if the cache describes that very folder."""
    saved = _read_json(cache_dir / OUTPUTS_FILE)
    if not isinstance(saved, dict):
        return None
    entry = saved.get(str(out.absolute()), {}).get(identity)
    if not isinstance(entry, dict):
        return None
    try:
        return {key: OutputGroup(str(digest), {str(p): int(n) for p, n in files.items()})
                for key, (digest, files) in entry.items()}
    except (TypeError, ValueError, AttributeError):
        return None


def save_output_manifest(cache_dir: Path, out: Path, identity: str, groups: dict[str, OutputGroup]) -> None:
    """Remember the groups of the build about to go live; keeps the entry of the build it replaces."""
    saved = _read_json(cache_dir / OUTPUTS_FILE)
    saved = saved if isinstance(saved, dict) else {}
    previous = saved.get(str(out.absolute()))
    kept = {}
    if isinstance(previous, dict) and previous.get("live") in previous:
        kept = {previous["live"]: previous[previous["live"]]}  # the live build becomes the kept previous one
    saved[str(out.absolute())] = {**kept, "live": identity,
                                  identity: {key: [group.digest, group.files] for key, group in groups.items()}}
    _write_json(cache_dir / OUTPUTS_FILE, saved)
