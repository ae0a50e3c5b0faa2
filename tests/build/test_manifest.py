from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.build.manifest import (OutputGroup, load_live_changes, load_output_manifest, outputs_folder,
                                         save_output_manifest)
from site_builder.build.store import CACHE_FORMAT
from site_builder.errors import OutputError

FILES = {"tools/a/b/index.html": 120, "tools/a/b/policy.json": 30, "servers/a/index.html": 0, "unicodé/x.json": 5}


def test_an_output_group_keeps_its_files_as_text_read_only_when_asked_and_refuses_a_damaged_listing() -> None:
    group = OutputGroup.of("digest", FILES)
    assert (group.count, group.bytes, group.pages) == (4, 155, 2)
    assert OutputGroup(group.digest, group.listing, group.count, group.bytes, group.pages).files == FILES
    for listing in (group.listing.replace(b"\t30", b"\tx"), group.listing.replace(b"\t30\n", b"\t-30\n"),
                    group.listing + b"extra\t1\n", group.listing.replace(b"\t", b" ", 1), b"\xff" + group.listing):
        with pytest.raises(OutputError, match="--clean"):
            OutputGroup(group.digest, listing, group.count, group.bytes, group.pages).files


def _groups() -> dict[str, OutputGroup]:
    return {"a": OutputGroup.of("digest of a", FILES), "": OutputGroup.of("", {"feed.xml": 9}),
            "~empty": OutputGroup.of("digest of nothing", {}), "b": OutputGroup.of("digest of b", {"b/x.json": 1})}


def test_a_manifest_gives_back_each_group_of_the_build_it_names_and_of_no_other(tmp_path: Path) -> None:
    out = tmp_path / "site"
    save_output_manifest(tmp_path, out, ("live", "twin"), _groups(), keep="kept", changes={"b": _groups()["b"]})
    for identity in ("live", "twin"):
        loaded = load_output_manifest(tmp_path, out, identity)
        assert loaded == _groups() and loaded is not None and loaded["a"].files == FILES
    assert load_live_changes(tmp_path, out, "live") == {"b": _groups()["b"]}
    assert load_output_manifest(tmp_path, out, "kept") is None and load_live_changes(tmp_path, out, "twin") is None
    assert load_output_manifest(tmp_path, tmp_path / "other", "live") is None


def test_a_damaged_manifest_or_one_of_another_format_is_none(tmp_path: Path) -> None:
    out = tmp_path / "site"
    save_output_manifest(tmp_path, out, ("live",), _groups(), keep=None)
    [path] = [p for p in (tmp_path / outputs_folder(out)).iterdir() if p.suffix == ".json"]
    data = path.read_bytes()
    head, lists = data.split(b"\n", 1)
    damaged = [data[:-1], head, head[:-1] + b"\n" + lists, b"{}", b"",
               head.replace(b'"digest of a",0', b'"digest of a",-1') + b"\n" + lists,
               head.replace(f'"format":{CACHE_FORMAT}'.encode(), b'"format":1') + b"\n" + lists,
               head.replace(b'"digest of a"', b"7") + b"\n" + lists]
    assert all(variant != data for variant in damaged)
    for variant in damaged:
        path.write_bytes(variant)
        assert load_output_manifest(tmp_path, out, "live") is None, variant[:80]
    path.write_bytes(data)
    assert load_output_manifest(tmp_path, out, "live") == _groups()
