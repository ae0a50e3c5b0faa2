"""The cache store: one format version, one atomic writer for every file of the cache."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from site_builder.build import store as store_module
from site_builder.build.store import CACHE_FORMAT, CacheStore, write_atomic

from tests.helpers import ROOT


def test_json_of_another_format_or_damaged_reads_as_absent(tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "cache")
    store.write_json("a/b.json", {"value": [1, "é"]})
    assert store.read_json("a/b.json") == {"format": CACHE_FORMAT, "value": [1, "é"]}
    assert store.names("a", ".json") == ["a/b.json"] and store.names("none", ".json") == []
    (tmp_path / "cache" / "a" / "b.json").write_text(json.dumps({"format": CACHE_FORMAT - 1, "value": 1}))
    assert store.read_json("a/b.json") is None
    (tmp_path / "cache" / "a" / "b.json").write_text('{"format": ')
    assert store.read_json("a/b.json") is None
    store.remove("a/b.json")
    store.remove("a/b.json")  # already gone: nothing to do
    assert store.read_json("a/b.json") is None


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "file"
    write_atomic(target, b"old")

    def refuse(source: str, destination: Path | str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module.os, "replace", refuse)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_the_cache_is_written_only_by_the_store() -> None:
    """No other module of the build (or the theme) renames files into place or keeps a format of its own."""
    for path in [*(ROOT / "site_builder" / "build").glob("*.py"), ROOT / "site_builder" / "render" / "theme.py"]:
        text = path.read_text(encoding="utf-8")
        if path.name != "store.py":
            assert "os.replace" not in text and not re.search(r"^\w*FORMAT = ", text, re.M), path.name
