"""A static, sharded search index that stays small per query at any catalogue size.

Files under `search/`:

* `manifest.json`: format version, doc count, chunk size, the shard keys, the
  description words too common to index (`common`: names still match them),
  (token prefixes of 2 characters, split into 3-character shards when a shard
  grows past SHARD_BYTES), and the risk/category orders.
* `shards/<key>.json`: `{token: [name postings, other postings]}`, postings
  delta-encoded.  A posting is `doc_id * 64 + risk * 8 + category`, so the
  risk and category filters run on postings alone, without doc records.
* `docs/<n>.json`: display records for docs `n*CHUNK ... n*CHUNK+CHUNK-1`.
* `fuzzy/<key>.json`: the typo vocabulary, a sorted list of the indexed words
  whose `fuzzy_keys` include `<key>` (the manifest lists the keys).

A query fetches the manifest, one shard per query word and the doc chunks
of the results it shows.  Tokenization here and in `search.js` agree:
camelCase and snake_case split, NFKC, lowercase, runs of letters and digits.

Typos: search_typos.py.
"""

from __future__ import annotations

import itertools
import operator
import re
import unicodedata
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Mapping, Sequence

import orjson

from ..derive import ServerEntry, ToolEntry
from .index import SearchDoc
from .parts import RawDoc, raw_doc
from .search_typos import FUZZY_MIN, fuzzy_keys
from ..content.models import CATEGORY_ORDER, RISK_ORDER

FORMAT = 2
CHUNK = 32
SHARD_BYTES = 120_000
MAX_TEXT_TOKENS = 60
COMMON_SHARE = 0.05  # a description word in more than 5% of tools (and 1,000 of them) is too common to index
COMMON_MIN_DOCS = 1000
STOPWORDS = frozenset("a an and are as at be by for from in into is it its of on or that the this to with you your".split())
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_WORD = re.compile(r"[^\W_]+")


def tokenize(text: str | None) -> list[str]:
    if not text:
        return []
    text = unicodedata.normalize("NFKC", _CAMEL.sub(r"\1 \2", text)).lower()
    return [word for word in _WORD.findall(text) if len(word) >= 2 and word not in STOPWORDS]


def exact_key(text: str) -> str:
    """A whole name as one token (NFKC, lowercase, trimmed, then `=`): the exact-match bonus.

    The `=` keeps it apart from word tokens ("delete=" is the tool named delete,
    "delete" any tool with the word) while it stays in the same prefix shard."""
    return unicodedata.normalize("NFKC", text).lower().strip() + "="


def search_doc(entry: ToolEntry) -> SearchDoc:
    """What the index needs of one tool: its name and text tokens and its display record."""
    name_tokens = set(tokenize(entry.name))
    full_name = exact_key(entry.name)
    if len(full_name) >= 3:
        name_tokens.add(full_name)  # lets an exact full-name query rank first
    text = " ".join(part for part in (entry.tool.title, entry.server.data.server.name, entry.server.slug,
                                      entry.tool.description) if part)
    text_tokens = set(tokenize(text)[:MAX_TEXT_TOKENS]) - name_tokens
    snippet = " ".join((entry.tool.description or "").split())[:100]
    return SearchDoc(tuple(sorted(name_tokens)), tuple(sorted(text_tokens)),
                     (entry.name, entry.server.data.server.name, entry.url, entry.risk.value, entry.category.value, snippet),
                     entry.risk, entry.category)


def search_docs(server: ServerEntry) -> tuple[SearchDoc, ...]:
    return tuple(search_doc(entry) for entry in server.tools)


def shard_key(token: str, length: int = 2) -> str:
    head = token[:length]
    if head.isascii() and head.isalnum():
        return head
    return f"x{ord(token[0]) % 64:02d}"  # non-ASCII: 64 hash buckets by first character


