from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from site_builder.errors import OutputError
from site_builder.output import swap
from site_builder.output.swap import (MARKER, SideFolders, StagedOutput, is_build_output, remove_build_output,
                                      sweep_stale_staging)
from site_builder.output.writer import OutputWriter

from tests.helpers import ROOT


@pytest.mark.parametrize("path", ["../x", "/etc/passwd", "a/../../x", "a\\b", "a\x00b", "a\tb", "a\nb", "a//b", "./a", "a/",
                                  ""])
def test_refuses_paths_that_leave_or_are_not_plain(tmp_path: Path, path: str) -> None:
    with pytest.raises(OutputError):
        OutputWriter(tmp_path).write(path, "x")


@pytest.mark.parametrize("path", ["../x", "/etc/passwd", "a/../../x", "a\\b", "a\x00b", "a\tb", "a\nb", "a//b", "./a", "a/",
                                  ""])
def test_recording_many_kept_files_refuses_the_same_paths(tmp_path: Path, path: str) -> None:
    writer = OutputWriter(tmp_path)
    with pytest.raises(OutputError):
        writer.record_many({"a/index.html": 3, path: 1})
    assert writer.sizes == {}


def test_recording_many_kept_files_refuses_a_path_written_in_the_build(tmp_path: Path) -> None:
    writer = OutputWriter(tmp_path)
    writer.write("a/index.html", "one")
    with pytest.raises(OutputError, match="twice"):
        writer.record_many({"b/index.html": 2, "a/index.html": 3})
    writer.record_many({"b/index.html": 2, "unicodé-x/y.json": 5})
    assert writer.sizes == {"a/index.html": 3, "b/index.html": 2, "unicodé-x/y.json": 5} and writer.bytes == 10


def test_refuses_writing_a_path_twice(tmp_path: Path) -> None:
    writer = OutputWriter(tmp_path)
    writer.write("a/index.html", "one")
    with pytest.raises(OutputError, match="twice"):
        writer.write("a/index.html", "two")
    assert (tmp_path / "a/index.html").read_text() == "one"


def _files(folder: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text)


def test_adopted_files_replace_only_the_stale_files_named_and_the_others_named_go(tmp_path: Path) -> None:
    """The previous build's files an adopting writer is told are stale are replaced (their entries: a file
    shared with the live site by a hard link is not written into) or deleted; any other file is refused."""
    root, side, live = tmp_path / "root", tmp_path / "side", tmp_path / "live"
    _files(root, {"search/a.json": "old a", "search/gone.json": "old", "feed.xml": "old feed", "keep.html": "kept"})
    _files(side, {"search/a.json": "new a", "search/b.json": "new b"})
    live.mkdir()
    os.link(root / "search" / "a.json", live / "a.json")  # the live site shares the old file
    writer = OutputWriter(root)
    writer.adopt({"search/a.json": 5, "search/b.json": 5}, side, ["search/a.json", "search/gone.json", "feed.xml"])
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) == [
        "keep.html", "search/a.json", "search/b.json"]
    assert (root / "search" / "a.json").read_text() == "new a" and (live / "a.json").read_text() == "old a"
    (side / "keep.html").write_text("other")
    with pytest.raises(OutputError, match="already there"):
        OutputWriter(root).adopt({"keep.html": 5}, side, ["feed.xml"])
    assert (root / "keep.html").read_text() == "kept"


def test_files_taken_from_the_live_site_are_kept_where_the_previous_build_holds_them_else_linked(
        tmp_path: Path) -> None:
    """A file another writer named to be taken as it is from the live site: kept in place where the folder's
    previous file is that very file (a hard link of it), linked where it is another file or none; a live file
    changed since it was named is refused."""
    root, side, live = tmp_path / "root", tmp_path / "side", tmp_path / "live"
    _files(live, {"search/same.json": "same", "search/other.json": "live", "search/new.json": "new",
                  "search/late.json": "late"})
    _files(root, {"search/other.json": "older", "x.html": "x"})
    os.link(live / "search" / "same.json", root / "search" / "same.json")
    side.mkdir()
    stream = OutputWriter(side)
    for name in ("same", "other", "new"):
        stream.take(f"search/{name}.json", live, len(name) if name != "other" else 4)
    assert stream.sizes == {} and not list(side.iterdir())  # nothing written beside
    with pytest.raises(OutputError, match="twice"):
        stream.take("search/new.json", live, 3)
    with pytest.raises(OutputError, match="not the file"):
        stream.take("search/late.json", live, 99)
    before = os.lstat(root / "search" / "same.json")
    writer = OutputWriter(root)
    writer.adopt({}, side, ["search/same.json", "search/other.json", "x.html"], stream.taken, live)
    assert writer.sizes == {"search/same.json": 4, "search/other.json": 4, "search/new.json": 3}
    for name in ("same", "other", "new"):
        assert os.path.samefile(root / "search" / f"{name}.json", live / "search" / f"{name}.json")
    assert os.lstat(root / "search" / "same.json").st_ctime_ns == before.st_ctime_ns  # not linked again
    assert not (root / "x.html").exists()  # named stale, neither written nor taken: gone
    (live / "search" / "new.json").write_text("changed")
    with pytest.raises(OutputError, match="not the file .*--clean"):
        OutputWriter(root).adopt({}, side, ["search/new.json"], {"search/new.json": 3}, live)


