"""One output path: whether it is safe, creating its file, copying ranges into it, telling it apart.

The writer (writer.py) is the only user of the first three and of taken_source; file_identity is
also what the stream's state keeps of the files it patches.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from ..errors import OutputError


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)  # open(path, "xb")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # never in a file name we write (nor in the manifest's listings)
# Paths our pages and files use: segments of [A-Za-z0-9_.-] that are not '.' or '..', up to 63 characters.
PLAIN_PATH = re.compile(r"(?!\.\.?(?:/|$))[A-Za-z0-9_.-]{1,63}(?:/(?!\.\.?(?:/|$))[A-Za-z0-9_.-]{1,63})*")


def check_relative(relative: str) -> str:
    """A safe relative POSIX path (returned unchanged), or OutputError."""
    if PLAIN_PATH.fullmatch(relative):  # the common case, checked in one step
        return relative
    if not relative or _CONTROL.search(relative) or "\\" in relative or relative.startswith("/"):
        raise OutputError(f"refused output path {relative!r}: not a plain relative path")
    segments = relative.split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        raise OutputError(f"refused output path {relative!r}: empty, '.' or '..' segments")
    if any(len(segment) > 63 and len(segment.encode("utf-8")) > 255 for segment in segments):
        raise OutputError(f"refused output path {relative!r}: a name longer than 255 bytes")
    return relative


def create_file(target: str) -> int:
    """A descriptor of a new file at `target` (O_EXCL: never overwrite, nor follow a link)."""
    return os.open(target, _CREATE, 0o666)


def copy_range(source: int, target: int, offset: int, length: int) -> None:
    """Append `length` bytes of `source` from `offset` to `target` (at its position)."""
    while length:
        try:
            done = os.copy_file_range(source, target, length, offset)
        except OSError as error:
            if error.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
                raise
            done = os.write(target, os.pread(source, min(length, 1 << 24), offset))
        if done <= 0:
            raise OSError(errno.EIO, "the file to copy from is shorter than the last build wrote it")
        offset, length = offset + done, length - done


def file_identity(path: str | os.PathLike[str]) -> list[int]:
    """What tells a file a build wrote from any other: its size, time and inode (builds never write a file
    in place, and an edit of one by hand changes its time, or makes another)."""
    status = os.lstat(path)
    return [status.st_size, status.st_mtime_ns, status.st_ino]


def taken_source(relative: str, source_root: Path, size: int) -> str:
    """The path of `relative` in another build, if it is there as that build wrote it (a regular file of
    `size` bytes): the file a build takes from it as it is."""
    source = os.path.join(source_root, relative)
    try:
        status = os.lstat(source)
    except FileNotFoundError:
        raise OutputError(f"refused to take {relative!r} from {source_root}: it was deleted since the last "
                          "build; build with --clean") from None
    if not stat.S_ISREG(status.st_mode) or status.st_size != size:
        raise OutputError(f"refused to take {relative!r} from {source_root}: not the file the last build wrote "
                          "(edited by hand?); build with --clean")
    return source