@dataclass
class SearchIndex:
    """Accumulates postings; written out by :meth:`files`."""

    name_postings: dict[str, array[int]] = field(default_factory=lambda: defaultdict(lambda: array("Q")))
    text_postings: dict[str, array[int]] = field(default_factory=lambda: defaultdict(lambda: array("Q")))
    docs: list[list[str]] = field(default_factory=list)

    def add(self, doc: SearchDoc) -> None:
        self.add_raw(raw_doc(doc))

    def add_raw(self, doc: RawDoc) -> None:
        """Add a document as a server part stores it (parts.RawDoc)."""
        name_words, exact, text_words, record, risk, category = doc
        code = len(self.docs) * 64 + risk * 8 + category
        name_postings, text_postings = self.name_postings, self.text_postings
        for token in name_words.split():
            name_postings[token].append(code)
        if exact:
            name_postings[exact].append(code)
        for token in text_words.split():
            text_postings[token].append(code)
        self.docs.append(record)

    def common_words(self) -> set[str]:
        """Description words so frequent that they work like stopwords (names still match)."""
        return common_words(self.text_postings, len(self.docs))

    def _shards(self, common: set[str]) -> dict[str, dict[str, list[list[int]]]]:
        return shards_of(sorted(set(self.name_postings) | set(self.text_postings)), self.name_postings,
                         self.text_postings, common)

    def _vocabulary(self, common: set[str]) -> dict[str, list[str]]:
        """The typo vocabulary: every word that finds something, under each of its fuzzy keys."""
        lists: dict[str, list[str]] = defaultdict(list)
        for token in sorted(set(self.name_postings) | (set(self.text_postings) - common)):
            for key in fuzzy_keys(token):
                lists[key].append(token)
        return lists

    def files(self) -> Iterator[tuple[str, bytes]]:
        """(path under search/, JSON text) for every index file, manifest last."""
        common = self.common_words()
        shards = self._shards(common)
        for key, tokens in sorted(shards.items()):
            yield f"shards/{key}.json", _dump(tokens)
        for start in range(0, len(self.docs), CHUNK):
            yield f"docs/{start // CHUNK}.json", _dump(self.docs[start:start + CHUNK])
        vocabulary = self._vocabulary(common)
        for key, words in sorted(vocabulary.items()):
            yield f"fuzzy/{key}.json", _dump(words)
        yield "manifest.json", manifest_json(len(self.docs), shards, common, vocabulary)


def common_words(text_postings: Mapping[str, Sequence[int]], docs: int) -> set[str]:
    """The description words in more than COMMON_SHARE of `docs` documents (and COMMON_MIN_DOCS)."""
    limit = max(COMMON_MIN_DOCS, int(docs * COMMON_SHARE))
    return {token for token, postings in text_postings.items() if len(postings) > limit}


def shards_of(tokens: Iterable[str], name_postings: Mapping[str, Sequence[int]],
              text_postings: Mapping[str, Sequence[int]], common: set[str]) -> dict[str, dict[str, list[list[int]]]]:
    """The shard files (by key) of `tokens`, in order: each token's postings, delta-encoded."""
    shards: dict[str, dict[str, list[list[int]]]] = defaultdict(dict)
    for token in tokens:
        text = None if token in common else text_postings.get(token)
        shards[shard_key(token)][token] = [_deltas(name_postings.get(token)), _deltas(text)]
    return _split_large(shards)


def manifest_json(docs: int, shards: Iterable[str], common: Iterable[str], fuzzy: Iterable[str]) -> bytes:
    """The manifest of an index of `docs` documents, with these shard keys, common words and vocabulary keys."""
    return _dump({"format": FORMAT, "docs": docs, "chunk": CHUNK, "shards": sorted(shards),
                  "risks": [r.value for r in RISK_ORDER], "categories": [c.value for c in CATEGORY_ORDER],
                  "stopwords": sorted(STOPWORDS), "common": sorted(common), "fuzzy": sorted(fuzzy),
                  "fuzzy_min": FUZZY_MIN})


def _deltas(postings: Sequence[int] | None) -> list[int]:
    """Each posting less the one before it (the first as it is), computed in C."""
    if not postings:
        return []
    return [postings[0], *map(operator.sub, itertools.islice(postings, 1, None), postings)]


def _size(tokens: dict[str, list[list[int]]]) -> int:
    """The shard's JSON size, closely estimated (deltas average about six digits and a comma)."""
    return sum(len(token.encode()) + 10 + 7 * (len(a) + len(b)) for token, (a, b) in tokens.items())


def _split_large(shards: dict[str, dict[str, list[list[int]]]]) -> dict[str, dict[str, list[list[int]]]]:
    """Split 2-character shards above SHARD_BYTES into 3-character ones.

    Tokens whose first three characters are not ASCII letters or digits (and
    two-character tokens) go to the `<key>~` shard."""
    out: dict[str, dict[str, list[list[int]]]] = {}
    for key, tokens in shards.items():
        if len(key) != 2 or _size(tokens) <= SHARD_BYTES or key.startswith("x"):
            out[key] = tokens
            continue
        for token, postings in tokens.items():
            head = token[:3]
            sub = head if len(head) == 3 and head.isascii() and head.isalnum() else key + "~"
            out.setdefault(sub, {})[token] = postings
    return out


def _dump(value: object) -> bytes:
    """Compact UTF-8 JSON (orjson: what `json.dumps(ensure_ascii=False, separators=(",", ":"))` writes, faster)."""
    return orjson.dumps(value)


def write_index(index: SearchIndex, write: Callable[[str, bytes], None]) -> int:
    """Write the index through `write(path, text)`; return the number of files."""
    count = 0
    for path, text in index.files():
        write(f"search/{path}", text)
        count += 1
    return count
