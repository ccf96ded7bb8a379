"""Safe file I/O: bounded reads of regular files, writes that never clobber, atomic directories.

Every file mlmodel writes goes through :func:`write_file` (or, for output streamed
chunk by chunk, :func:`atomic_writer`), and every directory it creates whole goes
through :func:`atomic_directory`. What a write does depends on what the target is
(docs/fix.md has the same table):

==========================  ==============================================================
target                      outcome
==========================  ==============================================================
missing                     new regular file, mode ``0o666`` minus the umask
regular file                atomic replacement (temporary sibling, fsync, rename); mode,
                            owner and group kept (when the owner cannot be kept, the file
                            is written in place instead, like a hard-linked one)
symlink                     written through to its target (the link stays a link)
hard-linked (``nlink > 1``) written in place, so every link sees the new content: the new
                            content is prepared whole, space is reserved first, catchable
                            signals are held off during the write (not atomic against
                            SIGKILL or a power cut)
read-only file              refused: :class:`ReadOnlyFileError` ("read-only; not written")
changed since it was read   refused: :class:`ChangedOnDiskError` ("changed on disk; not
                            written"), under an exclusive lock on the file read
device, FIFO, socket        written in place, never replaced or truncated (``-o /dev/null``
                            works; a FIFO blocks until a reader opens it)
standard output or error    written to that stream (``-o /dev/stdout`` works, also when
                            the stream is redirected to a file)
directory                   refused (:class:`IsADirectoryError`)
==========================  ==============================================================

Temporary files and directories are named ``.<name>.<pid>.<random>.mlmodel-tmp``
beside their target. They are removed on any error, on every catchable
terminating signal (SIGTERM, SIGHUP, SIGINT, SIGQUIT, ...; the process then dies
of that signal as it would have), and, when a process was killed outright, by the
next write into the same folder (a temporary whose process no longer exists).
"""

from __future__ import annotations

import _thread
import contextlib
import errno
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, BinaryIO, Final

from mlmodel.core.errors import UsageError

TEMP_SUFFIX = ".mlmodel-tmp"
_TEMP_NAME = re.compile(
    r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}" + re.escape(TEMP_SUFFIX) + "$"
)
_NAME_IN_TEMP = 100  # a temporary's name stays under the 255-byte limit
#: the catchable terminating signals (those of them the platform has: :func:`_catchable`)
_CATCHABLE_NAMES = (
    "SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGUSR1", "SIGUSR2", "SIGALRM",
    "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGPIPE",
)  # fmt: skip


class WriteRefusedError(UsageError, OSError):
    """A write mlmodel will not do; the message says why and that nothing was written."""

    def __init__(self, path: str | Path, reason: str) -> None:
        message = f"{path}: {reason}; not written"
        super().__init__(message)
        self.path = Path(path)
        self.reason = reason
        self.strerror = f"{reason}; not written"  # for messages that name the path already


class ChangedOnDiskError(WriteRefusedError):
    """The file changed on disk since it was read: writing would lose that change."""


class ReadOnlyFileError(WriteRefusedError):
    """The file is read-only."""


class ReadRefusedError(UsageError, OSError):
    """A read mlmodel will not do; an ``OSError`` with ``errno``, ``strerror`` and
    ``filename``, shown as ``FILENAME: STRERROR``."""

    def __init__(self, errno_: int, strerror: str, filename: str) -> None:
        super().__init__(f"{filename}: {strerror}")
        self.errno = errno_
        self.strerror = strerror
        self.filename = filename

    def __str__(self) -> str:
        return self.message


class NotRegularFileError(ReadRefusedError):
    """A read was asked of something that is not a regular file (FIFO, device, ...)."""


class FileTooLargeError(ReadRefusedError):
    """A bounded read found a file above its limit."""


# -- reading --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileStamp:
    """What a file was when it was read, to check before writing it back.

    A file "changed on disk" when the path names another file (device, inode) or
    its content differs (size, SHA-256). Touching it (mtime alone) is no change:
    no update can be lost.
    """

    device: int
    inode: int
    size: int
    digest: str

    @classmethod
    def of(cls, info: os.stat_result, data: bytes) -> FileStamp:
        import hashlib

        return cls(info.st_dev, info.st_ino, len(data), hashlib.sha256(data).hexdigest())


