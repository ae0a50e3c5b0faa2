"""The one way output reaches the disk.

Every file goes through :class:`OutputWriter` (write, stream, copy, link),
which refuses paths that leave the output folder (absolute, `..`,
backslashes, NUL, links) and a second write of the same path.  A build
writes into a staging folder that swap.py swaps in once it is complete.
"""

from __future__ import annotations

import collections
import contextlib
import os
import shutil
import stat
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Mapping

from ..errors import OutputError
from .files import PLAIN_PATH, check_relative, copy_range, create_file, file_identity, taken_source
from .lock import disk_error, disk_errors


class OutputWriter:
    """Writes one build's files into `root`, each path at most once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sizes: dict[str, int] = {}  # every path written, with its size in bytes
        self.written: list[str] = []  # the paths of `sizes` written (or recorded one by one) by this build, in order
        self.bytes = 0
        self.kept = 0  # files a reused build keeps in place, unnamed here (see keep_in_place)
        self.taken: dict[str, int] = {}  # files named to be taken from another build as they are (take)
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
        check_relative(relative)
        if relative in self.sizes:
            raise OutputError(f"refused to write {relative!r} twice in one build")
        folder, _, _ = relative.rpartition("/")
        if folder:
            self._folder(folder)
        self.sizes[relative] = 0  # claimed: a second write is refused even if this one fails
        return os.path.join(self._root, relative)

    def _done(self, relative: str, size: int) -> None:
        self.sizes[relative] = size
        self.written.append(relative)
        self.bytes += size

    def write(self, relative: str, content: str | bytes) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = self._target(relative)
        try:  # a descriptor, not a buffered file: a tenth of the calls for 384k small files
            descriptor = create_file(target)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(descriptor, view):]
            finally:
                os.close(descriptor)
        except FileExistsError:
            raise OutputError(f"refused to write {relative!r}: another part of the build wrote it") from None
        except OSError as error:
            problem = disk_error(error, target)
            if problem is None:
                raise
            raise problem from None
        self._done(relative, len(data))

    @contextlib.contextmanager
    def stream_bytes(self, relative: str) -> Iterator[BinaryIO]:
        """Write a large file piece by piece (never held in memory whole), from bytes already encoded."""
        target = self._target(relative)
        with disk_errors(target), open(target, "xb") as handle:
            yield handle
        self._done(relative, os.stat(target).st_size)

    def assemble(self, relative: str, pieces: Iterable[bytes | tuple[str, int, int]]) -> None:
        """Write a large file from bytes and from ranges `(file, offset, length)` of other files, copied by
        the kernel (copy_file_range: not through this process) where it can."""
        target = self._target(relative)
        sources: dict[str, int] = {}
        try:
            with disk_errors(target), open(target, "xb", buffering=0) as handle:
                for piece in pieces:
                    if isinstance(piece, bytes):
                        view = memoryview(piece)
                        while view:
                            view = view[handle.write(view) or 0:]
                    else:
                        path, offset, length = piece
                        if path not in sources:
                            sources[path] = os.open(path, os.O_RDONLY)
                        copy_range(sources[path], handle.fileno(), offset, length)
        finally:
            for descriptor in sources.values():
                os.close(descriptor)
        self._done(relative, os.stat(target).st_size)

    def copy(self, relative: str, source: Path) -> None:
        target = self._target(relative)
        with open(source, "rb") as reader, disk_errors(target), open(target, "xb") as stream:
            shutil.copyfileobj(reader, stream)
        self._done(relative, os.stat(target).st_size)

    def link(self, relative: str, source_root: Path, size: int, or_copy: bool = False) -> None:
        """Take an unchanged file from another build (the live site) as a hard link, not a copy (`or_copy`:
        a copy where the filesystem has no hard links).

        Safe because no build ever writes into an existing file: files are only
        created ('x') and unlinked, so the two folders never change each other."""
        source = taken_source(relative, source_root, size)
        self._link(source_root, source, self._target(relative), relative, size, or_copy)

    def _link(self, source_root: Path, source: str, target: str, relative: str, size: int, or_copy: bool) -> None:
        with disk_errors(target):
            try:
                os.link(source, target, follow_symlinks=False)
            except FileExistsError:
                raise OutputError(f"refused to take {relative!r} from {source_root}: a file is already there "
                                  "(not one the last build wrote); build with --clean") from None
            except OSError:
                if not or_copy:
                    raise
                with open(source, "rb") as reader, open(target, "xb") as stream:
                    shutil.copyfileobj(reader, stream)
        self._done(relative, size)

    def take(self, relative: str, source_root: Path, size: int) -> None:
        """Name an unchanged file of another build (the live site) for the writer that adopts this one's files
        to take as it is (adopt's `taken`): nothing is written here."""
        check_relative(relative)
        if relative in self.sizes or relative in self.taken:
            raise OutputError(f"refused to write {relative!r} twice in one build")
        taken_source(relative, source_root, size)
        self.taken[relative] = size

    def identity(self, relative: str) -> list[int]:
        """The identity of a file this build wrote or took (file_identity)."""
        return file_identity(os.path.join(self._root, relative))

    def adopt(self, files: Mapping[str, int], source_root: Path, replacing: Iterable[str] = (),
              taken: Mapping[str, int] | None = None, taken_from: Path | None = None) -> None:
        """Move into this root the files another writer wrote under `source_root` (path -> size), as if written
        here: a path already there or written is refused, but the files of a previous build `replacing` names
        (their entries replaced, never written into; those not replaced deleted).  The files it named to be
        `taken` as they are from the build `taken_from` are linked from there, or kept where the previous
        build's file is that very file (a hard link of it: most of the search index's, in an edit)."""
        stale, taken = set(replacing), taken or {}
        for relative, size in files.items():
            target = self._target(relative)
            if os.path.lexists(target) and (relative not in stale or os.path.isdir(target)):
                raise OutputError(f"refused to move {relative!r} into the build: a file or folder is already "
                                  "there (not one the last build wrote); build with --clean")
            with disk_errors(target):
                os.replace(os.path.join(source_root, relative), target)
            self._done(relative, size)
        if taken:
            assert taken_from is not None, "files are taken from a build"
            for relative, size in taken.items():
                self._take(relative, taken_from, size, relative in stale)
        self.remove_previous(sorted(stale.difference(files, taken)))

    def _take(self, relative: str, source_root: Path, size: int, replacing: bool) -> None:
        source = taken_source(relative, source_root, size)
        target = self._target(relative)  # its folders checked: what is unlinked is inside the root
        if replacing:
            with contextlib.suppress(FileNotFoundError):
                status = os.lstat(target)
                if os.path.samestat(os.lstat(source), status):  # the kept site holds the very file
                    self._done(relative, size)
                    return
                if stat.S_ISDIR(status.st_mode):
                    raise OutputError(f"refused to take {relative!r} into the build: a folder is there (not what "
                                      "the last build wrote); build with --clean")
                with disk_errors(target):
                    os.unlink(target)
        self._link(source_root, source, target, relative, size, or_copy=True)

    def remove_previous(self, paths: Iterable[str]) -> None:
        """Delete files a previous build left in this (reused) root, then the folders left empty.

        Only before this build writes them: a path written in this build is refused."""
        emptied: set[str] = set()
        for relative in paths:
            check_relative(relative)
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

    def record_many(self, files: Mapping[str, int]) -> None:
        """record() for many files at once: the files a reused build keeps (384k of them at 100k tools), which
        are not in `written`."""
        if not all(map(PLAIN_PATH.fullmatch, files)):  # the common case, checked in C
            collections.deque(map(check_relative, files), maxlen=0)
        if not self.sizes.keys().isdisjoint(files):
            twice = next(path for path in files if path in self.sizes)
            raise OutputError(f"refused to write {twice!r} twice in one build")
        self.sizes.update(files)
        self.bytes += sum(files.values())

    def keep_in_place(self, files: int, size: int) -> None:
        """Account for files a reused build keeps where they are, unnamed (384k at 100k tools): no write of
        this build replaces one (every write creates its file: 'x', O_EXCL, os.link; adopt replaces only
        the files it is told are stale)."""
        self.kept += files
        self.bytes += size

    @property
    def files(self) -> int:
        """The files of the output: written, recorded or kept."""
        return len(self.sizes) + self.kept

    def record(self, relative: str, size: int) -> None:
        """Account for a file a worker process wrote, or a previous build left, under this root."""
        check_relative(relative)
        if relative in self.sizes:
            raise OutputError(f"refused to write {relative!r} twice in one build")
        self._done(relative, size)