@pytest.mark.parametrize("taken", [True, False])
def test_a_folder_where_the_previous_build_had_a_file_is_refused_with_the_fix(tmp_path: Path, taken: bool) -> None:
    root, side, live = tmp_path / "root", tmp_path / "side", tmp_path / "live"
    _files(live, {"search/a.json": "live"})
    _files(side, {"search/a.json": "side"})
    (root / "search" / "a.json" / "inside").mkdir(parents=True)
    writer = OutputWriter(root)
    with pytest.raises(OutputError, match="a folder is there.*--clean" if taken else "already there.*--clean"):
        writer.adopt({} if taken else {"search/a.json": 4}, side, ["search/a.json"],
                     {"search/a.json": 4} if taken else {}, live)
    assert (root / "search" / "a.json" / "inside").is_dir() and (live / "search" / "a.json").read_text() == "live"


@pytest.mark.parametrize("kernel_copies", [True, False])
def test_a_file_assembled_from_bytes_and_ranges_of_another_is_those_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel_copies: bool) -> None:
    import errno

    source = tmp_path / "old.txt"
    source.write_bytes(bytes(range(256)) * 400)  # 102,400 bytes
    if not kernel_copies:  # another filesystem than the source's, say: copied through this process
        def refused(*args: object) -> int:
            raise OSError(errno.EXDEV, "cross-device")
        monkeypatch.setattr(os, "copy_file_range", refused)
    (tmp_path / "out").mkdir()
    writer = OutputWriter(tmp_path / "out")
    writer.assemble("new.txt", [b"head", (str(source), 10, 50_000), b"", b"middle", (str(source), 0, 3)])
    expected = b"head" + source.read_bytes()[10:50_010] + b"middle" + source.read_bytes()[:3]
    assert (tmp_path / "out" / "new.txt").read_bytes() == expected and writer.sizes["new.txt"] == len(expected)
    with pytest.raises(OSError, match="shorter"):
        writer.assemble("short.txt", [(str(source), 100_000, 5_000)])
    with pytest.raises(OutputError):
        writer.assemble("new.txt", [b"again"])


def test_taking_a_file_the_live_site_lost_is_refused_in_one_line_that_names_the_fix(tmp_path: Path) -> None:
    (tmp_path / "live").mkdir()
    (tmp_path / "out").mkdir()
    with pytest.raises(OutputError, match="deleted since the last build; build with --clean"):
        OutputWriter(tmp_path / "out").link("servers/stripe/index.html", tmp_path / "live", 10)


