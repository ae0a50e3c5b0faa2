from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from site_builder.build import cache as cache_module
from site_builder.build.build import BuildRequest, run_build
from site_builder.build.cache import HASHES_FILE, SUMMARIES_DIR, catalogue_digests, load_index_cache, save_index_cache
from site_builder.build.summary_shard import CachedServer
from site_builder.content.catalogue import load_catalogue
from site_builder.errors import CatalogueError
from site_builder.content.config import load_config
from site_builder.derive import derive_server
from site_builder.output.swap import MARKER
from site_builder.views.index import summarize
from site_builder.views.summary_json import summary_digest

from tests.helpers import DEFAULT_CATALOGUE, ROOT, edit_text, project_config
from tests.build.test_stream_patch import ADDED_TOOL, _append

SERVERS = len(list(DEFAULT_CATALOGUE.glob("*.yaml")))


def _two_servers(tmp_path: Path) -> tuple[Path, BuildRequest]:
    """A catalogue of two real servers (memory, server-time) and a request that builds it in one process."""
    catalogue = tmp_path / "catalogue"
    catalogue.mkdir()
    for name in ("memory.yaml", "server-time.yaml"):
        shutil.copy(DEFAULT_CATALOGUE / name, catalogue / name)
    return catalogue, BuildRequest(config_file=ROOT / "mkdocs.yml", catalogue=catalogue, out=tmp_path / "site",
                                   jobs=1, verbosity=0)


def test_unchanged_inputs_skip_the_build_and_any_change_rebuilds(tmp_path: Path) -> None:
    catalogue, request = _two_servers(tmp_path)
    assert not run_build(request).skipped
    assert run_build(request).skipped
    text = (catalogue / "memory.yaml").read_text(encoding="utf-8")
    (catalogue / "memory.yaml").write_text(text.replace("Read the entire knowledge graph", "Read it all"),
                                           encoding="utf-8")
    assert not run_build(request).skipped
    page = (tmp_path / "site" / "tools" / "memory" / "read_graph" / "index.html").read_text(encoding="utf-8")
    assert "Read it all" in page
    assert not run_build(BuildRequest(**{**request.__dict__, "clean": True})).skipped


