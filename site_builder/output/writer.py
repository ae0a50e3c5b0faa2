"""The one way output reaches the disk.

* Every file goes through :meth:`OutputWriter.write`, which refuses paths that
  leave the output folder (absolute, `..`, backslashes, NUL, links) and a
  second write of the same path.
* A build writes into a fresh staging folder beside the output folder; only a
  complete build is swapped in (two renames), so a build killed at any moment
  leaves the previous site intact.
* A folder is only ever replaced or deleted when it carries our marker file,
  so `--out ~` or a typo can never wipe a folder that is not a build output.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import secrets
import shutil
import stat
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from ..errors import OutputError
from .lock import disk_errors

MARKER = ".build-site-output"
MARKER_TEXT = "This folder is written by build-site; it is replaced on every build.\n"


# Paths our pages and files use: segments of [A-Za-z0-9_.-] that are not '.' or '..', up to 63 characters.
_PLAIN_PATH = re.compile(r"(?!\.\.?(?:/|$))[A-Za-z0-9_.-]{1,63}(?:/(?!\.\.?(?:/|$))[A-Za-z0-9_.-]{1,63})*")


def _check_relative(relative: str) -> str:
    """A safe relative POSIX path (returned unchanged), or OutputError."""
    if _PLAIN_PATH.fullmatch(relative):  # the common case, checked in one step
        return relative
    if not relative or "\x00" in relative or "\\" in relative or relative.startswith("/"):
        raise OutputError(f"refused output path {relative!r}: not a plain relative path")
    segments = relative.split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        raise OutputError(f"refused output path {relative!r}: empty, '.' or '..' segments")
    if any(len(segment) > 63 and len(segment.encode("utf-8")) > 255 for segment in segments):
        raise OutputError(f"refused output path {relative!r}: a name longer than 255 bytes")
    return relative


def is_build_output(folder: Path) -> bool:
    return folder.is_dir() and not folder.is_symlink() and (folder / MARKER).is_file()


class OutputWriter:
    """Writes one build's files into `root`, each path at most once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sizes: dict[str, int] = {}  # every path written, with its size in bytes
        self.bytes = 0
        self._root = os.fspath(root)
        self._checked_dirs: set[str] = set()  # relative folders made or verified to be real folders

    def _folder(self, relative_dir: str) -> None:
        """Make `relative_dir` under the root, one level at a time.

        Each level is either made here (so it is a fresh real folder) or found
        to be a real folder (never a link), so nothing written below it can
        leave the root.  Levels already checked are remembered."""
        if relative_dir in self._checked_dirs:
            return
        parent, _, _ = relative_dir.rpartition("/")
        if parent:
            self._folder(parent)
        absolute = os.path.join(self._root, relative_dir)
        try:
            with disk_errors(absolute):
                os.mkdir(absolute)
        except FileExistsError:
            if not stat.S_ISDIR(os.lstat(absolute).st_mode):
                raise OutputError(f"refused output folder {relative_dir!r}: a link or a file there would make "
                                  "writes leave the output folder") from None
        self._checked_dirs.add(relative_dir)

    def _target(self, relative: str) -> str:
        _check_relative(relative)
        if relative in self.sizes:
            raise OutputError(f"refused to write {relative!r} twice in one build")
        folder, _, _ = relative.rpartition("/")
        if folder:
            self._folder(folder)
        self.sizes[relative] = 0  # claimed: a second write is refused even if this one fails
        return os.path.join(self._root, relative)

    def _done(self, relative: str, size: int) -> None:
        self.sizes[relative] = size
        self.bytes += size

    def write(self, relative: str, content: str | bytes) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = self._target(relative)
        try:
            with disk_errors(target), open(target, "xb") as stream:  # 'x' (O_EXCL): never overwrite or follow a link
                stream.write(data)
        except FileExistsError:
            raise OutputError(f"refused to write {relative!r}: another part of the build wrote it") from None
        self._done(relative, len(data))

    @contextlib.contextmanager
    def stream_bytes(self, relative: str) -> Iterator[BinaryIO]:
        """Write a large file piece by piece (never held in memory whole), from bytes already encoded."""
        target = self._target(relative)
        with disk_errors(target), open(target, "xb") as handle:
            yield handle
        self._done(relative, os.stat(target).st_size)

    def copy(self, relative: str, source: Path) -> None:
        target = self._target(relative)
        with open(source, "rb") as reader, disk_errors(target), open(target, "xb") as stream:
            shutil.copyfileobj(reader, stream)
        self._done(relative, os.stat(target).st_size)

    def link(self, relative: str, source_root: Path, size: int) -> None:
        """Take an unchanged file from another build (the live site) as a hard link, not a copy.

        Safe because no build ever writes into an existing file: files are only
        created ('x') and unlinked, so the two folders never change each other."""
        source = os.path.join(source_root, relative)
        status = os.lstat(source)
        if not stat.S_ISREG(status.st_mode) or status.st_size != size:
            raise OutputError(f"refused to take {relative!r} from {source_root}: not the file the last build wrote")
        target = self._target(relative)
        with disk_errors(target):
            os.link(source, target, follow_symlinks=False)
        self._done(relative, size)

    def remove_previous(self, paths: Iterable[str]) -> None:
        """Delete files a previous build left in this (reused) root, then the folders left empty.

        Only before this build writes them: a path written in this build is refused."""
        emptied: set[str] = set()
        for relative in paths:
            _check_relative(relative)
            if relative in self.sizes:
                raise OutputError(f"refused to remove {relative!r}: this build wrote it")
            folder, _, _ = relative.rpartition("/")
            if folder:
                self._folder(folder)  # each level a real folder: the unlink stays inside the root
                emptied.add(folder)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(self._root, relative))
        for folder in sorted(emptied, key=len, reverse=True):
            while folder:
                try:
                    os.rmdir(os.path.join(self._root, folder))
                except OSError:  # not empty (or already gone): its parents are not empty either
                    break
                self._checked_dirs.discard(folder)
                folder = folder.rpartition("/")[0]

    def record(self, relative: str, size: int) -> None:
        """Account for a file a worker process wrote, or a previous build left, under this root."""
        _check_relative(relative)
        if relative in self.sizes:
            raise OutputError(f"refused to write {relative!r} twice in one build")
        self._done(relative, size)


