"""Guards around writing an output folder.

* One build at a time per output: a build holds an exclusive `flock` on a
  lock file beside the output (`.<out>.lock`, holding its pid) from before
  it looks at the output until after the swap.  A second build waits a
  short while (LOCK_WAIT_SECONDS, or BUILD_SITE_LOCK_WAIT) and then refuses
  with a message naming the output and the other build's pid.  The lock file
  is removed on release (and a waiter that locked a removed file tries
  again), so a build leaves nothing beside its output.
* A full disk, a quota, a read-only mount or a permission refused end in one
  line naming the path, the problem and a fix (DiskError), never a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
from pathlib import Path
from typing import Callable, Iterator

from ..errors import OutputError, Problem, UserError

LOCK_WAIT_SECONDS = 30.0
LOCK_WAIT_VARIABLE = "BUILD_SITE_LOCK_WAIT"
_POLL_SECONDS = 0.1

_FULL = "free some space on that disk, or build into a folder on another disk with --out DIR"
_READ_ONLY = "build into a folder on a writable disk with --out DIR"
_DENIED = "make the folder writable for this user, or build into a folder you own with --out DIR"
DISK_PROBLEMS = {
    errno.ENOSPC: ("no space left on the device", _FULL),
    errno.EDQUOT: ("disk quota exceeded", _FULL),
    errno.EFBIG: ("file too large for the file system", _FULL),
    errno.EROFS: ("the file system is read-only", _READ_ONLY),
    errno.EACCES: ("permission denied", _DENIED),
    errno.EPERM: ("operation not permitted", _DENIED),
}


class DiskError(OutputError):
    """The disk refused a write: full, over quota, read-only, or not ours to write."""


def disk_error(exc: OSError, path: str | os.PathLike[str], cache_dir: Path | None = None) -> DiskError | None:
    """The one-line error for a refused write (None: not a disk problem)."""
    if exc.errno not in DISK_PROBLEMS:
        return None
    problem, fix = DISK_PROBLEMS[exc.errno]
    where = os.fsdecode(exc.filename) if exc.filename else os.fspath(path)
    if cache_dir is not None and Path(os.path.abspath(where)).is_relative_to(os.path.abspath(cache_dir)):
        fix = fix.replace("--out DIR", "extra.builder.cache in mkdocs.yml (the build cache)")
    return DiskError(f"cannot write {where}: {problem}; {fix}")


@contextlib.contextmanager
def disk_errors(path: str | os.PathLike[str], cache_dir: Path | None = None) -> Iterator[None]:
    """Turn a refused write under `path` into a DiskError (other errors pass unchanged)."""
    try:
        yield
    except OSError as exc:
        error = disk_error(exc, path, cache_dir)
        if error is None:
            raise
        raise error from None


def lock_path(out: Path) -> Path:
    out = out.absolute()
    return out.parent / f".{out.name}.lock"


def lock_wait() -> float:
    """Seconds to wait for another build of the same output (BUILD_SITE_LOCK_WAIT, else the default)."""
    text = os.environ.get(LOCK_WAIT_VARIABLE, "").strip()
    try:
        seconds = float(text) if text else LOCK_WAIT_SECONDS
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise UserError([Problem(LOCK_WAIT_VARIABLE, 0, "", f"{text!r} is not a number of seconds",
                                 f"set it to seconds to wait for another build (0: refuse at once), or unset it "
                                 f"(default {LOCK_WAIT_SECONDS:g})")])
    return seconds


class OutputLock:
    """An exclusive lock on building `out` (a context manager; see module doc)."""

    def __init__(self, out: Path, wait: float | None = None, notify: Callable[[str], None] | None = None) -> None:
        self.out, self.path = out, lock_path(out)
        self.wait = lock_wait() if wait is None else wait
        self.notify = notify
        self.fd: int | None = None

    def __enter__(self) -> OutputLock:
        deadline, told = time.monotonic() + self.wait, False
        while self.fd is None:
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if not isinstance(exc, BlockingIOError):  # no locks on this file system (ENOLCK), say
                    os.close(fd)
                    raise OutputError(f"cannot lock {self.path}: {exc.strerror}; build into a folder on a local "
                                      "disk with --out DIR") from None
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                os.close(fd)
                pid = f" (pid {holder})" if holder.isdigit() else ""
                if time.monotonic() >= deadline:
                    raise OutputError(f"another build-site is writing {self.out}{pid}; wait for it to finish "
                                      f"or use --out DIR (waited {self.wait:g} s; {LOCK_WAIT_VARIABLE} sets how long)")
                if not told and self.notify is not None:
                    self.notify(f"waiting for another build-site writing {self.out}{pid}")
                    told = True
                time.sleep(_POLL_SECONDS)
                continue
            if self._still_ours(fd):
                self.fd = fd
                with contextlib.suppress(OSError):  # the pid only makes the message of a waiting build clearer
                    os.ftruncate(fd, 0)
                    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
            else:  # released and removed by its holder before we locked it: lock the new one
                os.close(fd)
        return self

    def _open(self) -> int:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            raise disk_error(exc, self.path) or OutputError(
                f"cannot open the lock file {self.path}: {exc.strerror}; remove it if it is not a file "
                "build-site made, or use --out DIR") from None

    def _still_ours(self, fd: int) -> bool:
        try:
            return os.path.samestat(os.fstat(fd), os.stat(self.path, follow_symlinks=False))
        except FileNotFoundError:
            return False

    def __exit__(self, *exc: object) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            if self._still_ours(self.fd):
                os.unlink(self.path)  # while still locked: a waiter that gets this file sees it is gone
        os.close(self.fd)
        self.fd = None
