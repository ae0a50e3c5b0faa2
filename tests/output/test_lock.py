"""One build at a time per output (site_builder/lock.py), and the sweep of killed builds' leftovers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from site_builder.build.build import BuildRequest, run_build
from site_builder.errors import OutputError, UserError
from site_builder.output.lock import OutputLock, lock_path, lock_wait
from site_builder.output.swap import MARKER

from tests.helpers import ROOT, project_config

SMALL_SERVERS = ("memory.yaml", "asana.yaml")


def small_project(folder: Path) -> Path:
    """A site project with two servers of the default catalogue; returns its mkdocs.yml."""
    catalogue = folder / "catalogue"
    catalogue.mkdir(parents=True)
    for name in SMALL_SERVERS:
        shutil.copy(ROOT / "content" / "catalogue" / name, catalogue / name)
    return project_config(folder, catalogue)


def build_command(config: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "site_builder.commands.cli", "--config", str(config), "--out", str(out), "--jobs", "2",
            "-q", *extra]


def test_a_second_lock_on_the_same_output_is_refused_naming_the_output_and_pid(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with OutputLock(out, wait=0):
        assert lock_path(out).read_text().strip() == str(os.getpid())
        with pytest.raises(OutputError) as caught:
            with OutputLock(out, wait=0.3):
                pass
    message = str(caught.value)
    assert f"another build-site is writing {out} (pid {os.getpid()})" in message and "--out" in message
    assert "\n" not in message
    assert not lock_path(out).exists(), "the lock file goes with the lock"
    with OutputLock(out, wait=0):  # free again
        pass


def test_a_waiting_build_gets_the_lock_once_it_is_released(tmp_path: Path) -> None:
    out = tmp_path / "site"
    told: list[str] = []
    first = OutputLock(out, wait=0).__enter__()
    threading.Timer(0.3, first.__exit__, (None, None, None)).start()
    with OutputLock(out, wait=10, notify=told.append):
        pass
    assert told and "waiting for another build-site writing" in told[0]


def test_the_lock_excludes_even_when_its_file_is_removed_and_made_again(tmp_path: Path) -> None:
    out = tmp_path / "site"
    inside: list[int] = []
    overlaps: list[int] = []

    def worker(number: int) -> None:
        for _ in range(25):
            with OutputLock(out, wait=30):
                if inside:
                    overlaps.append(number)
                inside.append(number)
                time.sleep(0.001)
                inside.remove(number)

    threads = [threading.Thread(target=worker, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == [] and not lock_path(out).exists()


def test_a_lock_file_that_is_a_link_is_refused_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep")
    lock_path(tmp_path / "site").symlink_to(target)
    with pytest.raises(OutputError, match="cannot open the lock file"):
        with OutputLock(tmp_path / "site", wait=0):
            pass
    assert target.read_text() == "keep"


@pytest.mark.parametrize("value", ["soon", "-1", "inf"])
def test_a_bad_lock_wait_is_a_user_error_naming_the_variable(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUILD_SITE_LOCK_WAIT", value)
    with pytest.raises(UserError, match="BUILD_SITE_LOCK_WAIT"):
        lock_wait()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_project(tmp_path_factory.mktemp("project"))


def test_leftovers_of_killed_builds_are_swept_at_the_start_of_the_next_build(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    marked = tmp_path / ".site.building-killed"
    marked.mkdir()
    (marked / MARKER).write_text("")
    (marked / "index.html").write_text("half a site")
    unsealed = tmp_path / ".site.building-unsealed"  # killed while writing its marker
    unsealed.mkdir()
    (unsealed / (MARKER + ".new")).write_text("This folder")
    foreign = tmp_path / ".site.building-notours"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("not ours")
    run_build(BuildRequest(config_file=project, out=out, jobs=1, verbosity=0))
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.building-notours", ".site.previous", "site"]  # the twin
    assert (foreign / "keep.txt").read_text() == "not ours"


@pytest.mark.parametrize("wait", ["30", "0"])
def test_builds_started_at_once_into_one_output_never_crash_or_leave_staging_folders(
        project: Path, tmp_path: Path, wait: str) -> None:
    out = tmp_path / "site"
    env = {**os.environ, "BUILD_SITE_LOCK_WAIT": wait}
    processes = [subprocess.Popen(build_command(project, out, "--clean"), cwd=ROOT, env=env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    results = [(process.wait(timeout=300), process.stderr.read() if process.stderr else "") for process in processes]
    for code, stderr in results:
        assert "Traceback" not in stderr and "worker process failed" not in stderr, stderr
        if code != 0:
            assert code == 1 and stderr.count("\n") == 1, stderr
            assert f"another build-site is writing {out}" in stderr and "--out" in stderr, stderr
    assert any(code == 0 for code, _ in results)
    if wait != "0":
        assert all(code == 0 for code, _ in results), results
    assert (out / MARKER).is_file() and (out / "index.html").is_file()
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name != "site")
    assert leftovers in ([], [".site.previous"]), leftovers