def previous_build_path(out: Path) -> Path:
    """Where the site replaced by the last build is kept, to be updated by the next one."""
    return out.parent / f".{out.name}.previous"


def marker_identity(folder: Path) -> str:
    """Tells one build's output folder from any other: its marker is a fresh file per build.

    The folder's own modification time is part of it, so a file added at its
    top level later (a deploy step writing CNAME, say) makes it another folder."""
    status = os.stat(folder / MARKER, follow_symlinks=False)
    return f"{status.st_dev}:{status.st_ino}:{status.st_mtime_ns}:{os.stat(folder).st_mtime_ns}"


class StagedOutput:
    """A staging folder beside `out` that becomes `out` on commit().

    Double-buffered when `keep_previous`: the site that the swap replaces is
    kept as `.<out>.previous` instead of deleted, and the next build with
    `reuse` takes it as its staging folder and rewrites only what changed.
    It is renamed to a `.building-` name first, so a build killed halfway
    leaves a folder the next build's sweep deletes, never a half-updated
    one that looks reusable.  `reused` is the identity of the reused build
    (see marker_identity), None for a fresh staging folder."""

    def __init__(self, out: Path, keep_previous: bool = False, reuse: bool = False) -> None:
        self.out = out.absolute()
        self.keep_previous, self.reuse = keep_previous, reuse
        if self.out.exists() and not is_build_output(self.out):
            if self.out.is_symlink() or not self.out.is_dir() or any(self.out.iterdir()):
                raise OutputError(f"{out} exists and is not a build-site output (no {MARKER} file); "
                                  "refusing to replace it. Choose another --out or empty it yourself.")
        self.out.parent.mkdir(parents=True, exist_ok=True)
        previous = previous_build_path(self.out)
        self.reused: str | None = None
        if reuse and is_build_output(previous):
            self.reused = marker_identity(previous)
            self.staging = self.out.parent / f".{self.out.name}.building-{secrets.token_hex(6)}"
            os.rename(previous, self.staging)
        else:
            self.staging = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.building-", dir=self.out.parent))
            self.seal()

    def restart(self) -> None:
        """Start again from an empty staging folder (a reused one whose contents are unknown)."""
        remove_build_output(self.staging)
        self.reused = None
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.building-", dir=self.out.parent))
        self.seal()

    def seal(self) -> str:
        """(Re)write the staging folder's marker as a fresh file; return the folder's new identity."""
        temporary = self.staging / (MARKER + ".new")
        temporary.write_text(MARKER_TEXT, encoding="utf-8")
        os.replace(temporary, self.staging / MARKER)
        return marker_identity(self.staging)

    def commit(self) -> None:
        """Swap the finished build in atomically; the old one is kept (keep_previous) or removed."""
        if self.out.exists() and _exchange(self.staging, self.out):
            previous = previous_build_path(self.out)  # self.staging now holds the previous site
            if not self.keep_previous:
                remove_build_output(self.staging)
                return
            if is_build_output(previous):
                remove_build_output(previous)
            os.rename(self.staging, previous)
            return
        old = None
        if self.out.exists():  # no atomic exchange here: two renames, recovered by the next build
            old = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.old-", dir=self.out.parent))
            old.rmdir()
            os.rename(self.out, old)
        os.rename(self.staging, self.out)
        if old is not None:
            remove_build_output(old)

    def abandon(self) -> None:
        """Remove the staging folder of a failed build; never raises (the build's own error is the one to show)."""
        with contextlib.suppress(OSError, OutputError):
            if not _remove_unsealed(self.staging):
                remove_build_output(self.staging)


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two folders (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    if sys.platform != "linux":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
    return bool(result == 0)


def remove_build_output(folder: Path) -> None:
    """Delete a folder we wrote (marker checked); links inside are removed, never followed."""
    if not is_build_output(folder):
        raise OutputError(f"refusing to delete {folder}: it has no {MARKER} file")
    shutil.rmtree(folder)


def sweep_stale_staging(out: Path) -> None:
    """Tidy up after a killed build: restore an orphaned previous site, remove our leftovers."""
    out = out.absolute()
    olds = sorted(out.parent.glob(f".{out.name}.old-*"))
    if not out.exists() and olds and is_build_output(olds[-1]):
        os.rename(olds[-1], out)
    for prefix in (f".{out.name}.building-", f".{out.name}.old-"):
        for folder in out.parent.glob(prefix + "*"):
            if is_build_output(folder):
                shutil.rmtree(folder)
            else:
                _remove_unsealed(folder)


def _remove_unsealed(folder: Path) -> bool:
    """Remove a staging folder killed before its marker was written (empty, or only the marker's
    temporary file: nothing to lose); True if it was one."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    entries = list(os.scandir(folder))
    if any(entry.name != MARKER + ".new" or not entry.is_file(follow_symlinks=False) for entry in entries):
        return False
    for entry in entries:
        os.unlink(entry.path)
    folder.rmdir()
    return True
