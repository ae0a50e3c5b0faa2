"""Build cache: skip a build whose inputs did not change.

The digest covers every input of a build: the catalogue files, the
hand-written pages, the templates, mkdocs.yml, the policy defaults and the
builder's own code.  Files are hashed by content (not mtime), so a fresh CI
checkout of the same commit is recognised.  `--clean` ignores the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Iterable

from .writer import is_build_output

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
