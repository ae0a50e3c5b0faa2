"""The file format of a pack of parts (part_store.py): a table of each part's key and where its bytes lie,
then the parts; and the tables read so far in this process (a pack never changes once written, so its
table is read once: the parent of an edit asks three times, and a forked process has the parent's)."""

from __future__ import annotations

import os
import struct
from typing import Iterable, NamedTuple

_MAGIC = b"build-site parts\n"
_COUNT = struct.Struct(">I")
_ENTRY = struct.Struct(">40sQQ")  # key, offset from the pack's start, size


class Location(NamedTuple):
    pack: str  # the pack's file name
    offset: int
    size: int


_TABLES: dict[str, list[tuple[str, Location]] | None] = {}  # by pack path: a pack never changes once written


def table(path: str) -> list[tuple[str, Location]] | None:
    """The keys of a pack and where their parts lie, or None if it is not a whole pack."""
    if path not in _TABLES:
        _TABLES[path] = _read_table(path)
    return _TABLES[path]


def _read_table(path: str) -> list[tuple[str, Location]] | None:
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(_MAGIC) + _COUNT.size)
            if len(head) < len(_MAGIC) + _COUNT.size or not head.startswith(_MAGIC):
                return None
            (count,) = _COUNT.unpack_from(head, len(_MAGIC))
            raw_table = handle.read(count * _ENTRY.size)
            size = os.fstat(handle.fileno()).st_size
    except OSError:
        return None
    if len(raw_table) != count * _ENTRY.size:
        return None
    name = os.path.basename(path)
    entries = [(key.decode("ascii", "replace"), Location(name, offset, length))
               for key, offset, length in _ENTRY.iter_unpack(raw_table)]  # a key made up is never asked for
    return entries if all(offset + length <= size for _, (_, offset, length) in entries) else None


def remember(path: str, entries: list[tuple[str, Location]]) -> None:
    """The table of a pack this process wrote (not read back)."""
    _TABLES[path] = entries


def forget_tables(folder: str, present: Iterable[str]) -> None:
    """Forget the tables of the packs of `folder` not `present` (deleted): a long `serve` keeps no more."""
    keep = {os.path.join(folder, name) for name in present}
    for path in [path for path in _TABLES if os.path.dirname(path) == folder and path not in keep]:
        del _TABLES[path]


def pack(parts: list[tuple[str, bytes]]) -> tuple[bytes, list[tuple[str, int, int]]]:
    """A pack of encoded parts (key, bytes), and where each part lies in it (key, offset, size)."""
    offset = len(_MAGIC) + _COUNT.size + len(parts) * _ENTRY.size
    spots = []
    for key, data in parts:
        spots.append((key, offset, len(data)))
        offset += len(data)
    entries = (_ENTRY.pack(key.encode("ascii"), at, size) for key, at, size in spots)
    return b"".join((_MAGIC, _COUNT.pack(len(parts)), *entries, *(data for _, data in parts))), spots
