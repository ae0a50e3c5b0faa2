"""Server rows: what the files made from the parts need of each server, cached beside the summaries.

A row is a server's file hash, slug, part key and counts: with the rows of
the last build, an edit knows the order and the parts of catalogue.json,
llms-full.txt and the search index as soon as it has loaded the files that
changed, and starts writing them (streams.py) before the 10k cached
summaries of 100k tools are read (0.4 s).  Beside the rows, the digest of
each server's unit (units.py) and of the index they were made with: while
the index is unchanged, an unchanged server's unit is too, and its digest
is not made again.  One file, `rows.json`, valid for one build context and
set of attack patterns (which the part keys and unit digests are made of);
a row or digest is used only for a file of the same content hash.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from ..content.models import CATEGORY_ORDER, RISK_ORDER, Category
from ..derive import Counts
from ..views.related import RELATED_LIMIT
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
    def of(cls, rows: Mapping[str, ServerRow], counts: Counts | None = None) -> StreamInputs:
        """From every server's row (`counts`: their sum, if known)."""
        ordered = sorted(rows.items(), key=lambda item: item[1].slug)
        return cls(tuple((name, row.slug, row.part_key) for name, row in ordered),
                   counts or total_counts([row.counts for row in rows.values()]))


def server_rows(catalogue: Catalogue, parts: PartInputs) -> dict[str, ServerRow]:
    """The rows of the servers `parts` has keys for, by file name."""
    return {name: ServerRow(catalogue.file_hashes[name], catalogue.summaries[name].slug, key,
                            catalogue.summaries[name].counts) for name, key in parts.keys.items()}


def total_counts(counts: list[Counts]) -> Counts:
    """The sum of `counts` (column by column, in C)."""
    categories = _column_sums([[c.by_category[key] for key in CATEGORY_ORDER] for c in counts], len(CATEGORY_ORDER))
    risks = _column_sums([[c.by_risk[key] for key in RISK_ORDER] for c in counts], len(RISK_ORDER))
    return Counts(sum(c.tools for c in counts), dict(zip(CATEGORY_ORDER, categories)), dict(zip(RISK_ORDER, risks)))


def _column_sums(table: list[list[int]], columns: int) -> list[int]:
    return [sum(column) for column in zip(*table)] if table else [0] * columns


@dataclass(frozen=True)
class SavedRows:
    """What a build keeps for the next one: every server's row and unit digest, and the index's digest."""

    rows: dict[str, ServerRow]  # by file name
    index: str  # the index's digest (load.Catalogue.index_digest)
    units: dict[str, str]  # by file name: the digest of the server's unit

    def unit_digests(self, rows: Mapping[str, ServerRow], index: str) -> dict[str, str] | None:
        """The unit digests still valid, by file name (`rows`: this build's, `index` its index's digest);
        None when too many files changed to tell, and every unit's digest is to be made again.

        A server's unit is made of its file, its attack links (which its part key is made of) and its
        related tools (views/related.py): the first tool of a category in each of the next RELATED_LIMIT
        servers of that category's ring.  A file edited, added or removed changes the related tools of
        the servers at most RELATED_LIMIT before it in the rings of its categories, before and after
        the edit, and no others: every other unit of the same file and part key keeps its digest."""
        same = {name for name, row in rows.items() if name in self.rows and self.rows[name].file_hash == row.file_hash
                and self.rows[name].part_key == row.part_key and name in self.units}
        if index != self.index:
            moved = {name for name in set(rows) | set(self.rows)
                     if name not in self.rows or name not in rows or self.rows[name].file_hash != rows[name].file_hash}
            if not self.rows or len(moved) > MOVED_AT_MOST:
                return None
            reached = _reached(moved, self.rows, rows)
            same = {name for name in same if rows[name].slug not in reached}
        return {name: self.units[name] for name in same}


MOVED_AT_MOST = 64  # files edited, added or removed whose reach in the rings is found; more: every digest made


def _reached(moved: set[str], before: Mapping[str, ServerRow], after: Mapping[str, ServerRow]) -> set[str]:
    """The slugs of the servers whose related tools the `moved` files may have changed (theirs included)."""
    rings: dict[tuple[int, Category], list[str]] = {}

    def ring(table: int, category: Category) -> list[str]:  # the category's servers, by slug
        if (table, category) not in rings:
            rows = (before, after)[table].values()
            rings[table, category] = sorted(row.slug for row in rows if row.counts.by_category[category])
        return rings[table, category]

    reached: set[str] = set()
    for name in moved:
        own = [row for row in (before.get(name), after.get(name)) if row is not None]
        reached.update(row.slug for row in own)
        categories = {category for row in own for category, count in row.counts.by_category.items() if count}
        for category, table, row in itertools.product(categories, (0, 1), own):
            reached.update(_before(ring(table, category), row.slug))
    return reached


def _before(ring: list[str], slug: str) -> list[str]:
    """The RELATED_LIMIT servers before `slug`'s place in `ring` (it aside), wrapping around."""
    at = bisect.bisect_left(ring, slug)
    found: list[str] = []
    for step in range(1, len(ring) + 1):
        other = ring[(at - step) % len(ring)]
        if other != slug and other not in found:
            found.append(other)
            if len(found) == RELATED_LIMIT:
                break
    return found


NO_ROWS = SavedRows({}, "", {})


def save_rows(cache_dir: Path, key: str, saved: SavedRows) -> None:
    """Keep the rows of this build (`key`: its context and attack patterns)."""
    CacheStore(cache_dir).write_json(ROWS_FILE, {"key": key, "index": saved.index, "units": saved.units, "servers": {
        name: [row.file_hash, row.slug, row.part_key, row.counts.tools,
               [row.counts.by_category[c] for c in CATEGORY_ORDER], [row.counts.by_risk[r] for r in RISK_ORDER]]
        for name, row in saved.rows.items()}})


def load_rows(cache_dir: Path, key: str) -> SavedRows:
    """The rows of the last build of this `key` (NO_ROWS if none, or damaged)."""
    saved = CacheStore(cache_dir).read_json(ROWS_FILE)
    if saved is None or saved.get("key") != key or not isinstance(saved.get("servers"), dict):
        return NO_ROWS
    try:
        rows = {name: _row(*value) for name, value in saved["servers"].items()}
        units, index = saved["units"], saved["index"]
        if not isinstance(index, str) or not isinstance(units, dict) or not set(map(type, units.values())) <= {str}:
            raise ValueError("not the units' digests")
    except (KeyError, TypeError, ValueError):
        return NO_ROWS
    return SavedRows(rows, index, units)


def _row(file_hash: Any, slug: Any, part_key: Any, tools: Any, categories: Any, risks: Any) -> ServerRow:
    if not (isinstance(file_hash, str) and isinstance(slug, str) and isinstance(part_key, str)
            and isinstance(tools, int) and len(categories) == len(CATEGORY_ORDER) and len(risks) == len(RISK_ORDER)
            and set(map(type, [*categories, *risks])) <= {int}):
        raise ValueError("not a server row")
    return ServerRow(file_hash, slug, part_key, Counts(tools, dict(zip(CATEGORY_ORDER, categories)),
                                                       dict(zip(RISK_ORDER, risks))))