def kind_of(mode: int) -> str:
    """A file type in words: "a FIFO", "a character device", ..."""
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def read_regular(path: str | Path, *, max_bytes: int) -> tuple[bytes, FileStamp]:
    """Read a regular file whole, at most ``max_bytes``, with its :class:`FileStamp`.

    Nothing else is read: a FIFO, a device or a directory raises
    :class:`NotRegularFileError` without blocking and without reading a byte; a file
    above the limit raises :class:`FileTooLargeError` before it is read.
    """
    data, info = _read_regular(path, max_bytes)
    return data, FileStamp.of(info, data)


def read_regular_bytes(path: str | Path, *, max_bytes: int) -> bytes:
    """:func:`read_regular` for a file that is never written back: no :class:`FileStamp`
    (no SHA-256 of the content, and no ``hashlib`` import on the validate path)."""
    return _read_regular(path, max_bytes)[0]


def _read_regular(path: str | Path, max_bytes: int) -> tuple[bytes, os.stat_result]:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = kind_of(info.st_mode)
            raise NotRegularFileError(errno.EINVAL, f"{kind}, not a regular file", str(path))
        if info.st_size > max_bytes:
            raise FileTooLargeError(
                errno.EFBIG, f"{info.st_size} bytes, above the {max_bytes}-byte limit", str(path)
            )
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > max_bytes:
            raise FileTooLargeError(
                errno.EFBIG, f"grew above the {max_bytes}-byte limit while read", str(path)
            )
        return data, info
    finally:
        os.close(fd)


# -- writing --------------------------------------------------------------------------------


def named_as_given(exc: OSError, given: str, temp: Path | None = None) -> OSError:
    """``exc`` with the path the caller gave (``given``) where it names a temporary of
    ours: ``temp`` (and files inside it), or any file named like one; ``exc`` itself when
    it names none (or cannot be rebuilt)."""

    def renamed(name: object) -> object:
        if not isinstance(name, str):
            return name
        if temp is not None and (name == str(temp) or name.startswith(f"{temp}{os.sep}")):
            return given + name[len(str(temp)) :]
        return given if _TEMP_NAME.match(Path(name).name) else name

    first, second = renamed(exc.filename), renamed(exc.filename2)
    if (first, second) == (exc.filename, exc.filename2):
        return exc
    try:
        if second is None:
            return type(exc)(exc.errno, exc.strerror, first)
        return type(exc)(exc.errno, exc.strerror, first, None, second)
    except TypeError:  # an OSError subclass with a constructor of its own
        return exc


def write_file(target: str | Path, data: bytes, *, expected: FileStamp | None = None) -> Path:
    """Write ``data`` to ``target`` without ever leaving it half-written or clobbering
    something that is not a regular file; returns the path of the file written.
    An ``OSError`` names ``target`` as given, never the temporary file written first.

    ``expected`` is the stamp taken when the file was read (:func:`read_regular`): the
    write is refused with :class:`ChangedOnDiskError` when the file changed since. The
    check and the rename happen under an exclusive ``flock`` on the file read, so of two
    concurrent writers that read the same file one writes and the other is refused.
    See the module docstring for the outcome per kind of target.
    """
    try:
        return _write_file(target, data, expected)
    except OSError as exc:
        shown = named_as_given(exc, str(target))
        if shown is exc:
            raise
        raise shown from exc


def _write_file(target: str | Path, data: bytes, expected: FileStamp | None) -> Path:
    path = Path(target)
    info = _target_info(path)
    stream = _standard_stream(info)
    if stream is not None:
        _flush_python_stream(stream)
        _write_all(stream, data)
        return path
    if info is not None and not stat.S_ISREG(info.st_mode):
        _write_stream(path, data)
        return path
    real = Path(os.path.realpath(path))
    if info is None:
        if expected is not None:
            raise ChangedOnDiskError(real, "removed since it was read")
        _replace(real, data, None, expected)
        return real
    _check_writable(real, info)
    if info.st_nlink > 1 or not _can_keep_owner(info):
        _write_in_place(real, data, expected)
    else:
        _replace(real, data, info, expected)
    return real


