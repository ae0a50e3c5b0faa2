"""Per-server parts of the large site-wide files, kept in the cache folder.

A server's record in catalogue.json, its section of llms-full.txt and its
search documents are made by the worker that renders the server and written
to `<cache>/parts/<key>.part`, where the key is a digest of the build context
and the server file's content.  The parent process never holds them: it
streams them, in site order, into catalogue.json, llms-full.txt and the
search index.  An unchanged server's part is reused by later builds as it is.

A part file is one JSON header line `[format, catalogue bytes, llms bytes]`
followed by the two texts as they go into the site, then the search documents
as JSON.  Parts are written to a temporary name and renamed into place, so a
part is whole or absent; one that does not read back is treated as absent.
Nothing in a part is ever executed or used as a path.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .index import SearchDoc
from ..content.models import CATEGORY_ORDER, RISK_ORDER

PART_FORMAT = 1
_RISK_INDEX = {risk: index for index, risk in enumerate(RISK_ORDER)}
_CATEGORY_INDEX = {category: index for index, category in enumerate(CATEGORY_ORDER)}

RawDoc = list[Any]  # [name tokens, text tokens, record, risk index, category index]


@dataclass(frozen=True)
class ServerPart:
    """A server's share of catalogue.json, llms-full.txt and the search index."""

    catalogue_json: bytes  # its record in catalogue.json, tools included (UTF-8, as it goes into the file)
    llms_full: bytes  # its section of llms-full.txt (UTF-8)
    docs: tuple[RawDoc, ...]  # its search documents, in tool order

    @classmethod
    def of(cls, catalogue_json: str, llms_full: str, docs: Iterable[SearchDoc]) -> ServerPart:
        return cls(catalogue_json.encode("utf-8"), llms_full.encode("utf-8"), tuple(
            [list(d.name_tokens), list(d.text_tokens), list(d.record), _RISK_INDEX[d.risk],
             _CATEGORY_INDEX[d.category]] for d in docs))

    def encode(self) -> bytes:
        catalogue, llms = self.catalogue_json, self.llms_full
        docs = json.dumps(self.docs, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        header = json.dumps([PART_FORMAT, len(catalogue), len(llms)]).encode("ascii")
        return b"".join((header, b"\n", catalogue, llms, docs))

    @classmethod
    def decode(cls, raw: bytes) -> ServerPart | None:
        """The part in `raw`, or None if it is not a whole part of this format."""
        end = raw.find(b"\n")
        try:
            version, catalogue_size, llms_size = json.loads(raw[:end])
            if version != PART_FORMAT or end < 0:
                return None
            start = end + 1
            middle = start + catalogue_size
            docs_start = middle + llms_size
            docs = json.loads(raw[docs_start:])
            if not isinstance(docs, list) or len(raw) < docs_start:
                return None
            return cls(raw[start:middle], raw[middle:docs_start], tuple(docs))
        except (ValueError, TypeError):
            return None


def part_key(context: str, file_hash: str) -> str:
    """The key of a server's part: the same inputs always give the same part."""
    return hashlib.sha256(f"{PART_FORMAT}\n{context}\n{file_hash}".encode()).hexdigest()[:40]


class PartStore:
    """The parts folder of a cache; safe to use from several processes at once."""

    def __init__(self, cache_dir: Path) -> None:
        self.folder = cache_dir / "parts"

    def _path(self, key: str) -> str:
        if len(key) != 40 or not key.isalnum():
            raise ValueError(f"not a part key: {key!r}")
        return os.path.join(self.folder, key + ".part")

    def has(self, key: str) -> bool:
        return os.path.isfile(self._path(key))

    def write(self, key: str, part: ServerPart) -> None:
        os.makedirs(self.folder, exist_ok=True)
        target = self._path(key)
        temporary = f"{target}.{secrets.token_hex(4)}.tmp"
        with open(temporary, "wb") as handle:
            handle.write(part.encode())
        os.replace(temporary, target)

    def read(self, key: str) -> ServerPart | None:
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