def test_refuses_a_folder_that_is_a_link_out(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    (root / "tools").symlink_to(outside)
    with pytest.raises(OutputError, match="leave the output folder"):
        OutputWriter(root).write("tools/x.html", "pwned")
    assert list(outside.iterdir()) == []


def test_never_replaces_or_deletes_a_folder_that_is_not_a_build_output(tmp_path: Path) -> None:
    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    with pytest.raises(OutputError, match="not a build-site output"):
        StagedOutput(precious)
    with pytest.raises(OutputError, match="refusing to delete"):
        remove_build_output(precious)
    assert (precious / "thesis.tex").read_text() == "years of work"


def test_swap_replaces_the_old_build_without_following_links_out(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    out = tmp_path / "site"
    first = StagedOutput(out)
    (first.staging / "old.html").write_text("old")
    (first.staging / "link").symlink_to(outside)
    first.commit()
    second = StagedOutput(out)
    (second.staging / "new.html").write_text("new")
    second.commit()
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "new.html"]
    assert (outside / "keep.txt").read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside", "site"]


def test_an_orphaned_previous_site_is_restored(tmp_path: Path) -> None:
    out = tmp_path / "site"
    orphan = tmp_path / ".site.old-abc"
    orphan.mkdir()
    (orphan / MARKER).write_text("")
    (orphan / "index.html").write_text("previous")
    sweep_stale_staging(out)
    assert (out / "index.html").read_text() == "previous"


def digest(folder: Path) -> str:
    total = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            total.update(str(path.relative_to(folder)).encode() + hashlib.sha256(path.read_bytes()).digest())
    return total.hexdigest()


def build_command(out: Path, cache: Path) -> list[str]:
    return [sys.executable, "-m", "site_builder.commands.cli", "--config", str(ROOT / "mkdocs.yml"), "--out", str(out),
            "--clean", "--jobs", "2", "-q"]


@pytest.mark.slow
def test_killing_builds_at_random_moments_never_breaks_the_previous_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    started = time.monotonic()
    subprocess.run(build_command(out, tmp_path), check=True, env=env, cwd=ROOT)
    full = time.monotonic() - started
    previous = digest(out)
    rng = random.Random(20)
    for _ in range(20):
        process = subprocess.Popen(build_command(out, tmp_path), env=env, cwd=ROOT, start_new_session=True)
        time.sleep(rng.uniform(0.0, full * 1.1))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        assert digest(out) == previous, "a killed build changed the published site"
    subprocess.run(build_command(out, tmp_path), check=True, env=env, cwd=ROOT)
    assert digest(out) == previous  # the same input gives the same site
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")]
    assert leftovers == [".site.previous"]  # the site before, kept for the next build to update


@pytest.mark.slow
def test_killing_incremental_builds_never_breaks_the_site_or_poisons_the_next_build(tmp_path: Path) -> None:
    """Killed while updating the kept previous site in place: the published site is untouched,
    and the next complete build equals a clean one."""
    catalogue = tmp_path / "catalogue"
    shutil.copytree(ROOT / "content" / "catalogue", catalogue)
    out, clean = tmp_path / "site", tmp_path / "clean"
    env = {**os.environ, "PYTHONHASHSEED": "0"}

    def build(target: Path, *extra: str) -> list[str]:
        return [sys.executable, "-m", "site_builder.commands.cli", "--config", str(ROOT / "mkdocs.yml"), "--catalogue",
                str(catalogue), "--out", str(target), "--jobs", "2", "-q", *extra]

    memory = catalogue / "memory.yaml"
    original = memory.read_text(encoding="utf-8")
    for number in range(2):  # two complete builds: a previous site is now kept
        memory.write_text(original.replace("Read the entire knowledge graph", f"Version {number}"), encoding="utf-8")
        subprocess.run(build(out), check=True, env=env, cwd=ROOT)
    published = digest(out)
    rng = random.Random(7)
    for number in range(2, 12):
        memory.write_text(original.replace("Read the entire knowledge graph", f"Version {number}"), encoding="utf-8")
        process = subprocess.Popen(build(out), env=env, cwd=ROOT, start_new_session=True)
        time.sleep(rng.uniform(0.0, 1.5))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        if digest(out) != published:  # swapped in before the kill (maybe just before the exit): whole and new
            check = tmp_path / f"check-{number}"
            subprocess.run(build(check, "--clean"), check=True, env=env, cwd=ROOT)
            assert digest(out) == digest(check), "a killed build changed the published site"
            published = digest(out)
    subprocess.run(build(out), check=True, env=env, cwd=ROOT)
    subprocess.run(build(clean, "--clean"), check=True, env=env, cwd=ROOT)
    assert digest(out) == digest(clean)


def test_an_empty_staging_folder_left_by_a_kill_is_swept_but_foreign_content_is_not(tmp_path: Path) -> None:
    out = tmp_path / "site"
    (tmp_path / ".site.building-killed").mkdir()
    foreign = tmp_path / ".site.building-notours"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("not ours")
    sweep_stale_staging(out)
    assert not (tmp_path / ".site.building-killed").exists()
    assert (foreign / "keep.txt").read_text() == "not ours"


# ------------------------------------------------------------------ a full disk, a read-only mount

def _refuse_writes(monkeypatch: pytest.MonkeyPatch, module: object, where: str, number: int) -> None:
    """`open` (and the writer's `create_file`) in `module` fails with `number` (as a write would, no file name) for files under `where`."""
    real_open = open

    def refusing_open(file: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        if where in str(file) and any(flag in mode for flag in "wxa"):
            raise OSError(number, os.strerror(number))
        return real_open(file, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(module, "open", refusing_open, raising=False)
    if hasattr(module, "create_file"):  # the writer's new files: descriptors, not open()
        real_create = module.create_file

        def refusing_create(target: str) -> int:
            if where in target:
                raise OSError(number, os.strerror(number))
            return real_create(target)  # type: ignore[no-any-return]

        monkeypatch.setattr(module, "create_file", refusing_create)


@pytest.fixture(scope="module")
def small_site_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.output.test_lock import small_project

    return small_project(tmp_path_factory.mktemp("project"))


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and "worker process failed" not in err, err
    assert err.count("\n") == 1, err
    return err


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_full_disk_ends_in_one_line_naming_the_path_and_a_fix(small_site_project: Path, tmp_path: Path, jobs: int,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import errno

    from site_builder.build import workers
    from site_builder.commands.cli import main
    from site_builder.output import writer

    monkeypatch.setattr(workers, "WORKERS_FROM_FILES", 1)  # jobs=2: the pages are written in forked workers
    _refuse_writes(monkeypatch, writer, "/tools/", errno.ENOSPC)
    out = tmp_path / "site"
    assert main(["--config", str(small_site_project), "--out", str(out), "--jobs", str(jobs), "--clean"]) == 1
    err = _one_line_error(capsys)
    assert err.startswith(f"build-site: cannot write {tmp_path}/.site.building-") and "/tools/" in err, err
    assert "no space left on the device; free some space" in err and "--out DIR" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "no staging folder, lock or half site is left"


def test_a_full_cache_disk_names_the_cache_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import errno

    from site_builder.build import store
    from site_builder.commands.cli import main
    from tests.output.test_lock import small_project

    project = small_project(tmp_path / "project")  # a cache of its own: its parts must be written
    _refuse_writes(monkeypatch, store, "/parts/", errno.ENOSPC)  # the cache's one writer, writing a part
    assert main(["--config", str(project), "--out", str(tmp_path / "site"), "--jobs", "1", "--clean"]) == 1
    err = _one_line_error(capsys)
    assert "no space left" in err and "extra.builder.cache" in err, err


def test_a_read_only_output_folder_ends_in_one_line(small_site_project: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import errno

    from site_builder.commands.cli import main

    read_only = tmp_path / "mounted"
    read_only.mkdir()
    if os.geteuid() != 0:
        read_only.chmod(0o555)
        expected = "permission denied; make the folder writable"
    else:  # root writes anyway: a read-only mount, as the kernel reports it
        real_open = os.open

        def refusing(path: object, flags: int, *args: object, **kwargs: object) -> int:
            if str(path).startswith(str(read_only)) and flags & (os.O_CREAT | os.O_WRONLY | os.O_RDWR):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
            return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "open", refusing)
        expected = "the file system is read-only; build into a folder on a writable disk with --out DIR"
    try:
        assert main(["--config", str(small_site_project), "--out", str(read_only / "site"), "--jobs", "1"]) == 1
    finally:
        read_only.chmod(0o755)
    err = _one_line_error(capsys)
    assert err.startswith(f"build-site: cannot write {read_only}/") and expected in err, err
    assert list(read_only.iterdir()) == []


def test_a_failed_build_whose_staging_folder_has_no_marker_yet_still_reports_its_own_error(tmp_path: Path) -> None:
    staged = StagedOutput(tmp_path / "site")
    (staged.staging / MARKER).unlink()
    (staged.staging / (MARKER + ".new")).write_text("partial")
    staged.abandon()  # never raises over the build's own error
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_side_folder_whose_marker_is_refused_is_removed_when_abandoned(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sides = SideFolders(tmp_path / "site")
    kept = sides.make()
    assert is_build_output(kept)

    def refusing(folder: Path) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(swap, "seal_folder", refusing)
    with pytest.raises(OSError):
        sides.make()
    sides.abandon()
    assert list(tmp_path.iterdir()) == [], "the unsealed side folder went too"


def test_a_build_output_killed_while_being_deleted_keeps_its_marker_to_the_end(tmp_path: Path,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Its marker goes last: a kill midway leaves a folder still known as ours, which the next build
    deletes; one of files without the marker would be refused by every later build."""
    folder = tmp_path / "site"
    for name in ("a", "m", "z"):
        (folder / name).mkdir(parents=True)
        (folder / name / "index.html").write_text(name, encoding="utf-8")
    (folder / MARKER).write_text("marker", encoding="utf-8")
    real_rmtree, removed = shutil.rmtree, []

    def killed_after_one(path: str) -> None:
        if removed:
            raise KeyboardInterrupt
        removed.append(path)
        real_rmtree(path)

    monkeypatch.setattr(shutil, "rmtree", killed_after_one)
    with pytest.raises(KeyboardInterrupt):
        remove_build_output(folder)
    assert (folder / MARKER).exists() and len(list(folder.iterdir())) == 3
    monkeypatch.setattr(shutil, "rmtree", real_rmtree)
    remove_build_output(folder)
    assert not folder.exists()
