"""Server rows: what the files made from the parts need of each server, cached beside the summaries.

A row is a server's file hash, slug, part key and counts: with the rows of
the last build, an edit knows the order and the parts of catalogue.json,
llms-full.txt and the search index as soon as it has loaded the files that
changed, and starts writing them (streams.py) before the 10k cached
summaries of 100k tools are read (0.4 s).  One file, `rows.json`, valid for
one build context and set of attack patterns (which the part keys are made
of); a row is used only for a file of the same content hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from ..content.models import CATEGORY_ORDER, RISK_ORDER
from ..derive import Counts
from .store import CacheStore

if TYPE_CHECKING:  # load.py imports the workers, which import this module's users
    from .load import Catalogue
    from .units import PartInputs

ROWS_FILE = "rows.json"


@dataclass(frozen=True)
class ServerRow:
    file_hash: str
    slug: str
    part_key: str
    counts: Counts


@dataclass(frozen=True)
class StreamInputs:
    """What the files made from the parts are made of: every server's part, in the index's order (by slug),
    and the catalogue's counts, for catalogue.json's head."""

    servers: tuple[tuple[str, str, str], ...]  # (file name, slug, part key), by slug
    counts: Counts

    @classmethod
    def of(cls, rows: Mapping[str, ServerRow]) -> StreamInputs:
        ordered = sorted(rows.items(), key=lambda item: item[1].slug)
        return cls(tuple((name, row.slug, row.part_key) for name, row in ordered),
                   total_counts([row.counts for row in rows.values()]))


def server_rows(catalogue: Catalogue, parts: PartInputs) -> dict[str, ServerRow]:
    """The rows of the servers `parts` has keys for, by file name."""
    return {name: ServerRow(catalogue.file_hashes[name], catalogue.summaries[name].slug, key,
                            catalogue.summaries[name].counts) for name, key in parts.keys.items()}


def total_counts(counts: list[Counts]) -> Counts:
    return Counts(sum(c.tools for c in counts), {category: sum(c.by_category[category] for c in counts)
                                                 for category in CATEGORY_ORDER},
                  {risk: sum(c.by_risk[risk] for c in counts) for risk in RISK_ORDER})


def save_rows(cache_dir: Path, key: str, rows: Mapping[str, ServerRow]) -> None:
    """Keep the rows of this build (`key`: its context and attack patterns)."""
    CacheStore(cache_dir).write_json(ROWS_FILE, {"key": key, "servers": {
        name: [row.file_hash, row.slug, row.part_key, row.counts.tools,
               [row.counts.by_category[c] for c in CATEGORY_ORDER], [row.counts.by_risk[r] for r in RISK_ORDER]]
        for name, row in rows.items()}})


def load_rows(cache_dir: Path, key: str) -> dict[str, ServerRow]:
    """The rows of the last build of this `key`, by file name ({} if none, or damaged)."""
    saved = CacheStore(cache_dir).read_json(ROWS_FILE)
    if saved is None or saved.get("key") != key or not isinstance(saved.get("servers"), dict):
        return {}
    try:
        return {name: _row(*value) for name, value in saved["servers"].items()}
    except (TypeError, ValueError):
        return {}


def _row(file_hash: Any, slug: Any, part_key: Any, tools: Any, categories: Any, risks: Any) -> ServerRow:
    if not (isinstance(file_hash, str) and isinstance(slug, str) and isinstance(part_key, str)
            and isinstance(tools, int) and len(categories) == len(CATEGORY_ORDER) and len(risks) == len(RISK_ORDER)
            and set(map(type, [*categories, *risks])) <= {int}):
        raise ValueError("not a server row")
    return ServerRow(file_hash, slug, part_key, Counts(tools, dict(zip(CATEGORY_ORDER, categories)),
                                                       dict(zip(RISK_ORDER, risks))))
