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
from site_builder.writer import MARKER, OutputWriter, StagedOutput, remove_build_output, sweep_stale_staging

from tests.helpers import ROOT


@pytest.mark.parametrize("path", ["../x", "/etc/passwd", "a/../../x", "a\\b", "a\x00b", "a//b", "./a", "a/", ""])
def test_refuses_paths_that_leave_or_are_not_plain(tmp_path: Path, path: str) -> None:
    with pytest.raises(OutputError):
        OutputWriter(tmp_path).write(path, "x")


def test_refuses_writing_a_path_twice(tmp_path: Path) -> None:
    writer = OutputWriter(tmp_path)
    writer.write("a/index.html", "one")
    with pytest.raises(OutputError, match="twice"):
        writer.write("a/index.html", "two")
    assert (tmp_path / "a/index.html").read_text() == "one"


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
    return [sys.executable, "-m", "site_builder.cli", "--config", str(ROOT / "mkdocs.yml"), "--out", str(out),
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
        return [sys.executable, "-m", "site_builder.cli", "--config", str(ROOT / "mkdocs.yml"), "--catalogue",
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
