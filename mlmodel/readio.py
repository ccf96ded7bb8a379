"""Read files from a model directory safely: regular files only, size checked before reading.

A FIFO, a device or a socket is never read (opening one could block forever or
stream without end), and a file's size is checked against the limit before a
single byte is read, so a huge (or sparse) file costs a ``stat``, not its size
in memory.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_CHUNK = 1 << 20


class NotRegularFileError(OSError):
    """The path names a FIFO, a device, a socket or a directory."""


class FileTooLargeError(OSError):
    """The file is larger than the limit; ``size`` is what ``stat`` said."""

    def __init__(self, path: str | Path, size: int, limit: int) -> None:
        super().__init__(errno.EFBIG, f"{size} bytes, above the {limit}-byte limit", str(path))
        self.size = size
        self.limit = limit


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_regular(path: str | Path) -> os.stat_result:
    """``stat`` of ``path`` (symlinks followed), refusing anything but a regular file."""
    info = Path(path).stat()
    if not stat.S_ISREG(info.st_mode):
        raise NotRegularFileError(
            errno.EINVAL, f"{_kind(info.st_mode)}, not a regular file; not read", str(path)
        )
    return info


def is_regular_file(path: str | Path) -> bool:
    """Whether ``path`` is a regular file; False (never an exception) for any odd path."""
    try:
        check_regular(path)
    except (OSError, ValueError):
        return False
    return True


def _open_regular(path: str | Path) -> tuple[int, os.stat_result]:
    check_regular(path)  # before open: opening a FIFO or a device can have effects
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    info = os.fstat(fd)  # the file opened may not be the one stat saw
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise NotRegularFileError(
            errno.EINVAL, f"{_kind(info.st_mode)}, not a regular file; not read", str(path)
        )
    return fd, info


def read_head(path: str | Path, count: int) -> bytes:
    """The first ``count`` bytes of a regular file (fewer when it is shorter)."""
    fd, _info = _open_regular(path)
    try:
        return os.read(fd, count)
    finally:
        os.close(fd)


def read_regular(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Raises :class:`NotRegularFileError`, :class:`FileTooLargeError` or another
    :class:`OSError`; a path holding a NUL raises :class:`ValueError`.
    """
    fd, info = _open_regular(path)
    try:
        if info.st_size > limit:
            raise FileTooLargeError(path, info.st_size, limit)
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, _CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:  # it grew since fstat
            raise FileTooLargeError(path, len(data), limit)
        return data
    finally:
        os.close(fd)


#: what POSIX file systems accept: a name (one component) and a whole path, in bytes
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 4096


def path_problem(value: str) -> str | None:
    """Why no file system can hold the relative path ``value`` (None when one can).

    Such a path makes ``stat`` and ``open`` raise (``ValueError`` for a NUL,
    ``ENAMETOOLONG`` for a long name) instead of saying the file is missing.
    """
    if "\x00" in value:
        return "holds a NUL character"
    encoded = value.encode("utf-8", "surrogateescape")
    if len(encoded) > MAX_PATH_BYTES:
        return f"is {len(encoded)} bytes long; paths have at most {MAX_PATH_BYTES}"
    for part in encoded.replace(b"\\", b"/").split(b"/"):
        if len(part) > MAX_NAME_BYTES:
            return f"has a name of {len(part)} bytes; file names have at most {MAX_NAME_BYTES}"
    return None


def inside(model_dir: Path, relative: str) -> Path | None:
    """``model_dir / relative`` when that is a usable path that stays inside ``model_dir``
    (symlinks resolved); None for an absolute, escaping or unusable path."""
    if not relative or path_problem(relative) is not None or Path(relative).is_absolute():
        return None
    candidate = model_dir / relative
    try:
        if not candidate.resolve().is_relative_to(model_dir.resolve()):
            return None
    except (OSError, RuntimeError, ValueError):
        return None
    return candidate