def _target_info(path: Path) -> os.stat_result | None:
    """What ``path`` is now (None when it does not exist); a directory is refused."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
    return info


def _check_writable(real: Path, info: os.stat_result) -> None:
    """ReadOnlyFileError unless the existing regular file ``real`` may be written."""
    if info.st_mode & 0o222 == 0 or not os.access(real, os.W_OK):
        raise ReadOnlyFileError(real, "read-only file")


#: how a device, FIFO or socket is opened for writing: as it is, never created or truncated
_STREAM_FLAGS: Final = os.O_WRONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)


def _standard_stream(info: os.stat_result | None) -> int | None:
    """The descriptor (1 or 2) whose file ``info`` describes, if any."""
    if info is None:
        return None
    for fd in (1, 2):
        try:
            other = os.fstat(fd)
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (info.st_dev, info.st_ino):
            return fd
    return None


def _flush_python_stream(fd: int) -> None:
    import sys

    stream = sys.stdout if fd == 1 else sys.stderr
    with contextlib.suppress(Exception):
        stream.flush()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _write_stream(path: Path, data: bytes) -> None:
    """A device, FIFO or socket: opened for writing as it is, never created or truncated."""
    fd = os.open(path, _STREAM_FLAGS)
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)


def _can_keep_owner(info: os.stat_result) -> bool:
    """Whether a replacement file can be given ``info``'s owner and group."""
    if not hasattr(os, "geteuid"):  # pragma: no cover - not POSIX: no owners to keep
        return True
    if (info.st_uid, info.st_gid) == (os.geteuid(), os.getegid()) or os.geteuid() == 0:
        return True
    return info.st_uid == os.geteuid() and info.st_gid in os.getgroups()


def _temp_path(directory: Path, name: str) -> Path:
    import secrets

    token = secrets.token_hex(4)
    return directory / f".{name[:_NAME_IN_TEMP]}.{os.getpid()}.{token}{TEMP_SUFFIX}"


def _replace(
    real: Path, data: bytes, info: os.stat_result | None, expected: FileStamp | None
) -> None:
    directory = real.parent
    remove_stale_temporaries(directory, real.name)
    temp = _temp_path(directory, real.name)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NOFOLLOW", 0)
    with _removed_on_signal(temp):
        try:
            # a new file gets 0o666 minus the umask from the kernel, like any other program's
            fd = os.open(temp, flags, 0o666 if info is None else 0o600)
            try:
                _write_all(fd, data)
                if info is not None:
                    if hasattr(os, "fchown") and (info.st_uid, info.st_gid) != (
                        os.geteuid(),
                        os.getegid(),
                    ):
                        os.fchown(fd, info.st_uid, info.st_gid)
                    os.fchmod(fd, stat.S_IMODE(info.st_mode))  # after chown, which drops setuid
                os.fsync(fd)
            finally:
                os.close(fd)
            with _checked(real, expected):
                temp.replace(real)
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise
    _fsync_directory(directory)


