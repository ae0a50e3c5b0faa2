"""The parts folder of the build cache: each server's part (views/parts.py), by key.

The key is a digest of the build context, the server file's content and the
attack patterns its tools are exposed to (units.ServerInputs.part_key), so an
unchanged server's part is reused by later builds as it is.  Parts are
written to `<cache>/parts/<key>.part` by the cache's one atomic writer
(store.py), so a part is whole or absent; one that does not read back is
treated as absent.
"""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path
from typing import Iterable

from ..views.parts import ServerPart
from .store import write_atomic

_KEY = re.compile(r"[0-9A-Za-z]{40}")  # letters and digits (units.part_key makes 40 hex digits)


class PartStore:
    """The parts folder of a cache; safe to use from several processes at once."""

    def __init__(self, cache_dir: Path) -> None:
        self.folder = cache_dir / "parts"

    def _path(self, key: str) -> str:
        if not _KEY.fullmatch(key):
            raise ValueError(f"not a part key: {key!r}")
        return os.path.join(self.folder, key + ".part")

    def has(self, key: str) -> bool:
        return os.path.isfile(self._path(key))

    def missing(self, keys: Iterable[str]) -> set[str]:
        """The keys of `keys` with no part here: from one listing of the folder, not a call to the disk each."""
        wanted = set(keys)
        for key in itertools.filterfalse(_KEY.fullmatch, wanted):
            raise ValueError(f"not a part key: {key!r}")
        try:
            present = {name[:-len(".part")] for name in os.listdir(self.folder) if name.endswith(".part")}
        except FileNotFoundError:
            present = set()
        return wanted - present

    def write(self, key: str, part: ServerPart) -> None:
        write_atomic(self._path(key), part.encode())

    def read(self, key: str) -> ServerPart | None:
        """The part kept as `key`, or None."""
        try:
            with open(self._path(key), "rb") as handle:
                return ServerPart.decode(handle.read())
        except OSError:
            return None

    def prune(self, keep: Iterable[str]) -> None:
        """Delete parts (and stray temporary files) no longer used by the cache's current builds."""
        wanted = {key + ".part" for key in keep}
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return
        for name in names:
            if name not in wanted and (name.endswith(".part") or name.endswith(".tmp")):
                try:
                    os.unlink(os.path.join(self.folder, name))
                except FileNotFoundError:
                    pass