def test_an_upgrade_of_any_installed_library_rebuilds_the_site(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """cmark-gfm renders every description and orjson writes JSON: a library the site's pages depend on
    needs no list of them kept by hand (one once left out cmark-gfm) to make its upgrade an input."""
    _, request = _two_servers(tmp_path)
    assert not run_build(request).skipped
    assert run_build(request).skipped
    upgrades = tmp_path / "upgrades"  # a folder first on the import path with a newer version of the library
    monkeypatch.setattr(sys, "path", [str(upgrades), *sys.path])
    for name in ("cmarkgfm", "orjson"):
        (upgrades / f"{name}-9999.0.dist-info").mkdir(parents=True)
        assert not run_build(request).skipped, name
        shutil.rmtree(upgrades)
        assert not run_build(request).skipped, name  # back to the version installed
        assert run_build(request).skipped


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _default_site(tmp_path: Path) -> tuple[Path, BuildRequest]:
    """A copy of the default catalogue, and the request that builds it into tmp_path/site."""
    catalogue = tmp_path / "catalogue"
    shutil.copytree(DEFAULT_CATALOGUE, catalogue)
    return catalogue, BuildRequest(config_file=ROOT / "mkdocs.yml", catalogue=catalogue, out=tmp_path / "site",
                                   jobs=2, verbosity=0)


def test_incremental_builds_equal_clean_builds_after_every_kind_of_change(tmp_path: Path) -> None:
    catalogue, request = _default_site(tmp_path)
    clean = BuildRequest(**{**request.__dict__, "out": tmp_path / "clean", "clean": True})
    first = run_build(request)
    assert first.servers_rendered == first.servers == SERVERS
    changes = [
        # the kept site is the first build's twin (the live site's files, linked): updated in place
        lambda: edit_text(catalogue / "memory.yaml", "Read the entire knowledge graph", "Read it all"),
        # the kept site is the one before last: it lacks this change and the previous one, whose server is
        # taken from the live site (manifest.load_live_changes): one server is rendered
        lambda: edit_text(catalogue / "server-time.yaml", "description:", "description: Edited."),
        # the kept site lacks only this change: one server is rendered
        lambda: edit_text(catalogue / "server-time.yaml", "description: Edited.", "description: Edited again."),
        # a reviewer's category change moves tools between related-tool rings: other servers' pages change too
        lambda: edit_text(catalogue / "memory.yaml",
                      "category: read\n    rationale: 'Reviewed by hand on 2026-11-25: Returns the whole",
                      "category: destructive\n    rationale: 'Reviewed by hand on 2026-11-25: Deletes the whole"),
        # a tool added to a server, then removed: every later search document moves
        lambda: _append(catalogue / "memory.yaml", ADDED_TOOL),
        lambda: edit_text(catalogue / "memory.yaml", ADDED_TOOL, ""),
        # a server removed and one added
        lambda: (catalogue / "server-time.yaml").rename(tmp_path / "gone.yaml"),
        lambda: shutil.copy(tmp_path / "gone.yaml", catalogue / "server-time.yaml"),
    ]
    listing = tmp_path / "site" / "categories" / "read" / "index.html"
    servers_page = tmp_path / "site" / "servers" / "index.html"
    listing_inodes, servers_inodes = [], []
    rendered = []
    for change in changes:
        change()
        result = run_build(request)
        rendered.append(result.servers_rendered)
        listing_inodes.append(listing.stat().st_ino)
        servers_inodes.append(servers_page.stat().st_ino)
        run_build(clean)
        assert _tree(tmp_path / "site") == _tree(tmp_path / "clean")
    assert rendered[:3] == [1, 1, 1], rendered
    # description edits leave the listings as they were: the page is kept, not written again
    assert len(set(listing_inodes[:3])) == 1 and listing_inodes[3] != listing_inodes[2]
    assert len(set(servers_inodes[:3])) == 1 and servers_inodes[3] != servers_inodes[2]  # the same for the servers
    assert rendered[3] > 2, rendered  # related links on other servers' pages changed too
    assert max(rendered[4:]) < SERVERS, rendered


def test_the_edit_after_a_category_change_takes_what_that_change_made_from_the_live_site(tmp_path: Path) -> None:
    catalogue, request = _default_site(tmp_path)
    run_build(request)
    edit_text(catalogue / "memory.yaml", "category: read\n    rationale: 'Reviewed by hand on 2026-11-25: Returns the whole",
          "category: destructive\n    rationale: 'Reviewed by hand on 2026-11-25: Deletes the whole")
    moved = run_build(request)  # listings, counts and related tools change: several servers are rendered
    listing = tmp_path / "site" / "categories" / "destructive" / "index.html"
    made = {path: path.stat().st_ino for path in (listing, tmp_path / "site" / "index.html",
                                                  tmp_path / "site" / "tools" / "memory" / "read_graph" / "index.html")}
    edit_text(catalogue / "server-time.yaml", "description:", "description: Edited.")
    edited = run_build(request)  # into the site kept from before the move: what the move made is linked
    assert moved.servers_rendered > 2 and edited.servers_rendered == 1
    assert all(path.stat().st_ino == inode for path, inode in made.items())
    run_build(BuildRequest(**{**request.__dict__, "out": tmp_path / "clean", "clean": True}))
    assert _tree(tmp_path / "site") == _tree(tmp_path / "clean")
    for path in made:  # the site it replaced, kept beside it for the next build, shares those files
        assert (tmp_path / ".site.previous" / path.relative_to(tmp_path / "site")).stat().st_ino == made[path]


def test_a_live_site_edited_by_hand_is_not_taken_from_what_it_holds_is_made_again(tmp_path: Path) -> None:
    catalogue, request = _default_site(tmp_path)
    run_build(request)
    edit_text(catalogue / "memory.yaml", "Read the entire knowledge graph", "Read it all")
    run_build(request)
    (tmp_path / "site" / "tools" / "memory" / "read_graph" / "index.html").write_text("edited by hand")
    edit_text(catalogue / "server-time.yaml", "description:", "description: Edited.")
    result = run_build(request)
    assert result.servers_rendered == 2  # memory's pages made again, not taken from the live site
    run_build(BuildRequest(**{**request.__dict__, "out": tmp_path / "clean", "clean": True}))
    assert _tree(tmp_path / "site") == _tree(tmp_path / "clean")


def test_a_first_build_keeps_a_twin_of_its_site_which_the_next_build_updates_in_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue, request = _two_servers(tmp_path)
    run_build(request)
    site, twin = tmp_path / "site", tmp_path / ".site.previous"
    files = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(twin) for p in twin.rglob("*") if p.is_file())
    for relative in files:  # the same files, not copies; each folder its own marker
        assert ((site / relative).stat().st_ino == (twin / relative).stat().st_ino) == (relative.name != MARKER)
    from site_builder.build import reuse
    linked: list[object] = []
    monkeypatch.setattr(reuse, "_link_files", lambda *args: linked.append(args))  # linking from the live site
    edit_text(catalogue / "memory.yaml", "Read the entire knowledge graph", "Read it all")
    assert run_build(request).servers_rendered == 1 and linked == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.previous", "catalogue", "site"]
    monkeypatch.undo()
    run_build(BuildRequest(**{**request.__dict__, "out": tmp_path / "clean", "clean": True}))
    assert _tree(site) == _tree(tmp_path / "clean")