def _write_in_place(real: Path, data: bytes, expected: FileStamp | None) -> None:
    with _checked(real, expected):
        fd = os.open(real, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            with _signals_held():
                with contextlib.suppress(OSError, AttributeError):
                    os.posix_fallocate(fd, 0, max(len(data), 1))  # no ENOSPC half-way
                view = memoryview(data)
                offset = 0
                while offset < len(view):
                    offset += os.pwrite(fd, view[offset:], offset)
                os.ftruncate(fd, len(data))
                os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _checked(real: Path, expected: FileStamp | None) -> Iterator[None]:
    """Hold an exclusive lock on the file read and check it is still what was read."""
    if expected is None:
        yield
        return
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(real, flags)
    except FileNotFoundError:
        raise ChangedOnDiskError(real, "removed since it was read") from None
    try:
        _lock(fd)
        now = real.stat()
        if (now.st_dev, now.st_ino) != (expected.device, expected.inode):
            raise ChangedOnDiskError(real, "changed on disk since it was read (replaced)")
        if now.st_size != expected.size or _digest(fd) != expected.digest:
            raise ChangedOnDiskError(real, "changed on disk since it was read")
        yield
    finally:
        os.close(fd)  # releases the lock


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def _digest(fd: int) -> str:
    import hashlib

    digest = hashlib.sha256()
    offset = 0
    while chunk := os.pread(fd, 1 << 20, offset):
        digest.update(chunk)
        offset += len(chunk)
    return digest.hexdigest()


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


# -- streamed writes ------------------------------------------------------------------------


@contextlib.contextmanager
def atomic_writer(target: str | Path) -> Iterator[BinaryIO]:
    """A binary stream whose content becomes ``target`` when the ``with`` block ends
    normally, for output too large to hold in memory (:func:`write_file` takes it whole).

    The outcome per kind of target is :func:`write_file`'s (module docstring): a missing
    or regular file is written to a temporary sibling, fsynced and renamed over ``target``
    in one step (mode, owner and group kept); a hard-linked file, or one whose owner
    cannot be kept, is first written whole to the temporary and then copied in place with
    catchable signals held off; a device, FIFO, socket or standard stream is written as it
    goes; a directory or a read-only file is refused before the block runs. When the block
    raises, or a catchable signal arrives (Ctrl-C), the temporary is removed and ``target``
    is untouched. An ``OSError`` names ``target`` as given, never the temporary. Use::

        with atomic_writer(path) as out:
            for chunk in chunks:
                out.write(chunk)
    """
    try:
        with _streamed(target) as stream:
            yield stream
    except OSError as exc:
        shown = named_as_given(exc, str(target))
        if shown is exc:
            raise
        raise shown from exc


@contextlib.contextmanager
def _streamed(target: str | Path) -> Iterator[BinaryIO]:
    path = Path(target)
    info = _target_info(path)
    fd = _standard_stream(info)
    if fd is not None:
        _flush_python_stream(fd)
        with os.fdopen(os.dup(fd), "wb") as stream:
            yield stream
        return
    if info is not None and not stat.S_ISREG(info.st_mode):
        with os.fdopen(os.open(path, _STREAM_FLAGS), "wb") as stream:
            yield stream
        return
    real = Path(os.path.realpath(path))
    if info is not None:
        _check_writable(real, info)
    with _streamed_to_temporary(real, info) as stream:
        yield stream


@contextlib.contextmanager
def _streamed_to_temporary(real: Path, info: os.stat_result | None) -> Iterator[BinaryIO]:
    """Write to a temporary sibling of ``real``; rename it over ``real`` (or copy it in
    place, for a hard-linked file or an owner that cannot be kept) at the end."""
    directory = real.parent
    remove_stale_temporaries(directory, real.name)
    temp = _temp_path(directory, real.name)
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NOFOLLOW", 0)
    in_place = info is not None and (info.st_nlink > 1 or not _can_keep_owner(info))
    with _removed_on_signal(temp):
        try:
            with os.fdopen(os.open(temp, flags, 0o666 if info is None else 0o600), "w+b") as out:
                yield out
                out.flush()
                fd = out.fileno()
                if in_place:
                    _copy_in_place(fd, real)
                else:
                    if info is not None:
                        _keep_owner_and_mode(fd, info)
                    os.fsync(fd)
            if in_place:
                temp.unlink()
            else:
                temp.replace(real)
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise
    _fsync_directory(directory)


def _keep_owner_and_mode(fd: int, info: os.stat_result) -> None:
    if hasattr(os, "fchown") and (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
        os.fchown(fd, info.st_uid, info.st_gid)
    os.fchmod(fd, stat.S_IMODE(info.st_mode))  # after chown, which drops setuid


def _copy_in_place(source: int, real: Path) -> None:
    """Copy the file open at ``source`` over ``real``'s content, in place (every hard
    link sees it), space reserved first and catchable signals held off."""
    size = os.fstat(source).st_size
    fd = os.open(real, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        with _signals_held():
            with contextlib.suppress(OSError, AttributeError):
                os.posix_fallocate(fd, 0, max(size, 1))  # no ENOSPC half-way
            offset = 0
            while chunk := os.pread(source, 1 << 20, offset):
                written = 0
                while written < len(chunk):
                    written += os.pwrite(fd, chunk[written:], offset + written)
                offset += len(chunk)
            os.ftruncate(fd, size)
            os.fsync(fd)
    finally:
        os.close(fd)


# -- atomic directories ---------------------------------------------------------------------


@contextlib.contextmanager
def atomic_directory(target: str | Path) -> Iterator[Path]:
    """Create the directory ``target`` whole or not at all.

    Yields a temporary sibling directory (same filesystem, named
    ``.<name>.<pid>.<random>.mlmodel-tmp``, mode ``0o777`` minus the umask) to fill in.
    When the ``with`` block ends normally, every file and folder in it is fsynced and
    it is renamed to ``target`` in one step, then the parent is fsynced: a reader sees
    no directory or a complete one. When the block raises, or a catchable signal
    arrives, the temporary directory is removed and ``target`` is untouched.

    ``target`` must not exist, or be an empty directory (which is replaced);
    anything else raises :class:`FileExistsError`, before the block runs and again
    at the rename if it appeared meanwhile: an existing model is never overwritten.
    Missing parents are created. An ``OSError`` names ``target`` (and the files in it) as
    given, never the temporary directory. Use::

        with atomic_directory(path) as folder:
            (folder / "MLmodel").write_bytes(text)
            ...
    """
    final = Path(target).absolute()
    parent = final.parent
    parent.mkdir(parents=True, exist_ok=True)
    _refuse_existing(final)
    remove_stale_temporaries(parent, final.name)
    temp = _temp_path(parent, final.name)
    try:
        with _filled_and_renamed(temp, final) as folder:
            yield folder
    except OSError as exc:
        shown = named_as_given(exc, str(target), temp)
        if shown is exc:
            raise
        raise shown from exc
    _fsync_directory(parent)


@contextlib.contextmanager
def _filled_and_renamed(temp: Path, final: Path) -> Iterator[Path]:
    import shutil

    with _removed_on_signal(temp):
        temp.mkdir(0o777)
        try:
            yield temp
            _fsync_tree(temp)
            try:
                temp.rename(final)
            except OSError as exc:
                if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
                    raise FileExistsError(
                        errno.EEXIST, "already exists and is not empty", str(final)
                    ) from None
                raise
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise


def _refuse_existing(final: Path) -> None:
    try:
        info = os.lstat(final)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(info.st_mode):
        with os.scandir(final) as entries:
            if next(entries, None) is None:
                return
    raise FileExistsError(errno.EEXIST, "already exists and is not empty", str(final))


def _fsync_tree(root: Path) -> None:
    for folder, _dirs, files in os.walk(root):
        for name in files:
            file = Path(folder, name)
            if file.is_symlink():
                continue
            fd = os.open(file, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_directory(Path(folder))


# -- temporaries: signals and stale leftovers -----------------------------------------------
# shutil, signal and threading are imported by the writes that need them, not by the reads
# (validate reads through this module and never writes: its cold start does not pay for
# them); _removed_on_signal imports them before installing the handler, so the handler
# itself never imports.

_pending: set[Path] = set()
_pending_lock = _thread.allocate_lock()  # what threading.Lock() gives, without threading
_installed: dict[int, Any] = {}


def _catchable() -> tuple[int, ...]:
    import signal

    return tuple(getattr(signal, name) for name in _CATCHABLE_NAMES if hasattr(signal, name))


def _remove(path: Path) -> None:
    import shutil

    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass


def _on_signal(signum: int, frame: FrameType | None) -> None:
    import signal  # imported already, by _removed_on_signal

    for path in list(_pending):
        _remove(path)
    previous = _installed.get(signum, signal.SIG_DFL)
    if callable(previous):
        previous(signum, frame)  # e.g. SIGINT's default handler raises KeyboardInterrupt
        return
    if previous == signal.SIG_IGN:
        return
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)  # die of the signal, as without the handler


@contextlib.contextmanager
def _removed_on_signal(path: Path) -> Iterator[None]:
    """Remove ``path`` if a catchable signal arrives while the block runs."""
    import shutil  # noqa: F401 - loaded before the handler can need it (in _remove)
    import signal
    import threading

    with _pending_lock:
        _pending.add(path)
        install = threading.current_thread() is threading.main_thread() and not _installed
        if install:
            for signum in _catchable():
                previous = signal.getsignal(signum)
                if previous in (signal.SIG_IGN, None):
                    continue
                _installed[signum] = previous
                signal.signal(signum, _on_signal)
    try:
        yield
    finally:
        with _pending_lock:
            _pending.discard(path)
            if install:
                for signum, previous in _installed.items():
                    signal.signal(signum, previous)
                _installed.clear()


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Defer catchable signals until the block ends (for writes that cannot be undone)."""
    import signal

    mask: Callable[..., Any] | None = getattr(signal, "pthread_sigmask", None)
    if mask is None:  # pragma: no cover - not POSIX
        yield
        return
    previous = mask(signal.SIG_BLOCK, _catchable())
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, previous)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def remove_stale_temporaries(directory: str | Path, name: str | None = None) -> list[Path]:
    """Remove the temporaries mlmodel left in ``directory`` (for ``name`` only, if given)
    when killed outright: those whose process no longer exists. Returns what was removed."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP_NAME.match(entry.name)
        if match is None or (name is not None and match["name"] != name[:_NAME_IN_TEMP]):
            continue
        path = Path(entry.path)
        pid = int(match["pid"])
        if path in _pending or (pid != os.getpid() and _alive(pid)):
            continue
        _remove(path)
        removed.append(path)
    return removed
