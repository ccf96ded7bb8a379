"""Write a directory all at once: a reader (or a crash) sees no directory or a complete one.

The content is written into a hidden staging directory beside the target, on the same
filesystem; every file and directory is fsynced, then the staging directory is renamed onto
the target and the parent directory fsynced. ``rename(2)`` replaces only a missing or *empty*
directory, so an existing non-empty directory is never overwritten, even when it appears
while the content is being written.

A process killed while writing leaves its staging directory behind (``.<name>.staging-<pid>-
<random>``), never a partial target. A later save to the same target removes the staging
directories of processes that no longer run.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from mlmodel.errors import UsageError

_STAGING = re.compile(r"^\.(?P<name>.+)\.staging-(?P<pid>\d+)-[A-Za-z0-9_]+$")


def staging_prefix(target: Path) -> str:
    return f".{target.name}.staging-{os.getpid()}-"


def is_staging_dir(path: Path) -> bool:
    """True for a staging directory this module creates (finished or abandoned)."""
    return _STAGING.match(path.name) is not None


def check_target(target: Path) -> None:
    """Refuse a target that exists and is not an empty directory."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise UsageError(f"{target}: exists and is not a directory; not overwritten")
    if target.is_dir() and any(target.iterdir()):
        raise UsageError(f"{target}: directory exists and is not empty; not overwritten")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_abandoned(target: Path) -> None:
    """Remove staging directories for ``target`` left by processes that are gone."""
    parent = target.parent
    if not parent.is_dir():
        return
    for entry in parent.iterdir():
        match = _STAGING.match(entry.name)
        if match is None or match.group("name") != target.name:
            continue
        if entry.is_dir() and not entry.is_symlink() and not _pid_alive(int(match.group("pid"))):
            shutil.rmtree(entry, ignore_errors=True)


def fsync_tree(root: Path) -> None:
    """fsync every regular file and directory under ``root`` (bottom-up), then ``root``."""
    for current, _dirs, files in os.walk(root, topdown=False):
        for name in files:
            path = Path(current, name)
            if path.is_symlink() or not path.is_file():
                continue
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(current))


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as exc:  # pragma: no cover - filesystems without directory fsync
        if exc.errno not in (errno.EINVAL, errno.EBADF):
            raise
    finally:
        os.close(fd)


def publish(staging: Path, target: Path) -> None:
    """fsync ``staging`` and rename it onto ``target`` (missing or an empty directory)."""
    fsync_tree(staging)
    try:
        staging.rename(target)
    except OSError as exc:
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
            raise UsageError(
                f"{target}: appeared while saving and is not empty; not overwritten"
            ) from exc
        raise
    fsync_dir(target.parent)


@contextlib.contextmanager
def atomic_directory(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield an empty staging directory; on a clean exit it becomes ``target``.

    ``target`` must not exist, or be an empty directory. On an exception the staging
    directory is removed and ``target`` is left as it was.
    """
    final = Path(target).absolute()
    check_target(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    remove_abandoned(final)
    staging = Path(tempfile.mkdtemp(prefix=staging_prefix(final), dir=final.parent))
    try:
        # mkdtemp makes the directory 0o700; a model directory gets the usual mode
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)
        yield staging
        publish(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
