"""How much a first search query downloads, and what the index costs to build.

    python benchmarks/search_size.py /tmp/build-site-bench/catalogue-100000

Builds the search index of a catalogue in memory (as build-site does), then
replays what search.js fetches for some queries: the manifest, one shard per
query word (plus the exact-name shard), and the doc chunks of the first 20
results.  Prints JSON.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from site_builder.catalogue import load_catalogue  # noqa: E402
from site_builder.derive import derive  # noqa: E402
from site_builder.search import SearchIndex, exact_key, search_doc, shard_key, tokenize  # noqa: E402

QUERIES = ["get", "create issue", "delete", "generate video", "list_projects", "se", "customer invoice", "数据"]


def shard_for(token: str, keys: set[str]) -> str | None:
    two = shard_key(token)
    if two in keys:
        return two
    head = token[:3]
    if len(head) == 3 and head.isascii() and head.isalnum() and head in keys:
        return head
    return two + "~" if two + "~" in keys else None


def main() -> None:
    catalogue = derive(load_catalogue(Path(sys.argv[1]), jobs=2))
    started = time.monotonic()
    index = SearchIndex()
    for entry in catalogue.tools:
        index.add(search_doc(entry))
    files = dict(index.files())
    seconds = time.monotonic() - started
    manifest = json.loads(files["manifest.json"])
    keys = set(manifest["shards"])
    sizes = {path: len(text.encode()) for path, text in files.items()}
    print(json.dumps({"tools": manifest["docs"], "index_seconds": round(seconds, 2), "files": len(files),
                      "index_mb": round(sum(sizes.values()) / 1e6, 1),
                      "largest_shard_kb": round(max(v for k, v in sizes.items() if k.startswith("shards/")) / 1e3),
                      "manifest_kb": round(sizes["manifest.json"] / 1e3)}))
    for query in QUERIES:
        wanted = {"manifest.json"}
        ids: set[int] | None = None
        for token in tokenize(query):
            key = shard_for(token, keys)
            if key is None:
                ids = set()
                continue
            wanted.add(f"shards/{key}.json")
            shard = json.loads(files[f"shards/{key}.json"])
            found: set[int] = set()
            for word, (names, texts) in shard.items():
                if word.startswith(token):
                    for postings in (names, texts):
                        value = 0
                        for delta in postings:
                            value += delta
                            found.add(value // 64)
            ids = found if ids is None else ids & found
        whole = shard_for(exact_key(query), keys)
        if whole:
            wanted.add(f"shards/{whole}.json")
        for doc in sorted(ids or ())[:20]:  # search.js shows 20 results first
            wanted.add(f"docs/{doc // manifest['chunk']}.json")
        print(json.dumps({"query": query, "results": len(ids or ()),
                          "first_query_kb": round(sum(sizes[path] for path in wanted) / 1e3),
                          "files_fetched": len(wanted)}))


if __name__ == "__main__":
    main()
