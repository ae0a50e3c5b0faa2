from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest

from site_builder.build.rows import (NO_ROWS, ROWS_FILE, SavedRows, ServerRow, StreamInputs, load_rows, save_rows,
                                     total_counts)
from site_builder.content.models import CATEGORY_ORDER, Category, Risk
from site_builder.derive import Counts
from site_builder.views.index import ServerSummary, SiteIndex, ToolLink
from site_builder.views.related import RELATED_LIMIT

from tests.views.test_index import index


def _rows() -> dict[str, ServerRow]:
    return {f"{server.slug}.yaml": ServerRow(f"hash-{number}", server.slug, f"{number:040d}", server.counts)
            for number, server in enumerate(index().servers)}


def _saved() -> SavedRows:
    rows = _rows()
    return SavedRows(rows, "index", {name: f"unit of {name}" for name in rows})


def test_rows_round_trip_for_their_key_only(tmp_path: Path) -> None:
    save_rows(tmp_path, "key", _saved())
    assert load_rows(tmp_path, "key") == _saved()
    assert load_rows(tmp_path, "another context or set of attack patterns") == NO_ROWS
    assert load_rows(tmp_path / "missing", "key") == NO_ROWS


def test_a_units_digest_is_kept_for_the_same_file_and_part() -> None:
    saved = _saved()
    assert saved.unit_digests(saved.rows, "index") == saved.units
    first, second = list(saved.rows)[:2]
    changed = {**saved.rows, first: replace(saved.rows[first], file_hash="edited"),
               second: replace(saved.rows[second], part_key="other attack links")}
    assert saved.unit_digests(changed, "index") == {
        name: unit for name, unit in saved.units.items() if name not in (first, second)}
    assert first not in (saved.unit_digests({n: r for n, r in saved.rows.items() if n != first}, "index") or {})


def test_when_the_index_changed_only_the_units_within_reach_of_a_moved_file_are_made_again() -> None:
    saved = _saved()
    names = sorted(saved.rows, key=lambda name: saved.rows[name].slug)
    edited = names[len(names) // 2]
    known = saved.unit_digests({**saved.rows, edited: replace(saved.rows[edited], file_hash="edited")}, "new index")
    assert known is not None and edited not in known
    assert len(saved.units) - len(known) <= 1 + RELATED_LIMIT * 2 * len(CATEGORY_ORDER)
    everything = {name: replace(row, file_hash="edited") for name, row in saved.rows.items()}
    assert saved.unit_digests(everything, "new index") is None, "too many moved: every digest made again"
    assert NO_ROWS.unit_digests(saved.rows, "index") is None


def _summary(number: int, categories: list[Category], slug: str = "") -> ServerSummary:
    slug = slug or f"s{number:03d}"
    links = tuple(ToolLink(f"t{tool}", f"tools/{slug}/t{tool}/", f"S{number}", f"servers/{slug}/",
                           category, Risk.LOW) for tool, category in enumerate(categories))
    return ServerSummary(f"s{number:03d}.yaml", 1, f"x/s{number}", slug, f"S{number}",
                         Counts.of(links), links, (1,) * len(links), ((),) * len(links), (), ())


def _row_of(summary: ServerSummary) -> ServerRow:
    return ServerRow(f"hash of {summary.links!r}", summary.slug, "part", summary.counts)


def test_every_unit_whose_related_tools_an_edit_changes_is_made_again_for_any_spread_of_tools() -> None:
    """Random catalogues and edits (a tool's category changed, a tool or a server added or removed, a server's
    slug changed, several at once): every server whose related tools differ after the edit has no digest
    kept."""
    chance = random.Random(11)
    categories = list(Category)

    def tools() -> list[Category]:
        return [chance.choice(categories[:chance.randint(1, len(categories))]) for _ in range(chance.randint(1, 6))]

    for _ in range(300):
        servers = {number: tools() for number in chance.sample(range(60), chance.randint(1, 25))}
        before = {number: _summary(number, kinds) for number, kinds in servers.items()}
        after = dict(before)
        for _ in range(chance.randint(1, 3)):
            number = chance.randrange(60)
            kinds = list(servers.get(number) or tools())
            edit = chance.randrange(5)
            if edit == 0 and number in after:
                kinds[chance.randrange(len(kinds))] = chance.choice(categories)
            elif edit == 1:
                kinds.append(chance.choice(categories))
            elif edit == 2 and len(kinds) > 1:
                kinds.pop(chance.randrange(len(kinds)))
            if edit == 3 and number in after and len(after) > 1:
                del after[number]
            elif edit == 4 and number in after:  # the same file, its server's slug moved in the rings
                slug = f"s{chance.randrange(60):03d}m"
                if slug not in {summary.slug for summary in after.values()}:
                    after[number] = _summary(number, kinds, slug)
            else:
                after[number] = _summary(number, kinds)
            servers[number] = kinds
        old, new = SiteIndex.of(before.values()), SiteIndex.of(after.values())
        saved = SavedRows({s.file: _row_of(s) for s in old.servers}, "old", {s.file: "unit" for s in old.servers})
        known = saved.unit_digests({s.file: _row_of(s) for s in new.servers}, "new")
        assert known is not None
        old_related = {s.slug: old.related_of(s) for s in old.servers}
        for server in new.servers:
            if server.file in known:
                assert old_related.get(server.slug) == new.related_of(server), server.slug


@pytest.mark.parametrize("damage", [
    lambda row: row[:3],  # a field short
    lambda row: [7, *row[1:]],  # a file hash not text
    lambda row: [*row[:3], "10", *row[4:]],  # a count not a number
    lambda row: [*row[:4], row[4][:-1], row[5]],  # a category short
    lambda row: [*row[:5], [1.5, 0, 0, 0]],  # a risk count not an integer
])
def test_damaged_rows_are_none_not_wrong_ones(tmp_path: Path, damage: object) -> None:
    save_rows(tmp_path, "key", _saved())
    saved = json.loads((tmp_path / ROWS_FILE).read_text())
    first = next(iter(saved["servers"]))
    saved["servers"][first] = damage(saved["servers"][first])  # type: ignore[operator]
    (tmp_path / ROWS_FILE).write_text(json.dumps(saved))
    assert load_rows(tmp_path, "key") == NO_ROWS


def test_the_stream_reads_the_servers_by_slug_with_the_catalogues_counts() -> None:
    rows = _rows()
    stream = StreamInputs.of(dict(reversed(list(rows.items()))))
    assert [slug for _, slug, _ in stream.servers] == sorted(server.slug for server in index().servers)
    assert stream.counts == index().counts == total_counts([row.counts for row in rows.values()])
    assert total_counts([]) == Counts.of([])
