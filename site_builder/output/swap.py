"""The staging folder of a build and its swap into place.

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
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

from ..errors import OutputError

MARKER = ".build-site-output"
MARKER_TEXT = "This folder is written by build-site; it is replaced on every build.\n"


def is_build_output(folder: Path) -> bool:
    return folder.is_dir() and not folder.is_symlink() and (folder / MARKER).is_file()


def previous_build_path(out: Path) -> Path:
    """Where the site replaced by the last build is kept, to be updated by the next one."""
    return out.parent / f".{out.name}.previous"


def marker_identity(folder: Path) -> str:
    """Tells one build's output folder from any other: its marker is a fresh file per build.

    The folder's own modification time is part of it, so a file added at its
    top level later (a deploy step writing CNAME, say) makes it another folder."""
    status = os.stat(folder / MARKER, follow_symlinks=False)
    return f"{status.st_dev}:{status.st_ino}:{status.st_mtime_ns}:{os.stat(folder).st_mtime_ns}"


def seal_folder(folder: Path) -> str:
    """(Re)write the marker of a folder we write as a fresh file; return the folder's new identity."""
    temporary = folder / (MARKER + ".new")
    temporary.write_text(MARKER_TEXT, encoding="utf-8")
    os.replace(temporary, folder / MARKER)
    return marker_identity(folder)


class SideFolders:
    """Empty, sealed folders beside the output, for files written before the build's staging folder exists
    or is ready for them (moved into it with OutputWriter.adopt); removed by drop, abandon or the sweep."""

    def __init__(self, out: Path) -> None:
        self.out = out.absolute()
        self.folders: list[Path] = []

    def make(self) -> Path:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        side = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.building-", dir=self.out.parent))
        self.folders.append(side)  # before sealing it: a refused marker leaves nothing abandon() does not know of
        seal_folder(side)
        return side

    def drop(self, side: Path) -> None:
        remove_build_output(side)
        self.folders.remove(side)

    def abandon(self) -> None:
        """Remove every side folder (the build failed); never raises."""
        for folder in self.folders:
            with contextlib.suppress(OSError, OutputError):
                _discard(folder)
        self.folders.clear()


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
        self.twin: Path | None = None  # see make_twin
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

    def seal(self, folder: Path | None = None) -> str:
        """(Re)write the marker of the staging folder (or its twin) as a fresh file; return the folder's
        new identity."""
        return seal_folder(folder or self.staging)

    def make_twin(self) -> Path:
        """A second, empty staging folder, to be filled with hard links of the finished build's files and
        sealed: on commit it is kept as the previous site in place of the one the swap replaces.

        For a build that writes every file: the next build then updates the twin in place instead of
        linking every unchanged file from the live site.  The two share their files, which is safe as
        no build writes into a file (see OutputWriter.link)."""
        self.twin = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.building-", dir=self.out.parent))
        self.seal(self.twin)  # marked at once: a build killed while filling it leaves a folder the sweep removes
        return self.twin

    def drop_twin(self) -> None:
        """Remove the twin (its files could not be linked): the replaced site is kept as without one."""
        if self.twin is not None:
            remove_build_output(self.twin)
            self.twin = None

    def commit(self) -> None:
        """Swap the finished build in atomically; the old one is kept (keep_previous, without a twin) or
        removed, and the twin is kept in its place."""
        keep_old = self.keep_previous and self.twin is None
        if self.out.exists() and _exchange(self.staging, self.out):  # self.staging now holds the old site
            if keep_old:
                self._keep(self.staging)
            else:
                _discard(self.staging)
        else:
            old = None
            if self.out.exists():  # no atomic exchange here: two renames, recovered by the next build
                old = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.old-", dir=self.out.parent))
                old.rmdir()
                os.rename(self.out, old)
            os.rename(self.staging, self.out)
            if old is not None:
                _discard(old)
        if self.twin is not None:
            self._keep(self.twin)
            self.twin = None

    def _keep(self, folder: Path) -> None:
        """`folder` becomes the previous site kept beside the output."""
        previous = previous_build_path(self.out)
        if is_build_output(previous):
            remove_build_output(previous)
        os.rename(folder, previous)

    def abandon(self) -> None:
        """Remove the staging folder of a failed build; never raises (the build's own error is the one to show)."""
        for folder in (self.staging, self.twin):
            with contextlib.suppress(OSError, OutputError):
                if folder is not None:
                    _discard(folder)


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


def _discard(folder: Path) -> None:
    """Delete the folder a swap replaced: a build output, or the empty folder the first build went into."""
    if not _remove_unsealed(folder):
        remove_build_output(folder)


def remove_build_output(folder: Path) -> None:
    """Delete a folder we wrote (marker checked); links inside are removed, never followed."""
    if not is_build_output(folder):
        raise OutputError(f"refusing to delete {folder}: it has no {MARKER} file")
    _remove_marked(folder)


def _remove_marked(folder: Path) -> None:
    """Delete a marked folder, its marker last: a build killed meanwhile leaves a folder still known as
    ours (a folder of files without the marker would be refused by every later build)."""
    for entry in os.scandir(folder):
        if entry.name == MARKER:
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)
    os.unlink(folder / MARKER)
    folder.rmdir()


def sweep_stale_staging(out: Path) -> None:
    """Tidy up after a killed build: restore an orphaned previous site, remove our leftovers."""
    out = out.absolute()
    olds = sorted(out.parent.glob(f".{out.name}.old-*"))
    if not out.exists() and olds and is_build_output(olds[-1]):
        os.rename(olds[-1], out)
    for prefix in (f".{out.name}.building-", f".{out.name}.old-"):
        for folder in out.parent.glob(prefix + "*"):
            if is_build_output(folder):
                _remove_marked(folder)
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