def test_a_build_that_changes_every_page_keeps_a_twin_but_a_clean_build_of_the_same_site_keeps_the_old_one(
        tmp_path: Path) -> None:
    catalogue, _ = _two_servers(tmp_path)
    site, kept = tmp_path / "site", tmp_path / ".site.previous"

    def build(description: str, clean: bool = False) -> None:
        config = project_config(tmp_path, catalogue, cache=tmp_path / "cache", description=description)
        run_build(BuildRequest(config_file=config, out=site, jobs=1, verbosity=0, clean=clean))

    def marker() -> int:
        return (site / MARKER).stat().st_ino

    build("First.")
    build("Second.")  # a config change: every page is rendered again, and the old site would lack them all
    assert (kept / "index.html").stat().st_ino == (site / "index.html").stat().st_ino  # a twin
    live = marker()
    build("Second.", clean=True)  # the same pages: the site it replaces is kept, not a twin
    assert (kept / MARKER).stat().st_ino == live != marker()
    assert (kept / "index.html").stat().st_ino != (site / "index.html").stat().st_ino
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.previous", "cache", "catalogue", "mkdocs.yml", "site"]


def test_a_first_build_into_an_empty_folder_publishes_it_and_keeps_a_twin(tmp_path: Path) -> None:
    _, request = _two_servers(tmp_path)
    (tmp_path / "site").mkdir()  # as `mkdir -p site` in CI
    result = run_build(request)
    assert result.servers_rendered == 2 and (tmp_path / "site" / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.previous", "catalogue", "site"]
    assert run_build(request).skipped  # the build was remembered


def test_on_a_filesystem_without_hard_links_a_build_keeps_no_twin_and_still_succeeds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    _, request = _two_servers(tmp_path)

    def refused(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", refused)
    result = run_build(request)
    assert result.servers_rendered == 2 and (tmp_path / "site" / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalogue", "site"]


def test_a_build_that_fails_while_filling_the_twin_leaves_nothing(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from site_builder.build import build as build_module
    _, request = _two_servers(tmp_path)

    def fail(writer: object, groups: object, twin: Path, jobs: int) -> None:
        (twin / "index.html").write_text("half a twin")
        raise OSError("disk full")

    monkeypatch.setattr(build_module, "fill_twin", fail)
    with pytest.raises(OSError):
        run_build(request)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalogue"]


def test_a_damaged_cache_or_a_changed_kept_site_never_leaks_into_the_output(tmp_path: Path) -> None:
    catalogue, request = _two_servers(tmp_path)
    run_build(request)
    edit_text(catalogue / "memory.yaml", "Read the entire knowledge graph", "Read it all")
    run_build(request)  # now a previous site is kept beside the output
    previous = tmp_path / ".site.previous"
    assert (previous / "index.html").is_file()
    (previous / "CNAME").write_text("not ours")  # the kept site changed behind our back
    edit_text(catalogue / "memory.yaml", "Read it all", "Read everything")
    result = run_build(request)
    assert result.servers_rendered == 1  # the kept site is not reused: unchanged files come from the live one
    assert not (tmp_path / "site" / "CNAME").exists()
    clean = BuildRequest(**{**request.__dict__, "out": tmp_path / "clean", "clean": True})
    run_build(clean)
    assert _tree(tmp_path / "site") == _tree(tmp_path / "clean")
    cache = load_config(ROOT / "mkdocs.yml").cache_dir
    damaged = [cache / "file-hashes.json", *(cache / "summaries").glob("*.json"), *(cache / "outputs").rglob("*.json"), *(cache / "parts").glob("*.pack")]
    assert len(damaged) > 3
    for path in damaged:
        path.write_bytes(path.read_bytes()[:20])
    edit_text(catalogue / "memory.yaml", "Read everything", "Read it all again")
    run_build(request)
    page = (tmp_path / "site" / "tools" / "memory" / "read_graph" / "index.html").read_text(encoding="utf-8")
    assert "Read it all again" in page
    run_build(BuildRequest(**{**clean.__dict__, "out": tmp_path / "clean-again"}))
    assert _tree(tmp_path / "site") == _tree(tmp_path / "clean-again")


def _old_file(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(time.time_ns() - 60_000_000_000,) * 2)  # written a minute ago
    return path


def test_a_file_known_by_its_stat_is_not_hashed_again_and_any_change_is(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "RACY_NS", 0)  # the files' ctime is now: trust stats at once
    folder, cache = tmp_path / "catalogue", tmp_path / "cache"
    folder.mkdir()
    _old_file(folder, "a.yaml", "one")
    _old_file(folder, "b.yaml", "two")
    first = catalogue_digests(folder, cache)
    assert first == catalogue_digests(folder)
    saved = json.loads((cache / HASHES_FILE).read_text())
    saved["files"]["a.yaml"][-1] = "remembered"
    (cache / HASHES_FILE).write_text(json.dumps(saved))
    assert catalogue_digests(folder, cache)["a.yaml"] == "remembered"  # same stat: the hash is reused
    mtime = (folder / "b.yaml").stat().st_mtime_ns
    (folder / "b.yaml").write_text("TWO", encoding="utf-8")  # same size, same mtime: only ctime tells
    os.utime(folder / "b.yaml", ns=(mtime, mtime))
    assert catalogue_digests(folder, cache)["b.yaml"] == catalogue_digests(folder)["b.yaml"] != first["b.yaml"]


def test_a_file_changed_just_before_the_last_scan_is_hashed_again(tmp_path: Path) -> None:
    folder, cache = tmp_path / "catalogue", tmp_path / "cache"
    folder.mkdir()
    (folder / "a.yaml").write_text("one", encoding="utf-8")  # changed now: racy for the scan below
    catalogue_digests(folder, cache)
    saved = json.loads((cache / HASHES_FILE).read_text())
    saved["files"]["a.yaml"][-1] = "stale"
    (cache / HASHES_FILE).write_text(json.dumps(saved))
    assert catalogue_digests(folder, cache)["a.yaml"] == catalogue_digests(folder)["a.yaml"]


def test_summaries_round_trip_and_an_edit_rewrites_only_its_shard(tmp_path: Path) -> None:
    servers = load_catalogue(DEFAULT_CATALOGUE).servers
    summaries = [summarize(derive_server(server)) for server in servers]
    cached = {Path(summary.file).name: CachedServer(f"hash-{n}", summary, summary_digest(summary))
              for n, summary in enumerate(summaries)}
    save_index_cache(tmp_path, "ctx", cached)
    assert load_index_cache(tmp_path, "ctx") == cached
    assert load_index_cache(tmp_path, "other context") == {}
    shards = {path.name: path.stat().st_mtime_ns for path in (tmp_path / SUMMARIES_DIR).glob("*.json")}
    assert len(shards) > 10
    edited = sorted(cached)[0]
    time.sleep(0.01)
    changed = {**cached, edited: CachedServer("new hash", cached[edited].summary, cached[edited].summary_digest)}
    del changed[sorted(cached)[-1]]
    save_index_cache(tmp_path, "ctx", changed, {edited, sorted(cached)[-1]})
    assert load_index_cache(tmp_path, "ctx") == changed
    rewritten = {path.name for path in (tmp_path / SUMMARIES_DIR).glob("*.json")
                 if shards.get(path.name) != path.stat().st_mtime_ns}
    assert 1 <= len(rewritten) <= 2


def _config(tmp_path: Path, catalogue: Path, description: str) -> Path:
    return project_config(tmp_path, catalogue, cache=tmp_path / "cache", description=description)


def test_after_a_config_change_the_next_edit_renders_only_the_edited_server(tmp_path: Path) -> None:
    catalogue = tmp_path / "catalogue"
    shutil.copytree(DEFAULT_CATALOGUE, catalogue)
    request = BuildRequest(config_file=_config(tmp_path, catalogue, "One."), out=tmp_path / "site", jobs=1,
                           verbosity=0)
    run_build(request)
    edit_text(catalogue / "memory.yaml", "Read the entire knowledge graph", "Read it all")
    assert run_build(request).servers_rendered == 1
    _config(tmp_path, catalogue, "Two.")  # every page changes; the kept site is now of the old config
    assert run_build(request).servers_rendered == SERVERS
    edit_text(catalogue / "memory.yaml", "Read it all", "Read everything")
    assert run_build(request).servers_rendered == 1  # from the live site, not the far-behind kept one
    run_build(BuildRequest(**{**request.__dict__, "out": tmp_path / "clean", "clean": True}))
    assert _tree(tmp_path / "site") == _tree(tmp_path / "clean")


def test_the_cache_serves_builds_from_any_working_folder_and_messages_name_files_from_the_current_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache is keyed by the catalogue folder, not by how it is shown from the working folder: a CI job
    that builds from another folder than the last one is not a full rebuild (it once was)."""
    catalogue, request = _two_servers(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert not run_build(BuildRequest(**{**request.__dict__, "catalogue": Path("catalogue"), "out": Path("site")})
                         ).skipped
    (tmp_path / "ci").mkdir()
    monkeypatch.chdir(tmp_path / "ci")
    from_ci = BuildRequest(**{**request.__dict__, "catalogue": Path("../catalogue"), "out": Path("../site")})
    assert run_build(from_ci).skipped
    edit_text(catalogue / "memory.yaml", "Read the entire knowledge graph", "Read it all")
    assert run_build(from_ci).servers_rendered == 1
    shutil.copy(catalogue / "server-time.yaml", catalogue / "twin.yaml")  # the same server id twice
    with pytest.raises(CatalogueError) as raised:
        run_build(from_ci)
    report = raised.value.report()  # the cached server's file as shown from here, not from where it was cached
    assert "also in ../catalogue/server-time.yaml:1" in report and "../catalogue/twin.yaml:1" in report, report


def test_the_library_versions_are_every_installed_distributions_name_and_version(tmp_path: Path) -> None:
    """As importlib.metadata finds them (the first of a name on the import path); one more installed, or one
    upgraded, changes them (and so the build context: every page is made again)."""
    import re
    from importlib import metadata

    def normal(name: str) -> str:
        return re.sub(r"[-_.]+", "_", name).lower()

    found: dict[str, str] = {}
    for dist in metadata.distributions():
        found.setdefault(normal(dist.metadata["Name"]), dist.version)
    listed = cache_module.library_versions().split()[1:]
    assert len(found) > 10 and listed == sorted(f"{name}=={version}" for name, version in found.items())
    before = cache_module.library_versions()
    (tmp_path / "example_library-1.0.dist-info").mkdir()
    (tmp_path / "not_metadata-1.0").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "path", [*sys.path, str(tmp_path), str(tmp_path / "missing"), str(tmp_path / "a.zip")])
        installed = cache_module.library_versions()
        (tmp_path / "example_library-1.0.dist-info").rename(tmp_path / "example_library-1.1.dist-info")
        upgraded = cache_module.library_versions()
    assert installed.startswith("python=") and "example_library==1.0" in installed.split()
    assert len({before, installed, upgraded}) == 3 and "not_metadata" not in installed


def test_a_source_tree_on_the_import_path_is_the_same_libraries(tmp_path: Path) -> None:
    """`python -m site_builder` from a checkout puts it first on the path, with its `name.egg-info` beside
    the installed copy's `name-version.dist-info`: the same version is the same build context (it once
    made every such build a full rebuild after a `build-site` one); another version is not."""
    from importlib import metadata

    installed = next(iter(metadata.distributions()))
    name, version = installed.metadata["Name"], installed.version
    before = cache_module.library_versions()
    egg_info = tmp_path / f"{name.replace('-', '_')}.egg-info"
    egg_info.mkdir()
    (egg_info / "PKG-INFO").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "path", [str(tmp_path), *sys.path])
        from_the_tree = cache_module.library_versions()
        (egg_info / "PKG-INFO").write_text(f"Name: {name}\nVersion: {version}.post1\n", encoding="utf-8")
        another = cache_module.library_versions()
    assert from_the_tree == before and another != before
