"""Forked helpers (build/background.py): a parent killed outright leaves none of them behind."""

from __future__ import annotations

import fcntl
import subprocess
import sys
import time
from pathlib import Path

import pytest

from site_builder.build.background import Steps

from tests.helpers import ROOT

PARENT = """
import fcntl, sys, time
from site_builder.build.background import Steps
lock = open(sys.argv[1], "w")
fcntl.flock(lock, fcntl.LOCK_EX)  # as the build holds the output's lock, which its children inherit
def steps():
    yield b"x" * 2_000_000  # more than a pipe holds: the child waits until the parent reads
    yield b"y"
work = Steps(steps, fork=True)
print(work.process.pid, flush=True)
time.sleep(60)
"""


def _running(pid: int) -> bool:
    """Whether the process exists and is not a zombie (a dead child its new parent has not reaped yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_parent_killed_outright_takes_its_forked_helper_and_the_lock_it_held_with_it(tmp_path: Path) -> None:
    lock = tmp_path / "out.lock"
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(lock)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    time.sleep(0.5)  # the child is blocked sending its first value
    assert _running(child)
    parent.kill()  # SIGKILL: no cleanup runs in the parent
    parent.wait()
    deadline = time.monotonic() + 5
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(child), "the helper outlived its parent"
    with open(lock, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free: no process holds it any more


def test_steps_made_in_the_parent_are_made_when_asked_for() -> None:
    made: list[int] = []

    def steps() -> object:
        for number in range(3):
            made.append(number)
            yield number

    work = Steps(steps, fork=False)  # type: ignore[arg-type]
    assert made == [] and work.next() == 0 and made == [0] and work.next() == 1
    work.cancel()
