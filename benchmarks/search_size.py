"""How much a first search query downloads, and what the index costs to build.

    python benchmarks/search_size.py /tmp/build-site-bench/catalogue-100000

Builds the search index of a catalogue in memory (as build-site does), then
replays what search.js fetches for some queries, typos included: the
manifest, each query word's shard, for a word with no exact or prefix match
its corrections (the typo vocabulary files and the shards of the best
candidates), the exact-name shard, and the doc chunks of the first 20
results in search.js's order.  Prints JSON: one line for the index, one per
query.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from site_builder.content.catalogue import load_catalogue  # noqa: E402
from site_builder.derive import derive  # noqa: E402
from site_builder.views.search import STOPWORDS, SearchIndex, exact_key, search_doc, shard_key, tokenize  # noqa: E402
from site_builder.views.search_typos import fuzzy_keys, fuzzy_match  # noqa: E402

QUERIES = ["get", "create issue", "delete", "generate video", "list_projects", "se", "customer invoice", "数据",
           # typos: a letter missing, swapped, wrong, extra; in the first letters too
           "refnd", "rfund", "custmer invoce", "genrate vidoe", "dleete", "xreate issue", "invoicce"]
NAME, TEXT = 3, 1
EXACT, PREFIX, FUZZY_WORD, FUZZY_PREFIX = 2, 1, 0.7, 0.5
EXTRA_SHARDS = 2
SHOWN = 20


def shard_for(token: str, keys: set[str]) -> str | None:
    two = shard_key(token)
    if two in keys:
        return two
    head = token[:3]
    if len(head) == 3 and head.isascii() and head.isalnum() and head in keys:
        return head
    return two + "~" if two + "~" in keys else None


class Replay:
    """search.js's query, fetching from the built files and counting what it fetched."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files
        self.manifest = json.loads(files["manifest.json"])
        self.keys = set(self.manifest["shards"])
        self.fetched: set[str] = set()
        self._parsed: dict[str, Any] = {}

    def get(self, path: str) -> Any:
        self.fetched.add(path)
        if path not in self._parsed:
            self._parsed[path] = json.loads(self.files[path])
        return self._parsed[path]

    def collect(self, shard: dict[str, list[list[int]]], found: dict[int, float],
                weigh: Callable[[str], float]) -> bool:
        any_word = False
        for word, (names, texts) in shard.items():
            if word.endswith("="):
                continue
            weight = weigh(word)
            if not weight:
                continue
            any_word = True
            for deltas, score in ((names, NAME * weight), (texts, TEXT * weight)):
                value = 0
                for delta in deltas:
                    value += delta
                    found[value] = max(found.get(value, 0), score)
        return any_word

    def term(self, token: str) -> dict[int, float]:
        own = shard_for(token, self.keys)
        shard = self.get(f"shards/{own}.json") if own else None
        found: dict[int, float] = {}
        if shard and self.collect(shard, found, lambda w: EXACT if w == token else PREFIX if w.startswith(token) else 0):
            return found
        if len(token) < self.manifest["fuzzy_min"] or any(ch.isdigit() for ch in token):
            return found

        def fuzzy(word: str) -> float:
            quality = fuzzy_match(token, word)
            return FUZZY_WORD if quality == 2 else FUZZY_PREFIX if quality == 1 else 0

        if shard and self.collect(shard, found, fuzzy):
            return found
        best: dict[str, int] = {}
        listed = set(self.manifest["fuzzy"])
        for key in sorted(fuzzy_keys(token) & listed):
            for word in self.get(f"fuzzy/{key}.json"):
                quality = fuzzy_match(token, word)
                other = shard_for(word, self.keys) if quality else None
                if other and other != own:
                    rank = quality * 100 - abs(len(word) - len(token)) - (len(word) < len(token))
                    best[other] = max(best.get(other, -1 << 30), rank)
        for other in sorted(best, key=lambda k: (-best[k], k))[:EXTRA_SHARDS]:
            self.collect(self.get(f"shards/{other}.json"), found, fuzzy)
        return found

    def query(self, text: str) -> list[int]:
        """The doc ids of the results, best first (or [] when search.js asks for more letters)."""
        tokens = tokenize(text)
        if not tokens or any(len(t) < 3 and shard_key(t) not in self.keys for t in tokens):
            return []
        scores: dict[int, float] | None = None
        for token in tokens:
            found = self.term(token)
            scores = found if scores is None else {c: s + found[c] for c, s in scores.items() if c in found}
        hits = {code // 64: score for code, score in (scores or {}).items()}
        whole = exact_key(text)
        exact_shard = shard_for(whole, self.keys) if len(whole) >= 3 else None
        if exact_shard:
            shard = self.get(f"shards/{exact_shard}.json")
            value = 0
            for delta in shard.get(whole, [[]])[0]:
                value += delta
                if value // 64 in hits:
                    hits[value // 64] += 100
        ranked = sorted(hits, key=lambda doc: (-hits[doc], doc))
        for doc in ranked[:SHOWN]:
            self.get(f"docs/{doc // self.manifest['chunk']}.json")
        return ranked


def main() -> None:
    catalogue = derive(load_catalogue(Path(sys.argv[1]), jobs=2))
    started = time.monotonic()
    index = SearchIndex()
    for entry in catalogue.tools:
        index.add(search_doc(entry))
    files = dict(index.files())
    seconds = time.monotonic() - started
    manifest = json.loads(files["manifest.json"])
    assert set(manifest["stopwords"]) == STOPWORDS
    sizes = {path: len(data) for path, data in files.items()}  # UTF-8 bytes, as written
    print(json.dumps({"tools": manifest["docs"], "index_seconds": round(seconds, 2), "files": len(files),
                      "index_mb": round(sum(sizes.values()) / 1e6, 1),
                      "largest_shard_kb": round(max(v for k, v in sizes.items() if k.startswith("shards/")) / 1e3),
                      "fuzzy_files": sum(1 for k in sizes if k.startswith("fuzzy/")),
                      "fuzzy_kb": round(sum(v for k, v in sizes.items() if k.startswith("fuzzy/")) / 1e3),
                      "largest_fuzzy_kb": round(max((v for k, v in sizes.items() if k.startswith("fuzzy/")),
                                                    default=0) / 1e3, 1),
                      "manifest_kb": round(sizes["manifest.json"] / 1e3)}))
    for query in QUERIES:
        replay = Replay(files)
        replay.get("manifest.json")
        ranked = replay.query(query)
        first = files[f"docs/{ranked[0] // manifest['chunk']}.json"] if ranked else None
        top = json.loads(first)[ranked[0] % manifest["chunk"]][0] if first else None
        print(json.dumps({"query": query, "results": len(ranked), "top": top,
                          "first_query_kb": round(sum(sizes[path] for path in replay.fetched) / 1e3),
                          "files_fetched": len(replay.fetched)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
