"""The parts folder of the build cache: each server's part (views/parts.py), by key, in packs.

The key is a digest of the build context, the server file's content and the
attack patterns its tools are exposed to (units.ServerInputs.part_key), so an
unchanged server's part is reused by later builds as it is.

Parts are kept in packs of up to PACK_PARTS, `<cache>/parts/<random>.pack`,
each written whole by the cache's one atomic writer (store.py): a pack is
whole or absent, and once written it never changes.  A pack starts with its
table (each part's key, and where its bytes lie), so the parts present are
known from the tables alone.  With a file a part, a cold build of 100k tools
created 10k files, and on some disks creating a file costs 0.1-0.7 ms of
system time (this project's VM, right after large deletes: ext4's online
discard); a pack of 64 parts costs one.  A part, or a pack, that does not
read back is treated as absent.  `prune` drops the packs no part of the
build uses, and writes anew those mostly unused, and the small ones once
they are many.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from types import TracebackType
from typing import Iterable

from ..views.parts import ServerPart
from .pack_file import Location, forget_tables, pack, remember, table
from .store import write_atomic

_KEY = re.compile(r"[0-9A-Za-z]{40}")  # letters and digits (units.part_key makes 40 hex digits)
PACK_PARTS = 64  # parts a pack holds at most
PACK_BYTES = 8 << 20  # bytes of parts after which a pack is written, even if it holds fewer
SMALL_PACKS = 8  # packs of fewer than PACK_PARTS // 4 parts that prune merges into one once there are as many


def _check_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise ValueError(f"not a part key: {key!r}")
    return key


class PartStore:
    """The parts folder of a cache; safe to use from several processes at once.  What it holds is read
    from the packs' tables once, when first asked, and kept up to date with what this store writes."""

    def __init__(self, cache_dir: Path) -> None:
        self.folder = cache_dir / "parts"
        self._where: dict[str, Location] | None = None

    def _pack_names(self) -> list[str]:
        try:
            names = sorted(name for name in os.listdir(self.folder) if name.endswith(".pack"))
        except FileNotFoundError:
            names = []
        forget_tables(str(self.folder), names)
        return names

    def _locations(self) -> dict[str, Location]:
        if self._where is None:
            self._where = {}
            for name in self._pack_names():
                for key, location in table(os.path.join(self.folder, name)) or ():
                    self._where.setdefault(key, location)
        return self._where

    def has(self, key: str) -> bool:
        return _check_key(key) in self._locations()

    def missing(self, keys: Iterable[str]) -> set[str]:
        """The keys of `keys` with no part here."""
        wanted = {_check_key(key) for key in keys}
        return wanted - self._locations().keys()

    def read(self, key: str) -> ServerPart | None:
        """The part kept as `key`, or None."""
        raw = self._raw(_check_key(key))
        return None if raw is None else ServerPart.decode(raw)

    def _raw(self, key: str) -> bytes | None:
        location = self._locations().get(key)
        if location is None:
            return None
        try:
            with open(os.path.join(self.folder, location.pack), "rb") as handle:
                handle.seek(location.offset)
                raw = handle.read(location.size)
        except OSError:
            return None
        return raw if len(raw) == location.size else None

    def write(self, key: str, part: ServerPart) -> None:
        """Keep one part (in a pack of its own: a writer packs many)."""
        with self.writer() as writer:
            writer.add(key, part)

    def writer(self) -> PackWriter:
        return PackWriter(self)

    def _write_pack(self, parts: list[tuple[str, bytes]]) -> None:
        name = secrets.token_hex(8) + ".pack"
        data, spots = pack(parts)
        write_atomic(os.path.join(self.folder, name), data)
        entries = [(key, Location(name, offset, size)) for key, offset, size in spots]
        remember(os.path.join(self.folder, name), entries)
        where = self._locations()
        for key, location in entries:
            where.setdefault(key, location)

    def prune(self, keep: Iterable[str]) -> None:
        """Delete the packs (and stray temporary files, and parts of older formats) that hold no part of
        `keep`, the keys the build uses; write anew, in full packs, the parts of `keep` held by packs
        mostly of other parts, and by small packs once there are SMALL_PACKS of them."""
        wanted, seen = set(keep), set()
        remake: list[tuple[str, list[str]]] = []  # (pack, its keys to keep)
        small: list[tuple[str, list[str]]] = []
        for name in self._pack_names():
            entries = table(os.path.join(self.folder, name)) or []
            live = [key for key, _ in entries if key in wanted and key not in seen]
            seen.update(live)
            if not live:
                self._remove(name)
            elif 2 * len(live) < len(entries):
                remake.append((name, live))
            elif len(entries) < PACK_PARTS // 4:
                small.append((name, live))
        if len(small) >= SMALL_PACKS:
            remake += small
        if remake:
            self._repack(remake)
        self._remove_strays()

    def _repack(self, packs: list[tuple[str, list[str]]]) -> None:
        """Write the parts of `packs` into new packs, then delete the old ones."""
        self._where = None
        with self.writer() as writer:
            for _, keys in packs:
                for key in keys:
                    raw = self._raw(key)
                    if raw is not None:
                        writer.add_encoded(key, raw)
        for name, _ in packs:
            self._remove(name)
        self._where = None

    def _remove(self, name: str) -> None:
        try:
            os.unlink(os.path.join(self.folder, name))
        except FileNotFoundError:
            pass

    def _remove_strays(self) -> None:
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return
        for name in names:
            if name.endswith(".tmp") or name.endswith(".part"):
                self._remove(name)


class PackWriter:
    """Parts gathered into packs: a pack is written once it holds PACK_PARTS parts or PACK_BYTES bytes,
    and the rest when the writer is closed (as a context manager: not after an error)."""

    def __init__(self, store: PartStore) -> None:
        self.store = store
        self.pending: dict[str, bytes] = {}
        self.bytes = 0

    def __contains__(self, key: str) -> bool:
        """Whether the part of `key` is kept, or about to be."""
        return key in self.pending or self.store.has(key)

    def add(self, key: str, part: ServerPart) -> None:
        self.add_encoded(_check_key(key), part.encode())

    def add_encoded(self, key: str, data: bytes) -> None:
        self.pending[key] = data
        self.bytes += len(data)
        if len(self.pending) >= PACK_PARTS or self.bytes >= PACK_BYTES:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.store._write_pack(list(self.pending.items()))
            self.pending, self.bytes = {}, 0

    def __enter__(self) -> PackWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None:
            self.flush()
