"""The pack file format: a pack's table read back as it was written, and anything else refused."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from site_builder.build import pack_file
from site_builder.build.pack_file import Location, pack, table

KEYS = ["a" * 40, "b" * 40, "c" * 40]


@pytest.fixture(autouse=True)
def _fresh_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pack_file, "_TABLES", {})  # every test reads its packs as a new process would


def test_a_pack_reads_back_each_part_where_its_table_says(tmp_path: Path) -> None:
    parts = [(key, key[0].encode() * (number + 1)) for number, key in enumerate(KEYS)]
    data, spots = pack(parts)
    path = tmp_path / "x.pack"
    path.write_bytes(data)
    assert table(str(path)) == [(key, Location("x.pack", at, size)) for key, at, size in spots]
    assert [data[at:at + size] for _, at, size in spots] == [part for _, part in parts]


@pytest.mark.parametrize("damage", [lambda data: b"not a pack" + data[10:], lambda data: data[:30],
                                    lambda data: data[:-1], lambda data: b""])
def test_a_damaged_pack_has_no_table(tmp_path: Path, damage: Callable[[bytes], bytes]) -> None:
    data, _ = pack([(key, b"part") for key in KEYS])
    path = tmp_path / "x.pack"
    path.write_bytes(damage(data))
    assert table(str(path)) is None
    assert table(str(tmp_path / "absent.pack")) is None
