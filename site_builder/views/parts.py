"""A server's part: its share of the large site-wide files, and the bytes it is kept as.

A server's record in catalogue.json, its section of llms-full.txt and its
search documents are made by the worker that renders the server
(site_files.server_part) and kept in the build cache (build/part_store.py).
A process of the build's own streams them, in site order, into
catalogue.json, llms-full.txt and the search index; the parent reads only
the parts of the few servers whose tools the feed shows (feed_texts).

A part is encoded as one JSON header line `[format, catalogue bytes, llms
bytes]` followed by the two texts as they go into the site, then the search
documents as JSON (RawDoc: their words joined by spaces, which JSON decodes
and `str.split` splits several times faster than lists of strings, read for
every server by every build); one that does not decode is treated as
absent.  Nothing in a part is ever executed or used as a path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import orjson

from ..content.models import CATEGORY_ORDER, RISK_ORDER
from ..render.render import plain
from .index import FEED_TEXT_LIMIT, SearchDoc

PART_FORMAT = 3
_RISK_INDEX = {risk: index for index, risk in enumerate(RISK_ORDER)}
_CATEGORY_INDEX = {category: index for index, category in enumerate(CATEGORY_ORDER)}

# [name words, exact name key or "", text words, record, risk index, category index]; the words (search.tokenize:
# runs of letters and digits) joined by single spaces; the exact key (search.exact_key) may hold any character.
RawDoc = list[Any]


def raw_doc(doc: SearchDoc) -> RawDoc:
    """A search document as a part keeps it (SearchIndex.add_raw reads it)."""
    exact = [token for token in doc.name_tokens if token.endswith("=")]  # a word never holds "="
    words = [token for token in doc.name_tokens if not token.endswith("=")]
    return [" ".join(words), exact[0] if exact else "", " ".join(doc.text_tokens), list(doc.record),
            _RISK_INDEX[doc.risk], _CATEGORY_INDEX[doc.category]]


@dataclass(frozen=True)
class ServerPart:
    """A server's share of catalogue.json, llms-full.txt and the search index."""

    catalogue_json: bytes  # its record in catalogue.json, tools included (UTF-8, as it goes into the file)
    llms_full: bytes  # its section of llms-full.txt (UTF-8)
    docs: tuple[RawDoc, ...]  # its search documents, in tool order

    @classmethod
    def of(cls, catalogue_json: str, llms_full: str, docs: Iterable[SearchDoc]) -> ServerPart:
        return cls(catalogue_json.encode("utf-8"), llms_full.encode("utf-8"), tuple(raw_doc(d) for d in docs))

    def encode(self) -> bytes:
        catalogue, llms = self.catalogue_json, self.llms_full
        docs = orjson.dumps(self.docs)
        header = orjson.dumps([PART_FORMAT, len(catalogue), len(llms)])
        return b"".join((header, b"\n", catalogue, llms, docs))

    @classmethod
    def decode(cls, raw: bytes) -> ServerPart | None:
        """The part in `raw`, or None if it is not a whole part of this format."""
        end = raw.find(b"\n")
        try:
            version, catalogue_size, llms_size = orjson.loads(raw[:end])
            if version != PART_FORMAT or end < 0:
                return None
            start = end + 1
            middle = start + catalogue_size
            docs_start = middle + llms_size
            if len(raw) < docs_start:
                return None
            documents = orjson.loads(raw[docs_start:])  # twice the speed of json's
            if not isinstance(documents, list):
                return None
            return cls(raw[start:middle], raw[middle:docs_start], tuple(documents))
        except (ValueError, TypeError):
            return None


def feed_texts(part: ServerPart) -> tuple[str, ...] | None:
    """The feed's text of each of the server's tools (its description as plain text), from its record in the
    part (None: a part not of the shape this code writes, to be made again)."""
    try:
        tools = orjson.loads(part.catalogue_json)["tools"]
        descriptions = [tool["description"] for tool in tools] if isinstance(tools, list) else None
    except (ValueError, TypeError, KeyError):
        return None
    if descriptions is None or not set(map(type, descriptions)) <= {str, type(None)}:
        return None
    return tuple(plain(description, FEED_TEXT_LIMIT) for description in descriptions)
