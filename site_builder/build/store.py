"""The build cache folder: one store for every file in it, with one format version and one way to write.

Every file is written whole or not at all (`write_atomic`: a temporary file
of a unique name beside it, renamed into place), so processes may write at
once and a killed build leaves no half file.  JSON files carry the format
version; one of another version, or one that does not read back, is absent.
JSON, never pickle: a cache folder restored by CI must not be able to run
code.  What each file holds: cache.py (summaries, file hashes, output
manifests, the last build, the theme's chrome) and part_store.py (parts).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import orjson

CACHE_FORMAT = 12  # of every file of the cache: a change to any of them changes it, and the old files are ignored


def write_atomic(path: Path | str, data: bytes) -> None:
    """Write `data` to `path` whole or not at all (the one way anything in the cache is written)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{secrets.token_hex(4)}.tmp"
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise



def path_key(path: Path) -> str:
    """How the cache names a folder: absolute, without `.` and `..` (not as typed: the same from any working
    folder)."""
    return os.path.abspath(path)


class CacheStore:
    """The files of one cache folder, by name relative to it (`summaries/07.json`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, name: str) -> Path:
        return self.folder / name

    def write_json(self, name: str, value: dict[str, Any]) -> None:
        """Compact UTF-8 JSON, by orjson: the cache of 100k tools holds 80 MB of it (summaries, the output
        manifest), which orjson encodes about three times and decodes about twice as fast as `json`."""
        write_atomic(self.path(name), orjson.dumps({"format": CACHE_FORMAT, **value}))

    def read_json(self, name: str) -> dict[str, Any] | None:
        """The object saved as `name` in this format, or None (absent, damaged or of another format)."""
        data = self.read_bytes(name)
        try:
            value = orjson.loads(data) if data is not None else None
        except ValueError:  # orjson.JSONDecodeError is one
            return None
        return value if isinstance(value, dict) and value.get("format") == CACHE_FORMAT else None

    def write_bytes(self, name: str, data: bytes) -> None:
        write_atomic(self.path(name), data)

    def read_bytes(self, name: str) -> bytes | None:
        try:
            with open(self.path(name), "rb") as handle:
                return handle.read()
        except OSError:
            return None

    def names(self, folder: str, suffix: str) -> list[str]:
        """The names of the files of a subfolder that end in `suffix` (temporary files included if asked), sorted."""
        try:
            found = os.listdir(self.path(folder))
        except (FileNotFoundError, NotADirectoryError):
            return []
        return sorted(f"{folder}/{name}" for name in found if name.endswith(suffix))

    def promote(self, name: str, to: str) -> None:
        """Make the file `name` the file `to` (at once); if there is no `name`, there is no `to` either."""
        try:
            os.replace(self.path(name), self.path(to))
        except FileNotFoundError:
            self.remove(to)

    def remove(self, name: str) -> None:
        try:
            os.unlink(self.path(name))
        except FileNotFoundError:
            pass
