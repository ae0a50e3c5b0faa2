from __future__ import annotations

import json
from pathlib import Path

import pytest

from site_builder.build.rows import (NO_ROWS, ROWS_FILE, SavedRows, ServerRow, StreamInputs, load_rows, save_rows,
                                     total_counts)
from site_builder.derive import Counts

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


def test_a_units_digest_is_kept_for_the_same_file_part_and_index_only() -> None:
    saved = _saved()
    hashes = {name: row.file_hash for name, row in saved.rows.items()}
    keys = {name: row.part_key for name, row in saved.rows.items()}
    assert saved.unit_digests(hashes, keys, "index") == saved.units
    assert saved.unit_digests(hashes, keys, "another index") == {}
    first, second = list(saved.rows)[:2]
    changed = saved.unit_digests({**hashes, first: "edited"}, {**keys, second: "other attack links"}, "index")
    assert changed == {name: unit for name, unit in saved.units.items() if name not in (first, second)}
    assert first not in saved.unit_digests({n: h for n, h in hashes.items() if n != first}, keys, "index")


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
