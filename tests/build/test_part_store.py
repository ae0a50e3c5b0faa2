"""The parts folder: parts kept in packs, read back by key, pruned to what a build uses."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from site_builder.build import pack_file, part_store
from site_builder.build.part_store import PACK_PARTS, SMALL_PACKS, PartStore
from site_builder.views.parts import ServerPart


def _key(number: int) -> str:
    return hashlib.sha1(str(number).encode()).hexdigest()


def _part(number: int) -> ServerPart:
    return ServerPart(f'{{"server":{number}}}'.encode(), f"## server {number}\n".encode(),
                      ([["word"], "", ["text"], number, 0, 0],))


def _packs(cache: Path) -> list[Path]:
    return sorted((cache / "parts").glob("*.pack"))


def _write(cache: Path, numbers: range) -> None:
    with PartStore(cache).writer() as writer:
        for number in numbers:
            writer.add(_key(number), _part(number))


def test_parts_are_written_in_packs_and_read_back_by_any_store(tmp_path: Path) -> None:
    _write(tmp_path, range(2 * PACK_PARTS + 1))
    assert len(_packs(tmp_path)) == 3  # two full packs and the rest
    store = PartStore(tmp_path)  # a store that did not write them: it reads the packs' tables
    assert all(store.read(_key(number)) == _part(number) for number in range(2 * PACK_PARTS + 1))
    assert store.missing([_key(0), _key(1000)]) == {_key(1000)}
    assert store.has(_key(5)) and not store.has(_key(1000))
    assert store.read(_key(1000)) is None
    with pytest.raises(ValueError, match="not a part key"):
        store.read("../../etc/passwd")


def test_a_writer_that_fails_writes_nothing_more_and_one_it_holds_counts_as_kept(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        with PartStore(tmp_path).writer() as writer:
            writer.add(_key(1), _part(1))
            assert _key(1) in writer and _key(2) not in writer  # about to be kept
            raise RuntimeError("the build failed")
    assert _packs(tmp_path) == []


def test_a_damaged_pack_is_absent_and_the_others_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, range(3))
    _write(tmp_path, range(3, 6))
    damaged = _packs(tmp_path)[0]
    damaged.write_bytes(damaged.read_bytes()[:60])  # its table says more than the file holds
    monkeypatch.setattr(pack_file, "_TABLES", {})  # read by a later process
    store = PartStore(tmp_path)
    present = {number for number in range(6) if store.read(_key(number)) is not None}
    assert present in ({0, 1, 2}, {3, 4, 5})
    assert all(store.read(_key(number)) == _part(number) for number in present)
    store.prune(_key(number) for number in range(6))
    assert _packs(tmp_path) == [path for path in _packs(tmp_path) if path != damaged]  # deleted


@pytest.mark.parametrize("later_process", [True, False])
def test_a_part_cut_short_is_absent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, later_process: bool) -> None:
    _write(tmp_path, range(1))
    (pack,) = _packs(tmp_path)
    pack.write_bytes(pack.read_bytes()[:-3])
    if later_process:  # which reads the table again, and finds it says more than the file holds
        monkeypatch.setattr(pack_file, "_TABLES", {})
    assert PartStore(tmp_path).read(_key(0)) is None


def test_prune_deletes_unused_packs_and_strays(tmp_path: Path) -> None:
    _write(tmp_path, range(PACK_PARTS))
    _write(tmp_path, range(PACK_PARTS, 2 * PACK_PARTS))
    (tmp_path / "parts" / ("0" * 40 + ".part")).write_bytes(b"a part of an older cache")
    (tmp_path / "parts" / "x.pack.1234.tmp").write_bytes(b"a killed write")
    used = range(PACK_PARTS, 2 * PACK_PARTS)
    before = _packs(tmp_path)
    PartStore(tmp_path).prune(_key(number) for number in used)
    assert sorted((tmp_path / "parts").iterdir()) == [path for path in before if path in _packs(tmp_path)]
    assert len(_packs(tmp_path)) == 1  # the full pack in use, as it was
    store = PartStore(tmp_path)
    assert all(store.read(_key(number)) == _part(number) for number in used)
    assert store.missing(_key(number) for number in range(PACK_PARTS)) == {_key(n) for n in range(PACK_PARTS)}
    known = [Path(path) for path in pack_file._TABLES if Path(path).parent == tmp_path / "parts"]
    assert known == _packs(tmp_path)  # the tables of deleted packs are forgotten (a long serve keeps none)


def test_prune_writes_anew_the_parts_of_a_pack_mostly_unused(tmp_path: Path) -> None:
    _write(tmp_path, range(PACK_PARTS))
    (old,) = _packs(tmp_path)
    old_size = old.stat().st_size
    used = range(PACK_PARTS // 2 - 1)  # fewer than half
    PartStore(tmp_path).prune(_key(number) for number in used)
    (new,) = _packs(tmp_path)
    assert new != old and new.stat().st_size < old_size * 0.6
    store = PartStore(tmp_path)
    assert all(store.read(_key(number)) == _part(number) for number in used)
    PartStore(tmp_path).prune(_key(number) for number in range(PACK_PARTS // 2))  # half or more: kept as it is
    assert _packs(tmp_path) == [new]


def test_prune_merges_small_packs_once_there_are_many(tmp_path: Path) -> None:
    for number in range(SMALL_PACKS - 1):  # one edit each: a pack of one part
        PartStore(tmp_path).write(_key(number), _part(number))
    used = [_key(number) for number in range(SMALL_PACKS)]
    PartStore(tmp_path).prune(used)
    assert len(_packs(tmp_path)) == SMALL_PACKS - 1  # not yet many
    PartStore(tmp_path).write(_key(SMALL_PACKS - 1), _part(SMALL_PACKS - 1))
    PartStore(tmp_path).prune(used)
    assert len(_packs(tmp_path)) == 1
    store = PartStore(tmp_path)
    assert all(store.read(_key(number)) == _part(number) for number in range(SMALL_PACKS))


def test_a_part_kept_twice_is_kept_once_after_prune(tmp_path: Path) -> None:
    _write(tmp_path, range(PACK_PARTS))
    _write(tmp_path, range(PACK_PARTS))  # two builds at once wrote the same parts
    PartStore(tmp_path).prune(_key(number) for number in range(PACK_PARTS))
    assert len(_packs(tmp_path)) == 1


def test_a_pack_fills_by_bytes_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(part_store, "PACK_BYTES", len(_part(0).encode()) * 2)
    _write(tmp_path, range(5))
    assert len(_packs(tmp_path)) == 3
